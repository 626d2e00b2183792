"""The screenshot walks behind scripts/walkthrough.py: presets (default), projector (cut-text audit), cellview, deck."""
