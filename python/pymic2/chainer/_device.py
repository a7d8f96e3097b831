"""PyMIC2Device: a Chainer device whose arrays are pymic2.ndarray on one pyMIC2 device."""

import numpy

import pymic2

from ._numpy2 import import_chainer

chainer = import_chainer()
from chainer import _backend  # noqa: E402 - Chainer is importable only after the shim
from chainer.backends import _cpu  # noqa: E402

PREFIX = "@pymic2"

# The Chainer module's own conversion to NumPy, kept before enable() extends it.
_chainer_array_to_cpu = _cpu._array_to_cpu


class PyMIC2Device(_backend.Device):
    """Chainer's view of a pyMIC2 device: `xp` is the pymic2 namespace, arrays are
    pymic2.ndarray. Obtain one with chainer.get_device("@pymic2:host:0") after
    pymic2.chainer.enable(), or PyMIC2Device(pymic2.get_device("host:0"))."""

    xp = pymic2
    supported_array_types = (pymic2.ndarray,)

    def __init__(self, device=None):
        self.device = pymic2.get_device(device)

    @property
    def name(self):
        return f"{PREFIX}:{self.device.name}"

    @staticmethod
    def from_array(array):
        if isinstance(array, pymic2.ndarray):
            return PyMIC2Device(array.device)
        return None

    def __eq__(self, other):
        return isinstance(other, PyMIC2Device) and other.device == self.device

    __hash__ = _backend.Device.__hash__

    def __repr__(self):
        return f"<PyMIC2Device {self.device.name}>"

    def send_array(self, array):
        """The array in this device's memory: a pymic2 array already here is returned as
        is (as Chainer's other devices do), one on another device is copied, anything else
        (NumPy, CuPy, ChainerX, scalars) goes through host memory."""
        if isinstance(array, pymic2.ndarray):
            if array.device == self.device:
                return array
            return pymic2.to_device(array, self.device)
        host = _chainer_array_to_cpu(array)
        return pymic2.asarray(numpy.asarray(host, order="C"), device=self.device)

    def is_array_supported(self, array):
        return isinstance(array, pymic2.ndarray) and array.device == self.device

    def create_context(self):
        """chainer.using_device(): Chainer runs each function inside it, and its code makes
        new arrays with xp.empty(...) and no device: this device becomes the default one."""
        return pymic2.using_device(self.device)


def parse_specifier(spec):
    """The PyMIC2Device for '@pymic2' (the default device) or '@pymic2:<selector>'
    ('@pymic2:host:0', '@pymic2:opencl:0', '@pymic2:1'); None for other specifiers."""
    if not isinstance(spec, str) or not (spec == PREFIX or spec.startswith(PREFIX + ":")):
        return None
    selector = spec[len(PREFIX) + 1:]
    if spec.endswith(":"):
        raise ValueError(f"device specifier {spec!r} has an empty pyMIC2 selector "
                         f"(use {PREFIX!r} or e.g. '{PREFIX}:host:0')")
    try:
        return PyMIC2Device(selector or None)
    except (ValueError, LookupError, pymic2.OffloadError) as error:
        raise ValueError(f"device specifier {spec!r}: {error}") from error
