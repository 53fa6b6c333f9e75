"""Subtitles: SubRip / WebVTT / LongVideoBench JSON cues as real files come, and the `subtitles` column of a build
(cues in video seconds, within the clip window, clipped to it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vdata.errors import ItemError
from vdata.video.subtitles import parse, parse_json, read, window

SRT = (
    "\ufeff1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Hello</i> <font color=\"#ffff00\">there</font>\r\n"
    "second line\r\n\r\n2\r\n00:00:03.250 --> 00:00:04,000\r\n{\\an8}Tom &amp; Jerry\r\n\r\n"
    "3\r\n01:00:00,000 --> 01:00:01,000\r\n<b></b>\r\n"
)
VTT = (
    "WEBVTT - a title\n\nNOTE a comment\nspanning lines\n\nSTYLE\n::cue { color: red }\n\n"
    "intro\n00:01.500 --> 00:03.000 align:start position:10%\n<v Roger>Hi <c.yellow>you</c>\n\n"
    "00:00:04.000 --> 00:00:05.000\nkaraoke <00:00:04.500>words\n"
)


def test_srt_quirks_bom_crlf_comma_and_dot_millis_tags_entities_multi_line() -> None:
    assert parse(SRT, "a.srt") == [(1.0, 2.5, "Hello there\nsecond line"), (3.25, 4.0, "Tom & Jerry")]


def test_vtt_header_notes_styles_cue_ids_settings_hourless_times_voice_and_inline_times() -> None:
    assert parse(VTT, "a.vtt") == [(1.5, 3.0, "Hi you"), (4.0, 5.0, "karaoke words")]


def test_a_file_without_any_cue_and_an_unreadable_timing_are_errors_naming_the_file() -> None:
    with pytest.raises(ItemError, match=r"x\.srt: no subtitle cue"):
        parse("just some text\n", "x.srt")
    with pytest.raises(ItemError, match=r"y\.srt: unreadable cue timing"):
        parse("1\n00:00:01 --> 00:00:02\nhi\n", "y.srt")


def test_latin1_file_and_longvideobench_json_with_offset(tmp_path: Path) -> None:
    latin = tmp_path / "a.srt"
    latin.write_bytes("1\n00:00:01,000 --> 00:00:02,000\ncaf\xe9\n".encode("latin-1"))
    assert read(latin) == [(1.0, 2.0, "café")]
    cues = parse_json([{"start": "00:01:00.000", "end": "00:01:02.5", "line": "a"},
                       {"timestamp": [64.0, None], "text": "b"}])
    assert window(cues, 0.0, 10.0, offset_s=58.0) == [
        {"start_s": 2.0, "end_s": 4.5, "text": "a"}, {"start_s": 6.0, "end_s": 10.0, "text": "b"}]


def test_window_keeps_overlapping_cues_clipped_to_the_clip() -> None:
    cues = [(0.0, 1.0, "before"), (1.0, 2.5, "starts before"), (2.0, 3.0, "inside"), (3.5, 5.0, "runs past"),
            (5.0, 6.0, "after")]
    assert window(cues, 1.5, 4.0) == [
        {"start_s": 1.5, "end_s": 2.5, "text": "starts before"},
        {"start_s": 2.0, "end_s": 3.0, "text": "inside"},
        {"start_s": 3.5, "end_s": 4.0, "text": "runs past"},
    ]


def test_a_build_fills_subtitles_from_the_srt_beside_the_video(tmp_path: Path, scene_video: Path) -> None:
    import shutil

    from vdata.build import build
    from vdata.options import BuildOptions
    from vdata.shards import read_table

    corpus = tmp_path / "c"
    corpus.mkdir()
    shutil.copyfile(scene_video, corpus / "v.mp4")
    (corpus / "v.srt").write_text(SRT, encoding="utf-8")
    shutil.copyfile(scene_video, corpus / "bare.mp4")
    samples = [{"id": "clip", "video": "v.mp4", "task": "caption", "clip_start_s": 2.0, "clip_end_s": 3.5},
               {"id": "whole", "video": "v.mp4", "task": "caption"},
               {"id": "none", "video": "bare.mp4", "task": "caption"}]
    (corpus / "s.jsonl").write_text("".join(json.dumps(s) + "\n" for s in samples))
    build([f"jsonl:{corpus / 's.jsonl'}"], tmp_path / "out", BuildOptions(frames="uniform:2", workers=0))
    rows = read_table(tmp_path / "out").to_pylist()
    by_video = sorted((r["video"], r["clip_start_s"], r["subtitles"]) for r in rows)
    assert by_video[0] == ("bare.mp4", 0.0, None)
    assert by_video[1] == ("v.mp4", 0.0, [{"start_s": 1.0, "end_s": 2.5, "text": "Hello there\nsecond line"},
                                          {"start_s": 3.25, "end_s": 4.0, "text": "Tom & Jerry"}])
    assert by_video[2] == ("v.mp4", 2.0, [{"start_s": 2.0, "end_s": 2.5, "text": "Hello there\nsecond line"},
                                          {"start_s": 3.25, "end_s": 3.5, "text": "Tom & Jerry"}])
