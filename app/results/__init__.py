"""Classic results in the app: the figure of a reproduction, its export, the CLI and the window's dialog."""
