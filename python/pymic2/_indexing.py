"""Indexing of device arrays: basic indexing (views), integer-array and boolean-mask gathers
(a[idx], a[rows, cols], a[mask], a[:, idx]), the matching assignments, add_at
(numpy.add.at), take/put/compress, nonzero and where, and the ndarray's subscripts
(_IndexingMethods).

A key is reduced to one call of the core's gather/scatter (_core.index): slices and None
become a view of the array, boolean masks become their nonzero() integer arrays (computed on
the device for a device mask: see nonzero), integers
next to arrays become 0-d index arrays, and the index arrays are broadcast to one shape. When
they are not adjacent, the view is transposed so they come first, which is where NumPy puts
their dimensions then.

Out-of-bounds indices raise IndexError in NumPy's words. Index arrays from the host are
checked on the host before upload, so the error comes from the indexing itself. Index arrays
already on the device are checked by the kernel without waiting for it: the indexing returns
at once, the failed command writes nothing, and the IndexError surfaces at the stream's next
synchronising call (.get(), float(), stream.sync(), ...), as with CuPy.
"""

import numbers
import operator

import numpy

from . import _core, _creation, _dtypes, _math, _operands
from ._manipulation import broadcast_to
from ._reduction import cumsum, normalize_axes

__all__ = ["add_at", "argwhere", "compress", "flatnonzero", "nonzero", "put", "take",
           "take_along_axis", "where"]

_BOOL_CODE = _dtypes.CODES[numpy.dtype(numpy.bool_)]
_INDEX_DTYPES = (numpy.dtype(numpy.int32), numpy.dtype(numpy.int64))
_INT64_MAX = numpy.iinfo(numpy.int64).max


def _host_indices(indices):
    """Integer host indices as int64: uint64 values past int64's range become its maximum,
    out of bounds as they are in NumPy, instead of wrapping to negative (from-the-end)
    indices."""
    indices = numpy.asarray(indices)
    if indices.dtype == numpy.uint64:
        indices = numpy.minimum(indices, _INT64_MAX)
    return indices.astype(numpy.int64, copy=False)


def _device_indices(indices):
    """An integer device index array in a dtype the index ops take (int32, int64): the other
    integer dtypes are converted to int64 (uint64 clamped as in _host_indices)."""
    if indices.dtype in _INDEX_DTYPES:
        return indices
    if indices.dtype == numpy.uint64:
        indices = _math.minimum(indices, _INT64_MAX)
    return _core.elementwise(_core.OP_COPY, indices, dtype=_core.dtype_codes["int64"])
_MAX_INDEX_ARRAYS = 4


def is_advanced(key):
    """Whether a key needs a gather/scatter (holds an integer or boolean array or a list)."""
    keys = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, (_core.ndarray, numpy.ndarray, list)) for k in keys)


def getitem(array, key):
    """array[key] for an advanced key: a new device array."""
    view, axis, indices = _prepare(array, key)
    return _core.index(_core.INDEX_GATHER, view, axis, indices)


def setitem(array, key, value):
    """array[key] = value for an advanced key; repeated positions take the last value."""
    view, axis, indices = _prepare(array, key)
    _core.index(_core.INDEX_SCATTER, view, axis, indices, _values(value, array))


def add_at(array, indices, values):
    """numpy.add.at(array, indices, values) on the device: unbuffered, so every occurrence of
    a repeated index adds (in index order, deterministically). indices is anything a
    subscript takes (an index array, a tuple of them with slices, a boolean mask)."""
    if not isinstance(array, _core.ndarray):
        raise TypeError(f"add_at: the array must be a device ndarray, not "
                        f"{type(array).__name__}")
    key = indices if isinstance(indices, tuple) else (indices,)
    if not is_advanced(key):  # plain integers and slices: add_at of one position each
        key = tuple(numpy.asarray(k) if isinstance(k, (numbers.Integral, numpy.integer))
                    and not isinstance(k, bool) else k for k in key)
    if not is_advanced(key):  # slices, None and ... only: each element once, a view add
        view = array[key]
        _math.add(view, values, out=view)
        return
    view, axis, index_arrays = _prepare(array, key)
    _core.index(_core.INDEX_SCATTER_ADD, view, axis, index_arrays, _values(values, array))


def take(a, indices, axis=None, out=None, mode="raise"):
    """NumPy's take (and the array API's): a gather along one axis (of the flattened array
    for axis=None). mode 'raise' checks the bounds (IndexError), 'wrap' takes the indices
    modulo the axis length and 'clip' clamps them into it."""
    if not isinstance(a, _core.ndarray):
        raise TypeError(f"take: a must be a device array, not {type(a).__name__}")
    if axis is None:
        a, axis = a.reshape(-1), 0
    axis = normalize_axes(axis, a.ndim, single=True)[0]
    n = a.shape[axis]
    if mode not in ("raise", "wrap", "clip"):
        raise ValueError(f"take: mode must be 'raise', 'wrap' or 'clip', not {mode!r}")
    if mode != "raise":
        if n == 0:
            raise IndexError("cannot do a non-empty take from an empty axes.")
        host = not isinstance(indices, _core.ndarray)
        indices = numpy.asarray(indices) if host else indices
        if mode == "wrap":
            indices = numpy.mod(indices, n) if host else _math.remainder(indices, n)
        else:
            indices = numpy.clip(indices, 0, n - 1) if host else _math.clip(indices, 0, n - 1)
    if not isinstance(indices, _core.ndarray):
        indices = numpy.asarray(indices)
        if indices.dtype.kind not in "iu" and indices.size:
            raise TypeError(f"take: indices must be integers, not {indices.dtype}")
        indices = _host_indices(indices)
    result = getitem(a, (slice(None),) * axis + (indices,))
    return _operands.into_out("take", result, out, "unsafe")


def take_along_axis(arr, indices, axis=-1):
    """NumPy's take_along_axis: arr[..., indices, ...] with indices (of arr's ndim)
    broadcasting against arr's other dimensions (axis=None: along the flattened arr).
    One gather, with open-grid index arrays for the other dimensions."""
    if not isinstance(arr, _core.ndarray):
        raise TypeError(f"take_along_axis: arr must be a device array, not "
                        f"{type(arr).__name__}")
    if axis is None:
        if numpy.ndim(indices) != 1:
            raise ValueError("take_along_axis: when axis=None, `indices` must have a single "
                             "dimension.")
        arr, axis = arr.reshape(-1), 0
    axis = normalize_axes(axis, arr.ndim, single=True)[0]
    if numpy.ndim(indices) != arr.ndim:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    if isinstance(indices, _core.ndarray):
        if indices.dtype.kind not in "iu":
            raise IndexError("`indices` must be an integer array")
    elif numpy.asarray(indices).dtype.kind not in "iu":
        raise IndexError("`indices` must be an integer array")
    key = []
    for d in range(arr.ndim):
        if d == axis:
            key.append(indices)
        else:
            grid = [1] * arr.ndim
            grid[d] = arr.shape[d]
            key.append(numpy.arange(arr.shape[d]).reshape(grid))
    return getitem(arr, tuple(key))


def compress(condition, a, axis=None, out=None):
    """NumPy's compress: the slices of a along axis (the flattened a for None) where the
    1-D condition is true (a selected position beyond the axis is an IndexError)."""
    if not isinstance(a, _core.ndarray):
        raise TypeError(f"compress: a must be a device array, not {type(a).__name__}")
    if numpy.ndim(condition) != 1:
        raise ValueError("condition must be a 1-d array")
    if axis is None:
        a, axis = a.reshape(-1), 0
    if isinstance(condition, _core.ndarray):
        positions = flatnonzero(condition)
    else:
        positions = numpy.flatnonzero(numpy.asarray(condition))
    return take(a, positions, axis=axis, out=out)


def put(a, ind, v, mode="raise"):
    """NumPy's put: a.flat[ind] = v, v repeated as needed, for any layout of a (the flat
    indices are unravelled, on the device for device indices; negative ones count from the
    end). Repeated indices: the last value wins."""
    if not isinstance(a, _core.ndarray):
        raise TypeError(f"put: a must be a device array, not {type(a).__name__}")
    if mode not in ("raise", "wrap", "clip"):
        raise ValueError(f"put: mode must be 'raise', 'wrap' or 'clip', not {mode!r}")
    host = not isinstance(ind, _core.ndarray)
    flat = _host_indices(ind).reshape(-1) if host else _device_indices(ind.reshape(-1))
    count, n = flat.shape[0], a.size
    if count == 0:
        return
    if mode == "wrap":
        flat = numpy.mod(flat, n) if host else _math.remainder(flat, n)
    elif mode == "clip":
        flat = numpy.clip(flat, 0, n - 1) if host else _math.clip(flat, 0, n - 1)
    elif host:
        _check_bounds(flat, 0, n)
    if isinstance(v, _core.ndarray):
        values = v.reshape(-1)
        if values.shape[0] != count:
            values = take(values, numpy.arange(count) % values.shape[0])
    else:
        values = numpy.resize(numpy.asarray(v, dtype=a.dtype), count)
    target = a.reshape(1) if a.ndim == 0 else a
    # unravel by floor division: a negative flat index gives a negative first index, which
    # the scatter reads from the end like the flat one (and bounds-checks like it)
    per_dimension = []
    for size in reversed(target.shape[1:]):
        per_dimension.append(numpy.mod(flat, size) if host else _math.remainder(flat, size))
        flat = flat // size if host else _math.floor_divide(flat, size)
    per_dimension.append(flat)
    setitem(target, tuple(reversed(per_dimension)), values)


def argwhere(a):
    """NumPy's argwhere: the indices of the nonzero elements, one row each (int64, on the
    device; the count is read back as in nonzero)."""
    if not isinstance(a, _core.ndarray):
        raise TypeError(f"argwhere: a must be a device array, not {type(a).__name__}")
    if a.ndim == 0:  # NumPy: one row of no columns if a is nonzero, else none
        return argwhere(a.reshape(1))[:, :0]
    return _creation.stack(nonzero(a), axis=1)


# ---------------------------------------------------------------- key preparation

def _upload(host, like):
    host = numpy.asarray(host, order="C")  # (ascontiguousarray would make a 0-d index 1-d)
    device = _core.ndarray.__new__(_core.ndarray, host.shape,
                                   _core.dtype_codes[host.dtype.name], "C", like._op_stream)
    device._from_host(host)  # the core keeps host alive until the copy ran
    return device


def _classify(entry, like):
    """One key entry as (kind, value): 'new', 'slice', 'int', 'ellipsis', 'mask' (host
    bool array), 'host' (int64 array) or 'device' (int32/int64 device array)."""
    if entry is None:
        return "new", None
    if entry is Ellipsis:
        return "ellipsis", None
    if isinstance(entry, slice):
        return "slice", entry
    if isinstance(entry, (numbers.Integral, numpy.integer)) and \
            not isinstance(entry, (bool, numpy.bool_)):
        return "int", int(entry)
    if isinstance(entry, _core.ndarray):
        if entry.dtype == numpy.bool_:
            return "mask", entry
        if entry.dtype.kind not in "iu":
            raise IndexError("arrays used as indices must be of integer (or boolean) type")
        return "device", _device_indices(entry)
    if isinstance(entry, (numpy.ndarray, list)):
        host = numpy.asarray(entry)
        if host.dtype == numpy.bool_:
            return "mask", host
        if host.size == 0 and host.dtype.kind == "f":  # [] is an empty integer index
            host = host.astype(numpy.int64)
        if host.dtype.kind not in "iu":
            raise IndexError("arrays used as indices must be of integer (or boolean) type")
        return "host", _host_indices(host)
    raise IndexError("only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) "
                     "and integer or boolean arrays are valid indices")


def _consumed(kind, value):
    if kind in ("slice", "int", "host", "device"):
        return 1
    if kind == "mask":
        return max(value.ndim, 1)
    return 0


def _prepare(array, key):
    """(view, axis, index arrays) for an advanced key."""
    entries = [_classify(k, array) for k in (key if isinstance(key, tuple) else (key,))]
    if sum(1 for kind, _ in entries if kind == "ellipsis") > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(_consumed(kind, value) for kind, value in entries)
    if used > array.ndim:
        raise IndexError(f"too many indices for array: array is {array.ndim}-dimensional, "
                         f"but {used} were indexed")
    fill = [("slice", slice(None))] * (array.ndim - used)
    if any(kind == "ellipsis" for kind, _ in entries):
        at = next(i for i, (kind, _) in enumerate(entries) if kind == "ellipsis")
        entries = entries[:at] + fill + entries[at + 1:]
    else:
        entries = entries + fill

    # the basic part as a view, integers folded into its offset; every index array keeps its
    # (whole) dimension. Integers still count as advanced entries for where the result's
    # dimensions go (NumPy's rule), hence the key slot of every advanced entry.
    offset, shape, strides = array.offset, [], []
    advanced = []  # (view dimension, original axis, size, index array)
    advanced_slots, first_dim = [], None
    axis = 0
    for slot, (kind, value) in enumerate(entries):
        if kind in ("int", "host", "device", "mask"):
            advanced_slots.append(slot)
            first_dim = len(shape) if first_dim is None else first_dim
        if kind == "new":
            shape.append(1)
            strides.append(0)
            continue
        if kind == "slice":
            start, stop, step = value.indices(array.shape[axis])
            n = len(range(start, stop, step))
            if n > 0:
                offset += start * array.strides[axis]
            shape.append(n)
            strides.append(array.strides[axis] * step)
            axis += 1
            continue
        if kind == "mask":
            mask = value
            dims = array.shape[axis:axis + max(mask.ndim, 1)]
            for d, (have, want) in enumerate(zip(mask.shape, dims)):
                if have != want:
                    raise IndexError(f"boolean index did not match indexed array along axis "
                                     f"{axis + d}; size of axis is {want} but size of "
                                     f"corresponding boolean axis is {have}")
            if isinstance(mask, _core.ndarray) and mask.ndim == 0:
                mask = mask.get()  # a[True]: one byte, and NumPy's 0-d mask rules on the host
            for d, positions in enumerate(nonzero(mask) if isinstance(mask, _core.ndarray)
                                          else numpy.nonzero(mask)):
                advanced.append((len(shape), axis, array.shape[axis], positions))
                shape.append(array.shape[axis])
                strides.append(array.strides[axis])
                axis += 1
            continue
        if kind == "int":
            _check_bounds(numpy.int64(value), axis, array.shape[axis])
            offset += (value % array.shape[axis]) * array.strides[axis]
            axis += 1
            continue
        if kind == "host":
            _check_bounds(value, axis, array.shape[axis])
        advanced.append((len(shape), axis, array.shape[axis], value))
        shape.append(array.shape[axis])
        strides.append(array.strides[axis])
        axis += 1
    advanced, shape_only = _drop_constant_axes(advanced, shape, strides)
    if len(advanced) > _MAX_INDEX_ARRAYS:
        raise IndexError(f"{len(advanced)} index arrays; the device takes at most "
                         f"{_MAX_INDEX_ARRAYS} at once")
    view = array._view(offset, tuple(shape), tuple(strides))

    # one shape for every index array
    try:
        common = numpy.broadcast_shapes(*(ix.shape for _, _, _, ix in advanced), *shape_only)
    except ValueError:
        shapes = " ".join(str(ix.shape).replace(" ", "") for _, _, _, ix in advanced)
        raise IndexError(f"shape mismatch: indexing arrays could not be broadcast together "
                         f"with shapes {shapes}") from None
    indices = []
    for _, _, _, ix in advanced:
        if isinstance(ix, _core.ndarray):
            indices.append(broadcast_to(ix, common))
        else:
            indices.append(_upload(numpy.broadcast_to(ix, common), view))

    # adjacent advanced entries stay in place; otherwise the index dimensions go first
    dims = [d for d, _, _, _ in advanced]
    if advanced_slots == list(range(advanced_slots[0], advanced_slots[0] + len(advanced_slots))):
        return view, first_dim, tuple(indices)
    order = dims + [d for d in range(view.ndim) if d not in dims]
    view = view._view(view.offset, tuple(view.shape[d] for d in order),
                      tuple(view.strides[d] for d in order))
    return view, 0, tuple(indices)


def _drop_constant_axes(advanced, shape, strides):
    """(advanced, shapes) past the device's limit of index arrays: an index array on an axis
    of length 1 and stride 0 (a scalar boolean's, see _with_mask_axes) addresses nothing, so
    its axis leaves shape and strides (in place) and only its shape stays, for the broadcast;
    at least one index array is kept."""
    shape_only = []
    while len(advanced) > _MAX_INDEX_ARRAYS:
        at = next((i for i, (d, _, _, ix) in enumerate(advanced)
                   if shape[d] == 1 and strides[d] == 0 and not isinstance(ix, _core.ndarray)),
                  None)
        if at is None:
            break
        d, _, _, ix = advanced.pop(at)
        shape_only.append(ix.shape)
        del shape[d], strides[d]
        advanced = [(e - (e > d), axis, size, jx) for e, axis, size, jx in advanced]
    return advanced, shape_only


def nonzero(a):
    """NumPy's nonzero for a device array: one int64 device array of indices per dimension,
    in C order. Computed on the device by a compaction (a running count of the nonzero
    elements gives each one its output slot; a scatter puts its flat index there); only the
    count comes back to the host, a synchronising read of 8 bytes, since it sets the shape
    (CuPy does the same)."""
    if not isinstance(a, _core.ndarray):
        raise TypeError(f"nonzero: a must be a device array, not {type(a).__name__}")
    if a.ndim == 0:
        raise ValueError("Calling nonzero on 0d arrays is not allowed. Use "
                         "np.atleast_1d(scalar).nonzero() instead.")
    flat = flatnonzero(a)
    indices = []
    for n in reversed(a.shape[1:]):  # unravel, last dimension first
        indices.append(_math.remainder(flat, n))
        flat = _math.floor_divide(flat, n)
    indices.append(flat)
    return tuple(reversed(indices))


def flatnonzero(a):
    """NumPy's flatnonzero on the device: the int64 indices of the nonzero elements of
    a.ravel() (see nonzero)."""
    if not isinstance(a, _core.ndarray):
        raise TypeError(f"flatnonzero: a must be a device array, not {type(a).__name__}")
    selected = a.reshape(-1)
    if selected.dtype != numpy.bool_:
        selected = _math.not_equal(selected, 0)
    running = cumsum(selected, dtype=numpy.int64)
    count = int(running[-1]) if selected.size else 0
    int64 = _core.dtype_codes["int64"]
    # slot of element i: running[i] - 1 if selected, else one spare slot past the result
    slots = _core.elementwise(_core.OP_WHERE, selected, _math.subtract(running, 1), count)
    positions = _core.ndarray.__new__(type(a), (count + 1,), int64, "C", a._op_stream)
    order = _core.ndarray.__new__(type(a), (selected.size,), int64, "C", a._op_stream)
    _core.elementwise(_core.OP_ARANGE, 0, 1, out=order)
    _core.index(_core.INDEX_SCATTER, positions, 0, (slots,), order)
    return positions[:count]


def _check_bounds(index, axis, size):
    bad = (index < -size) | (index >= size)
    if bad.any():
        value = index.reshape(-1)[numpy.argmax(bad.reshape(-1))]
        raise IndexError(f"index {value} is out of bounds for axis {axis} with size {size}")


def _values(value, like):
    """The values of a scatter: a device array of like's dtype (copied when it shares memory
    with like) or a Python scalar converted like NumPy's assignment converts it."""
    if isinstance(value, _core.ndarray):
        if value.dtype != like.dtype or value.buffer is like.buffer:
            return _core.elementwise(_core.OP_COPY, value, dtype=like._dtype_code)
        return value
    if isinstance(value, (bool, int, float, complex, numpy.generic)):
        return like.dtype.type(value).item()
    return _upload(numpy.asarray(value).astype(like.dtype), like)


# ---------------------------------------------------------------- basic indexing

def _assign(target, value):
    """target[...] = value by COPY (numpy's casting for assignment)."""
    if isinstance(value, _core.ndarray):
        _core.elementwise(_core.OP_COPY, value, out=target)
        return
    scalar = _dtypes.host_scalar(value)
    if scalar is not None:
        _core.elementwise(_core.OP_COPY, target.dtype.type(scalar).item(), out=target)
        return
    _core.elementwise(_core.OP_COPY, _operands.upload(value, target), out=target)


def _is_bool(key):
    return isinstance(key, (bool, numpy.bool_))


def _is_zero_dim_mask(key):
    return _is_bool(key) or (isinstance(key, (numpy.ndarray, _core.ndarray)) and
                             key.ndim == 0 and key.dtype == numpy.bool_)


def _needs_mask_axes(key):
    """Whether a key's scalar booleans (0-d masks) act as advanced indices: NumPy combines
    several into one axis and broadcasts them with the key's ints and index arrays, so
    only a single scalar one among slices, None and Ellipsis is the plain new axis of a
    view (_index_view)."""
    keys = key if isinstance(key, tuple) else (key,)
    masks = sum(1 for k in keys if _is_zero_dim_mask(k))
    return masks > 0 and (masks > 1 or any(
        not (_is_bool(k) or k is None or k is Ellipsis or isinstance(k, slice))
        for k in keys))


def _with_mask_axes(array, key):
    """(array', key') with array'[key'] == array[key] in NumPy's semantics, key' free of
    0-d masks: each becomes an axis of length 1 inserted into the array where the mask
    stands, indexed by the integer array [0] (True) or [] (False)."""
    keys = key if isinstance(key, tuple) else (key,)
    consumed = sum(k.ndim if isinstance(k, (numpy.ndarray, _core.ndarray)) and
                   k.dtype == numpy.bool_ else 1 for k in keys
                   if not (_is_zero_dim_mask(k) or k is None or k is Ellipsis))
    shape, strides = list(array.shape), list(array.strides)
    position, new_key = 0, []
    for k in keys:
        if _is_zero_dim_mask(k):
            shape.insert(position, 1)
            strides.insert(position, 0)
            position += 1
            new_key.append(numpy.zeros(1 if bool(k) else 0, numpy.intp))
            continue
        if k is Ellipsis:
            position += array.ndim - consumed
        elif k is not None:
            position += k.ndim if isinstance(k, (numpy.ndarray, _core.ndarray)) and \
                k.dtype == numpy.bool_ else 1
        new_key.append(k)
    return array._view(array.offset, tuple(shape), tuple(strides)), tuple(new_key)


def _index_view(array, key):
    """The view numpy's basic indexing gives (ints, slices, None, Ellipsis, and the scalar
    booleans, which NumPy reads as 0-d masks)."""
    if not isinstance(key, tuple):
        key = (key,)
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis and not _is_bool(k))
    if sum(1 for k in key if k is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if n_real > array.ndim:
        raise IndexError(f"too many indices for array: array is {array.ndim}-dimensional, "
                         f"but {n_real} were indexed")
    expanded = []
    for k in key:
        if k is Ellipsis:
            expanded.extend([slice(None)] * (array.ndim - n_real))
        else:
            expanded.append(k)
    if Ellipsis not in key:
        expanded.extend([slice(None)] * (array.ndim - n_real))
    offset, shape, strides, axis = array.offset, [], [], 0
    old_shape, old_strides = array.shape, array.strides
    for k in expanded:
        if k is None:
            shape.append(1)
            strides.append(0)
        elif _is_bool(k):  # a 0-d mask: a new axis holding everything (True) or nothing
            shape.append(1 if k else 0)
            strides.append(0)
        elif isinstance(k, slice):
            start, stop, step = k.indices(old_shape[axis])
            n = len(range(start, stop, step))
            if n > 0:
                offset += start * old_strides[axis]
            shape.append(n)
            strides.append(old_strides[axis] * step)
            axis += 1
        elif isinstance(k, (numbers.Integral, numpy.integer)) and not isinstance(k, bool):
            i, n = operator.index(k), old_shape[axis]
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
            offset += (i % n) * old_strides[axis]
            axis += 1
        else:
            raise IndexError(f"only basic indexing is supported on the device (ints, slices, "
                             f"None, ...), not {type(k).__name__}")
    return array._view(offset, tuple(shape), tuple(strides))


def where(condition, x=None, y=None, /):
    """condition ? x : y elementwise, with NumPy's promotion of x and y and broadcasting;
    where(condition) alone is nonzero(condition)."""
    if x is None and y is None:
        return nonzero(condition)
    if x is None or y is None:
        raise ValueError("either both or neither of x and y should be given")
    if isinstance(condition, _core.ndarray) and isinstance(x, _core.ndarray) and \
            isinstance(y, _core.ndarray) and condition._dtype_code == _BOOL_CODE and \
            x._dtype_code == y._dtype_code and \
            condition._device is x._device is y._device:  # nothing to convert
        return _core.elementwise(_core.OP_WHERE, condition, x, y)
    like = next((v for v in (condition, x, y) if isinstance(v, _core.ndarray)), None)
    if like is None:
        like = _creation.asarray(condition)
    _creation._check_same_device(like, condition, x, y)
    if not isinstance(condition, _core.ndarray):
        condition = _creation.asarray(condition, stream=like._op_stream)
    if condition.dtype != numpy.bool_:
        condition = condition.astype(numpy.bool_)
    a, b = _where_operand(x, like), _where_operand(y, like)
    dtype = _dtypes.result_type(a, b)
    a, b = (v.astype(dtype, copy=False) if isinstance(v, _core.ndarray) else
            _dtypes.host_scalar(v) for v in (a, b))
    if not isinstance(a, _core.ndarray) and not isinstance(b, _core.ndarray):
        # WHERE needs one array value input
        a = _creation.empty((), dtype, stream=like._op_stream).fill(a)
    return _core.elementwise(_core.OP_WHERE, condition, a, b)


def _where_operand(value, like):
    """A device array, or a scalar that keeps its weak (Python) or strong (NumPy) type for
    promotion; host arrays are uploaded next to like."""
    if isinstance(value, _core.ndarray) or _dtypes.host_scalar(value) is not None:
        return value
    return _creation.asarray(value, stream=like._op_stream)


class _IndexingMethods:
    """The subscripts and indexing methods of pymic2.ndarray."""

    __slots__ = ()

    def __getitem__(self, key):
        view = self._basic_view(key)  # the plain cases, made in C
        if view is not NotImplemented:
            return view
        if _needs_mask_axes(key):
            return getitem(*_with_mask_axes(self, key))
        if is_advanced(key):  # integer or boolean arrays: a gather
            return getitem(self, key)
        return _index_view(self, key)

    def __setitem__(self, key, value):
        view = self._basic_view(key)
        if view is NotImplemented:
            if _needs_mask_axes(key):
                setitem(*_with_mask_axes(self, key), value)
                return
            if is_advanced(key):  # a scatter (a[idx] op= v: gather, op, scatter)
                setitem(self, key, value)
                return
            view = _index_view(self, key)
        _assign(view, value)

    def take(self, indices, axis=None, out=None, mode="raise"):
        return take(self, indices, axis, out, mode)

    def put(self, indices, values, mode="raise"):
        put(self, indices, values, mode)

    def compress(self, condition, axis=None, out=None):
        return compress(condition, self, axis, out)

    def nonzero(self):
        """The indices of the nonzero elements, one int64 device array per dimension
        (computed on the device; only their count is read back)."""
        return nonzero(self)
