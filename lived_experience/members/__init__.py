"""Membership terms, DBS checks, expenses and safe contact."""
