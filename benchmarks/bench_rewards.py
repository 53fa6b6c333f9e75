"""Reward throughput on generated completions, and free-form / OCR against the reference libraries.

Goals: IoU-type, format and choice rewards >= 100k completions/s on one core; `free_form` faster than
`rouge_score`. Prints completions/s per reward (single process, so per core). For `free_form` and `ocr` it also
times `rouge_score` (ROUGE-L, no stemmer) and `jiwer.wer` on the same gold/answer strings in the same process,
asserts the values are identical on this ASCII text, and prints the speed ratio (vdata's reward includes
extracting the answer from the completion; the references get the extracted answer for free).

    python benchmarks/bench_rewards.py [--n 100000] [--seed 0]     # needs the `bench` extra for the references
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from typing import Any

from vdata import rewards
from vdata.tasks import extract_answer

WORDS = [
    "the",
    "a",
    "man",
    "woman",
    "dog",
    "car",
    "red",
    "blue",
    "runs",
    "jumps",
    "over",
    "under",
    "small",
    "large",
    "quickly",
    "slowly",
    "house",
    "street",
    "near",
    "far",
    "left",
    "right",
    "opens",
    "closes",
    "holds",
    "drops",
    "ball",
    "door",
    "table",
    "chair",
    "window",
    "kitchen",
    "park",
]


def _sentence(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))


def _think(rng: random.Random) -> str:
    return f"<think>{_sentence(rng, 20, 80)}</think>"


def make_cases(kind: str, n: int, rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    """`n` (completion, sample) pairs for one task family, answers right, near and wrong in varied formats."""
    cases = []
    for _ in range(n):
        if kind == "multiple_choice":
            sample = {
                "task": "multiple_choice",
                "answer": rng.choice("ABCD"),
                "options": [_sentence(rng, 2, 4) for _ in range(4)],
            }
            body = rng.choice(["{}", "{}.", "({})", "Option {}", "{} or B"]).format(rng.choice("ABCD"))
        elif kind == "numeric":
            gold = rng.randint(0, 2000)
            sample = {"task": "numeric", "answer": str(gold)}
            body = rng.choice(["{}", "{}.0", "{:,}", "about {} people"]).format(gold + rng.choice([0, 0, 1]))
        elif kind == "temporal_grounding":
            s = rng.uniform(0, 100)
            e = s + rng.uniform(1, 30)
            sample = {
                "task": "temporal_grounding",
                "spans": [{"start_s": s, "end_s": e}],
                "duration_s": 150.0,
            }
            ps, pe = s + rng.uniform(-5, 5), e + rng.uniform(-5, 5)
            body = rng.choice(
                ["{:.1f} to {:.1f}", "{:.2f}-{:.2f}", "[{:.1f}, {:.1f}]", "from {:.1f}s to {:.1f}s"]
            ).format(ps, pe)
        elif kind == "spatial_grounding":
            x, y = rng.uniform(0, 1500), rng.uniform(0, 800)
            sample = {
                "task": "spatial_grounding",
                "width": 1920,
                "height": 1080,
                "boxes": [
                    {
                        "timestamp_s": 1.0,
                        "frame_index": 30,
                        "x1": x,
                        "y1": y,
                        "x2": x + 200,
                        "y2": y + 150,
                        "label": "obj",
                    }
                ],
            }
            body = f"[{x + rng.uniform(-20, 20):.0f}, {y:.0f}, {x + 210:.0f}, {y + 140:.0f}]"
        elif kind in ("free_form", "ocr"):
            gold = _sentence(rng, 3, 20)
            words = gold.split()
            if rng.random() < 0.5:
                words[rng.randrange(len(words))] = rng.choice(WORDS)
            sample = {"task": kind, "answer": gold}
            body = " ".join(words) if rng.random() < 0.8 else _sentence(rng, 1, 20)
        else:
            raise ValueError(kind)
        cases.append((f"{_think(rng)}\n<answer>{body}</answer>", sample))
    return cases


def rate(
    fn: Callable[[str, dict[str, Any]], Any], cases: list[tuple[str, dict[str, Any]]]
) -> tuple[float, list]:
    start = time.perf_counter()
    values = [fn(c, s) for c, s in cases]
    return len(cases) / (time.perf_counter() - start), values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="completions per reward")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    plan = [
        ("format", "multiple_choice"),
        ("multiple_choice", "multiple_choice"),
        ("numeric", "numeric"),
        ("temporal_iou", "temporal_grounding"),
        ("iop", "temporal_grounding"),
        ("box_iou", "spatial_grounding"),
        ("accuracy", "temporal_grounding"),
        ("free_form", "free_form"),
        ("ocr", "ocr"),
    ]
    cache: dict[str, list] = {}
    print(f"{'reward':<18}{'completions/s':>15}{'reference':>24}{'ref/s':>12}{'ratio':>8}")
    for name, kind in plan:
        cases = cache.setdefault(kind, make_cases(kind, args.n, rng))
        per_s, values = rate(rewards.get(name), cases)
        ref_name, ref_rate, ratio = "", "", ""
        if name in ("free_form", "ocr"):
            ref_name, ref_per_s = _reference(name, cases, values)
            ref_rate, ratio = f"{ref_per_s:,.0f}", f"{per_s / ref_per_s:.1f}x"
        print(f"{name:<18}{per_s:>15,.0f}{ref_name:>24}{ref_rate:>12}{ratio:>8}")


def _reference(name: str, cases: list[tuple[str, dict[str, Any]]], values: list) -> tuple[str, float]:
    pairs = [(s["answer"], extract_answer(c) or "") for c, s in cases]
    if name == "free_form":
        from rouge_score import rouge_scorer

        scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
        start = time.perf_counter()
        ref = [scorer.score(g, p)["rougeL"].fmeasure for g, p in pairs]
        elapsed = time.perf_counter() - start
        label = "rouge_score rougeL"
    else:
        import jiwer

        start = time.perf_counter()
        ref = [max(0.0, 1.0 - jiwer.wer(g, p)) for g, p in pairs]
        elapsed = time.perf_counter() - start
        label = "jiwer 1-wer"
    mismatches = sum(a != b for a, b in zip(values, ref, strict=True))
    assert mismatches == 0, f"{name}: {mismatches} values differ from {label}"
    return label, len(pairs) / elapsed


if __name__ == "__main__":
    main()
