"""pymic2.lib: NumPy's numpy.lib helpers that work on device arrays (stride_tricks). The
directory also holds libpymic2.so for C programs (pymic2.get_lib())."""

from . import stride_tricks

__all__ = ["stride_tricks"]
