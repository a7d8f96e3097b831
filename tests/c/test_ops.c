/*
 * test_ops.c - built-in ops against a reference computed here, element by element.
 *
 * The reference is independent of the library's loops: integers are computed exactly in
 * __int128 and then reduced modulo 2^bits, power by repeated multiplication, float32 and
 * complex64 in double then rounded once (exact for + - *; the host computes complex64 so
 * too), conversions by the documented rules written out case by case.
 *
 * The program asks for two host devices with two threads each (unless the environment
 * already says otherwise) so that EDEVICE can be tested and the team path runs.
 */
#include "check.h"

#include "../../src/backends/host/host_ops.h"
#include "../../src/core/spin.h"
#include "simd_targets.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- values */

/* One element of any dtype: i for bool and integers, re (and im) for floats and complex. */
typedef struct value {
    int64_t i;
    double re, im;
} value;

static int is_integer(pymic2_dtype t)
{
    return pymic2_dtype_kind(t) == 'i' || pymic2_dtype_kind(t) == 'u';
}

static int is_float(pymic2_dtype t)
{
    return pymic2_dtype_kind(t) == 'f';
}

/* A double converted to a float dtype's precision, rounded once (float64 -> float16 too). */
static double convert_float(pymic2_dtype t, double x)
{
    return t == PYMIC2_FLOAT16 ? (double)(_Float16)x : t == PYMIC2_FLOAT32 ? (double)(float)x : x;
}

/* The result of a float op computed in double, as the dtype computes it: float16 in float32
 * (as NumPy), then rounded to float16. */
static double round_result(pymic2_dtype t, double x)
{
    return t == PYMIC2_FLOAT16 ? (double)(_Float16)(float)x : convert_float(t, x);
}

static int is_complex(pymic2_dtype t)
{
    return pymic2_dtype_kind(t) == 'c';
}

/* float32 and complex64: parts in float */
static int is_single(pymic2_dtype t)
{
    return t == PYMIC2_FLOAT32 || t == PYMIC2_COMPLEX64;
}

static value read_value(pymic2_dtype t, const void *p)
{
    value v = {0, 0, 0};
    switch (t) {
    case PYMIC2_BOOL: v.i = *(const uint8_t *)p != 0; break;
    case PYMIC2_INT8: { int8_t x; memcpy(&x, p, 1); v.i = x; break; }
    case PYMIC2_UINT8: v.i = *(const uint8_t *)p; break;
    case PYMIC2_INT16: { int16_t x; memcpy(&x, p, 2); v.i = x; break; }
    case PYMIC2_UINT16: { uint16_t x; memcpy(&x, p, 2); v.i = x; break; }
    case PYMIC2_INT32: { int32_t x; memcpy(&x, p, 4); v.i = x; break; }
    case PYMIC2_UINT32: { uint32_t x; memcpy(&x, p, 4); v.i = x; break; }
    case PYMIC2_INT64:
    case PYMIC2_UINT64: memcpy(&v.i, p, 8); break; /* uint64: the bits, as wrap() gives */
    case PYMIC2_FLOAT16: { _Float16 x; memcpy(&x, p, 2); v.re = x; break; }
    case PYMIC2_FLOAT32: { float x; memcpy(&x, p, 4); v.re = x; break; }
    case PYMIC2_FLOAT64: memcpy(&v.re, p, 8); break;
    case PYMIC2_COMPLEX64: {
        float x[2];
        memcpy(x, p, 8);
        v.re = x[0];
        v.im = x[1];
        break;
    }
    case PYMIC2_COMPLEX128: memcpy(&v.re, p, 8); memcpy(&v.im, (const char *)p + 8, 8); break;
    default: break;
    }
    return v;
}

static void write_value(pymic2_dtype t, value v, void *p)
{
    switch (t) {
    case PYMIC2_BOOL: *(uint8_t *)p = (uint8_t)(v.i != 0); break;
    case PYMIC2_INT8: { int8_t x = (int8_t)v.i; memcpy(p, &x, 1); break; }
    case PYMIC2_UINT8: *(uint8_t *)p = (uint8_t)v.i; break;
    case PYMIC2_INT16: { int16_t x = (int16_t)v.i; memcpy(p, &x, 2); break; }
    case PYMIC2_UINT16: { uint16_t x = (uint16_t)v.i; memcpy(p, &x, 2); break; }
    case PYMIC2_INT32: { int32_t x = (int32_t)v.i; memcpy(p, &x, 4); break; }
    case PYMIC2_UINT32: { uint32_t x = (uint32_t)v.i; memcpy(p, &x, 4); break; }
    case PYMIC2_INT64:
    case PYMIC2_UINT64: memcpy(p, &v.i, 8); break;
    case PYMIC2_FLOAT16: { _Float16 x = (_Float16)v.re; memcpy(p, &x, 2); break; }
    case PYMIC2_FLOAT32: { float x = (float)v.re; memcpy(p, &x, 4); break; }
    case PYMIC2_FLOAT64: memcpy(p, &v.re, 8); break;
    case PYMIC2_COMPLEX64: { float x[2] = {(float)v.re, (float)v.im}; memcpy(p, x, 8); break; }
    case PYMIC2_COMPLEX128: memcpy(p, &v.re, 8); memcpy((char *)p + 8, &v.im, 8); break;
    default: break;
    }
}

static pymic2_scalar scalar_of(pymic2_dtype t, value v)
{
    pymic2_scalar s;
    memset(&s, 0, sizeof s);
    if (t == PYMIC2_FLOAT16) /* the scalar holds the float16 value as a float */
        s.f16 = (float)(_Float16)v.re;
    else
        write_value(t, v, &s);
    return s;
}

/* x reduced into the range of integer dtype t, the way two's complement wraps. */
static int64_t wrap(pymic2_dtype t, __int128 x)
{
    int bits = 8 * (int)pymic2_dtype_size(t);
    int is_signed = pymic2_dtype_kind(t) == 'i';
    __int128 modulus = (__int128)1 << bits;
    __int128 r = ((x % modulus) + modulus) % modulus;
    if (is_signed && r >= modulus / 2)
        r -= modulus;
    return (int64_t)r;
}

#define NAN_D ((double)NAN)
#define INF_D ((double)INFINITY)

/* Test values per dtype, edge cases included. */
static int test_values(pymic2_dtype t, value *out)
{
    static const int64_t i8[] = {0, 1, -1, 2, 3, 7, -8, 127, -128, 100, -100, 55};
    static const int64_t u8[] = {0, 1, 2, 3, 7, 8, 127, 128, 200, 255, 100, 55};
    static const int64_t i32[] = {0,         1,         -1,     2,      3,     7,
                                  -8,        INT32_MAX, INT32_MIN, 100000, -77777, 46341};
    static const int64_t i16[] = {0, 1, -1, 2, 3, 7, -8, INT16_MAX, INT16_MIN, 300, -300, 181};
    static const int64_t u16[] = {0, 1, 2, 3, 7, 8, 255, 256, 40000, UINT16_MAX, 300, 55};
    static const int64_t u32[] = {0, 1, 2, 3, 7, 8, 65536, INT32_MAX, 3000000000LL, UINT32_MAX,
                                  100000, 65535};
    /* uint64 below 2**63: the reference computes in int64 (Python tests cover the top half) */
    static const int64_t u64[] = {0, 1, 2, 3, 7, 8, INT64_MAX, 1LL << 62, 3037000500LL,
                                  1000000000000LL, 100, 55};
    static const int64_t i64[] = {0, 1, -1, 2, 3, 7, -8, INT64_MAX, INT64_MIN, 3037000500LL,
                                  -1000000000000LL, 55};
    static const double f[] = {0, -0.0, 1, -1, 1.5, -2.25, 3, 0.1, 1e30, -7.75, INF_D, -INF_D,
                               NAN_D, 1e-3};
    static const double c[][2] = {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {1.5, -2}, {-0.5, 0.25},
                                  {3, 4}, {INF_D, 0}, {NAN_D, 1}, {2, 0}, {-2, 0}, {0.1, 0.2}};
    const int64_t *ints = NULL;
    int n = 0;
    switch (t) {
    case PYMIC2_BOOL: out[0] = (value){0, 0, 0}; out[1] = (value){1, 0, 0}; return 2;
    case PYMIC2_INT8: ints = i8; n = 12; break;
    case PYMIC2_UINT8: ints = u8; n = 12; break;
    case PYMIC2_INT16: ints = i16; n = 12; break;
    case PYMIC2_UINT16: ints = u16; n = 12; break;
    case PYMIC2_INT32: ints = i32; n = 12; break;
    case PYMIC2_UINT32: ints = u32; n = 12; break;
    case PYMIC2_INT64: ints = i64; n = 12; break;
    case PYMIC2_UINT64: ints = u64; n = 12; break;
    case PYMIC2_FLOAT16:
    case PYMIC2_FLOAT32:
    case PYMIC2_FLOAT64:
        for (n = 0; n < 14; n++)
            out[n] = (value){0, convert_float(t, f[n]), 0};
        return n;
    case PYMIC2_COMPLEX64:
    case PYMIC2_COMPLEX128:
        for (n = 0; n < 12; n++)
            out[n] = (value){0, c[n][0], c[n][1]};
        /* complex64's in float. A separate loop: gcc 12 -O2 vectorised `single ? (float)x :
         * x` in the loop above into x, dropping the rounding */
        if (t == PYMIC2_COMPLEX64)
            for (int k = 0; k < n; k++)
                out[k] = (value){0, (float)c[k][0], (float)c[k][1]};
        return n;
    default: return 0;
    }
    for (int k = 0; k < n; k++)
        out[k] = (value){ints[k], 0, 0};
    return n;
}

static int same_double(double got, double want, double tolerance)
{
    if (isnan(want))
        return isnan(got);
    if (got == want)
        return tolerance > 0 || signbit(got) == signbit(want); /* -0.0 matters when exact */
    return tolerance > 0 && fabs(got - want) <= tolerance * fmax(1.0, fabs(want));
}

static int same_value(pymic2_dtype t, value got, value want, double tolerance)
{
    if (is_complex(t))
        return same_double(got.re, want.re, tolerance) && same_double(got.im, want.im, tolerance);
    if (is_float(t))
        return same_double(got.re, want.re, tolerance);
    return got.i == want.i;
}

/* ---------------------------------------------------------------- the reference */

static value integer_power(pymic2_dtype t, int64_t base, int64_t exponent)
{
    __int128 r = 1;
    for (int64_t k = 0; k < exponent; k++)
        r = wrap(t, r * base);
    return (value){wrap(t, r), 0, 0};
}

static double complex complex_of(value v)
{
    return CMPLX(v.re, v.im);
}

static value value_of_complex(double complex z)
{
    return (value){0, creal(z), cimag(z)};
}

/* The reference result of op on a (and b); *tolerance gets the relative error allowed. */
/* Python's floor division and modulo of doubles (long double keeps 1 // 0.1 at 9). */
static double python_floor_divide(double a, double b)
{
    if (b == 0)
        return a / b;
    if (!isfinite(a) || isnan(b))
        return NAN;
    if (isinf(b))
        return a == 0 || (a < 0) == (b < 0) ? copysign(0.0, a / b) : -1.0;
    long double q = floorl((long double)a / (long double)b);
    return q == 0 ? copysign(0.0, a / b) : (double)q;
}

static double python_remainder(double a, double b)
{
    if (b == 0 || !isfinite(a) || isnan(b))
        return NAN;
    double m = fmod(a, b);
    if (m == 0)
        return copysign(0.0, b);
    return (m < 0) != (b < 0) ? m + b : m;
}

/* Comparisons, logical and is* ops: their truth for any dtype, or -1 if op is not one. */
static int reference_truth(pymic2_op op, pymic2_dtype t, value a, value b)
{
    int integral = t == PYMIC2_BOOL || is_integer(t);
    long double x = integral ? (long double)a.i : a.re, y = integral ? (long double)b.i : b.re;
    double xi = integral ? 0 : a.im, yi = integral ? 0 : b.im;
    int nonzero_a = x != 0 || xi != 0, nonzero_b = y != 0 || yi != 0;
    switch (op) {
    case PYMIC2_OP_EQUAL: return x == y && xi == yi;
    case PYMIC2_OP_NOT_EQUAL: return !(x == y && xi == yi);
    case PYMIC2_OP_GREATER: return x > y;
    case PYMIC2_OP_GREATER_EQUAL: return x >= y;
    case PYMIC2_OP_LESS: return x < y;
    case PYMIC2_OP_LESS_EQUAL: return x <= y;
    case PYMIC2_OP_LOGICAL_AND: return nonzero_a && nonzero_b;
    case PYMIC2_OP_LOGICAL_OR: return nonzero_a || nonzero_b;
    case PYMIC2_OP_LOGICAL_XOR: return nonzero_a != nonzero_b;
    case PYMIC2_OP_LOGICAL_NOT: return !nonzero_a;
    case PYMIC2_OP_ISNAN: return isnan(x) || isnan(xi);
    case PYMIC2_OP_ISINF: return isinf(x) || isinf(xi);
    case PYMIC2_OP_ISFINITE: return isfinite(x) && isfinite(xi);
    default: return -1;
    }
}

/* Relative error allowed for vector math (libmvec: at most 4 ulp; float16: a float32 result
 * one ulp off may round to the neighbouring float16). */
static double math_tolerance(pymic2_dtype t)
{
    return t == PYMIC2_FLOAT16 ? 1e-3 : t == PYMIC2_FLOAT32 ? 5e-7 : 1e-15;
}

static double reference_math(pymic2_op op, double x)
{
    switch (op) {
    case PYMIC2_OP_SQRT: return sqrt(x);
    case PYMIC2_OP_EXP: return exp(x);
    case PYMIC2_OP_EXPM1: return expm1(x);
    case PYMIC2_OP_LOG: return log(x);
    case PYMIC2_OP_LOG1P: return log1p(x);
    case PYMIC2_OP_TANH: return tanh(x);
    default: return NAN;
    }
}

static value reference_complex(pymic2_op op, value a, value b, double *tolerance);

static value reference(pymic2_op op, pymic2_dtype t, value a, value b, double *tolerance)
{
    *tolerance = 0;
    int truth = reference_truth(op, t, a, b);
    if (truth >= 0)
        return (value){truth, 0, 0};
    if (t == PYMIC2_BOOL) {
        switch (op) {
        case PYMIC2_OP_ADD:
        case PYMIC2_OP_MAXIMUM:
        case PYMIC2_OP_BITWISE_OR: return (value){a.i || b.i, 0, 0};
        case PYMIC2_OP_MULTIPLY:
        case PYMIC2_OP_MINIMUM:
        case PYMIC2_OP_BITWISE_AND: return (value){a.i && b.i, 0, 0};
        case PYMIC2_OP_BITWISE_XOR: return (value){a.i != b.i, 0, 0};
        case PYMIC2_OP_INVERT: return (value){!a.i, 0, 0};
        default: return a; /* absolute, square, copy */
        }
    }
    if (is_integer(t)) {
        __int128 x = a.i, y = b.i;
        switch (op) {
        case PYMIC2_OP_FLOOR_DIVIDE: {
            if (y == 0)
                return (value){0, 0, 0};
            __int128 q = x / y;
            if (q * y != x && (x < 0) != (y < 0))
                q -= 1;
            return (value){wrap(t, q), 0, 0};
        }
        case PYMIC2_OP_REMAINDER: {
            if (y == 0)
                return (value){0, 0, 0};
            __int128 q = x / y;
            if (q * y != x && (x < 0) != (y < 0))
                q -= 1;
            return (value){wrap(t, x - q * y), 0, 0};
        }
        case PYMIC2_OP_MAXIMUM: return (value){x >= y ? a.i : b.i, 0, 0};
        case PYMIC2_OP_MINIMUM: return (value){x <= y ? a.i : b.i, 0, 0};
        case PYMIC2_OP_SIGN: return (value){(x > 0) - (x < 0), 0, 0};
        case PYMIC2_OP_SQUARE: return (value){wrap(t, x * x), 0, 0};
        case PYMIC2_OP_BITWISE_AND: return (value){wrap(t, x & y), 0, 0};
        case PYMIC2_OP_BITWISE_OR: return (value){wrap(t, x | y), 0, 0};
        case PYMIC2_OP_BITWISE_XOR: return (value){wrap(t, x ^ y), 0, 0};
        case PYMIC2_OP_INVERT: return (value){wrap(t, ~x), 0, 0};
        case PYMIC2_OP_NEGATIVE: return (value){wrap(t, -x), 0, 0};
        case PYMIC2_OP_ABSOLUTE: return (value){wrap(t, x < 0 ? -x : x), 0, 0};
        case PYMIC2_OP_ADD: return (value){wrap(t, x + y), 0, 0};
        case PYMIC2_OP_SUBTRACT: return (value){wrap(t, x - y), 0, 0};
        case PYMIC2_OP_MULTIPLY: return (value){wrap(t, x * y), 0, 0};
        case PYMIC2_OP_POWER: return integer_power(t, a.i, b.i);
        default: return a;
        }
    }
    if (is_float(t)) {
        double r = a.re;
        switch (op) {
        case PYMIC2_OP_NEGATIVE: r = -a.re; break;
        case PYMIC2_OP_ABSOLUTE: r = fabs(a.re); break;
        case PYMIC2_OP_ADD: r = a.re + b.re; break;
        case PYMIC2_OP_SUBTRACT: r = a.re - b.re; break;
        case PYMIC2_OP_MULTIPLY: r = a.re * b.re; break;
        case PYMIC2_OP_POWER:
            r = pow(a.re, b.re);
            *tolerance = t == PYMIC2_FLOAT16 ? 1e-3 : t == PYMIC2_FLOAT32 ? 4e-7 : 1e-15;
            break;
        case PYMIC2_OP_DIVIDE: r = a.re / b.re; break;
        case PYMIC2_OP_FLOOR_DIVIDE:
            r = python_floor_divide(a.re, b.re);
            *tolerance = 1e-15; /* quotients past 2^53 may round either way */
            break;
        case PYMIC2_OP_REMAINDER: r = python_remainder(a.re, b.re); break;
        case PYMIC2_OP_MAXIMUM:
        case PYMIC2_OP_MINIMUM: {
            int maximum = op == PYMIC2_OP_MAXIMUM;
            r = isnan(a.re) || isnan(b.re) ? NAN
                : (maximum ? a.re >= b.re : a.re <= b.re) ? a.re : b.re;
            *tolerance = 1e-300; /* the sign of a zero picked from 0.0 and -0.0 is open */
            break;
        }
        case PYMIC2_OP_SIGN: r = a.re > 0 ? 1 : a.re < 0 ? -1 : a.re == 0 ? 0.0 : a.re; break;
        case PYMIC2_OP_SQUARE: r = a.re * a.re; break;
        case PYMIC2_OP_SQRT: case PYMIC2_OP_EXP: case PYMIC2_OP_EXPM1:
        case PYMIC2_OP_LOG: case PYMIC2_OP_LOG1P: case PYMIC2_OP_TANH:
            r = reference_math(op, a.re);
            *tolerance = math_tolerance(t);
            break;
        default: break;
        }
        return (value){0, round_result(t, r), 0};
    }
    value r = reference_complex(op, a, b, tolerance);
    if (t == PYMIC2_COMPLEX64) { /* the double result rounded once; a rounding boundary
                                  * between two double results moves it by one ulp */
        r.re = (float)r.re;
        r.im = (float)r.im;
        if (*tolerance > 0)
            *tolerance = fmax(*tolerance, 2.4e-7);
    }
    return r;
}

/* complex128's reference, in double */
static value reference_complex(pymic2_op op, value a, value b, double *tolerance)
{
    double complex x = complex_of(a), y = complex_of(b);
    switch (op) {
    case PYMIC2_OP_NEGATIVE: return value_of_complex(-x);
    case PYMIC2_OP_ABSOLUTE: return (value){0, hypot(a.re, a.im), 0};
    case PYMIC2_OP_ADD: return value_of_complex(x + y);
    case PYMIC2_OP_SUBTRACT: return value_of_complex(x - y);
    case PYMIC2_OP_MULTIPLY:
        return (value){0, a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
    case PYMIC2_OP_DIVIDE: *tolerance = 1e-15; return value_of_complex(x / y);
    case PYMIC2_OP_SIGN: /* NumPy 2: an infinite part gives its unit (NaN if both are) */
        *tolerance = 1e-15;
        if (isinf(a.re) || isinf(a.im))
            return isinf(a.re) && isinf(a.im) ? (value){0, NAN, NAN}
                   : isinf(a.re)              ? (value){0, copysign(1, a.re), 0}
                                              : (value){0, 0, copysign(1, a.im)};
        return a.re == 0 && a.im == 0 ? (value){0, 0, 0}
                                      : value_of_complex(x / hypot(a.re, a.im));
    case PYMIC2_OP_SQUARE: return (value){0, a.re * a.re - a.im * a.im, a.re * a.im + a.im * a.re};
    case PYMIC2_OP_SQRT: *tolerance = 1e-15; return value_of_complex(csqrt(x));
    case PYMIC2_OP_EXP: *tolerance = 1e-15; return value_of_complex(cexp(x));
    case PYMIC2_OP_LOG: *tolerance = 1e-15; return value_of_complex(clog(x));
    case PYMIC2_OP_TANH: *tolerance = 1e-15; return value_of_complex(ctanh(x));
    case PYMIC2_OP_POWER:
        /* NumPy: anything to the power 0 is 1, even 0 (cpow says NaN); 0 to another power is
         * 0 when its real part is positive, else NaN (cpow says infinity) */
        *tolerance = 1e-12;
        if (y == 0)
            return (value){0, 1, 0};
        if (x == 0)
            return b.re > 0 ? (value){0, 0, 0} : (value){0, NAN, NAN};
        return value_of_complex(cpow(x, y));
    default: return a;
    }
}

/* Conversion by the documented rules, case by case. */
static value reference_convert(pymic2_dtype from, pymic2_dtype to, value v)
{
    int nonzero = is_integer(from) || from == PYMIC2_BOOL ? v.i != 0 : (v.re != 0 || v.im != 0);
    if (to == PYMIC2_BOOL)
        return (value){nonzero, 0, 0};
    if (from == PYMIC2_BOOL)
        return is_integer(to) ? (value){v.i, 0, 0} : (value){0, (double)v.i, 0};
    if (is_integer(from)) {
        if (is_integer(to))
            return (value){wrap(to, v.i), 0, 0};
        /* rounded once to the target's precision (int64 -> float16 and complex64 too) */
        double d = to == PYMIC2_FLOAT16 ? (double)(_Float16)v.i
                   : is_single(to)      ? (double)(float)v.i
                                        : (double)v.i;
        return (value){0, d, 0};
    }
    /* from float or complex: the real part (and the imaginary part for complex targets) */
    if (is_complex(to)) {
        double im = is_complex(from) ? v.im : 0;
        return is_single(to) ? (value){0, (float)v.re, (float)im} : (value){0, v.re, im};
    }
    if (is_float(to))
        return (value){0, convert_float(to, v.re), 0};
    if (to == PYMIC2_UINT64 && v.re >= 9223372036854775808.0) /* uint64's upper half */
        return (value){v.re < 18446744073709551616.0 ? (int64_t)(uint64_t)v.re : 0, 0, 0};
    if (pymic2_dtype_size(to) == 8 || to == PYMIC2_UINT32) { /* through int64 */
        int fits = v.re >= -9223372036854775808.0 && v.re < 9223372036854775808.0;
        return (value){wrap(to, fits ? (int64_t)v.re : INT64_MIN), 0, 0};
    }
    int fits = v.re >= -2147483648.0 && v.re < 2147483648.0;
    return (value){wrap(to, fits ? (int64_t)v.re : INT32_MIN), 0, 0};
}

/* ---------------------------------------------------------------- device arrays */

static pymic2_device *device;
static pymic2_stream *stream;

typedef enum layout {
    CONTIGUOUS, /* buffer[i] */
    REVERSED,   /* buffer[n-1-i]: negative stride */
    SPREAD,     /* buffer[2i+1]: stride of two elements */
    UNALIGNED,  /* one byte into the buffer */
    SCALAR      /* a scalar operand: value[0] */
} layout;

typedef struct array {
    pymic2_operand operand;
    pymic2_buffer *buffer;
    size_t nbytes;
} array;

/* A 1-D operand of n values laid out as asked (SCALAR: values[0]). */
static array make_array(layout how, pymic2_dtype t, int64_t n, const value *values)
{
    array a = {.buffer = NULL, .nbytes = 0};
    size_t size = pymic2_dtype_size(t);
    if (how == SCALAR) {
        pymic2_operand_scalar(&a.operand, t, scalar_of(t, values[0]));
        return a;
    }
    int64_t slots = how == SPREAD ? 2 * n + 1 : n;
    a.nbytes = (size_t)slots * size + (how == UNALIGNED);
    char *host = calloc(1, a.nbytes + 1);
    int64_t offset = how == REVERSED ? (n - 1) * (int64_t)size
                     : how == SPREAD  ? (int64_t)size
                     : how == UNALIGNED ? 1 : 0;
    int64_t stride = how == REVERSED ? -(int64_t)size : how == SPREAD ? 2 * (int64_t)size
                                                                      : (int64_t)size;
    for (int64_t i = 0; i < n; i++)
        write_value(t, values[i], host + offset + i * stride);
    CHECK_OK(pymic2_buffer_alloc(device, a.nbytes + 1, 0, &a.buffer));
    CHECK_OK(pymic2_memcpy_h2d(stream, a.buffer, 0, host, a.nbytes));
    CHECK_OK(pymic2_stream_sync(stream));
    free(host);
    pymic2_operand_contiguous(&a.operand, a.buffer, offset, t, 1, &n);
    a.operand.strides[0] = stride;
    return a;
}

/* Element i of a 1-D array, read back from the device. */
static void read_array(const array *a, int64_t n, value *out)
{
    char *host = malloc(a->nbytes + 1);
    CHECK_OK(pymic2_memcpy_d2h(stream, host, a->buffer, 0, a->nbytes));
    CHECK_OK(pymic2_stream_sync(stream));
    for (int64_t i = 0; i < n; i++)
        out[i] = read_value(a->operand.dtype, host + a->operand.offset + i * a->operand.strides[0]);
    free(host);
}

static void free_array(array *a)
{
    if (a->buffer)
        CHECK_OK(pymic2_buffer_release(a->buffer));
}

static int launch(pymic2_op op, int noperands, const pymic2_operand *operands)
{
    pymic2_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.op = op;
    desc.noperands = noperands;
    for (int k = 0; k < noperands; k++)
        desc.operands[k] = operands[k];
    return pymic2_op_launch(stream, &desc);
}

/* ---------------------------------------------------------------- every op x dtype */

#define MAX_VALUES 16
#define N_ELEMENTS 53 /* not a multiple of any vector width: remainders run too */

static const pymic2_op binary_ops[] = {
    PYMIC2_OP_ADD,         PYMIC2_OP_SUBTRACT,    PYMIC2_OP_MULTIPLY,      PYMIC2_OP_POWER,
    PYMIC2_OP_DIVIDE,      PYMIC2_OP_FLOOR_DIVIDE, PYMIC2_OP_REMAINDER,    PYMIC2_OP_MAXIMUM,
    PYMIC2_OP_MINIMUM,     PYMIC2_OP_EQUAL,       PYMIC2_OP_NOT_EQUAL,     PYMIC2_OP_GREATER,
    PYMIC2_OP_GREATER_EQUAL, PYMIC2_OP_LESS,      PYMIC2_OP_LESS_EQUAL,    PYMIC2_OP_LOGICAL_AND,
    PYMIC2_OP_LOGICAL_OR,  PYMIC2_OP_LOGICAL_XOR, PYMIC2_OP_BITWISE_AND,   PYMIC2_OP_BITWISE_OR,
    PYMIC2_OP_BITWISE_XOR};
static const pymic2_op unary_ops[] = {
    PYMIC2_OP_NEGATIVE, PYMIC2_OP_ABSOLUTE, PYMIC2_OP_SIGN,  PYMIC2_OP_SQUARE,
    PYMIC2_OP_SQRT,     PYMIC2_OP_EXP,      PYMIC2_OP_EXPM1, PYMIC2_OP_LOG,
    PYMIC2_OP_LOG1P,    PYMIC2_OP_TANH,     PYMIC2_OP_LOGICAL_NOT, PYMIC2_OP_INVERT,
    PYMIC2_OP_ISNAN,    PYMIC2_OP_ISINF,    PYMIC2_OP_ISFINITE};

/* Which dtypes each op takes, as pymic2_ops.h documents it (written out independently). */
static int accepts(pymic2_op op, pymic2_dtype t)
{
    int float_math = op == PYMIC2_OP_DIVIDE || op == PYMIC2_OP_SQRT || op == PYMIC2_OP_EXP ||
                     op == PYMIC2_OP_EXPM1 || op == PYMIC2_OP_LOG || op == PYMIC2_OP_LOG1P ||
                     op == PYMIC2_OP_TANH;
    int bitwise = op == PYMIC2_OP_BITWISE_AND || op == PYMIC2_OP_BITWISE_OR ||
                  op == PYMIC2_OP_BITWISE_XOR || op == PYMIC2_OP_INVERT;
    int ordered = op == PYMIC2_OP_MAXIMUM || op == PYMIC2_OP_MINIMUM ||
                  op == PYMIC2_OP_GREATER || op == PYMIC2_OP_GREATER_EQUAL ||
                  op == PYMIC2_OP_LESS || op == PYMIC2_OP_LESS_EQUAL;
    int division = op == PYMIC2_OP_FLOOR_DIVIDE || op == PYMIC2_OP_REMAINDER;
    switch (t) {
    case PYMIC2_BOOL:
        return !float_math && !division && op != PYMIC2_OP_NEGATIVE &&
               op != PYMIC2_OP_SUBTRACT && op != PYMIC2_OP_POWER && op != PYMIC2_OP_SIGN;
    case PYMIC2_FLOAT16:
    case PYMIC2_FLOAT32:
    case PYMIC2_FLOAT64: return !bitwise;
    case PYMIC2_COMPLEX64:
    case PYMIC2_COMPLEX128:
        return !bitwise && !ordered && !division && op != PYMIC2_OP_EXPM1 &&
               op != PYMIC2_OP_LOG1P;
    default: return !float_math;
    }
}

static pymic2_dtype output_dtype(pymic2_op op, pymic2_dtype t)
{
    switch (op) {
    case PYMIC2_OP_EQUAL: case PYMIC2_OP_NOT_EQUAL: case PYMIC2_OP_GREATER:
    case PYMIC2_OP_GREATER_EQUAL: case PYMIC2_OP_LESS: case PYMIC2_OP_LESS_EQUAL:
    case PYMIC2_OP_LOGICAL_AND: case PYMIC2_OP_LOGICAL_OR: case PYMIC2_OP_LOGICAL_XOR:
    case PYMIC2_OP_LOGICAL_NOT: case PYMIC2_OP_ISNAN: case PYMIC2_OP_ISINF:
    case PYMIC2_OP_ISFINITE:
        return PYMIC2_BOOL;
    default:
        if (op == PYMIC2_OP_ABSOLUTE && is_complex(t))
            return t == PYMIC2_COMPLEX64 ? PYMIC2_FLOAT32 : PYMIC2_FLOAT64;
        return t;
    }
}

/* Inputs for a test: the dtype's values in two different orders; integer exponents of power
 * are kept in 0..12 and complex ones finite, where the reference is unambiguous. */
static void make_inputs(pymic2_op op, pymic2_dtype t, value *a, value *b)
{
    value values[MAX_VALUES];
    int nv = test_values(t, values);
    for (int i = 0; i < N_ELEMENTS; i++) {
        a[i] = values[i % nv];
        b[i] = values[(i * 7 + 3) % nv];
        if (op == PYMIC2_OP_POWER && is_integer(t))
            b[i].i = (int64_t)(((__int128)b[i].i % 13 + 13) % 13);
        if (op == PYMIC2_OP_POWER && is_complex(t)) {
            if (!isfinite(a[i].re))
                a[i] = (value){0, 0.5, -1.5};
            if (!isfinite(b[i].re))
                b[i] = (value){0, 2, 0};
        }
    }
}

static void check_results(pymic2_op op, pymic2_dtype t, const value *a, const value *b,
                          const value *got, const char *what)
{
    pymic2_dtype out = output_dtype(op, t);
    int failures = 0;
    for (int i = 0; i < N_ELEMENTS; i++) {
        double tolerance;
        value want = reference(op, t, a[i], b[i], &tolerance);
        if (!same_value(out, got[i], want, tolerance) && failures++ < 3)
            fprintf(stderr, "%s %s (op %d) element %d: got %lld / %a%+ai, want %lld / %a%+ai\n",
                    pymic2_dtype_name(t), what, (int)op, i,
                    (long long)got[i].i, got[i].re, got[i].im, (long long)want.i, want.re,
                    want.im);
    }
    CHECK(failures == 0);
}

/* op on dtype t with the given layouts of a, b and the output. */
static void run_case(pymic2_op op, int ninputs, pymic2_dtype t, layout la, layout lb, layout lo)
{
    value a[N_ELEMENTS], b[N_ELEMENTS], got[N_ELEMENTS];
    make_inputs(op, t, a, b);
    if (la == SCALAR)
        for (int i = 1; i < N_ELEMENTS; i++)
            a[i] = a[0];
    if (lb == SCALAR)
        for (int i = 1; i < N_ELEMENTS; i++)
            b[i] = b[0];
    array x = make_array(la, t, N_ELEMENTS, a);
    array y = make_array(lb, t, N_ELEMENTS, b);
    value zeros[N_ELEMENTS];
    memset(zeros, 0, sizeof zeros);
    array z = make_array(lo, output_dtype(op, t), N_ELEMENTS, zeros);
    pymic2_operand operands[3] = {x.operand, ninputs == 2 ? y.operand : z.operand, z.operand};
    CHECK_OK(launch(op, ninputs + 1, operands));
    CHECK_OK(pymic2_stream_sync(stream));
    read_array(&z, N_ELEMENTS, got);
    char what[64];
    snprintf(what, sizeof what, "layouts %d %d %d", la, lb, lo);
    check_results(op, t, a, b, got, what);
    free_array(&x);
    free_array(&y);
    free_array(&z);
}

static void test_every_op_and_dtype(void)
{
    static const layout layouts[][3] = {{CONTIGUOUS, CONTIGUOUS, CONTIGUOUS},
                                        {REVERSED, SPREAD, CONTIGUOUS},
                                        {UNALIGNED, CONTIGUOUS, SPREAD},
                                        {CONTIGUOUS, SCALAR, CONTIGUOUS},
                                        {SCALAR, CONTIGUOUS, REVERSED},
                                        {SCALAR, SCALAR, CONTIGUOUS}};
    for (int t = 0; t < PYMIC2_NUM_DTYPES; t++) {
        for (size_t o = 0; o < sizeof binary_ops / sizeof binary_ops[0]; o++)
            if (accepts(binary_ops[o], (pymic2_dtype)t))
                for (size_t l = 0; l < sizeof layouts / sizeof layouts[0]; l++)
                    run_case(binary_ops[o], 2, (pymic2_dtype)t, layouts[l][0], layouts[l][1],
                             layouts[l][2]);
        for (size_t o = 0; o < sizeof unary_ops / sizeof unary_ops[0]; o++)
            if (accepts(unary_ops[o], (pymic2_dtype)t))
                for (size_t l = 0; l < sizeof layouts / sizeof layouts[0]; l++)
                    run_case(unary_ops[o], 1, (pymic2_dtype)t, layouts[l][0], CONTIGUOUS,
                             layouts[l][2]);
    }
}

/* ---------------------------------------------------------------- copy: 8 x 8 */

static void test_copy_all_pairs(void)
{
    /* sources beyond the per-dtype values: what float -> int must define */
    static const double extra[] = {NAN_D, INF_D, -INF_D, -0.0, 1e10, 300.0, -1.0, 3e9,
                                   -3e9, 1e20, -1e20, 2147483647.5, -2147483648.0, 255.9};
    for (int from = 0; from < PYMIC2_NUM_DTYPES; from++) {
        value values[MAX_VALUES + 16];
        int nv = test_values((pymic2_dtype)from, values);
        if (is_float((pymic2_dtype)from) || is_complex((pymic2_dtype)from))
            for (size_t k = 0; k < sizeof extra / sizeof extra[0]; k++) {
                double re = is_single((pymic2_dtype)from) ? (double)(float)extra[k]
                                                          : convert_float((pymic2_dtype)from,
                                                                          extra[k]);
                double im = is_complex((pymic2_dtype)from) ? (k % 2 ? -0.0 : 1.0) : 0.0;
                values[nv++] = (value){0, re, im};
            }
        for (int to = 0; to < PYMIC2_NUM_DTYPES; to++) {
            array x = make_array(CONTIGUOUS, (pymic2_dtype)from, nv, values);
            value zeros[MAX_VALUES + 16], got[MAX_VALUES + 16];
            memset(zeros, 0, sizeof zeros);
            array z = make_array(SPREAD, (pymic2_dtype)to, nv, zeros);
            pymic2_operand operands[2] = {x.operand, z.operand};
            CHECK_OK(launch(PYMIC2_OP_COPY, 2, operands));
            CHECK_OK(pymic2_stream_sync(stream));
            read_array(&z, nv, got);
            int failures = 0;
            for (int i = 0; i < nv; i++) {
                value want = reference_convert((pymic2_dtype)from, (pymic2_dtype)to, values[i]);
                if (!same_value((pymic2_dtype)to, got[i], want, 0) && failures++ < 3)
                    fprintf(stderr, "copy %s -> %s of %lld / %g%+gi: got %lld / %g%+gi, want "
                            "%lld / %g%+gi\n", pymic2_dtype_name((pymic2_dtype)from),
                            pymic2_dtype_name((pymic2_dtype)to), (long long)values[i].i,
                            values[i].re, values[i].im, (long long)got[i].i, got[i].re,
                            got[i].im, (long long)want.i, want.re, want.im);
            }
            CHECK(failures == 0);
            free_array(&x);
            free_array(&z);
        }
    }
    /* spot checks of the documented choices, independent of reference_convert */
    value special[4] = {{0, NAN_D, 0}, {0, -0.0, 0}, {0, 300.0, 0}, {0, -1.0, 0}};
    array x = make_array(CONTIGUOUS, PYMIC2_FLOAT64, 4, special);
    static const struct { pymic2_dtype to; int64_t want[4]; } expect[] = {
        {PYMIC2_INT64, {INT64_MIN, 0, 300, -1}}, {PYMIC2_INT32, {INT32_MIN, 0, 300, -1}},
        {PYMIC2_INT8, {0, 0, 44, -1}},           {PYMIC2_UINT8, {0, 0, 44, 255}},
        {PYMIC2_UINT16, {0, 0, 300, 65535}},     {PYMIC2_UINT32, {0, 0, 300, UINT32_MAX}},
        {PYMIC2_UINT64, {INT64_MIN, 0, 300, -1}}, /* uint64 as bits: 2**63, 2**64 - 1 */
        {PYMIC2_BOOL, {1, 0, 1, 1}}};
    for (size_t e = 0; e < sizeof expect / sizeof expect[0]; e++) {
        value zeros[4] = {{0}}, got[4];
        array z = make_array(CONTIGUOUS, expect[e].to, 4, zeros);
        pymic2_operand operands[2] = {x.operand, z.operand};
        CHECK_OK(launch(PYMIC2_OP_COPY, 2, operands));
        read_array(&z, 4, got);
        for (int i = 0; i < 4; i++)
            CHECK(got[i].i == expect[e].want[i]);
        free_array(&z);
    }
    /* -0.0 keeps its sign float64 -> float32 -> complex128 */
    value negzero[1] = {{0, -0.0, 0}}, got[1];
    array z32 = make_array(CONTIGUOUS, PYMIC2_FLOAT32, 1, negzero);
    array zc = make_array(CONTIGUOUS, PYMIC2_COMPLEX128, 1, negzero);
    pymic2_operand first[2] = {x.operand, z32.operand};
    first[0].offset = 8; /* special[1] */
    first[0].shape[0] = first[1].shape[0] = 1;
    CHECK_OK(launch(PYMIC2_OP_COPY, 2, first));
    pymic2_operand second[2] = {z32.operand, zc.operand};
    CHECK_OK(launch(PYMIC2_OP_COPY, 2, second));
    read_array(&zc, 1, got);
    CHECK(got[0].re == 0 && signbit(got[0].re) && got[0].im == 0 && !signbit(got[0].im));
    free_array(&z32);
    free_array(&zc);
    free_array(&x);

    /* a scalar input fills the output, converting */
    value twelve = {0, 12.75, 0};
    array fill = make_array(SCALAR, PYMIC2_FLOAT64, 1, &twelve);
    value zeros[N_ELEMENTS], filled[N_ELEMENTS];
    memset(zeros, 0, sizeof zeros);
    array out = make_array(REVERSED, PYMIC2_INT32, N_ELEMENTS, zeros);
    pymic2_operand operands[2] = {fill.operand, out.operand};
    CHECK_OK(launch(PYMIC2_OP_COPY, 2, operands));
    read_array(&out, N_ELEMENTS, filled);
    int all = 1;
    for (int i = 0; i < N_ELEMENTS; i++)
        all &= filled[i].i == 12;
    CHECK(all);
    free_array(&out);
}

/* Bool bytes other than 0 and 1 read as true; ops write 0 or 1. */
static void test_bool_bytes(void)
{
    const uint8_t raw[4] = {0, 2, 255, 0}, zero[4] = {0, 0, 0, 0};
    uint8_t sum[4], product[4];
    int32_t converted[4];
    pymic2_buffer *buffer = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, 64, 0, &buffer));
    CHECK_OK(pymic2_memcpy_h2d(stream, buffer, 0, raw, 4));
    CHECK_OK(pymic2_memcpy_h2d(stream, buffer, 4, zero, 4));
    int64_t n = 4;
    pymic2_operand operands[3];
    pymic2_operand_contiguous(&operands[0], buffer, 0, PYMIC2_BOOL, 1, &n);
    pymic2_operand_contiguous(&operands[1], buffer, 4, PYMIC2_BOOL, 1, &n);
    pymic2_operand_contiguous(&operands[2], buffer, 8, PYMIC2_BOOL, 1, &n);
    CHECK_OK(launch(PYMIC2_OP_ADD, 3, operands));
    CHECK_OK(pymic2_memcpy_d2h(stream, sum, buffer, 8, 4));
    operands[1] = operands[0];
    CHECK_OK(launch(PYMIC2_OP_MULTIPLY, 3, operands));
    CHECK_OK(pymic2_memcpy_d2h(stream, product, buffer, 8, 4));
    pymic2_operand_contiguous(&operands[1], buffer, 16, PYMIC2_INT32, 1, &n);
    CHECK_OK(launch(PYMIC2_OP_COPY, 2, operands));
    CHECK_OK(pymic2_memcpy_d2h(stream, converted, buffer, 16, 16));
    CHECK_OK(pymic2_stream_sync(stream));
    for (int i = 0; i < 4; i++) {
        int truth = raw[i] != 0;
        CHECK(sum[i] == truth && product[i] == truth && converted[i] == truth);
    }
    CHECK_OK(pymic2_buffer_release(buffer));
}

/* ---------------------------------------------------------------- shapes and strides */

/* A float64 view into a buffer, in elements. */
typedef struct view {
    int ndim;
    int64_t shape[4];
    int64_t strides[4];
    int64_t offset;
} view;

static pymic2_operand operand_of(pymic2_buffer *buffer, view v)
{
    pymic2_operand op;
    memset(&op, 0, sizeof op);
    op.buffer = buffer;
    op.dtype = PYMIC2_FLOAT64;
    op.ndim = v.ndim;
    op.offset = v.offset * 8;
    for (int d = 0; d < v.ndim; d++) {
        op.shape[d] = v.shape[d];
        op.strides[d] = v.strides[d] * 8;
    }
    return op;
}

/* Element of v at the output index (NumPy broadcasting: right-aligned, size 1 repeats). */
static int64_t broadcast_offset(view v, int out_ndim, const int64_t *index)
{
    int64_t at = v.offset;
    for (int d = 0; d < v.ndim; d++) {
        int64_t i = index[out_ndim - v.ndim + d];
        at += (v.shape[d] == 1 ? 0 : i) * v.strides[d];
    }
    return at;
}

static pymic2_buffer *upload_doubles(const double *data, int64_t n)
{
    pymic2_buffer *buffer = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, (size_t)(n > 0 ? n : 1) * 8, 0, &buffer));
    if (n > 0)
        CHECK_OK(pymic2_memcpy_h2d(stream, buffer, 0, data, (size_t)n * 8));
    return buffer;
}

/* out = a + b (b may be NULL: a scalar 0.25) on float64 views of buffers of the given sizes,
 * checked element by element; output slots the view does not cover must keep their -7. */
static void check_add_views(const char *name, view a, int64_t a_size, view b, int64_t b_size,
                            int b_scalar, view out, int64_t out_size, int in_place)
{
    double *ha = malloc((size_t)(a_size + 1) * 8), *hb = malloc((size_t)(b_size + 1) * 8);
    double *ho = malloc((size_t)(out_size + 1) * 8), *got = malloc((size_t)(out_size + 1) * 8);
    for (int64_t i = 0; i < a_size; i++)
        ha[i] = 1 + 0.5 * (double)i;
    for (int64_t i = 0; i < b_size; i++)
        hb[i] = 1000 * (double)(i + 1);
    for (int64_t i = 0; i < out_size; i++)
        ho[i] = in_place ? ha[i] : -7;
    pymic2_buffer *ba = upload_doubles(ha, a_size), *bb = upload_doubles(hb, b_size);
    pymic2_buffer *bo = in_place ? ba : upload_doubles(ho, out_size);
    pymic2_operand operands[3] = {operand_of(ba, a), operand_of(bb, b), operand_of(bo, out)};
    if (b_scalar)
        pymic2_operand_scalar(&operands[1], PYMIC2_FLOAT64, (pymic2_scalar){.f64 = 0.25});
    CHECK_OK(launch(PYMIC2_OP_ADD, 3, operands));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK_OK(pymic2_memcpy_d2h(stream, got, bo, 0, (size_t)out_size * 8));
    CHECK_OK(pymic2_stream_sync(stream));

    /* expected: start from the untouched output, write every element of the view */
    int64_t total = 1;
    for (int d = 0; d < out.ndim; d++)
        total *= out.shape[d];
    for (int64_t flat = 0; flat < total; flat++) {
        int64_t index[4], rest = flat;
        for (int d = out.ndim - 1; d >= 0; d--) {
            index[d] = rest % out.shape[d];
            rest /= out.shape[d];
        }
        double x = ha[broadcast_offset(a, out.ndim, index)];
        double y = b_scalar ? 0.25 : hb[broadcast_offset(b, out.ndim, index)];
        ho[broadcast_offset(out, out.ndim, index)] = x + y;
    }
    int64_t wrong = 0;
    for (int64_t i = 0; i < out_size; i++)
        wrong += got[i] != ho[i];
    if (wrong)
        fprintf(stderr, "%s: %lld of %lld output slots differ\n", name, (long long)wrong,
                (long long)out_size);
    CHECK(wrong == 0);
    CHECK_OK(pymic2_buffer_release(ba));
    CHECK_OK(pymic2_buffer_release(bb));
    if (!in_place)
        CHECK_OK(pymic2_buffer_release(bo));
    free(ha);
    free(hb);
    free(ho);
    free(got);
}

static void test_shapes_and_strides(void)
{
    view c34 = {2, {3, 4}, {4, 1}, 0};
    check_add_views("row", c34, 12, (view){1, {4}, {1}, 0}, 4, 0, c34, 12, 0);
    check_add_views("column", c34, 12, (view){2, {3, 1}, {1, 1}, 0}, 3, 0, c34, 12, 0);
    check_add_views("outer", (view){2, {3, 1}, {1, 99}, 0}, 3, (view){2, {1, 4}, {99, 1}, 0}, 4,
                    0, c34, 12, 0);
    check_add_views("scalar", c34, 12, c34, 1, 1, c34, 12, 0);
    check_add_views("transposed", (view){2, {4, 3}, {1, 4}, 0}, 12, (view){2, {4, 3}, {3, 1}, 0},
                    12, 0, (view){2, {4, 3}, {3, 1}, 0}, 12, 0);
    check_add_views("reversed 2-D", (view){2, {3, 4}, {-4, -1}, 11}, 12, c34, 12, 0, c34, 12, 0);
    check_add_views("reversed output", c34, 12, c34, 12, 0, (view){2, {3, 4}, {-4, -1}, 11}, 12,
                    0);
    check_add_views("strided output", c34, 12, c34, 12, 0, (view){2, {3, 4}, {8, 2}, 1}, 24, 0);
    check_add_views("size-1 dims", (view){3, {1, 5, 1}, {5, 1, 1}, 0}, 5,
                    (view){2, {5, 1}, {1, 1}, 0}, 5, 0, (view){3, {1, 5, 1}, {5, 1, 1}, 0}, 5, 0);
    check_add_views("size-0 dim", (view){2, {0, 4}, {4, 1}, 0}, 4, (view){1, {4}, {1}, 0}, 4, 0,
                    (view){2, {0, 4}, {4, 1}, 0}, 4, 0);
    check_add_views("0-d output", (view){0, {0}, {0}, 2}, 3, (view){0, {0}, {0}, 0}, 1, 1,
                    (view){0, {0}, {0}, 1}, 3, 0);
    check_add_views("in place", c34, 12, (view){1, {4}, {1}, 0}, 4, 0, c34, 12, 1);
    check_add_views("4-d mixed", (view){4, {2, 3, 4, 5}, {60, 20, 5, 1}, 0}, 120,
                    (view){3, {3, 1, 5}, {-5, 1, 1}, 10}, 15, 0,
                    (view){4, {2, 3, 4, 5}, {1, 2, 6, 24}, 0}, 120, 0);

    /* large enough for the team: 8 MiB per operand, contiguous and transposed */
    view big = {2, {1024, 1024}, {1024, 1}, 0};
    check_add_views("large contiguous", big, 1 << 20, big, 1 << 20, 0, big, 1 << 20, 0);
    check_add_views("large transposed", (view){2, {1024, 1024}, {1, 1024}, 0}, 1 << 20,
                    (view){1, {1024}, {1}, 0}, 1024, 0, big, 1 << 20, 0);
    check_add_views("large in place", big, 1 << 20, big, 1 << 20, 1, big, 1 << 20, 1);
}

/* The team path directly, with three members: pieces then start in the middle of rows. */
static void test_team_pieces(void)
{
    pymic2__team *team = NULL;
    pymic2__team_config config = {3, NULL, PYMIC2__SPIN_NS};
    CHECK_OK(pymic2__team_create(&config, &team));
    if (team == NULL)
        return;
    enum { ROWS = 700, COLS = 30, PITCH = 32 }; /* padded rows: dimensions do not merge */
    int64_t n = ROWS * PITCH;
    int64_t *ha = malloc((size_t)n * 8), *got = malloc((size_t)n * 8);
    for (int64_t i = 0; i < n; i++)
        ha[i] = i * 977 - 5000000;
    pymic2_buffer *ba = NULL, *bo = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, (size_t)n * 8, 0, &ba));
    CHECK_OK(pymic2_buffer_alloc(device, (size_t)n * 8, 0, &bo));
    CHECK_OK(pymic2_memcpy_h2d(stream, ba, 0, ha, (size_t)n * 8));
    CHECK_OK(pymic2_memcpy_h2d(stream, bo, 0, ha, (size_t)n * 8));
    CHECK_OK(pymic2_stream_sync(stream));

    pymic2_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.op = PYMIC2_OP_MULTIPLY;
    desc.noperands = 3;
    int64_t shape[2] = {ROWS, COLS};
    for (int k = 0; k < 3; k++) {
        pymic2_operand_contiguous(&desc.operands[k], k == 2 ? bo : ba, 0, PYMIC2_INT64, 2, shape);
        desc.operands[k].strides[0] = PITCH * 8;
    }
    desc.operands[1].strides[1] = 0; /* already normalised: column 0 broadcast along rows */
    CHECK_OK(pymic2__host_run_op(team, &desc));
    CHECK_OK(pymic2_memcpy_d2h(stream, got, bo, 0, (size_t)n * 8));
    CHECK_OK(pymic2_stream_sync(stream));
    int64_t wrong = 0;
    for (int64_t r = 0; r < ROWS; r++)
        for (int64_t c = 0; c < PITCH; c++) {
            int64_t i = r * PITCH + c;
            int64_t want = c < COLS ? wrap(PYMIC2_INT64, (__int128)ha[i] * ha[r * PITCH]) : ha[i];
            wrong += got[i] != want;
        }
    CHECK(wrong == 0);

    /* an array exponent below zero fails the whole op with NumPy's message */
    desc.op = PYMIC2_OP_POWER;
    CHECK_STATUS(pymic2__host_run_op(team, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("Integers to negative integer powers are not allowed.");
    CHECK_STATUS(pymic2__host_run_op(NULL, &desc), PYMIC2_EINVAL);

    pymic2__team_destroy(team);
    CHECK_OK(pymic2_buffer_release(ba));
    CHECK_OK(pymic2_buffer_release(bo));
    free(ha);
    free(got);
}

/* ---------------------------------------------------------------- errors */

static void test_errors(void)
{
    pymic2_buffer *buffer = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, 4096, 0, &buffer));
    int64_t s34[2] = {3, 4}, s4[1] = {4}, s5[1] = {5};
    pymic2_operand a, b, out;
    pymic2_operand_contiguous(&a, buffer, 0, PYMIC2_FLOAT64, 2, s34);
    pymic2_operand_contiguous(&b, buffer, 0, PYMIC2_FLOAT64, 1, s5);
    pymic2_operand_contiguous(&out, buffer, 1024, PYMIC2_FLOAT64, 2, s34);

    pymic2_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.op = PYMIC2_OP_ADD;
    desc.noperands = 3;
    desc.operands[0] = a;
    desc.operands[1] = b;
    desc.operands[2] = out;
    CHECK_STATUS(pymic2_op_launch(stream, &desc), PYMIC2_ESHAPE);
    CHECK_MESSAGE_HAS("operands could not be broadcast together with shapes (3,4) (5,) (3,4)");
    CHECK_MESSAGE_HAS("host:0");

    pymic2_operand_contiguous(&desc.operands[1], buffer, 0, PYMIC2_FLOAT64, 1, s4);
    pymic2_operand_contiguous(&desc.operands[2], buffer, 1024, PYMIC2_FLOAT64, 1, s4);
    CHECK_STATUS(pymic2_op_launch(stream, &desc), PYMIC2_ESHAPE);
    CHECK_MESSAGE_HAS("non-broadcastable output operand with shape (4,) doesn't match the "
                      "broadcast shape (3,4)");

    pymic2_op_desc good = desc; /* (3,4) + (4,) -> (3,4): valid; each case below breaks one thing */
    good.operands[2] = out;
    CHECK_OK(pymic2_op_launch(stream, &good));

    pymic2_op_desc bad = good;
    bad.op = (pymic2_op)99;
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("op 99");
    CHECK_STATUS(pymic2_op_launch(NULL, &good), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_op_launch(stream, NULL), PYMIC2_EINVAL);
    bad = good;
    bad.noperands = 2;
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("add takes 2 inputs");
    bad = good;
    pymic2_operand_scalar(&bad.operands[2], PYMIC2_FLOAT64, (pymic2_scalar){.f64 = 1});
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("the output is a scalar");
    bad = good;
    bad.operands[0].ndim = PYMIC2_MAX_DIMS + 1;
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("ndim 33");
    bad = good;
    bad.operands[1].shape[0] = -4;
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("negative dimension");
    bad = good;
    bad.operands[2].strides[0] = 0;
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("stride 0");

    /* dtypes */
    bad = good;
    bad.operands[1].dtype = PYMIC2_INT32;
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("input 1 is int32");
    bad = good;
    bad.operands[2].dtype = PYMIC2_COMPLEX128;
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("add of float64 gives float64, but the output is complex128");
    bad = good;
    bad.operands[0].dtype = (pymic2_dtype)42;
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_EDTYPE);
    for (int k = 0; k < 3; k++)
        bad.operands[k].dtype = PYMIC2_BOOL;
    bad.op = PYMIC2_OP_SUBTRACT;
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("numpy boolean subtract, the `-` operator, is not supported");
    bad.op = PYMIC2_OP_POWER;
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("power");
    bad.op = PYMIC2_OP_NEGATIVE;
    bad.noperands = 2;
    bad.operands[1] = bad.operands[2];
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("numpy boolean negative");
    bad.op = PYMIC2_OP_ABSOLUTE;
    bad.operands[0].dtype = PYMIC2_COMPLEX128;
    bad.operands[1].dtype = PYMIC2_COMPLEX128;
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("absolute of complex128 gives float64");

    /* bounds */
    bad = good;
    bad.operands[2].offset = 4096 - 95; /* 96 bytes from there pass the end */
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_ERANGE);
    CHECK_MESSAGE_HAS("output");
    bad = good;
    bad.operands[0].strides[0] = -32; /* rows go before the start */
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_ERANGE);
    CHECK_MESSAGE_HAS("input 0");
    bad = good;
    bad.operands[1].strides[0] = INT64_MAX / 2;
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_ERANGE);
    bad = good;
    bad.operands[1].offset = -8;
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_ERANGE);
    bad = good;
    bad.operands[1].shape[0] = 0; /* (3,4) + (0,) cannot broadcast ... */
    CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_ESHAPE);
    bad.operands[0].shape[1] = bad.operands[2].shape[1] = 0; /* ... but (3,0) + (0,) can */
    bad.operands[1].offset = 1 << 20;                        /* and addresses nothing */
    CHECK_OK(pymic2_op_launch(stream, &bad));

    /* integer power: a scalar negative exponent at launch, an array one at sync */
    int64_t s3[1] = {3};
    pymic2_op_desc power;
    memset(&power, 0, sizeof power);
    power.op = PYMIC2_OP_POWER;
    power.noperands = 3;
    pymic2_operand_contiguous(&power.operands[0], buffer, 0, PYMIC2_INT32, 1, s3);
    pymic2_operand_scalar(&power.operands[1], PYMIC2_INT32, (pymic2_scalar){.i32 = -1});
    pymic2_operand_contiguous(&power.operands[2], buffer, 64, PYMIC2_INT32, 1, s3);
    CHECK_STATUS(pymic2_op_launch(stream, &power), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("Integers to negative integer powers are not allowed.");
    int32_t exponents[3] = {2, -1, 0};
    pymic2_stream *side = NULL;
    CHECK_OK(pymic2_stream_create(device, &side));
    CHECK_OK(pymic2_memcpy_h2d(side, buffer, 128, exponents, sizeof exponents));
    pymic2_operand_contiguous(&power.operands[1], buffer, 128, PYMIC2_INT32, 1, s3);
    CHECK_OK(pymic2_op_launch(side, &power));
    CHECK_STATUS(pymic2_stream_sync(side), PYMIC2_EASYNC); /* the core's code for "see below" */
    CHECK_MESSAGE_HAS("PYMIC2_EINVAL");
    CHECK_MESSAGE_HAS("Integers to negative integer powers are not allowed.");
    CHECK_OK(pymic2_stream_destroy(side));

    /* a buffer of another device */
    int count = 0;
    pymic2_device *other = NULL;
    CHECK_OK(pymic2_device_count(&count));
    if (count >= 2 && pymic2_device_find("host:1", &other) == PYMIC2_OK) {
        pymic2_buffer *elsewhere = NULL;
        CHECK_OK(pymic2_buffer_alloc(other, 4096, 0, &elsewhere));
        bad = good;
        bad.operands[1].buffer = elsewhere;
        CHECK_STATUS(pymic2_op_launch(stream, &bad), PYMIC2_EDEVICE);
        CHECK_MESSAGE_HAS("host:1");
        CHECK_MESSAGE_HAS("host:0");
        CHECK_OK(pymic2_buffer_release(elsewhere));
    } else {
        printf("skipped: EDEVICE needs a second device (PYMIC2_HOST_DEVICES=2)\n");
    }

    CHECK_OK(pymic2_stream_sync(stream));
    CHECK_OK(pymic2_buffer_release(buffer));
}

/* ---------------------------------------------------------------- clip, where, arange */

static void test_ternary_and_arange(void)
{
    /* clip with array bounds (NaN propagates from any operand) and with scalar bounds */
    value x[N_ELEMENTS], lo[N_ELEMENTS], hi[N_ELEMENTS], got[N_ELEMENTS], zeros[N_ELEMENTS];
    memset(zeros, 0, sizeof zeros);
    for (int t = PYMIC2_INT8; t <= PYMIC2_FLOAT64; t++) {
        pymic2_dtype dt = (pymic2_dtype)t;
        value values[MAX_VALUES];
        int nv = test_values(dt, values);
        for (int i = 0; i < N_ELEMENTS; i++) {
            x[i] = values[i % nv];
            lo[i] = values[(i * 5 + 1) % nv];
            hi[i] = values[(i * 3 + 2) % nv];
        }
        for (int scalar_bounds = 0; scalar_bounds < 2; scalar_bounds++) {
            array a = make_array(REVERSED, dt, N_ELEMENTS, x);
            array l = make_array(scalar_bounds ? SCALAR : CONTIGUOUS, dt, N_ELEMENTS, lo);
            array h = make_array(scalar_bounds ? SCALAR : SPREAD, dt, N_ELEMENTS, hi);
            array z = make_array(CONTIGUOUS, dt, N_ELEMENTS, zeros);
            pymic2_operand operands[4] = {a.operand, l.operand, h.operand, z.operand};
            CHECK_OK(launch(PYMIC2_OP_CLIP, 4, operands));
            read_array(&z, N_ELEMENTS, got);
            int failures = 0;
            for (int i = 0; i < N_ELEMENTS; i++) {
                value low = scalar_bounds ? lo[0] : lo[i], high = scalar_bounds ? hi[0] : hi[i];
                value want;
                if (is_float(dt)) {
                    double r = isnan(x[i].re) || isnan(low.re) || isnan(high.re) ? NAN
                               : fmin(fmax(x[i].re, low.re), high.re);
                    want = (value){0, r, 0};
                } else {
                    int64_t r = x[i].i < low.i ? low.i : x[i].i;
                    want = (value){r > high.i ? high.i : r, 0, 0};
                }
                failures += !same_value(dt, got[i], want, 1e-300);
            }
            CHECK(failures == 0);
            free_array(&a);
            free_array(&l);
            free_array(&h);
            free_array(&z);
        }
    }

    /* where(cond, x, y) for every dtype, the condition with bytes other than 0 and 1 */
    for (int t = 0; t < PYMIC2_NUM_DTYPES; t++) {
        pymic2_dtype dt = (pymic2_dtype)t;
        value values[MAX_VALUES], cond[N_ELEMENTS];
        int nv = test_values(dt, values);
        for (int i = 0; i < N_ELEMENTS; i++) {
            x[i] = values[i % nv];
            lo[i] = values[(i * 7 + 3) % nv];
            cond[i] = (value){i % 3 == 0, 0, 0};
        }
        array c = make_array(SPREAD, PYMIC2_BOOL, N_ELEMENTS, cond);
        array a = make_array(CONTIGUOUS, dt, N_ELEMENTS, x);
        array b = make_array(SCALAR, dt, N_ELEMENTS, lo);
        array z = make_array(REVERSED, dt, N_ELEMENTS, zeros);
        pymic2_operand operands[4] = {c.operand, a.operand, b.operand, z.operand};
        CHECK_OK(launch(PYMIC2_OP_WHERE, 4, operands));
        read_array(&z, N_ELEMENTS, got);
        int failures = 0;
        for (int i = 0; i < N_ELEMENTS; i++)
            failures += !same_value(dt, got[i], cond[i].i ? x[i] : lo[0], 0);
        CHECK(failures == 0);
        operands[0].dtype = PYMIC2_INT8; /* the condition must be bool */
        CHECK_STATUS(launch(PYMIC2_OP_WHERE, 4, operands), PYMIC2_EDTYPE);
        CHECK_MESSAGE_HAS("must be bool");
        free_array(&c);
        free_array(&a);
        free_array(&b);
        free_array(&z);
    }

    /* arange, long enough for the team to split it: start + i * ((start + step) - start) */
    enum { LONG = 200003 };
    pymic2_buffer *buffer = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, LONG * 8, 0, &buffer));
    int64_t n = LONG;
    pymic2_operand operands[3];
    pymic2_operand_scalar(&operands[0], PYMIC2_FLOAT64, (pymic2_scalar){.f64 = 0.1});
    pymic2_operand_scalar(&operands[1], PYMIC2_FLOAT64, (pymic2_scalar){.f64 = 0.3});
    pymic2_operand_contiguous(&operands[2], buffer, 0, PYMIC2_FLOAT64, 1, &n);
    CHECK_OK(launch(PYMIC2_OP_ARANGE, 3, operands));
    double *host = malloc(LONG * 8);
    CHECK_OK(pymic2_memcpy_d2h(stream, host, buffer, 0, LONG * 8));
    CHECK_OK(pymic2_stream_sync(stream));
    double delta = (0.1 + 0.3) - 0.1;
    int failures = 0;
    for (int64_t i = 0; i < LONG; i++)
        failures += host[i] != 0.1 + (double)i * delta;
    CHECK(failures == 0);
    /* int32, written backwards with a negative stride, wrapping */
    n = 1000;
    pymic2_operand_scalar(&operands[0], PYMIC2_INT32, (pymic2_scalar){.i32 = INT32_MAX - 5});
    pymic2_operand_scalar(&operands[1], PYMIC2_INT32, (pymic2_scalar){.i32 = 3});
    pymic2_operand_contiguous(&operands[2], buffer, 999 * 4, PYMIC2_INT32, 1, &n);
    operands[2].strides[0] = -4;
    CHECK_OK(launch(PYMIC2_OP_ARANGE, 3, operands));
    int32_t *ints = (int32_t *)host;
    CHECK_OK(pymic2_memcpy_d2h(stream, ints, buffer, 0, 1000 * 4));
    CHECK_OK(pymic2_stream_sync(stream));
    failures = 0;
    for (int64_t i = 0; i < 1000; i++)
        failures += ints[999 - i] != (int32_t)wrap(PYMIC2_INT32, (__int128)INT32_MAX - 5 + 3 * i);
    CHECK(failures == 0);
    operands[0].buffer = buffer; /* start must be a scalar */
    CHECK_STATUS(launch(PYMIC2_OP_ARANGE, 3, operands), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("must be a scalar");
    pymic2_operand_scalar(&operands[0], PYMIC2_BOOL, (pymic2_scalar){.b = 1});
    pymic2_operand_scalar(&operands[1], PYMIC2_BOOL, (pymic2_scalar){.b = 1});
    operands[2].dtype = PYMIC2_BOOL;
    CHECK_STATUS(launch(PYMIC2_OP_ARANGE, 3, operands), PYMIC2_EDTYPE);
    free(host);
    CHECK_OK(pymic2_buffer_release(buffer));
}

/* Rejections carry NumPy's reason. */
static void test_rejected_dtypes(void)
{
    pymic2_buffer *buffer = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, 256, 0, &buffer));
    int64_t n = 4;
    pymic2_operand operands[3];
    pymic2_operand_contiguous(&operands[0], buffer, 0, PYMIC2_INT32, 1, &n);
    pymic2_operand_contiguous(&operands[1], buffer, 64, PYMIC2_INT32, 1, &n);
    pymic2_operand_contiguous(&operands[2], buffer, 128, PYMIC2_INT32, 1, &n);
    CHECK_STATUS(launch(PYMIC2_OP_DIVIDE, 3, operands), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("cast the input to float64 first");
    CHECK_STATUS(launch(PYMIC2_OP_EQUAL, 3, operands), PYMIC2_EDTYPE); /* output must be bool */
    CHECK_MESSAGE_HAS("equal of int32 gives bool");
    for (int k = 0; k < 3; k++)
        operands[k].dtype = PYMIC2_FLOAT32;
    CHECK_STATUS(launch(PYMIC2_OP_BITWISE_AND, 3, operands), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("bitwise operations are not defined for floats");
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK_OK(pymic2_buffer_release(buffer));
}

static void test_dtype_table(void)
{
    static const size_t sizes[PYMIC2_NUM_DTYPES] = {1, 1, 1, 2, 2, 4, 4, 8, 8, 2, 4, 8, 8, 16};
    static const char *const names[PYMIC2_NUM_DTYPES] = {
        "bool",    "int8",    "uint8",   "int16",     "uint16",    "int32",  "uint32", "int64",
        "uint64",  "float16", "float32", "float64",   "complex64", "complex128"};
    for (int t = 0; t < PYMIC2_NUM_DTYPES; t++) {
        CHECK(pymic2_dtype_size((pymic2_dtype)t) == sizes[t]);
        CHECK(strcmp(pymic2_dtype_name((pymic2_dtype)t), names[t]) == 0);
    }
    CHECK(pymic2_dtype_size(PYMIC2_NUM_DTYPES) == 0);
    CHECK(pymic2_dtype_name((pymic2_dtype)-1) == NULL);
    pymic2_operand op;
    int64_t shape[3] = {2, 3, 5};
    CHECK_OK(pymic2_operand_contiguous(&op, NULL, 16, PYMIC2_INT32, 3, shape));
    CHECK(op.strides[0] == 60 && op.strides[1] == 20 && op.strides[2] == 4 && op.offset == 16);
    CHECK_STATUS(pymic2_operand_contiguous(&op, NULL, 0, PYMIC2_NUM_DTYPES, 3, shape),
                 PYMIC2_EDTYPE);
    CHECK_STATUS(pymic2_operand_contiguous(&op, NULL, 0, PYMIC2_INT8, 40, shape), PYMIC2_EINVAL);
    CHECK(pymic2_dtype_kind(PYMIC2_UINT8) == 'u' && pymic2_dtype_kind(PYMIC2_INT8) == 'i' &&
          pymic2_dtype_kind(PYMIC2_BOOL) == 'b' && pymic2_dtype_kind(PYMIC2_COMPLEX128) == 'c' &&
          pymic2_dtype_kind(PYMIC2_NUM_DTYPES) == 0);
}

/* Promotion (the exhaustive check against NumPy is tests/python/test_dtype_table.py). */
static void test_promotion(void)
{
    pymic2_dtype result;
    CHECK_OK(pymic2_dtype_promote(PYMIC2_INT8, PYMIC2_UINT8, &result));
    CHECK(result == PYMIC2_INT16);
    CHECK_OK(pymic2_dtype_promote(PYMIC2_UINT64, PYMIC2_INT64, &result));
    CHECK(result == PYMIC2_FLOAT64);
    CHECK_OK(pymic2_dtype_promote(PYMIC2_INT64, PYMIC2_FLOAT32, &result));
    CHECK(result == PYMIC2_FLOAT64);
    CHECK_OK(pymic2_dtype_promote(PYMIC2_BOOL, PYMIC2_COMPLEX128, &result));
    CHECK(result == PYMIC2_COMPLEX128);
    CHECK_STATUS(pymic2_dtype_promote(PYMIC2_BOOL, PYMIC2_NUM_DTYPES, &result), PYMIC2_EINVAL);
    pymic2_type type;
    /* NEP 50: a weak Python float keeps float32, a weak complex makes it complex64 */
    CHECK_OK(pymic2_promote_types(pymic2_dtype_type(PYMIC2_FLOAT32), (pymic2_type){'f', 0},
                                  &type));
    CHECK(type.kind == 'f' && type.size == 4);
    CHECK_OK(pymic2_promote_types((pymic2_type){'c', 0}, pymic2_dtype_type(PYMIC2_FLOAT32),
                                  &type));
    CHECK(type.kind == 'c' && type.size == 8);
    CHECK_OK(pymic2_dtype_for_type(type, &result));
    CHECK(result == PYMIC2_COMPLEX64);
    CHECK_OK(pymic2_dtype_for_type((pymic2_type){'f', 2}, &result));
    CHECK(result == PYMIC2_FLOAT16);
    CHECK_OK(pymic2_dtype_promote(PYMIC2_FLOAT16, PYMIC2_UINT8, &result));
    CHECK(result == PYMIC2_FLOAT16);
    CHECK_OK(pymic2_dtype_promote(PYMIC2_INT16, PYMIC2_FLOAT16, &result));
    CHECK(result == PYMIC2_FLOAT32);
    /* several types: NumPy's order, not a left fold (int8 + uint8 would be int16 first) */
    const pymic2_type three[3] = {{'i', 1}, {'u', 1}, {'f', 2}};
    CHECK_OK(pymic2_promote_sequence(3, three, &type));
    CHECK(type.kind == 'f' && type.size == 2);
    const pymic2_type with_scalar[3] = {{'i', 1}, {'u', 1}, {'f', 0}};
    CHECK_OK(pymic2_promote_sequence(3, with_scalar, &type));
    CHECK(type.kind == 'f' && type.size == 8);
    CHECK_STATUS(pymic2_promote_sequence(0, three, &type), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_dtype_for_type((pymic2_type){'f', 16}, &result), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("float128");
    CHECK_STATUS(pymic2_promote_types((pymic2_type){'x', 4}, (pymic2_type){'i', 4}, &type),
                 PYMIC2_EINVAL);
    CHECK_OK(pymic2_op_result_dtype(PYMIC2_OP_ABSOLUTE, PYMIC2_COMPLEX128, &result));
    CHECK(result == PYMIC2_FLOAT64);
    CHECK_OK(pymic2_op_result_dtype(PYMIC2_OP_ABSOLUTE, PYMIC2_COMPLEX64, &result));
    CHECK(result == PYMIC2_FLOAT32);
    CHECK_OK(pymic2_op_result_dtype(PYMIC2_OP_LESS, PYMIC2_INT8, &result));
    CHECK(result == PYMIC2_BOOL);
    CHECK_OK(pymic2_op_result_dtype(PYMIC2_OP_ADD, PYMIC2_UINT8, &result));
    CHECK(result == PYMIC2_UINT8);
    CHECK_STATUS(pymic2_op_result_dtype(PYMIC2_NUM_OPS, PYMIC2_UINT8, &result), PYMIC2_EINVAL);
}

/* pymic2_view_extent: reversed and broadcast strides, empty views, overflow. */
static void test_view_extent(void)
{
    int64_t first, end;
    CHECK_OK(pymic2_view_extent(40, 2, (int64_t[]){3, 4}, (int64_t[]){-16, 4}, 4, &first, &end));
    CHECK(first == 8 && end == 56);
    CHECK_OK(pymic2_view_extent(8, 1, (int64_t[]){5}, (int64_t[]){0}, 8, &first, &end));
    CHECK(first == 8 && end == 16);
    CHECK_OK(pymic2_view_extent(8, 0, NULL, NULL, 16, &first, &end));
    CHECK(first == 8 && end == 24);
    CHECK_OK(pymic2_view_extent(8, 2, (int64_t[]){0, 4}, (int64_t[]){INT64_MAX, 4}, 4, &first,
                                &end));
    CHECK(first == 8 && end == 8);
    CHECK_STATUS(pymic2_view_extent(0, 2, (int64_t[]){3, 3}, (int64_t[]){INT64_MAX / 2, 1}, 1,
                                    &first, &end),
                 PYMIC2_ERANGE);
}

/* pymic2_broadcast_shape: right alignment, 1s stretch (also to 0), conflicts. */
static void test_broadcast_shape(void)
{
    int ndim = 0;
    int64_t shape[PYMIC2_MAX_DIMS];
    CHECK(pymic2_broadcast_shape(&ndim, shape, 2, (int64_t[]){3, 1}));
    CHECK(pymic2_broadcast_shape(&ndim, shape, 3, (int64_t[]){2, 1, 4}));
    CHECK(pymic2_broadcast_shape(&ndim, shape, 0, NULL)); /* a 0-d array */
    CHECK(ndim == 3 && shape[0] == 2 && shape[1] == 3 && shape[2] == 4);
    CHECK(pymic2_broadcast_shape(&ndim, shape, 1, (int64_t[]){1}));
    CHECK(ndim == 3 && shape[2] == 4);
    CHECK(!pymic2_broadcast_shape(&ndim, shape, 1, (int64_t[]){5}));
    ndim = 0;
    CHECK(pymic2_broadcast_shape(&ndim, shape, 2, (int64_t[]){1, 0}));
    CHECK(pymic2_broadcast_shape(&ndim, shape, 2, (int64_t[]){3, 1}));
    CHECK(ndim == 2 && shape[0] == 3 && shape[1] == 0);
    CHECK(!pymic2_broadcast_shape(&ndim, shape, 1, (int64_t[]){2}));
}

int main(void)
{
    /* two devices (for EDEVICE) with a team of two each, unless the caller chose */
    setenv("PYMIC2_HOST_DEVICES", "2", 0);
    setenv("PYMIC2_NUM_THREADS", "2", 0);
    CHECK_OK(pymic2_device_find("host:0", &device));
    CHECK_OK(pymic2_stream_default(device, &stream));
    if (device == NULL || stream == NULL)
        return CHECK_DONE();
    test_dtype_table();
    test_promotion();
    test_view_extent();
    test_broadcast_shape();
    /* the loops of every SIMD target this CPU runs */
    for (size_t k = 0; k < CHECK_SIMD_TARGET_COUNT; k++) {
        if (!check_select_simd(check_simd_targets[k]))
            continue;
        test_every_op_and_dtype();
        test_ternary_and_arange();
    }
    test_rejected_dtypes();
    test_copy_all_pairs();
    test_bool_bytes();
    test_shapes_and_strides();
    test_team_pieces();
    test_errors();
    return CHECK_DONE();
}
