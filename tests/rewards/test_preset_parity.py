"""Paper presets (issue 13): the papers' regexes give the same values in bounded time, and Video-R1's free-form
ROUGE equals rouge_score's (tokenizer + Porter stemmer) whether or not rouge_score is installed. Their fast paths
(issue 18) give what the general path gives."""

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vdata import rewards
from vdata.rewards.presets import fast, time_r1, video_r1, vlm_r1
from vdata.tasks.boxes import read_gold_boxes
from vdata.tasks.spans import read_gold_spans

# The papers' own regexes, as written in their code.
VIDEO_R1_ANSWER = re.compile(r"<answer>\s*(.*?)\s*</answer>", re.DOTALL)  # Video-R1 grpo.py extract_answer
TIME_R1_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)  # Time-R1 parse_timestamp_output
TIME_R1_PAIR = re.compile(r"(\d+\.?\d*) (to|and) (\d+\.?\d*)", re.IGNORECASE)
VLM_R1_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)  # VLM-R1 iou_reward
VLM_R1_BOX = re.compile(r"\[(\d+),\s*(\d+),\s*(\d+),\s*(\d+)]")

pieces = st.sampled_from(
    [
        "<answer>",
        "</answer>",
        "<answer",
        "answer>",
        " ",
        "\n",
        "\t",
        "1",
        "12",
        ".",
        "5",
        " to ",
        " and ",
        " TO ",
        "x",
        "[",
        "]",
        ",",
        ", ",
        "3",
        "1.5",
        "<",
        "/",
        "\u2003",
    ]
)
texts = st.lists(pieces, max_size=30).map("".join)


def paper_video_r1(text):
    m = VIDEO_R1_ANSWER.search(text)
    return m.group(1).strip() if m else ""


def paper_time_r1(text):
    blocks = TIME_R1_ANSWER.findall(text)
    if not blocks:
        return None
    pairs = TIME_R1_PAIR.findall(blocks[-1])
    return (float(pairs[-1][0]), float(pairs[-1][2])) if pairs else None


def paper_vlm_r1(text):
    m = VLM_R1_ANSWER.search(text)
    box = VLM_R1_BOX.search(m.group(1)) if m else None
    return tuple(float(g) for g in box.groups()) if box else None


@settings(max_examples=2000, deadline=None)
@given(texts)
def test_linear_extraction_equals_the_paper_regexes(text):
    assert video_r1._extract(text) == paper_video_r1(text)
    assert time_r1.answer_blocks(text) == TIME_R1_ANSWER.findall(text)
    assert time_r1.parse_time_r1(text) == paper_time_r1(text)
    blocks = time_r1.answer_blocks(text)
    assert time_r1.first_answer_block(text) == (blocks[0] if blocks else None)
    assert time_r1.last_answer_block(text) == (blocks[-1] if blocks else None)
    mine = VLM_R1_BOX.search(blocks[0]) if blocks else None
    assert (tuple(float(g) for g in mine.groups()) if mine else None) == paper_vlm_r1(text)


TG = {"task": "temporal_grounding", "spans": [{"start_s": 1.0, "end_s": 2.0}], "duration_s": 10.0}
SG = {
    "task": "spatial_grounding",
    "boxes": [{"x1": 1.0, "y1": 1.0, "x2": 5.0, "y2": 5.0}],
    "width": 10,
    "height": 10,
}
FF = {"task": "free_form", "answer": "a man runs"}
HOSTILE = [
    "<answer>" * 50_000,
    "<answer>" + "1" * 100_000 + "</answer>",
    "<answer>" + "1 " * 50_000 + "</answer>",
    "<answer>[" + "1" * 100_000 + "</answer>",
    ("<answer>" + "9" * 30) * 5_000,
]


@pytest.mark.parametrize(
    ("name", "sample"),
    [("video-r1/accuracy", FF), ("time-r1/iou", TG), ("time-r1/iou_weighted", TG), ("vlm-r1/iou", SG)],
)
def test_hostile_answer_blocks_take_bounded_time(name, sample):
    """Under 50 ms each (the issue's bound; the papers' regexes take 14-109 s on `'<answer>' * 50_000`): the
    best of 3 calls, so a first call's imports or a busy machine do not count (about 7 ms at most on 2 cores)."""
    fn = rewards.get(name)
    for text in HOSTILE:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            value = fn(text, sample)
            times.append(time.perf_counter() - start)
            assert value is not None and 0.0 <= value <= 1.0
        assert min(times) < 0.05, f"{name} took {min(times) * 1000:.0f} ms on {text[:20]!r}... ({len(text)} chars)"


@pytest.mark.parametrize(
    ("name", "sample", "text"),
    [
        ("time-r1/iou", TG, "<answer>" + "9" * 400 + " to " + "9" * 400 + "</answer>"),
        ("time-r1/iou_weighted", TG, "<answer>" + "9" * 400 + " to " + "9" * 400 + "</answer>"),
        ("vlm-r1/iou", SG, "<answer>[" + ", ".join(["9" * 400] * 4) + "]</answer>"),
        ("video-r1/accuracy", {"task": "regression", "answer": "3"}, "<answer>nan</answer>"),
        ("video-r1/accuracy", {"task": "regression", "answer": "3"}, "<answer>inf</answer>"),
    ],
)
def test_numbers_beyond_float_range_score_zero_in_presets(name, sample, text):
    assert rewards.get(name)(text, sample) == 0.0


# ---------------------------------------------------------------------------------------------------- ROUGE
words = st.sampled_from(
    [
        "a",
        "man",
        "runs",
        "running",
        "is",
        "ran",
        "generously",
        "caresses",
        "ponies",
        "relational",
        "hopping",
        "cats",
        "The",
        "CAT'S",
        "dogs,",
        "猫が走る",
        "Ünïcödé",
        "İstanbul",
        "42",
        "3.5",
        "x_y",
        "--",
        "agreed",
        "feudalism",
        "sky",
        "dying",
        "lying",
        "news",
        "bus",
        "ties",
        "conditional",
        "ize",
        "alli",
        "é",
    ]
)
sentences = st.lists(words, max_size=12).map(" ".join)


def _paper_rouge_mean(reference, prediction):
    from rouge_score import rouge_scorer  # what Video-R1 calls

    scores = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True).score(
        reference, prediction
    )
    return (scores["rouge1"].fmeasure + scores["rouge2"].fmeasure + scores["rougeL"].fmeasure) / 3


@settings(max_examples=400, deadline=None)
@given(sentences, sentences)
def test_free_form_rouge_equals_rouge_score_with_stemmer(reference, prediction):
    pytest.importorskip("rouge_score")
    assert video_r1._rouge_mean(reference, prediction) == pytest.approx(
        _paper_rouge_mean(reference, prediction)
    )


@pytest.mark.parametrize(
    ("gold", "answer", "expected"),
    [
        ("a man runs", "a man is running", 0.7047619047619048),
        ("猫が走る", "猫が走る", 0.0),
        ("dog", "dog", 2 / 3),
    ],
)
def test_free_form_values_of_video_r1_without_rouge_score(monkeypatch, gold, answer, expected):
    import sys

    monkeypatch.setitem(sys.modules, "rouge_score", None)  # not installed: `import rouge_score` fails
    fn = rewards.get("video-r1/accuracy")
    assert fn(f"<answer>{answer}</answer>", {"task": "free_form", "answer": gold}) == pytest.approx(expected)


# ---------------------------------------------------------------------------------------------------- upstream parity
def test_presets_judge_the_whole_completion_like_the_papers():
    long_tail = (
        "<think>x</think><answer>B</answer>" + "x" * 300_000
    )  # the first answer block is > 200k from the end
    assert rewards.get("video-r1/accuracy")(long_tail, {"task": "multiple_choice", "answer": "B"}) == 1.0
    assert paper_video_r1(long_tail) == "B"
    start = time.perf_counter()
    huge = "<answer>1 to 2</answer>" + "<answer>" * 1_000_000
    assert rewards.get("time-r1/iou")(huge, TG) == 1.0
    assert time.perf_counter() - start < 1.0


def test_vlm_r1_resized_boxes_are_scaled_not_clamped_like_resize_bbox():
    # VLM-R1's resize_bbox scales the box from the model's input size to the image size, without clamping.
    sample = dict(
        SG,
        boxes=[{"x1": 0.0, "y1": 0.0, "x2": 100.0, "y2": 100.0}],
        width=100,
        height=100,
        frame_width=50,
        frame_height=50,
    )
    value = rewards.get("vlm-r1/iou", coord_space="resized")("<answer>[0, 0, 60, 60]</answer>", sample)
    scaled = (0.0, 0.0, 120.0, 120.0)  # 60 * 100 / 50
    assert value == pytest.approx(vlm_r1.vlm_r1_iou(scaled, (0.0, 0.0, 100.0, 100.0)))
    assert value == pytest.approx(10_000 / 14_400)


# ---------------------------------------------------------------------------------------------------- fast paths
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5), st.sampled_from([None, "1.5", True, 1e308])
)
span_items = st.one_of(
    st.fixed_dictionaries({"start_s": numbers, "end_s": numbers}),
    st.lists(numbers, min_size=2, max_size=2),
    st.just("x"),
)
box_items = st.one_of(
    st.fixed_dictionaries(
        {k: numbers for k in ("x1", "y1", "x2", "y2")},
        optional={"timestamp_s": numbers, "label": st.sampled_from(["a", None, 3])},
    ),
    st.just([1, 2, 3, 4]),
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.lists(span_items, max_size=3), span_items, st.none(), st.just("[[1, 2]]")))
def test_first_gold_span_equals_the_task_layers_reader(spans):
    gold, why = read_gold_spans({"spans": spans})
    assert fast.first_gold_span({"spans": spans}) == ((gold[0] if gold else None), why)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.lists(box_items, max_size=3), box_items, st.none()))
def test_first_gold_box_equals_the_task_layers_reader(boxes):
    gold, why = read_gold_boxes({"boxes": boxes})
    assert fast.first_gold_box({"boxes": boxes}) == ((gold[0][0] if gold else None), why)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.lists(box_items, max_size=3), box_items, st.none(),
                 st.lists(st.fixed_dictionaries({k: st.floats() for k in ("x1", "y1", "x2", "y2")},
                                                optional={"timestamp_s": st.none() | st.floats(),
                                                          "label": st.sampled_from(["a", None, 3])}),
                          max_size=3)))
def test_the_gold_box_readers_fast_path_reads_what_the_general_one_reads(boxes):
    from vdata.tasks.boxes import _read_any_gold_boxes

    assert read_gold_boxes({"boxes": boxes}) == _read_any_gold_boxes({"boxes": boxes})


PRESET_SAMPLES = [TG, SG, FF, {"task": "multiple_choice", "answer": "B"}, {**TG, "spans": [[1, 2]]}, {"task": 3}]


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from(PRESET_SAMPLES))
def test_calling_a_preset_gives_the_value_explain_gives(text, sample):
    for name in rewards.names():
        if "/" in name:
            fn = rewards.get(name)
            assert fn(text, sample) == fn.explain(text, sample).value, name
    fn = rewards.get("time-r1/iou")
    assert fn(None, TG) == 0.0 and fn("<answer>1 to 2</answer>", None) is None  # the guards, on the slow path
