"""The HISTOGRAM op behind bincount, histogram, histogram2d and histogramdd against NumPy:
values on and next to the edges, NaN, empty inputs, weights of every kind, density,
non-contiguous inputs, every real dtype, many bins and enough values for the per-piece
counts (and their merge) to run."""

import numpy
import pytest
from conftest import assert_same

import pymic2

DTYPES = [numpy.float64, numpy.float32, numpy.float16, numpy.int64, numpy.int32,
          numpy.uint16, numpy.int8]


def values_of(dtype, count, seed=0):
    rng = numpy.random.default_rng(seed)
    values = rng.standard_normal(count) * 40
    if numpy.dtype(dtype).kind == "u":
        values = numpy.abs(values)
    return values.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bins", [1, 10, 256])
def test_histogram_even_bins_every_dtype(dtype, bins):
    h = values_of(dtype, 3000)
    d = pymic2.asarray(h)
    for value_range in (None, (-20, 30)):
        counts, edges = pymic2.histogram(d, bins, value_range)
        expected, expected_edges = numpy.histogram(h, bins, value_range)
        assert_same(counts, expected)
        assert_same(edges, expected_edges)


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32, numpy.int32])
def test_histogram_values_on_every_edge(dtype):
    """Each edge itself, and the values just below and above it: the rule for every edge
    and the last edge's value in the last bin."""
    edges = numpy.histogram_bin_edges(numpy.array([-3.0, 7.0], dtype), 10)
    h = numpy.concatenate([edges, numpy.nextafter(edges, -numpy.inf),
                           numpy.nextafter(edges, numpy.inf)]).astype(dtype)
    d = pymic2.asarray(h)
    for bins in (10, numpy.sort(numpy.unique(edges[::2]))):
        assert_same(pymic2.histogram(d, bins, (-3.0, 7.0) if numpy.ndim(bins) == 0 else None)[0],
                    numpy.histogram(h, bins, (-3.0, 7.0) if numpy.ndim(bins) == 0 else None)[0])


def test_histogram_nan_and_inf():
    h = numpy.array([0.5, numpy.nan, 1.0, numpy.inf, -numpy.inf, 0.25, numpy.nan])
    d = pymic2.asarray(h)
    assert_same(pymic2.histogram(d, 4, (0, 1))[0], numpy.histogram(h, 4, (0, 1))[0])
    assert_same(pymic2.histogram(d, [0, 0.3, 1])[0], numpy.histogram(h, [0, 0.3, 1])[0])
    with pytest.raises(ValueError, match="autodetected range of \\[nan, nan\\] is not finite"):
        pymic2.histogram(pymic2.asarray([1.0, numpy.nan]))
    with pytest.raises(ValueError, match="not finite"):
        pymic2.histogram(pymic2.asarray([1.0, numpy.inf]), 3)


def test_histogram_repeated_edges():
    h = numpy.array([0.0, 1.0, 1.0, 2.0, 3.0, 3.0, 2.5])
    d = pymic2.asarray(h)
    for edges in ([0, 1, 1, 2, 3], [1, 1, 1, 3], [0, 3, 3], [1, 2, 3, 3]):
        assert_same(pymic2.histogram(d, edges)[0], numpy.histogram(h, edges)[0])


@pytest.mark.parametrize("bins", [10, 4096, "edges"])
def test_histogram_many_values_strided_weighted(bins):
    """Enough values for several pieces (and their merge), a strided view, weights."""
    rng = numpy.random.default_rng(5)
    full = rng.random(2 * 300_001)
    h, w = full[::2], rng.random(300_001)
    d = pymic2.asarray(full)[::2]
    if bins == "edges":
        bins = numpy.sort(rng.random(100))
    assert_same(pymic2.histogram(d, bins)[0], numpy.histogram(h, bins)[0])
    numpy.testing.assert_allclose(pymic2.histogram(d, bins, weights=pymic2.asarray(w))[0].get(),
                                  numpy.histogram(h, bins, weights=w)[0], rtol=1e-12)
    numpy.testing.assert_allclose(pymic2.histogram(d, bins, density=True)[0].get(),
                                  numpy.histogram(h, bins, density=True)[0], rtol=1e-12)


@pytest.mark.parametrize("weight_dtype", [numpy.int32, numpy.float32, numpy.bool_,
                                          numpy.complex128])
def test_histogram_weight_dtypes(weight_dtype):
    rng = numpy.random.default_rng(6)
    h = rng.random(500)
    w = (rng.random(500) * 10).astype(weight_dtype)
    if weight_dtype == numpy.complex128:
        w = w + 1j * rng.random(500)
    ours = pymic2.histogram(pymic2.asarray(h), 7, weights=pymic2.asarray(w))[0]
    theirs = numpy.histogram(h, 7, weights=w)[0]
    assert ours.dtype == theirs.dtype
    numpy.testing.assert_allclose(ours.get(), theirs, rtol=1e-6)
    if weight_dtype != numpy.bool_:  # NumPy's explicit edges cannot sum bool weights
        numpy.testing.assert_allclose(
            pymic2.histogram(pymic2.asarray(h), [0, 0.5, 1], weights=w)[0].get(),
            numpy.histogram(h, [0, 0.5, 1], weights=w)[0], rtol=1e-6)


def test_histogram_empty_and_shape_errors():
    empty = numpy.zeros(0, numpy.float32)
    for bins in (3, [0, 1, 2]):
        ours, edges = pymic2.histogram(pymic2.asarray(empty), bins)
        theirs, expected_edges = numpy.histogram(empty, bins)
        assert_same(ours, theirs)
        assert_same(edges, expected_edges)
    h = numpy.arange(6.0).reshape(2, 3)
    assert_same(pymic2.histogram(pymic2.asarray(h), 3)[0], numpy.histogram(h, 3)[0])
    with pytest.raises(ValueError, match="same shape"):
        pymic2.histogram(pymic2.asarray(h), 3, weights=numpy.ones(6))
    with pytest.raises(ValueError, match="positive"):
        pymic2.histogram(pymic2.asarray(h), 0)


def test_bincount_weights_minlength_and_large_values():
    rng = numpy.random.default_rng(7)
    h = rng.integers(0, 300, 200_000).astype(numpy.int32)
    w = rng.random(200_000)
    d = pymic2.asarray(h)
    assert_same(pymic2.bincount(d), numpy.bincount(h))
    assert_same(pymic2.bincount(d, minlength=1000), numpy.bincount(h, minlength=1000))
    numpy.testing.assert_allclose(pymic2.bincount(d, pymic2.asarray(w)).get(),
                                  numpy.bincount(h, w), rtol=1e-12)
    assert_same(pymic2.bincount(d[1::3], weights=w[1::3].astype(numpy.float32)),
                numpy.bincount(h[1::3], weights=w[1::3].astype(numpy.float32)))
    sparse = numpy.array([5, 2_000_000, 5, 0], numpy.uint32)  # more bins than pieces hold
    assert_same(pymic2.bincount(pymic2.asarray(sparse)), numpy.bincount(sparse))
    assert_same(pymic2.bincount(pymic2.asarray(numpy.zeros(0, numpy.int8))),
                numpy.bincount(numpy.zeros(0, numpy.int8)))
    assert_same(pymic2.bincount(pymic2.asarray(numpy.zeros(0, numpy.int8)), numpy.zeros(0)),
                numpy.bincount(numpy.zeros(0, numpy.int8), numpy.zeros(0)))
    with pytest.raises(TypeError, match="complex128.*safe"):
        pymic2.bincount(d[:2], numpy.array([1j, 2]))
    with pytest.raises(ValueError, match="same length"):
        pymic2.bincount(d, numpy.ones(3))


@pytest.mark.parametrize("n", [3, 4, 7, 200_003])
@pytest.mark.parametrize("high", [1, 10, 512, 513])
def test_bincount_few_and_many_bins_and_odd_lengths(n, high):
    """Counting into at most 512 bins goes through four interleaved copies of the counts
    (the positions four at a time, the rest into the first copy); more bins count directly."""
    rng = numpy.random.default_rng(n + high)
    h = rng.integers(0, high, n).astype(numpy.int64)
    h[-1] = high - 1  # the bin count is exactly `high`
    assert_same(pymic2.bincount(pymic2.asarray(h)), numpy.bincount(h))
    assert_same(pymic2.bincount(pymic2.asarray(h)[::-1]), numpy.bincount(h[::-1]))


@pytest.mark.parametrize("dtype", [numpy.int64, numpy.int8, numpy.uint16, numpy.uint32,
                                   numpy.bool_])
def test_bincount_bounds_in_one_pass(dtype):
    """bincount's least and largest value come from one pass over the team's pieces (the
    range op: each piece's pair, then the pairs'): the extremes in the first, a middle and
    the last piece, strided views, minlength past the largest value."""
    rng = numpy.random.default_rng(11)
    h = rng.integers(0, 2 if dtype == numpy.bool_ else 100, 300_001).astype(dtype)
    for at in (0, 150_000, 300_000):
        g = h.copy()
        g[at] = 1 if dtype == numpy.bool_ else 120  # the largest value, in one piece only
        d = pymic2.asarray(g)
        assert_same(pymic2.bincount(d), numpy.bincount(g))
        assert_same(pymic2.bincount(d[at % 7::7]), numpy.bincount(g[at % 7::7]))
        assert_same(pymic2.bincount(d[::-1], minlength=200), numpy.bincount(g[::-1],
                                                                            minlength=200))
    assert_same(pymic2.bincount(pymic2.asarray(h[:0]), minlength=5),
                numpy.bincount(h[:0], minlength=5))
    assert_same(pymic2.bincount(pymic2.asarray(h[7:8])), numpy.bincount(h[7:8]))


@pytest.mark.parametrize("at", [0, 99_999, 200_002])
def test_bincount_negative_values_anywhere(at):
    """A negative value in any piece (first, middle, last) is NumPy's ValueError."""
    h = numpy.arange(200_003, dtype=numpy.int64) % 50
    h[at] = -3
    with pytest.raises(ValueError, match="negative"):
        numpy.bincount(h)
    with pytest.raises(ValueError, match="negative"):
        pymic2.bincount(pymic2.asarray(h))
    with pytest.raises(ValueError, match="negative"):
        pymic2.bincount(pymic2.asarray(h.astype(numpy.int8))[at % 3::3],
                        numpy.ones(200_003)[at % 3::3])
    with pytest.raises(TypeError, match="uint64.*safe"):  # NumPy's: no safe cast to int64
        pymic2.bincount(pymic2.asarray(h[:4].astype(numpy.uint64)))


def test_histogramdd_mixed_dtypes_weights_and_outliers():
    rng = numpy.random.default_rng(8)
    x = rng.integers(-2, 12, 5000).astype(numpy.int16)
    y = rng.standard_normal(5000).astype(numpy.float32)
    y[::17] = numpy.nan
    w = rng.random(5000)
    for bins in ((5, 4), [[0, 2, 3, 10], numpy.linspace(-1, 1, 9)]):
        ours = pymic2.histogramdd([pymic2.asarray(x), pymic2.asarray(y)], bins,
                                  range=[(0, 10), (-1, 1)] if numpy.ndim(bins[0]) == 0 else None,
                                  weights=pymic2.asarray(w))
        theirs = numpy.histogramdd([x, y], bins,
                                   range=[(0, 10), (-1, 1)] if numpy.ndim(bins[0]) == 0 else None,
                                   weights=w)
        numpy.testing.assert_allclose(ours[0].get(), theirs[0], rtol=1e-12)
        assert ours[0].dtype == theirs[0].dtype
        for a, b in zip(ours[1], theirs[1]):
            assert_same(a, b)
    sample = rng.random((3000, 4))
    strided = pymic2.asarray(sample)[:, ::2]
    assert_same(pymic2.histogramdd(strided, 3)[0], numpy.histogramdd(sample[:, ::2], 3)[0])
    assert_same(pymic2.histogram2d(pymic2.asarray(sample[:, 0]), pymic2.asarray(sample[:, 1]),
                                   16, density=True)[0],
                numpy.histogram2d(sample[:, 0], sample[:, 1], 16, density=True)[0])
    with pytest.raises(TypeError, match="complex"):
        pymic2.histogramdd(pymic2.asarray(sample), 2, weights=numpy.ones(3000) * 1j)


INTEGER_PAIRS = [(numpy.int64, numpy.int64), (numpy.int8, numpy.int64), (numpy.uint8, numpy.int16),
                 (numpy.uint64, numpy.int32), (numpy.int32, numpy.uint64), (numpy.bool_, numpy.int8),
                 (numpy.int16, numpy.bool_)]


@pytest.mark.parametrize("key_dtype,test_dtype", INTEGER_PAIRS)
@pytest.mark.parametrize("kind", [None, "table", "sort"])
def test_isin_integers_by_table(key_dtype, test_dtype, kind):
    """Keys inside, below and above the tests' range, in other dtypes, strided and 2-d; the
    table (kind None, 'table') against NumPy's table and sort methods."""
    rng = numpy.random.default_rng(9)
    info = numpy.iinfo(key_dtype) if key_dtype != numpy.bool_ else None
    keys = rng.integers(-60, 60, (40, 6))
    tests = rng.integers(-20, 40, 25)
    if key_dtype == numpy.bool_:
        keys = keys % 2
    elif info.min == 0:
        keys = numpy.abs(keys)
    if test_dtype == numpy.bool_:
        tests = tests % 2
    elif numpy.iinfo(test_dtype).min == 0:
        tests = numpy.abs(tests)
    keys, tests = keys.astype(key_dtype), tests.astype(test_dtype)
    if key_dtype == numpy.uint64:
        keys[0, 0] = numpy.iinfo(numpy.uint64).max  # beyond int64: never in a signed table
    d = pymic2.asarray(keys)
    for invert in (False, True):
        assert_same(pymic2.isin(d, pymic2.asarray(tests), invert=invert, kind=kind),
                    numpy.isin(keys, tests, invert=invert, kind=kind))
    assert_same(pymic2.isin(d[::3, 1::2], tests[::2], kind=kind),
                numpy.isin(keys[::3, 1::2], tests[::2], kind=kind))
    assert_same(pymic2.isin(d, tests[:0], kind=kind), numpy.isin(keys, tests[:0], kind=kind))
    assert_same(pymic2.isin(d[:0], tests, kind=kind), numpy.isin(keys[:0], tests, kind=kind))


@pytest.mark.parametrize("span", [0, 31, 32, 33, 1000])
def test_isin_bitmap_word_edges(span):
    """The tests' table is one bit per value of their range in 32-bit words: ranges that end
    inside, at and just past a word, keys at both ends of the range and just outside."""
    low = -17
    tests = numpy.array([low, low + span, low + span // 2], numpy.int32)
    keys = numpy.arange(low - 3, low + span + 4, dtype=numpy.int64)
    d = pymic2.asarray(keys)
    for invert in (False, True):
        assert_same(pymic2.isin(d, tests, invert=invert, kind="table"),
                    numpy.isin(keys, tests, invert=invert, kind="table"))


def test_isin_many_tests_and_keys():
    """More tests and keys than one piece of the team holds: the bitmap is marked by every
    thread at once (atomic bit sets) and looked up in pieces; strided keys and tests."""
    rng = numpy.random.default_rng(5)
    tests = rng.integers(-(1 << 19), 1 << 19, 200_003)
    keys = rng.integers(-(1 << 19) - 10, (1 << 19) + 10, (300_001,))
    d = pymic2.asarray(keys)
    assert_same(pymic2.isin(d, pymic2.asarray(tests)), numpy.isin(keys, tests))
    assert_same(pymic2.isin(d[::-3], pymic2.asarray(tests)[1::2], invert=True),
                numpy.isin(keys[::-3], tests[1::2], invert=True))


def test_isin_wide_ranges_and_kinds():
    keys = numpy.array([0, 5, -(2 ** 62), 2 ** 62, 7], numpy.int64)
    tests = numpy.array([-(2 ** 62), 5, 2 ** 62])  # too wide for a table: sorted instead
    d = pymic2.asarray(keys)
    assert_same(pymic2.isin(d, tests), numpy.isin(keys, tests))
    assert_same(pymic2.isin(d, tests, assume_unique=True, invert=True),
                numpy.isin(keys, tests, assume_unique=True, invert=True))
    wide = numpy.array([-100, 100], numpy.int8)  # span 200 > int8's largest value
    with pytest.raises(RuntimeError, match="kind='table'"):
        pymic2.isin(pymic2.asarray(wide), wide, kind="table")
    with pytest.raises(RuntimeError, match="kind='table'"):
        numpy.isin(wide, wide, kind="table")
    assert_same(pymic2.isin(pymic2.asarray(wide), wide), numpy.isin(wide, wide))
    floats = numpy.array([0.0, -0.0, numpy.nan, 1.5])
    with pytest.raises(ValueError, match="only supported for boolean or integer"):
        pymic2.isin(pymic2.asarray(floats), floats, kind="table")
    with pytest.raises(ValueError, match="Invalid kind"):
        pymic2.isin(pymic2.asarray(floats), floats, kind="hash")
    # floats, NaN and -0.0 and a mixed integer/float pair stay NumPy's (the sorted search)
    for tests in (numpy.array([0.0, numpy.nan]), numpy.array([-0.0, 1.5]),
                  numpy.array([1, 2], numpy.int32)):
        assert_same(pymic2.isin(pymic2.asarray(floats), tests), numpy.isin(floats, tests))
