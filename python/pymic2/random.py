"""Random numbers generated on the device.

The generator is counter-based (Philox-4x32-10, see pymic2_random in pymic2.h): a generator is
a 64-bit seed plus a counter of the blocks used so far, every call takes the next blocks, and
element i of a result depends only on (seed, counter, i). So a seed gives the same numbers on
any number of threads, and results never depend on how the device splits the work.

    rng = pymic2.random.default_rng(42)
    x = rng.normal(0.0, 1.0, size=(1000, 100), dtype="float32")
    pymic2.random.seed(0); u = pymic2.random.rand(3, 4)

Results are device arrays (0-d for size=None). The numbers differ from NumPy's generators
(another algorithm); their distributions are the same.
"""

import numbers
import os

import numpy

from . import _core, _creation, _indexing, _manipulation, _math, _reduction
from ._manipulation import ravel
from ._array import ndarray

__all__ = [
    "Generator", "RandomState", "beta", "binomial", "chisquare", "choice", "default_rng", "dirichlet",
    "exponential", "gamma", "geometric", "get_random_state", "gumbel", "laplace",
    "logistic", "lognormal", "multinomial", "normal", "pareto", "permutation", "poisson", "rand",
    "randint", "randn", "random", "random_sample", "rayleigh", "seed", "shuffle",
    "standard_cauchy", "standard_exponential", "standard_gamma", "standard_normal",
    "standard_t", "uniform", "weibull",
]

_SEED_LIMIT = 1 << 64
_INT64_MAX = (1 << 63) - 1


def _seed_value(seed):
    """A 64-bit key: a fresh one from the OS for None, an int in [0, 2**64) as it is, anything
    else NumPy's SeedSequence takes hashed into 64 bits."""
    if seed is None:
        return int.from_bytes(os.urandom(8), "little")
    if isinstance(seed, (numbers.Integral, numpy.integer)) and not isinstance(seed, bool):
        seed = int(seed)
        if not 0 <= seed < _SEED_LIMIT:
            raise ValueError(f"seed must be between 0 and 2**64 - 1, not {seed}")
        return seed
    state = numpy.random.SeedSequence(seed).generate_state(1, numpy.uint64)
    return int(state[0])


def _shape(size):
    if size is None:
        return ()
    if isinstance(size, (numbers.Integral, numpy.integer)):
        return (int(size),)
    return tuple(int(n) for n in size)


class Generator:
    """NumPy's Generator interface over the device's Philox generator.

    Generator(seed=None, stream=None): arrays are made on the stream's device (default: the
    default device's default stream)."""

    def __init__(self, seed=None, stream=None):
        self._stream = stream
        self.seed(seed)

    def seed(self, seed=None):
        """Restarts the sequence of a seed (None: a fresh seed from the OS)."""
        self._key = _seed_value(seed)
        self._counter = 0

    @property
    def state(self):
        """(seed, counter): the whole state; equal states give equal numbers."""
        return self._key, self._counter

    def _advance(self, draw):
        """Lets a device kernel take its numbers from this generator's stream:
        draw(seed, counter) enqueues it and returns the counter after the blocks it used
        (pymic2.chainer's dropout masks)."""
        self._counter = draw(self._key, self._counter)

    def _fill(self, size, dtype, distribution, a=0.0, b=1.0, low=0, high=1):
        out = ndarray(_shape(size), dtype, stream=self._stream)
        self._counter = _core.random(out, distribution, self._key, self._counter, float(a),
                                     float(b), int(low), int(high))
        return out

    def random(self, size=None, dtype=numpy.float64):
        """Uniform floats in [0, 1)."""
        return self._fill(size, dtype, _core.RANDOM_UNIFORM)

    def uniform(self, low=0.0, high=1.0, size=None, dtype=numpy.float64):
        """Uniform floats in [low, high) (scalar bounds)."""
        return self._fill(size, dtype, _core.RANDOM_UNIFORM, low, high)

    def normal(self, loc=0.0, scale=1.0, size=None, dtype=numpy.float64):
        """Normal (Gaussian) floats of mean loc and standard deviation scale (scalars)."""
        if scale < 0:
            raise ValueError("scale < 0")
        return self._fill(size, dtype, _core.RANDOM_NORMAL, loc, scale)

    def standard_normal(self, size=None, dtype=numpy.float64):
        return self._fill(size, dtype, _core.RANDOM_NORMAL, 0.0, 1.0)

    def integers(self, low, high=None, size=None, dtype=numpy.int64, endpoint=False):
        """Integers in [low, high) ([0, low) when high is None; [low, high] with endpoint)."""
        if high is None:
            low, high = 0, low
        high = int(high) + (1 if endpoint else 0)
        if int(low) >= high:
            raise ValueError(f"low >= high (low {low}, high {high})")
        if high - 1 > _INT64_MAX:  # the core draws in int64 arithmetic
            raise ValueError(f"high {high} is out of bounds: pyMIC2's random integers (uint64 "
                             f"too) stay below 2**63")
        return self._fill(size, dtype, _core.RANDOM_INTEGERS, low=int(low), high=high)

    # ------------------------------------------------------------ transformed draws

    def _open_uniform(self, size, dtype=numpy.float64):
        """Uniform floats in the open interval (0, 1): the grid of [0, 1) moved by half its
        step (the core draws multiples of 2**-53 for float64, 2**-24 for float32)."""
        dtype = numpy.dtype(dtype)
        half_step = 2.0 ** -54 if dtype == numpy.float64 else 2.0 ** -25
        return _math.add(self.random(size, dtype), half_step)

    def _size(self, size, *parameters):
        """size, or the broadcast shape of array parameters when size is None."""
        if size is not None:
            return size
        shapes = [numpy.shape(p) for p in parameters]
        shape = numpy.broadcast_shapes(*shapes) if shapes else ()
        return shape or None

    def standard_exponential(self, size=None, dtype=numpy.float64, method="inv"):
        """Exponential floats of rate 1 (inversion: -log(1 - U))."""
        if method != "inv":
            raise ValueError("standard_exponential: only method='inv' runs on the device")
        return _math.negative(_math.log1p(_math.negative(self.random(size, dtype))))

    def exponential(self, scale=1.0, size=None):
        _check_non_negative(scale, "scale")
        return _math.multiply(self.standard_exponential(self._size(size, scale)), scale)

    def lognormal(self, mean=0.0, sigma=1.0, size=None):
        """exp of normal floats of mean `mean` and standard deviation sigma."""
        _check_non_negative(sigma, "sigma")
        normal = self.standard_normal(self._size(size, mean, sigma))
        return _math.exp(_math.add(_math.multiply(normal, sigma), mean))

    def laplace(self, loc=0.0, scale=1.0, size=None):
        """Laplace (double exponential) floats: loc -+ scale * log(2 U) on each half of the
        open unit interval (NumPy's inversion)."""
        _check_non_negative(scale, "scale")
        u = self._open_uniform(self._size(size, loc, scale))
        lower = _math.less(u, 0.5)
        magnitude = _core.elementwise(_core.OP_WHERE, lower, _math.log(_math.add(u, u)),
                                      _math.negative(_math.log(_math.subtract(2.0, _math.add(u, u)))))
        return _math.add(_math.multiply(magnitude, scale), loc)

    def logistic(self, loc=0.0, scale=1.0, size=None):
        """Logistic floats: loc + scale * log(U / (1 - U))."""
        _check_non_negative(scale, "scale")
        u = self._open_uniform(self._size(size, loc, scale))
        return _math.add(_math.multiply(_math.log(_math.divide(u, _math.subtract(1.0, u))),
                                        scale), loc)

    def gumbel(self, loc=0.0, scale=1.0, size=None):
        """Gumbel floats: loc - scale * log(-log(1 - U))."""
        _check_non_negative(scale, "scale")
        u = self._open_uniform(self._size(size, loc, scale))
        inner = _math.negative(_math.log1p(_math.negative(u)))
        return _math.subtract(loc, _math.multiply(_math.log(inner), scale))

    def weibull(self, a, size=None):
        """Weibull floats of shape a: (-log(1 - U)) ** (1 / a); 0 for a == 0 as NumPy."""
        _check_non_negative(a, "a")
        draws = self.standard_exponential(self._size(size, a))
        if not isinstance(a, ndarray):  # host parameters: their arithmetic stays on the host
            a = numpy.asarray(a, dtype=numpy.float64)
            exponent = numpy.divide(1.0, a, out=numpy.zeros_like(a), where=a != 0)
            return _math.multiply(_math.power(draws, exponent), a != 0)
        exponent = _math.divide(1.0, a)
        return _core.elementwise(_core.OP_WHERE, _math.equal(a, 0), 0.0,
                                 _math.power(draws, exponent))

    def pareto(self, a, size=None):
        """Pareto II (Lomax) floats of shape a: exp(E / a) - 1 for exponential E."""
        _check_positive(a, "a")
        return _math.expm1(_math.divide(self.standard_exponential(self._size(size, a)), a))

    def rayleigh(self, scale=1.0, size=None):
        """Rayleigh floats: scale * sqrt(2 E) for exponential E."""
        _check_non_negative(scale, "scale")
        draws = self.standard_exponential(self._size(size, scale))
        return _math.multiply(_math.sqrt(_math.add(draws, draws)), scale)

    def standard_cauchy(self, size=None):
        """Cauchy floats: the ratio of two standard normals."""
        return _math.divide(self.standard_normal(size), self.standard_normal(size))

    def geometric(self, p, size=None):
        """Geometric integers >= 1 (trials up to the first success of probability p):
        ceil(log(U) / log(1 - p)) by inversion, as int64."""
        probabilities = numpy.asarray(p.get() if isinstance(p, ndarray) else p)
        if ((probabilities <= 0) | (probabilities > 1) | numpy.isnan(probabilities)).any():
            raise ValueError("p <= 0, p > 1 or p contains NaNs")
        u = self._open_uniform(self._size(size, p))
        if isinstance(p, ndarray):
            failure_log = _math.log1p(_math.negative(p))
        else:  # host parameters: their arithmetic stays on the host (p = 1 gives -inf: fine)
            with numpy.errstate(divide="ignore"):
                failure_log = numpy.log1p(-probabilities)
        ratio = _math.divide(_math.log(u), failure_log)
        ceiling = _math.negative(_math.floor_divide(_math.negative(ratio), 1.0))
        return _math.maximum(ceiling, 1.0).astype(numpy.int64)

    # ------------------------------------------------------------ rejection sampling

    def standard_gamma(self, shape, size=None, dtype=numpy.float64):
        """Gamma floats of the given shape and scale 1: Marsaglia and Tsang's method, in
        rounds on the device (each round draws for the positions still open and keeps the
        accepted ones; about 2-5 % go to the next round), boosted by U ** (1 / shape) for
        shape < 1. The seed decides the numbers, as for the other draws."""
        dtype = numpy.dtype(dtype)
        if dtype not in (numpy.float32, numpy.float64):
            raise TypeError(f"standard_gamma: dtype must be float32 or float64, not {dtype}")
        _check_non_negative(shape, "shape")
        shape_size = self._size(size, shape)
        count = int(numpy.prod(_shape(shape_size)))
        k = _broadcast_parameter(shape, _shape(shape_size), self._stream)
        boosted = _math.less(k, 1.0)
        d = _math.subtract(_indexing.where(boosted, _math.add(k, 1.0), k), 1.0 / 3.0)
        result = self._in_rounds(self._marsaglia_tsang, (ravel(d),), numpy.float64)
        # shape < 1: X * U ** (1 / shape) for X ~ Gamma(shape + 1); shape 0 gives 0
        boost = _math.power(self._open_uniform(count), _math.true_divide(1.0, ravel(k)))
        result = _indexing.where(ravel(boosted), _math.multiply(result, boost), result)
        result = _indexing.where(_math.equal(ravel(k), 0.0), 0.0, result)
        return result.astype(dtype, copy=False).reshape(_shape(shape_size))

    def _in_rounds(self, propose, parameters, dtype):
        """Rejection sampling on the device, in rounds: propose(*open parameters, count)
        gives a candidate and whether it is accepted for each open position; the accepted
        ones are stored and the others drawn again in the next round (a few per cent of
        them, for the methods here). parameters are 1-d device arrays, one value per draw."""
        count = parameters[0].size
        out = ndarray((count,), dtype, stream=self._stream)
        open_positions = None  # all of them
        current = parameters
        while count:
            values, accepted = propose(*current, count)
            if open_positions is None:
                out[...] = values
                open_positions = _indexing.flatnonzero(_math.logical_not(accepted))
            else:
                keep = _indexing.flatnonzero(accepted)
                if keep.size:
                    _core.index(_core.INDEX_SCATTER, out, 0,
                                (_indexing.take(open_positions, keep),),
                                _indexing.take(values, keep))
                still_open = _indexing.flatnonzero(_math.logical_not(accepted))
                open_positions = _indexing.take(open_positions, still_open)
            count = open_positions.size
            current = tuple(_indexing.take(p, open_positions) if count else p[:0]
                            for p in parameters)
        return out

    def _marsaglia_tsang(self, d, count):
        """A round of Gamma(d + 1/3) candidates for the per-position d (>= 2/3), float64."""
        z = self.standard_normal(count)
        u = self._open_uniform(count)
        c = _math.true_divide(1.0, _math.sqrt(_math.multiply(d, 9.0)))
        v = _math.add(_math.multiply(z, c), 1.0)
        v = _math.multiply(_math.multiply(v, v), v)
        positive = _math.greater(v, 0.0)
        safe_v = _indexing.where(positive, v, 1.0)
        bound = _math.add(_math.multiply(_math.multiply(z, z), 0.5),
                          _math.multiply(d, _math.add(_math.subtract(1.0, safe_v),
                                                      _math.log(safe_v))))
        accepted = _math.logical_and(positive, _math.less(_math.log(u), bound))
        return _math.multiply(d, v), accepted

    def gamma(self, shape, scale=1.0, size=None):
        _check_non_negative(scale, "scale")
        return _math.multiply(self.standard_gamma(shape, self._size(size, shape, scale)), scale)

    def chisquare(self, df, size=None):
        """Chi-square floats: 2 * Gamma(df / 2)."""
        _check_positive(df, "df")
        half = _math.true_divide(df, 2.0) if isinstance(df, ndarray) else numpy.divide(df, 2.0)
        return _math.multiply(self.standard_gamma(half, self._size(size, df)), 2.0)

    def beta(self, a, b, size=None):
        """Beta floats: X / (X + Y) for X ~ Gamma(a), Y ~ Gamma(b)."""
        _check_positive(a, "a")
        _check_positive(b, "b")
        shape = self._size(size, a, b)
        x, y = self.standard_gamma(a, shape), self.standard_gamma(b, shape)
        return _math.true_divide(x, _math.add(x, y))

    def dirichlet(self, alpha, size=None):
        """Dirichlet vectors: Gamma(alpha_i) draws normalised to sum 1 (the last axis)."""
        weights = numpy.asarray(alpha.get() if isinstance(alpha, ndarray) else alpha,
                                dtype=numpy.float64)
        if weights.ndim != 1:
            raise ValueError("alpha must be a one-dimensional array")
        if (weights < 0).any() or numpy.isnan(weights).any():
            raise ValueError("alpha < 0")
        shape = _shape(size) + weights.shape
        draws = self.standard_gamma(numpy.broadcast_to(weights, shape), shape)
        return _math.true_divide(draws, _reduction.sum(draws, axis=-1, keepdims=True))

    def standard_t(self, df, size=None):
        """Student's t floats: N / sqrt(Chi2(df) / df)."""
        _check_positive(df, "df")
        shape = self._size(size, df)
        chi = _math.true_divide(self.chisquare(df, shape), df)
        return _math.true_divide(self.standard_normal(shape), _math.sqrt(chi))

    def poisson(self, lam=1.0, size=None):
        """Poisson integers (int64) of mean lam, by NumPy's two methods: inversion (adding
        the probabilities of 0, 1, 2 ... until they pass a uniform draw, all draws in step)
        for lam < 10, Hormann's transformed rejection (PTRS) in rounds for larger lam."""
        means = numpy.asarray(lam.get() if isinstance(lam, ndarray) else lam,
                              dtype=numpy.float64)
        if (means < 0).any() or numpy.isnan(means).any():
            raise ValueError("lam < 0 or lam is NaN")
        if (means >= _POISSON_LAM_MAX).any():
            raise ValueError("lam value too large")
        shape = _shape(self._size(size, lam))
        lam_all = ravel(_broadcast_parameter(lam, shape, self._stream))
        count = lam_all.size
        small = _math.less(lam_all, 10.0)
        result = self._poisson_inversion(_indexing.where(small, lam_all, 0.0), count)
        if bool(_reduction.any(_math.logical_not(small))):
            large_lam = _indexing.where(small, 10.0, lam_all)
            large = self._in_rounds(self._poisson_ptrs, (large_lam,), numpy.int64)
            result = _indexing.where(small, result, large)
        return result.reshape(shape)

    def _poisson_inversion(self, lam, count):
        u = self.random(count)
        k = _creation.zeros(count, numpy.int64, stream=self._stream)
        probability = _math.exp(_math.negative(lam))
        cumulative = probability
        for _ in range(_POISSON_INVERSION_STEPS):
            active = _math.greater(u, cumulative)
            if not bool(_reduction.any(active)):
                break
            k = _math.add(k, active.astype(numpy.int64))
            probability = _math.true_divide(_math.multiply(probability, lam),
                                            _math.maximum(k, 1).astype(numpy.float64))
            cumulative = _indexing.where(active, _math.add(cumulative, probability),
                                         cumulative)
        return k

    def _poisson_ptrs(self, lam, count):
        """A round of candidates for lam >= 10 (NumPy's random_poisson_ptrs)."""
        slam = _math.sqrt(lam)
        b = _math.add(_math.multiply(slam, 2.53), 0.931)
        a = _math.add(_math.multiply(b, 0.02483), -0.059)
        inverse_alpha = _math.add(_math.true_divide(1.1328, _math.subtract(b, 3.4)), 1.1239)
        vr = _math.subtract(0.9277, _math.true_divide(3.6224, _math.subtract(b, 2.0)))
        u = _math.subtract(self.random(count), 0.5)
        v = self._open_uniform(count)
        us = _math.subtract(0.5, _math.absolute(u))
        k = _math.floor(_math.add(_math.add(_math.multiply(_math.add(
            _math.true_divide(_math.multiply(a, 2.0), us), b), u), lam), 0.43))
        quick = _math.logical_and(_math.greater_equal(us, 0.07), _math.less_equal(v, vr))
        hopeless = _math.logical_or(_math.less(k, 0.0), _math.logical_and(
            _math.less(us, 0.013), _math.greater(v, us)))
        left = _math.subtract(_math.add(_math.log(v), _math.log(inverse_alpha)), _math.log(
            _math.add(_math.true_divide(a, _math.multiply(us, us)), b)))
        right = _math.subtract(_math.multiply(k, _math.log(lam)),
                               _math.add(lam, _log_factorial(_math.maximum(k, 0.0))))
        accepted = _math.logical_or(quick, _math.logical_and(
            _math.logical_not(hopeless), _math.less_equal(left, right)))
        return k.astype(numpy.int64), accepted

    def binomial(self, n, p, size=None):
        """Binomial integers (int64): successes in n trials of probability p. Drawn for
        min(p, 1 - p) and mirrored; by inversion (adding the probabilities of 0, 1, 2 ...
        until they pass a uniform draw, all draws in step) where n * min(p, 1 - p) < 10, by
        Hormann's transformed rejection with squeeze (BTRS) in rounds otherwise."""
        trials = numpy.asarray(n.get() if isinstance(n, ndarray) else n)
        chances = numpy.asarray(p.get() if isinstance(p, ndarray) else p, dtype=numpy.float64)
        if trials.dtype.kind == "f" and (trials != numpy.floor(trials)).any():
            raise TypeError("binomial: n must be integers")
        if (trials < 0).any():
            raise ValueError("n < 0")
        if ((chances < 0) | (chances > 1) | numpy.isnan(chances)).any():
            raise ValueError("p < 0, p > 1 or p is NaN")
        shape = _shape(self._size(size, n, p))
        n_all = ravel(_broadcast_parameter(n, shape, self._stream))
        p_all = ravel(_broadcast_parameter(p, shape, self._stream))
        mirrored = _math.greater(p_all, 0.5)
        p_low = _indexing.where(mirrored, _math.subtract(1.0, p_all), p_all)
        small = _math.less(_math.multiply(n_all, p_low), 10.0)
        result = self._binomial_inversion(_indexing.where(small, n_all, 0.0), p_low)
        if bool(_reduction.any(_math.logical_not(small))):
            large_n = _indexing.where(small, 40.0, n_all)  # any n * p >= 10 for the unused
            large_p = _indexing.where(small, 0.5, p_low)
            large = self._in_rounds(self._binomial_btrs, (large_n, large_p), numpy.int64)
            result = _indexing.where(small, result, large)
        result = _indexing.where(mirrored, _math.subtract(n_all.astype(numpy.int64), result),
                                 result)
        return result.reshape(shape)

    def _binomial_inversion(self, n, p):
        """Inversion for n * p < 10 (p <= 0.5): P(0) = (1 - p) ** n, P(k) = P(k - 1) *
        (n - k + 1) / k * p / (1 - p); k stops at n whatever the rounding of the sums."""
        count = n.size
        u = self.random(count)
        k = _creation.zeros(count, numpy.int64, stream=self._stream)
        odds = _math.true_divide(p, _math.subtract(1.0, p))
        probability = _math.exp(_math.multiply(n, _math.log1p(_math.negative(p))))
        cumulative = probability
        while True:
            active = _math.logical_and(_math.greater(u, cumulative), _math.less(k, n))
            if not bool(_reduction.any(active)):
                return k
            k = _math.add(k, active.astype(numpy.int64))
            steps = k.astype(numpy.float64)
            probability = _math.multiply(probability, _math.multiply(odds, _math.true_divide(
                _math.add(_math.subtract(n, steps), 1.0), _math.maximum(steps, 1.0))))
            cumulative = _indexing.where(active, _math.add(cumulative, probability),
                                         cumulative)

    def _binomial_btrs(self, n, p, count):
        """A round of BTRS candidates (Hormann 1993) for n * p >= 10, p <= 0.5."""
        q = _math.subtract(1.0, p)
        spq = _math.sqrt(_math.multiply(_math.multiply(n, p), q))
        b = _math.add(_math.multiply(spq, 2.53), 1.15)
        a = _math.add(_math.add(_math.multiply(b, 0.0248), _math.multiply(p, 0.01)), -0.0873)
        c = _math.add(_math.multiply(n, p), 0.5)
        vr = _math.subtract(0.92, _math.true_divide(4.2, b))
        alpha = _math.multiply(_math.add(_math.true_divide(5.1, b), 2.83), spq)
        mode = _math.floor(_math.multiply(_math.add(n, 1.0), p))
        u = _math.subtract(self.random(count), 0.5)
        v = self._open_uniform(count)
        us = _math.subtract(0.5, _math.absolute(u))
        k = _math.floor(_math.add(_math.multiply(_math.add(
            _math.true_divide(_math.multiply(a, 2.0), us), b), u), c))
        inside = _math.logical_and(_math.greater_equal(k, 0.0), _math.less_equal(k, n))
        quick = _math.logical_and(_math.greater_equal(us, 0.07), _math.less_equal(v, vr))
        safe_k = _math.minimum(_math.maximum(k, 0.0), n)
        left = _math.log(_math.true_divide(_math.multiply(v, alpha), _math.add(
            _math.true_divide(a, _math.multiply(us, us)), b)))
        right = _math.add(_math.subtract(_math.add(
            _log_factorial(mode), _log_factorial(_math.subtract(n, mode))), _math.add(
            _log_factorial(safe_k), _log_factorial(_math.subtract(n, safe_k)))),
            _math.multiply(_math.subtract(safe_k, mode), _math.log(_math.true_divide(p, q))))
        accepted = _math.logical_and(inside, _math.logical_or(
            quick, _math.less_equal(left, right)))
        return safe_k.astype(numpy.int64), accepted

    def multinomial(self, n, pvals, size=None):
        """Multinomial counts (int64, last axis of len(pvals)): category i gets a binomial
        draw of the trials left with probability pvals[i] / (the probability left), the
        last category the rest."""
        weights = numpy.asarray(pvals.get() if isinstance(pvals, ndarray) else pvals,
                                dtype=numpy.float64)
        if weights.ndim != 1:
            raise ValueError("pvals must be a one-dimensional array")
        if ((weights < 0) | (weights > 1) | numpy.isnan(weights)).any():
            raise ValueError("pvals < 0, pvals > 1 or pvals contains NaNs")
        if weights[:-1].sum() > 1.0 + 1e-12:
            raise ValueError("sum(pvals[:-1]) > 1.0")
        shape = _shape(self._size(size, n))
        left = _broadcast_parameter(n, shape, self._stream).astype(numpy.int64)
        counts = ndarray(shape + weights.shape, numpy.int64, stream=self._stream)
        remaining = 1.0
        for category, weight in enumerate(weights[:-1].tolist()):
            chance = min(1.0, weight / remaining) if remaining > 0 else 0.0
            drawn = self.binomial(left, chance, shape)
            counts[..., category] = drawn
            left = _math.subtract(left, drawn)
            remaining -= weight
        if weights.size:
            counts[..., -1] = left
        return counts

    def choice(self, a, size=None, replace=True, p=None, axis=0, shuffle=True):
        """Random samples of arange(a) or of the rows of a device array: uniform draws, or
        with probabilities p by inversion of their cumulative sums (one compare per
        category); without replacement a prefix of a random permutation (p not supported
        there)."""
        population = int(a) if isinstance(a, (numbers.Integral, numpy.integer)) else None
        if population is None and not isinstance(a, ndarray):
            raise TypeError(f"choice takes an int or a device array, not {type(a).__name__}")
        if axis != 0:
            raise TypeError("choice: only axis=0 runs on the device")
        n = population if population is not None else len(a)
        if n <= 0 and size != 0 and _shape(size) != (0,):
            raise ValueError("a cannot be empty unless no samples are taken")
        shape = _shape(size)
        count = int(numpy.prod(shape)) if shape else 1
        if not replace:
            if p is not None:
                raise TypeError("choice: replace=False with p is not implemented on the device")
            if count > n:
                raise ValueError("Cannot take a larger sample than population when "
                                 "replace=False")
            positions = self._order(n)[:count]
        elif p is None:
            positions = self.integers(0, n, size=count)
        else:
            positions = self._inverse_cdf(p, n, count)
        positions = positions.reshape(shape)
        return positions if population is not None else a[positions]

    def _inverse_cdf(self, p, n, count):
        """count draws from the categories of the probabilities p: the number of cumulative
        sums at or below a uniform draw."""
        weights = numpy.asarray(p.get() if isinstance(p, ndarray) else p, dtype=numpy.float64)
        if weights.ndim != 1 or weights.size != n:
            raise ValueError("a and p must have same size")
        if (weights < 0).any() or numpy.isnan(weights).any():
            raise ValueError("probabilities are not non-negative")
        if abs(weights.sum() - 1.0) > numpy.sqrt(numpy.finfo(numpy.float64).eps):
            raise ValueError("probabilities do not sum to 1")
        bounds = numpy.cumsum(weights)
        bounds /= bounds[-1]
        u = self.random(count)
        positions = ndarray((count,), numpy.int64, stream=self._stream)
        _core.elementwise(_core.OP_COPY, 0, out=positions)
        for bound in bounds[:-1].tolist():
            _math.add(positions, _math.greater_equal(u, bound).astype(numpy.int64),
                      out=positions)
        return positions

    def permutation(self, x):
        """A permuted arange(x) for an int, else a copy of x with its rows permuted. Made on
        the device, without reading anything back (see _order)."""
        if isinstance(x, (numbers.Integral, numpy.integer)):
            if int(x) < 0:
                raise ValueError(f"negative dimensions are not allowed: {int(x)}")
            return self._order(int(x))
        if not isinstance(x, ndarray):
            raise TypeError(f"permutation takes an int or a device array, not "
                            f"{type(x).__name__}")
        if x.ndim == 0:
            raise IndexError("x must be an integer or at least 1-dimensional")
        return x[self._order(len(x))]

    def shuffle(self, x):
        """Permutes the rows of a device array in place."""
        if not isinstance(x, ndarray) or x.ndim == 0:
            raise TypeError("shuffle takes a device array of at least one dimension")
        x[...] = x[self._order(len(x))]

    def _order(self, n):
        """A random permutation of arange(n) as an int64 device array: an LSD radix sort of
        random keys, drawn one bit per pass. Each pass moves the elements whose bit is 0 to
        the front and the others behind them, both in their order (a stable partition: two
        running counts give every element its place, a scatter moves it). 2*log2(n) + 16
        passes make keys that tie with probability below 2**-16 for any pair."""
        order = ndarray((n,), numpy.int64, stream=self._stream)
        _core.elementwise(_core.OP_ARANGE, 0, 1, out=order)
        if n < 2:
            return order
        moved = ndarray((n,), numpy.int64, stream=self._stream)
        for _ in range(min(2 * (n - 1).bit_length() + 16, 64)):
            ones = self.integers(0, 2, size=n, dtype=numpy.int8) != 0
            zeros_before = _reduction.cumsum(_math.logical_not(ones), dtype=numpy.int64)
            ones_before = _reduction.cumsum(ones, dtype=numpy.int64)
            place = _core.elementwise(_core.OP_WHERE, ones,
                                      _math.add(ones_before, zeros_before[n - 1]),
                                      zeros_before)
            _core.index(_core.INDEX_SCATTER, moved, 0, (_math.subtract(place, 1),), order)
            order, moved = moved, order
        return order


def _broadcast_parameter(value, shape, stream):
    """A distribution parameter as a float64 device array of the draws' shape."""
    if isinstance(value, ndarray):
        return _math.add(_manipulation.broadcast_to(value, shape), 0.0)
    host = numpy.broadcast_to(numpy.asarray(value, dtype=numpy.float64), shape)
    return _creation.asarray(host, stream=stream)


#: NumPy's largest Poisson mean (larger ones would overflow int64 draws)
_POISSON_LAM_MAX = 9.223372006484771e18
#: inversion steps for lam < 10: P(X > 200) is below 1e-200 there
_POISSON_INVERSION_STEPS = 200
#: log(k!) for k < 8, then Stirling's series (NumPy's random_loggam uses the same series)
_LOG_FACTORIALS = numpy.array([0.0] + list(numpy.cumsum(numpy.log(numpy.arange(1, 8)))))
_STIRLING = [8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04,
             -5.952380952380952e-04, 8.417508417508418e-04, -1.917526917526918e-03,
             6.410256410256410e-03, -2.955065359477124e-02, 1.796443723688307e-01,
             -1.39243221690590e+00]


def _log_factorial(k):
    """log(k!) for a float64 device array of non-negative integers: a table below 8, then
    Stirling's series for log Gamma(k + 1)."""
    x = _math.add(k, 1.0)
    inverse_square = _math.true_divide(1.0, _math.multiply(x, x))
    series = _STIRLING[-1]
    for coefficient in reversed(_STIRLING[:-1]):
        series = _math.add(_math.multiply(series, inverse_square), coefficient)
    stirling = _math.add(_math.add(_math.true_divide(series, x), 0.5 * numpy.log(2 * numpy.pi)),
                         _math.subtract(_math.multiply(_math.subtract(x, 0.5), _math.log(x)), x))
    small = _math.less(k, 8.0)
    table = _creation.asarray(_LOG_FACTORIALS, stream=k._op_stream)
    from_table = _indexing.take(table, _math.minimum(k, 7.0).astype(numpy.int64))
    return _indexing.where(small, from_table, stirling)


def _check_non_negative(value, name):
    values = numpy.asarray(value.get() if isinstance(value, ndarray) else value)
    if (values < 0).any() or numpy.isnan(values).any():
        raise ValueError(f"{name} < 0")


def _check_positive(value, name):
    values = numpy.asarray(value.get() if isinstance(value, ndarray) else value)
    if (values <= 0).any() or numpy.isnan(values).any():
        raise ValueError(f"{name} <= 0")


class RandomState(Generator):
    """NumPy's legacy RandomState names over the same generator."""

    def rand(self, *shape, dtype=numpy.float64):
        return self.random(shape or None, dtype)

    def randn(self, *shape, dtype=numpy.float64):
        return self.standard_normal(shape or None, dtype)

    def random_sample(self, size=None, dtype=numpy.float64):
        return self.random(size, dtype)

    def randint(self, low, high=None, size=None, dtype=numpy.int64):
        return self.integers(low, high, size, dtype)


def default_rng(seed=None):
    """A new Generator (NumPy's spelling)."""
    return Generator(seed)


_global = RandomState()


def get_random_state():
    """The RandomState behind the module-level functions."""
    return _global


def seed(seed=None):
    _global.seed(seed)


def random(size=None, dtype=numpy.float64):
    return _global.random(size, dtype)


def random_sample(size=None, dtype=numpy.float64):
    return _global.random(size, dtype)


def rand(*shape, dtype=numpy.float64):
    return _global.rand(*shape, dtype=dtype)


def randn(*shape, dtype=numpy.float64):
    return _global.randn(*shape, dtype=dtype)


def uniform(low=0.0, high=1.0, size=None, dtype=numpy.float64):
    return _global.uniform(low, high, size, dtype)


def normal(loc=0.0, scale=1.0, size=None, dtype=numpy.float64):
    return _global.normal(loc, scale, size, dtype)


def standard_normal(size=None, dtype=numpy.float64):
    return _global.standard_normal(size, dtype)


def randint(low, high=None, size=None, dtype=numpy.int64):
    return _global.randint(low, high, size, dtype)


def permutation(x):
    return _global.permutation(x)


def shuffle(x):
    _global.shuffle(x)


def _module_level(name):
    def draw(*args, **kwargs):
        return getattr(_global, name)(*args, **kwargs)

    draw.__name__ = draw.__qualname__ = name
    draw.__doc__ = f"The module-level generator's {name} (see Generator.{name})."
    return draw


beta = _module_level("beta")
binomial = _module_level("binomial")
chisquare = _module_level("chisquare")
choice = _module_level("choice")
dirichlet = _module_level("dirichlet")
gamma = _module_level("gamma")
standard_gamma = _module_level("standard_gamma")
standard_t = _module_level("standard_t")
exponential = _module_level("exponential")
geometric = _module_level("geometric")
gumbel = _module_level("gumbel")
laplace = _module_level("laplace")
logistic = _module_level("logistic")
multinomial = _module_level("multinomial")
lognormal = _module_level("lognormal")
pareto = _module_level("pareto")
poisson = _module_level("poisson")
rayleigh = _module_level("rayleigh")
standard_cauchy = _module_level("standard_cauchy")
standard_exponential = _module_level("standard_exponential")
weibull = _module_level("weibull")
