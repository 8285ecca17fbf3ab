"""Feedback items and the "you said, we did" loop."""
