"""Views and manipulation against NumPy: values, view-or-copy (a view shares the buffer and
writes through it reach the base), every dtype, negative axes, 0- and 1-size dimensions,
non-contiguous inputs."""

import numpy
import pytest
from conftest import assert_same, names_both
from hypothesis import given, settings
from hypothesis import strategies as st

import pymic2

AxisError = numpy.exceptions.AxisError
ALL_DTYPES = [numpy.bool_, numpy.int8, numpy.uint8, numpy.int32, numpy.int64, numpy.float32,
              numpy.float64, numpy.complex128]


def pair(shape, dtype=numpy.float64, strided=False):
    """(device array, equal NumPy array); strided: a non-contiguous view of a bigger array."""
    size = int(numpy.prod(shape))
    host = (numpy.arange(size * (2 if strided else 1)) % 97).astype(dtype)
    device = pymic2.asarray(host)
    if strided:
        return device[::2].reshape(shape), host[::2].reshape(shape)
    return device.reshape(shape), host.reshape(shape)


def is_view(result, base):
    return result.buffer is base.buffer


def test_views_write_through_to_the_base():
    a, host = pair((4, 6))
    views = [a[1:3], a.T, a.reshape(2, 12), a.ravel(), pymic2.squeeze(a[None]),
             pymic2.expand_dims(a, 1), pymic2.swapaxes(a, 0, 1), pymic2.flip(a, 1),
             pymic2.moveaxis(a, 0, -1), a[:, ::-2].T[1:]]
    for view in views:
        assert is_view(view, a)
    a.T[2, 1] = -1.0           # element [1, 2] of the base
    pymic2.flip(a, 0)[0, 0] = -2.0  # element [3, 0]
    a[1:3].reshape(-1)[5] = -3.0    # element [1, 5]
    pymic2.moveaxis(a, 0, 1)[4][2] = -4.0  # element [2, 4]
    host[1, 2], host[3, 0], host[1, 5], host[2, 4] = -1, -2, -3, -4
    assert_same(a, host)
    view_of_view = a.T[1:].T[::2]
    view_of_view.fill(9)
    host.T[1:].T[::2] = 9
    assert_same(a, host)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("strided", [False, True])
def test_reshape_every_dtype(dtype, strided):
    a, host = pair((2, 3, 4), dtype, strided)
    for shape in [(24,), (4, -1), (2, 3, 2, 2), (-1, 1, 2), (1, 24, 1)]:
        assert_same(a.reshape(shape), host.reshape(shape))
        assert_same(pymic2.reshape(a, shape, order="F"), numpy.reshape(host, shape, order="F"))
    assert_same(a.ravel(), host.ravel())
    assert_same(a.flatten("F"), host.flatten("F"))
    assert_same(a.T.ravel(), host.T.ravel())


def test_reshape_views_like_numpy_and_errors():
    a, host = pair((4, 6))
    assert is_view(a.T.reshape(6, 2, 2), a)        # splitting an axis of a transposed array
    assert not is_view(a.T.reshape(24), a)         # merging across a transposition copies
    assert is_view(a[:, :3].reshape(4, 3, 1), a)
    assert is_view(a[::2].reshape(12), a) is False  # rows with a gap cannot be merged
    with pytest.raises(ValueError, match="copy"):
        a.T.reshape(24, copy=False)
    assert not is_view(a.reshape(24, copy=True), a)
    with pytest.raises(ValueError, match="cannot reshape"):
        a.reshape(5, 5)
    with pytest.raises(ValueError, match="one unknown"):
        a.reshape(-1, -1)
    with pytest.raises(ValueError):
        pymic2.zeros(0).reshape(0, -1)
    assert_same(pymic2.zeros((0, 3)).reshape(3, 0, 2), numpy.zeros((0, 3)).reshape(3, 0, 2))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.data())
def test_reshape_is_a_view_exactly_when_numpy_makes_one(shape, data):
    size, step = int(numpy.prod(shape)), data.draw(st.sampled_from([1, 2]))
    permutation = data.draw(st.permutations(range(len(shape))))
    host = numpy.arange(size * step, dtype=numpy.int32)
    device = pymic2.asarray(host)
    host = host[::step][:size].reshape(shape).transpose(permutation)
    device = device[::step][:size].reshape(shape).transpose(permutation)
    assert_same(device, host)
    size = host.size
    factors = [d for d in range(1, size + 1) if size % d == 0]
    first = data.draw(st.sampled_from(factors))
    target = (first, size // first) if data.draw(st.booleans()) else (size // first, 1, first)
    order = data.draw(st.sampled_from(["C", "F"]))
    result, expected = device.reshape(target, order=order), host.reshape(target, order=order)
    assert_same(result, expected)
    assert is_view(result, device) == numpy.shares_memory(expected, host)


@pytest.mark.parametrize("strided", [False, True])
def test_transpose_swap_move_roll(strided):
    a, host = pair((2, 3, 4), numpy.int64, strided)
    assert_same(a.T, host.T)
    assert_same(a.mT, host.mT)
    assert_same(a.transpose(2, 0, 1), host.transpose(2, 0, 1))
    assert_same(a.transpose((-1, 0, -2)), host.transpose((-1, 0, -2)))
    assert_same(pymic2.permute_dims(a, (1, 2, 0)), numpy.permute_dims(host, (1, 2, 0)))
    assert_same(a.swapaxes(0, -1), host.swapaxes(0, -1))
    for source, destination in [(0, -1), (-1, 0), ((0, 1), (2, 0)), ([2], [1])]:
        assert_same(pymic2.moveaxis(a, source, destination),
                    numpy.moveaxis(host, source, destination))
    for axis in range(-3, 3):
        for start in range(-3, 4):
            assert_same(pymic2.rollaxis(a, axis, start), numpy.rollaxis(host, axis, start))
    with pytest.raises(AxisError):
        pymic2.rollaxis(a, 3)
    with pytest.raises(AxisError):
        pymic2.rollaxis(a, 0, 5)
    with pytest.raises(AxisError):
        a.swapaxes(0, 3)
    with pytest.raises(AxisError):
        pymic2.moveaxis(a, -4, 0)
    with pytest.raises(ValueError):
        pymic2.moveaxis(a, (0, 1), (1,))


def test_squeeze_expand_dims_flip():
    a, host = pair((1, 3, 1, 2), numpy.complex128, strided=True)
    assert_same(a.squeeze(), host.squeeze())
    assert_same(pymic2.squeeze(a, -2), numpy.squeeze(host, -2))
    assert_same(a.squeeze((0, 2)), host.squeeze((0, 2)))
    with pytest.raises(ValueError, match="size not equal to one"):
        a.squeeze(1)
    with pytest.raises(AxisError):
        a.squeeze(4)
    for axis in [0, -1, (0, 2), (-1, 1), 4]:
        assert_same(pymic2.expand_dims(a, axis), numpy.expand_dims(host, axis))
    with pytest.raises(AxisError):
        pymic2.expand_dims(a, 6)
    with pytest.raises(ValueError, match="repeated"):
        pymic2.expand_dims(a, (0, 0))
    for axis in [None, 1, -1, (1, 3)]:
        assert_same(pymic2.flip(a, axis), numpy.flip(host, axis))
    empty = pymic2.zeros((0, 2))
    assert_same(pymic2.flip(empty), numpy.zeros((0, 2)))
    assert_same(pymic2.zeros(()).squeeze(), numpy.zeros(()))


def test_broadcasting_views():
    a, host = pair((3, 1), numpy.int32, strided=True)
    for shape in [(3, 4), (2, 3, 5), (3, 1), (0, 3, 1), (3, 0)]:
        result = pymic2.broadcast_to(a, shape)
        assert is_view(result, a)
        assert_same(result, numpy.broadcast_to(host, shape))
    with pytest.raises(ValueError):
        pymic2.broadcast_to(a, (2, 4))
    with pytest.raises(ValueError):
        pymic2.broadcast_to(a, (1,))
    b, other = pair((4,), numpy.int32)
    results = pymic2.broadcast_arrays(a, b)
    expected = numpy.broadcast_arrays(host, other)
    for result, reference in zip(results, expected):
        assert_same(result, reference)
    assert pymic2.broadcast_shapes((3, 1), (4,)) == (3, 4)


WRITES = {
    "setitem": lambda v: v.__setitem__((0, 0), 1),
    "setitem slice": lambda v: v.__setitem__(slice(None), 2),
    "setitem index array": lambda v: v.__setitem__(numpy.array([0]), 3),
    "in-place operator": lambda v: v.__iadd__(1),
    "ufunc out=": lambda v: pymic2.add(v, 1, out=v),
    "numpy ufunc out=": lambda v: numpy.negative(v, out=v),
    "reduction out=": lambda v: pymic2.sum(pymic2.ones((3, 4, 2), numpy.int32), axis=2,
                                           out=v),
    "fill": lambda v: v.fill(0),
    "add_at": lambda v: pymic2.add_at(v, numpy.array([0]), 1),
    "a view of it": lambda v: v[1:].__setitem__(Ellipsis, 4),
    "matmul out=": lambda v: pymic2.matmul(pymic2.ones((3, 2), numpy.int32),
                                           pymic2.ones((2, 4), numpy.int32), out=v),
}


@pytest.mark.parametrize("write", list(WRITES.values()), ids=list(WRITES))
def test_broadcast_views_are_read_only(write):
    """NumPy's broadcast_to gives read-only views: every way of writing raises ValueError
    and nothing reaches the base."""
    a, host = pair((3, 1), numpy.int32)
    view = pymic2.broadcast_to(a, (3, 4))
    reference = numpy.broadcast_to(host, (3, 4))
    assert view.flags.writeable is False and view.flags["WRITEABLE"] is False
    assert reference.flags.writeable is False
    with pytest.raises(ValueError, match="read-only"):
        reference[0, 0] = 1
    with pytest.raises(ValueError, match="assignment destination is read-only"):
        write(view)
    assert_same(a, host)
    assert a.flags.writeable  # the base stays writeable


def test_broadcast_arrays_and_the_writeable_flag():
    a, host = pair((3, 1), numpy.float64)
    b, other = pair((4,), numpy.float64)
    c, _ = pair((3, 4), numpy.float64)
    ra, rb, rc = pymic2.broadcast_arrays(a, b, c)
    assert not ra.flags.writeable and not rb.flags.writeable
    assert rc is c and rc.flags.writeable  # unchanged shape: the array itself, as NumPy
    with pytest.raises(ValueError, match="read-only"):
        rb[0] = 1.0
    with pytest.raises(ValueError, match="share memory"):
        ra.flags.writeable = True  # a stride-0 view must not become writeable
    same = pymic2.broadcast_to(a, (3, 1))  # no stride 0: may become writeable, as NumPy
    assert not same.flags.writeable
    same.flags.writeable = True
    same[0, 0] = 7.0
    host[0, 0] = 7.0
    assert_same(a, host)
    a.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        a[1] = 0.0
    assert not a.T.flags.writeable and not a.reshape(-1).flags.writeable
    assert (a + 1).flags.writeable  # results are new, writeable arrays
    assert pymic2.broadcast_to(a, (3, 2)).copy().flags.writeable


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_concatenate_and_stack(dtype):
    a, ha = pair((2, 3), dtype, strided=True)
    b, hb = pair((2, 3), dtype)
    for axis in [0, 1, -1, -2]:
        assert_same(pymic2.concatenate([a, b.T.T, a], axis), numpy.concatenate([ha, hb, ha],
                                                                               axis))
        assert_same(pymic2.stack([a, b], axis), numpy.stack([ha, hb], axis))
    assert_same(pymic2.stack([a, b], 2), numpy.stack([ha, hb], 2))
    assert_same(pymic2.concatenate([a, b], axis=None), numpy.concatenate([ha, hb], axis=None))
    assert_same(pymic2.concat([a, b], axis=1), numpy.concat([ha, hb], axis=1))
    assert_same(pymic2.hstack([a, b]), numpy.hstack([ha, hb]))
    empty, hempty = pair((2, 0), dtype)
    assert_same(pymic2.concatenate([empty, a, empty], 1), numpy.concatenate([hempty, ha, hempty],
                                                                            1))
    assert_same(pymic2.stack([empty, empty], -1), numpy.stack([hempty, hempty], -1))
    assert_same(pymic2.vstack([a[0], b[1]]), numpy.vstack([ha[0], hb[1]]))


def test_concatenate_promotes_and_checks():
    i8 = pymic2.asarray(numpy.arange(3, dtype=numpy.int8))
    f32 = pymic2.asarray(numpy.arange(2, dtype=numpy.float32))
    expected = numpy.concatenate([numpy.arange(3, dtype=numpy.int8),
                                  numpy.arange(2, dtype=numpy.float32)])
    assert_same(pymic2.concatenate([i8, f32]), expected)
    assert_same(pymic2.concatenate([i8, f32], dtype=numpy.complex128),
                expected.astype(numpy.complex128))
    out = pymic2.zeros(5)
    assert pymic2.concatenate([i8, f32], out=out) is out
    assert_same(out, expected.astype(numpy.float64))
    assert_same(pymic2.concatenate([i8, numpy.array([7], numpy.int8)]),
                numpy.array([0, 1, 2, 7], numpy.int8))
    with pytest.raises(TypeError, match="same_kind"):
        pymic2.concatenate([f32, f32], out=pymic2.zeros(4, numpy.int32))
    with pytest.raises(ValueError, match="dimension"):
        pymic2.concatenate([pymic2.zeros((2, 3)), pymic2.zeros((2, 4))])
    with pytest.raises(ValueError, match="zero-dimensional"):
        pymic2.concatenate([pymic2.zeros(()), pymic2.zeros(())])
    with pytest.raises(AxisError):
        pymic2.concatenate([i8, i8], axis=1)
    with pytest.raises(ValueError, match=names_both("host:1")):
        pymic2.concatenate([i8, pymic2.zeros(2, numpy.int8, device="host:1")])
    with pytest.raises(ValueError, match="same shape"):
        pymic2.stack([i8, f32])


def test_atleast_and_copies():
    a, host = pair((), numpy.float32)
    for function in ("atleast_1d", "atleast_2d", "atleast_3d"):
        assert_same(getattr(pymic2, function)(a), getattr(numpy, function)(host))
    b, hb = pair((2, 3), numpy.float32, strided=True)
    assert_same(pymic2.atleast_3d(b), numpy.atleast_3d(hb))
    copy = pymic2.copy(b)
    assert not is_view(copy, b) and copy.c_contiguous
    assert_same(copy, hb)
    assert pymic2.copy(pymic2.zeros((2, 3)).T).f_contiguous
    assert_same(pymic2.astype(b, numpy.int8), hb.astype(numpy.int8))
    assert pymic2.astype(b, numpy.float32, copy=False) is b
    assert pymic2.shape(b) == (2, 3) and pymic2.ndim(b) == 2 and pymic2.size(b, -1) == 3


@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")  # the oracle's
@pytest.mark.parametrize("source", ALL_DTYPES)
def test_astype_casting_rule(source):
    a, host = pair((5,), source, strided=True)
    for target in ALL_DTYPES:
        assert_same(a.astype(target), host.astype(target))
        if not numpy.can_cast(source, target, "safe"):
            with pytest.raises(TypeError, match="safe"):
                a.astype(target, casting="safe")


def test_item_and_conversions_synchronise():
    a, host = pair((2, 3), numpy.int64)
    assert a.item(4) == host.item(4)
    assert a.item(1, 2) == host.item(1, 2)
    assert a.item((0, 1)) == host.item((0, 1))
    with pytest.raises(ValueError, match="size 1"):
        a.item()
    one = a[1:2, 2:3]
    assert int(one) == host[1, 2] and float(one) == host[1, 2]
    assert complex(one) == host[1, 2] and bool(one) is True
    assert numpy.arange(10)[a[1, 1]] == host[1, 1]  # __index__ of an integer 0-d array
    with pytest.raises(TypeError):
        [0, 1][a[0:1].astype(numpy.float64)[0]]
    assert a.tolist() == host.tolist()
    assert a.get(order="F").flags.f_contiguous
