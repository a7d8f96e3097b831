"""Manipulation that copies or rearranges (tile, repeat, resize, split family, stack family,
append, delete, insert, trim_zeros, flipud/fliplr, rot90, roll, pad, diff, ediff1d) and
building matrices and ranges (diag, diagflat, diagonal, trace, tri, tril, triu, vander,
meshgrid, indices, fromfunction, logspace, geomspace, ascontiguousarray, asfortranarray,
ptp), against NumPy: values, dtypes, shapes incl. empty ones, non-contiguous inputs, views
where NumPy gives views, the errors NumPy raises; reached through pymic2 and through NumPy's
own functions (__array_function__)."""

import numpy
import pytest
from conftest import assert_same
from hypothesis import given, settings
from hypothesis import strategies as st

import pymic2

DTYPES = [numpy.bool_, numpy.int8, numpy.uint16, numpy.int64, numpy.float32, numpy.float64,
          numpy.complex128]


def pair(shape, dtype=numpy.float64, strided=False):
    """(device array, equal NumPy array); strided: a non-contiguous view of a bigger array."""
    size = int(numpy.prod(shape))
    host = (numpy.arange(size * (2 if strided else 1)) % 7 - 2).astype(dtype)
    device = pymic2.asarray(host)
    if strided:
        return device[::2].reshape(shape), host[::2].reshape(shape)
    return device.reshape(shape), host.reshape(shape)


def assert_all_same(results, expected):
    assert len(results) == len(expected)
    for r, e in zip(results, expected):
        assert_same(r, e)


# ---------------------------------------------------------------- tiling

@pytest.mark.parametrize("dtype", DTYPES)
def test_tile_every_dtype(dtype):
    a, host = pair((2, 3), dtype, strided=True)
    for reps in [2, (2, 1), (1, 3), (2, 2, 2), (0, 2), 1]:
        assert_same(pymic2.tile(a, reps), numpy.tile(host, reps))


def test_tile_shapes():
    a, host = pair((3,))
    assert_same(pymic2.tile(a, (2, 2)), numpy.tile(host, (2, 2)))
    assert_same(pymic2.tile(a[:0], 3), numpy.tile(host[:0], 3))
    s, hs = pair(())
    assert_same(pymic2.tile(s, (2, 3)), numpy.tile(hs, (2, 3)))
    result = pymic2.tile(a, 1)
    assert result.buffer is not a.buffer  # always a copy, as NumPy's
    with pytest.raises(ValueError, match="negative"):
        pymic2.tile(a, -1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_repeat_every_dtype(dtype):
    a, host = pair((2, 3), dtype, strided=True)
    assert_same(pymic2.repeat(a, 2), numpy.repeat(host, 2))
    assert_same(a.repeat(3, axis=1), host.repeat(3, axis=1))
    assert_same(pymic2.repeat(a, [1, 0, 2], axis=-1), numpy.repeat(host, [1, 0, 2], axis=-1))
    assert_same(pymic2.repeat(a, pymic2.asarray([2, 1]), axis=0),
                numpy.repeat(host, [2, 1], axis=0))


def test_repeat_errors_and_edges():
    a, host = pair((2, 3))
    assert_same(pymic2.repeat(a, 0, axis=1), numpy.repeat(host, 0, axis=1))
    assert_same(pymic2.repeat(a[:0], 4), numpy.repeat(host[:0], 4))
    with pytest.raises(ValueError, match="negative"):
        pymic2.repeat(a, -1)
    with pytest.raises(ValueError, match="broadcast"):
        pymic2.repeat(a, [1, 2], axis=1)
    with pytest.raises(numpy.exceptions.AxisError):
        pymic2.repeat(a, 2, axis=2)


def test_resize():
    a, host = pair((2, 3), strided=True)
    for shape in [(3, 4), (5,), (2, 3), (0,), (1, 1)]:
        assert_same(pymic2.resize(a, shape), numpy.resize(host, shape))
    assert_same(pymic2.resize(a[:0], (2, 2)), numpy.resize(host[:0], (2, 2)))


# ---------------------------------------------------------------- splitting

def test_split_family_gives_views():
    a, host = pair((6, 4, 2))
    cases = [
        (pymic2.split(a, 3), numpy.split(host, 3)),
        (pymic2.split(a, [1, 4], axis=1), numpy.split(host, [1, 4], axis=1)),
        (pymic2.array_split(a, 4), numpy.array_split(host, 4)),
        (pymic2.array_split(a, [2, 10, 1], axis=0), numpy.array_split(host, [2, 10, 1])),
        (pymic2.hsplit(a, 2), numpy.hsplit(host, 2)),
        (pymic2.vsplit(a, [3]), numpy.vsplit(host, [3])),
        (pymic2.dsplit(a, 2), numpy.dsplit(host, 2)),
        (pymic2.hsplit(a[:, 0, 0], 3), numpy.hsplit(host[:, 0, 0], 3)),
    ]
    for results, expected in cases:
        assert_all_same(results, expected)
        assert all(r.buffer is a.buffer for r in results)
    with pytest.raises(ValueError, match="equal division"):
        pymic2.split(a, 4)
    with pytest.raises(ValueError, match="larger than 0"):
        pymic2.array_split(a, 0)
    with pytest.raises(ValueError, match="vsplit only works on arrays of 2"):
        pymic2.vsplit(a[:, 0, 0], 2)
    with pytest.raises(ValueError, match="dsplit only works on arrays of 3"):
        pymic2.dsplit(a[:, :, 0], 2)


# ---------------------------------------------------------------- joining, adding, removing

def test_dstack_column_stack_append():
    a, ha = pair((3,))
    b, hb = pair((3,), numpy.int32, strided=True)
    assert_same(pymic2.dstack([a, b]), numpy.dstack([ha, hb]))
    assert_same(pymic2.column_stack([a, b]), numpy.column_stack([ha, hb]))
    m, hm = pair((3, 2))
    assert_same(pymic2.column_stack([a, m]), numpy.column_stack([ha, hm]))
    assert_same(pymic2.append(m, a), numpy.append(hm, ha))
    assert_same(pymic2.append(m, m, axis=0), numpy.append(hm, hm, axis=0))
    assert_same(pymic2.append(a, [7.5, 8]), numpy.append(ha, [7.5, 8]))
    with pytest.raises(ValueError, match="dimension"):
        pymic2.append(m, a, axis=0)


@pytest.mark.parametrize("obj", [1, -1, [0, 2], slice(1, None, 2), [True, False, True, False],
                                 numpy.array([], numpy.int64)])
def test_delete(obj):
    a, host = pair((4, 3), numpy.int32, strided=True)
    assert_same(pymic2.delete(a, obj, axis=0), numpy.delete(host, obj, axis=0))
    if not isinstance(obj, list) or not isinstance(obj[0], bool):
        assert_same(pymic2.delete(a, obj), numpy.delete(host, obj))


def test_delete_errors():
    a, host = pair((4, 3))
    with pytest.raises(IndexError, match="out of bounds"):
        pymic2.delete(a, 4, axis=0)
    with pytest.raises(ValueError, match="boolean"):
        pymic2.delete(a, [True, False], axis=0)


@pytest.mark.parametrize("obj, values", [(1, 9), (0, [7, 8, 9]), (1, [[1], [2]]), (-1, [[5], [6], [7]]),
                                         ([1], [[1, 2, 3]]), ([0, 2, 2], 4),
                                         ([3, 0], [[1, 2, 3], [4, 5, 6]]),
                                         (slice(0, 2), 5), (4, 1)])
def test_insert_along_an_axis(obj, values):
    a, host = pair((4, 3), numpy.float32, strided=True)
    assert_same(pymic2.insert(a, obj, values, axis=0), numpy.insert(host, obj, values, axis=0))


def test_insert_flat_and_errors():
    a, host = pair((2, 3), numpy.int64)
    assert_same(pymic2.insert(a, 2, [10, 11]), numpy.insert(host, 2, [10, 11]))
    assert_same(pymic2.insert(a, [1, 5], 0), numpy.insert(host, [1, 5], 0))
    assert_same(pymic2.insert(a, 1, 2.7, axis=1), numpy.insert(host, 1, 2.7, axis=1))
    with pytest.raises(IndexError, match="out of bounds"):
        pymic2.insert(a, 7, 1)
    with pytest.raises(ValueError, match="broadcast"):  # NumPy: ValueError as well
        pymic2.insert(a, 0, [7, 8], axis=0)


def test_trim_zeros_is_a_view():
    host = numpy.array([0, 0, 1, 0, 2, 0], numpy.int16)
    a = pymic2.asarray(host)
    for trim in ("fb", "f", "b", "FB"):
        result = pymic2.trim_zeros(a, trim)
        assert_same(result, numpy.trim_zeros(host, trim))
        assert result.buffer is a.buffer
    assert_same(pymic2.trim_zeros(pymic2.zeros(3)), numpy.trim_zeros(numpy.zeros(3)))
    with pytest.raises(ValueError, match="trim"):
        pymic2.trim_zeros(a, "x")


# ---------------------------------------------------------------- rearranging

def test_flipud_fliplr_rot90_are_views():
    a, host = pair((3, 4, 2), strided=True)
    assert_same(pymic2.flipud(a), numpy.flipud(host))
    assert_same(pymic2.fliplr(a), numpy.fliplr(host))
    for k in range(-3, 6):
        for axes in [(0, 1), (1, 0), (2, 0), (-1, 1)]:
            result = pymic2.rot90(a, k, axes)
            assert_same(result, numpy.rot90(host, k, axes))
            assert result.buffer is a.buffer
    with pytest.raises(ValueError, match="2-d"):
        pymic2.fliplr(a[:, 0, 0])
    with pytest.raises(ValueError, match="1-d"):
        pymic2.flipud(a[0, 0, 0])
    with pytest.raises(ValueError, match="different"):
        pymic2.rot90(a, 1, (1, 1))
    with pytest.raises(ValueError, match="len"):
        pymic2.rot90(a, 1, (0, 1, 2))
    with pytest.raises(ValueError, match="out of range"):
        pymic2.rot90(a, 1, (0, 4))


@pytest.mark.parametrize("dtype", DTYPES)
def test_roll_every_dtype(dtype):
    a, host = pair((3, 5), dtype, strided=True)
    for shift, axis in [(2, None), (-7, None), (1, 0), (3, -1), ((1, 2), (0, 1)),
                        ((1, 1), (1, 1)), (0, 1), (5, 1)]:
        assert_same(pymic2.roll(a, shift, axis), numpy.roll(host, shift, axis))
    assert_same(pymic2.roll(a[:0], 2, 0), numpy.roll(host[:0], 2, 0))


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric", "wrap"])
def test_pad_modes(mode):
    a, host = pair((3, 4), numpy.float64, strided=True)
    for width in [1, (2, 3), ((1, 0), (4, 2)), ((7, 9), (2, 11)), 0]:
        assert_same(pymic2.pad(a, width, mode), numpy.pad(host, width, mode))
    v, hv = pair((2,), numpy.int32)
    assert_same(pymic2.pad(v, (5, 4), mode), numpy.pad(hv, (5, 4), mode))
    s, hs = pair((1, 3), numpy.int32)
    assert_same(pymic2.pad(s, 3, mode), numpy.pad(hs, 3, mode))


def test_pad_constant_values_and_errors():
    a, host = pair((2, 3), numpy.int16)
    kw = {"constant_values": ((1, 2), (3, 4))}
    assert_same(pymic2.pad(a, 2, **kw), numpy.pad(host, 2, **kw))
    assert_same(pymic2.pad(a, 1, constant_values=7), numpy.pad(host, 1, constant_values=7))
    assert pymic2.pad(a, 1, "empty").shape == (4, 5)
    assert_same(pymic2.pad(a[:0], 1), numpy.pad(host[:0], 1))
    with pytest.raises(ValueError, match="negative"):
        pymic2.pad(a, -1)
    with pytest.raises(ValueError, match="empty axis"):
        pymic2.pad(a[:0], 1, "edge")
    with pytest.raises(ValueError, match="unsupported keyword"):
        pymic2.pad(a, 1, "edge", constant_values=3)
    with pytest.raises(TypeError, match="linear_ramp"):
        pymic2.pad(a, 1, "linear_ramp")
    with pytest.raises(TypeError, match="odd"):
        pymic2.pad(a, 1, "reflect", reflect_type="odd")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.data())
def test_pad_hypothesis(shape, data):
    mode = data.draw(st.sampled_from(["constant", "edge", "reflect", "symmetric", "wrap"]))
    widths = [tuple(data.draw(st.lists(st.integers(0, 6), min_size=2, max_size=2)))
              for _ in shape]
    a, host = pair(tuple(shape), numpy.int64)
    assert_same(pymic2.pad(a, widths, mode), numpy.pad(host, widths, mode))


# ---------------------------------------------------------------- differences

@pytest.mark.parametrize("dtype", DTYPES)
def test_diff_every_dtype(dtype):
    a, host = pair((3, 5), dtype, strided=True)
    for n, axis in [(1, -1), (2, 1), (1, 0), (0, 1), (6, 1)]:
        assert_same(pymic2.diff(a, n, axis), numpy.diff(host, n, axis))


def test_diff_prepend_append_and_ediff1d():
    a, host = pair((2, 4))
    assert_same(pymic2.diff(a, prepend=0, append=[[1], [2]]),
                numpy.diff(host, prepend=0, append=[[1], [2]]))
    assert_same(pymic2.ediff1d(a), numpy.ediff1d(host))
    assert_same(pymic2.ediff1d(a, to_end=[9, 8], to_begin=-1),
                numpy.ediff1d(host, to_end=[9, 8], to_begin=-1))
    i, hi = pair((4,), numpy.int32)
    with pytest.raises(TypeError, match="same_kind"):
        pymic2.ediff1d(i, to_begin=1.5)
    with pytest.raises(ValueError, match="at least one dimensional"):
        pymic2.diff(pymic2.asarray(1.0))
    with pytest.raises(ValueError, match="non-negative"):
        pymic2.diff(a, -1)


def test_ptp():
    a, host = pair((3, 4), numpy.uint8, strided=True)
    assert_same(pymic2.ptp(a), numpy.ptp(host))
    assert_same(pymic2.ptp(a, axis=1, keepdims=True), numpy.ptp(host, axis=1, keepdims=True))
    f, hf = pair((3, 4), numpy.float32)
    assert_same(pymic2.ptp(f, 0), numpy.ptp(hf, 0))


# ---------------------------------------------------------------- building matrices

@pytest.mark.parametrize("dtype", DTYPES)
def test_diag_diagonal_trace(dtype):
    m, hm = pair((4, 5), dtype, strided=True)
    for k in (-5, -1, 0, 2, 6):
        view = pymic2.diag(m, k)
        assert_same(view, numpy.diag(hm, k))
        assert view.buffer is m.buffer
        assert_same(pymic2.diag(pymic2.diag(m, k), k), numpy.diag(numpy.diag(hm, k), k))
    assert_same(pymic2.diagflat(m[:2, :2], 1), numpy.diagflat(hm[:2, :2], 1))
    t, ht = pair((2, 3, 4), dtype)
    assert_same(t.diagonal(1, 2, 0), ht.diagonal(1, 2, 0))
    if dtype != numpy.bool_:
        assert_same(t.trace(0, 1, 2), ht.trace(0, 1, 2))
        assert_same(pymic2.trace(m, -1), numpy.trace(hm, -1))
    with pytest.raises(ValueError, match="1- or 2-d"):
        pymic2.diag(t)
    with pytest.raises(ValueError, match="same"):
        pymic2.diagonal(t, 0, 1, -2)


def test_diagonal_is_read_only():
    m, _ = pair((3, 3))
    with pytest.raises(ValueError):
        pymic2.diagonal(m)[0] = 1.0


def test_tri_tril_triu():
    for N, M, k in [(3, None, 0), (4, 2, 1), (2, 5, -1), (0, 3, 0)]:
        assert_same(pymic2.tri(N, M, k), numpy.tri(N, M, k))
        assert_same(pymic2.tri(N, M, k, dtype=numpy.int32), numpy.tri(N, M, k, numpy.int32))
    m, hm = pair((2, 4, 3), numpy.complex128, strided=True)
    for k in (-2, 0, 1, 4):
        assert_same(pymic2.tril(m, k), numpy.tril(hm, k))
        assert_same(pymic2.triu(m, k), numpy.triu(hm, k))
    v, hv = pair((3,), numpy.int8)
    assert_same(pymic2.tril(v), numpy.tril(hv))


@pytest.mark.parametrize("dtype", [numpy.int32, numpy.float64, numpy.complex128, numpy.uint8])
def test_vander(dtype):
    x, hx = pair((4,), dtype, strided=True)
    for N, increasing in [(None, False), (3, True), (1, False), (0, True), (6, False)]:
        assert_same(pymic2.vander(x, N, increasing), numpy.vander(hx, N, increasing))


# ---------------------------------------------------------------- ranges

def test_logspace_geomspace():
    assert_same(pymic2.logspace(0, 3, 7), numpy.logspace(0, 3, 7))
    assert_same(pymic2.logspace(1, -2, 5, base=2.0, endpoint=False),
                numpy.logspace(1, -2, 5, base=2.0, endpoint=False))
    assert_same(pymic2.logspace(0, 2, 4, dtype=numpy.float32),
                numpy.logspace(0, 2, 4, dtype=numpy.float32))
    for start, stop, num, endpoint in [(1, 1000, 4, True), (-1, -1000, 5, False),
                                       (2.5, 0.001, 7, True), (1j, 1000j, 4, True),
                                       (1, 8, 1, True), (3, 7, 0, True)]:
        assert_same(pymic2.geomspace(start, stop, num, endpoint),
                    numpy.geomspace(start, stop, num, endpoint))
    with pytest.raises(ValueError, match="zero"):
        pymic2.geomspace(0, 4)


def test_meshgrid_indices_fromfunction():
    x, hx = pair((3,))
    y, hy = pair((2,), numpy.int32)
    z, hz = pair((4,), numpy.float32)
    for kw in [{}, {"indexing": "ij"}, {"sparse": True}, {"copy": False}]:
        assert_all_same(pymic2.meshgrid(x, y, z, **kw), numpy.meshgrid(hx, hy, hz, **kw))
        assert_all_same(pymic2.meshgrid(x, y, **kw), numpy.meshgrid(hx, hy, **kw))
    assert_all_same(pymic2.meshgrid(x), numpy.meshgrid(hx))
    assert_same(pymic2.indices((2, 3)), numpy.indices((2, 3)))
    assert_all_same(pymic2.indices((2, 3), sparse=True), numpy.indices((2, 3), sparse=True))
    assert_same(pymic2.indices((3,), dtype=numpy.int8), numpy.indices((3,), dtype=numpy.int8))
    assert_same(pymic2.fromfunction(lambda i, j: i * 10 + j, (3, 4)),
                numpy.fromfunction(lambda i, j: i * 10 + j, (3, 4)))
    with pytest.raises(ValueError, match="indexing"):
        pymic2.meshgrid(x, indexing="yx")


def test_contiguous_layouts():
    a, host = pair((3, 4), strided=True)
    c = pymic2.ascontiguousarray(a.T)
    assert c.c_contiguous and not c.f_contiguous
    assert_same(c, numpy.ascontiguousarray(host.T))
    f = pymic2.asfortranarray(a)
    assert f.f_contiguous
    assert_same(f, numpy.asfortranarray(host))
    contiguous, _ = pair((2, 2))
    assert pymic2.ascontiguousarray(contiguous) is contiguous
    assert pymic2.ascontiguousarray(pymic2.asarray(2.0)).shape == (1,)
    assert_same(pymic2.ascontiguousarray(a, dtype=numpy.int32),
                numpy.ascontiguousarray(host, dtype=numpy.int32))


# ---------------------------------------------------------------- through NumPy

def test_numpy_functions_dispatch_to_the_device():
    a, host = pair((3, 4))
    results = {
        "tile": (numpy.tile(a, 2), numpy.tile(host, 2)),
        "repeat": (numpy.repeat(a, 2, 0), numpy.repeat(host, 2, 0)),
        "roll": (numpy.roll(a, 1, 1), numpy.roll(host, 1, 1)),
        "pad": (numpy.pad(a, 1, "reflect"), numpy.pad(host, 1, "reflect")),
        "diff": (numpy.diff(a), numpy.diff(host)),
        "triu": (numpy.triu(a), numpy.triu(host)),
        "trace": (numpy.trace(a), numpy.trace(host)),
        "rot90": (numpy.rot90(a), numpy.rot90(host)),
        "delete": (numpy.delete(a, 1, 0), numpy.delete(host, 1, 0)),
        "insert": (numpy.insert(a, 1, 5.0, 1), numpy.insert(host, 1, 5.0, 1)),
        "ptp": (numpy.ptp(a, 0), numpy.ptp(host, 0)),
    }
    for name, (result, expected) in results.items():
        assert isinstance(result, pymic2.ndarray), name
        assert_same(result, expected)
    assert_all_same(numpy.split(a, 2, axis=1), numpy.split(host, 2, axis=1))
