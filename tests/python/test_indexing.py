"""Integer-array and boolean-mask indexing, the matching assignments and add_at, against
NumPy doing the same on the same data."""

import numpy
import pytest

import pymic2
from conftest import assert_same

DTYPES = ["bool", "int8", "uint8", "int32", "int64", "float32", "float64", "complex128"]


def sample(shape, dtype, seed=0):
    rng = numpy.random.default_rng(seed)
    values = rng.integers(-50, 50, size=shape)
    if dtype == "complex128":
        return (values + 1j * rng.integers(-50, 50, size=shape)).astype(dtype)
    if dtype == "bool":
        return values > 0
    if dtype == "uint8":
        return (values + 50).astype(dtype)
    return values.astype(dtype)


GATHER_KEYS = [
    lambda: numpy.array([0, 2, -1, 2, -4]),               # a[idx], repeats and negatives
    lambda: [3, 1],                                       # a list
    lambda: numpy.array([[0, 1], [3, 3]]),                # a 2-d index array
    lambda: (numpy.array([0, 3, 1]), numpy.array([4, 0, -1])),   # a[rows, cols]
    lambda: (numpy.arange(4), numpy.array([1, 0, 4, 2])),        # x[arange(n), t]
    lambda: (slice(None), numpy.array([4, 0, 0])),        # a[:, idx]
    lambda: (numpy.array([2, 0]), slice(1, 4)),           # a[idx, 1:3]
    lambda: (slice(None, None, -1), [1, 3]),              # reversed rows, columns gathered
    lambda: (1, numpy.array([0, 2])),                     # an int next to an array
    lambda: (Ellipsis, numpy.array([1])),
    lambda: (None, numpy.array([1, 2])),
    lambda: numpy.arange(20).reshape(4, 5) % 3 == 0,      # a boolean mask
    lambda: numpy.array([True, False, True, True]),       # a row mask
    lambda: (slice(None), numpy.array([True, False, False, True, True])),
    lambda: numpy.array([], dtype=numpy.int64),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("make_key", GATHER_KEYS)
def test_gather_matches_numpy(dtype, make_key):
    host = sample((4, 5), dtype)
    device = pymic2.asarray(host)
    key = make_key()
    assert_same(device[key], host[key])


def test_gather_non_adjacent_index_arrays_go_first():
    host = sample((3, 4, 5), "float64")
    device = pymic2.asarray(host)
    key = (numpy.array([0, 2, 1]), slice(1, 3), numpy.array([4, 0, 3]))
    assert_same(device[key], host[key])
    key = (numpy.array([[0], [2]]), slice(None), numpy.array([1, 4, 3]))  # broadcast (2, 3)
    assert_same(device[key], host[key])


@pytest.mark.parametrize("key", [
    (0, 0, 0, 0, numpy.array([], numpy.int64)),  # five advanced entries, the device takes 4
    (1, 2, 3, [0, 2], [1, 4]), (0, slice(None), [0, 2]), (slice(None), 1, [0, 2]),
    ([[0, 1], [1, 0]], 0, [0, 2]), (Ellipsis, -1, [3, 0]), (slice(None), [0, 2], None, 1),
    (False,) * 5, (True,) * 6, (True, [0, 1], True, True, True, True),
])
def test_integers_beside_index_arrays_fold_into_the_view(key):
    """Integers with index arrays are offsets of the view, but still count as advanced entries
    for where the result's dimensions go (non-adjacent ones first); scalar booleans past the
    device's 4 index arrays keep only their shape (their axes address nothing)."""
    x = numpy.arange(2 * 3 * 4 * 5 * 6).reshape(2, 3, 4, 5, 6)
    key = tuple(numpy.array(k) if isinstance(k, list) else k for k in key)
    assert_same(pymic2.asarray(x)[key], x[key])
    y, a = x.copy(), pymic2.asarray(x)
    y[key], a[key] = -1, -1
    assert_same(a, y)


def test_gather_from_transposed_and_strided_views():
    host = sample((6, 8), "int64")
    device = pymic2.asarray(host)
    idx = numpy.array([1, 0, 3, 3])
    assert_same(device.T[idx], host.T[idx])
    assert_same(device[::2, 1::3][idx[:2]], host[::2, 1::3][idx[:2]])


def test_device_index_arrays():
    host = sample((50, 7), "float32")
    device = pymic2.asarray(host)
    perm = numpy.random.default_rng(1).permutation(50)
    for idx_dtype in ("int64", "int32", "uint8"):
        idx = pymic2.asarray(perm.astype(idx_dtype))
        assert_same(device[idx], host[perm])
    t = numpy.random.default_rng(2).integers(0, 7, size=50)
    picked = device[pymic2.asarray(numpy.arange(50)), pymic2.asarray(t)]
    assert_same(picked, host[numpy.arange(50), t])
    mask = host[:, 0] > 0
    assert_same(device[pymic2.asarray(mask)], host[mask])


def test_large_gather_takes_the_parallel_path():
    host = numpy.random.default_rng(3).standard_normal((20000, 16))
    device = pymic2.asarray(host)
    idx = numpy.random.default_rng(4).integers(-20000, 20000, size=30000)
    assert_same(device[idx], host[idx])


SCATTER_KEYS = [
    lambda: numpy.array([0, 2, -1]),
    lambda: numpy.array([1, 1, 3, 1]),                   # repeats: the last value wins
    lambda: (numpy.array([0, 3, 1, 0]), numpy.array([4, 0, -1, 4])),
    lambda: (slice(None), numpy.array([4, 0])),
    lambda: (numpy.array([2, 0]), slice(1, 4)),
    lambda: numpy.arange(20).reshape(4, 5) % 3 == 0,
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("make_key", SCATTER_KEYS)
def test_scatter_matches_numpy(dtype, make_key):
    host = sample((4, 5), dtype)
    device = pymic2.asarray(host)
    key = make_key()
    values = sample(host[key].shape, dtype, seed=5)
    host[key] = values
    device[key] = values
    assert_same(device, host)
    host[key] = values[..., :1] if values.ndim else values  # broadcast values
    device[key] = values[..., :1] if values.ndim else values
    assert_same(device, host)
    host[key] = 1
    device[key] = 1
    assert_same(device, host)
    host[key] = values
    device[key] = pymic2.asarray(values)  # values already on the device
    assert_same(device, host)


@pytest.mark.parametrize("dtype", ["int32", "float64", "complex128"])
def test_augmented_assignment_is_buffered_like_numpy(dtype):
    host = sample((4, 5), dtype)
    device = pymic2.asarray(host)
    rows, cols = numpy.array([0, 1, 1, 3]), numpy.array([2, 4, 4, 0])
    v = sample((4,), dtype, seed=7)
    host[rows, cols] -= v
    device[rows, cols] -= v
    assert_same(device, host)
    idx = numpy.array([2, 2, 2])
    host[idx] += 1
    device[idx] += 1
    assert_same(device, host)


@pytest.mark.parametrize("dtype", DTYPES)
def test_add_at_matches_numpy(dtype):
    host = sample((6, 3), dtype)
    device = pymic2.asarray(host)
    idx = numpy.array([0, 5, 0, 0, -1, 2])
    values = sample((6, 3), dtype, seed=9)
    numpy.add.at(host, idx, values)
    pymic2.add_at(device, idx, values)
    assert_same(device, host)
    rows, cols = numpy.array([1, 1, 4]), numpy.array([2, 2, 0])
    numpy.add.at(host, (rows, cols), host.dtype.type(1))
    pymic2.add_at(device, (rows, cols), 1)
    assert_same(device, host)


@pytest.mark.parametrize("key", [
    (slice(1, None), slice(None, None, -2), None),   # slices and a new axis: a view add
    (Ellipsis, slice(0, 2)),
    (2,),                                            # a plain integer
    (slice(None), numpy.array([0, 0, 2])),           # a slice with a repeated index array
])
def test_add_at_with_basic_keys_matches_numpy(key):
    host = sample((6, 3), "float64")
    device = pymic2.asarray(host)
    values = sample(host[key].shape, "float64", seed=4)
    numpy.add.at(host, key, values)
    pymic2.add_at(device, key, pymic2.asarray(values))
    assert_same(device, host)


def test_add_at_many_repeats_is_deterministic():
    rng = numpy.random.default_rng(11)
    idx = rng.integers(0, 100, size=50000)
    values = rng.standard_normal((50000, 8))
    expected = numpy.zeros((100, 8))
    numpy.add.at(expected, idx, values)
    results = []
    for _ in range(2):
        device = pymic2.zeros((100, 8))
        pymic2.add_at(device, pymic2.asarray(idx), pymic2.asarray(values))
        results.append(device.get())
    numpy.testing.assert_allclose(results[0], expected, rtol=1e-12, atol=1e-12)
    assert numpy.array_equal(results[0], results[1])


@pytest.mark.parametrize("dtype", DTYPES)
def test_vector_gather_and_add_at_of_many_elements(dtype):
    """Take from and add_at into a 1-D array by one 1-D index array (bincount's shape), with
    many repeats: integer sums per thread, floats in index order (equal to NumPy's)."""
    rng = numpy.random.default_rng(5)
    host = sample((37,), dtype)
    device = pymic2.asarray(host)
    idx = rng.integers(-37, 37, size=70000).astype(numpy.int32)
    assert_same(pymic2.take(device, pymic2.asarray(idx)), numpy.take(host, idx))
    strided = pymic2.asarray(numpy.repeat(idx, 2))[::2]
    values = sample((70000,), dtype, seed=3)
    expected = host.copy()
    numpy.add.at(expected, idx, values)
    pymic2.add_at(device, strided, pymic2.asarray(values))
    if numpy.dtype(dtype).kind in "fc":
        numpy.testing.assert_array_equal(device.get(), expected)  # the same order of sums
    assert_same(device, expected)
    numpy.add.at(expected, idx[:5], expected.dtype.type(1))
    pymic2.add_at(device, idx[:5], 1)
    assert_same(device, expected)


def test_vector_gather_out_of_bounds_gives_zeros_and_index_error():
    device = pymic2.asarray(numpy.arange(1.0, 5.0))
    gathered = pymic2.take(device, pymic2.asarray(numpy.array([0, 9, 1], numpy.int64)))
    with pytest.raises(IndexError, match="index 9 is out of bounds for axis 0 with size 4"):
        gathered.get()
    assert_same(gathered, numpy.zeros(3))
    pymic2.add_at(device, pymic2.asarray(numpy.array([1, -5])), 1.0)
    with pytest.raises(IndexError, match="index -5 is out of bounds for axis 0 with size 4"):
        device.stream.sync()
    assert_same(device, numpy.arange(1.0, 5.0))
    counts = pymic2.zeros(4, numpy.int64)  # integer sums per thread find the bad index too
    many = numpy.zeros(100000, numpy.int64)
    many[77777] = 4
    pymic2.add_at(counts, pymic2.asarray(many), 1)
    with pytest.raises(IndexError, match="index 4 is out of bounds for axis 0 with size 4"):
        counts.stream.sync()
    assert_same(counts, numpy.zeros(4, numpy.int64))


@pytest.mark.parametrize("key, message", [
    (numpy.array([0, 10]), "index 10 is out of bounds for axis 0 with size 4"),
    (numpy.array([-5]), "index -5 is out of bounds for axis 0 with size 4"),
    ((slice(None), [1, 5]), "index 5 is out of bounds for axis 1 with size 5"),
    (([0, 1], [0, 1, 2]), "shape mismatch: indexing arrays could not be broadcast"),
    (numpy.array([True, False]), "boolean index did not match indexed array along axis 0"),
    (numpy.array([0.5]), "arrays used as indices must be of integer (or boolean) type"),
    (([0], [0], [0]), "too many indices for array"),
])
def test_index_errors(key, message):
    device = pymic2.asarray(sample((4, 5), "float64"))
    with pytest.raises(IndexError, match=message.replace("(", r"\(").replace(")", r"\)")):
        device[key]
    with pytest.raises(IndexError):
        device[key] = 0.0


def test_device_index_out_of_bounds_surfaces_at_the_next_sync():
    """Device index arrays are checked by the kernel without waiting for it: the indexing
    returns, and the next synchronising call raises IndexError in NumPy's words."""
    host = sample((4, 5), "float64")
    device = pymic2.asarray(host)
    bad = pymic2.asarray(numpy.array([1, 7, 2]))
    gathered = device[bad]  # no wait here
    assert gathered.shape == (3, 5)
    with pytest.raises(IndexError, match="index 7 is out of bounds for axis 0 with size 4"):
        gathered.get()
    device.stream.sync()  # reported once: the stream is clean again

    device[bad] = 5.0
    with pytest.raises(IndexError, match="index 7 is out of bounds for axis 0 with size 4"):
        device.stream.sync()
    pymic2.add_at(device, (slice(None), pymic2.asarray(numpy.array([-6]))), 1.0)
    with pytest.raises(IndexError, match="index -6 is out of bounds for axis 1 with size 5"):
        float(device[0, 0])
    assert_same(device, host)  # the failed scatters wrote nothing


def test_a_negative_integer_power_found_by_the_device_is_a_value_error():
    """Data errors the device finds raise NumPy's exception at the sync: an index IndexError,
    a negative integer power from an array exponent ValueError (not OffloadError)."""
    base = pymic2.asarray(numpy.array([2, 3], dtype=numpy.int64))
    result = base ** pymic2.asarray(numpy.array([1, -1], dtype=numpy.int64))
    with pytest.raises(ValueError, match="negative integer powers"):
        result.get()


def test_scatter_value_shape_mismatch():
    device = pymic2.zeros((4, 5))
    with pytest.raises(ValueError, match="could not be broadcast to indexing result"):
        device[[0, 1]] = numpy.ones(3)


def test_scatter_from_an_overlapping_view():
    host = sample((5, 3), "int64")
    device = pymic2.asarray(host)
    host[[4, 0]] = host[1:3]
    device[[4, 0]] = device[1:3]
    assert_same(device, host)


MASK_CASES = [
    ((4, 5), lambda h: h > 0, ()),                    # a[mask] over every dimension
    ((4, 5), lambda h: h[:, 0] > 0, ()),              # a row mask
    ((4, 5), lambda h: h[0] > 0, (slice(None),)),     # a[:, mask]
    ((3, 4, 5), lambda h: h[..., 0] < 0, ()),         # a 2-d mask, one dimension left
    ((4, 5), lambda h: h > 100, ()),                  # nothing selected
    ((4, 5), lambda h: h > -100, ()),                 # everything selected
    ((0, 5), lambda h: h > 0, ()),                    # empty
]


@pytest.fixture
def reads_back(monkeypatch):
    """The sizes of the device arrays read back to the host while the fixture is active."""
    sizes = []
    original = pymic2.ndarray.get

    def get(self, *args, **kwargs):
        sizes.append(self.size)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pymic2.ndarray, "get", get)
    return sizes


@pytest.mark.parametrize("dtype", ["float64", "int8", "complex128", "bool"])
@pytest.mark.parametrize("shape, make_mask, before", MASK_CASES)
def test_device_mask_gather_and_scatter(shape, make_mask, before, dtype, reads_back):
    """A device boolean mask stays on the device: its nonzero indices are computed there and
    only their count (one element) is read back."""
    host = sample(shape, dtype)
    mask = make_mask(sample(shape, "int64", seed=3))
    device, device_mask = pymic2.asarray(host), pymic2.asarray(mask)
    key, device_key = before + (mask,), before + (device_mask,)
    reads_back.clear()
    gathered = device[device_key]
    updated = host.copy()
    updated[key] = host[key][::-1] if host[key].size else host[key]
    device[device_key] = device[device_key][::-1] if gathered.size else gathered
    assert all(size <= 1 for size in reads_back), reads_back
    assert_same(gathered, host[key])
    assert_same(device, updated)
    device[device_key] = 1  # a scalar
    updated[key] = 1
    assert_same(device, updated)


def test_device_nonzero_and_flatnonzero():
    host = sample((3, 4, 5), "float64")
    host[0, 1, 2] = numpy.nan  # NaN is nonzero
    device = pymic2.asarray(host)
    for result, expected in zip(pymic2.numpy.nonzero(device), numpy.nonzero(host)):
        assert_same(result, expected.astype(numpy.int64))
    result = numpy.nonzero(device)  # dispatched
    assert all(isinstance(r, pymic2.ndarray) for r in result)
    assert_same(numpy.flatnonzero(device), numpy.flatnonzero(host).astype(numpy.int64))
    assert_same(device.nonzero()[1], numpy.nonzero(host)[1].astype(numpy.int64))
    strided = host[:, ::2, ::-1]
    assert_same(numpy.flatnonzero(device[:, ::2, ::-1]),
                numpy.flatnonzero(strided).astype(numpy.int64))
    with pytest.raises(ValueError, match="nonzero on 0d arrays"):
        numpy.nonzero(pymic2.asarray(numpy.float64(1.0)))
    empty = pymic2.zeros((0, 3))
    assert [r.shape for r in numpy.nonzero(empty)] == [(0,), (0,)]


def test_device_mask_errors():
    device = pymic2.asarray(sample((4, 5), "float64"))
    with pytest.raises(IndexError, match="boolean index did not match indexed array along "
                       "axis 0; size of axis is 4 but size of corresponding boolean axis is 3"):
        device[pymic2.asarray(numpy.ones(3, bool))]
    with pytest.raises(ValueError, match="could not be broadcast to indexing result"):
        device[pymic2.asarray(numpy.ones((4, 5), bool))] = numpy.ones(3)


ZERO_DIM_MASK_KEYS = [
    (False, False), (True, False), (True, True), (0, True), (0, slice(None), True),
    (True, slice(None), 0), (numpy.array(True),), (slice(None), numpy.array(False)),
    (True, [0, 1]), (Ellipsis, True, True), (numpy.True_, 1),
    (True, numpy.array([[True, False, True], [False, False, True]])),
]


@pytest.mark.parametrize("key", ZERO_DIM_MASK_KEYS, ids=repr)
def test_scalar_boolean_indices_as_numpy(key):
    """NumPy reads scalar booleans as 0-d masks (advanced indices): several make one axis,
    and with ints or index arrays they broadcast together; reading and writing."""
    x = numpy.arange(24).reshape(2, 3, 4)
    a = pymic2.asarray(x)
    assert_same(a[key], x[key])
    a[key] = -1
    x[key] = -1
    assert_same(a, x)


@pytest.mark.parametrize("key", [(Ellipsis, 0, slice(None, None, -1)), (slice(None), 2),
                                 (Ellipsis, 0, False, slice(None, None, -1))], ids=repr)
def test_views_of_empty_arrays_whose_offsets_point_past_the_buffer(key):
    """NumPy's offset of such a view lies past the (tiny) buffer of an empty array; the view
    holds nothing, so it is made anyway (was ValueError 'outside the buffer')."""
    x = numpy.zeros((0, 1, 3), numpy.int32) if len(key) == 3 or key[0] is Ellipsis else \
        numpy.zeros((0, 3), numpy.int32)
    assert_same(pymic2.asarray(x)[key], x[key])
