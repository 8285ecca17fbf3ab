"""Importing applicant spreadsheets (Microsoft Forms, Google Forms, hand-typed sheets).

The pieces, in the order an import uses them:

- ``safety``: refuse hostile or broken files before anything parses them
  (zip bombs, XML entity bombs, password-protected and corrupt files).
- ``readers``: read .xlsx/.xlsm (python-calamine) and .csv (any common encoding
  and delimiter), choose the sheet with the data and find the header row.
- ``headers``: match headers to fields by meaning, and saved mappings (profiles).
- ``dates`` / ``validate``: turn each row into clean values and plain-English problems.
- ``service``: the preview (duplicates, "what changed since last time") and the
  commit (one transaction, bulk inserts, an ``ImportBatch`` and audit events).
- ``report``: the rejected rows as a workbook to fix and re-import.
"""
