"""Where corpora and datasets live: a `--source` path or `--out` folder is a local path or a `file://` URL.

A cluster reads and writes shared storage through the same paths on every node: a network file system, or an
object store mounted on each node (`mount-s3`, `gcsfuse`, `s3fs`). Native `s3://` / `gs://` URLs are not built
yet; the design (README, "Running on a cluster"): the driver stages the dataset in a local folder (the shard
writer's journal stays local, so resume works) and copies it up with fsspec at the end, manifest last; workers
open remote videos through fsspec into a local scratch file.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from vdata.errors import ConfigError


def local_path(url: str | Path) -> Path:
    """The local path that `url` names: a plain path as is, or a `file://` URL's path (host empty or localhost).

    Any other scheme raises `ConfigError`, which says how to reach that storage today.

    >>> local_path("file:///data/corpus")
    PosixPath('/data/corpus')
    >>> local_path("corpus/videos")
    PosixPath('corpus/videos')
    """
    if isinstance(url, Path) or "://" not in url:
        return Path(url)
    parts = urlsplit(url)
    if parts.scheme == "file" and parts.netloc in ("", "localhost"):
        return Path(unquote(parts.path))
    raise ConfigError(
        f"{url}: only local paths and file:// URLs are supported; mount the bucket on every node (mount-s3, "
        "gcsfuse, s3fs) and pass the mounted path"
    )
