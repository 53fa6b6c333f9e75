"""`vdata build` from and to `s3://` URLs, against a real S3 server on 127.0.0.1 (moto): the same dataset as a
local build of the same corpus, on the local pool and on Ray, and a driver killed mid-build resumes from the
journal at the URL; no staging folder outlives a build (finished, or resumed after a killed driver); store
failures (missing bucket, frozen endpoint, missing or wrong credentials) are one line."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.helpers import VDATA
from tests.videos import box_at, write_video
from vdata.build import build
from vdata.errors import ConfigError
from vdata.options import BuildOptions
from vdata.shards import read_manifest, read_table

pytest.importorskip("s3fs")
pytest.importorskip("upath")
moto_server = pytest.importorskip("moto.server")

OPTIONS = BuildOptions(frames="uniform:3,boxes", scenes="content", shard_size="10kB", workers=0)
BUCKET = "vdata-test"


@pytest.fixture(scope="module")
def s3():
    """An S3 server on a free loopback port for this module (stopped after it); the AWS variables point every
    client at it, subprocesses and Ray workers included."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {"AWS_ENDPOINT_URL": f"http://{host}:{port}", "AWS_ACCESS_KEY_ID": "test",
           "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        import s3fs

        s3fs.S3FileSystem.clear_instance_cache()
        fs = s3fs.S3FileSystem()
        fs.mkdir(BUCKET)
        yield fs
        s3fs.S3FileSystem.clear_instance_cache()
    server.stop()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three videos (one in a subfolder), captions, spans and boxes, a bad row, a broken and a missing video."""
    root = tmp_path_factory.mktemp("corpus")
    (root / "clips").mkdir()
    samples: list[dict | str] = []
    for v, frames in enumerate([25, 50, 75]):
        rel = f"clips/v{v}.mp4" if v == 2 else f"v{v}.mp4"
        write_video(root / rel, fps=25.0, num_frames=frames, width=160, height=120, cuts=[frames // 2], gop=25)
        x1, y1, x2, y2 = box_at(10, 160, 120)
        samples += [
            {"video": rel, "id": f"{v}-cap", "task": "caption"},
            {"video": rel, "id": f"{v}-tg", "task": "temporal_grounding", "question": "when?", "spans": [[0.2, 0.6]]},
            {"video": rel, "id": f"{v}-box", "task": "spatial_grounding", "question": "where?",
             "boxes": [{"frame_index": 10, "x1": x1, "y1": y1, "x2": x2, "y2": y2}]},
        ]
    (root / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    samples += [{"video": "broken.mp4", "id": "broken", "task": "caption"}, "{not json",
                {"video": "gone.mp4", "id": "gone", "task": "caption"}]
    lines = [s if isinstance(s, str) else json.dumps(s) for s in samples]
    (root / "samples.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def s3_corpus(s3, corpus: Path) -> str:
    s3.put(str(corpus), f"{BUCKET}/corpus", recursive=True)
    return f"s3://{BUCKET}/corpus/samples.jsonl"


@pytest.fixture(scope="module")
def local_build(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local") / "ds"
    build([f"jsonl:{corpus / 'samples.jsonl'}"], out, OPTIONS)
    return out


def staging(url: str) -> set[Path]:
    """The staging folders of builds into `url` in the temp dir (`vdata-staging-<key of url>-<pid>-*`)."""
    import tempfile

    key = hashlib.sha1(url.encode()).hexdigest()[:16]
    return set(Path(tempfile.gettempdir()).glob(f"vdata-staging-{key}-*"))


def download(s3, prefix: str, tmp_path: Path) -> Path:
    """The dataset at `s3://BUCKET/prefix` copied into a local folder (nothing else is left at the URL)."""
    s3.invalidate_cache()
    assert not s3.exists(f"{BUCKET}/{prefix}/.vdata-build")
    local = tmp_path / "downloaded"
    s3.get(f"{BUCKET}/{prefix}", str(local), recursive=True)
    return local


def assert_same_dataset(local: Path, remote: Path) -> None:
    """Same rows, shards (names, bytes, sha256) and counts; the same errors (paths relative to each corpus); the
    same metadata index (its bytes: the same rows written the same way)."""
    assert read_table(local).to_pylist() == read_table(remote).to_pylist()
    assert read_manifest(local)["index"] == read_manifest(remote)["index"]
    assert (local / "index.parquet").read_bytes() == (remote / "index.parquet").read_bytes()
    assert read_manifest(local)["shards"] == read_manifest(remote)["shards"]
    assert read_manifest(local)["counts"] == read_manifest(remote)["counts"]
    assert pq.read_table(remote / "errors.parquet").to_pylist() == pq.read_table(local / "errors.parquet").to_pylist()


def test_a_build_from_s3_to_s3_equals_the_local_build(s3, corpus, s3_corpus, local_build, tmp_path) -> None:
    report = build([f"jsonl:{s3_corpus}"], f"s3://{BUCKET}/pool", replace(OPTIONS, workers=2))
    assert staging(f"s3://{BUCKET}/pool") == set()  # the finished build deleted its staging folder
    assert report.errors_by_code == {"video_unreadable": 1, "bad_annotation": 1, "video_missing": 1}
    assert len(read_manifest(local_build)["shards"]) > 2
    assert_same_dataset(local_build, download(s3, "pool", tmp_path))
    again = build([f"jsonl:{s3_corpus}"], f"s3://{BUCKET}/pool/", OPTIONS)
    assert again.already_built and again.rows == report.rows


def test_a_killed_driver_resumes_from_the_journal_at_the_url(s3, corpus, s3_corpus, local_build, tmp_path) -> None:
    journal = f"{BUCKET}/killed/.vdata-build/journal.jsonl"
    args = ["build", "--source", f"jsonl:{s3_corpus}", "--out", f"s3://{BUCKET}/killed", "--workers", "0",
            "--shard-size", "10kB", "--frames", OPTIONS.frames, "--scenes", OPTIONS.scenes, "--json"]
    process = subprocess.Popen([VDATA, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)

    def committed() -> int:
        s3.invalidate_cache()
        return s3.cat_file(journal).count(b'"part"') if s3.exists(journal) else 0

    try:
        deadline = time.monotonic() + 120
        while committed() < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert committed() >= 2, "the build ended before two parts were committed"
    left = staging(f"s3://{BUCKET}/killed")
    assert [folder.name.split("-")[3] for folder in left] == [str(process.pid)]  # the killed driver's

    report = build([f"jsonl:{s3_corpus}"], f"s3://{BUCKET}/killed", OPTIONS)
    assert report.items_skipped > 0
    assert staging(f"s3://{BUCKET}/killed") == set()  # the resume deleted the dead driver's folder, then its own
    assert_same_dataset(local_build, download(s3, "killed", tmp_path))


def test_the_ray_engine_builds_from_s3_to_s3(s3, corpus, s3_corpus, local_build, tmp_path) -> None:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)  # after `s3`: workers see its variables
    try:
        build([f"jsonl:{s3_corpus}"], f"s3://{BUCKET}/ray", replace(OPTIONS, engine="ray", task_memory="500MB"))
    finally:
        ray.shutdown()
    assert_same_dataset(local_build, download(s3, "ray", tmp_path))


def test_a_url_whose_storage_is_unknown_is_refused_at_start(corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nosuch"):
        build([f"jsonl:{corpus / 'samples.jsonl'}"], "nosuch://bucket/ds", OPTIONS)
    with pytest.raises(ConfigError, match="nosuch"):
        build(["jsonl:nosuch://bucket/samples.jsonl"], tmp_path / "ds", OPTIONS)


def test_a_folder_corpus_at_a_url_gives_the_rows_of_the_same_folder_on_disk(s3, corpus, s3_corpus, tmp_path):
    options = replace(OPTIONS, frames="uniform:2", scenes="none")
    build([f"folder:{corpus}"], tmp_path / "local", options)
    build([f"folder:s3://{BUCKET}/corpus/"], f"s3://{BUCKET}/folder", options)
    remote = download(s3, "folder", tmp_path)
    assert read_table(remote).to_pylist() == read_table(tmp_path / "local").to_pylist()
    assert read_table(remote, columns=["video"]).column("video").to_pylist() == ["clips/v2.mp4", "v0.mp4", "v1.mp4"]


def test_a_missing_bucket_is_one_clear_error_and_no_staging_folder_is_left(s3, corpus: Path) -> None:
    import tempfile

    from vdata.errors import VdataError

    before = set(Path(tempfile.gettempdir()).glob("vdata-staging-*"))
    with pytest.raises(VdataError, match="s3://no-such-bucket/ds: not found in the object store") as e:
        build([f"jsonl:{corpus / 'samples.jsonl'}"], "s3://no-such-bucket/ds", OPTIONS)
    assert "\n" not in str(e.value)
    assert set(Path(tempfile.gettempdir()).glob("vdata-staging-*")) <= before


def test_a_second_build_into_the_same_url_is_refused_naming_the_holder_and_a_dead_holder_is_taken_over(
        s3, corpus: Path) -> None:
    import json
    import socket

    from vdata.shards.lock import remote_output_lock
    from vdata.shards.writer import WORK_DIR

    url = f"s3://{BUCKET}/locked"
    with remote_output_lock(url, WORK_DIR):
        s3.invalidate_cache()
        assert json.loads(s3.cat_file(f"{BUCKET}/locked/{WORK_DIR}/lock"))["pid"] == os.getpid()
        with pytest.raises(ConfigError, match=rf"{url} is being written by another vdata build \(pid {os.getpid()}"):
            build([f"jsonl:{corpus / 'samples.jsonl'}"], url, OPTIONS)
    s3.invalidate_cache()
    assert not s3.exists(f"{BUCKET}/locked/{WORK_DIR}/lock")  # released at exit
    s3.pipe_file(f"{BUCKET}/locked/{WORK_DIR}/lock",
                 json.dumps({"pid": 2**22 + 17, "host": socket.gethostname(), "token": "x", "time": time.time()}).encode())
    report = build([f"jsonl:{corpus / 'samples.jsonl'}"], url, replace(OPTIONS, frames="uniform:2", scenes="none"))
    assert report.rows > 0


def test_a_frozen_endpoint_and_refused_credentials_are_one_line_errors_not_hangs(s3, corpus: Path,
                                                                                   monkeypatch) -> None:
    import socket

    import s3fs

    from vdata import urls
    from vdata.errors import VdataError

    frozen = socket.socket()  # accepts connections (the kernel's backlog) and never answers
    frozen.bind(("127.0.0.1", 0))
    frozen.listen(8)
    monkeypatch.setattr(urls, "STORE_TIMEOUT_S", 0.5)
    monkeypatch.setattr(urls, "STORE_TRIES", 2)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{frozen.getsockname()[1]}")
    s3fs.S3FileSystem.clear_instance_cache()
    started = time.monotonic()
    try:
        with pytest.raises(VdataError, match=r"s3://vdata-test/frozen: the object store failed") as e:
            build([f"jsonl:{corpus / 'samples.jsonl'}"], f"s3://{BUCKET}/frozen", OPTIONS)
    finally:
        frozen.close()
        s3fs.S3FileSystem.clear_instance_cache()
    assert "\n" not in str(e.value)
    assert time.monotonic() - started < 60
    monkeypatch.undo()  # the moto server again, without credentials
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(variable)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    s3fs.S3FileSystem.clear_instance_cache()
    try:
        with pytest.raises(VdataError, match=r"s3://vdata-test/nocreds: .*credentials") as e:
            build([f"jsonl:{corpus / 'samples.jsonl'}"], f"s3://{BUCKET}/nocreds", OPTIONS)
    finally:
        s3fs.S3FileSystem.clear_instance_cache()
    assert "\n" not in str(e.value)


def test_wrong_credentials_are_one_line_from_the_cli(s3, corpus: Path, monkeypatch) -> None:
    """moto checks keys once asked to (`/moto-api/reset-auth`): a key it does not know is refused (403)."""
    import urllib.request

    from tests.helpers import run_vdata

    endpoint = os.environ["AWS_ENDPOINT_URL"]

    def check_keys(after: str) -> None:
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset-auth", data=after.encode(),
                                                      headers={"Content-Type": "text/plain"}))

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG0")
    check_keys("0")
    try:
        result = run_vdata("build", "-s", f"jsonl:{corpus / 'samples.jsonl'}", "-o", f"s3://{BUCKET}/wrongkey",
                           "--workers", "0", "--frames", "uniform:2")
    finally:
        check_keys("inf")
    assert result.returncode == 1 and result.stdout == "" and "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower() and "errors 0" not in line]
    assert errors == [f"error: s3://{BUCKET}/wrongkey: access denied by the object store (check the credentials): "
                      "PermissionError: Forbidden"], result.stderr
    assert len(result.stderr.splitlines()) <= 2  # that line, after the progress bar's last state
