"""enable(): teach Chainer 7.8.1 about pymic2.ndarray.

Chainer has no registration hook for a new array type; it decides what an array is, where it
lives and how it moves in the module-level functions below. Each is replaced by a wrapper that
handles pymic2 arrays and hands everything else to Chainer's original, so NumPy (and CuPy,
ChainerX) models keep working unchanged in the same process.
"""

import numpy

import pymic2

from . import _device_functions, _fused, _layers, _more_functions, _rnn, _windows_nd  # noqa: F401
from ._device import PREFIX, PyMIC2Device, chainer, parse_specifier

from chainer import backend, optimizer  # noqa: E402 - chainer is imported by _device
from chainer.backends import _cpu  # noqa: E402
from chainer.serializers import npz  # noqa: E402

_enabled = False


def _unwrap(value):
    return value.array if isinstance(value, chainer.Variable) else value


def _patch_array_types():
    # get_array_types() lists what a Variable may hold and what a Link's params/persistents
    # are. pymic2 arrays are not CPU arrays: get_cpu_array_types() stays as it is.
    chainer._load_array_types()
    if pymic2.ndarray not in chainer._array_types:
        chainer._array_types = chainer._array_types + (pymic2.ndarray,)


def _patch_is_arrays_compatible(original):
    def is_arrays_compatible(arrays):
        arrays = [a for a in arrays if a is not None]
        if any(isinstance(a, pymic2.ndarray) for a in arrays):
            return all(isinstance(a, pymic2.ndarray) and a.device == arrays[0].device
                       for a in arrays)
        return original(arrays)

    chainer.is_arrays_compatible = is_arrays_compatible


def _patch_get_array_module(original):
    def get_array_module(*args):
        if any(isinstance(_unwrap(a), pymic2.ndarray) for a in args):
            return pymic2
        return original(*args)

    backend.get_array_module = get_array_module


def _patch_get_device_from_array(original):
    def get_device_from_array(*arrays):
        # Chainer's rule: the first array that is not a NumPy array decides.
        for array in arrays:
            if isinstance(array, pymic2.ndarray):
                return PyMIC2Device(array.device)
            if not isinstance(array, numpy.ndarray):
                device = original(array)
                if device != backend.CpuDevice():
                    return device
        return original(*arrays)

    backend.get_device_from_array = get_device_from_array


def _patch_get_device(original):
    def get_device(device_spec):
        device = parse_specifier(device_spec)
        return original(device_spec) if device is None else device

    get_device.__doc__ = (original.__doc__ or "") + (
        f"\n    pyMIC2 (after pymic2.chainer.enable()): '{PREFIX}' (the default device) or "
        f"'{PREFIX}:<selector>', e.g. '{PREFIX}:host:0', '{PREFIX}:opencl:0'.\n")
    backend.get_device = get_device
    chainer.get_device = get_device


def _patch_array_to_cpu(original):
    def _array_to_cpu(array):
        if isinstance(array, pymic2.ndarray):
            return array.get()
        return original(array)

    _cpu._array_to_cpu = _array_to_cpu


def _patch_copyto(original):
    def copyto(dst, src):
        if isinstance(dst, pymic2.ndarray):
            device = PyMIC2Device(dst.device)
            dst[...] = device.send_array(src)
        elif isinstance(src, pymic2.ndarray):
            original(dst, src.get())
        else:
            original(dst, src)

    backend.copyto = copyto


def _patch_update_core(original):
    # UpdateRule.update_core sends every device whose xp is not numpy or chainerx to
    # update_core_gpu (CUDA kernels). Chainer's CPU update rules are written with in-place
    # array operators and numpy functions, which pymic2 arrays run on the device
    # (__array_ufunc__ / __array_function__), so pyMIC2 parameters take the CPU path, or
    # one fused device command for the rules _fused covers (SGD, MomentumSGD, NesterovAG,
    # Adam).
    def update_core(self, param):
        device = param.device
        if isinstance(device, PyMIC2Device):
            if not _fused.fused_update(self, param):
                with chainer.using_device(device):
                    self.update_core_cpu(param)
        else:
            original(self, param)

    optimizer.UpdateRule.update_core = update_core


def _patch_npz_deserializer(original):
    # The original copies into NumPy, CuPy, ChainerX and iDeep arrays and converts
    # anything else with type(value)(dataset); a pymic2 array needs an upload.
    def __call__(self, key, value):
        if not isinstance(value, pymic2.ndarray):
            return original(self, key, value)
        # With value=None the original applies its key, strict and ignore_names rules and
        # returns the stored array, or None when this value is not to be loaded.
        dataset = original(self, key, None)
        if dataset is None:
            return value
        dataset = numpy.asarray(dataset)
        if dataset.shape != value.shape:
            raise ValueError(f"npz entry {self.path + key.lstrip('/')!r} has shape "
                             f"{dataset.shape}, the {value.device.name} array to load it into "
                             f"has shape {value.shape}")
        value[...] = pymic2.asarray(dataset.astype(value.dtype, casting="same_kind"),
                                    device=value.device)
        return value

    npz.NpzDeserializer.__call__ = __call__


def enable():
    """Makes Chainer accept pymic2.ndarray as a device array; idempotent.

    After this call chainer.get_device('@pymic2'), '@pymic2:host:0' or '@pymic2:opencl:0'
    gives a PyMIC2Device; model.to_device(...), Variable.to_device, to_cpu, optimizers,
    initializers and npz save/load work with pymic2 arrays. Patched in Chainer (each wrapper
    passes other arrays to Chainer's own code):
    chainer._array_types, chainer.is_arrays_compatible, chainer.get_device,
    backend.get_array_module / get_device_from_array / get_device / copyto,
    backends._cpu._array_to_cpu, optimizer.UpdateRule.update_core and
    serializers.npz.NpzDeserializer.__call__, and the CPU methods of the Chainer functions
    listed in _device_functions, _layers, _windows_nd and _more_functions (NumPy-only code,
    replaced by device code for pymic2 inputs; _layers also wraps batch normalization's
    GeneralBatchNormalizationImpl methods and _apply_bn_fwd, and Convolution2DGradW.__init__,
    see its install()), and n_step_lstm_base / n_step_rnn_base (whole-sequence layers, _rnn).
    """
    global _enabled
    if _enabled:
        return
    _patch_array_types()
    _patch_is_arrays_compatible(chainer.is_arrays_compatible)
    _patch_get_array_module(backend.get_array_module)
    _patch_get_device_from_array(backend.get_device_from_array)
    _patch_get_device(backend.get_device)
    _patch_array_to_cpu(_cpu._array_to_cpu)
    _patch_copyto(backend.copyto)
    _patch_update_core(optimizer.UpdateRule.update_core)
    _patch_npz_deserializer(npz.NpzDeserializer.__call__)
    _device_functions.install()
    _layers.install()
    _rnn.install()
    _enabled = True


def is_enabled():
    return _enabled
