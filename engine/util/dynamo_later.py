"""torch._dynamo after the first snapshot, not before it.

torch.optim's Optimizer methods (zero_grad, add_param_group, state_dict, load_state_dict) are wrapped by
``torch._compile._disable_dynamo``, which imports torch._dynamo on their first call: 1.2-1.5 s of the engine's
start on a 2-core machine, before the window could show its first snapshot. RNN Lab never compiles a model,
so the wrapper has nothing to disable; ``defer()`` gives each wrapped method its own function as the
"disabled" one the wrapper caches, and the import does not happen there. The optimizer's step still imports
torch._dynamo (it calls ``graph_break()``), so the engine imports it on purpose once the first snapshot is
out (``warm()``), while the window is being looked at, rather than on the first press of Train.

With another torch whose wrapper works differently, ``defer()`` changes nothing (the import just comes first
again); it never changes what a method computes.
"""
from __future__ import annotations

import sys

CACHE = "__dynamo_disable"  # the attribute torch/_compile.py caches the disabled function in (torch 2.13)


def defer() -> list[str]:
    """Let Optimizer's wrapped methods run without importing torch._dynamo; returns their names."""
    if "torch._dynamo" in sys.modules:
        return []
    from torch.optim.optimizer import Optimizer

    done = []
    for name, method in vars(Optimizer).items():
        original = getattr(method, "__wrapped__", None)
        code = getattr(method, "__code__", None)
        if callable(original) and code is not None and code.co_qualname.startswith("_disable_dynamo"):
            setattr(original, CACHE, original)
            done.append(name)
    return done


def warm() -> None:
    """Import torch._dynamo now (the optimizer's first step would)."""
    import torch._dynamo  # noqa: F401
