"""`vdata push`: the upload plan, the Hub's limits, token handling and the calls made (the Hub is never reached:
`HfApi`'s methods are replaced by recorders)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.hf_api import RepoFile
from typer.testing import CliRunner

from vdata.cli import app
from vdata.errors import ConfigError, VdataError
from vdata.hub import HubLimits, check_repo_id, is_generated, plan_upload, push
from vdata.hub.push import git_blob_id
from vdata.shards import read_manifest

SECRET = "hf_TESTsecretTOKEN0123456789abcdef"
SHARDS = ["data/test-00000-of-00001.parquet", "data/train-00000-of-00001.parquet"]
LAST = ["errors.parquet", "index.parquet", "vdata.json", "README.md"]


@pytest.fixture
def dataset(built: Path, tmp_path: Path) -> Path:
    """A private copy of the session's `built` dataset (one train and one test shard)."""
    return Path(shutil.copytree(built, tmp_path / "dataset"))


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A fake token in HF_TOKEN; no local login is visible."""
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_TOKEN", SECRET)
    return SECRET


class Hub:
    """Records the `HfApi` calls a push makes; `remote` is the branch's tree that `list_repo_tree` returns."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.remote: list[RepoFile] = []
        self.fail_commit: int | None = None

    def install(self, monkeypatch: pytest.MonkeyPatch) -> Hub:
        def create_repo(api: HfApi, repo_id: str, **kw: Any) -> None:
            self.calls.append(("create_repo", {"repo_id": repo_id, "token": api.token, **kw}))

        def create_branch(api: HfApi, repo_id: str, **kw: Any) -> None:
            self.calls.append(("create_branch", {"repo_id": repo_id, **kw}))

        def list_repo_tree(api: HfApi, repo_id: str, **kw: Any) -> list[RepoFile]:
            self.calls.append(("list_repo_tree", {"repo_id": repo_id, **kw}))
            return list(self.remote)

        def create_commit(api: HfApi, repo_id: str, operations: Any, **kw: Any) -> None:
            if self.fail_commit == len(self.commits) + 1:
                response = httpx.Response(429, request=httpx.Request("POST", "https://huggingface.co/api/x"))
                raise HfHubHTTPError("429 Too Many Requests: commit quota", response=response)
            self.calls.append(("create_commit", {"repo_id": repo_id, "operations": list(operations), **kw}))

        for fn in (create_repo, create_branch, list_repo_tree, create_commit):
            monkeypatch.setattr(HfApi, fn.__name__, fn)
        return self

    @property
    def commits(self) -> list[dict[str, Any]]:
        return [kw for name, kw in self.calls if name == "create_commit"]


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Hub:
    return Hub().install(monkeypatch)


def _added(commit: dict[str, Any]) -> list[str]:
    return [op.path_in_repo for op in commit["operations"] if isinstance(op, CommitOperationAdd)]


def _remote_lfs(path: str, size: int, sha256: str) -> RepoFile:
    return RepoFile(path=path, size=size, oid="0" * 40, lfs={"size": size, "oid": sha256, "pointerSize": 130})


# -- plan and limits ------------------------------------------------------------------------------------------


def test_plan_commits_shards_first_then_errors_manifest_and_card(dataset: Path) -> None:
    plan = plan_upload(dataset, card_text="---\n---\n# card\n")
    assert [[f.path_in_repo for f in batch] for batch in plan.commits] == [SHARDS, LAST]
    assert plan.errors == [] and plan.warnings == []
    sha = {s["path"]: s["sha256"] for s in read_manifest(dataset)["shards"]}
    assert all(f.sha256 == sha[f.path_in_repo] for f in plan.commits[0])
    assert plan.files[-1].bytes == len(b"---\n---\n# card\n")


def test_the_published_manifest_names_no_local_paths(dataset: Path) -> None:
    local = read_manifest(dataset)["build"]["fingerprint"]["sources"]
    manifest = next(f for f in plan_upload(dataset).files if f.path_in_repo == "vdata.json")
    published = json.loads(manifest.data())
    assert all(":/" in s for s in local)
    assert published["build"]["fingerprint"]["sources"] == [f"{s.split(':')[0]}:{Path(s.split(':', 1)[1]).name}"
                                                             for s in local]
    assert published["shards"] == read_manifest(dataset)["shards"]


def test_plan_batches_shards_by_files_per_commit(dataset: Path) -> None:
    plan = plan_upload(dataset, limits=HubLimits(files_per_commit=1))
    assert [len(batch) for batch in plan.commits] == [1, 1, 3]  # no card yet: errors.parquet, index.parquet, vdata.json
    assert any("no README.md" in w for w in plan.warnings)


@pytest.mark.parametrize(("limits", "kind", "message"), [
    (HubLimits(max_file_bytes=1000), "errors", "the Hub takes at most"),
    (HubLimits(warn_file_bytes=1000), "warnings", "the Hub recommends files under"),
    (HubLimits(max_files_per_folder=1), "errors", "data/ would hold 2 files"),
    (HubLimits(max_files_per_repo=3), "errors", "files; the Hub allows 3 per repo"),
    (HubLimits(files_per_commit=1, commits_per_hour=2), "warnings", "rerun later and the push resumes"),
])
def test_plan_checks_the_hubs_limits_locally(dataset: Path, limits: HubLimits, kind: str, message: str) -> None:
    found = getattr(plan_upload(dataset, limits=limits), kind)
    assert any(message in m for m in found), found


def test_plan_refuses_stray_missing_and_resized_shards(dataset: Path) -> None:
    shutil.copyfile(dataset / SHARDS[0], dataset / "data" / "train-00000-of-00002.parquet")
    (dataset / SHARDS[0]).unlink()
    with (dataset / SHARDS[1]).open("ab") as f:
        f.write(b"x")
    errors = plan_upload(dataset).errors
    assert any("data/train-00000-of-00002.parquet is not in vdata.json" in e for e in errors)
    assert any(f"{SHARDS[0]} is in vdata.json but not on disk" in e for e in errors)
    assert any(f"{SHARDS[1]} has" in e and "rebuild it" in e for e in errors)


def test_limits_and_repo_ids_are_validated() -> None:
    with pytest.raises(ConfigError, match="files_per_commit must be >= 1, got 0"):
        HubLimits(files_per_commit=0)
    assert check_repo_id("alice/my_videos.v2") == "alice/my_videos.v2"
    for bad in ("my-videos", "alice/a--b", "alice/", "a/b/c", "alice/x.git", "-alice/x"):
        with pytest.raises(ConfigError, match="USER/NAME"):
            check_repo_id(bad)


# -- push with a recorded Hub ---------------------------------------------------------------------------------


def test_push_creates_the_repo_commits_the_plan_and_returns_the_url(dataset: Path, token: str, hub: Hub) -> None:
    report = push(dataset, "alice/tiny", private=True)
    assert report.url == "https://huggingface.co/datasets/alice/tiny"
    name, kw = hub.calls[0]
    assert name == "create_repo" and kw == {"repo_id": "alice/tiny", "token": token, "repo_type": "dataset",
                                            "private": True, "exist_ok": True}
    assert [_added(c) for c in hub.commits] == [SHARDS, LAST]
    assert all(c["repo_type"] == "dataset" and c["revision"] is None for c in hub.commits)
    assert [c["commit_message"] for c in hub.commits] == [
        "vdata push: 2 shard(s) (1/2)", "vdata push: card, manifest and errors (2/2)"]
    assert (report.commits, report.uploaded, report.skipped) == (2, SHARDS + LAST, [])
    card = dataset / "README.md"
    assert is_generated(card) and 'load_dataset("alice/tiny")' in card.read_text()


def test_push_to_a_branch_creates_it(dataset: Path, token: str, hub: Hub) -> None:
    report = push(dataset, "alice/tiny", revision="v1")
    assert ("create_branch", {"repo_id": "alice/tiny", "repo_type": "dataset", "branch": "v1", "exist_ok": True}) \
        in hub.calls
    assert all(c["revision"] == "v1" for c in hub.commits)
    assert report.url == "https://huggingface.co/datasets/alice/tiny/tree/v1"


def test_a_rerun_skips_files_already_there_and_deletes_stale_shards(dataset: Path, token: str, hub: Hub) -> None:
    push(dataset, "alice/tiny")  # writes the card the rerun compares
    manifest = read_manifest(dataset)
    test_shard = next(s for s in manifest["shards"] if s["path"] == SHARDS[0])
    card = (dataset / "README.md").read_bytes()
    hub.calls.clear()
    hub.remote = [
        _remote_lfs(SHARDS[0], test_shard["bytes"], test_shard["sha256"]),  # uploaded before the interruption
        _remote_lfs(SHARDS[1], 10, "f" * 64),  # same name, other content: uploaded again
        RepoFile(path="README.md", size=len(card), oid=git_blob_id(card)),
        _remote_lfs("data/train-00001-of-00002.parquet", 10, "e" * 64),  # from an earlier, bigger push
    ]
    report = push(dataset, "alice/tiny")
    assert [_added(c) for c in hub.commits] == [[SHARDS[1]], ["errors.parquet", "index.parquet", "vdata.json"]]
    deletes = [op.path_in_repo for op in hub.commits[-1]["operations"] if isinstance(op, CommitOperationDelete)]
    assert deletes == report.deleted == ["data/train-00001-of-00002.parquet"]
    assert report.skipped == [SHARDS[0], "README.md"]


def test_push_refuses_without_a_token(dataset: Path, hub: Hub, monkeypatch: pytest.MonkeyPatch,
                                      tmp_path: Path) -> None:
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-hf-home"))
    with pytest.raises(VdataError, match="set HF_TOKEN or run `hf auth login`"):
        push(dataset, "alice/tiny")
    assert hub.calls == []


def test_push_refuses_a_plan_with_errors_before_calling_the_hub(dataset: Path, token: str, hub: Hub) -> None:
    (dataset / "data" / "notes.parquet").write_bytes(b"x")
    with pytest.raises(VdataError, match=r"cannot go to the Hub: data/notes\.parquet is not in vdata\.json"):
        push(dataset, "alice/tiny")
    assert hub.calls == []


def test_a_hub_refusal_is_one_clear_error_that_says_to_rerun(dataset: Path, token: str, hub: Hub) -> None:
    hub.fail_commit = 2
    with pytest.raises(VdataError, match=r"refused to commit 2/2 for alice/tiny: 429 .* rerun to resume"):
        push(dataset, "alice/tiny")
    assert len(hub.commits) == 1


# -- CLI and the token -----------------------------------------------------------------------------------------


def test_dry_run_lists_files_and_card_and_calls_nothing(dataset: Path, token: str, hub: Hub) -> None:
    result = CliRunner().invoke(app, ["push", str(dataset), "--repo", "alice/tiny", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "config_name: default" in result.output and "path: data/train-*.parquet" in result.output
    assert "would upload 6 file(s)" in result.output and "in 2 commit(s)" in result.output
    for path in SHARDS + LAST:
        assert path in result.output
    assert hub.calls == [] and not (dataset / "README.md").exists()  # nothing written, nothing called


def test_dry_run_json_reports_problems_and_exits_1(dataset: Path, token: str, hub: Hub) -> None:
    (dataset / "data" / "stray.parquet").write_bytes(b"x")
    result = CliRunner().invoke(app, ["push", str(dataset), "--repo", "alice/tiny", "--dry-run", "--json"])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["url"] == "https://huggingface.co/datasets/alice/tiny"
    assert [f[1] for f in out["files"]] == SHARDS + LAST[:3]
    assert any("stray.parquet" in e for e in out["errors"]) and out["card"] == ""  # not rendered from bad files


def test_dry_run_without_a_token_warns(dataset: Path, hub: Hub, monkeypatch: pytest.MonkeyPatch,
                                       tmp_path: Path) -> None:
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-hf-home"))
    result = CliRunner().invoke(app, ["push", str(dataset), "--repo", "alice/tiny", "--dry-run", "--json"])
    assert result.exit_code == 0
    assert any("no Hugging Face token" in w for w in json.loads(result.stdout)["warnings"])


def test_the_token_appears_in_no_output_card_file_or_log(dataset: Path, token: str, hub: Hub,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    runner = CliRunner()
    caplog.set_level(logging.DEBUG)
    outputs = [runner.invoke(app, ["--debug", "push", str(dataset), "--repo", "alice/tiny", *extra])
               for extra in (["--dry-run"], ["--dry-run", "--json"], [], ["--json"])]
    assert all(r.exit_code == 0 for r in outputs), [r.output for r in outputs]
    assert "https://huggingface.co/datasets/alice/tiny" in outputs[2].output
    assert json.loads(outputs[3].stdout)["url"] == "https://huggingface.co/datasets/alice/tiny"
    hub.fail_commit = len(hub.commits) + 1  # the next commit is refused
    failed = runner.invoke(app, ["push", str(dataset), "--repo", "alice/tiny", "--revision", "x"])
    assert failed.exit_code == 1 and "rerun to resume" in failed.output
    texts = [r.output for r in [*outputs, failed]] + [caplog.text]
    texts += [p.read_text(errors="replace") for p in dataset.rglob("*") if p.is_file()]
    assert all(token not in t for t in texts)
    assert any(kw.get("token") == token for name, kw in hub.calls if name == "create_repo")  # it was used
