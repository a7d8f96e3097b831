"""NumPy's protocols on device arrays: __array_ufunc__ and __array_function__ (NumPy's
functions run on the device through pymic2's own), __array_namespace__ (the array API),
DLPack, and the one explicit door to the host (.get(); __array__ refuses).

Dispatch never falls back to NumPy on the host: a function pymic2 does not implement raises
TypeError naming it. Implementations are found by name in the array namespace (_namespace).
"""

import functools
import inspect

import numpy

from . import _core, _creation, _namespace
from . import numpy as _array_namespace

#: NumPy functions (module.name) dispatched by __array_function__ -> pymic2 name (a dotted
#: name looks in a submodule: "linalg.norm" is pymic2.linalg.norm). The one table of what runs.
#: NumPy's aliases (permute_dims, concat) are the same function objects as transpose and
#: concatenate, so they dispatch through those rows.
FUNCTIONS = {
    # creation and movement (numpy.zeros(..., like=device_array) and the like: NEP 35)
    "numpy.array": "array", "numpy.asarray": "asarray", "numpy.empty": "empty",
    "numpy.zeros": "zeros", "numpy.ones": "ones", "numpy.full": "full",
    "numpy.arange": "arange", "numpy.linspace": "linspace", "numpy.eye": "eye",
    "numpy.identity": "identity",
    "numpy.empty_like": "empty_like", "numpy.zeros_like": "zeros_like",
    "numpy.ones_like": "ones_like", "numpy.full_like": "full_like", "numpy.copy": "copy",
    "numpy.where": "where", "numpy.astype": "astype",
    # views and joining
    "numpy.reshape": "reshape", "numpy.ravel": "ravel", "numpy.transpose": "transpose",
    "numpy.matrix_transpose": "matrix_transpose",
    "numpy.swapaxes": "swapaxes", "numpy.moveaxis": "moveaxis", "numpy.rollaxis": "rollaxis",
    "numpy.squeeze": "squeeze", "numpy.expand_dims": "expand_dims", "numpy.flip": "flip",
    "numpy.broadcast_to": "broadcast_to", "numpy.broadcast_arrays": "broadcast_arrays",
    "numpy.concatenate": "concatenate", "numpy.stack": "stack",
    "numpy.hstack": "hstack", "numpy.vstack": "vstack", "numpy.atleast_1d": "atleast_1d",
    "numpy.atleast_2d": "atleast_2d", "numpy.atleast_3d": "atleast_3d",
    "numpy.shape": "shape", "numpy.ndim": "ndim", "numpy.size": "size",
    "numpy.result_type": "result_type", "numpy.can_cast": "can_cast",
    # copies that rearrange, building matrices, ranges (_rearranging, _building)
    "numpy.tile": "tile", "numpy.repeat": "repeat", "numpy.resize": "resize",
    "numpy.array_split": "array_split", "numpy.split": "split", "numpy.hsplit": "hsplit",
    "numpy.vsplit": "vsplit", "numpy.dsplit": "dsplit", "numpy.dstack": "dstack",
    "numpy.column_stack": "column_stack", "numpy.append": "append",
    "numpy.delete": "delete", "numpy.insert": "insert", "numpy.trim_zeros": "trim_zeros",
    "numpy.flipud": "flipud", "numpy.fliplr": "fliplr", "numpy.rot90": "rot90",
    "numpy.roll": "roll", "numpy.pad": "pad", "numpy.diff": "diff",
    "numpy.ediff1d": "ediff1d", "numpy.logspace": "logspace",
    "numpy.gradient": "gradient", "numpy.cross": "cross", "numpy.trapezoid": "trapezoid",
    "numpy.convolve": "convolve", "numpy.correlate": "correlate", "numpy.interp": "interp",
    "numpy.geomspace": "geomspace", "numpy.meshgrid": "meshgrid",
    "numpy.indices": "indices", "numpy.fromfunction": "fromfunction",
    "numpy.diagonal": "diagonal", "numpy.trace": "trace", "numpy.diag": "diag",
    "numpy.diagflat": "diagflat", "numpy.tri": "tri", "numpy.tril": "tril",
    "numpy.triu": "triu", "numpy.vander": "vander",
    "numpy.ascontiguousarray": "ascontiguousarray",
    "numpy.asfortranarray": "asfortranarray", "numpy.ptp": "ptp",
    # NaN-ignoring reductions, averages, correlation, histograms
    "numpy.nan_to_num": "nan_to_num",
    "numpy.nanargmax": "nanargmax", "numpy.nanargmin": "nanargmin",
    "numpy.nancumprod": "nancumprod", "numpy.nancumsum": "nancumsum",
    "numpy.nanmax": "nanmax", "numpy.nanmean": "nanmean", "numpy.nanmin": "nanmin",
    "numpy.nanprod": "nanprod", "numpy.nanstd": "nanstd", "numpy.nansum": "nansum",
    "numpy.nanvar": "nanvar", "numpy.average": "average", "numpy.corrcoef": "corrcoef",
    "numpy.cov": "cov", "numpy.bincount": "bincount", "numpy.digitize": "digitize",
    "numpy.histogram": "histogram", "numpy.histogram2d": "histogram2d",
    "numpy.histogram_bin_edges": "histogram_bin_edges", "numpy.histogramdd": "histogramdd",
    # logic, functional programming, I/O
    "numpy.array_equiv": "array_equiv", "numpy.iscomplexobj": "iscomplexobj",
    "numpy.isrealobj": "isrealobj", "numpy.apply_along_axis": "apply_along_axis",
    "numpy.apply_over_axes": "apply_over_axes", "numpy.piecewise": "piecewise",
    "numpy.save": "save", "numpy.savez": "savez",
    "numpy.savez_compressed": "savez_compressed",
    # math (the math surface: _math, _statistics, _linalg)
    "numpy.clip": "clip", "numpy.around": "round", "numpy.round": "round", "numpy.fix": "fix",
    "numpy.isposinf": "isposinf", "numpy.isneginf": "isneginf",
    "numpy.real": "real", "numpy.imag": "imag", "numpy.angle": "angle",
    "numpy.isreal": "isreal", "numpy.iscomplex": "iscomplex",
    "numpy.real_if_close": "real_if_close", "numpy.sinc": "sinc", "numpy.i0": "i0",
    "numpy.unwrap": "unwrap",
    "numpy.sum": "sum", "numpy.prod": "prod", "numpy.max": "max", "numpy.amax": "max",
    "numpy.min": "min", "numpy.amin": "min", "numpy.mean": "mean", "numpy.var": "var",
    "numpy.std": "std", "numpy.all": "all", "numpy.any": "any",
    "numpy.count_nonzero": "count_nonzero", "numpy.argmax": "argmax", "numpy.argmin": "argmin",
    "numpy.cumsum": "cumsum", "numpy.cumprod": "cumprod", "numpy.cumulative_sum":
    "cumulative_sum", "numpy.cumulative_prod": "cumulative_prod", "numpy.dot": "dot",
    "numpy.vdot": "vdot", "numpy.inner": "inner", "numpy.outer": "outer",
    "numpy.tensordot": "tensordot",
    # numpy.linalg (pymic2.linalg: the LINALG family's factorisations, the routines composed
    # of them, and the products numpy.linalg shares with the main namespace)
    **{f"numpy.linalg.{name}": f"linalg.{name}" for name in (
        "cholesky", "cond", "cross", "det", "diagonal", "eig", "eigh", "eigvals", "eigvalsh",
        "inv", "lstsq", "matmul", "matrix_norm", "matrix_power", "matrix_rank",
        "matrix_transpose", "multi_dot", "norm", "outer", "pinv", "qr", "slogdet", "solve",
        "svd", "svdvals", "tensordot", "tensorinv", "tensorsolve", "trace", "vecdot",
        "vector_norm")},
    "numpy.einsum": "einsum", "numpy.kron": "kron",
    "numpy.allclose": "allclose", "numpy.isclose": "isclose",
    "numpy.array_equal": "array_equal",
    # indexing (the indexing surface: _indexing)
    "numpy.take": "take", "numpy.put": "put", "numpy.nonzero": "nonzero",
    "numpy.argwhere": "argwhere", "numpy.flatnonzero": "flatnonzero",
    "numpy.compress": "compress", "numpy.take_along_axis": "take_along_axis",
    # sorting, searching, sets and order statistics (_sorting)
    "numpy.sort": "sort", "numpy.argsort": "argsort", "numpy.searchsorted": "searchsorted",
    "numpy.partition": "partition", "numpy.argpartition": "argpartition",
    "numpy.lexsort": "lexsort", "numpy.sort_complex": "sort_complex",
    "numpy.unique": "unique", "numpy.unique_all": "unique_all",
    "numpy.unique_counts": "unique_counts", "numpy.unique_inverse": "unique_inverse",
    "numpy.unique_values": "unique_values", "numpy.isin": "isin",
    "numpy.intersect1d": "intersect1d", "numpy.union1d": "union1d",
    "numpy.setdiff1d": "setdiff1d", "numpy.setxor1d": "setxor1d", "numpy.median": "median",
    "numpy.percentile": "percentile", "numpy.quantile": "quantile",
    "numpy.nanmedian": "nanmedian", "numpy.nanpercentile": "nanpercentile",
    "numpy.nanquantile": "nanquantile",
    # numpy.fft (fftfreq and rfftfreq take no array: device= makes them here)
    **{f"numpy.fft.{name}": f"fft.{name}" for name in (
        "fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2",
        "fftn", "ifftn", "rfftn", "irfftn", "fftshift", "ifftshift")},
}

#: ufunc methods the pymic2 ufunc object has not (ufunc.reduce and ufunc.accumulate are its
#: own, through the core's mapping _core.UFUNC_REDUCE and _core.UFUNC_ACCUMULATE).
UFUNC_METHODS = {("add", "at"): "add_at"}

#: ufunc keyword values that ask for nothing beyond the default and are dropped.
_DEFAULT_UFUNC_KWARGS = {"where": True, "casting": "same_kind", "order": "K", "subok": True,
                         "signature": None, "initial": numpy._NoValue}


def _is_pymic2_ufunc(value):
    return type(value).__module__.startswith("pymic2.")


#: NumPy ufunc -> the pymic2 function of its name (None: none), filled as they are called.
_UFUNC_IMPLEMENTATIONS = {}
_PLAIN_SCALARS = (bool, int, float, complex)


def _plain_call(ufunc, inputs):
    """The implementation of a keyword-free ufunc call whose inputs are device arrays and
    Python scalars only (no foreign type to give its turn to), or None for the full path."""
    for value in inputs:
        if not isinstance(value, _core.ndarray) and type(value) not in _PLAIN_SCALARS:
            return None
    try:
        return _UFUNC_IMPLEMENTATIONS[ufunc]
    except KeyError:
        return _UFUNC_IMPLEMENTATIONS.setdefault(ufunc, _namespace.lookup(ufunc.__name__))


def _not_implemented(what):
    return TypeError(f"{what} is not implemented on pymic2 device arrays (no host fallback: "
                     "copy the data to NumPy with .get() to run it on the host)")


def _involves_foreign_types(values):
    """True if a value has a type that takes part in NumPy's protocols but is neither ours
    nor NumPy's: then it gets its turn (NotImplemented)."""
    for value in values:
        kind = type(value)
        if isinstance(value, (_core.ndarray, numpy.ndarray, numpy.generic)):
            continue
        if getattr(kind, "__array_ufunc__", None) is not None and \
                hasattr(kind, "__array_function__"):
            return True
    return False


@functools.lru_cache(maxsize=None)
def _accepted_keywords(function):
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return None  # not introspectable: pass everything
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    return frozenset(p.name for p in parameters if p.kind in (p.KEYWORD_ONLY,
                                                              p.POSITIONAL_OR_KEYWORD))


def _call_with(function, what, args, kwargs):
    accepted = _accepted_keywords(function)
    if accepted is not None:
        unsupported = sorted(k for k in kwargs if k not in accepted)
        if unsupported:
            raise TypeError(f"{what}: pymic2 does not support the argument(s) "
                            f"{', '.join(unsupported)} on device arrays")
    return function(*args, **kwargs)


class _ProtocolMethods:
    """ndarray's NumPy protocols."""

    __slots__ = ()

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"{type(self).__name__} lives in device memory and is not converted "
                        "implicitly; call .get() (or OffloadArray.update_host()) for a NumPy copy")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__" and not kwargs:  # numpy.exp(a), a + numpy_scalar: no checks
            implementation = _plain_call(ufunc, inputs)
            if implementation is not None:
                return implementation(*inputs)
        out = kwargs.get("out", ())
        if _involves_foreign_types(inputs + tuple(out)):
            return NotImplemented
        name = ufunc.__name__
        what = f"numpy.{name}" if method == "__call__" else f"numpy.{name}.{method}"
        implementation = _namespace.lookup(name)
        if method != "__call__":
            implementation = getattr(implementation, method, None) if \
                _is_pymic2_ufunc(implementation) else None
            if implementation is None and (name, method) in UFUNC_METHODS:
                implementation = _namespace.lookup(UFUNC_METHODS[name, method])
            if implementation is not None and method in ("reduce", "accumulate"):
                kwargs.setdefault("axis", 0)  # the ufunc methods' default, not None
        if implementation is None:
            raise _not_implemented(what)
        kwargs = {k: v for k, v in kwargs.items()
                  if not (k in _DEFAULT_UFUNC_KWARGS and v is _DEFAULT_UFUNC_KWARGS[k])
                  and not (k == "where" and v is True)}
        if "out" in kwargs:
            if len(out) != ufunc.nout:
                raise TypeError(f"{what}: {ufunc.nout} output array(s), not {len(out)}")
            for value in out:
                if value is not None and not isinstance(value, _core.ndarray):
                    raise TypeError(f"{what}: out must be a pymic2 array, not "
                                    f"{type(value).__name__}")
            if all(value is None for value in out):
                del kwargs["out"]
            else:  # one array for one output (divmod takes its two as a tuple)
                kwargs["out"] = out[0] if ufunc.nout == 1 else tuple(out)
        return _call_with(implementation, what, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        if not all(issubclass(t, (_core.ndarray, numpy.ndarray)) for t in types):
            return NotImplemented
        what = f"{func.__module__}.{func.__name__}"
        name = FUNCTIONS.get(what)
        implementation = None if name is None else _namespace.lookup(name)
        if implementation is None:
            raise _not_implemented(what)
        return _call_with(implementation, what, args, kwargs)

    def __array_namespace__(self, *, api_version=None):
        supported = _array_namespace.SUPPORTED_API_VERSIONS
        if api_version is not None and api_version not in supported:
            raise ValueError(f"array API version {api_version!r} is not supported (supported: "
                             f"{', '.join(supported)})")
        return _array_namespace

    # ------------------------------------------------------------ DLPack

    def __dlpack_device__(self):
        """(device type, id): kDLCPU (1, 0) for the host backend, whose device memory is
        CPU memory of this process; kDLOpenCL (4, n) for OpenCL devices."""
        core = self._device
        if core.backend == "host":
            return (1, 0)
        if core.backend == "opencl":
            return (4, core.backend_index)
        raise BufferError(f"{core.name}: no DLPack device type for backend {core.backend}")

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        """A DLPack capsule of the array's memory (zero copy unless copy=True).

        stream: None synchronises the array's stream and the thread's current stream of its
        device first (a CPU consumer has no stream to order against, so the data must be
        complete); -1 asks for no synchronisation.
        """
        if stream is not None and stream != -1:
            raise ValueError(f"__dlpack__: a kDLCPU consumer passes stream=None (or -1), not "
                             f"{stream!r}")
        if dl_device is not None and tuple(dl_device) != self.__dlpack_device__():
            raise BufferError(f"__dlpack__: cannot export {self._device.name} memory to "
                              f"DLPack device {tuple(dl_device)}")
        source = self
        if copy:
            source = self.copy()
        if stream is None or copy:
            self._stream.sync()
            if self._op_stream is not self._stream:
                self._op_stream.sync()  # its errors: the array's ops ran there
            source.buffer.sync()  # and the commands of other streams that used it
        versioned = max_version is not None and tuple(max_version)[0] >= 1
        return _core.dlpack_export(source, versioned, bool(copy))

    def to_device(self, device, /, *, stream=None):
        return _creation.to_device(self, device, stream)
