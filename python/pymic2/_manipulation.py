"""Shape manipulation: views without copies (reshape, transpose, squeeze, expand_dims,
broadcast_to, flip, ...), dtype promotion queries, and the ndarray methods of that area
(_ManipulationMethods: host transfers, copies, conversions, views). Joining (concatenate,
stack) makes new arrays and lives in _creation.

A view is a new (offset, shape, strides) on the same buffer (_core.ndarray._view checks its
bounds); writing through it changes the base. Broadcast views have zero strides: like NumPy's
they should be read, not written.
"""

import builtins
import numbers
import operator

import numpy

from . import _core, _dtypes, _operands

__all__ = [
    "broadcast_shapes", "broadcast_to", "expand_dims", "flip", "iscomplexobj", "isrealobj",
    "matrix_transpose", "moveaxis", "ndim", "permute_dims", "ravel", "reshape", "rollaxis",
    "shape", "size", "squeeze", "swapaxes", "transpose", "result_type", "can_cast",
]

_elementwise = _core.elementwise
AxisError = numpy.exceptions.AxisError


def normalize_axis(axis, ndim):
    """axis in [-ndim, ndim) as a non-negative int; AxisError otherwise."""
    index = operator.index(axis)
    if not -ndim <= index < ndim:
        raise AxisError(index, ndim)
    return index % ndim if ndim else index


def along(axis, ndim, index):
    """A subscript selecting index (an int or slice) on one axis of ndim."""
    return (slice(None),) * axis + (index,) + (slice(None),) * (ndim - axis - 1)


def normalize_axes(axis, ndim, what="axis"):
    axes = (axis,) if isinstance(axis, (numbers.Integral, numpy.integer)) else tuple(axis)
    axes = tuple(normalize_axis(a, ndim) for a in axes)
    if len(set(axes)) != len(axes):
        raise ValueError(f"repeated {what} in {tuple(axis)}")
    return axes


def _view_strides(shape, strides, new_shape):
    """Strides that show a C-order reshape of (shape, strides) into new_shape without a
    copy, or None if the layout does not allow it. Dimensions of the old shape are grouped
    with runs of the new one of equal product; each old group must be contiguous."""
    old = [(n, s) for n, s in zip(shape, strides) if n != 1]
    new_strides = [0] * len(new_shape)
    i = j = 0
    while i < len(old) and j < len(new_shape):
        i_end, j_end = i + 1, j + 1
        old_product, new_product = old[i][0], new_shape[j]
        while old_product != new_product:
            if new_product < old_product:
                new_product *= new_shape[j_end]
                j_end += 1
            else:
                old_product *= old[i_end][0]
                i_end += 1
        for k in range(i, i_end - 1):
            if old[k][1] != old[k + 1][1] * old[k + 1][0]:
                return None
        new_strides[j_end - 1] = old[i_end - 1][1]
        for k in range(j_end - 1, j, -1):
            new_strides[k - 1] = new_strides[k] * new_shape[k]
        i, j = i_end, j_end
    return tuple(new_strides)  # trailing new dimensions have length 1: any stride will do


def _resolve_shape(shape, size):
    if isinstance(shape, (numbers.Integral, numpy.integer)):
        shape = (shape,)
    shape = tuple(operator.index(n) for n in shape)
    unknown = [i for i, n in enumerate(shape) if n == -1]
    if len(unknown) > 1:
        raise ValueError("can only specify one unknown dimension")
    if any(n < -1 for n in shape):
        raise ValueError(f"negative dimensions not allowed in shape {shape}")
    known = 1
    for n in shape:
        known *= n if n != -1 else 1
    if unknown and known > 0 and size % known == 0:
        shape = shape[:unknown[0]] + (size // known,) + shape[unknown[0] + 1:]
    if -1 in shape or _product(shape) != size:
        raise ValueError(f"cannot reshape array of size {size} into shape {shape}")
    return shape


def _product(shape):
    result = 1
    for n in shape:
        result *= n
    return result


def reshape(a, shape, order="C", *, copy=None):
    """A view with the new shape when the layout allows one (as NumPy), else a copy
    (copy=False makes that a ValueError; copy=True always copies)."""
    if order == "C" and copy is None:
        view = a._reshaped(shape)  # a contiguous array's view, made in C
        if view is not NotImplemented:
            return view
    if order not in ("C", "F", "c", "f", "A"):
        raise ValueError(f"order must be 'C', 'F' or 'A', not {order!r}")
    fortran = order in ("F", "f") or (order == "A" and a.f_contiguous and not a.c_contiguous)
    new_shape = _resolve_shape(shape, a.size)
    if copy:
        a = a.copy(order="F" if fortran else "C")
    if a.size == 0:
        strides = None
    elif fortran:
        strides = _view_strides(a.shape[::-1], a.strides[::-1], new_shape[::-1])
        strides = strides and strides[::-1]
    else:
        strides = _view_strides(a.shape, a.strides, new_shape)
    if strides is None and a.size != 0:
        if copy is False:
            raise ValueError("reshape(copy=False): the array's layout needs a copy for "
                             f"shape {new_shape}")
        a = a.copy(order="F" if fortran else "C")
        return reshape(a, new_shape, "F" if fortran else "C")
    if strides is None:
        strides = _contiguous_strides(new_shape, a.itemsize, fortran)
    return a._view(a.offset, new_shape, strides)


def _contiguous_strides(shape, itemsize, fortran=False):
    strides, step = [0] * len(shape), itemsize
    for i in (range(len(shape)) if fortran else reversed(range(len(shape)))):
        strides[i] = step
        step *= max(shape[i], 1)
    return tuple(strides)


def ravel(a, order="C"):
    return reshape(a, -1, order)


def transpose(a, axes=None):
    view = a._transposed(axes if axes is None or type(axes) is tuple else tuple(axes))
    if view is not NotImplemented:
        return view
    if axes is None:
        axes = tuple(reversed(range(a.ndim)))
    axes = tuple(normalize_axis(i, a.ndim) for i in axes)
    if sorted(axes) != list(range(a.ndim)):
        raise ValueError(f"axes {axes} are not a permutation of the array's {a.ndim} "
                         "dimensions")
    return a._view(a.offset, tuple(a.shape[i] for i in axes),
                   tuple(a.strides[i] for i in axes))


def permute_dims(x, /, axes):
    return transpose(x, axes)


def matrix_transpose(x, /):
    """The last two axes swapped (the array API's matrix transpose)."""
    if x.ndim < 2:
        raise ValueError("matrix transpose with ndim < 2 is undefined")
    return swapaxes(x, -1, -2)


def swapaxes(a, axis1, axis2):
    axes = list(range(a.ndim))
    i, j = normalize_axis(axis1, a.ndim), normalize_axis(axis2, a.ndim)
    axes[i], axes[j] = axes[j], axes[i]
    return transpose(a, axes)


def moveaxis(a, source, destination):
    source = normalize_axes(source, a.ndim, "source")
    destination = normalize_axes(destination, a.ndim, "destination")
    if len(source) != len(destination):
        raise ValueError("`source` and `destination` arguments must have the same number of "
                         "elements")
    order = [n for n in range(a.ndim) if n not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return transpose(a, order)


def rollaxis(a, axis, start=0):
    """NumPy's rollaxis: axis moves to just before start."""
    n = a.ndim
    axis = normalize_axis(axis, n)
    start = operator.index(start)
    if start < 0:
        start += n
    if not 0 <= start <= n:
        raise AxisError(f"'start' arg requires {-n} <= start < {n + 1}, but {start} was "
                        "passed in")
    if axis < start:
        start -= 1
    order = [i for i in range(n) if i != axis]
    order.insert(start, axis)
    return transpose(a, order)


def squeeze(a, axis=None):
    if axis is None:
        axes = tuple(i for i, n in enumerate(a.shape) if n == 1)
    else:
        axes = normalize_axes(axis, a.ndim)
        if any(a.shape[i] != 1 for i in axes):
            raise ValueError("cannot select an axis to squeeze out which has size not equal "
                             "to one")
    keep = [i for i in range(a.ndim) if i not in axes]
    return a._view(a.offset, tuple(a.shape[i] for i in keep), tuple(a.strides[i] for i in keep))


def expand_dims(a, axis=0):  # the array API's default; NumPy's has none
    axes = (axis,) if isinstance(axis, (numbers.Integral, numpy.integer)) else tuple(axis)
    ndim = a.ndim + len(axes)
    axes = normalize_axes(axes, ndim)
    shape, strides = iter(a.shape), iter(a.strides)
    new_shape = tuple(1 if i in axes else next(shape) for i in range(ndim))
    new_strides = tuple(0 if i in axes else next(strides) for i in range(ndim))
    return a._view(a.offset, new_shape, new_strides)


def broadcast_shapes(*shapes):
    """The broadcast shape (shape arithmetic only: NumPy's own function)."""
    return numpy.broadcast_shapes(*shapes)


def broadcast_to(array, shape, subok=False):
    """A read-only view of array with the given shape (zero strides on broadcast
    dimensions); writes raise ValueError, as NumPy's."""
    shape = (operator.index(shape),) if isinstance(shape, (numbers.Integral, numpy.integer)) \
        else tuple(operator.index(n) for n in shape)
    if len(shape) < array.ndim or any(n < 0 for n in shape):
        raise ValueError(f"cannot broadcast an array of shape {array.shape} to {shape}")
    lead = len(shape) - array.ndim
    strides = [0] * lead
    for n, have, stride in zip(shape[lead:], array.shape, array.strides):
        if have == n:
            strides.append(stride)
        elif have == 1:
            strides.append(0)
        else:
            raise ValueError(f"operands could not be broadcast together with remapped shapes "
                             f"[original->remapped]: {array.shape} and requested shape {shape}")
    view = array._view(array.offset, shape, tuple(strides))
    view._readonly = True
    return view


def flip(m, axis=None):
    """A view with the order of elements reversed along the given axes (all by default)."""
    axes = tuple(range(m.ndim)) if axis is None else normalize_axes(axis, m.ndim)
    offset, strides = m.offset, list(m.strides)
    for i in axes:
        if m.shape[i] > 0:
            offset += (m.shape[i] - 1) * strides[i]
        strides[i] = -strides[i]
    return m._view(offset, m.shape, tuple(strides))


def shape(a):
    return a.shape


def ndim(a):
    return a.ndim


def size(a, axis=None):
    return a.size if axis is None else a.shape[normalize_axis(axis, a.ndim)]


def result_type(*arrays_and_dtypes):
    """NumPy 2's promotion restricted to device dtypes (TypeError for others): metadata
    only, nothing is read from the device."""
    return _dtypes.result_type(*(numpy.dtype(v) if isinstance(v, (str, type, numpy.dtype))
                                 else v for v in arrays_and_dtypes))


def iscomplexobj(x):
    """Whether x's dtype is complex (device array, host data or a dtype's holder)."""
    return _dtype_of(x).kind == "c"


def isrealobj(x):
    return not iscomplexobj(x)


def _dtype_of(x):
    dtype = getattr(x, "dtype", None)
    return numpy.dtype(dtype) if dtype is not None else numpy.asarray(x).dtype


def can_cast(from_, to, casting="safe"):
    """NumPy's can_cast for a device array or a dtype, to a device dtype."""
    source = from_.dtype if isinstance(from_, _core.ndarray) else from_
    return numpy.can_cast(source, _dtypes.normalize(to), casting=casting)


class _ManipulationMethods:
    """ndarray methods: host transfers, copies, conversions and shape views."""

    __slots__ = ()

    # ------------------------------------------------------------ host transfers

    def get(self, stream=None, order="C"):
        """A NumPy copy of the data: copied on the stream of ops on the array (the thread's
        current stream of its device, else its own), which this waits for."""
        source = self if (self.c_contiguous or self.f_contiguous) else self.copy()
        host = numpy.empty(self.shape, self.dtype, order=source.order)
        source._to_host(host)
        source._op_stream.sync()
        return numpy.asarray(host, order=order) if order != source.order else host

    def set(self, host):
        """Copies a NumPy array (or anything numpy.asarray takes) of the same shape into this
        array, asynchronously on its stream."""
        host = numpy.asarray(host)
        if host.shape != self.shape:
            raise ValueError(f"set: host array of shape {host.shape} does not match the device "
                             f"array's shape {self.shape}")
        if self.c_contiguous or self.f_contiguous:
            self._from_host(numpy.asarray(host, dtype=self.dtype, order=self.order))
        else:
            _elementwise(_core.OP_COPY, _operands.upload(host.astype(self.dtype, copy=False),
                                                         self), out=self)
        return self

    def item(self, *args):
        """One element as a Python scalar (a synchronising read): the only one, or the one
        at a flat index or an index tuple."""
        if args:
            index = args[0] if len(args) == 1 else args
            flat = not isinstance(index, tuple)
            if flat:
                position = operator.index(index)
                if not -self.size <= position < self.size:
                    raise IndexError(f"index {position} is out of bounds for size {self.size}")
                index = numpy.unravel_index(position % self.size, self.shape)
            return self[tuple(index)].item()
        if self.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        return self.get().item()

    def tolist(self):
        return self.get().tolist()

    def __bool__(self):
        if self.size != 1:
            raise ValueError("the truth value of an array with more than one element is "
                             "ambiguous")
        return bool(self.item())

    def _scalar_item(self):
        """The element float(), int() and complex() convert: NumPy refuses arrays of more
        than one element with TypeError (item() says ValueError)."""
        if self.size != 1:
            raise TypeError("only 0-dimensional arrays (or arrays of size 1) can be converted "
                            "to Python scalars")
        return self.item()

    def __float__(self):
        return float(self._scalar_item())

    def __int__(self):
        return int(self._scalar_item())

    def __complex__(self):
        return complex(self._scalar_item())

    def __index__(self):
        if self.ndim != 0 or self.dtype.kind not in "iu":
            raise TypeError("only integer scalar arrays can be converted to a scalar index")
        return self.item()

    # ------------------------------------------------------------ copies

    def copy(self, order="C"):
        fortran = order in ("F", "f") or (order in ("K", "A") and self.f_contiguous
                                          and not self.c_contiguous)
        out = _core.ndarray.__new__(type(self), self.shape, self._dtype_code,
                                        "F" if fortran else "C", self._op_stream)
        return _elementwise(_core.OP_COPY, self, out=out)

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        code = _dtypes.code_of(dtype, self._device)
        if code == self._dtype_code and not copy:
            return self
        if not numpy.can_cast(self.dtype, _dtypes.normalize(dtype), casting=casting):
            raise TypeError(f"Cannot cast array data from {self.dtype} to "
                            f"{_dtypes.normalize(dtype)} according to the rule {casting!r}")
        return _elementwise(_core.OP_COPY, self, dtype=code)

    def fill(self, value):
        """Sets every element to value (cast to the array's dtype like numpy's fill)."""
        _elementwise(_core.OP_COPY, self.dtype.type(value).item(), out=self)
        return self

    # ------------------------------------------------------------ views

    def reshape(self, *shape, order="C", copy=None):
        if len(shape) == 1 and not isinstance(shape[0], (numbers.Integral, numpy.integer)):
            shape = shape[0]
        if order == "C" and copy is None:
            view = self._reshaped(shape)  # a contiguous array's view, made in C
            if view is not NotImplemented:
                return view
        return reshape(self, shape, order, copy=copy)

    def ravel(self, order="C"):
        return reshape(self, -1, order)

    def flatten(self, order="C"):
        """A flat copy (ravel gives a view when it can)."""
        return reshape(self, -1, order).copy()

    def view(self, dtype=None, type=None):  # noqa: A002 - NumPy's names
        """A view of the same memory: as another array class (type) and/or with its bytes
        read as another dtype. A dtype of another size rescales the last axis, which must be
        contiguous (NumPy's rule); offsets and strides must stay whole elements of it."""
        if isinstance(dtype, builtins.type) and issubclass(dtype, _core.ndarray):
            dtype, type = None, dtype
        if type is not None and not (isinstance(type, builtins.type) and
                                     issubclass(type, _core.ndarray)):
            raise TypeError("view: type must be a pymic2.ndarray subclass (device memory "
                            "cannot be viewed as a host array)")
        new_dtype = self.dtype if dtype is None else _dtypes.normalize(dtype, self._device)
        shape, strides = self.shape, self.strides
        if new_dtype.itemsize != self.itemsize:
            if self.ndim == 0:
                raise ValueError("Changing the dtype of a 0d array is only supported if the "
                                 "itemsize is unchanged")
            if shape[-1] != 1 and strides[-1] != self.itemsize:
                raise ValueError("To change to a dtype of a different size, the last axis "
                                 "must be contiguous")
            nbytes = shape[-1] * self.itemsize
            if nbytes % new_dtype.itemsize:
                raise ValueError("When changing to a larger dtype, its size must be a divisor "
                                 "of the total size in bytes of the last axis of the array.")
            shape = shape[:-1] + (nbytes // new_dtype.itemsize,)
            strides = strides[:-1] + (new_dtype.itemsize,)
        view = self._view(self.offset, shape, strides, _dtypes.CODES[new_dtype])
        if type is not None:
            view.__class__ = type
        return view

    def tobytes(self, order="C"):
        """The raw bytes of the elements in C (or Fortran) order: a copy to the host."""
        return self.get().tobytes(order)

    def transpose(self, *axes):
        if not axes or axes == (None,):
            return self._transposed()
        if len(axes) == 1 and not isinstance(axes[0], (numbers.Integral, numpy.integer)):
            axes = tuple(axes[0])
        return transpose(self, axes)

    @property
    def T(self):
        return self._transposed()

    @property
    def mT(self):
        return matrix_transpose(self)

    def swapaxes(self, axis1, axis2):
        return swapaxes(self, axis1, axis2)

    def squeeze(self, axis=None):
        return squeeze(self, axis)
