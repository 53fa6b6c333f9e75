"""A build's fingerprint names the vdata version and a hash of the row-making code: a half-finished build is
resumed only by the same code, a finished one is a no-op only for the same code; otherwise one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

import vdata
from vdata import builders
from vdata.build import build
from vdata.build.fingerprint import _builder_modules, code_sha256
from vdata.errors import ConfigError
from vdata.options import BuildOptions
from vdata.shards import read_manifest

OPTIONS = BuildOptions(frames="uniform:2", shard_size="1B")  # a commit per row


class Interrupted(Exception):
    pass


def half_built(corpus: Path, out: Path, items: int = 2) -> None:
    """Build `corpus` into `out` and stop after `items` items, as a kill would (parts committed, no manifest)."""

    def stop(done: int, total: int, rows: int, errors: int) -> None:
        if done == items:
            raise Interrupted

    with pytest.raises(Interrupted):
        build([f"jsonl:{corpus}"], out, OPTIONS, on_progress=stop)
    assert (out / ".vdata-build" / "journal.jsonl").exists() and not (out / "vdata.json").exists()


def test_resuming_with_other_row_making_code_is_refused(corpus: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    half_built(corpus, out)
    monkeypatch.setattr("vdata.build.fingerprint.code_sha256", lambda classes: "f" * 64)
    with pytest.raises(ConfigError) as refused:
        build([f"jsonl:{corpus}"], out, OPTIONS)
    message = str(refused.value)
    assert message.startswith(f"{out} holds an unfinished build made by other row-making code (sha256 ")
    assert "this is ffffffffffff" in message and "new --out" in message and f"{out}/.vdata-build" in message
    assert "\n" not in message
    assert not (out / "vdata.json").exists()


def test_resuming_with_another_vdata_version_is_refused(corpus: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    half_built(corpus, out)
    monkeypatch.setattr(vdata, "__version__", "99.0")
    with pytest.raises(ConfigError, match=r"unfinished build made by vdata 0\.1\.0 \(this is 99\.0\); "):
        build([f"jsonl:{corpus}"], out, OPTIONS)


def test_resuming_with_the_same_code_finishes_the_build(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    half_built(corpus, out)
    report = build([f"jsonl:{corpus}"], out, OPTIONS)
    assert report.items_skipped == 2 and report.rows == 5


def test_resuming_with_other_options_says_which(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    half_built(corpus, out)
    with pytest.raises(ConfigError, match=r"unfinished build with other sources or options \(frames\); re-run it "
                                          "with the same ones to resume"):
        build([f"jsonl:{corpus}"], out, BuildOptions(frames="uniform:3", shard_size="1B"))


def test_a_finished_build_is_a_no_op_only_for_the_same_code(corpus: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build([f"jsonl:{corpus}"], out, BuildOptions(frames="uniform:2", limit=1))
    fingerprint = read_manifest(out)["build"]["fingerprint"]
    assert fingerprint["vdata_version"] == vdata.__version__
    assert fingerprint["code_sha256"] == code_sha256([builders.get("jsonl")])
    assert build([f"jsonl:{corpus}"], out, BuildOptions(frames="uniform:2", limit=1)).already_built
    monkeypatch.setattr("vdata.build.fingerprint.code_sha256", lambda classes: "0" * 64)
    with pytest.raises(ConfigError, match="already holds a finished build with other row-making code"):
        build([f"jsonl:{corpus}"], out, BuildOptions(frames="uniform:2", limit=1))


def test_the_code_hash_covers_the_builders_used_and_what_they_import() -> None:
    assert code_sha256([builders.get("jsonl")]) != code_sha256([builders.get("charades-sta")])
    assert code_sha256([builders.get("jsonl")]) == code_sha256([builders.get("jsonl")])
    assert {"vdata.builders.nextgqa", "vdata.builders.nextqa", "vdata.builders._shared",
            "vdata.builders.base"} <= _builder_modules(builders.get("nextgqa"))
