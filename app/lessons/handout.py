"""File > Export lesson handout: one self-contained HTML page of a lesson as the student did it.

Each step's text, the question with the student's answer marked, the reveal with the numbers their
run measured, and the figures of the step's panels captured when it was revealed (PNG inside the page,
so the page is one file to hand in or print). Uses the style of Export all's index.html.
"""
from __future__ import annotations

import base64
import html
import time
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.export.figures import ExportError, write_text
from app.export.html import _STYLE
from app.lecture.menu import maths_html
from app.panels.registry import SPECS

_EXTRA = ".right { color: #2b8a3e; } .wrong { color: #c92a2a; } .step { border-top: 1px solid #ddd; } " \
         ".reveal { background: #eef7f1; padding: 0.6em; border-radius: 4px; }"


def handout_html(lesson, record: dict, figures: dict) -> str:
    """``record``: app.lessons.progress form; ``figures``: {step index: {panel: PNG bytes}}."""
    esc = html.escape
    out = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>RNN Lab lesson: {esc(lesson.title)}"
           f"</title><style>{_STYLE}{_EXTRA}</style></head><body>",
           f"<h1>{esc(lesson.title)}</h1>",
           f"<p class='muted'>Lecture slide: {esc(lesson.slide)}. Lesson handout written by RNN Lab on "
           f"{time.strftime('%Y-%m-%d %H:%M')}; every number in the results (the shaded boxes) was measured in "
           "this student's run.</p>"]
    right = total = 0
    for step in lesson.steps:
        seen = record["steps"].get(str(step.index), {})
        out.append(f"<section class='step'><h2>Step {step.index + 1}</h2><p>{maths_html(step.text)}</p>")
        if step.is_question:
            answer = seen.get("answer")
            out.append(f"<p><b>{maths_html(step.question)}</b></p><ul>")
            for k, choice in enumerate(step.choices):
                mark = ""
                if "reveal" in seen and k == step.answer:
                    mark = " <span class='right'>✓ the answer</span>"
                if k == answer:
                    mark += " <b>← my answer</b>"
                out.append(f"<li>{maths_html(choice)}{mark}</li>")
            out.append("</ul>")
            if "reveal" in seen and answer is not None:
                total += 1
                right += answer == step.answer
        if "reveal" in seen:
            out.append(f"<div class='reveal'>{maths_html(seen['reveal'])}<br><i>{maths_html(seen.get('why', ''))}"
                       "</i></div>")
            failed = [t for t, held in seen.get("checks", []) if not held]
            if failed:
                out.append(f"<p class='wrong'>This run did not show what the lesson expects: {esc('; '.join(failed))}"
                           "</p>")
        elif step.runs:
            out.append("<p class='muted'>Not run yet.</p>")
        shots = figures.get(step.index, {})
        for name in step.show:
            title = esc(SPECS[name].title)
            if name in shots:
                data = base64.b64encode(shots[name]).decode("ascii")
                out.append(f"<figure><img src='data:image/png;base64,{data}' alt='{title}'>"
                           f"<figcaption><b>{title}</b> when the step was revealed.</figcaption></figure>")
            elif "reveal" in seen:
                out.append(f"<p class='muted'>{title}: no figure (this step was revealed in an earlier session; "
                           "restart the lesson to capture it).</p>")
        out.append("</section>")
    out.append(f"<h2>Answers</h2><p>{right} of {total} predictions right.</p>" if total else "")
    out.append("<p class='muted'>Made with RNN Lab.</p></body></html>\n")
    return "\n".join(out)


def export_handout(path, driver) -> Path:
    lesson = driver.lesson
    figures = {i: shots for (name, i), shots in driver.figures.items() if name == lesson.name}
    return write_text(Path(path), handout_html(lesson, driver.record, figures))


def export_handout_dialog(window, driver) -> None:
    if driver.lesson is None:
        QMessageBox.information(window, "Export lesson handout", "Open a lesson first (Lecture > Lessons).")
        return
    path, _ = QFileDialog.getSaveFileName(window, "Export lesson handout",
                                          str(Path.home() / f"{driver.lesson.name}-handout.html"), "HTML (*.html)")
    if not path:
        return
    try:
        export_handout(path, driver)
    except ExportError as exc:
        QMessageBox.warning(window, "Export lesson handout", str(exc))
        return
    window.statusBar().showMessage(f"Lesson handout written to {path}", 8000)
