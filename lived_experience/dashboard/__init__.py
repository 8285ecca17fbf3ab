"""What needs doing today."""
