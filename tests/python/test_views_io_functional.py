"""ndarray.view(dtype), tobytes, pymic2.lib.stride_tricks (bounds-checked), .npy/.npz files,
print options and error state (NumPy's), array_equiv, iscomplexobj/isrealobj,
apply_along_axis, apply_over_axes and piecewise, against NumPy."""

import numpy
import pytest
from conftest import assert_same

import pymic2
from pymic2.lib.stride_tricks import as_strided, sliding_window_view


def pair(shape, dtype=numpy.float64):
    host = (numpy.arange(int(numpy.prod(shape))) % 11 - 3).astype(dtype).reshape(shape)
    return pymic2.asarray(host), host


@pytest.mark.parametrize("source, target", [(numpy.float64, numpy.int64),
                                            (numpy.float64, numpy.complex128),
                                            (numpy.int32, numpy.uint8),
                                            (numpy.uint8, numpy.int16),
                                            (numpy.int64, numpy.float32),
                                            (numpy.complex128, numpy.float64)])
def test_view_as_another_dtype(source, target):
    d, h = pair((3, 4), source)
    view = d.view(target)
    assert view.buffer is d.buffer
    assert_same(view, h.view(target))
    assert_same(d[1:].view(target), h[1:].view(target))
    view[...] = 0  # writes reach the base
    h.view(target)[...] = 0
    assert_same(d, h)


def test_view_errors_and_class():
    d, h = pair((3, 4))
    with pytest.raises(ValueError, match="last axis must be contiguous"):
        d[:, ::2].view(numpy.complex128)
    with pytest.raises(ValueError, match="0d array"):
        d[0, 0].view(numpy.int32)
    with pytest.raises(ValueError, match="divisor"):
        d[:, :3].view(numpy.complex128)
    with pytest.raises(ValueError, match="multiple of the 16-byte complex128"):
        d.reshape(-1)[1:5].view(numpy.complex128)  # offset 8 bytes: not a whole element
    with pytest.raises(TypeError, match="float16|not supported"):
        d.view("U2")
    assert_same(d.view(), h)
    assert type(d.view(pymic2.ndarray)) is pymic2.ndarray
    with pytest.raises(TypeError, match="subclass"):
        d.view(type=numpy.ndarray)
    assert d.tobytes() == h.tobytes()
    assert d.T.tobytes() == h.T.tobytes()
    assert d.tobytes("F") == h.tobytes("F")


def test_as_strided_is_bounds_checked():
    d, h = pair((4, 3))
    view = as_strided(d, (2, 2), (24, 8))
    assert_same(view, numpy.lib.stride_tricks.as_strided(h, (2, 2), (24, 8)))
    assert view.buffer is d.buffer
    with pytest.raises(ValueError, match="outside"):
        as_strided(d, (5, 3), (24, 8))  # one row past the buffer: NumPy would read it
    readonly = as_strided(d, writeable=False)
    with pytest.raises(ValueError):
        readonly[0, 0] = 1.0


def test_sliding_window_view():
    d, h = pair((4, 5))
    for window, axis in [(2, 1), ((2, 3), None), ((3, 2), (0, 1)), ((2, 2), (1, 1))]:
        ours = sliding_window_view(d, window, axis)
        assert_same(ours, numpy.lib.stride_tricks.sliding_window_view(h, window, axis))
        assert ours.buffer is d.buffer
    with pytest.raises(ValueError, match="larger than input"):
        sliding_window_view(d, 6, axis=0)
    with pytest.raises(ValueError, match="window_shape for all"):
        sliding_window_view(d, 2)


def test_save_and_load(tmp_path):
    d, h = pair((3, 4), numpy.int16)
    pymic2.save(tmp_path / "a.npy", d)
    loaded = pymic2.load(tmp_path / "a.npy")
    assert isinstance(loaded, pymic2.ndarray)
    assert_same(loaded, h)
    assert_same(pymic2.asarray(numpy.load(tmp_path / "a.npy")), h)
    pymic2.savez(tmp_path / "b.npz", d, extra=d.T)
    pymic2.savez_compressed(tmp_path / "c.npz", first=d[0])
    with pymic2.load(tmp_path / "b.npz") as archive:
        assert sorted(archive.files) == ["arr_0", "extra"]
        assert_same(archive["extra"], h.T)
        assert isinstance(archive["arr_0"], pymic2.ndarray)
    assert_same(pymic2.load(tmp_path / "c.npz")["first"], h[0])
    with pytest.raises(TypeError, match="mmap_mode"):
        pymic2.load(tmp_path / "a.npy", mmap_mode="r")


def test_print_options_and_error_state_are_numpys():
    d, _ = pair((3,), numpy.float64)
    with pymic2.printoptions(precision=1):
        assert "[1.3]" in repr(pymic2.asarray([1.26]))
    assert "[1.26]" in repr(pymic2.asarray([1.26]))
    assert pymic2.errstate is numpy.errstate
    with pymic2.errstate(divide="ignore"):  # device ops do not consult it, nor fail
        assert_same(pymic2.divide(d, 0.0), numpy.divide(numpy.arange(3.0) % 11 - 3, 0.0))
    assert pymic2.geterr() == numpy.geterr()


def test_array_equiv_and_kind_queries():
    d, h = pair((2, 3))
    assert bool(pymic2.array_equiv(d, d[0:1] * 0 + d)) == numpy.array_equiv(h, h)
    assert bool(pymic2.array_equiv(d[0], pymic2.asarray(h[0]))) is True
    assert bool(pymic2.array_equiv(d, d[:, :2])) is False
    assert bool(pymic2.array_equiv(pymic2.ones((2, 2)), 1.0)) is True
    assert pymic2.iscomplexobj(pymic2.zeros(2, complex)) and not pymic2.iscomplexobj(d)
    assert pymic2.isrealobj(d) and pymic2.iscomplexobj([1j])


def test_apply_along_and_over_axes_and_piecewise():
    d, h = pair((3, 4, 2))
    for axis in (0, 1, -1):
        assert_same(pymic2.apply_along_axis(lambda r: r.sum(), axis, d),
                    numpy.apply_along_axis(lambda r: r.sum(), axis, h))
        assert_same(pymic2.apply_along_axis(lambda r: r[::-1] * 2, axis, d),
                    numpy.apply_along_axis(lambda r: r[::-1] * 2, axis, h))
    assert_same(pymic2.apply_over_axes(pymic2.sum, d, [0, 2]),
                numpy.apply_over_axes(numpy.sum, h, [0, 2]))
    x, hx = pair((7,))
    conditions = [hx < 0, hx > 4]
    functions = [lambda v: -v, lambda v: v * 10, 0.5]
    assert_same(pymic2.piecewise(x, [x < 0, x > 4], functions),
                numpy.piecewise(hx, conditions, functions))
    assert_same(pymic2.piecewise(x, x < 0, [1.0, 2.0]), numpy.piecewise(hx, hx < 0, [1.0, 2.0]))
    with pytest.raises(ValueError, match="functions"):
        pymic2.piecewise(x, [x < 0], [1, 2, 3])
