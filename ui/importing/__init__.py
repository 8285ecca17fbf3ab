"""The applicant spreadsheet import wizard (``open_import_wizard``)."""
