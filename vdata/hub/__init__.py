"""Publishing to the Hugging Face Hub: dataset cards (`card`) and resumable, limit-checked uploads (`push`).

`huggingface_hub` and `jinja2` come with the `hub` extra and are imported only when used.
"""

from vdata.hub.card import card_context, front_matter, is_generated, render_card, write_card
from vdata.hub.push import (
    HubLimits,
    PushReport,
    UploadFile,
    UploadPlan,
    check_repo_id,
    dataset_url,
    dry_run,
    plan_upload,
    push,
    token_source,
)

__all__ = [
    "HubLimits",
    "PushReport",
    "UploadFile",
    "UploadPlan",
    "card_context",
    "check_repo_id",
    "dataset_url",
    "dry_run",
    "front_matter",
    "is_generated",
    "plan_upload",
    "push",
    "render_card",
    "token_source",
    "write_card",
]
