"""NumPy's protocols: NumPy functions and ufuncs called on device arrays run on the device and
return device arrays (never a host fallback); unimplemented ones raise TypeError naming the
function; the array API namespace."""

import numpy
import pytest
from conftest import assert_same, names_both

import pymic2
from pymic2 import _namespace, _protocols


def pair(shape=(3, 4), dtype=numpy.float64):
    host = (numpy.arange(int(numpy.prod(shape))) - 5).reshape(shape).astype(dtype)
    return pymic2.asarray(host), host


def needs(name):
    """Skips a test of dispatch onto a function the math or indexing surface has not
    provided (yet): dispatch itself is tested with the functions that exist."""
    if _namespace.lookup(name) is None:
        pytest.skip(f"pymic2 has no {name} (another part of the project provides it)")


def on_device(result):
    assert isinstance(result, pymic2.ndarray), type(result)
    return result


def test_implicit_conversion_to_numpy_is_refused():
    a, _ = pair()
    with pytest.raises(TypeError, match=r"\.get\(\)"):
        numpy.asarray(a)
    with pytest.raises(TypeError, match=r"\.get\(\)"):
        numpy.array([a, a])


@pytest.mark.parametrize("call", [
    lambda np, a: np.reshape(a, (4, 3)),
    lambda np, a: np.reshape(a.T, -1),
    lambda np, a: np.ravel(a.T),
    lambda np, a: np.transpose(a, (1, 0)),
    lambda np, a: np.rollaxis(a, 1),
    lambda np, a: np.moveaxis(a, 0, -1),
    lambda np, a: np.swapaxes(a, 0, 1),
    lambda np, a: np.squeeze(a[None]),
    lambda np, a: np.expand_dims(a, -1),
    lambda np, a: np.broadcast_to(a[:1], (2, 3, 4)),
    lambda np, a: np.concatenate([a, a[::-1]], axis=-1),
    lambda np, a: np.stack([a, a], axis=1),
    lambda np, a: np.vstack([a, a]),
    lambda np, a: np.hstack([a, a]),
    lambda np, a: np.flip(a, 0),
    lambda np, a: np.where(a > 0, a, 0),
    lambda np, a: np.zeros_like(a),
    lambda np, a: np.ones_like(a, dtype=numpy.int8),
    lambda np, a: np.full_like(a, 7),
    lambda np, a: np.zeros_like(a.T),
    lambda np, a: np.copy(a[:, 1::2]),
    lambda np, a: np.atleast_3d(a),
    lambda np, a: np.astype(a, numpy.int32),
    lambda np, a: np.matrix_transpose(a[None]),
    lambda np, a: np.permute_dims(a, (1, 0)),
    lambda np, a: np.concat([a, a]),
], ids=lambda call: None)
def test_numpy_functions_run_on_the_device(call):
    a, host = pair()
    result = call(numpy, a)
    assert_same(on_device(result), call(numpy, host))


def test_numpy_functions_with_tuple_results_and_shapes():
    a, host = pair((3, 1))
    results = numpy.broadcast_arrays(a, pymic2.zeros(4))
    assert all(isinstance(r, pymic2.ndarray) for r in results)
    assert_same(results[0], numpy.broadcast_arrays(host, numpy.zeros(4))[0])
    assert numpy.shape(a) == (3, 1) and numpy.ndim(a) == 2 and numpy.size(a) == 3
    # a NumPy array among the inputs is uploaded, the work stays on the device
    mixed = numpy.concatenate([a, host])
    assert_same(on_device(mixed), numpy.concatenate([host, host]))


def test_creation_with_like_makes_device_arrays():
    a, _ = pair()
    assert_same(on_device(numpy.zeros((2, 3), like=a)), numpy.zeros((2, 3)))
    assert_same(on_device(numpy.arange(1, 7, 2, like=a)), numpy.arange(1, 7, 2))
    assert_same(on_device(numpy.asarray([1, 2], like=a)), numpy.asarray([1, 2]))
    assert_same(on_device(numpy.full(2, 3.5, like=a)), numpy.full(2, 3.5))
    assert_same(on_device(numpy.eye(3, k=1, like=a)), numpy.eye(3, k=1))
    assert_same(on_device(numpy.linspace(a[0, 0], 1, 4)), numpy.linspace(-5, 1, 4))


def test_unimplemented_numpy_functions_raise_type_error_naming_them():
    a, _ = pair()
    for call, name in [(lambda: numpy.packbits(a), "numpy.packbits"),
                       (lambda: numpy.einsum_path("ij", a), "numpy.einsum_path"),
                       (lambda: numpy.polyval([1, 2], a), "numpy.polyval")]:
        with pytest.raises(TypeError, match=name.replace(".", r"\.")):
            call()


def test_unsupported_ufunc_and_ufunc_methods_raise_type_error():
    a, _ = pair()
    for ufunc in (numpy.sin, numpy.arctan2, numpy.hypot, numpy.ldexp):
        if _namespace.lookup(ufunc.__name__) is not None:
            continue
        args = (a,) * ufunc.nin
        with pytest.raises(TypeError, match=f"numpy.{ufunc.__name__}"):
            ufunc(*args)
    with pytest.raises(TypeError, match=r"numpy\.divmod\.outer"):
        numpy.divmod.outer(a, a)  # two outputs: the device's outer makes one
    with pytest.raises(TypeError, match=r"subtract\.reduce"):
        numpy.subtract.reduce(a)


def test_ufunc_dispatch_routes_arguments(monkeypatch):
    """The protocol's own work, independent of the math surface: the implementation found by
    name gets the inputs, a single out= unwrapped, dtype=, and no default-valued keywords."""
    calls = []

    def fake_exp(x, out=None, dtype=None):
        calls.append((x, out, dtype))
        return x

    monkeypatch.setattr(_namespace, "lookup",
                        lambda name: fake_exp if name == "exp" else None)
    monkeypatch.setattr(_protocols, "_UFUNC_IMPLEMENTATIONS", {})  # the looked-up ones
    a, _ = pair()
    out = pymic2.empty(a.shape)
    assert numpy.exp(a, out=out, dtype=numpy.float64, casting="same_kind") is a
    assert calls[-1][0] is a and calls[-1][1] is out and calls[-1][2] == numpy.float64
    numpy.exp(a)
    assert calls[-1][0] is a and calls[-1][1:] == (None, None)
    with pytest.raises(TypeError, match="where"):
        numpy.exp(a, where=numpy.ones(a.shape, bool))
    with pytest.raises(TypeError, match="out must be a pymic2 array"):
        numpy.exp(a, out=numpy.empty(a.shape))
    with pytest.raises(TypeError, match=r"numpy\.log"):
        numpy.log(a)


def test_ufuncs_run_on_the_device():
    for name in ("exp", "maximum", "add", "multiply", "negative"):
        needs(name)
    a, host = pair()
    assert_same(on_device(numpy.exp(a)), numpy.exp(host))
    assert_same(on_device(numpy.maximum(a, 0, dtype=a.dtype)),
                numpy.maximum(host, 0, dtype=host.dtype))
    assert_same(on_device(numpy.add(a, host)), host + host)
    assert_same(on_device(host * a), host * host)  # NumPy operand first: still the device
    out = pymic2.empty(a.shape)
    assert numpy.multiply(a, 2, out=out) is out
    assert_same(out, host * 2)
    assert_same(on_device(numpy.negative(a.T)), -host.T)
    assert numpy.add(a, a, out=(out,)) is out
    assert_same(out, host + host)
    with pytest.raises(ValueError, match=names_both("host:1")):
        numpy.add(a, pymic2.zeros(a.shape, device="host:1"))


def test_ufunc_reduce_and_accumulate():
    for name in ("sum", "max", "min", "cumsum"):
        needs(name)
    a, host = pair()
    assert_same(on_device(numpy.add.reduce(a)), numpy.add.reduce(host))
    assert_same(on_device(numpy.add.reduce(a, axis=1)), numpy.add.reduce(host, axis=1))
    assert_same(on_device(numpy.maximum.reduce(a, axis=-1)), numpy.maximum.reduce(host, -1))
    assert_same(on_device(numpy.minimum.reduce(a.T)), numpy.minimum.reduce(host.T))
    assert_same(on_device(numpy.add.accumulate(a)), numpy.add.accumulate(host))


def test_math_functions_dispatch():
    for name in ("dot", "sum", "mean", "clip"):
        needs(name)
    a, host = pair()
    assert_same(on_device(numpy.dot(a, a.T)), numpy.dot(host, host.T))
    assert_same(on_device(numpy.sum(a, axis=0)), numpy.sum(host, axis=0))
    assert_same(on_device(numpy.mean(a)), numpy.mean(host))
    assert_same(on_device(numpy.clip(a, -1, 2)), numpy.clip(host, -1, 2))
    needs("matmul")
    assert_same(on_device(numpy.matmul(a, a.T)), numpy.matmul(host, host.T))


def test_foreign_types_get_their_turn():
    class Other:
        def __array_ufunc__(self, *args, **kwargs):
            return "other"

        def __array_function__(self, *args, **kwargs):
            return "other"

    a, _ = pair()
    assert a.__array_function__(numpy.reshape, (type(a), Other), (a, -1), {}) \
        is NotImplemented
    assert a.__array_ufunc__(numpy.add, "__call__", a, Other()) is NotImplemented


def test_array_namespace():
    a, host = pair((2, 3), numpy.float32)
    xp = a.__array_namespace__()
    assert xp is pymic2.numpy
    assert xp.__array_api_version__ == "2024.12"
    assert a.__array_namespace__(api_version="2023.12") is xp
    with pytest.raises(ValueError, match="1999.01"):
        a.__array_namespace__(api_version="1999.01")
    assert_same(xp.reshape(a, (3, 2)), host.reshape(3, 2))
    assert_same(xp.permute_dims(a, (1, 0)), host.T)
    assert_same(xp.concat([a, a], axis=1), numpy.concat([host, host], axis=1))
    assert_same(xp.asarray([1, 2], dtype=xp.int8), numpy.asarray([1, 2], numpy.int8))
    assert_same(xp.arange(3, dtype=xp.float32), numpy.arange(3, dtype=numpy.float32))
    assert xp.result_type(a, xp.int64) == numpy.float64
    assert xp.can_cast(a, xp.float64) and not xp.can_cast(xp.float64, xp.int32)
    assert xp.isdtype(xp.float32, "real floating")
    assert xp.finfo(xp.float32).eps == numpy.finfo(numpy.float32).eps
    with pytest.raises(AttributeError, match="fft"):
        xp.fft_everything  # noqa: B018
    assert "reshape" in dir(xp) and "arange" in dir(xp)
    if _namespace.lookup("sum") is not None:
        assert_same(xp.sum(a), numpy.sum(host))
    # the package forwards the namespace: xp = pymic2 works too
    assert pymic2.permute_dims is xp.permute_dims
    assert pymic2.from_dlpack is xp.from_dlpack


def test_namespace_info():
    info = pymic2.numpy.__array_namespace_info__()
    assert info.default_device() == pymic2.default_device()
    assert info.devices() == list(pymic2.devices)
    dtypes = info.dtypes()
    integral = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}
    assert set(dtypes) == {"bool", "float32", "float64", "complex64", "complex128"} | integral
    assert set(info.dtypes(kind="integral")) == integral
    assert set(info.dtypes(kind=("bool", "complex floating"))) == {"bool", "complex64",
                                                                    "complex128"}
    with pytest.raises(ValueError):
        info.dtypes(kind="quaternion")
    assert info.default_dtypes()["real floating"] == numpy.float64
    capabilities = info.capabilities()
    assert capabilities["max dimensions"] == pymic2._core.MAX_DIMS
    # honest: each capability is what the code does now
    try:
        supported = pymic2.zeros(2)[pymic2.asarray([True, False])].shape == (1,)
    except (IndexError, TypeError, ValueError):
        supported = False
    assert capabilities["boolean indexing"] == supported


def test_dispatch_table_names_exist_in_numpy():
    """Every row of the table names a real NumPy function (no dead rows)."""
    for qualified in _protocols.FUNCTIONS:
        parts = qualified.split(".")
        target = numpy
        for part in parts[1:]:
            target = getattr(target, part, None)
        if qualified in ("numpy.matrix_transpose", "numpy.cumulative_sum",
                         "numpy.cumulative_prod") and target is None:
            continue  # NumPy >= 2.1 names
        assert callable(target), qualified
        assert f"{target.__module__}.{target.__name__}" == qualified, qualified
