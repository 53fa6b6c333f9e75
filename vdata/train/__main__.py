"""`python -m vdata.train sft|grpo ...`: the `vdata train` commands, the entry point of each process that
`--num-processes`, `torchrun -m vdata.train` or `accelerate launch -m vdata.train` starts. A process of a launch
of several leaves without the interpreter's teardown (`distributed.leave`)."""

from vdata.console import console, friendly, print_json
from vdata.train.cli import make_app
from vdata.train.distributed import leave, world_size

if __name__ == "__main__":
    app = make_app(friendly, console, print_json)
    if world_size() <= 1:
        app(prog_name="python -m vdata.train")
    else:
        try:
            app(prog_name="python -m vdata.train")
            code = 0
        except SystemExit as e:
            code = e.code
        leave(code)
