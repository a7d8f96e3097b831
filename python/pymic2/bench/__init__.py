"""pyMIC2's benchmarks: `python -m pymic2.bench SUBCOMMAND --help`.

They write CSV files for later comparison and print a summary; they are measurements, not
tests, and check only that the operations they time produced the right data.
"""
