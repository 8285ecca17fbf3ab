"""People: one row per human, across applications and terms."""
