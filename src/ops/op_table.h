/*
 * op_table.h - what every built-in op computes, written once.
 *
 * Two X-macro tables drive everything else:
 *
 *   PYMIC2_DTYPE_TABLE (include/pymic2_dtypes.h): one row per dtype (C type, class, the
 *   unsigned type its integer arithmetic wraps in, its real counterpart, ...). dtypes.c and
 *   the loops are generated from it.
 *
 *   PYMIC2__OP_ROW_<NAME>: one row per op of pymic2_ops.h's list: the output dtype rule and
 *   the element function per dtype class. A class column is either
 *       PYMIC2__YES(expression)   - the op accepts the class and computes `expression`, or
 *       PYMIC2__NO("reason")      - the op rejects it (EDTYPE with that reason).
 *   Expressions see the inputs `a` (and `b`, `c`; arange also `index`), the input C type `T`, the wrapping unsigned
 *   type `W` (integer class only) and an int lvalue `invalid` to set when an input is not
 *   allowed (integer power's negative exponent). They are C, and use only helpers named
 *   pymic2__* (and C's operators, casts and math functions; the complex column uses only
 *   `+`, `-`, unary `-`, `?:` and the pymic2__c* helpers, which mean the same on OpenCL's
 *   float2 and double2). A backend for another language
 *   (OpenCL C) gets the text of one: PYMIC2__CALL(M, PYMIC2__OP_ROW_ADD) hands M the
 *   expanded columns (RULE, ok, expr, ok, expr, ...), and M stringifies the expr it wants;
 *   that backend then defines T, W, invalid and the pymic2__ helpers in its kernel source.
 *
 * Generators walk PYMIC2_OP_TABLE and fetch each op's row by name, so a listed op without a
 * row does not compile. Adding an op: a row in pymic2_ops.h, a row here, tests.
 */
#ifndef PYMIC2_OP_TABLE_H
#define PYMIC2_OP_TABLE_H

#include "pymic2.h"

#include <complex.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

/* ---------------------------------------------------------------- dtypes */

/* Classes of dtypes: an op's element function is written once per class. */
typedef enum pymic2__dtype_class {
    PYMIC2__CLASS_BOOL,
    PYMIC2__CLASS_INT,
    PYMIC2__CLASS_FLOAT,
    PYMIC2__CLASS_COMPLEX,
    PYMIC2__NUM_CLASSES
} pymic2__dtype_class;

/* The class of a dtype; valid dtypes only. */
pymic2__dtype_class pymic2__dtype_class_of(pymic2_dtype dtype);
/* The real counterpart (complex64 -> float32, complex128 -> float64, others -> themselves);
 * valid dtypes only. */
pymic2_dtype pymic2__dtype_real(pymic2_dtype dtype);
/* Whether arithmetic on the dtype needs float64 (float64 and complex128; OpenCL devices may
 * lack it); valid dtypes only. */
bool pymic2__dtype_needs_fp64(pymic2_dtype dtype);
/* The dtype a dtype's arithmetic runs in, its row's compute type (float16 -> float32; the
 * others themselves), and that type's size (the size of a scalar of the dtype as a kernel
 * argument); valid dtypes only. */
pymic2_dtype pymic2__dtype_compute(pymic2_dtype dtype);
size_t pymic2__dtype_compute_size(pymic2_dtype dtype);
/* A scalar of a valid dtype as an element in memory: pymic2_dtype_size(dtype) bytes at
 * element (float16: the float converted to half, exactly for the values the member holds). */
void pymic2__scalar_store(pymic2_dtype dtype, pymic2_scalar value, void *element);
/* The smallest and largest value of an integer dtype as int64 (uint64: up to INT64_MAX);
 * false for the other classes. */
bool pymic2__dtype_int_limits(pymic2_dtype dtype, int64_t *lowest, int64_t *highest);
/* Whether an integer or float scalar is below zero (false for bool and complex). */
bool pymic2__scalar_is_negative(pymic2_dtype dtype, pymic2_scalar value);
/* The names of the class's dtypes for messages: "int8, uint8, int32 or int64". */
void pymic2__dtype_names_of_class(pymic2__dtype_class dtype_class, char *text, size_t size);

/* ---------------------------------------------------------------- element helpers (C) */

/* Integer power by squaring in 64-bit unsigned arithmetic: truncating the result to a
 * narrower type gives the same bits as computing in that type, i.e. NumPy's wrap-around. */
static inline uint64_t pymic2__ipow(uint64_t base, uint64_t exponent)
{
    uint64_t result = 1;
    while (exponent) {
        if (exponent & 1)
            result *= base;
        base *= base;
        exponent >>= 1;
    }
    return result;
}

/* Float -> integer conversion, defined for every input (C leaves NaN, inf and out-of-range
 * values undefined). We follow what NumPy does on x86-64: int64 converts through a 64-bit
 * truncation, the narrower types through a 32-bit one (then wrap to their width), and a
 * value that truncation cannot represent (NaN, +-inf, out of range) becomes the minimum of
 * that intermediate type. So NaN -> int64 gives INT64_MIN, -> int32 INT32_MIN, -> int8 and
 * uint8 0; 300.0 -> uint8 gives 44, -1.0 -> uint8 255. */
static inline int64_t pymic2__float_to_i64(double value)
{
    return value >= -9223372036854775808.0 && value < 9223372036854775808.0 ? (int64_t)value
                                                                            : INT64_MIN;
}

static inline int32_t pymic2__float_to_i32(double value)
{
    return value >= -2147483648.0 && value < 2147483648.0 ? (int32_t)value : INT32_MIN;
}

/* Whether an integer type is unsigned (uint64's values do not fit int64_t arithmetic). */
#define PYMIC2__UNSIGNED(T) ((T)-1 > (T)0)
/* uint64 as x86-64's conversion: [2**63, 2**64) exactly, beyond (inf too) 0, the rest
 * through int64. uint32 goes through int64 (4e9 fits), as C's conversion does there. */
static inline uint64_t pymic2__float_to_u64(double value)
{
    if (value >= 9223372036854775808.0)
        return value < 18446744073709551616.0 ? (uint64_t)value : 0;
    return (uint64_t)pymic2__float_to_i64(value);
}
#define pymic2__float_to_int(TO, value)                                                \
    (sizeof(TO) == 8 && PYMIC2__UNSIGNED(TO)  ? (TO)pymic2__float_to_u64(value)         \
     : sizeof(TO) == 8 || (PYMIC2__UNSIGNED(TO) && sizeof(TO) == 4)                     \
         ? (TO)pymic2__float_to_i64(value)                                             \
         : (TO)pymic2__float_to_i32(value))

/*
 * Complex helpers. The complex column calls these instead of C's operators and <complex.h>
 * functions on double _Complex because the OpenCL backend represents complex numbers as
 * float2 and double2 (real in .x, imaginary in .y), on which `/`, `==`, `!=`, `!= 0` and a
 * cast from a real are componentwise; its kernel prelude defines the same names on them
 * (cl/prelude_complex.cl). Here most are C's own operations; division, power and sign follow
 * NumPy's special values where C differs (as the prelude does). complex64 (float _Complex)
 * converts to double _Complex for them and the loops round the result once: at least as
 * exact as NumPy's float arithmetic (it may differ from NumPy's in the last bit, and where
 * NumPy's float intermediates overflow).
 */
static inline double pymic2__creal(double _Complex a)
{
    return creal(a);
}

static inline double pymic2__cimag(double _Complex a)
{
    return cimag(a);
}

/* re + 0i: C's conversion of a real to a complex type, which rounds once to the target's
 * real type (int64 -> complex64 directly, as NumPy does, not through double); a macro, so
 * that the value keeps its type until the cast that uses it. OpenCL C would copy a scalar
 * into both parts of a vector: its prelude defines a function. */
#define pymic2__cfrom_real(re) (re)

/* truth value: either part nonzero (NaN is true) */
static inline int pymic2__cnonzero(double _Complex a)
{
    return a != 0;
}

static inline int pymic2__cequal(double _Complex a, double _Complex b)
{
    return a == b;
}

/* NumPy's division (Smith's: the ratio of b's smaller part to its larger one; NaN counts as
 * the larger imaginary part), not C's Annex G one, whose infinities and zeros differ from
 * NumPy's (x / -0.0, x / inf). Written with selects so that the loops vectorise. */
static inline double _Complex pymic2__cdiv(double _Complex a, double _Complex b)
{
    const double ar = creal(a), ai = cimag(a), br = creal(b), bi = cimag(b);
    const double abs_re = fabs(br), abs_im = fabs(bi);
    const int real_larger = abs_re >= abs_im;
    const double larger = real_larger ? br : bi, smaller = real_larger ? bi : br;
    const double ratio = smaller / larger, scale = 1.0 / (larger + smaller * ratio);
    double re = real_larger ? (ar + ai * ratio) * scale : (ar * ratio + ai) * scale;
    double im = real_larger ? (ai - ar * ratio) * scale : (ai * ratio - ar) * scale;
    if (abs_re == 0 && abs_im == 0) { /* b is +-0: each part over +0 */
        re = ar / abs_re;
        im = ai / abs_re;
    }
    return CMPLX(re, im);
}

static inline double pymic2__cabs(double _Complex a)
{
    return cabs(a);
}

static inline double _Complex pymic2__csqrt(double _Complex a)
{
    return csqrt(a);
}

static inline double _Complex pymic2__cexp(double _Complex a)
{
    return cexp(a);
}

static inline double _Complex pymic2__clog(double _Complex a)
{
    return clog(a);
}

static inline double _Complex pymic2__ctanh(double _Complex a)
{
    return ctanh(a);
}

/* Complex multiply by the textbook formula (as NumPy does), not C's Annex G version that
 * calls __muldc3 to rescue infinities: faster, and the same answers as NumPy. */
static inline double _Complex pymic2__cmul(double _Complex a, double _Complex b)
{
    double ar = creal(a), ai = cimag(a), br = creal(b), bi = cimag(b);
    return CMPLX(ar * br - ai * bi, ar * bi + ai * br);
}

/* Complex power in NumPy's order: a ** 0 is 1 (NaN too); 0 ** b is 0 for Re b > 0, else NaN;
 * integral exponents 1 to 3 multiply a directly (no 1 * a, which turns an infinite part into
 * NaN), others within 100 square from 1 and divide for negative ones; the rest is libm's cpow
 * (as NumPy's). */
static inline double _Complex pymic2__cpow(double _Complex a, double _Complex b)
{
    const double n = creal(b);
    if (n == 0 && cimag(b) == 0)
        return 1;
    if (creal(a) == 0 && cimag(a) == 0)
        return n > 0 ? 0 : CMPLX(NAN, NAN);
    /* range first: converting NaN or a huge value to int would be undefined */
    if (cimag(b) == 0 && n > -100 && n < 100 && n == (double)(int)n) {
        if (n == 1)
            return a;
        if (n == 2)
            return pymic2__cmul(a, a);
        if (n == 3)
            return pymic2__cmul(a, pymic2__cmul(a, a));
        unsigned int m = (unsigned int)fabs(n);
        double _Complex result = 1, base = a;
        while (m) {
            if (m & 1)
                result = pymic2__cmul(result, base);
            base = pymic2__cmul(base, base);
            m >>= 1;
        }
        return n < 0 ? pymic2__cdiv(1, result) : result;
    }
    return cpow(a, b);
}

/* Integer floor division and remainder like NumPy: by zero gives 0 (never a trap), the
 * quotient rounds towards minus infinity, x // -1 wraps (INT_MIN // -1 is INT_MIN). Every
 * integer dtype fits int64_t, whose arithmetic then truncates to the dtype. */
static inline int64_t pymic2__floor_divide_int(int64_t a, int64_t b)
{
    if (b == 0)
        return 0;
    if (b == -1)
        return (int64_t)(0 - (uint64_t)a);
    int64_t quotient = a / b;
    return quotient - (a % b != 0 && (a < 0) != (b < 0));
}

static inline int64_t pymic2__remainder_int(int64_t a, int64_t b)
{
    if (b == 0 || b == -1)
        return 0;
    int64_t remainder = a % b;
    return remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder;
}

/* |a| of any integer as uint64 (INT_MIN too). gcd and lcm work on magnitudes in 64-bit
 * unsigned arithmetic; truncating to the dtype then gives NumPy's results, wrap-around
 * included (gcd(-128, 0) of int8 is -128, lcm(100, 3) of int8 is 44). */
#define PYMIC2__UABS(a) ((a) < 0 ? 0 - (uint64_t)(int64_t)(a) : (uint64_t)(a))

/* Stein's binary gcd: shifts and subtractions, no 64-bit divisions (Euclid's is several
 * times slower); the OpenCL prelude has Euclid's, as OpenCL 1.2 has no ctz. */
static inline uint64_t pymic2__gcd_u64(uint64_t a, uint64_t b)
{
    if (a == 0 || b == 0)
        return a | b;
    const int shift = __builtin_ctzll(a | b);
    a >>= __builtin_ctzll(a);
    do {
        b >>= __builtin_ctzll(b);
        if (a > b) {
            const uint64_t swap = a;
            a = b;
            b = swap;
        }
        b -= a;
    } while (b != 0);
    return a << shift;
}

static inline uint64_t pymic2__lcm_u64(uint64_t a, uint64_t b)
{
    const uint64_t divisor = pymic2__gcd_u64(a, b);
    return divisor == 0 ? 0 : a / divisor * b;
}

/* Float floor division and remainder as NumPy's npy_divmod: the quotient is rounded from
 * (a - fmod(a, b)) / b so that a == b * floor_divide + remainder holds as well as it can,
 * the remainder takes b's sign, and b == 0 gives a / b and NaN. One per float type. */
#define PYMIC2__FLOAT_DIVMOD(T, suffix)                                                   \
    static inline T pymic2__divmod_##suffix(T a, T b, T *modulus)                          \
    {                                                                                     \
        T mod = _Generic(a, float: fmodf, default: fmod)(a, b);                           \
        if (b == 0) {                                                                     \
            *modulus = mod;                                                               \
            return a / b;                                                                 \
        }                                                                                 \
        T div = (a - mod) / b;                                                            \
        if (mod != 0) {                                                                   \
            if ((b < 0) != (mod < 0)) {                                                   \
                mod += b;                                                                 \
                div -= 1;                                                                 \
            }                                                                             \
        } else {                                                                          \
            mod = _Generic(a, float: copysignf, default: copysign)(0, b);                 \
        }                                                                                 \
        T floordiv;                                                                       \
        if (div != 0) {                                                                   \
            floordiv = _Generic(a, float: floorf, default: floor)(div);                   \
            if (div - floordiv > (T)0.5)                                                  \
                floordiv += 1;                                                            \
        } else {                                                                          \
            floordiv = _Generic(a, float: copysignf, default: copysign)(0, a / b);        \
        }                                                                                 \
        *modulus = mod;                                                                   \
        return floordiv;                                                                  \
    }                                                                                     \
    static inline T pymic2__floor_divide_##suffix(T a, T b)                               \
    {                                                                                     \
        T mod;                                                                            \
        return pymic2__divmod_##suffix(a, b, &mod);                                       \
    }                                                                                     \
    static inline T pymic2__remainder_##suffix(T a, T b)                                  \
    {                                                                                     \
        T mod;                                                                            \
        pymic2__divmod_##suffix(a, b, &mod);                                              \
        return mod;                                                                       \
    }
PYMIC2__FLOAT_DIVMOD(float, f32)
PYMIC2__FLOAT_DIVMOD(double, f64)
#undef PYMIC2__FLOAT_DIVMOD

/* NumPy's maximum and minimum of floats: NaN wins (from either side), else a >= b picks a. */
#define PYMIC2__FLOAT_EXTREMA(T, suffix)                                                  \
    static inline T pymic2__maximum_##suffix(T a, T b)                                    \
    {                                                                                     \
        return a >= b || a != a ? a : b;                                                  \
    }                                                                                     \
    static inline T pymic2__minimum_##suffix(T a, T b)                                    \
    {                                                                                     \
        return a <= b || a != a ? a : b;                                                  \
    }
PYMIC2__FLOAT_EXTREMA(float, f32)
PYMIC2__FLOAT_EXTREMA(double, f64)
#undef PYMIC2__FLOAT_EXTREMA

/* NumPy 2's sign of a complex number: z / |z| (0 for 0); an infinite part gives its unit
 * whatever the other (NaN too), unless both are infinite (NaN). */
static inline double _Complex pymic2__csign(double _Complex a)
{
    const double re = creal(a), im = cimag(a), magnitude = cabs(a);
    double sign_re = re / magnitude, sign_im = im / magnitude;
    if (magnitude == 0)
        sign_re = sign_im = 0;
    if (isinf(im)) {
        sign_re = 0;
        sign_im = copysign(1, im);
    }
    if (isinf(re)) {
        sign_re = isinf(im) ? NAN : copysign(1, re);
        sign_im = isinf(im) ? NAN : 0;
    }
    return CMPLX(sign_re, sign_im);
}

/* NumPy's complex math: on Linux NumPy calls C99's csin ... catanh (glibc's), so these do
 * too; exp2, log2, log10, expm1, log1p and rint are NumPy's own formulas (npy's nc_*):
 * exp of the parts times ln 2, log's parts times log2(e) or log10(e), expm1 as
 * expm1(x) cos y - 2 sin^2(y / 2) + i exp(x) sin y, log1p as log |1 + a| + i arg(1 + a)
 * (no log1p: NumPy's loses a tiny real part the same way), rint of each part. */
static inline double _Complex pymic2__cconj(double _Complex a)
{
    return conj(a);
}

#define PYMIC2__C99_COMPLEX(name) \
    static inline double _Complex pymic2__##name(double _Complex a) \
    {                                                                \
        return name(a);                                              \
    }
PYMIC2__C99_COMPLEX(csin)
PYMIC2__C99_COMPLEX(ccos)
PYMIC2__C99_COMPLEX(ctan)
PYMIC2__C99_COMPLEX(casin)
PYMIC2__C99_COMPLEX(cacos)
PYMIC2__C99_COMPLEX(catan)
PYMIC2__C99_COMPLEX(csinh)
PYMIC2__C99_COMPLEX(ccosh)
PYMIC2__C99_COMPLEX(casinh)
PYMIC2__C99_COMPLEX(cacosh)
PYMIC2__C99_COMPLEX(catanh)
#undef PYMIC2__C99_COMPLEX

/* the constants of NumPy's npy_math.h */
#define PYMIC2__LN2 0.693147180559945309417232121458176568
#define PYMIC2__LOG2E 1.442695040888963407359924681001892137
#define PYMIC2__LOG10E 0.434294481903251827651128918916605082

/* exp2, expm1 and log1p are computed in a's own precision (float's functions for
 * complex64), as NumPy's: their roundings decide visible bits (exp2's angle for a large
 * imaginary part, 1 + x of log1p, the sign of expm1's zero real part) */
#define PYMIC2__NPY_COMPLEX_FORMULAS(R, C, suffix, F)                                      \
    static inline double _Complex pymic2__cexp2_##suffix(C a)                             \
    {                                                                                     \
        const R x = (R)creal(a), y = (R)cimag(a);                                         \
        return cexp(CMPLX(x * (R)PYMIC2__LN2, y * (R)PYMIC2__LN2));                       \
    }                                                                                     \
    static inline double _Complex pymic2__cexpm1_##suffix(C a)                            \
    {                                                                                     \
        const R x = (R)creal(a), y = (R)cimag(a), half_sin = sin##F(y / 2);               \
        return CMPLX(expm1##F(x) * cos##F(y) - 2 * half_sin * half_sin, exp##F(x) * sin##F(y)); \
    }                                                                                     \
    static inline double _Complex pymic2__clog1p_##suffix(C a)                            \
    {                                                                                     \
        const R x = (R)creal(a) + 1, y = (R)cimag(a);                                     \
        return CMPLX(log##F(hypot##F(x, y)), atan2##F(y, x));                             \
    }
PYMIC2__NPY_COMPLEX_FORMULAS(float, float _Complex, c64, f)
PYMIC2__NPY_COMPLEX_FORMULAS(double, double _Complex, c128, )
#undef PYMIC2__NPY_COMPLEX_FORMULAS
#define pymic2__cexp2(a) \
    _Generic((a), float _Complex: pymic2__cexp2_c64, default: pymic2__cexp2_c128)(a)
#define pymic2__cexpm1(a) \
    _Generic((a), float _Complex: pymic2__cexpm1_c64, default: pymic2__cexpm1_c128)(a)
#define pymic2__clog1p(a) \
    _Generic((a), float _Complex: pymic2__clog1p_c64, default: pymic2__clog1p_c128)(a)

static inline double _Complex pymic2__clog2(double _Complex a)
{
    const double _Complex l = clog(a);
    return CMPLX(creal(l) * PYMIC2__LOG2E, cimag(l) * PYMIC2__LOG2E);
}

static inline double _Complex pymic2__clog10(double _Complex a)
{
    const double _Complex l = clog(a);
    return CMPLX(creal(l) * PYMIC2__LOG10E, cimag(l) * PYMIC2__LOG10E);
}

static inline double _Complex pymic2__crint(double _Complex a)
{
    return CMPLX(rint(creal(a)), rint(cimag(a)));
}

/* Type-generic names for the rows (the OpenCL generator defines its own). */
#define pymic2__floor_divide_float(x, y) \
    _Generic((x), float: pymic2__floor_divide_f32, default: pymic2__floor_divide_f64)(x, y)
#define pymic2__remainder_float(x, y) \
    _Generic((x), float: pymic2__remainder_f32, default: pymic2__remainder_f64)(x, y)
#define pymic2__maximum(x, y) \
    _Generic((x), float: pymic2__maximum_f32, default: pymic2__maximum_f64)(x, y)
#define pymic2__minimum(x, y) \
    _Generic((x), float: pymic2__minimum_f32, default: pymic2__minimum_f64)(x, y)

/* The float math of the rows - pymic2__fabs, pymic2__pow, pymic2__sqrt, pymic2__exp,
 * pymic2__log, pymic2__sin ... (float and double versions picked by type; the list is in
 * loops.c) - and the integer pymic2__popcount are not defined here but by each generator
 * (loops.c for C, which maps them to vector math; the OpenCL preludes), so that the rows'
 * text keeps their names. */

/*
 * Conversion of a value x to the C type TO, by (from class, to class), as NumPy's casts:
 * to bool is "nonzero" (NaN is true; complex: either part), from bool reads any nonzero byte
 * as 1, complex to real keeps the real part, float to integer as pymic2__float_to_int,
 * the rest is C's conversion (integers wrap; -0.0 stays -0.0 between floats).
 */
#define PYMIC2__CONVERT_TO_BOOL(TO, x) ((TO)((x) != 0))
#define PYMIC2__CONVERT_BOOL_BOOL PYMIC2__CONVERT_TO_BOOL
#define PYMIC2__CONVERT_INT_BOOL PYMIC2__CONVERT_TO_BOOL
#define PYMIC2__CONVERT_FLOAT_BOOL PYMIC2__CONVERT_TO_BOOL
#define PYMIC2__CONVERT_COMPLEX_BOOL(TO, x) ((TO)pymic2__cnonzero(x))
#define PYMIC2__CONVERT_BOOL_INT PYMIC2__CONVERT_TO_BOOL
#define PYMIC2__CONVERT_BOOL_FLOAT PYMIC2__CONVERT_TO_BOOL
#define PYMIC2__CONVERT_BOOL_COMPLEX(TO, x) ((TO)pymic2__cfrom_real((x) != 0))
#define PYMIC2__CONVERT_C(TO, x) ((TO)(x))
#define PYMIC2__CONVERT_INT_INT PYMIC2__CONVERT_C
#define PYMIC2__CONVERT_INT_FLOAT PYMIC2__CONVERT_C
#define PYMIC2__CONVERT_INT_COMPLEX(TO, x) ((TO)pymic2__cfrom_real(x))
#define PYMIC2__CONVERT_FLOAT_FLOAT PYMIC2__CONVERT_C
#define PYMIC2__CONVERT_FLOAT_COMPLEX(TO, x) ((TO)pymic2__cfrom_real(x))
#define PYMIC2__CONVERT_COMPLEX_COMPLEX PYMIC2__CONVERT_C
#define PYMIC2__CONVERT_FLOAT_INT(TO, x) pymic2__float_to_int(TO, x)
#define PYMIC2__CONVERT_COMPLEX_INT(TO, x) pymic2__float_to_int(TO, pymic2__creal(x))
#define PYMIC2__CONVERT_COMPLEX_FLOAT(TO, x) ((TO)pymic2__creal(x))

/* ---------------------------------------------------------------- ops */

/* Output dtype rules: the output's dtype given the (common) input dtype. */
typedef enum pymic2__out_rule {
    PYMIC2__OUT_SAME, /* the input's dtype */
    PYMIC2__OUT_REAL, /* the input's real counterpart (absolute of complex) */
    PYMIC2__OUT_ANY,  /* any dtype: the op converts (copy) */
    PYMIC2__OUT_BOOL, /* bool: comparisons, logical ops, isnan */
    PYMIC2__OUT_SELECT, /* where(c, x, y): c is bool, the rest x's dtype */
    PYMIC2__OUT_IOTA, /* arange: two scalars in, a 1-D array of their dtype out */
    PYMIC2__OUT_UINT8 /* uint8: bitwise_count */
} pymic2__out_rule;

#define PYMIC2__YES(expression) 1, expression
#define PYMIC2__NO(reason) 0, reason

/*
 * PYMIC2__OP_ROW_<NAME>: RULE, bool, integer, float, complex. Bool arithmetic is logical
 * (add = or, multiply = and) as in NumPy; integers wrap; an integer power with a negative
 * exponent sets `invalid` (that output element is unspecified and the op fails with EINVAL).
 */
#define PYMIC2__OP_ROW_COPY ANY, PYMIC2__YES(a), PYMIC2__YES(a), PYMIC2__YES(a), PYMIC2__YES(a)

#define PYMIC2__OP_ROW_NEGATIVE                                                          \
    SAME,                                                                                \
        PYMIC2__NO("the numpy boolean negative, the `-` operator, is not supported, use " \
                   "the `~` operator or the logical_not function instead"),              \
        PYMIC2__YES((T)(-(W)a)), PYMIC2__YES(-a), PYMIC2__YES(-a)

/* conjugate: real dtypes unchanged (NumPy's conjugate of bool and integers too) */
#define PYMIC2__OP_ROW_CONJUGATE \
    SAME, PYMIC2__YES(a), PYMIC2__YES(a), PYMIC2__YES(a), PYMIC2__YES(pymic2__cconj(a))

#define PYMIC2__OP_ROW_ABSOLUTE                                                     \
    REAL, PYMIC2__YES(a != 0), PYMIC2__YES((T)(a < 0 ? -(W)a : (W)a)),              \
        PYMIC2__YES(pymic2__fabs(a)), PYMIC2__YES(pymic2__cabs(a))

#define PYMIC2__OP_ROW_ADD                                                          \
    SAME, PYMIC2__YES((a | b) != 0), PYMIC2__YES((T)((W)a + (W)b)), PYMIC2__YES(a + b), \
        PYMIC2__YES(a + b)

#define PYMIC2__OP_ROW_SUBTRACT                                                          \
    SAME,                                                                                \
        PYMIC2__NO("numpy boolean subtract, the `-` operator, is not supported, use the " \
                   "bitwise_xor, the `^` operator, or the logical_xor function instead"), \
        PYMIC2__YES((T)((W)a - (W)b)), PYMIC2__YES(a - b), PYMIC2__YES(a - b)

#define PYMIC2__OP_ROW_MULTIPLY                                                        \
    SAME, PYMIC2__YES((a != 0) & (b != 0)), PYMIC2__YES((T)((W)a * (W)b)),             \
        PYMIC2__YES(a * b), PYMIC2__YES(pymic2__cmul(a, b))

#define PYMIC2__OP_ROW_POWER                                                           \
    SAME, PYMIC2__NO("power is not defined for bool: cast the inputs to an integer first"), \
        PYMIC2__YES(!PYMIC2__UNSIGNED(T) && (int64_t)b < 0 ? (invalid = 1, (T)0)       \
                                   : (T)pymic2__ipow((uint64_t)(int64_t)a, (uint64_t)b)), \
        PYMIC2__YES(pymic2__pow(a, b)), PYMIC2__YES(pymic2__cpow(a, b))


#define PYMIC2__NO_BOOL_ARITHMETIC(what) \
    PYMIC2__NO(what " is not defined for bool: cast the inputs to an integer first")
#define PYMIC2__FLOAT_ONLY(what) \
    PYMIC2__NO(what " needs floats: cast the input to float64 first (as NumPy does)")

/* DIVIDE is NumPy's true_divide; integer inputs are the caller's to cast (int / int gives
 * float64 in NumPy). */
#define PYMIC2__OP_ROW_DIVIDE                                                             \
    SAME, PYMIC2__FLOAT_ONLY("divide"), PYMIC2__FLOAT_ONLY("divide"), PYMIC2__YES(a / b), \
        PYMIC2__YES(pymic2__cdiv(a, b))

#define PYMIC2__OP_ROW_FLOOR_DIVIDE                                                       \
    SAME, PYMIC2__NO_BOOL_ARITHMETIC("floor_divide"),                                     \
        PYMIC2__YES(PYMIC2__UNSIGNED(T) ? (T)(b != 0 ? a / b : 0)                          \
                                        : (T)pymic2__floor_divide_int((int64_t)a, (int64_t)b)), \
        PYMIC2__YES(pymic2__floor_divide_float(a, b)),                                    \
        PYMIC2__NO("floor_divide is not defined for complex numbers")

#define PYMIC2__OP_ROW_REMAINDER                                                          \
    SAME, PYMIC2__NO_BOOL_ARITHMETIC("remainder"),                                        \
        PYMIC2__YES(PYMIC2__UNSIGNED(T) ? (T)(b != 0 ? a % b : 0)                          \
                                        : (T)pymic2__remainder_int((int64_t)a, (int64_t)b)), \
        PYMIC2__YES(pymic2__remainder_float(a, b)),                                       \
        PYMIC2__NO("remainder is not defined for complex numbers")

#define PYMIC2__NO_COMPLEX_ORDER PYMIC2__NO("complex numbers are not ordered here")

#define PYMIC2__OP_ROW_MAXIMUM                                                         \
    SAME, PYMIC2__YES((a | b) != 0), PYMIC2__YES(a >= b ? a : b),                      \
        PYMIC2__YES(pymic2__maximum(a, b)), PYMIC2__NO_COMPLEX_ORDER

#define PYMIC2__OP_ROW_MINIMUM                                                         \
    SAME, PYMIC2__YES((a != 0) & (b != 0)), PYMIC2__YES(a <= b ? a : b),               \
        PYMIC2__YES(pymic2__minimum(a, b)), PYMIC2__NO_COMPLEX_ORDER

/* sign: -0.0 gives 0.0 and NaN stays NaN, as NumPy */
#define PYMIC2__OP_ROW_SIGN                                                              \
    SAME, PYMIC2__NO_BOOL_ARITHMETIC("sign"), PYMIC2__YES((T)((a > 0) - (a < 0))),        \
        PYMIC2__YES(a > 0 ? (T)1 : a < 0 ? (T)-1 : a == 0 ? (T)0 : a),                    \
        PYMIC2__YES(pymic2__csign(a))

#define PYMIC2__OP_ROW_SQUARE                                                              \
    SAME, PYMIC2__YES(a != 0), PYMIC2__YES((T)((W)a * (W)a)), PYMIC2__YES(a * a),          \
        PYMIC2__YES(pymic2__cmul(a, a))

#define PYMIC2__OP_ROW_SQRT \
    SAME, PYMIC2__FLOAT_ONLY("sqrt"), PYMIC2__FLOAT_ONLY("sqrt"), \
        PYMIC2__YES(pymic2__sqrt(a)), PYMIC2__YES(pymic2__csqrt(a))
#define PYMIC2__OP_ROW_EXP \
    SAME, PYMIC2__FLOAT_ONLY("exp"), PYMIC2__FLOAT_ONLY("exp"), \
        PYMIC2__YES(pymic2__exp(a)), PYMIC2__YES(pymic2__cexp(a))
#define PYMIC2__OP_ROW_EXPM1 \
    SAME, PYMIC2__FLOAT_ONLY("expm1"), PYMIC2__FLOAT_ONLY("expm1"), \
        PYMIC2__YES(pymic2__expm1(a)), PYMIC2__YES(pymic2__cexpm1(a))
#define PYMIC2__OP_ROW_LOG \
    SAME, PYMIC2__FLOAT_ONLY("log"), PYMIC2__FLOAT_ONLY("log"), \
        PYMIC2__YES(pymic2__log(a)), PYMIC2__YES(pymic2__clog(a))
#define PYMIC2__OP_ROW_LOG1P \
    SAME, PYMIC2__FLOAT_ONLY("log1p"), PYMIC2__FLOAT_ONLY("log1p"), \
        PYMIC2__YES(pymic2__log1p(a)), PYMIC2__YES(pymic2__clog1p(a))
#define PYMIC2__OP_ROW_TANH \
    SAME, PYMIC2__FLOAT_ONLY("tanh"), PYMIC2__FLOAT_ONLY("tanh"), \
        PYMIC2__YES(pymic2__tanh(a)), PYMIC2__YES(pymic2__ctanh(a))

/* Comparisons: bool bytes compare as truth values (any nonzero byte is true). */
#define PYMIC2__OP_ROW_EQUAL \
    BOOL, PYMIC2__YES((a != 0) == (b != 0)), PYMIC2__YES(a == b), PYMIC2__YES(a == b), \
        PYMIC2__YES(pymic2__cequal(a, b))
#define PYMIC2__OP_ROW_NOT_EQUAL \
    BOOL, PYMIC2__YES((a != 0) != (b != 0)), PYMIC2__YES(a != b), PYMIC2__YES(a != b), \
        PYMIC2__YES(!pymic2__cequal(a, b))
#define PYMIC2__OP_ROW_GREATER \
    BOOL, PYMIC2__YES((a != 0) > (b != 0)), PYMIC2__YES(a > b), PYMIC2__YES(a > b), \
        PYMIC2__NO_COMPLEX_ORDER
#define PYMIC2__OP_ROW_GREATER_EQUAL \
    BOOL, PYMIC2__YES((a != 0) >= (b != 0)), PYMIC2__YES(a >= b), PYMIC2__YES(a >= b), \
        PYMIC2__NO_COMPLEX_ORDER
#define PYMIC2__OP_ROW_LESS \
    BOOL, PYMIC2__YES((a != 0) < (b != 0)), PYMIC2__YES(a < b), PYMIC2__YES(a < b), \
        PYMIC2__NO_COMPLEX_ORDER
#define PYMIC2__OP_ROW_LESS_EQUAL \
    BOOL, PYMIC2__YES((a != 0) <= (b != 0)), PYMIC2__YES(a <= b), PYMIC2__YES(a <= b), \
        PYMIC2__NO_COMPLEX_ORDER

/* Logical ops take every dtype as truth values ("nonzero"; NaN is true): the real classes'
 * expression and the complex one's, which asks pymic2__cnonzero. */
#define PYMIC2__LOGICAL_ROW(expression, complex_expression)                            \
    BOOL, PYMIC2__YES(expression), PYMIC2__YES(expression), PYMIC2__YES(expression), \
        PYMIC2__YES(complex_expression)
#define PYMIC2__OP_ROW_LOGICAL_AND \
    PYMIC2__LOGICAL_ROW((a != 0) & (b != 0), pymic2__cnonzero(a) & pymic2__cnonzero(b))
#define PYMIC2__OP_ROW_LOGICAL_OR \
    PYMIC2__LOGICAL_ROW((a != 0) | (b != 0), pymic2__cnonzero(a) | pymic2__cnonzero(b))
#define PYMIC2__OP_ROW_LOGICAL_XOR \
    PYMIC2__LOGICAL_ROW((a != 0) ^ (b != 0), pymic2__cnonzero(a) ^ pymic2__cnonzero(b))
#define PYMIC2__OP_ROW_LOGICAL_NOT PYMIC2__LOGICAL_ROW(a == 0, !pymic2__cnonzero(a))

#define PYMIC2__NO_BITWISE(kind) \
    PYMIC2__NO("bitwise operations are not defined for " kind ": only bool and integers")
#define PYMIC2__OP_ROW_BITWISE_AND \
    SAME, PYMIC2__YES((a != 0) & (b != 0)), PYMIC2__YES((T)(a & b)), \
        PYMIC2__NO_BITWISE("floats"), PYMIC2__NO_BITWISE("complex numbers")
#define PYMIC2__OP_ROW_BITWISE_OR \
    SAME, PYMIC2__YES((a != 0) | (b != 0)), PYMIC2__YES((T)(a | b)), \
        PYMIC2__NO_BITWISE("floats"), PYMIC2__NO_BITWISE("complex numbers")
#define PYMIC2__OP_ROW_BITWISE_XOR \
    SAME, PYMIC2__YES((a != 0) ^ (b != 0)), PYMIC2__YES((T)(a ^ b)), \
        PYMIC2__NO_BITWISE("floats"), PYMIC2__NO_BITWISE("complex numbers")
#define PYMIC2__OP_ROW_INVERT \
    SAME, PYMIC2__YES(a == 0), PYMIC2__YES((T)~a), PYMIC2__NO_BITWISE("floats"), \
        PYMIC2__NO_BITWISE("complex numbers")

/* isinf and isfinite by comparisons, which vectorise: x - x is 0 exactly when x is finite */
#define PYMIC2__OP_ROW_ISNAN \
    BOOL, PYMIC2__YES(0), PYMIC2__YES(0), PYMIC2__YES(a != a), \
        PYMIC2__YES(pymic2__creal(a) != pymic2__creal(a) || pymic2__cimag(a) != pymic2__cimag(a))
#define PYMIC2__OP_ROW_ISINF \
    BOOL, PYMIC2__YES(0), PYMIC2__YES(0), PYMIC2__YES(a == (T)INFINITY || a == -(T)INFINITY), \
        PYMIC2__YES(isinf(pymic2__creal(a)) || isinf(pymic2__cimag(a)))
#define PYMIC2__OP_ROW_ISFINITE \
    BOOL, PYMIC2__YES(1), PYMIC2__YES(1), PYMIC2__YES(a - a == 0), \
        PYMIC2__YES(pymic2__creal(a) - pymic2__creal(a) == 0 &&                            \
                    pymic2__cimag(a) - pymic2__cimag(a) == 0)

/* clip(a, lo, hi) = minimum(maximum(a, lo), hi); the inputs are a, b, c. */
#define PYMIC2__OP_ROW_CLIP                                                            \
    SAME, PYMIC2__YES(((a | b) != 0) & (c != 0)),                                      \
        PYMIC2__YES((a >= b ? a : b) <= c ? (a >= b ? a : b) : c),                     \
        PYMIC2__YES(pymic2__minimum(pymic2__maximum(a, b), c)), PYMIC2__NO_COMPLEX_ORDER

/* where(a, b, c): a is the bool condition (any nonzero byte is true). */
#define PYMIC2__OP_ROW_WHERE \
    SELECT, PYMIC2__YES(a ? b : c), PYMIC2__YES(a ? b : c), PYMIC2__YES(a ? b : c), \
        PYMIC2__YES(a ? b : c)

/* arange(a = start, b = step): element `index` (an int64_t the loop provides). */
#define PYMIC2__OP_ROW_ARANGE                                                          \
    IOTA, PYMIC2__NO("arange of bool is not supported: use an integer dtype"),          \
        PYMIC2__YES((T)((W)a + (W)index * (W)b)), PYMIC2__YES(a + (T)index * ((a + b) - a)), \
        PYMIC2__NO("arange of complex numbers is not supported")

/* Fused ReLU ops of a neural-network layer (float only: they serve training). bias_relu
 * keeps NaN (pymic2__maximum propagates it); relu_grad multiplies, so NaN * 0 stays NaN as in
 * Chainer's gy * (y > 0). */
#define PYMIC2__NN_FLOAT_ONLY(what) \
    PYMIC2__NO(what " is a float32/float64 training op: cast the inputs to a float first")
#define PYMIC2__OP_ROW_BIAS_RELU                                                        \
    SAME, PYMIC2__NN_FLOAT_ONLY("bias_relu"), PYMIC2__NN_FLOAT_ONLY("bias_relu"),      \
        PYMIC2__YES(pymic2__maximum(a + b, (T)0)), PYMIC2__NN_FLOAT_ONLY("bias_relu")
#define PYMIC2__OP_ROW_RELU_GRAD                                                        \
    SAME, PYMIC2__NN_FLOAT_ONLY("relu_grad"), PYMIC2__NN_FLOAT_ONLY("relu_grad"),      \
        PYMIC2__YES(b * (T)(a > 0)), PYMIC2__NN_FLOAT_ONLY("relu_grad")

/* copysign: C's and OpenCL's copysign; the double version is exact for float32 too (the
 * conversions keep every float value and sign), and OpenCL picks its float overload. */
#define PYMIC2__OP_ROW_COPYSIGN                                                         \
    SAME, PYMIC2__FLOAT_ONLY("copysign"), PYMIC2__FLOAT_ONLY("copysign"),              \
        PYMIC2__YES((T)copysign(a, b)), PYMIC2__NO("copysign is not defined for complex numbers")

/* ---------------------------------------------------------------- NumPy's math ufuncs */

/* Functions NumPy does not define for complex numbers (it raises TypeError). */
#define PYMIC2__NO_COMPLEX(what) PYMIC2__NO(what " is not defined for complex numbers")
/* A float-only function of one or two inputs (NumPy casts bool and integers to a float
 * first: sin(int32) is float64, sin(int8) float16) and its complex column. */
#define PYMIC2__FLOAT_ROW(what, expression, complex_column)                             \
    SAME, PYMIC2__FLOAT_ONLY(what), PYMIC2__FLOAT_ONLY(what), PYMIC2__YES(expression), \
        complex_column

#define PYMIC2__OP_ROW_SIN \
    PYMIC2__FLOAT_ROW("sin", pymic2__sin(a), PYMIC2__YES(pymic2__csin(a)))
#define PYMIC2__OP_ROW_COS \
    PYMIC2__FLOAT_ROW("cos", pymic2__cos(a), PYMIC2__YES(pymic2__ccos(a)))
#define PYMIC2__OP_ROW_TAN \
    PYMIC2__FLOAT_ROW("tan", pymic2__tan(a), PYMIC2__YES(pymic2__ctan(a)))
#define PYMIC2__OP_ROW_ARCSIN \
    PYMIC2__FLOAT_ROW("arcsin", pymic2__asin(a), PYMIC2__YES(pymic2__casin(a)))
#define PYMIC2__OP_ROW_ARCCOS \
    PYMIC2__FLOAT_ROW("arccos", pymic2__acos(a), PYMIC2__YES(pymic2__cacos(a)))
#define PYMIC2__OP_ROW_ARCTAN \
    PYMIC2__FLOAT_ROW("arctan", pymic2__atan(a), PYMIC2__YES(pymic2__catan(a)))
#define PYMIC2__OP_ROW_ARCTAN2 \
    PYMIC2__FLOAT_ROW("arctan2", pymic2__atan2(a, b), PYMIC2__NO_COMPLEX("arctan2"))
#define PYMIC2__OP_ROW_HYPOT \
    PYMIC2__FLOAT_ROW("hypot", pymic2__hypot(a, b), PYMIC2__NO_COMPLEX("hypot"))
#define PYMIC2__OP_ROW_SINH \
    PYMIC2__FLOAT_ROW("sinh", pymic2__sinh(a), PYMIC2__YES(pymic2__csinh(a)))
#define PYMIC2__OP_ROW_COSH \
    PYMIC2__FLOAT_ROW("cosh", pymic2__cosh(a), PYMIC2__YES(pymic2__ccosh(a)))
#define PYMIC2__OP_ROW_ARCSINH \
    PYMIC2__FLOAT_ROW("arcsinh", pymic2__asinh(a), PYMIC2__YES(pymic2__casinh(a)))
#define PYMIC2__OP_ROW_ARCCOSH \
    PYMIC2__FLOAT_ROW("arccosh", pymic2__acosh(a), PYMIC2__YES(pymic2__cacosh(a)))
#define PYMIC2__OP_ROW_ARCTANH \
    PYMIC2__FLOAT_ROW("arctanh", pymic2__atanh(a), PYMIC2__YES(pymic2__catanh(a)))
/* As NumPy's npy_deg2rad: one multiplication by pi / 180 rounded in T (the factor's text is
 * the same for both backends: a literal, not C's M_PI) */
#define PYMIC2__PI 3.141592653589793238462643383279502884
#define PYMIC2__OP_ROW_DEG2RAD \
    PYMIC2__FLOAT_ROW("deg2rad", a * ((T)PYMIC2__PI / (T)180), PYMIC2__NO_COMPLEX("deg2rad"))
#define PYMIC2__OP_ROW_RAD2DEG \
    PYMIC2__FLOAT_ROW("rad2deg", a * ((T)180 / (T)PYMIC2__PI), PYMIC2__NO_COMPLEX("rad2deg"))

#define PYMIC2__OP_ROW_EXP2 \
    PYMIC2__FLOAT_ROW("exp2", pymic2__exp2(a), PYMIC2__YES(pymic2__cexp2(a)))
#define PYMIC2__OP_ROW_LOG2 \
    PYMIC2__FLOAT_ROW("log2", pymic2__log2(a), PYMIC2__YES(pymic2__clog2(a)))
#define PYMIC2__OP_ROW_LOG10 \
    PYMIC2__FLOAT_ROW("log10", pymic2__log10(a), PYMIC2__YES(pymic2__clog10(a)))
#define PYMIC2__OP_ROW_LOGADDEXP \
    PYMIC2__FLOAT_ROW("logaddexp", pymic2__logaddexp(a, b), PYMIC2__NO_COMPLEX("logaddexp"))
#define PYMIC2__OP_ROW_LOGADDEXP2                             \
    PYMIC2__FLOAT_ROW("logaddexp2", pymic2__logaddexp2(a, b), \
                      PYMIC2__NO_COMPLEX("logaddexp2"))
#define PYMIC2__OP_ROW_CBRT \
    PYMIC2__FLOAT_ROW("cbrt", pymic2__cbrt(a), PYMIC2__NO_COMPLEX("cbrt"))

/* reciprocal: integers as NumPy's 1.0 / a converted back (so 1 / 0 is what the conversion
 * makes of inf: INT_MIN for int32 and int64, 0 for the others); complex by NumPy's rule
 * that 1 / 0 is NaN in both parts, which cdiv(0, 0) gives */
#define PYMIC2__OP_ROW_RECIPROCAL                                                         \
    SAME, PYMIC2__NO_BOOL_ARITHMETIC("reciprocal"),                                       \
        PYMIC2__YES(a == 0 ? pymic2__float_to_int(T, INFINITY)                            \
                    : a == 1 || (!PYMIC2__UNSIGNED(T) && a == (T)-1) ? a : (T)0),         \
        PYMIC2__YES((T)1 / a),                                                            \
        PYMIC2__YES(pymic2__cdiv(                                                         \
            pymic2__cfrom_real(pymic2__cequal(a, pymic2__cfrom_real(0)) ? 0 : 1), a))

/* floor, ceil and trunc keep integers (NumPy 2 has loops for them); rint has none */
#define PYMIC2__ROUNDING_ROW(what, expression)                                          \
    SAME, PYMIC2__YES(a != 0), PYMIC2__YES(a), PYMIC2__YES(expression),                 \
        PYMIC2__NO_COMPLEX(what)
#define PYMIC2__OP_ROW_FLOOR PYMIC2__ROUNDING_ROW("floor", pymic2__floor(a))
#define PYMIC2__OP_ROW_CEIL PYMIC2__ROUNDING_ROW("ceil", pymic2__ceil(a))
#define PYMIC2__OP_ROW_TRUNC PYMIC2__ROUNDING_ROW("trunc", pymic2__trunc(a))
#define PYMIC2__OP_ROW_RINT \
    PYMIC2__FLOAT_ROW("rint", pymic2__rint(a), PYMIC2__YES(pymic2__crint(a)))
#define PYMIC2__OP_ROW_FABS PYMIC2__FLOAT_ROW("fabs", pymic2__fabs(a), PYMIC2__NO_COMPLEX("fabs"))
#define PYMIC2__OP_ROW_SIGNBIT                                                               \
    BOOL, PYMIC2__FLOAT_ONLY("signbit"), PYMIC2__FLOAT_ONLY("signbit"),                      \
        PYMIC2__YES(pymic2__signbit(a)), PYMIC2__NO_COMPLEX("signbit")
#define PYMIC2__OP_ROW_NEXTAFTER                                  \
    PYMIC2__FLOAT_ROW("nextafter", pymic2__nextafter(a, b), \
                      PYMIC2__NO_COMPLEX("nextafter"))
/* ldexp: b holds an integer in a's type (exact: NumPy's exponents are int32 or int64, and
 * past +-100000 every result is 0, inf or a itself) */
#define PYMIC2__OP_ROW_LDEXP \
    PYMIC2__FLOAT_ROW("ldexp", pymic2__ldexp(a, b), PYMIC2__NO_COMPLEX("ldexp"))
#define PYMIC2__OP_ROW_SPACING \
    PYMIC2__FLOAT_ROW("spacing", pymic2__spacing(a), PYMIC2__NO_COMPLEX("spacing"))
/* fmod: C's remainder with the dividend's sign; integers by 0 (and INT_MIN by -1) give 0 */
#define PYMIC2__OP_ROW_FMOD                                                              \
    SAME, PYMIC2__NO_BOOL_ARITHMETIC("fmod"),                                            \
        PYMIC2__YES(b == 0 || (!PYMIC2__UNSIGNED(T) && b == (T)-1) ? (T)0 : (T)(a % b)), \
        PYMIC2__YES(pymic2__fmod(a, b)), PYMIC2__NO_COMPLEX("fmod")
/* fmax and fmin ignore a NaN (NaN only when both are); equal values give a */
#define PYMIC2__OP_ROW_FMAX                                                         \
    SAME, PYMIC2__YES((a | b) != 0), PYMIC2__YES(a >= b ? a : b),                   \
        PYMIC2__YES(a >= b || b != b ? a : b), PYMIC2__NO_COMPLEX_ORDER
#define PYMIC2__OP_ROW_FMIN                                                         \
    SAME, PYMIC2__YES((a != 0) & (b != 0)), PYMIC2__YES(a <= b ? a : b),            \
        PYMIC2__YES(a <= b || b != b ? a : b), PYMIC2__NO_COMPLEX_ORDER
/* isposinf and isneginf: NumPy's functions refuse complex numbers (which infinity?) */
#define PYMIC2__NO_COMPLEX_INF(what) \
    PYMIC2__NO(what " is not defined for complex numbers: it would be ambiguous")
#define PYMIC2__OP_ROW_ISPOSINF \
    BOOL, PYMIC2__YES(0), PYMIC2__YES(0), PYMIC2__YES(a == (T)INFINITY), \
        PYMIC2__NO_COMPLEX_INF("isposinf")
#define PYMIC2__OP_ROW_ISNEGINF \
    BOOL, PYMIC2__YES(0), PYMIC2__YES(0), PYMIC2__YES(a == -(T)INFINITY), \
        PYMIC2__NO_COMPLEX_INF("isneginf")
/* heaviside(a, b): 0 below zero, 1 above, b at zero (-0.0 too), NaN for NaN */
#define PYMIC2__OP_ROW_HEAVISIDE                                                  \
    PYMIC2__FLOAT_ROW("heaviside", a < 0 ? (T)0 : a > 0 ? (T)1 : a == 0 ? b : a, \
                      PYMIC2__NO_COMPLEX("heaviside"))

/* Shifts as NumPy's: a count of the width or more, or a negative one (huge as uint64),
 * shifts every bit out (right shifts of negatives give -1); C and OpenCL leave those
 * undefined or masked, so they never reach the operator. */
#define PYMIC2__SHIFT_IN_RANGE(count) ((uint64_t)(int64_t)(count) < sizeof(T) * 8)
#define PYMIC2__OP_ROW_LEFT_SHIFT                                                         \
    SAME, PYMIC2__NO_BOOL_ARITHMETIC("left_shift"),                                       \
        PYMIC2__YES(PYMIC2__SHIFT_IN_RANGE(b) ? (T)((W)a << b) : (T)0),                   \
        PYMIC2__NO_BITWISE("floats"), PYMIC2__NO_BITWISE("complex numbers")
#define PYMIC2__OP_ROW_RIGHT_SHIFT                                                        \
    SAME, PYMIC2__NO_BOOL_ARITHMETIC("right_shift"),                                      \
        PYMIC2__YES(PYMIC2__SHIFT_IN_RANGE(b) ? (T)(a >> b) : (T)(a < 0 ? -1 : 0)),       \
        PYMIC2__NO_BITWISE("floats"), PYMIC2__NO_BITWISE("complex numbers")
#define PYMIC2__INTEGERS_ONLY(what, kind) PYMIC2__NO(what " is defined for integers, not " kind)
#define PYMIC2__OP_ROW_GCD                                                                \
    SAME, PYMIC2__NO_BOOL_ARITHMETIC("gcd"),                                              \
        PYMIC2__YES((T)pymic2__gcd_u64(PYMIC2__UABS(a), PYMIC2__UABS(b))),                \
        PYMIC2__INTEGERS_ONLY("gcd", "floats"),                                           \
        PYMIC2__INTEGERS_ONLY("gcd", "complex numbers")
#define PYMIC2__OP_ROW_LCM                                                                \
    SAME, PYMIC2__NO_BOOL_ARITHMETIC("lcm"),                                              \
        PYMIC2__YES((T)pymic2__lcm_u64(PYMIC2__UABS(a), PYMIC2__UABS(b))),                \
        PYMIC2__INTEGERS_ONLY("lcm", "floats"),                                           \
        PYMIC2__INTEGERS_ONLY("lcm", "complex numbers")
/* bitwise_count: the 1 bits of |a| (NumPy's), as uint8 */
#define PYMIC2__OP_ROW_BITWISE_COUNT                                                      \
    UINT8, PYMIC2__YES(a != 0), PYMIC2__YES(pymic2__popcount(PYMIC2__UABS(a))),           \
        PYMIC2__NO_BITWISE("floats"), PYMIC2__NO_BITWISE("complex numbers")

/* Calls macro with the expanded arguments (a row's columns become separate arguments). */
#define PYMIC2__CALL(macro, ...) macro(__VA_ARGS__)

/* The message of integer power's `invalid`, as NumPy words it. */
#define PYMIC2__NEGATIVE_POWER_MESSAGE "Integers to negative integer powers are not allowed."

/* What validation needs to know about an op, generated from the rows. */
typedef struct pymic2__op_info {
    const char *name;      /* "add" */
    int ninputs;
    int dtype_input;       /* the input whose dtype the loop is for (where: 1) */
    pymic2__out_rule rule;
    /* per class: NULL if accepted, else why not */
    const char *rejects[PYMIC2__NUM_CLASSES];
    /* why a dtype that computes in a wider type (float16 in float32) is refused, or NULL:
     * the training ops (bias_relu, relu_grad) are float32/float64 ones; nextafter and
     * spacing step in the stored type's own precision, which the float column does not */
    const char *rejects_narrow;
} pymic2__op_info;

/* The info of a valid op. */
const pymic2__op_info *pymic2__op_get_info(pymic2_op op);
/* The output dtype of the op's rule for inputs of a valid dtype (ANY: the input's). */
pymic2_dtype pymic2__op_out_dtype(const pymic2__op_info *info, pymic2_dtype input);

/* What validation needs to know about a reduction (PYMIC2_REDUCTION_TABLE). */
typedef enum pymic2__reduce_out {
    PYMIC2__REDUCE_OUT_SAME,
    PYMIC2__REDUCE_OUT_BOOL,
    PYMIC2__REDUCE_OUT_INT64
} pymic2__reduce_out;

typedef struct pymic2__reduce_info {
    const char *name; /* NumPy's word in messages: "maximum", "argmax", "sum" */
    pymic2_op op;     /* the binary op that combines */
    pymic2__reduce_out out;
    int has_identity; /* an empty reduction has a value (sum 0) rather than an error */
    int arg;          /* argmax/argmin: one axis or all */
    int cumulative;   /* cumsum/cumprod: one axis, output of the input's shape */
} pymic2__reduce_info;

/* The info of a valid reduction (not NONE). */
const pymic2__reduce_info *pymic2__reduce_get_info(pymic2_reduction reduction);

/* Validates a reduction and enqueues it (pymic2_op_launch with desc->reduction set). */
int pymic2__reduce_launch(pymic2_stream *stream, const pymic2_op_desc *desc);

#endif /* PYMIC2_OP_TABLE_H */
