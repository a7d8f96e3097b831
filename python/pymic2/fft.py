"""pymic2.fft: the namespace of NumPy's numpy.fft (and the array API's fft extension) on
device arrays. It is empty until FFT lands: every function is an AttributeError naming it
(as for any function pymic2 lacks), and numpy.fft.fft(device_array) raises TypeError naming
numpy.fft.fft; neither runs on the host.
"""

__all__ = []


def __getattr__(name):
    raise AttributeError(f"pymic2.fft has no {name!r}: numpy.fft.{name} is not implemented "
                         "on the device yet")
