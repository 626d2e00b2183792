"""index.html for "Export all": a page a reader opens in any browser, offline, to see the run.

Self-contained: one HTML file with its style and a few lines of inline script, no network and no
external scripts; it references only files written next to it (the panels' PNG/SVG/CSV and the
per-t frames ``frames/t001.png`` ...). It holds every panel's figure with a caption (from the help
pages), the configuration, the training curves, and a time slider over the frames of the sweep
(``index.html#t=5`` opens at t = 5). Panels with nothing to show are listed with the reason.
"""
from __future__ import annotations

import html
import json

from app.classroom.help_pages import page_of
from app.panels.registry import SPECS

FRAMES_DIR = "frames"


def frame_name(t: int) -> str:
    """The file of frame t (0-based) relative to the export folder."""
    return f"{FRAMES_DIR}/t{t + 1:03d}.png"


_SCRIPT = """
const frames = %(frames)s;
const times = %(times)s;  // the time step t (from 1) of each frame
const T = %(T)d;
const slider = document.getElementById('timeSlider');
const image = document.getElementById('frameImage');
const label = document.getElementById('timeLabel');
function show(i) {
  i = Math.max(1, Math.min(frames.length, i | 0));
  slider.value = i; image.src = frames[i - 1]; label.textContent = 't = ' + times[i - 1] + ' / ' + T;
}
function frameOf(t) {  // the frame nearest time step t
  let best = 0;
  times.forEach((s, k) => { if (Math.abs(s - t) < Math.abs(times[best] - t)) best = k; });
  return best + 1;
}
function fromHash() { const m = /t=(\\d+)/.exec(location.hash); show(m ? frameOf(parseInt(m[1], 10)) : 1); }
slider.addEventListener('input', () => {
  history.replaceState(null, '', '#t=' + times[slider.value - 1]); show(slider.value);
});
window.addEventListener('hashchange', fromHash);
document.addEventListener('keydown', e => {
  if (e.key === 'ArrowRight') show(+slider.value + 1); else if (e.key === 'ArrowLeft') show(+slider.value - 1);
});
fromHash();
"""

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1200px; padding: 0 1em;
       color: #1b1d22; background: #fff; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } .muted { color: #5b6270; }
figure { margin: 1.5em 0; border-top: 1px solid #ddd; padding-top: 1em; }
figure img { max-width: 100%; max-height: 700px; border: 1px solid #eee; }
figcaption { margin-top: 0.4em; } .files a { margin-right: 0.8em; }
#sweep { position: sticky; top: 0; background: #fff; padding: 0.5em 0; z-index: 1; }
#timeSlider { width: 60%; vertical-align: middle; } #timeLabel { font-weight: bold; margin-left: 1em; }
pre { background: #f5f6f8; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.absent { color: #c92a2a; }
"""


def index_html(snapshot, panels: list[str], files: set[str], absent: dict[str, str], n_frames: int,
               times: list[int] | None = None, T: int | None = None) -> str:
    """The page. ``panels``: exported panel names in order; ``files``: names written into the folder;
    ``absent``: {panel: why it has no data file}; ``n_frames``: frames written (0: no slider); ``times``:
    the 0-based step of each frame (default 0..n_frames-1) of a sequence of ``T`` steps."""
    times = list(range(n_frames)) if times is None else list(times)
    T = n_frames if T is None else T
    esc = html.escape
    cfg = snapshot.config
    model, train = cfg["model"], cfg["train"]
    title = (f"{cfg['task']} · {model.get('cell', '?')} H={model.get('hidden_size', '?')} · "
             f"step {snapshot.step}")
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>RNN Lab: {esc(title)}</title>"
             f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{_STYLE}</style>"
             "</head><body>",
             f"<h1>RNN Lab run: {esc(title)}</h1>",
             f"<p class='muted'>Task <b>{esc(cfg['task'])}</b>, {esc(str(snapshot.task_info.get('title', '')))}; "
             f"loss {snapshot.loss:.4g}, {esc(str(snapshot.task_info.get('metric', 'metric')))} "
             f"{snapshot.metric:.4g} after {snapshot.step} training steps. Example: "
             f"{esc(str(snapshot.example_source))}.</p>"]
    if n_frames:
        frames = [frame_name(t) for t in times]
        cover = ("" if n_frames >= T else
                 f" <b>{n_frames} frames of {T} steps</b>: one frame about every {T / n_frames:.2g} steps, spread "
                 f"over the whole sequence from t = 1 to t = {T} (the panels' CSV files hold every step).")
        parts.append("<section id='sweep'><h2>Step through time</h2>"
                     f"<input type='range' id='timeSlider' min='1' max='{n_frames}' value='1' step='1' "
                     "aria-label='time step t'><span id='timeLabel'></span>"
                     "<p class='muted'>Drag the slider or use the arrow keys: every time-indexed panel at step t "
                     f"(the page opens at <code>#t=N</code> if the address ends with it).{cover}</p>"
                     f"<img id='frameImage' src='{frames[0]}' alt='panels at the selected time step' "
                     "style='max-width:100%'></section>")
    if "curvesPanel.png" in files:
        parts.append("<h2>Training curves</h2><img src='curvesPanel.png' alt='training curves' "
                     "style='max-width:100%; width:900px'>")
    parts.append("<h2>Panels</h2>")
    for name in panels:
        spec = SPECS[name]
        page = page_of(name)
        caption = esc(page.shows if page else spec.help)
        read = f" <b>How to read it:</b> {esc(page.read)}" if page else ""
        slide = f" <i>(lecture: {esc(page.slide)})</i>" if page else ""
        links = " ".join(f"<a href='{esc(f)}'>{esc(f.rsplit('.', 1)[1].upper())}</a>"
                         for f in (f"{name}.png", f"{name}.svg", f"{name}.csv") if f in files)
        note = f"<br><span class='absent'>No data file: {esc(absent[name])}</span>" if name in absent else ""
        image = (f"<img src='{name}.png' alt='{esc(spec.title)}'>" if f"{name}.png" in files else "")
        parts.append(f"<figure id='{name}'>{image}<figcaption><b>{esc(spec.title)}.</b> {caption}{read}{slide}"
                     f"<div class='files'>{links}</div>{note}</figcaption></figure>")
    config_text = json.dumps({"task": cfg["task"], "task_params": cfg["task_params"], "model": model,
                              "train": train}, indent=2, sort_keys=True)
    data = " ".join(f"<a href='{f}'>{f}</a>" for f in ("config.json", "trace.npz") if f in files)
    parts.append(f"<h2>Configuration</h2><pre>{esc(config_text)}</pre><p>Data: {data}</p>")
    parts.append("<p class='muted'>Made with RNN Lab.</p>")
    if n_frames:
        script = _SCRIPT % {"frames": json.dumps([frame_name(t) for t in times]),
                            "times": json.dumps([t + 1 for t in times]), "T": T}
        parts.append(f"<script>{script}</script>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
