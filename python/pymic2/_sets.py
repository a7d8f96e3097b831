"""NumPy's set routines on the device (unique with its outputs and axis=, the array API's
unique_all, unique_counts, unique_inverse and unique_values, isin, intersect1d, union1d,
setdiff1d, setxor1d), composed of the SORT family's sorts, searches and runs and existing
ops; isin of integers over a small range looks them up in a table instead (the HISTOGRAM
family's count and membership ops, NumPy's table method).

Every result follows from one sorted copy: the starts of its runs of equal elements (NaN !=
NaN, so NaNs stay apart unless equal_nan merges them, NaN sorting last) give the unique
values and their first indices, a running count of the starts the inverse.
"""

from typing import NamedTuple

import numpy

from . import _core, _creation, _indexing, _math, _reduction
from ._manipulation import moveaxis, normalize_axis, ravel, reshape
from ._reduction import device_array
from ._sorting import argsort, lexsort, sort

__all__ = ["intersect1d", "isin", "setdiff1d", "setxor1d", "union1d", "unique", "unique_all",
           "unique_counts", "unique_inverse", "unique_values"]

_INT64 = numpy.dtype(numpy.int64)
_INT64_MAX = numpy.iinfo(numpy.int64).max


class UniqueAllResult(NamedTuple):
    values: object
    indices: object
    inverse_indices: object
    counts: object


class UniqueCountsResult(NamedTuple):
    values: object
    counts: object


class UniqueInverseResult(NamedTuple):
    values: object
    inverse_indices: object


def _flag(value, stream):
    return _creation.full(1, value, bool, stream=stream)


def _run_starts(values, equal_nan):
    """The positions of the first elements of values' runs of equal elements (values sorted,
    1-d; equal_nan: every NaN, sorted last, in the run of the first): one pass of the core,
    which also counts them, the one number read back."""
    runs = _core.sort_runs(values, equal_nan=equal_nan)
    return runs[:int(runs[values.size])]


def _row_starts(rows):
    """The positions of the first rows of rows' runs of equal rows (rows: sorted, 2-d)."""
    stream = rows._op_stream
    if rows.shape[0] == 0:
        return _creation.zeros(0, _INT64, stream=stream)
    differs = _reduction.any(_math.not_equal(rows[1:], rows[:-1]), axis=1)
    return _indexing.flatnonzero(_creation.concatenate([_flag(True, stream), differs]))


def _outputs(values, order, starts, flags):
    """The unique values (of the sorted values, along axis 0) and the outputs flags asks for
    (index, inverse, counts) from the argsort order and the runs' starts."""
    n = values.shape[0]
    stream = values._op_stream
    result = [_indexing.take(values, starts, axis=0)]
    if flags[0]:
        result.append(_indexing.take(order, starts))
    if flags[1]:
        first = _creation.zeros(n, _INT64, stream=stream)
        _indexing.put(first, starts, 1)
        group = _math.subtract(_reduction.cumsum(first), 1)
        inverse = _creation.empty(n, _INT64, stream=stream)
        _indexing.put(inverse, order, group)
        result.append(inverse)
    if flags[2]:
        ends = _creation.concatenate([starts[1:], _creation.full(1, n, _INT64, stream=stream)])
        result.append(_math.subtract(ends, starts))
    return result


def _unique_flat(ar, flags, equal_nan):
    flat = ravel(ar)
    if any(flags[:2]):
        order = argsort(flat)
        values = _indexing.take(flat, order)
    else:
        order, values = None, sort(flat)
    result = _outputs(values, order, _run_starts(values, equal_nan), flags)
    if flags[1]:
        result[1 + flags[0]] = reshape(result[1 + flags[0]], ar.shape)
    return result


def _unique_rows(ar, axis, flags):
    """unique along axis: of the slices along it, as rows compared lexicographically."""
    if ar.ndim == 0:
        raise numpy.exceptions.AxisError(axis, 0)
    axis = normalize_axis(axis, ar.ndim)
    moved = moveaxis(ar, axis, 0)
    rows = reshape(moved, (moved.shape[0], int(numpy.prod(moved.shape[1:]))))
    if rows.shape[0] and rows.shape[1]:  # the first column is the primary key
        order = lexsort([rows[:, c] for c in range(rows.shape[1] - 1, -1, -1)])
    else:
        order = _creation.arange(rows.shape[0], dtype=_INT64, stream=rows._op_stream)
    ordered = _indexing.take(rows, order, axis=0)
    result = _outputs(ordered, order, _row_starts(ordered), flags)
    result[0] = moveaxis(reshape(result[0], result[0].shape[:1] + moved.shape[1:]), 0, axis)
    return result


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None,
           *, equal_nan=True, sorted=True):  # noqa: A002 - NumPy's keyword
    """The sorted unique elements of an array (flattened, or the unique slices along axis),
    with NumPy's optional outputs."""
    ar = device_array(ar)
    flags = (return_index, return_inverse, return_counts)
    result = _unique_flat(ar, flags, equal_nan) if axis is None else \
        _unique_rows(ar, axis, flags)
    return result[0] if len(result) == 1 else tuple(result)


def unique_all(x):
    """The array API's unique_all: values, first indices, inverse (x's shape), counts; NaNs
    distinct."""
    return UniqueAllResult(*unique(x, True, True, True, equal_nan=False))


def unique_counts(x):
    return UniqueCountsResult(*unique(x, return_counts=True, equal_nan=False))


def unique_inverse(x):
    return UniqueInverseResult(*unique(x, return_inverse=True, equal_nan=False))


def unique_values(x):
    return unique(x, equal_nan=False)


def _common(*arrays):
    """The arrays flattened, in their common dtype."""
    arrays = [ravel(device_array(a)) for a in arrays]
    dtype = numpy.result_type(*(a.dtype for a in arrays))
    return [a.astype(dtype, copy=False) for a in arrays]


def _isin_table(keys, tests, invert, kind):
    """NumPy's table method for integer keys and tests: the tests marked in a bitmap over
    their range (one bit per value, where NumPy's table takes a byte), each key looked up in
    it (the HISTOGRAM family's MARK and MEMBER ops); None where NumPy would sort instead (a
    range too wide for the sizes) or the table cannot hold the range."""
    if tests.size == 0:
        return (_creation.ones if invert else _creation.zeros)(keys.shape, bool,
                                                              stream=keys._op_stream)
    low, high = (int(v) for v in _core.histogram_range(tests).get())
    span = high - low
    limit = numpy.iinfo(numpy.uint8 if tests.dtype == bool else tests.dtype).max
    if span > limit or (span > 6 * (keys.size + tests.size) and kind != "table"):
        if kind == "table":
            raise RuntimeError("You have specified kind='table', but the range of values in "
                               "`ar2` or `ar1` exceed the maximum integer of the datatype. "
                               "Please set `kind` to None or 'sort'.")
        return None
    if high > _INT64_MAX or span >= _INT64_MAX:  # uint64 beyond int64: the table cannot start there
        return None
    return _core.histogram_member(keys, tests, low, span + 1, invert)


def isin(element, test_elements, assume_unique=False, invert=False, *, kind=None):
    """element's shape of booleans: whether each element is in test_elements. Integers whose
    test elements span a small range (NumPy's rule for its table method; any range with
    kind='table') are looked up in a table of the test elements on the device; the others are
    searched for (binary search) in the sorted test elements."""
    if kind not in (None, "sort", "table"):
        raise ValueError(f"Invalid kind: '{kind}'. Please use None, 'sort' or 'table'.")
    element = device_array(element)
    if isinstance(test_elements, _core.ndarray):
        test_elements = device_array(test_elements)
    else:
        test_elements = _creation.asarray(test_elements, stream=element._op_stream)
    if all(a.dtype.kind in "biu" for a in (element, test_elements)):
        if kind != "sort":
            found = _isin_table(ravel(element), ravel(test_elements), invert, kind)
            if found is not None:
                return reshape(found, element.shape)
    elif kind == "table":
        raise ValueError("The 'table' method is only supported for boolean or integer arrays. "
                         "Please select 'sort' or None for kind.")
    keys, tests = _common(element, test_elements)
    tests = sort(tests)
    if tests.size == 0:
        found = _creation.zeros(keys.shape, bool, stream=keys._op_stream)
    else:
        where = _core.searchsorted(tests, keys)
        clipped = _math.minimum(where, tests.size - 1)
        found = _math.equal(_indexing.take(tests, clipped), keys)
    found = reshape(found, element.shape)
    return _math.logical_not(found) if invert else found


def _sorted_union(ar1, ar2, positions):
    """The concatenation of the 1-d ar1 and ar2 sorted (stably), and its order if asked."""
    joined = _creation.concatenate([ar1, ar2])
    if not positions:
        return sort(joined), None
    order = argsort(joined)
    return _indexing.take(joined, order), order


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False):
    """The sorted values in both ar1 and ar2 (and their first indices in each)."""
    ar1, ar2 = _common(ar1, ar2)
    if not assume_unique:
        if return_indices:
            ar1, index1 = unique(ar1, return_index=True)
            ar2, index2 = unique(ar2, return_index=True)
        else:
            ar1, ar2 = unique(ar1), unique(ar2)
    joined, order = _sorted_union(ar1, ar2, return_indices)
    if joined.size == 0:
        both = _creation.zeros(0, bool, stream=joined._op_stream)
    else:
        both = _math.equal(joined[1:], joined[:-1])
    found = _indexing.flatnonzero(both)
    values = _indexing.take(joined, found)
    if not return_indices:
        return values
    first = _indexing.take(order, found)
    second = _math.subtract(_indexing.take(order, _math.add(found, 1)), ar1.size)
    if not assume_unique:
        first, second = _indexing.take(index1, first), _indexing.take(index2, second)
    return values, first, second


def union1d(ar1, ar2):
    """The sorted unique values in ar1 or ar2."""
    return unique(_creation.concatenate(_common(ar1, ar2)))


def setdiff1d(ar1, ar2, assume_unique=False):
    """The values of ar1 (unique and sorted unless assume_unique) not in ar2, in ar1's
    dtype."""
    ar1, ar2 = ravel(device_array(ar1)), ravel(device_array(ar2))
    if not assume_unique:
        ar1, ar2 = unique(ar1), unique(ar2)
    return _indexing.compress(isin(ar1, ar2, invert=True), ar1)


def setxor1d(ar1, ar2, assume_unique=False):
    """The sorted values in exactly one of ar1 and ar2."""
    ar1, ar2 = _common(ar1, ar2)
    if not assume_unique:
        ar1, ar2 = unique(ar1), unique(ar2)
    joined = _sorted_union(ar1, ar2, False)[0]
    if joined.size == 0:
        return joined
    stream = joined._op_stream
    edges = _creation.concatenate([_flag(True, stream), _math.not_equal(joined[1:],
                                                                        joined[:-1]),
                                   _flag(True, stream)])
    return _indexing.compress(_math.logical_and(edges[1:], edges[:-1]), joined)
