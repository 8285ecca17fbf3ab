"""Commissioned services, commissioning cycles and decisions."""
