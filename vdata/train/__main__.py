"""`python -m vdata.train sft|grpo ...`: the `vdata train` commands, the entry point of each process that
`--num-processes`, `torchrun -m vdata.train` or `accelerate launch -m vdata.train` starts."""

from vdata.console import console, friendly, print_json
from vdata.train.cli import make_app

if __name__ == "__main__":
    make_app(friendly, console, print_json)(prog_name="python -m vdata.train")
