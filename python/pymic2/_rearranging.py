"""Array manipulation that makes new arrays or views of them (NumPy's reference manual:
tiling, splitting, adding and removing elements, rearranging, padding, more joining).

Data never leaves the device: a result is one or a few COPY ops between strided views, or one
gather (take) along an axis whose positions are computed on the host from the shapes and
the index arguments alone. Splits, flipud/fliplr and rot90 are views, as NumPy's are.
"""

import numbers
import operator

import numpy

from . import _core, _creation, _indexing
from ._manipulation import along, flip, moveaxis, normalize_axis, ravel, reshape, transpose

__all__ = [
    "append", "array_split", "column_stack", "delete", "dsplit", "dstack", "fliplr", "flipud",
    "hsplit", "insert", "pad", "repeat", "resize", "roll", "rot90", "split", "tile",
    "trim_zeros", "vsplit",
]

_elementwise = _core.elementwise
_CoreArray = _core.ndarray



def _new_like(shape, dtype, like):
    return _creation.empty(shape, dtype, stream=like._op_stream)



def _copy_into(out, source):
    _elementwise(_core.OP_COPY, source, out=out)


# ---------------------------------------------------------------- tiling

def tile(A, reps):
    """A repeated reps times along each axis: one copy from a view that repeats each axis
    with a zero stride."""
    A = _creation.device_operand(A)
    reps = (operator.index(reps),) if isinstance(reps, (numbers.Integral, numpy.integer)) \
        else tuple(operator.index(r) for r in reps)
    if any(r < 0 for r in reps):
        raise ValueError(f"negative dimensions are not allowed (reps {reps})")
    ndim = max(len(reps), A.ndim)
    A = reshape(A, (1,) * (ndim - A.ndim) + A.shape)
    reps = (1,) * (ndim - len(reps)) + reps
    # (r0, n0, r1, n1, ...): axes repeated more than once get a zero-stride axis before them
    shape, strides = [], []
    for r, n, stride in zip(reps, A.shape, A.strides):
        if r != 1:
            shape.append(r)
            strides.append(0)
        shape.append(n)
        strides.append(stride)
    out = _new_like(tuple(shape), A.dtype, A)
    if out.size:
        _copy_into(out, A._view(A.offset, tuple(shape), tuple(strides)))
    return reshape(out, tuple(r * n for r, n in zip(reps, A.shape)))


def repeat(a, repeats, axis=None):
    """Each element repeated: a scalar count is one copy from a zero-stride view; counts per
    element are one gather of positions the host computes from the counts."""
    a = _creation.device_operand(a)
    if axis is None:
        a, axis = ravel(a), 0
    else:
        axis = normalize_axis(axis, a.ndim)
    if isinstance(repeats, _CoreArray):
        repeats = repeats.get()  # the counts decide the output's shape
    counts = numpy.asarray(repeats)
    if counts.dtype.kind not in "biu" and counts.size:
        raise TypeError(f"repeat: repeats must be integers, not {counts.dtype}")
    counts = counts.astype(numpy.int64)
    if (counts < 0).any():
        raise ValueError("repeats may not contain negative values.")
    n = a.shape[axis]
    if counts.ndim == 0 or counts.size == 1:
        count = int(counts.reshape(-1)[0]) if counts.size else 0
        shape = a.shape[:axis + 1] + (count,) + a.shape[axis + 1:]
        strides = a.strides[:axis + 1] + (0,) + a.strides[axis + 1:]
        out = _new_like(shape, a.dtype, a)
        if out.size:
            _copy_into(out, a._view(a.offset, shape, strides))
        return reshape(out, a.shape[:axis] + (n * count,) + a.shape[axis + 1:])
    if counts.ndim != 1 or counts.size != n:
        raise ValueError(f"operands could not be broadcast together with shape ({n},) "
                         f"{counts.shape}")
    positions = numpy.repeat(numpy.arange(n, dtype=numpy.int64), counts)
    return _indexing.take(a, positions, axis=axis)


def resize(a, new_shape):
    """NumPy's resize function: the flattened data repeated (or cut) to fill new_shape."""
    a = _creation.device_operand(a)
    new_shape = _creation.normalize_shape(new_shape)
    if any(n < 0 for n in new_shape):
        raise ValueError("all elements of `new_shape` must be non-negative")
    size = 1
    for n in new_shape:
        size *= n
    flat = ravel(a)
    if flat.size == 0 or size == 0:
        return _creation.zeros(new_shape, a.dtype, stream=a._op_stream)
    copies = -(-size // flat.size)
    return reshape(tile(flat, copies)[:size], new_shape)


# ---------------------------------------------------------------- splitting (views)

def array_split(ary, indices_or_sections, axis=0):
    """Views of ary split along axis into sections of sizes differing by at most one, or at
    the given indices."""
    ary = _creation.device_operand(ary)
    axis = normalize_axis(axis, ary.ndim)
    n = ary.shape[axis]
    if isinstance(indices_or_sections, (numbers.Integral, numpy.integer)):
        sections = operator.index(indices_or_sections)
        if sections <= 0:
            raise ValueError("number sections must be larger than 0.")
        each, extra = divmod(n, sections)
        sizes = [each + 1] * extra + [each] * (sections - extra)
        bounds = [0]
        for size in sizes:
            bounds.append(bounds[-1] + size)
    else:
        bounds = [0] + [operator.index(i) for i in indices_or_sections] + [n]
    return [ary[along(axis, ary.ndim, slice(start, stop))]
            for start, stop in zip(bounds[:-1], bounds[1:])]


def split(ary, indices_or_sections, axis=0):
    ary = _creation.device_operand(ary)
    if isinstance(indices_or_sections, (numbers.Integral, numpy.integer)):
        sections = operator.index(indices_or_sections)
        n = ary.shape[normalize_axis(axis, ary.ndim)]
        if sections > 0 and n % sections:
            raise ValueError("array split does not result in an equal division")
    return array_split(ary, indices_or_sections, axis)


def _split_checked(ary, indices_or_sections, axis, least, name):
    ary = _creation.device_operand(ary)
    if ary.ndim < least:
        raise ValueError(f"{name} only works on arrays of {least} or more dimensions")
    return split(ary, indices_or_sections, axis)


def hsplit(ary, indices_or_sections):
    ary = _creation.device_operand(ary)
    return _split_checked(ary, indices_or_sections, 1 if ary.ndim > 1 else 0, 1, "hsplit")


def vsplit(ary, indices_or_sections):
    return _split_checked(ary, indices_or_sections, 0, 2, "vsplit")


def dsplit(ary, indices_or_sections):
    return _split_checked(ary, indices_or_sections, 2, 3, "dsplit")


# ---------------------------------------------------------------- joining

def dstack(tup):
    arrays = _creation.atleast_3d(*tup)
    arrays = list(arrays) if isinstance(arrays, tuple) else [arrays]
    return _creation.concatenate(arrays, 2)


def column_stack(tup):
    """1-D arrays as the columns of a 2-D array; 2-D ones joined along axis 1."""
    arrays = [_creation.device_operand(a) for a in tup]
    arrays = [reshape(a, (a.shape[0], 1)) if a.ndim < 2 else a
              for a in (_creation.atleast_1d(a) for a in arrays)]
    return _creation.concatenate(arrays, 1)


def append(arr, values, axis=None):
    arr = _creation.device_operand(arr)
    values = _creation.device_operand(values, arr)
    if axis is None:
        return _creation.concatenate([ravel(arr), ravel(values)], 0)
    return _creation.concatenate([arr, values], axis)


# ---------------------------------------------------------------- adding and removing

def _axis_positions(obj, n, what):
    """The int64 positions an index argument names on an axis of length n (negative ones
    counted from the end); IndexError for positions out of range."""
    if isinstance(obj, slice):
        return numpy.arange(*obj.indices(n), dtype=numpy.int64)
    if isinstance(obj, _CoreArray):
        obj = obj.get()
    positions = numpy.asarray(obj)
    if positions.dtype.kind not in "iu" and positions.size:
        raise IndexError(f"{what}: arrays used as indices must be of integer (or boolean) type")
    positions = positions.astype(numpy.int64).reshape(-1)
    bad = (positions < -n) | (positions >= n)
    if bad.any():
        raise IndexError(f"index {positions[bad][0]} is out of bounds for axis with size {n}")
    return positions % n if n else positions


def delete(arr, obj, axis=None):
    """arr without the entries obj names along axis (flattened for None): one gather of the
    kept positions."""
    arr = _creation.device_operand(arr)
    if axis is None:
        arr, axis = ravel(arr), 0
    axis = normalize_axis(axis, arr.ndim)
    n = arr.shape[axis]
    if isinstance(obj, _CoreArray):
        obj = obj.get()
    keep = numpy.ones(n, dtype=bool)
    if not isinstance(obj, slice) and numpy.asarray(obj).dtype == bool:
        mask = numpy.asarray(obj)
        if mask.shape != (n,):
            raise ValueError(f"boolean array argument obj to delete must be one dimensional "
                             f"and match the axis length of {n}")
        keep = ~mask
    else:
        keep[_axis_positions(obj, n, "delete")] = False
    if keep.all():
        return arr.copy()
    return _indexing.take(arr, numpy.flatnonzero(keep).astype(numpy.int64), axis=axis)


def _insert_layout(obj, n, numnew_for_scalar):
    """NumPy insert's positions: (index in the result of every inserted entry, number of
    inserted entries, whether obj was a scalar)."""
    if isinstance(obj, slice):
        indices = numpy.arange(*obj.indices(n), dtype=numpy.int64)
    else:
        if isinstance(obj, _CoreArray):
            obj = obj.get()
        indices = numpy.asarray(obj)
        if indices.dtype == bool:
            raise IndexError("insert: boolean arrays are not allowed as indices (NumPy "
                             "treats them as integers only with a warning)")
        if indices.size and indices.dtype.kind not in "iu":
            raise IndexError("index array argument obj to insert must be one dimensional or "
                             "scalar")
        indices = indices.astype(numpy.int64)
    scalar = indices.ndim == 0
    if indices.ndim > 1:
        raise ValueError("index array argument obj to insert must be one dimensional or scalar")
    if scalar or indices.size == 1:
        index = int(indices.reshape(-1)[0])
        if index < -n or index > n:
            raise IndexError(f"index {index} is out of bounds for axis with size {n}")
        index += n if index < 0 else 0
        numnew = numnew_for_scalar(scalar)
        return numpy.arange(index, index + numnew, dtype=numpy.int64), numnew, scalar
    indices = indices.copy()
    if ((indices < -n) | (indices > n)).any():
        bad = indices[(indices < -n) | (indices > n)][0]
        raise IndexError(f"index {bad} is out of bounds for axis with size {n}")
    indices[indices < 0] += n
    order = numpy.argsort(indices, kind="stable")
    indices[order] += numpy.arange(indices.size, dtype=numpy.int64)
    return indices, indices.size, False


def insert(arr, obj, values, axis=None):
    """values inserted before the positions obj names (NumPy's rules for scalar and array
    obj): the input and the broadcast values joined, then one gather into the result's
    order."""
    arr = _creation.device_operand(arr)
    if axis is None:
        arr, axis = ravel(arr), 0
    axis = normalize_axis(axis, arr.ndim)
    n = arr.shape[axis]
    values = _creation.asarray(values, dtype=arr.dtype, stream=arr._op_stream) \
        if not isinstance(values, _CoreArray) else values.astype(arr.dtype, copy=False)
    values = reshape(values, (1,) * (arr.ndim - values.ndim) + values.shape) \
        if values.ndim < arr.ndim else values

    def numnew_for_scalar(scalar):
        moved = moveaxis(values, 0, axis) if scalar and values.ndim else values
        return moved.shape[axis] if moved.ndim else 1

    positions, numnew, scalar = _insert_layout(obj, n, numnew_for_scalar)
    if scalar and values.ndim:
        values = moveaxis(values, 0, axis)
    shape = arr.shape[:axis] + (numnew,) + arr.shape[axis + 1:]
    inserted = _new_like(shape, arr.dtype, arr)
    if inserted.size:
        _copy_into(inserted, values)
    joined = _creation.concatenate([arr, inserted], axis)
    # value k goes to positions[k]; the input's entries fill the other places in order
    order = numpy.empty(n + numnew, dtype=numpy.int64)
    is_new = numpy.zeros(n + numnew, dtype=bool)
    is_new[positions] = True
    order[positions] = n + numpy.arange(numnew, dtype=numpy.int64)
    order[~is_new] = numpy.arange(n, dtype=numpy.int64)
    return _indexing.take(joined, order, axis=axis)


def trim_zeros(filt, trim="fb"):
    """The 1-D filt without its leading ('f') and/or trailing ('b') zeros: a view (reads
    where the first and last nonzero are)."""
    filt = _creation.device_operand(filt)
    if filt.ndim != 1:
        raise ValueError("trim_zeros: filt must be 1-D on the device")
    trim = trim.lower()
    if any(c not in "fb" for c in trim):
        raise ValueError(f"unexpected character(s) in `trim`: {trim!r}")
    nonzero = _indexing.flatnonzero(filt).get()
    if nonzero.size == 0:
        return filt[0:0]
    start = int(nonzero[0]) if "f" in trim else 0
    stop = int(nonzero[-1]) + 1 if "b" in trim else filt.shape[0]
    return filt[start:stop]


# ---------------------------------------------------------------- rearranging

def flipud(m):
    m = _creation.device_operand(m)
    if m.ndim < 1:
        raise ValueError("Input must be >= 1-d.")
    return flip(m, 0)


def fliplr(m):
    m = _creation.device_operand(m)
    if m.ndim < 2:
        raise ValueError("Input must be >= 2-d.")
    return flip(m, 1)


def rot90(m, k=1, axes=(0, 1)):
    """m rotated by 90 degrees k times in the plane of axes (a view)."""
    m = _creation.device_operand(m)
    axes = tuple(axes)
    if len(axes) != 2:
        raise ValueError("len(axes) must be 2.")
    if axes[0] == axes[1] or abs(axes[0] - axes[1]) == m.ndim:
        raise ValueError("Axes must be different.")
    if not (-m.ndim <= axes[0] < m.ndim and -m.ndim <= axes[1] < m.ndim):
        raise ValueError(f"Axes={axes} out of range for array of ndim={m.ndim}.")
    k = operator.index(k) % 4
    if k == 0:
        return m[...]
    if k == 2:
        return flip(flip(m, axes[0]), axes[1])
    order = list(range(m.ndim))
    order[axes[0]], order[axes[1]] = order[axes[1]], order[axes[0]]
    if k == 1:
        return transpose(flip(m, axes[1]), order)
    return flip(transpose(m, order), axes[1])


def roll(a, shift, axis=None):
    """Elements shifted along axes, wrapping around: two slice copies per rolled axis."""
    a = _creation.device_operand(a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.shape)
    shifts, axes = numpy.broadcast_arrays(numpy.asarray(shift), numpy.asarray(axis))
    if shifts.dtype.kind not in "iu" or axes.dtype.kind not in "iu":
        raise TypeError("roll: shift and axis must be integers")
    total = [0] * a.ndim
    for s, ax in zip(shifts.reshape(-1), axes.reshape(-1)):
        total[normalize_axis(int(ax), a.ndim)] += int(s)
    out = _new_like(a.shape, a.dtype, a)
    if out.size == 0:
        return out
    # per axis, (source slice, target slice) pairs; every combination is one copy
    pieces = [[(slice(None), slice(None))]] * a.ndim
    for ax, s in enumerate(total):
        n = a.shape[ax]
        s %= n
        if s:
            pieces[ax] = [(slice(0, n - s), slice(s, n)), (slice(n - s, n), slice(0, s))]
    combinations = [((), ())]
    for axis_pieces in pieces:
        combinations = [(src + (ps,), dst + (pd,)) for src, dst in combinations
                        for ps, pd in axis_pieces]
    for source, target in combinations:
        _copy_into(out[target], a[source])
    return out


# ---------------------------------------------------------------- padding

_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap", "empty")


def _pad_pairs(value, ndim, name, integral=True):
    """NumPy's per-axis (before, after) pairs from a scalar, a pair or one pair per axis."""
    pairs = numpy.asarray(value)
    if integral:
        if pairs.dtype.kind not in "iu":
            raise TypeError("`pad_width` must be of integral type.")
        pairs = pairs.astype(numpy.int64)
        if (pairs < 0).any():
            raise ValueError("index can't contain negative values")
    try:
        pairs = numpy.broadcast_to(pairs, (ndim, 2))
    except ValueError:
        raise ValueError(f"{name}: cannot broadcast {pairs.shape} to ({ndim}, 2)") from None
    return [tuple(p) for p in pairs.tolist()]


def _source_positions(mode, before, n, total):
    """For each position of a padded axis, the position of the original array it repeats
    (mode edge, reflect, symmetric or wrap)."""
    p = numpy.arange(total, dtype=numpy.int64) - before
    if mode == "edge" or (n == 1 and mode in ("reflect", "symmetric")):
        return numpy.clip(p, 0, n - 1)
    if mode == "wrap":
        return p % n
    period = 2 * n if mode == "symmetric" else 2 * (n - 1)
    q = p % period
    return numpy.where(q < n, q, period - 1 - q if mode == "symmetric" else period - q)


def _runs(positions):
    """positions split into runs of equal steps of -1, 0 or +1: (start, stop, first, step)."""
    runs, start = [], 0
    while start < len(positions):
        stop = start + 1
        step = int(positions[stop] - positions[start]) if stop < len(positions) else 1
        if step not in (-1, 0, 1):
            step = 1
        else:
            while stop < len(positions) and positions[stop] - positions[stop - 1] == step:
                stop += 1
        runs.append((start, stop, int(positions[start]), step))
        start = stop
    return runs


def _pad_axis_from_center(out, axis, before, n, after, mode):
    """Fills the pad regions of one axis with copies of strided views of the center (the
    original's positions before .. before + n along the axis, already filled)."""
    positions = _source_positions(mode, before, n, before + n + after)
    regions = [(0, before), (before + n, before + n + after)]
    for region_start, region_stop in regions:
        for start, stop, first, step in _runs(positions[region_start:region_stop]):
            length = stop - start
            source_offset = out.offset + (before + first) * out.strides[axis]
            shape = out.shape[:axis] + (length,) + out.shape[axis + 1:]
            strides = out.strides[:axis] + (step * out.strides[axis],) + out.strides[axis + 1:]
            source = out._view(source_offset, shape, strides)
            target = out[along(axis, out.ndim,
                                slice(region_start + start, region_start + stop))]
            _copy_into(target, source)


def pad(array, pad_width, mode="constant", **kwargs):
    """NumPy's pad for the modes constant, edge, reflect (reflect_type 'even'), symmetric,
    wrap and empty: the original copied into the center, then each axis's pad regions
    filled in axis order (so corners come out as NumPy's), by fills or view copies."""
    array = _creation.device_operand(array)
    if callable(mode) or mode not in _PAD_MODES:
        raise TypeError(f"pad: mode {mode!r} is not implemented on the device (modes: "
                        f"{', '.join(_PAD_MODES)})")
    allowed = {"constant": {"constant_values"}, "reflect": {"reflect_type"},
               "symmetric": {"reflect_type"}}.get(mode, set())
    unexpected = set(kwargs) - allowed
    if unexpected:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {unexpected}")
    if kwargs.get("reflect_type", "even") != "even":
        raise TypeError("pad: reflect_type='odd' is not implemented on the device")
    widths = _pad_pairs(pad_width, array.ndim, "pad_width")
    shape = tuple(b + n + a for (b, a), n in zip(widths, array.shape))
    out = _new_like(shape, array.dtype, array)
    center = tuple(slice(b, b + n) for (b, _), n in zip(widths, array.shape))
    if array.size:
        _copy_into(out[center], array)
    if mode == "empty" or out.size == 0:
        return out
    if mode == "constant":
        values = _pad_pairs(kwargs.get("constant_values", 0), array.ndim, "constant_values",
                            integral=False)
    elif array.size == 0:
        raise ValueError(f"can't extend empty axis using modes other than 'constant' or "
                         f"'empty'")
    for axis, ((before, after), n) in enumerate(zip(widths, array.shape)):
        if mode == "constant":
            for region, value in ((slice(0, before), values[axis][0]),
                                  (slice(before + n, before + n + after), values[axis][1])):
                if region.stop > region.start:
                    out[along(axis, out.ndim, region)] = value
        else:
            _pad_axis_from_center(out, axis, before, n, after, mode)
    return out


class _RearrangingMethods:
    """ndarray methods of this module's functions."""

    __slots__ = ()

    def repeat(self, repeats, axis=None):
        return repeat(self, repeats, axis)

