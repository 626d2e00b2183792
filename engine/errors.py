"""Exceptions the window's process also names (torch-free)."""


class SessionError(Exception):
    """A session file could not be read or written; the message says why and what to do."""
