#!/usr/bin/env bash
# Linux preflight for Qt's xcb platform plugin (PySide6 >= 6.5 needs libxcb-cursor0 and friends, which
# a fresh Debian/Ubuntu desktop may lack). Prints the exact apt-get line for what is missing and, run
# as root with apt-get available, installs it. Silent and quick when everything is there, when not on
# Linux, or when no X display will be used (offscreen, headless, Wayland-only sessions).
# Usage: bash scripts/qt_preflight.sh   (exit 0: fine or installed; exit 1: packages missing)
set -uo pipefail
[ "$(uname -s)" = Linux ] || exit 0
case "${QT_QPA_PLATFORM:-}" in offscreen*|minimal*|wayland*|vnc*|eglfs*|linuxfb*) exit 0 ;; esac
# (RNNLAB_LDCONFIG and RNNLAB_PREFLIGHT_NO_INSTALL=1 let the tests try the "missing" path)
LDCONFIG=${RNNLAB_LDCONFIG:-$(command -v ldconfig || echo /sbin/ldconfig)}
[ -x "$LDCONFIG" ] || exit 0
# library soname -> Debian package (the xcb plugin's dependencies beyond libxcb1 itself)
LIBS="libxcb-cursor.so.0:libxcb-cursor0 libxcb-icccm.so.4:libxcb-icccm4 libxcb-image.so.0:libxcb-image0
libxcb-keysyms.so.1:libxcb-keysyms1 libxcb-render-util.so.0:libxcb-render-util0 libxcb-shape.so.0:libxcb-shape0
libxcb-xinerama.so.0:libxcb-xinerama0 libxcb-xkb.so.1:libxcb-xkb1 libxkbcommon-x11.so.0:libxkbcommon-x11-0
libxkbcommon.so.0:libxkbcommon0 libEGL.so.1:libegl1 libGL.so.1:libgl1 libfontconfig.so.1:libfontconfig1
libdbus-1.so.3:libdbus-1-3"
known=$("$LDCONFIG" -p 2>/dev/null)
missing=""
for pair in $LIBS; do
  lib=${pair%%:*}; pkg=${pair##*:}
  grep -q "$lib" <<<"$known" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
line="apt-get install -y$missing"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ -z "${RNNLAB_PREFLIGHT_NO_INSTALL:-}" ]; then
  echo "installing the libraries Qt's xcb platform plugin needs: $line" >&2
  if apt-get update -qq && apt-get install -y -qq $missing >/dev/null; then exit 0; fi
  echo "could not install them; run: $line" >&2
  exit 1
fi
echo "RNN Lab's window needs libraries that are missing here (Qt's xcb platform plugin). Install them with:" >&2
echo "    sudo $line" >&2
echo "(or run headless: bash scripts/run.sh --headless ...)" >&2
exit 1
