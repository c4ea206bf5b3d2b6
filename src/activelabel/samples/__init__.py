"""Small sample data sets for demos and tests, one module per task kind.

Each module offers ``make_sample(folder, n, seed) -> Path``: it writes import-ready data into
``folder`` (generated, or copied from the package's bundled files) and returns what to import.
"""
