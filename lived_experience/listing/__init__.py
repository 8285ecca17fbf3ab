"""Every list in the app, described once as data.

A ``ListSpec`` says which columns a list has, how to filter, sort and search
it, and who may see which column. The same spec serves the CLI (``list ...
--json``), the window's tables (paged Qt models), search and "Export to Excel".
"""
