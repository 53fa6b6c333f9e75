"""The task layer (`vdata.tasks`): one file per task kind of the schema, the one place each task's rules live.

    from vdata import tasks
    task = tasks.get("temporal_grounding")
    task.gold_fields, task.reward, task.metrics      # ('spans',), 'temporal_iou', ('mIoU', 'R1@0.3', ...)
    task.parse("12.5 to 20", sample)                 # (12.5, 20.0): what an answer becomes
    task.target(sample)                              # '10.00 - 20.00': the SFT answer text of the gold
    task.score("12.5 to 20", sample).values          # the benchmark metrics of one sample
    tasks.extract_answer(response)                   # THE answer extraction of the whole project

Rewards (`vdata.rewards`), evaluation, test-time voting, the SFT target and distillation's verifier all read
from here. A new task is one new file registering a `Task`. Imports no ML or video library.
"""

from vdata.tasks import (  # noqa: F401  (each module registers its task)
    caption,
    free_form,
    grounded_qa,
    multiple_choice,
    numeric,
    ocr,
    regression,
    spatial_grounding,
    spatiotemporal_grounding,
    temporal_grounding,
    tracking,
)
from vdata.tasks.answer import extract_answer, extract_think, format_response
from vdata.tasks.base import Scored, Task, get, gold_answer, names, register
from vdata.tasks.parsing import ParseError

__all__ = [
    "ParseError",
    "Scored",
    "Task",
    "extract_answer",
    "extract_think",
    "format_response",
    "get",
    "gold_answer",
    "names",
    "register",
]
