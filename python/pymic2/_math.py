"""Element-wise math on device arrays: NumPy's ufuncs of Table 1 and the array operators.

Every function takes NumPy's name and arguments (`out=`, `dtype=`, `casting=`, `where=`), so
NumPy calls can be dispatched here unchanged. Type promotion is NumPy 2's (NEP 50: Python scalars
are weak): numpy's own `ufunc.resolve_dtypes` decides the loop once per (ufunc, operand
dtypes) and the decision is cached, so a call costs a dict look-up plus the C launch.
The device has no float16, int16, uint16, uint32 or complex64: a result NumPy would give in
one of those is computed in the next wider device dtype (_dtypes.device_dtype); operands and
dtype= arguments of those dtypes are refused (TypeError).
"""

import numbers

import numpy

from . import _array, _core, _dtypes

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
        return _array._upload(value, like)
    return None


def _cast(value, code):
    """An array operand converted to the dtype code by COPY; a scalar as a Python number
    (which C converts to the computation dtype)."""
    if isinstance(value, _CoreArray):
        return value if value._dtype_code == code else _elementwise(_core.OP_COPY, value,
                                                                   dtype=code)
    return value.item() if isinstance(value, numpy.generic) else value


def _zero_dim(value, code, like):
    """A 0-d device array holding a scalar, on the stream of ops on like."""
    array = _CoreArray.__new__(type(like), (), code, "C", like._op_stream)
    return _elementwise(_core.OP_COPY, value, out=array)


def _write_out(op_name, result, out, casting):
    """Copies a result into out with NumPy's output casting check; returns out."""
    if not numpy.can_cast(result.dtype, out.dtype, casting=casting):
        raise TypeError(f"Cannot cast ufunc '{op_name}' output from {result.dtype!r} to "
                        f"{out.dtype!r} with casting rule '{casting}'")
    return _elementwise(_core.OP_COPY, result, out=out)


def _into_out(op_name, result, out, casting):
    """result when out is None, else result written into out (one array, or a 1-tuple) of
    the same shape under NumPy's casting rule; returns out."""
    out = _single_out(out)
    if out is None:
        return result
    if out.shape != result.shape:
        raise ValueError(f"{op_name}: out has shape {out.shape}, the result has shape "
                         f"{result.shape}")
    return _write_out(op_name, result, out, casting)


def _single_out(out):
    if isinstance(out, tuple):
        if len(out) != 1:
            raise ValueError(f"out must be a single array, not a tuple of {len(out)}")
        out = out[0]
    if out is not None and not isinstance(out, _CoreArray):
        raise TypeError(f"out must be a pymic2 array, not {type(out).__name__}")
    return out


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
        self._direct = set()  # operand keys whose arrays and scalars C takes as they are

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
            self._direct.add(keys)  # every array has the computation dtype already
        return plan

    def __call__(self, *inputs, out=None, dtype=None, casting="same_kind", where=True):
        if where is not True:
            return self._masked_call(inputs, _single_out(out), dtype, casting, where)
        if out is None and dtype is None and casting == "same_kind":
            if len(inputs) == 1 and self.nin == 1 and isinstance(inputs[0], _CoreArray) and \
                    (inputs[0]._dtype_code,) in self._direct:
                return _elementwise(self.op, inputs[0])
            if len(inputs) == 2 and self.nin == 2:
                result = _binary(self, *inputs)
                if result is not NotImplemented:
                    return result
        if len(inputs) != self.nin:
            raise TypeError(f"{self.__name__}() takes {self.nin} positional argument"
                            f"{'s' if self.nin > 1 else ''} but {len(inputs)} were given")
        result = self._apply(inputs, _single_out(out), _requested(dtype, (*inputs, out)),
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
            args[0] = _zero_dim(args[0], compute, like)
        try:
            if out is None or out._dtype_code == result:
                return _elementwise(self.op, *args, out=out)
            return _write_out(self.__name__, _elementwise(self.op, *args), out, casting)
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
        mask = where_mask(where, like)
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
        function = _statistics.UFUNC_REDUCTIONS.get(self.__name__)
        if function is None:
            raise TypeError(f"{self.__name__}.reduce is not supported on the device")
        if dtype is not None and function not in (_statistics.sum, _statistics.prod):
            array = _statistics._device_array(array).astype(dtype, copy=False)
            dtype = None
        return masked_reduce(function, array, axis, dtype, out, keepdims, initial, where)

    def accumulate(self, array, axis=0, dtype=None, out=None):
        function = {"add": _statistics.cumsum, "multiply": _statistics.cumprod}.get(
            self.__name__)
        if function is None:
            raise TypeError(f"{self.__name__}.accumulate is not supported on the device")
        return function(array, axis=axis, dtype=dtype, out=out)


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


def divmod(x1, x2, out=(None, None)):  # noqa: A001 - NumPy's name
    """NumPy's divmod: (floor_divide(x1, x2), remainder(x1, x2))."""
    return floor_divide(x1, x2, out=out[0]), remainder(x1, x2, out=out[1])


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
    out = _single_out(out)
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
    return _write_out("clip", _elementwise(_core.OP_CLIP, *args), out, "same_kind")


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
        y = _zero_dim(dt.type(y).item(), _dtypes.CODES[_dtypes.device_dtype(dt)], like)
    if not isinstance(x, _CoreArray):
        x = _zero_dim(x, _dtypes.CODES[_dtypes.result_type(x)], like)
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


# ---------------------------------------------------------------- where= and initial=

def where_mask(where, like):
    """A where= argument as a bool device array for ops on like. NumPy casts it to bool
    with the 'safe' rule, so only bool masks are taken."""
    if isinstance(where, (bool, numpy.bool_)):
        return _zero_dim(bool(where), _BOOL, like)
    if isinstance(where, _CoreArray):
        mask_dtype = where.dtype
    else:
        where = numpy.asarray(where)
        mask_dtype = where.dtype
    if mask_dtype != numpy.bool_:
        raise TypeError(f"Cannot cast array data from {mask_dtype!r} to dtype('bool') "
                        f"according to the rule 'safe'")
    return where if isinstance(where, _CoreArray) else _array._upload(where, like)


# reduction name -> (the ufunc that combines, its identity or None)
_REDUCTIONS = {"sum": ("add", 0), "prod": ("multiply", 1), "max": ("maximum", None),
               "min": ("minimum", None), "all": ("logical_and", True),
               "any": ("logical_or", False)}


def masked_reduce(function, a, axis=None, dtype=None, out=None, keepdims=False,
                  initial=numpy._NoValue, where=True):
    """A reduction of _statistics (sum, prod, max, min, all, any) with NumPy's initial= and
    where=, composed of device ops: elements outside the mask are replaced by the identity
    (by initial for max and min, which have none and so need it, as NumPy says), then the
    plain reduction runs and initial is combined into its result."""
    name = function.__name__
    options = {"dtype": dtype} if name in ("sum", "prod") else {}
    if where is True and initial is numpy._NoValue:
        return function(a, axis=axis, out=out, keepdims=keepdims, **options)
    a = _statistics._device_array(a)
    combine, identity = _REDUCTIONS[name]
    if where is not True:
        fill = identity if identity is not None else initial
        if fill is numpy._NoValue:
            raise ValueError(f"reduction operation '{combine}' does not have an identity, so "
                             f"to use a where mask one has to specify 'initial'")
        mask = where_mask(where, a)
        if len(mask.shape) > a.ndim or numpy.broadcast_shapes(mask.shape, a.shape) != a.shape:
            raise ValueError(f"{name}: a where mask of shape {mask.shape} does not broadcast "
                             f"to the array's shape {a.shape}")
        a = _elementwise(_core.OP_WHERE, mask, a, a.dtype.type(fill).item())
    axes = _statistics._normalize_axes(axis, a.ndim)
    if identity is None and _statistics._count(a.shape, axes) == 0 and \
            initial is not numpy._NoValue:  # max/min of nothing: initial itself
        shape = _statistics._result_shape(a.shape, axes, keepdims)
        result = _CoreArray.__new__(type(a), shape, a._dtype_code, "C", a._op_stream)
        _elementwise(_core.OP_COPY, a.dtype.type(initial).item(), out=result)
    else:
        result = function(a, axis=axis, keepdims=keepdims, **options)
    if initial is not numpy._NoValue:
        if combine in ("add", "multiply") and dtype is None and a.dtype.kind == "u":
            numpy.uint64(initial)  # NumPy's unsigned sums are uint64 and refuse -2 so
        result = globals()[combine](result, result.dtype.type(initial).item())
    return _into_out(name, result, out, "same_kind")


def masked_mean(a, axis=None, dtype=None, out=None, keepdims=False, where=True):
    """NumPy's mean with where=: the sum of the selected elements over their count, both
    reduced on the device (a slice with nothing selected gives NaN, without NumPy's warning,
    which would need the counts on the host)."""
    a = _statistics._device_array(a)
    dt = _statistics._mean_dtype(a, dtype)
    mask = where_mask(where, a)
    total = masked_reduce(_statistics.sum, a, axis, dt, None, keepdims, where=mask)
    selected = mask
    if mask.shape != a.shape:  # broadcast to a's shape, to count per slice
        selected = _CoreArray.__new__(type(a), a.shape, _BOOL, "C", a._op_stream)
        _elementwise(_core.OP_COPY, mask, out=selected)
    count = _statistics.count_nonzero(selected, axis=axis, keepdims=keepdims)
    return divide(total, _elementwise(_core.OP_COPY, count, dtype=total._dtype_code),
                  out=out)


# ---------------------------------------------------------------- operators

def _binary(function, x, y):
    """An operator: NotImplemented (so Python tries the reflected form) for operand types
    that cannot take part. Operand dtypes whose plan needs no cast (function._direct) go
    straight to C."""
    key = (x._dtype_code if isinstance(x, _CoreArray) else type(x),
           y._dtype_code if isinstance(y, _CoreArray) else type(y))
    if key in function._direct:
        try:
            return _elementwise(function.op, x, y)
        except OverflowError:
            if function.__name__ not in _COMPARISON_TRUTH:
                raise
            return _compare_out_of_range(function.__name__, (x, y), None)
    return function._apply((x, y), None)


def _filled_bool(like, value):
    """A bool array of like's shape, on its stream, with every element value."""
    result = _CoreArray.__new__(type(like), like.shape, _BOOL, "C", like._stream)
    _elementwise(_core.OP_COPY, value, out=result)
    return result


def _in_place(function, x, y):
    result = function._apply((x, y), x)
    return result if result is NotImplemented else x


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

    def __matmul__(self, other):
        return _linalg.matmul_operator(self, other)

    def __rmatmul__(self, other):
        return _linalg.matmul_operator(other, self)

    def __imatmul__(self, other):
        return _linalg.matmul(self, other, out=self)

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

    # comparisons (Python swaps the reflected ones itself)
    def __eq__(self, other):
        if other is None:  # NumPy compares with None element by element
            return _filled_bool(self, False)
        return _binary(equal, self, other)

    def __ne__(self, other):
        if other is None:
            return _filled_bool(self, True)
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

    def sum(self, axis=None, dtype=None, out=None, keepdims=False, initial=numpy._NoValue,
            where=True):
        return masked_reduce(_statistics.sum, self, axis, dtype, out, keepdims, initial, where)

    def prod(self, axis=None, dtype=None, out=None, keepdims=False, initial=numpy._NoValue,
             where=True):
        return masked_reduce(_statistics.prod, self, axis, dtype, out, keepdims, initial,
                             where)

    def max(self, axis=None, out=None, keepdims=False, initial=numpy._NoValue, where=True):
        return masked_reduce(_statistics.max, self, axis, None, out, keepdims, initial, where)

    def min(self, axis=None, out=None, keepdims=False, initial=numpy._NoValue, where=True):
        return masked_reduce(_statistics.min, self, axis, None, out, keepdims, initial, where)

    def all(self, axis=None, out=None, keepdims=False, *, where=True):
        return masked_reduce(_statistics.all, self, axis, None, out, keepdims, where=where)

    def any(self, axis=None, out=None, keepdims=False, *, where=True):
        return masked_reduce(_statistics.any, self, axis, None, out, keepdims, where=where)

    def argmax(self, axis=None, out=None, *, keepdims=False):
        return _statistics.argmax(self, axis, out, keepdims=keepdims)

    def argmin(self, axis=None, out=None, *, keepdims=False):
        return _statistics.argmin(self, axis, out, keepdims=keepdims)

    def cumsum(self, axis=None, dtype=None, out=None):
        return _statistics.cumsum(self, axis, dtype, out)

    def cumprod(self, axis=None, dtype=None, out=None):
        return _statistics.cumprod(self, axis, dtype, out)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
        if where is not True:
            return masked_mean(self, axis, dtype, out, keepdims, where)
        return _statistics.mean(self, axis, dtype, out, keepdims)

    def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return _statistics.var(self, axis, dtype, out, ddof, keepdims)

    def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return _statistics.std(self, axis, dtype, out, ddof, keepdims)

    def dot(self, b, out=None):
        return _linalg.dot(self, b, out)


# they use the ufuncs above
from . import _linalg, _statistics  # noqa: E402
