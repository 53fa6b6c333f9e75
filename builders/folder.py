"""`folder:PATH` — a folder of videos, one unlabeled `caption` sample per video."""

from __future__ import annotations

from collections.abc import Iterator

from vdata.builders.base import BadRow, Builder, Item, register

#: File extensions treated as videos (lower case).
VIDEO_EXTENSIONS = frozenset({".mp4", ".mkv", ".webm", ".avi", ".mov", ".m4v", ".mpg", ".mpeg", ".ts", ".flv"})


@register("folder")
class Folder(Builder):
    """A folder of videos, searched recursively; one `caption`-task sample (no labels) per video.

    Layout: `PATH/**/*.{mp4,mkv,webm,avi,mov,m4v,mpg,mpeg,ts,flv}`. `video_id` is the path relative to PATH
    without its extension (`a/b.mp4` -> `a/b`); files are taken in sorted path order.
    """

    def items(self) -> Iterator[Item | BadRow]:
        for video in sorted(p for p in self.root.rglob("*") if p.suffix.lower() in VIDEO_EXTENSIONS):
            if not video.is_file():
                continue
            rel = video.relative_to(self.root).as_posix()
            yield Item(
                source=self.name,
                key=rel,
                video=video,
                video_rel=rel,
                video_id=rel.rsplit(".", 1)[0],
                task="caption",
                split=self.split,
            )
