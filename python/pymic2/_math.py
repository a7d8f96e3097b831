"""Element-wise math on device arrays: NumPy's ufuncs (Table 1's, the trigonometric,
hyperbolic, exponential, rounding, floating-point and integer ones), round, divmod and the
array operators.

Every function takes NumPy's name and arguments (`out=`, `dtype=`, `casting=`, `where=`), so
NumPy calls can be dispatched here unchanged. Type promotion is NumPy 2's (NEP 50: Python scalars
are weak): numpy's own `ufunc.resolve_dtypes` decides the loop once per (ufunc, operand
dtypes) and the decision is cached, so a call costs a dict look-up plus the C launch.
"""

import numbers
import operator

import numpy

from . import _core, _creation, _dtypes, _operands, _reduction

__all__ = [
    "abs", "absolute", "acos", "acosh", "add", "angle", "arccos", "arccosh", "arcsin",
    "arcsinh", "arctan", "arctan2", "arctanh", "around", "asin", "asinh", "atan", "atan2",
    "atanh", "bitwise_and", "bitwise_count", "bitwise_invert", "bitwise_left_shift",
    "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor", "cbrt", "ceil", "clip",
    "conj", "conjugate", "copysign", "cos", "cosh", "deg2rad", "degrees", "divide", "divmod",
    "equal", "exp", "exp2", "expm1", "fabs", "fix", "float_power", "floor", "floor_divide",
    "fmax", "fmin", "fmod", "gcd", "greater", "greater_equal", "heaviside", "hypot", "imag",
    "invert", "isclose", "iscomplex", "isfinite", "isinf", "isnan", "isneginf", "isposinf",
    "isreal", "lcm", "ldexp", "left_shift", "less", "less_equal", "log", "log10", "log1p", "log2",
    "logaddexp", "logaddexp2", "logical_and", "logical_not", "logical_or", "logical_xor",
    "maximum", "minimum", "mod", "multiply", "negative", "nextafter", "not_equal", "positive",
    "pow", "power", "rad2deg", "radians", "real", "real_if_close", "reciprocal", "remainder",
    "right_shift", "rint", "round", "sign", "signbit", "sin", "sinh", "spacing", "sqrt",
    "square", "subtract", "tan", "tanh", "true_divide", "trunc", "ufunc",
]

_elementwise = _core.elementwise
_CoreArray = _core.ndarray
_DTYPE_OF_CODE = {code: dtype for dtype, code in _dtypes.CODES.items()}
_PYTHON_SCALARS = (bool, int, float, complex)
_BOOL = _dtypes.CODES[numpy.dtype(bool)]


def _key(value):
    """What promotion needs to know about an operand: its dtype code (device arrays), its
    type (weak Python scalars) or its dtype (NumPy scalars, which are strong)."""
    if isinstance(value, _CoreArray):
        return value._dtype_code
    if type(value) in _PYTHON_SCALARS:
        return type(value)
    return value.dtype


def _numpy_type(key):
    """The dtype or weak Python type NumPy's resolve_dtypes takes for a key (a Python bool
    is simply a bool: NEP 50 makes only int, float and complex weak)."""
    if isinstance(key, int):
        return _DTYPE_OF_CODE[key]
    return _DTYPE_OF_CODE[_BOOL] if key is bool else key


def _operand(value, like):
    """A device array, a Python scalar or a NumPy scalar for one operand (host arrays are
    uploaded for ops on like); None if the value cannot take part."""
    if isinstance(value, _CoreArray) or type(value) in _PYTHON_SCALARS:
        return value
    if isinstance(value, numpy.generic):
        return value if value.dtype.kind in "biufc" else None
    if isinstance(value, numbers.Number):
        return complex(value) if isinstance(value, numbers.Complex) and \
            not isinstance(value, numbers.Real) else float(value)
    if isinstance(value, (numpy.ndarray, list, tuple)):
        return _operands.upload(value, like)
    return None


def _cast(value, code):
    """An array operand converted to the dtype code by COPY; a scalar as a Python number
    (which C converts to the computation dtype)."""
    if isinstance(value, _CoreArray):
        return value if value._dtype_code == code else _elementwise(_core.OP_COPY, value,
                                                                   dtype=code)
    return value.item() if isinstance(value, numpy.generic) else value


def _requested(dtype, operands):
    """A dtype= argument as a supported numpy.dtype (None stays None); TypeError naming the
    device of the first device array among operands otherwise."""
    if dtype is None:
        return None
    device = next((x._device for x in operands if isinstance(x, _CoreArray)), None)
    return _dtypes.normalize(dtype, device)


class ufunc:
    """One element-wise function of NumPy's name (pymic2.add, pymic2.exp, ...).

    __call__(*inputs, out=None, dtype=None, casting='same_kind', where=True) broadcasts the
    inputs (device arrays, host arrays, scalars), promotes them like NumPy 2 and runs the op
    on the device of the first device array. The result is a device array (0-d for 0-d
    inputs). where= (a bool mask broadcasting with the inputs) writes only where it is True,
    on the device: an out= keeps its other elements, as NumPy's; without out= they are 0
    (NumPy leaves them uninitialised).
    """

    def __init__(self, name, op, reference, logical=False):
        self.__name__ = name
        self.op = op
        self.reference = reference  # the numpy ufunc whose type resolution we follow
        self.nin = reference.nin
        self.nout = 1
        self.logical = logical  # the op reads every dtype as truth values
        self._plans = {}
        # operand keys whose arrays and scalars C takes as they are -> the result's dtype code
        self._direct = {}

    def __repr__(self):
        return f"<pymic2 ufunc '{self.__name__}'>"

    def _plan(self, keys, dtype, casting):
        """(computation dtype code, result dtype code) for operands with these keys."""
        cache_key = (keys, dtype, casting)
        plan = self._plans.get(cache_key)
        if plan is not None:
            return plan
        if self.logical:
            codes = {k for k in keys if isinstance(k, int)}
            compute = codes.pop() if len(codes) == 1 else _BOOL
            plan = (compute, _BOOL)
        else:
            types = tuple(_numpy_type(k) for k in keys)
            options = {"casting": casting}
            if dtype is not None:  # NumPy's dtype= fixes the output's dtype
                options["signature"] = (None,) * self.nin + (dtype,)
            resolved = self.reference.resolve_dtypes(types + (None,), **options)
            plan = (_dtypes.CODES[_dtypes.device_dtype(resolved[0])],
                    _dtypes.CODES[_dtypes.device_dtype(resolved[-1])])
        self._plans[cache_key] = plan
        if dtype is None and casting == "same_kind" and not self.logical and all(
                (isinstance(k, int) and k == plan[0]) or k in _PYTHON_SCALARS for k in keys):
            self._direct[keys] = plan[1]  # every array has the computation dtype already
        return plan

    def __call__(self, *inputs, out=None, dtype=None, casting="same_kind", where=True):
        if where is not True:
            return self._masked_call(inputs, _operands.single_out(out), dtype, casting, where)
        if dtype is None and casting == "same_kind" and (out is None or
                                                         isinstance(out, _CoreArray)):
            if len(inputs) == 1 and self.nin == 1 and isinstance(inputs[0], _CoreArray):
                code = self._direct.get((inputs[0]._dtype_code,))
                if code is not None and out is None:
                    return _elementwise(self.op, inputs[0])
                if code is not None and out._dtype_code == code:
                    return _elementwise(self.op, inputs[0], out=out)
            if len(inputs) == 2 and self.nin == 2:
                result = _binary(self, *inputs, out)
                if result is not NotImplemented:
                    return result
        if len(inputs) != self.nin:
            raise TypeError(f"{self.__name__}() takes {self.nin} positional argument"
                            f"{'s' if self.nin > 1 else ''} but {len(inputs)} were given")
        result = self._apply(inputs, _operands.single_out(out), _requested(dtype, (*inputs, out)),
                             casting)
        if result is NotImplemented:
            kinds = ", ".join(type(x).__name__ for x in inputs)
            raise TypeError(f"{self.__name__}: unsupported operand types ({kinds})")
        return result

    def _apply(self, inputs, out, dtype=None, casting="same_kind"):
        like = out
        for value in inputs:
            if isinstance(value, _CoreArray):
                like = value
                break
        if like is None:
            raise TypeError(f"{self.__name__} runs on a device: give it a pymic2 array "
                            f"(input or out)")
        operands = [_operand(x, like) for x in inputs]
        if any(x is None for x in operands):
            return NotImplemented
        if self.logical:  # truth values: a scalar's is all that matters
            operands = [x if isinstance(x, _CoreArray) else bool(x) for x in operands]
        compute, result = self._plan(tuple(_key(x) for x in operands), dtype, casting)
        args = [_cast(x, compute) for x in operands]
        if not any(isinstance(x, _CoreArray) for x in args):
            args[0] = _operands.zero_dim(args[0], compute, like)
        try:
            if out is None or out._dtype_code == result:
                return _elementwise(self.op, *args, out=out)
            return _operands.write_out(self.__name__, _elementwise(self.op, *args), out, casting)
        except OverflowError:
            if self.__name__ not in _COMPARISON_TRUTH:
                raise
            return _compare_out_of_range(self.__name__, args, out)

    def _masked_call(self, inputs, out, dtype, casting, where):
        """__call__ with a where= mask: the full result, then out = where(mask, result, out)
        by the device's WHERE op (out may alias an input: the result is a temporary)."""
        if len(inputs) != self.nin:
            raise TypeError(f"{self.__name__}() takes {self.nin} positional argument"
                            f"{'s' if self.nin > 1 else ''} but {len(inputs)} were given")
        like = next((x for x in (*inputs, out, where) if isinstance(x, _CoreArray)), None)
        if like is None:
            raise TypeError(f"{self.__name__} runs on a device: give it a pymic2 array "
                            f"(input or out)")
        mask = _operands.where_mask(where, like)
        result = self._apply(inputs, None, _requested(dtype, (*inputs, out)), casting)
        if result is NotImplemented:
            kinds = ", ".join(type(x).__name__ for x in inputs)
            raise TypeError(f"{self.__name__}: unsupported operand types ({kinds})")
        if out is None:
            shape = numpy.broadcast_shapes(result.shape, mask.shape)
            out = _CoreArray.__new__(type(like), shape, result._dtype_code, "C", like._op_stream)
            _elementwise(_core.OP_COPY, 0, out=out)
        elif out.dtype != result.dtype:
            if not numpy.can_cast(result.dtype, out.dtype, casting=casting):
                raise TypeError(f"Cannot cast ufunc '{self.__name__}' output from "
                                f"{result.dtype!r} to {out.dtype!r} with casting rule "
                                f"'{casting}'")
            result = _elementwise(_core.OP_COPY, result, dtype=out._dtype_code)
        return _elementwise(_core.OP_WHERE, mask, result, out, out=out)

    def reduce(self, array, axis=0, dtype=None, out=None, keepdims=False,
               initial=numpy._NoValue, where=True):
        """NumPy's ufunc.reduce for the ufuncs that have a reduction (add, multiply, maximum,
        minimum, logical_and, logical_or), with initial= and where= as NumPy's."""
        function = _reduction.BY_CODE.get(_core.UFUNC_REDUCE.get(self.op))
        if function is None:
            raise TypeError(f"{self.__name__}.reduce is not supported on the device")
        if dtype is not None and function not in (_reduction.sum, _reduction.prod):
            array = _reduction.device_array(array).astype(dtype, copy=False)
            dtype = None
        return _reduction.masked_reduce(function, array, axis, dtype, out, keepdims, initial,
                                        where)

    def accumulate(self, array, axis=0, dtype=None, out=None):
        function = _reduction.BY_CODE.get(_core.UFUNC_ACCUMULATE.get(self.op))
        if function is None:
            raise TypeError(f"{self.__name__}.accumulate is not supported on the device")
        return function(array, axis=axis, dtype=dtype, out=out)

    def outer(self, a, b, /, **kwargs):
        """NumPy's ufunc.outer: the op of every element of a with every element of b, shape
        a.shape + b.shape (a seen with b.ndim trailing axes of length 1, a view)."""
        if self.nin != 2:
            raise ValueError("outer product only supported for binary functions")
        shape = numpy.shape(a) + (1,) * numpy.ndim(b)
        a = a.reshape(shape) if isinstance(a, _CoreArray) else numpy.reshape(a, shape)
        return self(a, b, **kwargs)

    def reduceat(self, array, indices, axis=0, dtype=None, out=None):
        """NumPy's ufunc.reduceat: the reduction of array[indices[i]:indices[i+1]] along axis
        for each i (array[indices[i]] where indices[i+1] <= indices[i]; up to the end for the
        last), in a few device calls whatever the number of segments."""
        if _core.UFUNC_REDUCE.get(self.op) is None:
            raise TypeError(f"{self.__name__}.reduceat is not supported on the device")
        array = _reduction.device_array(array)
        axis = _reduction.normalize_axes(axis, array.ndim)[0]
        starts = numpy.asarray(indices.get() if isinstance(indices, _CoreArray) else indices)
        if starts.ndim != 1:
            raise ValueError(f"{self.__name__}.reduceat: indices must be one-dimensional")
        starts = starts.astype(numpy.intp)  # NumPy truncates float indices too
        length = array.shape[axis]
        outside = starts[(starts < 0) | (starts >= length)]
        if outside.size:
            raise IndexError(f"index {outside[0]} out-of-bounds in {self.__name__}.reduceat "
                             f"[0, {length})")
        ends = numpy.append(starts[1:], length)
        counts = numpy.where(ends > starts, ends - starts, 1)
        return self._reduce_segments(array, starts, counts, axis, dtype, out)

    def _reduce_segments(self, array, starts, counts, axis, dtype, out):
        """Reduces array[starts[i]:starts[i]+counts[i]] along axis for each i (counts >= 1).
        The segments are gathered into one (segments, width) block, padded by repeating a
        segment's first element (masked out for reductions with an identity), and reduced
        along the width. Segments much longer than the mean are first cut into pieces of
        the mean's length, reduced the same way, and their partial results reduced next, so
        the block stays within a few times the array's size."""
        mean = max(1, -(-array.shape[axis] // max(1, starts.size)))
        longest = int(counts.max()) if counts.size else 1
        pieces = -(-counts // mean)
        width = min(longest, mean) if longest > 4 * mean else longest
        if longest > 4 * mean:  # pieces of `mean` elements, each a segment of its own
            first = numpy.repeat(numpy.cumsum(pieces) - pieces, pieces)
            offset = (numpy.arange(first.size) - first) * mean
            piece_starts = numpy.repeat(starts, pieces) + offset
            piece_counts = numpy.minimum(numpy.repeat(counts, pieces) - offset, mean)
            partial = self._reduce_segments(array, piece_starts, piece_counts, axis, dtype,
                                            None)
            return self._reduce_segments(partial, numpy.cumsum(pieces) - pieces, pieces,
                                         axis, None, out)
        columns = numpy.arange(width)
        inside = columns < counts[:, None]
        positions = numpy.where(inside, starts[:, None] + columns, starts[:, None])
        stream = array._op_stream
        gathered = array.take(_creation.asarray(positions, stream=stream), axis=axis)
        options = {}
        if _reduction.BY_CODE[_core.UFUNC_REDUCE[self.op]].identity is not None:
            inside = inside.reshape(inside.shape + (1,) * (array.ndim - axis - 1))
            options["where"] = _creation.asarray(inside, stream=stream)
        return self.reduce(gathered, axis=axis + 1, dtype=dtype, out=out, **options)


# Whether `first OP second` holds when first > second for sure (an integer array against a
# Python int beyond its dtype's range), and when first < second.
_COMPARISON_TRUTH = {"equal": (False, False), "not_equal": (True, True),
                     "greater": (True, False), "greater_equal": (True, False),
                     "less": (False, True), "less_equal": (False, True)}


def _compare_out_of_range(name, args, out):
    """NumPy 2 compares integer arrays with Python ints of any size (uint8_array < -1 is all
    False); the device reads scalars in the array's dtype, so such a result is a constant."""
    index = 0 if isinstance(args[1], _CoreArray) else 1
    value, array = args[index], args[1 - index]
    below = value < 0  # out of range and negative: below every element
    first_greater = below if index == 1 else not below
    truth = _COMPARISON_TRUTH[name][0 if first_greater else 1]
    if out is None:
        out = _CoreArray.__new__(type(array), array.shape, _BOOL, "C", array._op_stream)
    return _elementwise(_core.OP_COPY, truth, out=out)


def _make(name, op_name=None, logical=False):
    return ufunc(name, getattr(_core, "OP_" + (op_name or name).upper()),
                 getattr(numpy, name), logical)


# Group 1: comparisons and logic
equal = _make("equal")
not_equal = _make("not_equal")
greater = _make("greater")
greater_equal = _make("greater_equal")
less = _make("less")
less_equal = _make("less_equal")
logical_and = _make("logical_and", logical=True)
logical_or = _make("logical_or", logical=True)
logical_xor = _make("logical_xor", logical=True)
logical_not = _make("logical_not", logical=True)
bitwise_and = _make("bitwise_and")
bitwise_or = _make("bitwise_or")
bitwise_xor = _make("bitwise_xor")
invert = _make("invert")
bitwise_not = bitwise_invert = invert  # NumPy's and the array API's names
isnan = _make("isnan")
isinf = _make("isinf")
isfinite = _make("isfinite")

# Group 2: arithmetic and the exp/log family
add = _make("add")
subtract = _make("subtract")
multiply = _make("multiply")
divide = _make("divide")
true_divide = divide
floor_divide = _make("floor_divide")
remainder = _make("remainder")
mod = remainder
negative = _make("negative")
positive = ufunc("positive", _core.OP_COPY, numpy.positive)
power = _make("power")
pow = power  # noqa: A001 - the array API's name
absolute = _make("absolute")
abs = absolute  # noqa: A001 - NumPy's name
sign = _make("sign")
maximum = _make("maximum")
minimum = _make("minimum")
exp = _make("exp")
expm1 = _make("expm1")
log = _make("log")
log1p = _make("log1p")
sqrt = _make("sqrt")
square = _make("square")
tanh = _make("tanh")
copysign = _make("copysign")
ldexp = _make("ldexp")

# Group 3: NumPy's other math ufuncs (float-only ones take integers through NumPy's loop
# choice: sin(int32) computes in float64). The array API's names are NumPy 2's aliases.
sin = _make("sin")
cos = _make("cos")
tan = _make("tan")
arcsin = asin = _make("arcsin")
arccos = acos = _make("arccos")
arctan = atan = _make("arctan")
arctan2 = atan2 = _make("arctan2")
hypot = _make("hypot")
sinh = _make("sinh")
cosh = _make("cosh")
arcsinh = asinh = _make("arcsinh")
arccosh = acosh = _make("arccosh")
arctanh = atanh = _make("arctanh")
deg2rad = _make("deg2rad")
radians = _make("radians", "deg2rad")  # NumPy's radians is its own ufunc, same values
rad2deg = _make("rad2deg")
degrees = _make("degrees", "rad2deg")
exp2 = _make("exp2")
log2 = _make("log2")
log10 = _make("log10")
logaddexp = _make("logaddexp")
logaddexp2 = _make("logaddexp2")
cbrt = _make("cbrt")
reciprocal = _make("reciprocal")
floor = _make("floor")
ceil = _make("ceil")
trunc = _make("trunc")
rint = _make("rint")
conjugate = conj = _make("conjugate")
fabs = _make("fabs")
signbit = _make("signbit")
nextafter = _make("nextafter")
spacing = _make("spacing")
fmod = _make("fmod")
fmax = _make("fmax")
fmin = _make("fmin")
heaviside = _make("heaviside")
# float_power is power in float64 or complex128: NumPy's loops for it say which
float_power = ufunc("float_power", _core.OP_POWER, numpy.float_power)
left_shift = bitwise_left_shift = _make("left_shift")
right_shift = bitwise_right_shift = _make("right_shift")
gcd = _make("gcd")
lcm = _make("lcm")
bitwise_count = _make("bitwise_count")
# isposinf and isneginf are functions in NumPy, not ufuncs; isinf's loops pick their dtypes
_isposinf = ufunc("isposinf", _core.OP_ISPOSINF, numpy.isinf)
_isneginf = ufunc("isneginf", _core.OP_ISNEGINF, numpy.isinf)


def _refuse_complex_infinity(x):
    """NumPy's TypeError for isposinf/isneginf of complex numbers."""
    dtype = x.dtype if isinstance(x, (_CoreArray, numpy.ndarray, numpy.generic)) else \
        numpy.result_type(x)
    if dtype.kind == "c":
        raise TypeError(f"This operation is not supported for {dtype} values because it "
                        f"would be ambiguous.")


def isposinf(x, out=None):
    """NumPy's isposinf: True where x is +inf (bool; integers are never infinite)."""
    _refuse_complex_infinity(x)
    return _isposinf(x, out=out)


def isneginf(x, out=None):
    """NumPy's isneginf: True where x is -inf."""
    _refuse_complex_infinity(x)
    return _isneginf(x, out=out)


def fix(x, out=None):
    """NumPy's fix, rounding towards zero: trunc (integers and bool stay as they are)."""
    return trunc(x, out=out)


def _power_of_ten(n):
    """10.0 ** n as NumPy's round computes it (exact to 1e22, then repeated products)."""
    if n < 9:
        return 10.0 ** n
    value = 1e9
    for _ in range(n - 9):
        value *= 10.0
    return value


def round(a, decimals=0, out=None):  # noqa: A001 - NumPy's name
    """NumPy's round (around): half to even at `decimals` digits (negative: left of the
    point), by NumPy's algorithm: a * 10**decimals, rint, / 10**decimals (for negative
    decimals / then *), in a's float dtype; integers with decimals >= 0 are copied, with
    negative ones go through float64 and back. Complex numbers round each part on its own
    (as NumPy's: a complex product with the scale would turn an infinite part's 0 * inf
    into NaN)."""
    if not isinstance(a, _CoreArray):
        raise TypeError("round runs on a device: give it a pymic2 array")
    decimals = operator.index(decimals)
    out = _operands.single_out(out)
    if out is not None and out.size != a.size:
        raise ValueError("invalid output shape")
    if a.dtype.kind == "c" and decimals != 0:
        result = _cast_copy(a) if out is None else positive(a, out=out)
        for part in (result.real, result.imag):
            round(part, decimals, out=part)
        return result
    integer = a.dtype.kind in "iu"
    if decimals >= 0 and integer:
        return positive(a, out=out) if out is not None else _cast_copy(a)
    if decimals == 0:
        return rint(a, out=out)
    scale = _power_of_ten(decimals if decimals >= 0 else -decimals)
    first, then = (multiply, divide) if decimals >= 0 else (divide, multiply)
    if a.dtype == numpy.bool_ and out is None:  # NumPy's output has a's dtype: bool
        raise TypeError(f"Cannot cast ufunc '{first.__name__}' output from dtype('float64') "
                        f"to dtype('bool') with casting rule 'same_kind'")
    result = first(a, scale, out=out, dtype=numpy.float64 if integer and out is None else None)
    rint(result, out=result)
    then(result, scale, out=result)
    if integer and out is None:
        return _elementwise(_core.OP_COPY, result, dtype=a._dtype_code)
    return result


around = round


def divmod(x1, x2, *outs, out=None, where=True, casting="same_kind", dtype=None):  # noqa: A001
    """NumPy's divmod: (floor_divide(x1, x2), remainder(x1, x2)), with the two outputs given
    positionally or as out=(out1, out2) (either may be None). Both are computed before any
    output is written, so an output may be an input."""
    outs = _operands.output_pair("divmod", outs, out)
    options = {"casting": casting, "dtype": dtype}
    if all(target is None for target in outs):
        return (floor_divide(x1, x2, where=where, **options),
                remainder(x1, x2, where=where, **options))
    results = floor_divide(x1, x2, **options), remainder(x1, x2, **options)
    return tuple(result if target is None else
                 positive(result, out=target, where=where, casting=casting)
                 for result, target in zip(results, outs))


def clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None, **kwargs):  # noqa: A002
    """NumPy's clip: minimum(maximum(a, a_min), a_max); NaN propagates."""
    if kwargs:
        raise TypeError(f"clip: unsupported arguments {sorted(kwargs)}")
    a_min = min if a_min is None else a_min
    a_max = max if a_max is None else a_max
    if isinstance(a, _CoreArray) and a.dtype.kind in "iu":
        # NumPy 2 drops a Python int bound beyond the integer dtype's range on its open side
        # (it bounds nothing); one beyond the other side still overflows when cast
        limits = numpy.iinfo(a.dtype)
        if type(a_min) is int and a_min < limits.min:
            a_min = None
        if type(a_max) is int and a_max > limits.max:
            a_max = None
    out = _operands.single_out(out)
    if a_min is None and a_max is None:
        return positive(a, out=out) if out is not None else _cast_copy(a)
    if a_min is None:
        return minimum(a, a_max, out=out)
    if a_max is None:
        return maximum(a, a_min, out=out)
    like = a if isinstance(a, _CoreArray) else None
    if like is None:
        raise TypeError("clip runs on a device: give it a pymic2 array")
    operands = [_operand(x, like) for x in (a, a_min, a_max)]
    if any(x is None for x in operands):
        raise TypeError("clip: unsupported bound types "
                        f"({type(a_min).__name__}, {type(a_max).__name__})")
    code = _dtypes.CODES[_dtypes.result_type(*operands)]
    args = [_cast(x, code) for x in operands]
    if out is None or out._dtype_code == code:
        return _elementwise(_core.OP_CLIP, *args, out=out)
    return _operands.write_out("clip", _elementwise(_core.OP_CLIP, *args), out, "same_kind")


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """NumPy's isclose on the device: |a - b| <= atol + rtol * |b| where b is finite, or
    a == b (equal infinities); equal_nan=True also matches NaN with NaN. Integers compare
    as floats, as in NumPy."""
    like = a if isinstance(a, _CoreArray) else b
    if not isinstance(like, _CoreArray):
        raise TypeError("isclose runs on a device: give it a pymic2 array")
    x, y = (_operand(v, like) for v in (a, b))
    if x is None or y is None:
        raise TypeError(f"isclose: unsupported operand types ({type(a).__name__}, "
                        f"{type(b).__name__})")
    dt = _dtypes.result_type(y, 1.0)
    if isinstance(y, _CoreArray):
        y = y.astype(dt, copy=False)
    else:
        y = _operands.zero_dim(dt.type(y).item(), _dtypes.CODES[_dtypes.device_dtype(dt)], like)
    if not isinstance(x, _CoreArray):
        x = _operands.zero_dim(x, _dtypes.CODES[_dtypes.result_type(x)], like)
    if x.dtype == numpy.bool_:
        x = x.astype(dt)
    bound = add(multiply(absolute(y), rtol), atol)
    result = logical_or(logical_and(less_equal(absolute(subtract(x, y)), bound), isfinite(y)),
                        equal(x, y))
    if equal_nan:
        result = logical_or(result, logical_and(isnan(x), isnan(y)))
    return result


def _cast_copy(a):
    return _elementwise(_core.OP_COPY, a)


# ---------------------------------------------------------------- operators

def _binary(function, x, y, out=None):
    """An operator (out: a device array or None): NotImplemented (so Python tries the
    reflected form) for operand types that cannot take part. Operand dtypes whose plan needs
    no cast (function._direct) go straight to C, with an out= of the result's dtype too."""
    key = (x._dtype_code if isinstance(x, _CoreArray) else type(x),
           y._dtype_code if isinstance(y, _CoreArray) else type(y))
    code = function._direct.get(key)
    if code is not None and (out is None or out._dtype_code == code):
        try:
            if out is None:
                return _elementwise(function.op, x, y)
            return _elementwise(function.op, x, y, out=out)
        except OverflowError:
            if function.__name__ not in _COMPARISON_TRUTH:
                raise
            return _compare_out_of_range(function.__name__, (x, y), out)
    return function._apply((x, y), out)


def _in_place(function, x, y):
    result = _binary(function, x, y, x)
    return result if result is NotImplemented else x


def _part(a, imaginary):
    """A complex array's real or imaginary part as a writable view (read-only if a is): the
    float dtype of half the element, at its first or second half, with a's strides."""
    part = numpy.dtype(a.dtype.char.lower())  # F -> f, D -> d
    offset = a.offset + (part.itemsize if imaginary else 0)
    return a._view(offset, a.shape, a.strides, _dtypes.CODES[part])


def real(val):
    """NumPy's real: the real part (a view of a complex array, the array itself otherwise)."""
    return _reduction.device_array(val).real


def imag(val):
    """NumPy's imag: the imaginary part (a view of a complex array, read-only zeros
    otherwise)."""
    return _reduction.device_array(val).imag


def angle(z, deg=False):
    """NumPy's angle: arctan2(imag, real) (0 or pi for real input), in degrees on request."""
    z = _reduction.device_array(z)
    result = arctan2(z.imag, z.real) if z.dtype.kind == "c" else arctan2(0, z)
    if deg:
        multiply(result, 180 / numpy.pi, out=result)
    return result


def isreal(x):
    """NumPy's isreal: imag(x) == 0, element by element (True for real dtypes)."""
    return equal(imag(x), 0)


def iscomplex(x):
    """NumPy's iscomplex: imag(x) != 0 (False for real dtypes)."""
    x = _reduction.device_array(x)
    return not_equal(x.imag, 0) if x.dtype.kind == "c" else _operands.filled_bool(x, False)


def real_if_close(a, tol=100):
    """NumPy's real_if_close: a's real part (a view) when every imaginary part is below tol
    (tol > 1 counts machine epsilons of a's dtype), else a. Reads one flag from the
    device."""
    a = _reduction.device_array(a)
    if a.dtype.kind != "c":
        return a
    if tol > 1:
        tol = numpy.finfo(a.dtype).eps * tol
    small = less(absolute(a.imag), tol)
    return a.real if bool(_reduction.all(small)) else a


class _MathMethods:
    """The operators and math methods of pymic2.ndarray (mixed into it)."""

    __slots__ = ()

    # arithmetic
    def __add__(self, other):
        return _binary(add, self, other)

    def __radd__(self, other):
        return _binary(add, other, self)

    def __iadd__(self, other):
        return _in_place(add, self, other)

    def __sub__(self, other):
        return _binary(subtract, self, other)

    def __rsub__(self, other):
        return _binary(subtract, other, self)

    def __isub__(self, other):
        return _in_place(subtract, self, other)

    def __mul__(self, other):
        return _binary(multiply, self, other)

    def __rmul__(self, other):
        return _binary(multiply, other, self)

    def __imul__(self, other):
        return _in_place(multiply, self, other)

    def __truediv__(self, other):
        return _binary(divide, self, other)

    def __rtruediv__(self, other):
        return _binary(divide, other, self)

    def __itruediv__(self, other):
        return _in_place(divide, self, other)

    def __floordiv__(self, other):
        return _binary(floor_divide, self, other)

    def __rfloordiv__(self, other):
        return _binary(floor_divide, other, self)

    def __ifloordiv__(self, other):
        return _in_place(floor_divide, self, other)

    def __mod__(self, other):
        return _binary(remainder, self, other)

    def __rmod__(self, other):
        return _binary(remainder, other, self)

    def __imod__(self, other):
        return _in_place(remainder, self, other)

    def __divmod__(self, other):
        return _binary(floor_divide, self, other), _binary(remainder, self, other)

    def __rdivmod__(self, other):
        return _binary(floor_divide, other, self), _binary(remainder, other, self)

    def __pow__(self, other, modulo=None):
        if modulo is not None:
            return NotImplemented
        return _binary(power, self, other)

    def __rpow__(self, other):
        return _binary(power, other, self)

    def __ipow__(self, other):
        return _in_place(power, self, other)

    # bitwise (logical for bool, as NumPy)
    def __and__(self, other):
        return _binary(bitwise_and, self, other)

    def __rand__(self, other):
        return _binary(bitwise_and, other, self)

    def __iand__(self, other):
        return _in_place(bitwise_and, self, other)

    def __or__(self, other):
        return _binary(bitwise_or, self, other)

    def __ror__(self, other):
        return _binary(bitwise_or, other, self)

    def __ior__(self, other):
        return _in_place(bitwise_or, self, other)

    def __xor__(self, other):
        return _binary(bitwise_xor, self, other)

    def __rxor__(self, other):
        return _binary(bitwise_xor, other, self)

    def __ixor__(self, other):
        return _in_place(bitwise_xor, self, other)

    def __invert__(self):
        return invert(self)

    def __lshift__(self, other):
        return _binary(left_shift, self, other)

    def __rlshift__(self, other):
        return _binary(left_shift, other, self)

    def __ilshift__(self, other):
        return _in_place(left_shift, self, other)

    def __rshift__(self, other):
        return _binary(right_shift, self, other)

    def __rrshift__(self, other):
        return _binary(right_shift, other, self)

    def __irshift__(self, other):
        return _in_place(right_shift, self, other)

    # comparisons (Python swaps the reflected ones itself)
    def __eq__(self, other):
        if other is None:  # NumPy compares with None element by element
            return _operands.filled_bool(self, False)
        return _binary(equal, self, other)

    def __ne__(self, other):
        if other is None:
            return _operands.filled_bool(self, True)
        return _binary(not_equal, self, other)

    def __lt__(self, other):
        return _binary(less, self, other)

    def __le__(self, other):
        return _binary(less_equal, self, other)

    def __gt__(self, other):
        return _binary(greater, self, other)

    def __ge__(self, other):
        return _binary(greater_equal, self, other)

    # unary
    def __neg__(self):
        return negative(self)

    def __pos__(self):
        return positive(self)

    def __abs__(self):
        return absolute(self)

    # methods
    def abs(self):
        """absolute(self) (a pyMIC array method)."""
        return absolute(self)

    def clip(self, min=None, max=None, out=None, **kwargs):  # noqa: A002
        return clip(self, min, max, out=out, **kwargs)

    def round(self, decimals=0, out=None):
        """round(self, decimals, out) (NumPy's ndarray.round)."""
        return round(self, decimals, out)

    def conj(self):
        """conjugate(self) (NumPy's ndarray.conj)."""
        return conjugate(self)

    def conjugate(self):
        """conjugate(self) (NumPy's ndarray.conjugate)."""
        return conjugate(self)

    # complex parts
    @property
    def real(self):
        """The real part: a writable view of a complex array (float, with the complex
        element's strides), a view of the array itself otherwise."""
        if self.dtype.kind == "c":
            return _part(self, False)
        return self._view(self.offset, self.shape, self.strides)

    @real.setter
    def real(self, value):
        self.real[...] = value

    @property
    def imag(self):
        """The imaginary part: a writable view of a complex array, read-only zeros of the
        array's dtype otherwise (as NumPy's)."""
        if self.dtype.kind == "c":
            return _part(self, True)
        zeros = _CoreArray.__new__(type(self), self.shape, self._dtype_code, "C", self._stream)
        _elementwise(_core.OP_COPY, 0, out=zeros)
        zeros._readonly = True
        return zeros

    @imag.setter
    def imag(self, value):
        if self.dtype.kind != "c":
            raise TypeError("array does not have imaginary part to set")
        self.imag[...] = value
