"""The command line: a contract other tools and checks drive the app through."""
