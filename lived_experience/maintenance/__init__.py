"""Health checks, backups and restores."""
