"""pymic2.random: statistics of a million samples, seeding, the counter continuing across
calls, and the same numbers with 1 and 2 device threads."""

import math

import numpy
import pytest

import pymic2
from conftest import run_python

N = 1_000_000


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_uniform_statistics(dtype):
    rng = pymic2.random.default_rng(123)
    x = rng.uniform(-2.0, 3.0, size=N, dtype=dtype).get()
    assert x.dtype == dtype and x.shape == (N,)
    assert x.min() >= -2.0 and x.max() < 3.0
    # mean 0.5, variance 25/12; the bounds are about 6 standard errors
    assert abs(x.mean() - 0.5) < 6 * numpy.sqrt(25 / 12 / N)
    assert abs(x.var() - 25 / 12) < 0.02
    counts, _ = numpy.histogram(x, bins=10, range=(-2.0, 3.0))
    assert numpy.all(numpy.abs(counts - N / 10) < 6 * numpy.sqrt(N / 10))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normal_statistics(dtype):
    rng = pymic2.random.default_rng(7)
    x = rng.normal(1.5, 2.0, size=(1000, 1000), dtype=dtype).get().astype(numpy.float64)
    assert abs(x.mean() - 1.5) < 6 * 2.0 / numpy.sqrt(N)
    assert abs(x.std() - 2.0) < 0.01
    z = (x - 1.5) / 2.0
    assert abs(numpy.mean(z ** 3)) < 0.02  # skewness
    assert abs(numpy.mean(z ** 4) - 3.0) < 0.05  # kurtosis
    assert abs(numpy.mean(numpy.abs(z) < 1.0) - 0.682689) < 0.005
    # neighbours (the two halves of a Box-Muller pair) are uncorrelated
    flat = z.reshape(-1)
    assert abs(numpy.corrcoef(flat[0::2], flat[1::2])[0, 1]) < 0.01


def test_integers_statistics():
    rng = pymic2.random.default_rng(5)
    x = rng.integers(-3, 7, size=N).get()
    assert x.dtype == numpy.int64 and x.min() == -3 and x.max() == 6
    counts = numpy.bincount(x + 3)
    assert numpy.all(numpy.abs(counts - N / 10) < 6 * numpy.sqrt(N / 10))
    small = rng.integers(0, 256, size=1000, dtype="uint8").get()
    assert small.dtype == numpy.uint8 and len(numpy.unique(small)) > 200


def test_seed_reproducibility_and_continuation():
    a = pymic2.random.default_rng(42)
    b = pymic2.random.default_rng(42)
    first = a.normal(size=1001).get()
    assert numpy.array_equal(first, b.normal(size=1001).get())
    assert not numpy.array_equal(first, a.normal(size=1001).get())  # the counter moved on
    assert not numpy.array_equal(first, pymic2.random.default_rng(43).normal(size=1001).get())
    # one call of 2000 equals two calls of 1000 (an even count: whole Philox blocks)
    whole = pymic2.random.default_rng(9).random(2000).get()
    rng = pymic2.random.default_rng(9)
    parts = numpy.concatenate([rng.random(1000).get(), rng.random(1000).get()])
    assert numpy.array_equal(whole, parts)
    pymic2.random.seed(3)
    u = pymic2.random.rand(3, 4).get()
    pymic2.random.seed(3)
    assert numpy.array_equal(u, pymic2.random.random_sample((3, 4)).get())
    assert pymic2.random.randn(2, 2).shape == (2, 2)


def test_thread_count_does_not_change_the_numbers():
    code = """
        import hashlib, pymic2
        rng = pymic2.random.default_rng(2024)
        parts = [rng.normal(size=300001, dtype="float32"), rng.uniform(size=(513, 700)),
                 rng.integers(-1000, 1000, size=200003, dtype="int32")]
        print(pymic2.default_device().num_threads,
              hashlib.sha256(b"".join(p.get().tobytes() for p in parts)).hexdigest())
    """
    one = run_python(code, PYMIC2_NUM_THREADS="1").split()
    two = run_python(code, PYMIC2_NUM_THREADS="2").split()
    assert (one[0], two[0]) == ("1", "2")
    assert one[1] == two[1]


def test_permutation_and_shuffle():
    rng = pymic2.random.default_rng(1)
    perm = rng.permutation(1000).get()
    assert sorted(perm.tolist()) == list(range(1000)) and not numpy.array_equal(perm,
                                                                                 numpy.arange(1000))
    host = numpy.arange(30.0).reshape(10, 3)
    x = pymic2.asarray(host)
    permuted = rng.permutation(x).get()
    assert sorted(map(tuple, permuted)) == sorted(map(tuple, host))
    rng.shuffle(x)
    shuffled = x.get()
    assert sorted(map(tuple, shuffled)) == sorted(map(tuple, host))
    assert not numpy.array_equal(shuffled, host)


def test_permutation_is_made_on_the_device_and_uniform(monkeypatch):
    """Nothing is read back while permuting, results repeat for a seed, and the position of
    every element is uniform: over 3000 permutations of 4 elements each of the 16 (element,
    place) pairs holds about 750 times (chi-square against NumPy's own critical value
    would be overkill: a bound of 5 standard deviations, 750 +- 120, cannot fail by chance)."""
    reads = []
    original = pymic2.ndarray.get
    monkeypatch.setattr(pymic2.ndarray, "get", lambda self, *a, **k: reads.append(self.size)
                        or original(self, *a, **k))
    rng = pymic2.random.default_rng(7)
    perms = [rng.permutation(4) for _ in range(3000)]
    assert reads == []
    monkeypatch.undo()
    table = numpy.zeros((4, 4), int)
    for perm in perms:
        values = perm.get()
        assert sorted(values.tolist()) == [0, 1, 2, 3]
        table[values, numpy.arange(4)] += 1
    assert numpy.all(numpy.abs(table - 750) < 120), table
    again = pymic2.random.default_rng(7).permutation(4).get()
    assert numpy.array_equal(again, perms[0].get())
    assert pymic2.random.default_rng(0).permutation(0).shape == (0,)
    assert pymic2.random.default_rng(0).permutation(1).get().tolist() == [0]


def test_errors():
    rng = pymic2.random.default_rng(0)
    with pytest.raises(ValueError, match="scale < 0"):
        rng.normal(0.0, -1.0, size=3)
    with pytest.raises(ValueError, match="low >= high"):
        rng.integers(5, 5, size=3)
    with pytest.raises(ValueError, match="does not fit in int8"):
        rng.integers(0, 1000, size=3, dtype="int8")
    with pytest.raises(TypeError, match="float32 or float64"):
        rng.uniform(size=3, dtype="int32")
    with pytest.raises(ValueError, match="seed must be between"):
        pymic2.random.default_rng(-1)
    assert rng.random().shape == ()


# ---------------------------------------------------------------- transformed distributions

M = 200_000
SCIPY_FREE_MOMENTS = {
    # name: (arguments, mean, variance) of NumPy's parameterisation
    "exponential": ((2.0,), 2.0, 4.0),
    "standard_exponential": ((), 1.0, 1.0),
    "lognormal": ((0.5, 0.3), numpy.exp(0.5 + 0.045), (numpy.exp(0.09) - 1) * numpy.exp(1.09)),
    "laplace": ((1.0, 2.0), 1.0, 8.0),
    "logistic": ((1.0, 2.0), 1.0, numpy.pi ** 2 * 4 / 3),
    "gumbel": ((1.0, 2.0), 1.0 + 2.0 * numpy.euler_gamma, numpy.pi ** 2 * 4 / 6),
    "weibull": ((2.0,), numpy.sqrt(numpy.pi) / 2, 1 - numpy.pi / 4),
    "pareto": ((5.0,), 0.25, 5 / (16 * 3)),
    "rayleigh": ((2.0,), 2.0 * numpy.sqrt(numpy.pi / 2), (4 - numpy.pi) / 2 * 4),
    "geometric": ((0.3,), 1 / 0.3, 0.7 / 0.09),
    "standard_gamma": ((2.5,), 2.5, 2.5),
    "gamma": ((0.3, 2.0), 0.6, 1.2),  # shape < 1: the boosted draws
    "chisquare": ((3.0,), 3.0, 6.0),
    "beta": ((2.0, 5.0), 2 / 7, 10 / (49 * 8)),
    "standard_t": ((5.0,), 0.0, 5 / 3),
    "poisson": ((3.0,), 3.0, 3.0),  # inversion
}


@pytest.mark.parametrize("name", sorted(SCIPY_FREE_MOMENTS))
def test_transformed_distributions_have_their_moments(name):
    arguments, mean, variance = SCIPY_FREE_MOMENTS[name]
    x = getattr(pymic2.random.default_rng(17), name)(*arguments, size=M).get()
    expected_dtype = numpy.int64 if name in ("geometric", "poisson") else numpy.float64
    assert x.dtype == expected_dtype and x.shape == (M,)
    assert numpy.isfinite(x).all()
    assert abs(x.mean() - mean) < 6 * numpy.sqrt(variance / M)
    assert abs(x.var() / variance - 1) < 0.05
    again = getattr(pymic2.random.default_rng(17), name)(*arguments, size=M).get()
    assert numpy.array_equal(x, again)  # the seed decides every number


def test_transformed_distributions_edges():
    rng = pymic2.random.default_rng(3)
    assert rng.geometric(1.0, size=100).get().tolist() == [1] * 100
    assert (rng.weibull(0.0, size=10).get() == 0).all()
    assert rng.exponential(2.0).shape == ()
    scales = pymic2.asarray([1.0, 10.0, 100.0])
    x = rng.exponential(scales, size=(50000, 3)).get()
    assert numpy.allclose(x.mean(axis=0), [1.0, 10.0, 100.0], rtol=0.05)
    assert rng.laplace([0.0, 5.0], 1.0).shape == (2,)
    cauchy = rng.standard_cauchy(size=M).get()
    assert abs(numpy.median(cauchy)) < 0.02 and abs(numpy.mean(numpy.abs(cauchy) < 1) - 0.5) < 0.01
    with pytest.raises(ValueError, match="scale < 0"):
        rng.exponential(-1.0, size=3)
    with pytest.raises(ValueError, match="p <= 0"):
        rng.geometric(0.0, size=3)
    with pytest.raises(ValueError, match="a <= 0"):
        rng.pareto(0.0, size=3)


def test_gamma_family_parameters_and_errors():
    rng = pymic2.random.default_rng(4)
    shapes = pymic2.asarray([0.5, 2.0, 9.0])
    x = rng.standard_gamma(shapes, size=(40000, 3)).get()
    assert numpy.allclose(x.mean(axis=0), [0.5, 2.0, 9.0], rtol=0.03)
    assert numpy.allclose(x.var(axis=0), [0.5, 2.0, 9.0], rtol=0.06)
    assert rng.standard_gamma(1.0, size=5, dtype=numpy.float32).dtype == numpy.float32
    assert (rng.standard_gamma(0.0, size=4).get() == 0).all()
    d = rng.dirichlet([1.0, 2.0, 3.0], size=20000).get()
    assert d.shape == (20000, 3) and numpy.allclose(d.sum(axis=1), 1.0)
    assert numpy.allclose(d.mean(axis=0), [1 / 6, 2 / 6, 3 / 6], atol=0.01)
    again = pymic2.random.default_rng(4).standard_gamma(shapes, size=(40000, 3)).get()
    assert numpy.array_equal(x, again)
    with pytest.raises(ValueError, match="shape < 0"):
        rng.standard_gamma(-1.0, size=3)
    with pytest.raises(ValueError, match="df <= 0"):
        rng.chisquare(0.0, size=3)
    with pytest.raises(TypeError, match="float32 or float64"):
        rng.standard_gamma(1.0, size=3, dtype=numpy.int32)


def test_poisson_methods_and_errors():
    rng = pymic2.random.default_rng(6)
    means = pymic2.asarray([0.5, 9.5, 10.0, 40.0, 3000.0])  # both methods, in one call
    x = rng.poisson(means, size=(40000, 5)).get()
    assert x.dtype == numpy.int64 and (x >= 0).all()
    expected = numpy.array([0.5, 9.5, 10.0, 40.0, 3000.0])
    assert numpy.all(numpy.abs(x.mean(axis=0) - expected) < 6 * numpy.sqrt(expected / 40000))
    assert numpy.allclose(x.var(axis=0), expected, rtol=0.05)
    # PTRS draws follow the distribution, not just its moments: P(X = 40) for lam = 40
    assert abs(numpy.mean(x[:, 3] == 40) - 0.06294) < 0.006
    assert (rng.poisson(0.0, size=5).get() == 0).all()
    again = pymic2.random.default_rng(6).poisson(means, size=(40000, 5)).get()
    assert numpy.array_equal(x, again)
    with pytest.raises(ValueError, match="lam < 0"):
        rng.poisson(-1.0, size=3)
    with pytest.raises(ValueError, match="too large"):
        rng.poisson(1e19, size=3)


def test_choice():
    rng = pymic2.random.default_rng(8)
    x = rng.choice(5, M, p=[0.1, 0.2, 0.3, 0.4, 0.0]).get()
    assert x.dtype == numpy.int64
    counts = numpy.bincount(x, minlength=5)
    assert counts[4] == 0
    assert numpy.all(numpy.abs(counts[:4] / M - [0.1, 0.2, 0.3, 0.4]) < 0.005)
    uniform = rng.choice(7, size=(300, 100)).get()
    assert uniform.shape == (300, 100) and set(numpy.unique(uniform)) == set(range(7))
    rows = pymic2.asarray(numpy.arange(20).reshape(10, 2))
    sample = rng.choice(rows, 10, replace=False).get()
    assert sorted(sample[:, 0].tolist()) == list(range(0, 20, 2))
    assert pymic2.random.choice(3).shape == ()
    with pytest.raises(ValueError, match="larger sample"):
        rng.choice(3, 4, replace=False)
    with pytest.raises(ValueError, match="sum to 1"):
        rng.choice(3, 4, p=[0.5, 0.2, 0.2])
    with pytest.raises(ValueError, match="same size"):
        rng.choice(3, 4, p=[0.5, 0.5])


def _binomial_pmf(n, p):
    return numpy.array([math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(n + 1)])


@pytest.mark.parametrize("n, p", [(10, 0.3), (100, 0.05), (30, 0.4), (100, 0.5), (60, 0.9),
                                  (40, 0.99)])
def test_binomial_follows_its_distribution(n, p):
    """Inversion (n * min(p, 1 - p) < 10) and BTRS (otherwise), mirrored above p = 0.5: the
    count of every value against the exact probability, within six standard deviations."""
    x = pymic2.random.default_rng(21).binomial(n, p, size=M).get()
    assert x.dtype == numpy.int64 and x.shape == (M,) and x.min() >= 0 and x.max() <= n
    expected = _binomial_pmf(n, p) * M
    observed = numpy.bincount(x, minlength=n + 1)
    likely = expected > 25
    assert (numpy.abs(observed - expected)[likely] < 6 * numpy.sqrt(expected[likely])).all()
    assert observed[~likely].sum() < 2 * expected[~likely].sum() + 30
    again = pymic2.random.default_rng(21).binomial(n, p, size=M).get()
    assert numpy.array_equal(x, again)


def test_binomial_parameters_and_errors():
    rng = pymic2.random.default_rng(22)
    x = rng.binomial(pymic2.asarray([0, 5, 1000, 10 ** 9]), [0.3, 1.0, 0.2, 1e-8],
                     size=(20000, 4)).get()
    assert (x[:, 0] == 0).all() and (x[:, 1] == 5).all()
    assert numpy.allclose(x[:, 2:].mean(axis=0), [200.0, 10.0], rtol=0.02)
    assert rng.binomial(3, 0.5).shape == ()
    with pytest.raises(ValueError, match="n < 0"):
        rng.binomial(-1, 0.5, size=3)
    for p in (-0.1, 1.5, numpy.nan):
        with pytest.raises(ValueError, match="p < 0, p > 1 or p is NaN"):
            rng.binomial(5, p, size=3)


def test_multinomial():
    rng = pymic2.random.default_rng(23)
    counts = rng.multinomial(20, [0.2, 0.3, 0.5], size=50000).get()
    assert counts.shape == (50000, 3) and counts.dtype == numpy.int64
    assert (counts.sum(axis=1) == 20).all()
    assert numpy.allclose(counts.mean(axis=0), [4.0, 6.0, 10.0], rtol=0.02)
    assert numpy.allclose(counts.var(axis=0), [3.2, 4.2, 5.0], rtol=0.05)
    assert rng.multinomial(7, [0.5, 0.5]).shape == (2,)
    several = rng.multinomial(pymic2.asarray([0, 10]), [0.1, 0.9]).get()
    assert several.shape == (2, 2) and several.sum(axis=1).tolist() == [0, 10]
    with pytest.raises(ValueError, match="sum\\(pvals\\[:-1\\]\\) > 1.0"):
        rng.multinomial(5, [0.8, 0.8, 0.0])
    with pytest.raises(ValueError, match="pvals < 0"):
        rng.multinomial(5, [-0.2, 1.2])
    with pytest.raises(ValueError, match="one-dimensional"):
        rng.multinomial(5, [[0.5, 0.5]])
