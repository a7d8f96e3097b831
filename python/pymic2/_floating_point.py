"""Floating-point error handling (NumPy's reference manual): errstate, seterr, geterr,
seterrcall and geterrcall are NumPy's own.

Device ops never warn or raise for floating-point errors (division by zero, overflow,
invalid operations give inf and NaN as IEEE 754 says): the error state is not consulted on
the device, as CuPy's kernels do not consult it. Host-side arithmetic of pyMIC2 (on scalars,
shapes and parameters) follows NumPy's state as usual.
"""

import numpy

__all__ = ["errstate", "geterr", "geterrcall", "seterr", "seterrcall"]

errstate = numpy.errstate
geterr = numpy.geterr
seterr = numpy.seterr
geterrcall = numpy.geterrcall
seterrcall = numpy.seterrcall
