"""User-facing errors. The CLI turns a `VdataError` into one clear line and exit code 1."""

from __future__ import annotations


class VdataError(Exception):
    """Base of every error vdata reports to a user."""


class ConfigError(VdataError):
    """A bad option or argument, found at start-up."""


class SchemaError(VdataError):
    """A table or row does not match the sample schema."""


class ItemError(VdataError):
    """One item (video or annotation row) cannot be built; the build records it and goes on.

    `code` is one of `ERROR_CODES`; `source_file` names the file at fault.
    """

    def __init__(self, code: str, message: str, source_file: str = "") -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown error code {code!r}; known: {', '.join(ERROR_CODES)}")
        super().__init__(f"{source_file}: {message}" if source_file else message)
        self.code = code
        self.message = message
        self.source_file = source_file


#: The fixed taxonomy of per-item failures written to `errors.parquet`.
ERROR_CODES: dict[str, str] = {
    "video_missing": "the annotation names a video file that does not exist",
    "video_empty": "the video file has zero bytes",
    "video_not_a_file": "the video path is not a regular file (a directory, a FIFO or a device)",
    "video_unreadable": "the file is not a video the decoder can open (no video stream, bad container)",
    "video_truncated": "the video ends early or its packets are corrupt",
    "decode_failed": "the decoder failed on a frame that was asked for",
    "decode_timeout": "decoding took longer than the per-item time limit",
    "frame_mismatch": "a decoded frame is more than half a frame away from the requested time",
    "bad_annotation": "an annotation row is malformed (missing field, wrong type, unknown option)",
    "bad_span": "a time span is invalid (end < start, or entirely outside the video)",
    "bad_box": "a box is invalid (x2 <= x1, y2 <= y1, or entirely outside the frame)",
    "not_a_video": "the annotation row is about an image, not a video (skipped by design, counted)",
    "duplicate_id": "the annotation row has the id of an earlier row of the corpus (the earlier row is kept)",
    "internal": "an unexpected error inside vdata (please report it)",
    "worker_lost": "the worker running the item died or its node was lost (infrastructure; retried by a re-run)",
    "store_unreachable": "the object store holding the video could not be reached (infrastructure; retried by a "
    "re-run)",
}

#: Failures of the infrastructure, not of the input: never saved as error rows; the build stops unfinished
#: (exit 1) and the same command retries those items.
RETRYABLE_CODES: frozenset[str] = frozenset({"worker_lost", "store_unreachable"})
