"""Options the window honours, and a one-line refusal of the others.

``python main.py --task adding --cell lstm`` without ``--headless`` used to open the default window and drop
both options without a word. The window takes a session file (or ``--open FILE``), a data file, a model
folder and a neutral token; every other option given without ``--headless`` (and not handled before the window, like
``--version`` or ``--list-tasks``) is refused, naming the options, so what opens is what was asked for.
"""
from __future__ import annotations

import argparse

from app.cli.usage import UsageError

WINDOW_OPTIONS = frozenset({"session", "open", "data", "model", "neutral_token", "headless"})


def ignored_by_window(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[str]:
    """The options given (not at their defaults) that the window would not use, as the user spelt them."""
    given = []
    for action in parser._actions:
        if action.dest in WINDOW_OPTIONS or action.dest == argparse.SUPPRESS or not action.option_strings:
            continue
        if getattr(args, action.dest, action.default) != action.default:
            value = getattr(args, action.dest)
            names = [s for s in action.option_strings if s.startswith("--")]
            if isinstance(action, argparse.BooleanOptionalAction) and value is False:
                names = [s for s in names if s.startswith("--no-")] or names
            given.append(names[0] if names else action.option_strings[0])
    return given


def check_window_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    given = ignored_by_window(parser, args)
    if given:
        them = ", ".join(given)
        raise UsageError(f"{them} {'applies' if len(given) == 1 else 'apply'} only with --headless; the window "
                         "opens a session, a data file (--data) or a model (--model): choose the rest in the window")
