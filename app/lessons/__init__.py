"""Lecture > Lessons: lesson files found and loaded, the lesson pane, remembered progress, the handout."""
