"""Input and output (NumPy's reference manual): .npy/.npz files and text formatting.

Files hold host data, so saving copies the arrays to the host and loading copies them to
a device: both are explicit transfers, in NumPy's formats (numpy.save/numpy.load write and
read them). Printing goes through NumPy's printer (repr copies the data to the host), so
NumPy's print options are pyMIC2's.
"""

import collections.abc

import numpy

from . import _core, _creation

__all__ = ["get_printoptions", "load", "printoptions", "save", "savez", "savez_compressed",
           "set_printoptions"]

get_printoptions = numpy.get_printoptions
set_printoptions = numpy.set_printoptions
printoptions = numpy.printoptions


def _host(value):
    return value.get() if isinstance(value, _core.ndarray) else numpy.asarray(value)


def save(file, arr, allow_pickle=False):
    """Writes arr (a device array or host data) to a .npy file (copied to the host first)."""
    numpy.save(file, _host(arr), allow_pickle=allow_pickle)


def savez(file, *args, **kwds):
    numpy.savez(file, *(_host(a) for a in args), **{k: _host(v) for k, v in kwds.items()})


def savez_compressed(file, *args, **kwds):
    numpy.savez_compressed(file, *(_host(a) for a in args),
                           **{k: _host(v) for k, v in kwds.items()})


class DeviceNpzFile(collections.abc.Mapping):
    """An .npz archive whose arrays are copied to a device when read (NumPy's NpzFile with
    device arrays); close it, or use it in a with statement."""

    def __init__(self, archive, device, stream):
        self._archive, self._device, self._stream = archive, device, stream

    @property
    def files(self):
        return self._archive.files

    def __getitem__(self, key):
        return _creation.asarray(self._archive[key], device=self._device, stream=self._stream)

    def __iter__(self):
        return iter(self._archive)

    def __len__(self):
        return len(self._archive)

    def close(self):
        self._archive.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def load(file, mmap_mode=None, allow_pickle=False, *, device=None, stream=None):
    """A .npy file as a device array (on device or the stream's device), or a .npz archive as
    a DeviceNpzFile of them. Object arrays (allow_pickle) cannot live on a device."""
    if mmap_mode is not None:
        raise TypeError("load: mmap_mode maps a file into host memory; device arrays are "
                        "copies (load without it)")
    data = numpy.load(file, allow_pickle=allow_pickle)
    if isinstance(data, numpy.lib.npyio.NpzFile):
        return DeviceNpzFile(data, device, stream)
    return _creation.asarray(data, device=device, stream=stream)
