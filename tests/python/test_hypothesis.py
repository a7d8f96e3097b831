"""Element-wise ops and basic views on random shapes, dtypes, layouts and scalars, against
NumPy."""

import numpy
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import pymic2
from conftest import DTYPES, assert_same

BINARY = {
    "add": lambda x, y: x + y,
    "subtract": lambda x, y: x - y,
    "multiply": lambda x, y: x * y,
}


def values(dtype):
    if numpy.dtype(dtype).kind == "c":
        return st.complex_numbers(max_magnitude=100, allow_nan=False, allow_infinity=False)
    if numpy.dtype(dtype).kind == "f":
        return st.floats(-100, 100, width=numpy.dtype(dtype).itemsize * 8)
    return st.integers(-1000, 1000)


@st.composite
def broadcastable_pair(draw):
    dtype_x = draw(st.sampled_from(DTYPES))
    dtype_y = draw(st.sampled_from(DTYPES))
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=5))
    x = draw(hnp.arrays(dtype_x, shapes.input_shapes[0], elements=values(dtype_x)))
    y = draw(hnp.arrays(dtype_y, shapes.input_shapes[1], elements=values(dtype_y)))
    return x, y


@settings(max_examples=150, deadline=None)
@given(pair=broadcastable_pair(), op=st.sampled_from(sorted(BINARY)), flip=st.booleans())
def test_binary_arrays(pair, op, flip):
    x, y = pair
    a, b = pymic2.asarray(x), pymic2.asarray(y)
    if flip:  # negative-stride operands: every axis reversed
        rx, ry = (slice(None, None, -1),) * x.ndim, (slice(None, None, -1),) * y.ndim
        x, y, a, b = x[rx], y[ry], a[rx], b[ry]
    assert_same(BINARY[op](a, b), BINARY[op](x, y))


@settings(max_examples=100, deadline=None)
@given(dtype=st.sampled_from(DTYPES), data=st.data(), op=st.sampled_from(sorted(BINARY)),
       scalar=st.one_of(st.integers(-50, 50), st.floats(-50, 50), st.complex_numbers(
           max_magnitude=50, allow_nan=False, allow_infinity=False)))
def test_binary_with_python_scalars(dtype, data, op, scalar):
    x = data.draw(hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0,
                                                   max_side=4), elements=values(dtype)))
    a = pymic2.asarray(x)
    assert_same(BINARY[op](a, scalar), BINARY[op](x, scalar))
    assert_same(BINARY[op](scalar, a), BINARY[op](scalar, x))


@settings(max_examples=60, deadline=None)
@given(dtype=st.sampled_from(DTYPES), data=st.data())
def test_unary_on_transposed_views(dtype, data):
    x = data.draw(hnp.arrays(dtype, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                             elements=values(dtype)))
    a = pymic2.asarray(x)
    assert_same(-a.T, -x.T)
    assert_same(abs(a.T), numpy.abs(x.T))


@settings(max_examples=60, deadline=None)
@given(dtype=st.sampled_from(DTYPES), data=st.data())
def test_power_small_values(dtype, data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=5))
    x = data.draw(hnp.arrays(dtype, shape, elements=st.integers(0, 6)))
    y = data.draw(hnp.arrays(dtype, shape, elements=st.integers(0, 4)))
    assert_same(pymic2.asarray(x) ** pymic2.asarray(y), x ** y)


@st.composite
def basic_key(draw, ndim):
    """A basic index NumPy accepts or refuses: ints (some out of bounds), slices with any
    steps, None, Ellipsis and scalar bools, as a tuple or alone."""
    item = st.one_of(st.integers(-6, 6), st.none(), st.just(Ellipsis), st.booleans(),
                     st.builds(slice, st.none() | st.integers(-7, 7),
                               st.none() | st.integers(-7, 7),
                               st.none() | st.integers(-3, 3).filter(bool)))
    items = draw(st.lists(item, max_size=ndim + 2))
    return items[0] if len(items) == 1 and draw(st.booleans()) else tuple(items)


@settings(max_examples=300, deadline=None)
@given(x=hnp.arrays(numpy.int32, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0,
                                                 max_side=5)), data=st.data())
def test_basic_indexing_matches_numpy(x, data):
    """The C fast path of a[key] (and its Python fallback): the same view or the same error
    type as NumPy, reading and writing."""
    key = data.draw(basic_key(x.ndim))
    a = pymic2.asarray(x)
    try:
        expected = x[key]
    except IndexError:
        with pytest.raises(IndexError):
            a[key]
        return
    assert_same(a[key], numpy.asarray(expected))
    a[key] = -1
    y = x.copy()
    y[key] = -1
    assert_same(a, y)


@settings(max_examples=150, deadline=None)
@given(x=hnp.arrays(numpy.float64, hnp.array_shapes(min_dims=1, max_dims=4, max_side=4)),
       data=st.data())
def test_reshape_and_transpose_views_match_numpy(x, data):
    a = pymic2.asarray(x)
    axes = tuple(data.draw(st.permutations(range(x.ndim))))
    assert_same(a.transpose(axes), x.transpose(axes))
    assert_same(a.T, x.T)
    shape = data.draw(st.sampled_from([(-1,), (x.size,), (1, -1), (-1, 1), x.shape[::-1]]))
    if numpy.prod(shape) in (x.size, -x.size):
        assert_same(a.reshape(shape), x.reshape(shape))
        assert_same(a.T.reshape(shape), x.T.reshape(shape))  # not contiguous: a copy
