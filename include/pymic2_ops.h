/*
 * pymic2_ops.h - the list of built-in ops and reductions (included by pymic2.h).
 *
 * Each op row: XX(NAME, name, ninputs). COPY converts between dtypes and, given a scalar
 * input, fills. What an op computes, per dtype, is written once in src/ops/op_table.h (one
 * row per op), and every backend generates its loops or kernel source from that.
 *
 * Dtype contract (the caller - the Python layer - promotes and casts; we never do):
 *   - The inputs of an op have one dtype, except COPY (any -> any) and WHERE (input 0 is
 *     bool, inputs 1 and 2 share the dtype). The output has that dtype too, except:
 *       ABSOLUTE of complex64 -> float32, of complex128 -> float64;
 *       EQUAL .. LESS_EQUAL, LOGICAL_*, ISNAN, ISINF, ISFINITE, ISPOSINF, ISNEGINF and
 *       SIGNBIT -> bool (any input dtype they accept); BITWISE_COUNT -> uint8.
 *   - Float-only ops (cast integers and bool to a float first, as NumPy does: float64, or
 *     float16 for int8 and uint8 where NumPy picks it): DIVIDE (= true_divide), EXP, LOG,
 *     LOG1P, EXPM1, SQRT, TANH, SIN, COS, TAN, ARCSIN, ARCCOS, ARCTAN, ARCTAN2, HYPOT, SINH,
 *     COSH, ARCSINH, ARCCOSH, ARCTANH, DEG2RAD, RAD2DEG, EXP2, LOG2, LOG10, LOGADDEXP,
 *     LOGADDEXP2, CBRT, RINT, FABS, SIGNBIT, NEXTAFTER, SPACING, HEAVISIDE and LDEXP. All
 *     of these but ARCTAN2, HYPOT, DEG2RAD, RAD2DEG, LOGADDEXP, LOGADDEXP2, CBRT, FABS,
 *     SIGNBIT, NEXTAFTER, SPACING, HEAVISIDE and LDEXP (NumPy has no complex versions of
 *     them) take complex
 *     too. CONJUGATE takes every dtype (real ones unchanged). FLOOR_DIVIDE, REMAINDER and
 *     FMOD take integers and floats; FLOOR, CEIL, TRUNC, FMAX and FMIN every real dtype
 *     (integers and bool unchanged by the roundings); RECIPROCAL integers, floats and complex;
 *     LEFT_SHIFT, RIGHT_SHIFT, GCD, LCM and BITWISE_COUNT integers.
 *   - Bool is rejected (EDTYPE, with NumPy's reason) by NEGATIVE, SUBTRACT, POWER, DIVIDE,
 *     FLOOR_DIVIDE, REMAINDER, FMOD, SIGN, RECIPROCAL, the shifts, GCD, LCM and the
 *     float-only ops; complex by the orderings, MAXIMUM, MINIMUM, FMAX, FMIN, CLIP,
 *     FLOOR_DIVIDE, REMAINDER, the bitwise ops and ARANGE; floats by the bitwise ops,
 *     INVERT, the shifts, GCD, LCM and BITWISE_COUNT.
 * Semantics follow NumPy. Integers wrap on overflow; bool ADD is or, MULTIPLY is and.
 * Integer division and remainder by zero give 0 (no trap); FLOOR_DIVIDE and REMAINDER
 * round towards minus infinity (Python's rule); INT_MIN // -1 wraps to INT_MIN. Integer
 * POWER of a negative exponent is EINVAL (at launch for a scalar exponent, else from the
 * stream). MAXIMUM, MINIMUM and CLIP propagate NaN; SIGN(-0.0) is 0.0 and SIGN(NaN) NaN.
 * CLIP(a, lo, hi) = minimum(maximum(a, lo), hi). WHERE(c, x, y) = c ? x : y.
 * Fused ops for neural networks (float32 and float64 only): BIAS_RELU(x, b) = maximum(x + b, 0)
 * (b usually broadcasts over rows: a layer's bias), RELU_GRAD(y, gy) = gy * (y > 0), both
 * with NaN handled as Chainer's relu does (NaN in x gives NaN; NaN in gy passes where y > 0
 * and gives NaN * 0 = NaN elsewhere).
 * The math functions are NumPy's ufuncs of the same name (arctan2(y = a, x = b)), with
 * C's special values (domain errors give NaN). LOGADDEXP(a, b) = log(exp(a) + exp(b)) and
 * LOGADDEXP2 in base 2 without overflow; RECIPROCAL of an integer is 1.0 / a converted back
 * (1 / 0 gives what the conversion of inf below makes: INT_MIN for int32 and int64, else 0);
 * FMOD keeps the dividend's sign (integer fmod by 0 gives 0); FMAX/FMIN return the other
 * input for one NaN; SPACING(a) is the distance from a to the next value away from zero
 * (NaN for +-inf); HEAVISIDE(a, b) is 0, b or 1 for a < 0, == 0, > 0; LDEXP(a, b) is
 * a * 2**b exactly for an integral b (given in a's dtype; beyond +-100000 it acts as that
 * bound, where every result is 0 or inf already). Shifts by a count of
 * the width or more, or a negative one, give 0 (RIGHT_SHIFT of a negative -1); GCD and LCM
 * are of the magnitudes, wrapped to the dtype. BITWISE_COUNT counts the 1 bits of |a|.
 * COPYSIGN(a, b) is float-only (bool and integers are the caller's to cast, complex is
 * EDTYPE): |a| with b's sign bit, so -0.0 and NaN's sign bit count (NumPy's copysign).
 * ARANGE(start, step) takes two scalars and a 1-D output: out[i] = start + i * delta with
 * delta = (start + step) - start, as NumPy's arange fills (linspace is the caller's
 * arange(n) * step + start). COPY: to bool is "nonzero" (NaN is true), complex to real keeps
 * the real part, float to integer truncates and maps NaN, +-inf and out-of-range values like
 * NumPy on x86-64 (int64: INT64_MIN; int32: INT32_MIN; int8 and uint8 through int32, so 0 for
 * those, and 300.0 -> uint8 is 44).
 * The output may be exactly one of the inputs (in place); an output that partly overlaps
 * an input gives unspecified results.
 */
#ifndef PYMIC2_OPS_H
#define PYMIC2_OPS_H

#define PYMIC2_OP_TABLE(XX)                \
    XX(COPY, copy, 1)                     \
    XX(NEGATIVE, negative, 1)             \
    XX(ABSOLUTE, absolute, 1)             \
    XX(ADD, add, 2)                       \
    XX(SUBTRACT, subtract, 2)             \
    XX(MULTIPLY, multiply, 2)             \
    XX(POWER, power, 2)                   \
    XX(DIVIDE, divide, 2)                 \
    XX(FLOOR_DIVIDE, floor_divide, 2)     \
    XX(REMAINDER, remainder, 2)           \
    XX(MAXIMUM, maximum, 2)               \
    XX(MINIMUM, minimum, 2)               \
    XX(SIGN, sign, 1)                     \
    XX(SQUARE, square, 1)                 \
    XX(SQRT, sqrt, 1)                     \
    XX(EXP, exp, 1)                       \
    XX(EXPM1, expm1, 1)                   \
    XX(LOG, log, 1)                       \
    XX(LOG1P, log1p, 1)                   \
    XX(TANH, tanh, 1)                     \
    XX(EQUAL, equal, 2)                   \
    XX(NOT_EQUAL, not_equal, 2)           \
    XX(GREATER, greater, 2)               \
    XX(GREATER_EQUAL, greater_equal, 2)   \
    XX(LESS, less, 2)                     \
    XX(LESS_EQUAL, less_equal, 2)         \
    XX(LOGICAL_AND, logical_and, 2)       \
    XX(LOGICAL_OR, logical_or, 2)         \
    XX(LOGICAL_XOR, logical_xor, 2)       \
    XX(LOGICAL_NOT, logical_not, 1)       \
    XX(BITWISE_AND, bitwise_and, 2)       \
    XX(BITWISE_OR, bitwise_or, 2)         \
    XX(BITWISE_XOR, bitwise_xor, 2)       \
    XX(INVERT, invert, 1)                 \
    XX(ISNAN, isnan, 1)                   \
    XX(ISINF, isinf, 1)                   \
    XX(ISFINITE, isfinite, 1)             \
    XX(CLIP, clip, 3)                     \
    XX(WHERE, where, 3)                   \
    XX(ARANGE, arange, 2)                 \
    XX(BIAS_RELU, bias_relu, 2)           \
    XX(RELU_GRAD, relu_grad, 2)           \
    XX(COPYSIGN, copysign, 2)             \
    XX(SIN, sin, 1)                       \
    XX(COS, cos, 1)                       \
    XX(TAN, tan, 1)                       \
    XX(ARCSIN, arcsin, 1)                 \
    XX(ARCCOS, arccos, 1)                 \
    XX(ARCTAN, arctan, 1)                 \
    XX(ARCTAN2, arctan2, 2)               \
    XX(HYPOT, hypot, 2)                   \
    XX(SINH, sinh, 1)                     \
    XX(COSH, cosh, 1)                     \
    XX(ARCSINH, arcsinh, 1)               \
    XX(ARCCOSH, arccosh, 1)               \
    XX(ARCTANH, arctanh, 1)               \
    XX(DEG2RAD, deg2rad, 1)               \
    XX(RAD2DEG, rad2deg, 1)               \
    XX(EXP2, exp2, 1)                     \
    XX(LOG2, log2, 1)                     \
    XX(LOG10, log10, 1)                   \
    XX(LOGADDEXP, logaddexp, 2)           \
    XX(LOGADDEXP2, logaddexp2, 2)         \
    XX(CBRT, cbrt, 1)                     \
    XX(RECIPROCAL, reciprocal, 1)         \
    XX(FLOOR, floor, 1)                   \
    XX(CEIL, ceil, 1)                     \
    XX(TRUNC, trunc, 1)                   \
    XX(RINT, rint, 1)                     \
    XX(FABS, fabs, 1)                     \
    XX(SIGNBIT, signbit, 1)               \
    XX(NEXTAFTER, nextafter, 2)           \
    XX(SPACING, spacing, 1)               \
    XX(FMOD, fmod, 2)                     \
    XX(FMAX, fmax, 2)                     \
    XX(FMIN, fmin, 2)                     \
    XX(ISPOSINF, isposinf, 1)             \
    XX(ISNEGINF, isneginf, 1)             \
    XX(HEAVISIDE, heaviside, 2)           \
    XX(LEFT_SHIFT, left_shift, 2)         \
    XX(RIGHT_SHIFT, right_shift, 2)       \
    XX(GCD, gcd, 2)                       \
    XX(LCM, lcm, 2)                       \
    XX(BITWISE_COUNT, bitwise_count, 1)   \
    XX(CONJUGATE, conjugate, 1)           \
    XX(LDEXP, ldexp, 2)

typedef enum pymic2_op {
#define PYMIC2__OP_ENUM(NAME, name, ninputs) PYMIC2_OP_##NAME,
    PYMIC2_OP_TABLE(PYMIC2__OP_ENUM)
#undef PYMIC2__OP_ENUM
    PYMIC2_NUM_OPS
} pymic2_op;

/*
 * Reductions: a pymic2_op_desc whose `reduction` is not NONE folds operands[0] (the input,
 * an array) into operands[1] (the output) over the input dimensions in `axes` (bit d set:
 * dimension d is reduced; all bits of the input's ndim: NumPy's axis=None). `op` is not
 * used and noperands is 2. The output's shape is the input's with the reduced dimensions
 * removed, or kept as 1 (keepdims); a full reduction without keepdims is a 0-d array.
 *
 * XX(NAME, name, OP, output dtype): the binary op row that combines, and the output dtype:
 *   SAME  - the input's (the caller casts first for NumPy's sum(int8) -> int64 and dtype=);
 *   BOOL  - all/any: elements count as "nonzero" (NaN is true);
 *   INT64 - count_nonzero, and the indices of argmax/argmin.
 * SUM/PROD of an empty reduction give 0/1, ALL true, ANY false, COUNT_NONZERO 0; MAX, MIN,
 * ARGMAX and ARGMIN of one are EINVAL at launch, with NumPy's message. MAX/MIN propagate
 * NaN; ARGMAX/ARGMIN return the first extremum, or the first NaN, and take one axis or all
 * of them (then the index is into the C-order flattened input). CUMSUM/CUMPROD take exactly
 * one axis and an output of the input's shape (out[..., i, ...] = running sum up to i).
 * Float sums are pairwise along a contiguous axis (as NumPy) and sequential across rows.
 * mean and var are the caller's: sum / n, and sum((x - mean)**2) / (n - ddof).
 * The output must not overlap the input.
 */
#define PYMIC2_REDUCTION_TABLE(XX)                         \
    XX(SUM, sum, ADD, SAME)                               \
    XX(PROD, prod, MULTIPLY, SAME)                        \
    XX(MAX, maximum, MAXIMUM, SAME)                       \
    XX(MIN, minimum, MINIMUM, SAME)                       \
    XX(ALL, all, LOGICAL_AND, BOOL)                       \
    XX(ANY, any, LOGICAL_OR, BOOL)                        \
    XX(COUNT_NONZERO, count_nonzero, ADD, INT64)          \
    XX(ARGMAX, argmax, MAXIMUM, INT64)                    \
    XX(ARGMIN, argmin, MINIMUM, INT64)                    \
    XX(CUMSUM, cumsum, ADD, SAME)                         \
    XX(CUMPROD, cumprod, MULTIPLY, SAME)

typedef enum pymic2_reduction {
    PYMIC2_REDUCE_NONE = 0, /* an elementwise op */
#define PYMIC2__REDUCTION_ENUM(NAME, name, OP, OUT) PYMIC2_REDUCE_##NAME,
    PYMIC2_REDUCTION_TABLE(PYMIC2__REDUCTION_ENUM)
#undef PYMIC2__REDUCTION_ENUM
    PYMIC2_NUM_REDUCTIONS
} pymic2_reduction;

/* The output dtype of an op whose inputs (WHERE: x and y) have dtype `input`, by the dtype
 * contract above (COPY: the input's; the caller picks any). EINVAL for an unknown op or
 * dtype; whether the op accepts the dtype is pymic2_op_launch's to say. */
int pymic2_op_result_dtype(pymic2_op op, pymic2_dtype input, pymic2_dtype *output);

/*
 * The host backend's loops are compiled for several SIMD targets and one is picked at
 * start-up: the best the CPU runs, or the one named by PYMIC2_SIMD ("baseline", "avx2",
 * "avx512"). The name of the one in use.
 */
const char *pymic2_simd_target(void);

#endif /* PYMIC2_OPS_H */
