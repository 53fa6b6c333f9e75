"""Text metrics: Unicode-aware tokenisation, ROUGE-N / ROUGE-L F1 and word error rate.

On ASCII text the values equal `rouge_score` (no stemmer) and `jiwer.wer` exactly; `benchmarks/bench_rewards.py`
asserts it. LCS and edit distance use bit-parallel algorithms over Python integers (Hyyrö 2004; Myers 1999),
so long answers cost O(n * m / 64) rather than an O(n * m) Python loop.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from typing import Any

# Ideographs, kana and hangul are one token per character: CJK text has no spaces between words.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0002fa1f"
_ROUGE_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_CJK_SPLIT = re.compile(rf"[{_CJK}]|[^{_CJK}]+")
_PUNCT = re.compile(r"[^\w\s]|_")

#: Tokens beyond this count are dropped before scoring: it bounds time on pathological input.
MAX_TOKENS = 4096


def rouge_tokens(text: str) -> list[str]:
    """Lower-cased alphanumeric runs, each CJK character a token of its own (rouge_score's rule on ASCII).

    >>> rouge_tokens("The cat_sat, 猫が")
    ['the', 'cat', 'sat', '猫', 'が']
    """
    return _ROUGE_TOKEN.findall(text.lower())[:MAX_TOKENS]


_RS_NON_ALPHANUM = re.compile(r"[^a-z0-9]+")
_RS_VALID = re.compile(r"^[a-z0-9]+$")
_STEMS: dict[str, str] = {}
_PORTER: list[Any] = []


def rouge_score_tokens(text: str, stem: bool = True) -> list[str]:
    """rouge_score's `DefaultTokenizer` (`rouge_score/tokenize.py`), stemmer included: lower-case, every run of
    characters other than `a-z0-9` is a space, words longer than 3 characters go through nltk's `PorterStemmer()`
    (the stemmer rouge_score itself uses), and only `a-z0-9` tokens are kept, so CJK text has no tokens. What
    Video-R1's free-form reward scores. Capped at `MAX_TOKENS` tokens (rouge_score has no cap).

    >>> rouge_score_tokens("A man is running, 猫!")
    ['a', 'man', 'is', 'run']
    """
    tokens = [t for t in _RS_NON_ALPHANUM.sub(" ", text.lower()).split(" ") if t][:MAX_TOKENS]
    if stem:
        tokens = [_stem(t) if len(t) > 3 else t for t in tokens]
    return [t for t in tokens if _RS_VALID.match(t)]


def _stem(word: str) -> str:
    stem = _STEMS.get(word)
    if stem is None:
        if not _PORTER:
            from nltk.stem.porter import PorterStemmer  # imported on first use: nltk takes ~0.7 s to import

            _PORTER.append(PorterStemmer())
        stem = _PORTER[0].stem(word)
        if len(_STEMS) < 100_000:
            _STEMS[word] = stem
    return stem


def word_tokens(text: str, lowercase: bool = False, strip_punctuation: bool = False) -> list[str]:
    """Whitespace-separated words (jiwer's rule), each CJK character a word of its own; optional normalisation."""
    if lowercase:
        text = text.lower()
    if strip_punctuation:
        text = _PUNCT.sub(" ", text)
    words = []
    for word in text.split():
        if word.isascii():
            words.append(word)
        else:
            words.extend(_CJK_SPLIT.findall(word))
    return words[:MAX_TOKENS]


def _positions(tokens: list[str]) -> dict[str, int]:
    masks: dict[str, int] = {}
    for i, tok in enumerate(tokens):
        masks[tok] = masks.get(tok, 0) | (1 << i)
    return masks


def lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence of two token lists (bit-parallel)."""
    if not a or not b:
        return 0
    masks = _positions(a)
    full = (1 << len(a)) - 1
    v = full
    for tok in b:
        m = masks.get(tok)
        if m:
            u = v & m
            v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


def edit_distance(a: list[str], b: list[str]) -> int:
    """Levenshtein distance between two token lists (Myers' bit-parallel algorithm)."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    peq = _positions(a)
    m = len(a)
    mask = (1 << m) - 1
    last = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for tok in b:
        eq = peq.get(tok, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & mask
        mh = pv & xh
        if ph & last:
            score += 1
        elif mh & last:
            score -= 1
        ph = (ph << 1) | 1
        mh = mh << 1
        pv = (mh | ~(xv | ph)) & mask
        mv = ph & xv & mask
    return score


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


def rouge_l(reference: list[str], prediction: list[str]) -> float:
    """ROUGE-L F1 between token lists; 0.0 when either is empty."""
    if not reference or not prediction:
        return 0.0
    lcs = lcs_length(reference, prediction)
    return _f1(lcs / len(prediction), lcs / len(reference))


def rouge_n(reference: list[str], prediction: list[str], n: int) -> float:
    """ROUGE-N F1 (clipped n-gram overlap) between token lists; 0.0 when either has no n-gram."""
    ref = Counter(zip(*(reference[i:] for i in range(n)), strict=False))
    pred = Counter(zip(*(prediction[i:] for i in range(n)), strict=False))
    overlap = sum(min(c, pred[g]) for g, c in ref.items())
    return _f1(overlap / max(sum(pred.values()), 1), overlap / max(sum(ref.values()), 1))


def wer(reference: list[str], hypothesis: list[str]) -> float:
    """Word error rate: edit distance over the reference length (hypothesis length when the reference is empty)."""
    return edit_distance(reference, hypothesis) / max(len(reference), 1)


def normalise(text: str) -> str:
    """Case-, punctuation- and whitespace-insensitive form used to compare short answers and option texts."""
    return " ".join(_PUNCT.sub(" ", text.lower()).split()).strip(string.whitespace)
