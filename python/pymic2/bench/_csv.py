"""The benchmarks' one way of writing their results: CSV files, and pyplot for their PNGs."""
import csv
import os


def write_csv(path, rows, columns, float_format=".6g"):
    """Writes rows (dicts) under the given columns, creating the directory; floats are
    formatted with float_format, missing values left empty."""
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns, restval="")
        writer.writeheader()
        for entry in rows:
            writer.writerow({key: format(value, float_format) if isinstance(value, float)
                             else value for key, value in entry.items()})


def pyplot(log=print):
    """matplotlib.pyplot on the file-only Agg backend, or None (saying so through log) when
    matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("plots skipped: matplotlib is not installed (it is in requirements-dev.txt)")
        return None
    return plt
