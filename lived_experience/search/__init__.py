"""Search everywhere: one box that finds people, applications, meetings, feedback,
services and recruitment windows by any word, as you type."""
