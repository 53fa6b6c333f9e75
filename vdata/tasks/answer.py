"""The response format every stage shares: `<think>reasoning</think><answer>answer</answer>`.

One function reads the answer out of a response (`extract_answer`), one reads the reasoning (`extract_think`)
and one writes a response (`format_response`). The verifier of `vdata distill`, the rewards, the SFT target of
`vdata train`, `vdata eval` and `vdata infer` all call these, so what is judged is what is trained.
"""

from __future__ import annotations

import re

_OPEN = re.compile(r"<\s*answer\s*>", re.IGNORECASE)
_CLOSE = re.compile(r"<\s*/\s*answer\s*>", re.IGNORECASE)


def extract_answer(text: str, fallback: bool = False) -> str | None:
    """The content of the last `<answer>...</answer>` block, stripped; tags tolerate whitespace and case.

    With `fallback` (eval style) a text without a complete block is returned whole (stripped); without it
    (train style) None is returned.

    >>> extract_answer("<think>A?</think> <Answer> B </answer>")
    'B'
    >>> extract_answer("B", fallback=True), extract_answer("B")
    ('B', None)
    """
    close_at = text.rfind("</answer>")
    if close_at >= 0 and _CLOSE.search(text, close_at + 9) is None:
        open_at = text.rfind("<answer>", 0, close_at)
        if open_at >= 0 and _OPEN.search(text, open_at + 8, close_at) is None:
            return text[open_at + 8 : close_at].strip()
    closes = list(_CLOSE.finditer(text))
    if closes:
        last_close = closes[-1]
        opens = [m for m in _OPEN.finditer(text, 0, last_close.start())]
        if opens:
            return text[opens[-1].end() : last_close.start()].strip()
    return text.strip() if fallback else None


_THINK = re.compile(r"<think>(.*?)</think>", re.DOTALL)


def extract_think(text: str) -> str | None:
    """The reasoning: the stripped content of the first `<think>` block, else the text before the first
    `<answer>`; None when empty.

    >>> extract_think("<think> look at 2s </think><answer>B</answer>")
    'look at 2s'
    """
    m = _THINK.search(text)
    body = m.group(1) if m else text.split("<answer>", 1)[0]
    body = body.strip()
    return body or None


def format_response(think: str, answer: str) -> str:
    """The response a model should write: `<think>{think}</think>\\n<answer>{answer}</answer>` (what the
    `format` reward scores 1.0 when both are non-empty).

    >>> format_response("at 2.0s it turns red", "B")
    '<think>at 2.0s it turns red</think>\\n<answer>B</answer>'
    """
    return f"<think>{think}</think>\n<answer>{answer}</answer>"
