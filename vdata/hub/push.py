"""`vdata push`: upload a built dataset to the Hugging Face Hub in few commits, resumably.

The plan (`plan_upload`) is made and checked locally, so `--dry-run` needs no network: the shards in batches of
`HubLimits.files_per_commit` (sorted by name), then one last commit with `errors.parquet`, the metadata index
`index.parquet`, `vdata.json` and the card (`README.md`), which also deletes shards of an earlier push that this
one no longer has (the card's `data/{split}-*.parquet` globs would read them). A rerun after an interruption skips every file the branch already
holds with the same content (sha256 for LFS/Xet files, the git blob id for small ones), so it resumes where the
last finished commit stopped; the blobs of an unfinished commit are deduplicated by the Hub.

The token comes from `HF_TOKEN` or the local login (`hf auth login`); it is passed to `HfApi` only and never
printed, logged or written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vdata.errors import ConfigError, VdataError
from vdata.hub.card import CARD_NAME, is_generated, render_card
from vdata.shards import INDEX_NAME, MANIFEST_NAME, read_manifest

log = logging.getLogger(__name__)

ERRORS_NAME = "errors.parquet"
_SHARD_RE = re.compile(r"^(\w+(?:\.\w+)*)-\d{5}-of-\d{5}\.parquet$")
_REPO_RE = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")


@dataclass(frozen=True)
class HubLimits:
    """The Hub's limits, checked locally before any upload (https://huggingface.co/docs/hub/repositories-recommendations).

    `max_file_bytes`: the per-file hard limit; `warn_file_bytes`: the recommended size. `max_files_per_folder`
    and `max_files_per_repo`: entries per folder and files per repo. `files_per_commit`: the recommended commit
    size over HTTP. `commits_per_hour`: a conservative budget (the Hub's hourly commit quota is not published).
    """

    max_file_bytes: int = 50 * 10**9
    warn_file_bytes: int = 20 * 10**9
    max_files_per_folder: int = 10_000
    max_files_per_repo: int = 100_000
    files_per_commit: int = 100
    commits_per_hour: int = 100

    def __post_init__(self) -> None:
        for name in ("max_file_bytes", "warn_file_bytes", "max_files_per_folder", "max_files_per_repo",
                     "files_per_commit", "commits_per_hour"):
            if getattr(self, name) < 1:
                raise ConfigError(f"HubLimits.{name} must be >= 1, got {getattr(self, name)}")


@dataclass(frozen=True)
class UploadFile:
    """One file to upload: where it goes in the repo, where it is here, its size; `sha256` when already known;
    `content` when what goes up differs from the local file (the manifest without local paths)."""

    path_in_repo: str
    local: Path
    bytes: int
    sha256: str | None = None
    content: bytes | None = None

    def data(self) -> bytes:
        return self.content if self.content is not None else self.local.read_bytes()


@dataclass
class UploadPlan:
    """What a push uploads, commit by commit, and what the local checks found (`errors` block a push)."""

    commits: list[list[UploadFile]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def files(self) -> list[UploadFile]:
        return [f for batch in self.commits for f in batch]

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.files)


@dataclass
class PushReport:
    """What `push` did: the dataset's URL, commits made, files uploaded, skipped (already there) and deleted."""

    url: str
    commits: int = 0
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def check_repo_id(repo_id: str) -> str:
    """`repo_id` if it is `user/name` as the Hub spells names; `ConfigError` otherwise.

    >>> check_repo_id("alice/my-videos")
    'alice/my-videos'
    """
    if not _REPO_RE.match(repo_id) or "--" in repo_id or ".." in repo_id or repo_id.endswith((".git", ".")):
        raise ConfigError(f"--repo {repo_id!r}: expected USER/NAME (letters, digits, -, _ and .; no -- or ..)")
    return repo_id


def dataset_url(repo_id: str, revision: str | None = None) -> str:
    """The dataset's page on the Hub (the branch's tree when `revision` is not main)."""
    url = f"https://huggingface.co/datasets/{repo_id}"
    return f"{url}/tree/{revision}" if revision and revision != "main" else url


def token_source() -> str | None:
    """Where a push would take its token from: `HF_TOKEN`, `local login`, or None when there is none."""
    if os.environ.get("HF_TOKEN"):
        return "HF_TOKEN"
    _require_hub()
    from huggingface_hub import get_token

    return "local login" if get_token() else None


def card_for_push(root: str | Path, repo_id: str, license: str | None = None, write: bool = True) -> tuple[str, bool]:
    """The card a push uploads and whether vdata (re)generated it.

    A missing card, or one vdata made and nobody edited since, is rendered for `repo_id` (and written when
    `write`); an edited `README.md` is uploaded as it is.
    """
    path = Path(root) / CARD_NAME
    if path.exists() and not is_generated(path):
        return path.read_text(encoding="utf-8"), False
    text = render_card(root, repo_id, license)
    if write:
        path.write_text(text, encoding="utf-8")
    return text, True


def plan_upload(root: str | Path, card_text: str | None = None, limits: HubLimits = HubLimits()) -> UploadPlan:
    """The commits that upload `root` and the problems the Hub's limits would raise, found without network.

    Checks: every shard named in `vdata.json` is on disk with its recorded size and no other file is in `data/`;
    shard names are `{split}-NNNNN-of-NNNNN.parquet` with a split name `datasets` accepts; file sizes; files
    per folder and per repo; commits against the hourly budget (a warning). `card_text` is the card that will be
    uploaded (its size is planned; the file on disk is used when None).
    """
    root = Path(root)
    manifest = read_manifest(root)
    plan = UploadPlan()
    listed = {s["path"]: s for s in manifest.get("shards", [])}
    on_disk = sorted((root / "data").glob("*")) if (root / "data").is_dir() else []
    shards: list[UploadFile] = []
    for path in on_disk:
        rel = f"data/{path.name}"
        info = listed.get(rel)
        if info is None:
            plan.errors.append(f"{rel} is not in {MANIFEST_NAME}: a stray file (the card's globs would read it)")
            continue
        size = path.stat().st_size
        if size != info.get("bytes"):
            plan.errors.append(f"{rel} has {size} bytes, {MANIFEST_NAME} says {info.get('bytes')}: rebuild it")
            continue
        if not _SHARD_RE.match(path.name):
            plan.errors.append(f"{rel}: not a {{split}}-NNNNN-of-NNNNN.parquet name with a valid split")
        shards.append(UploadFile(rel, path, size, info.get("sha256")))
    plan.errors += [f"{rel} is in {MANIFEST_NAME} but not on disk" for rel in sorted(set(listed) - {
        f"data/{p.name}" for p in on_disk})]
    if not shards:
        plan.errors.append(f"{root}: no shards under data/ to upload")
    last = [UploadFile(ERRORS_NAME, root / ERRORS_NAME, (root / ERRORS_NAME).stat().st_size)] if (
        root / ERRORS_NAME).exists() else []
    if (root / INDEX_NAME).exists():  # the metadata index: `vdata query`/`info` read it (not a `datasets` file)
        last.append(UploadFile(INDEX_NAME, root / INDEX_NAME, (root / INDEX_NAME).stat().st_size))
    if (root / MANIFEST_NAME).exists():
        public = public_manifest(root)
        last.append(UploadFile(MANIFEST_NAME, root / MANIFEST_NAME, len(public), content=public))
    if card_text is not None:
        last.append(UploadFile(CARD_NAME, root / CARD_NAME, len(card_text.encode("utf-8"))))
    elif (root / CARD_NAME).exists():
        last.append(UploadFile(CARD_NAME, root / CARD_NAME, (root / CARD_NAME).stat().st_size))
    else:
        plan.warnings.append(f"no {CARD_NAME}: run `vdata card {root}` (a push writes one)")
    step = limits.files_per_commit
    plan.commits = [shards[i : i + step] for i in range(0, len(shards), step)] + [last]
    _check_limits(plan, limits)
    return plan


def _check_limits(plan: UploadPlan, limits: HubLimits) -> None:
    files = plan.files
    for f in files:
        if f.bytes > limits.max_file_bytes:
            plan.errors.append(f"{f.path_in_repo} is {f.bytes / 1e9:.1f} GB; the Hub takes at most "
                               f"{limits.max_file_bytes / 1e9:.0f} GB per file: rebuild with a smaller --shard-size")
        elif f.bytes > limits.warn_file_bytes:
            plan.warnings.append(f"{f.path_in_repo} is {f.bytes / 1e9:.1f} GB; the Hub recommends files under "
                                 f"{limits.warn_file_bytes / 1e9:.0f} GB")
    for folder, n in Counter(str(Path(f.path_in_repo).parent) for f in files).items():
        if n > limits.max_files_per_folder:
            plan.errors.append(f"{folder}/ would hold {n} files; the Hub allows {limits.max_files_per_folder} per "
                               "folder: rebuild with a larger --shard-size")
    if len(files) > limits.max_files_per_repo:
        plan.errors.append(f"{len(files)} files; the Hub allows {limits.max_files_per_repo} per repo")
    if len(plan.commits) > limits.commits_per_hour:
        plan.warnings.append(f"{len(plan.commits)} commits; the Hub limits commits per hour (budget here: "
                             f"{limits.commits_per_hour}): if it refuses one, rerun later and the push resumes")


def dry_run(
    root: str | Path, repo_id: str, license: str | None = None, limits: HubLimits = HubLimits()
) -> tuple[UploadPlan, str]:
    """What `push` would upload and the card it would upload, checked locally: no network, nothing written.

    A missing token is a warning here (the push itself refuses to start without one). When the plan has errors
    the card is not rendered (its counts would read the broken files) and comes back empty.
    """
    check_repo_id(repo_id)
    plan = plan_upload(root, None, limits)
    card_text = ""
    if not plan.errors:
        card_text, _ = card_for_push(root, repo_id, license, write=False)
        plan = plan_upload(root, card_text, limits)
    if token_source() is None:
        plan.warnings.append("no Hugging Face token: set HF_TOKEN or run `hf auth login` before pushing")
    return plan, card_text


def push(
    root: str | Path, repo_id: str, *, private: bool = False, revision: str | None = None,
    license: str | None = None, limits: HubLimits = HubLimits(),
) -> PushReport:
    """Upload the dataset at `root` to the dataset repo `repo_id` (created if missing, `private` then; an
    existing repo keeps its visibility) on branch `revision` (created from main if missing; None = main).

    Writes the card first (see `card_for_push`), refuses when `plan_upload` finds errors, then commits the plan,
    skipping files already on the branch. Rerun the same call to resume. Hub errors become `VdataError`.
    """
    _require_hub()
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi
    from huggingface_hub.errors import HfHubHTTPError

    check_repo_id(repo_id)
    token = os.environ.get("HF_TOKEN") or _login_token()  # never printed, logged or written
    if not token:
        raise VdataError("no Hugging Face token: set HF_TOKEN or run `hf auth login`")
    plan = plan_upload(root, None, limits)  # the files are checked before the card's counts read them
    if not plan.errors:
        plan = plan_upload(root, card_for_push(root, repo_id, license)[0], limits)
    if plan.errors:
        raise VdataError(f"{root} cannot go to the Hub: " + "; ".join(plan.errors))
    api = HfApi(token=token)
    report = PushReport(dataset_url(repo_id, revision))
    step = "create the repo"
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        if revision and revision != "main":
            step = f"create branch {revision}"
            api.create_branch(repo_id, repo_type="dataset", branch=revision, exist_ok=True)
        step = "list the repo's files"
        remote = _remote_files(api, repo_id, revision)
        planned = {f.path_in_repo for f in plan.files}
        stale = sorted(p for p in remote if p.startswith("data/") and p.endswith(".parquet") and p not in planned)
        for i, batch in enumerate(plan.commits, 1):
            todo = [f for f in batch if not _same(f, remote.get(f.path_in_repo))]
            report.skipped += [f.path_in_repo for f in batch if f not in todo]
            deletes = stale if i == len(plan.commits) else []
            if not todo and not deletes:
                continue
            step = f"commit {i}/{len(plan.commits)}"
            ops: list[Any] = [CommitOperationAdd(f.path_in_repo, f.content if f.content is not None else str(f.local))
                              for f in todo]
            ops += [CommitOperationDelete(p) for p in deletes]
            what = "card, manifest and errors" if i == len(plan.commits) else f"{len(todo)} shard(s)"
            api.create_commit(repo_id, ops, commit_message=f"vdata push: {what} ({i}/{len(plan.commits)})",
                              repo_type="dataset", revision=revision)
            log.info("pushed commit %d/%d: %d file(s)", i, len(plan.commits), len(todo))
            report.commits += 1
            report.uploaded += [f.path_in_repo for f in todo]
            report.deleted += deletes
    except (HfHubHTTPError, OSError) as e:
        raise VdataError(f"the Hub refused to {step} for {repo_id}: {e}; rerun to resume") from None
    return report


def _require_hub() -> None:
    """A `VdataError` naming the extra when huggingface_hub is not installed."""
    try:
        import huggingface_hub  # noqa: F401
    except ImportError:
        raise VdataError("pushing needs huggingface_hub: pip install 'vdata[hub]'") from None


def _login_token() -> str | None:
    from huggingface_hub import get_token

    return get_token()


def _remote_files(api: Any, repo_id: str, revision: str | None) -> dict[str, Any]:
    """path -> `RepoFile` of every file on the branch (empty for a new repo)."""
    from huggingface_hub.errors import EntryNotFoundError, RevisionNotFoundError

    try:
        entries = api.list_repo_tree(repo_id, repo_type="dataset", revision=revision, recursive=True)
        return {e.path: e for e in entries if hasattr(e, "blob_id")}
    except (EntryNotFoundError, RevisionNotFoundError):
        return {}


def _same(local: UploadFile, remote: Any) -> bool:
    """True when the remote file has the local file's content (sha256 for LFS/Xet files, git blob id else)."""
    if remote is None or remote.size != local.bytes:
        return False
    if getattr(remote, "lfs", None) is not None:
        return remote.lfs.sha256 == (local.sha256 or _sha256(local.local))
    return remote.blob_id == git_blob_id(local.data())


def public_manifest(root: Path) -> bytes:
    """`vdata.json` as published: each source's local path cut to its last part (`nextqa:/home/me/data/nextqa`
    -> `nextqa:nextqa`), so a push does not reveal the uploader's file system."""
    manifest = read_manifest(root)
    fingerprint = manifest.get("build", {}).get("fingerprint", {})
    if "sources" in fingerprint:
        fingerprint["sources"] = [_public_source(s) for s in fingerprint["sources"]]
    return (json.dumps(manifest, indent=2) + "\n").encode("utf-8")


def _public_source(spec: str) -> str:
    name, sep, path = spec.partition(":")
    return f"{name}:{Path(path).name}" if sep else spec


def git_blob_id(data: bytes) -> str:
    """The git object id of a file's bytes (how the Hub names small, non-LFS files).

    >>> git_blob_id(b"hello\\n")
    'ce013625030ba8dba906f756967f9e9ca394464a'
    """
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _sha256(path: Path) -> str:
    from vdata.shards.manifest import file_sha256

    return file_sha256(path)
