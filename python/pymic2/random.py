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

from . import _core, _math, _reduction
from ._array import ndarray

__all__ = [
    "Generator", "RandomState", "default_rng", "get_random_state", "normal", "permutation",
    "rand", "randint", "randn", "random", "random_sample", "seed", "shuffle",
    "standard_normal", "uniform",
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
