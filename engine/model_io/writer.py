"""Export a model folder: model.pt (the state_dict, plain tensors), model.json, load_model.py, README.md,
and the data file for a model trained on one (so the folder opens again without it).

Each file is written under a temporary name and renamed into place: an interrupted export never leaves
a half-written file, and a folder exported before stays readable until the new file replaces it.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

from engine.model_io import standalone
from engine.model_io.spec import describe
from engine.util.atomic import atomic_write
from engine.util.version import app_version

OWN_FILES = ("model.pt", "model.json", "load_model.py", "README.md")


class ModelExportError(ValueError):
    """The folder cannot be written; the message names the file and the reason (one line)."""


def export_model(folder, model, task, train, steps: int, steps_before_opened: int = 0) -> list[Path]:
    """Write ``model`` (a SequenceModel trained ``steps`` steps on ``task`` in all, ``steps_before_opened`` of them
    before it was opened from a model folder) into ``folder``; returns the files."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelExportError(f"cannot create the folder {folder}: {exc.strerror or exc}") from None
    source = getattr(task, "source", None)  # a data-file task
    data_name = None
    if source is not None:
        data_name = source.name if source.name not in OWN_FILES else f"data-{source.name}"
    state = {k: v.detach().to(torch.float32).clone().contiguous() for k, v in model.state_dict().items()}
    spec = describe(model, task, train, steps, app_version(), data_name)
    if steps_before_opened:
        spec["steps_before_opened"] = int(steps_before_opened)
    files = [(folder / "model.pt", lambda f: torch.save(state, f)),
             (folder / "model.json", _bytes(json.dumps(spec, indent=1, ensure_ascii=False) + "\n")),
             (folder / "load_model.py", _bytes(Path(standalone.__file__).read_text(encoding="utf-8"))),
             (folder / "README.md", _bytes(readme(spec, folder.name)))]
    if source is not None:
        files.append((folder / data_name, _raw(source.content())))
    written = []
    for path, write in files:
        try:
            atomic_write(path, write)
        except OSError as exc:
            raise ModelExportError(f"cannot write {path}: {exc.strerror or exc}") from None
        written.append(path)
    return written


def _bytes(text: str):
    return _raw(text.encode("utf-8"))


def _raw(data: bytes):
    return lambda f: f.write(data)


def example_input(spec: dict) -> str:
    """A line of Python that builds one input for this model."""
    if spec["input"]["kind"] == "real":
        return f"inputs = torch.rand(1, 10, {spec['input']['input_dim']})  # (batch, time, features)"
    vocab = spec["input"]["vocab"]
    words = any(len(s) > 1 for s in vocab)
    sample = [s for s in vocab if s.strip() and not s.startswith("<") and s != "\ufffd"][:6] or vocab[:1]
    text = " ".join(sample) if words else "".join(sample)
    return f"inputs = model.encode({text!r})  # token ids (1, T); or any (batch, time) int64 tensor of ids"


def readme(spec: dict, name: str) -> str:
    kind = spec["output"]["kind"]
    returns = {"per_step": "logits (batch, time, classes), one row per input step",
               "final": "logits (batch, classes) from the final state",
               "attention": "logits (batch, classes) from the attention-weighted states",
               "regression": "values (batch,)"}[kind]
    labels = "" if kind == "regression" else "\n    print(model.labels)   # what each output index means"
    before = (f" ({spec['steps_before_opened']} of them before it was last opened from a model folder)"
              if spec.get("steps_before_opened") else "")
    data = (f"\n`{spec['data_file']}` is the data file it was trained on (RNN Lab needs it to open the "
            "model again).\n" if spec.get("data_file") else "")
    return f"""# {name}: an RNN Lab model

{spec['cell']} with H = {spec['hidden_size']}, {spec['num_layers']} layer(s),
{'bidirectional (merge: ' + spec['merge'] + ')' if spec['bidirectional'] else 'left to right'}, trained
{spec['steps_trained']} steps{before} on "{spec['task']['title']}" with RNN Lab {spec['rnnlab_version']}.

- `model.pt`: the weights, a plain `state_dict` (load it with `torch.load(..., weights_only=True)`);
  `encoder.*` are named exactly as `torch.nn.{ {'lstm': 'LSTM', 'gru': 'GRU'}.get(spec['cell'], 'RNN')}` names them.
- `model.json`: everything needed to rebuild it (sizes, vocabulary, labels, task, training settings).
- `load_model.py`: needs only PyTorch and the standard library.
{data}
## Use it

    import sys, torch
    sys.path.insert(0, "{name}")
    from load_model import load_model

    model = load_model("{name}")
    {example_input(spec)}
    outputs = model(inputs)   # {returns}{labels}

Open it again in RNN Lab with `rnnlab --model {name}`, File > Open model…, or by dropping the folder
on the window. Change the weights with plain PyTorch (`torch.save(state_dict, "{name}/model.pt")`) and
RNN Lab shows what the changed model does.
"""
