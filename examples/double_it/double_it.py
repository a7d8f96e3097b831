"""double_it.py - pyMIC's first example: double an array with a user kernel on the device.

Build the kernel library first (`make -C examples PYTHON=.venv/bin/python`), then run
`python examples/double_it/double_it.py`. The library is found through PYMIC2_LIBRARY_PATH
when that is set, otherwise beside this script.
"""
import os
import sys

import numpy as np

import pymic2 as pymic


def library_name(filename):
    """The bare name when a library search path is set, else the copy beside this script."""
    if os.environ.get("PYMIC2_LIBRARY_PATH") or os.environ.get("PYMIC_LIBRARY_PATH"):
        return filename
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), filename)


def main():
    device = pymic.default_device()  # PYMIC2_DEVICE, else host:0 (pyMIC: pymic.devices[0])
    library = device.load_library(library_name("libdouble_it.so"))
    stream = device.get_default_stream()

    values = np.arange(1, 33, dtype=np.int64)
    expected = values * 2

    print("device:", repr(device))
    print("input: ", values)
    offload_values = stream.bind(values)  # allocates on the device and copies values there
    stream.invoke(library.doubleit_kernel, offload_values, values.size)
    offload_values.update_host()  # copies the device array back into `values`
    stream.sync()
    print("output:", values)

    if not np.array_equal(values, expected):
        print("FAILED: the device result differs from 2 * input", file=sys.stderr)
        return 1
    print("check: every element doubled, as NumPy computes it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
