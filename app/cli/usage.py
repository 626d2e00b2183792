"""Bad command-line input: one line on stderr, exit status 2 (shared by every CLI module)."""


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit status 2."""
