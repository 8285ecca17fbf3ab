"""Documents that leave the app: workbooks, PDFs, calendar files. Each carries the
protective marking and each export is audited."""
