"""Where corpora and datasets live: a local path, a `file://` URL, or any fsspec URL (`s3://`, `gs://`, ...).

Local paths (and `file://` URLs, which are turned into them) go through `pathlib` as they always did; only a
URL with another scheme touches fsspec (`pip install 'vdata[s3]'` or `'vdata[gcs]'`; `vdata[cloud]` plus the
store's fsspec package for others). Credentials and endpoints come from the store's own environment (`AWS_*`
variables such as `AWS_ENDPOINT_URL` for MinIO, `GOOGLE_APPLICATION_CREDENTIALS`, fsspec's config), on the
driver and on every worker.

- `vdata build --source FORMAT:URL`: builders see the corpus as a `upath.UPath` (pathlib's API over fsspec),
  so annotation files are read and videos listed as on disk; `Item.video` is then a `UPath`. Each worker
  downloads the item's video into a temporary file (`local_copy`), decodes it there and deletes it: the OpenCV
  decoder takes only paths, and the probe, the scene scan and the decode each read the file again (over the
  network, each seek would be a request). A video shared by several items is downloaded once per item.
- `vdata build --out URL`: `vdata.shards.remote.RemoteShardWriter` writes each part in a local staging folder
  and uploads it as it is committed, the manifest last; the journal at the URL is what a resume trusts.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from vdata.errors import ConfigError, ItemError, VdataError

#: Seconds an object store call may wait to connect or for a reply, and the tries it gets: a frozen endpoint
#: costs about `STORE_TIMEOUT_S * STORE_TRIES` seconds, then one clear error, never a hang.
STORE_TIMEOUT_S = 30.0
STORE_TRIES = 4


def is_url(location: str | Path) -> bool:
    """True for a URL that fsspec must reach (any scheme but a local `file://`); False for local paths.

    >>> is_url("s3://bucket/corpus"), is_url("file:///data/corpus"), is_url("corpus/videos")
    (True, False, False)
    """
    if isinstance(location, Path) or "://" not in location:
        return False
    parts = urlsplit(location)
    return not (parts.scheme == "file" and parts.netloc in ("", "localhost"))


def local_path(url: str | Path) -> Path:
    """The local path that `url` names: a plain path as is, or a `file://` URL's path (host empty or localhost).

    Any other URL raises `ConfigError` (for the commands that read local datasets only).

    >>> local_path("file:///data/corpus")
    PosixPath('/data/corpus')
    >>> local_path("corpus/videos")
    PosixPath('corpus/videos')
    """
    if is_url(url):
        raise ConfigError(f"{url}: this needs a local path or a file:// URL")
    if isinstance(url, Path) or "://" not in url:
        return Path(url)
    return Path(unquote(urlsplit(url).path))


def filesystem(url: str) -> tuple[Any, str]:
    """`(fsspec filesystem, path inside it)` for `url`, its calls bounded in time and tries (`STORE_TIMEOUT_S`,
    `STORE_TRIES`; S3); `ConfigError` when fsspec or the scheme's package
    (s3fs, gcsfs, ...) is missing or the scheme is unknown."""
    try:
        import fsspec
    except ImportError:
        raise ConfigError(f"{url}: URLs need fsspec: pip install 'vdata[s3]' (or vdata[gcs])") from None
    options: dict[str, Any] = {}
    if urlsplit(url).scheme in ("s3", "s3a"):
        options = {"config_kwargs": {
            "connect_timeout": STORE_TIMEOUT_S, "read_timeout": STORE_TIMEOUT_S,
            "retries": {"total_max_attempts": 1, "mode": "standard"}}}
    try:
        fs, path = fsspec.core.url_to_fs(url, **options)
    except ImportError as e:
        raise ConfigError(f"{url}: {e} (pip install 'vdata[s3]' or 'vdata[gcs]')") from None
    except ValueError as e:
        raise ConfigError(f"{url}: {e}") from None
    if options:
        fs.retries = STORE_TRIES  # s3fs's own retry loop around each call, on top of botocore's
    return fs, path


def corpus_path(url: str | Path) -> Any:
    """A builder's corpus path: a `Path` for a local path or `file://` URL, else a `upath.UPath`."""
    if not is_url(url):
        return local_path(url)
    filesystem(str(url))  # a clear error when the scheme's package is missing
    try:
        from upath import UPath
    except ImportError:
        raise ConfigError(f"{url}: corpora at URLs need universal-pathlib: pip install 'vdata[cloud]'") from None
    return UPath(str(url).rstrip("/"))


@contextmanager
def local_copy(video: Any) -> Iterator[Path]:
    """A local path holding `video`: a `Path` as is; a `UPath` downloaded into a temporary file that is deleted
    on exit. A remote file that does not exist raises `ItemError(video_missing)`."""
    if isinstance(video, Path):
        yield video
        return
    scratch = Path(tempfile.mkdtemp(prefix="vdata-video-"))
    try:
        local = scratch / f"video{video.suffix}"
        try:
            video.fs.get_file(video.path, str(local))
        except FileNotFoundError:
            raise ItemError("video_missing", "video file not found", str(video)) from None
        except Exception as e:  # each store's client raises its own kinds for a network failure
            raise ItemError("store_unreachable", f"could not download: {one_line(e)}", str(video)) from None
        yield local
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def store_errors(url: str) -> Iterator[None]:
    """Turn a failure of the object store at `url` (no such bucket, refused credentials, unreachable after
    every try) into one `VdataError` line instead of the client library's traceback."""
    try:
        yield
    except VdataError:
        raise
    except FileNotFoundError as e:
        raise VdataError(f"{url}: not found in the object store (does the bucket exist?): {one_line(e)}") from None
    except PermissionError as e:
        raise VdataError(f"{url}: access denied by the object store (check the credentials): {one_line(e)}") \
            from None
    except Exception as e:
        if type(e).__module__.split(".")[0] not in ("botocore", "aiobotocore", "s3fs", "gcsfs", "aiohttp",
                                                    "google", "fsspec") and not isinstance(e, OSError):
            raise
        raise VdataError(f"{url}: the object store failed ({one_line(e)})") from None


def one_line(error: BaseException) -> str:
    """`Type: first line of the message`."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
