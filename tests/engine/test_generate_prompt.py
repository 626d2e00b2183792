"""Generate text: the model reads exactly the prompt the dialog shows, a trailing space included."""
from __future__ import annotations

import torch

from engine.lab.config import LabConfig
from engine.lab.session import LabSession


def test_the_prompt_keeps_its_trailing_space_and_is_what_the_model_reads():
    session = LabSession(LabConfig.for_task("charlm"))
    for _ in range(3):
        session.step()
    result = session.request_generate_steps("The  cat ", 1, 0.0)
    assert result["prompt"] == "the cat "  # lowercased, one space per run, the end kept
    ids = session.task.encode_prompt("The  cat ")
    assert len(ids) == len("the cat ")
    # independent: the fused model on the prompt's ids; greedy (temperature 0) takes its argmax
    model = session.model.eval()
    with torch.no_grad():
        logits = model(ids.unsqueeze(0)).outputs[0, -1] if hasattr(model(ids.unsqueeze(0)), "outputs") \
            else model(ids.unsqueeze(0))[0, -1]
    assert result["text"] == session.task.decode_id(int(logits.argmax()))
    # negative control: without the space the model reads one character fewer
    assert len(session.task.encode_prompt("the cat")) == len(ids) - 1
