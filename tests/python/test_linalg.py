"""matmul (@), dot, tensordot and outer against NumPy: every dtype, promotion, batches and
broadcasting, 1-D operands, transposed and strided views, out=, errors."""

import numpy
import pytest
from hypothesis import given, settings, strategies as st

import pymic2
from conftest import names_both
from test_math import ALL_DTYPES, check, sample


def small(shape, dtype, seed):
    """Small values: integer products stay exact and float sums close to NumPy's order."""
    x = sample(shape, dtype, seed, special=False)
    return (x % 5).astype(dtype) if numpy.dtype(dtype).kind in "iu" else x


@pytest.mark.parametrize("dtype_b", ALL_DTYPES)
@pytest.mark.parametrize("dtype_a", ALL_DTYPES)
def test_matmul_every_dtype_pair(dtype_a, dtype_b):
    x, y = small((4, 6), dtype_a, 1), small((6, 3), dtype_b, 2)
    a, b = pymic2.asarray(x), pymic2.asarray(y)
    expected = x @ y
    check(a @ b, expected)
    check(pymic2.matmul(a, b), expected)
    check(pymic2.dot(a, b), numpy.dot(x, y))


@pytest.mark.parametrize("shapes", [((5,), (5,)), ((5,), (5, 3)), ((4, 5), (5,)),
                                    ((2, 4, 5), (5,)), ((5,), (3, 5, 2)),
                                    ((2, 1, 3, 4), (5, 4, 2)), ((3, 4), (2, 4, 6)),
                                    ((0, 4), (4, 3)), ((3, 0), (0, 2)), ((1, 1), (1, 1))])
@pytest.mark.parametrize("dtype", [numpy.int32, numpy.float32, numpy.float64,
                                   numpy.complex128, numpy.bool_])
def test_matmul_shapes_batches_and_vectors(shapes, dtype):
    x, y = small(shapes[0], dtype, 3), small(shapes[1], dtype, 4)
    check(pymic2.asarray(x) @ pymic2.asarray(y), numpy.asarray(x @ y))


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32, numpy.int64])
def test_transposed_and_strided_views(dtype):
    x, y = small((6, 5), dtype, 5), small((6, 4), dtype, 6)
    a, b = pymic2.asarray(x), pymic2.asarray(y)
    check(a.T @ b, x.T @ y)                      # transposed view: no copy
    check(b.T @ a, y.T @ x)
    check(a[::2].T @ b[::2], x[::2].T @ y[::2])  # stepped rows
    check(a[::-1, ::-1].T @ b[::-1], x[::-1, ::-1].T @ y[::-1])
    check(a[:, 1] @ b, x[:, 1] @ y)                # strided vector
    check(pymic2.dot(a.T, a), numpy.dot(x.T, x))  # both operands share memory


def test_dot_rules():
    x3, y3 = small((2, 3, 4), numpy.float64, 7), small((5, 4, 6), numpy.float64, 8)
    check(pymic2.dot(pymic2.asarray(x3), pymic2.asarray(y3)), numpy.dot(x3, y3))
    v = small((4,), numpy.float64, 9)
    check(pymic2.dot(pymic2.asarray(x3), pymic2.asarray(v)), numpy.dot(x3, v))
    check(pymic2.dot(pymic2.asarray(v), pymic2.asarray(v)), numpy.asarray(numpy.dot(v, v)))
    check(pymic2.dot(pymic2.asarray(v), 2.5), numpy.dot(v, 2.5))
    check(pymic2.asarray(x3).dot(pymic2.asarray(v)), x3.dot(v))
    check(pymic2.dot(pymic2.asarray(numpy.array(3.0)), pymic2.asarray(v)), numpy.dot(3.0, v))


@pytest.mark.parametrize("axes,shape_b", [(2, (4, 5, 2)), (1, (5, 2)), (0, (2, 3)),
                                          (([1, 0], [0, 1]), (4, 3, 2)), (([2], [0]), (5, 2)),
                                          (((0, 2), (1, 0)), (5, 3, 2)),
                                          (([-1], [-2]), (2, 5, 3))])
def test_tensordot(axes, shape_b):
    x = small((3, 4, 5), numpy.float64, 10)
    y = small(shape_b, numpy.float64, 11)
    check(pymic2.tensordot(pymic2.asarray(x), pymic2.asarray(y), axes=axes),
          numpy.tensordot(x, y, axes=axes))
    m, n = small((4, 5), numpy.int32, 12), small((5, 3), numpy.int32, 13)
    check(pymic2.tensordot(pymic2.asarray(m), pymic2.asarray(n), axes=1),
          numpy.tensordot(m, n, axes=1))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_outer(dtype):
    x, y = small((2, 3), dtype, 14), small((4,), dtype, 15)
    check(pymic2.outer(pymic2.asarray(x), pymic2.asarray(y)), numpy.outer(x, y))
    check(pymic2.outer(pymic2.asarray(y)[::-1], pymic2.asarray(x).T),
          numpy.outer(y[::-1], x.T))


def test_out_and_in_place():
    x, y = small((3, 4), numpy.float64, 16), small((4, 4), numpy.float64, 17)
    a, b = pymic2.asarray(x), pymic2.asarray(y)
    out = pymic2.empty((3, 4))
    assert pymic2.matmul(a, b, out=out) is out
    check(out, x @ y)
    out32 = pymic2.empty((3, 4), numpy.float32)
    assert pymic2.matmul(a, b, out=out32) is out32
    check(out32, (x @ y).astype(numpy.float32))
    vector_out = pymic2.empty(3)
    assert pymic2.matmul(a, b[:, 0], out=vector_out) is vector_out
    check(vector_out, x @ y[:, 0])
    a @= b  # out aliases an input: the core copies what it needs
    check(a, x @ y)
    with pytest.raises(TypeError, match="same_kind"):
        pymic2.matmul(pymic2.asarray(x), b, out=pymic2.empty((3, 4), numpy.int64))
    with pytest.raises(ValueError, match="shape"):
        pymic2.matmul(pymic2.asarray(x), b, out=pymic2.empty((4, 4)))
    outer_out = pymic2.empty((3, 4))
    assert pymic2.outer(pymic2.asarray(x[:, 0]), b[0], out=outer_out) is outer_out
    check(outer_out, numpy.outer(x[:, 0], y[0]))


def test_errors():
    a, b = pymic2.zeros((3, 4)), pymic2.zeros((5, 2))
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(5, 2\)"):
        a @ b
    with pytest.raises(ValueError, match="batch"):
        pymic2.zeros((2, 3, 4)) @ pymic2.zeros((3, 4, 2))
    with pytest.raises(ValueError, match="enough dimensions"):
        pymic2.matmul(a, 2.0)
    with pytest.raises(TypeError):
        a @ 2.0
    with pytest.raises(ValueError, match="shape-mismatch"):
        pymic2.tensordot(a, b, axes=1)
    with pytest.raises(numpy.exceptions.AxisError):
        pymic2.tensordot(a, pymic2.zeros((4, 2)), axes=([2], [0]))
    other = pymic2.ndarray((4, 2), stream=pymic2.devices[1].create_stream()).fill(1)
    with pytest.raises(ValueError, match=names_both("host:1")):
        a @ other
    with pytest.raises(TypeError):
        pymic2.asarray(numpy.zeros((2, 2), numpy.uint8)) @ numpy.zeros((2, 2), numpy.longdouble)


@settings(max_examples=60, deadline=None)
@given(m=st.integers(0, 6), k=st.integers(0, 6), n=st.integers(0, 6),
       batch=st.sampled_from([(), (2,), (1, 3)]),
       dtype=st.sampled_from([numpy.float64, numpy.int64, numpy.complex128]),
       transpose_a=st.booleans(), seed=st.integers(0, 1000))
def test_hypothesis_matmul(m, k, n, batch, dtype, transpose_a, seed):
    x, y = small(batch + (m, k), dtype, seed), small((k, n), dtype, seed + 1)
    a = pymic2.asarray(x)
    if transpose_a:  # the same matrix as a transposed view of its transpose
        x_t = numpy.ascontiguousarray(numpy.swapaxes(x, -1, -2))
        a = pymic2.asarray(x_t)
        a = a.transpose(tuple(range(len(batch))) + (len(batch) + 1, len(batch)))
    check(a @ pymic2.asarray(y), x @ y)
