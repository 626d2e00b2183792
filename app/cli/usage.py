"""What every CLI module shares: bad input as one line on stderr with exit status 2, and progress notes."""
import sys


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit status 2."""


def note(text: str, quiet: bool) -> None:
    """A progress line on stderr (unless --quiet)."""
    if not quiet:
        print(text, file=sys.stderr)
