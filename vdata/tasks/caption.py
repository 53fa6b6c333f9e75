"""`caption`: describe the clip; judged like `free_form` (ROUGE against the gold caption in `answer`)."""

from __future__ import annotations

from vdata.tasks.base import register
from vdata.tasks.free_form import FreeForm


@register("caption")
class Caption(FreeForm):
    """A `free_form` answer whose gold is a caption: the same metrics, target and votes.

    >>> Caption().target({"answer": "a red car drives by"})
    'a red car drives by'
    """

    question_answering = False
