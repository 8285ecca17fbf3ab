"""Recruitment windows, applicants, eligibility and the pipeline."""
