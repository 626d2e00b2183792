"""``rnnlab --install-desktop`` / ``--uninstall-desktop``: a freedesktop launcher for RNN Lab.

Writes, under the user's data folder ($XDG_DATA_HOME, default ~/.local/share), only:
  applications/rnnlab.desktop                  the launcher (menu entry; opens .rnnlab files)
  icons/hicolor/<n>x<n>/apps/rnnlab.png, icons/hicolor/scalable/apps/rnnlab.svg
  mime/packages/rnnlab.xml                     the .rnnlab file type (application/x-rnnlab-session)
and refreshes the desktop's caches when their tools exist. Uninstall removes exactly these files.
Torch-free and Qt-free: it runs from the command line before anything heavy is imported.
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from engine.util.assets import asset

APP_ID = "rnnlab"
MIME_TYPE = "application/x-rnnlab-session"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

MIME_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="{MIME_TYPE}">
    <comment>RNN Lab session</comment>
    <glob pattern="*.rnnlab"/>
    <icon name="{APP_ID}"/>
  </mime-type>
</mime-info>
"""


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def launcher_command() -> list[str]:
    """The command the launcher runs: the installed ``rnnlab-gui`` script next to this Python,
    else (a source checkout) this Python running the checkout's main.py."""
    script = Path(sys.executable).parent / ("rnnlab-gui.exe" if os.name == "nt" else "rnnlab-gui")
    if script.is_file():
        return [str(script)]
    main_py = Path(__file__).resolve().parents[2] / "main.py"
    return [sys.executable, str(main_py)]


def _exec_quote(arg: str) -> str:
    """Quote one argument of a desktop entry's Exec key (Desktop Entry Specification, 'The Exec key')."""
    if not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`='):
        return arg.replace("%", "%%")
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg).replace("%", "%%")
    return f'"{escaped}"'


def desktop_entry_text(command: list[str] | None = None) -> str:
    exec_line = " ".join(_exec_quote(a) for a in (command or launcher_command())) + " %f"
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.4",
        "Name=RNN Lab",
        "GenericName=Recurrent network lab",
        "Comment=Watch recurrent neural networks (RNN, GRU, LSTM) learn, step by step",
        f"Exec={exec_line}",
        f"TryExec={_exec_quote((command or launcher_command())[0])}",
        f"Icon={APP_ID}",
        "Terminal=false",
        "Categories=Science;ArtificialIntelligence;",
        f"MimeType={MIME_TYPE};",
        "Keywords=RNN;LSTM;GRU;neural network;deep learning;lecture;",
        "StartupNotify=true",
        "",
    ])


def installed_paths(home: Path | None = None) -> list[Path]:
    """Every file --install-desktop writes (and --uninstall-desktop removes)."""
    home = home or data_home()
    paths = [home / "applications" / f"{APP_ID}.desktop", home / "mime" / "packages" / f"{APP_ID}.xml",
             home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"]
    paths += [home / "icons" / "hicolor" / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in PNG_SIZES]
    return paths


def install_launcher(home: Path | None = None, command: list[str] | None = None) -> list[Path]:
    home = home or data_home()
    desktop, mime, svg, *pngs = installed_paths(home)
    contents = {desktop: desktop_entry_text(command).encode("utf-8"), mime: MIME_XML.encode("utf-8"),
                svg: asset("icons/rnnlab.svg").read_bytes()}
    for n, path in zip(PNG_SIZES, pngs, strict=True):
        contents[path] = asset(f"icons/rnnlab-{n}.png").read_bytes()
    for path, data in contents.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.part")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    _refresh_caches(home)
    return list(contents)


def uninstall_launcher(home: Path | None = None) -> list[Path]:
    home = home or data_home()
    removed = []
    for path in installed_paths(home):
        if path.is_file():
            path.unlink()
            removed.append(path)
    _refresh_caches(home)
    return removed


def _refresh_caches(home: Path) -> None:
    """Tell the desktop (when its tools are installed; harmless when not)."""
    for tool, folder in (("update-desktop-database", home / "applications"),
                         ("update-mime-database", home / "mime"),
                         ("gtk-update-icon-cache", home / "icons" / "hicolor")):
        if shutil.which(tool) and folder.is_dir():
            args = [tool, "-q", "-t", str(folder)] if tool == "gtk-update-icon-cache" else [tool, str(folder)]
            subprocess.run(args, check=False, capture_output=True, timeout=60)


def run_desktop_command(install: bool) -> int:
    """The command-line action: one line of result on stdout, a one-line error and exit 2 on failure."""
    try:
        if install:
            written = install_launcher()
            print(f"installed the RNN Lab launcher: {written[0]} (runs {shlex.join(launcher_command())})")
        else:
            removed = uninstall_launcher()
            print(f"removed {len(removed)} RNN Lab desktop files" if removed else "no RNN Lab desktop files found")
    except OSError as exc:
        print(f"rnnlab: error: cannot {'install' if install else 'remove'} the desktop launcher: "
              f"{exc.strerror or exc} ({exc.filename or data_home()})", file=sys.stderr)
        return 2
    return 0
