/*
 * ocl_source.c - OpenCL C sources of the built-in ops and reductions, generated from the op
 * rows of src/ops/op_table.h (the same rows the host loops are compiled from).
 *
 * A row's expression for a dtype class arrives here as text (stringified through
 * PYMIC2__CALL); the kernel source defines what the text names: T (the element type), W (the
 * unsigned type integer arithmetic wraps in), `invalid`, the C type names int8_t ... uint64_t
 * and the pymic2__ helpers, in OpenCL C. So an op is described once for both backends.
 */
#include "ocl_ops.h"

#include "../../ops/op_table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The rows say INFINITY and isinf; OpenCL C has both. Keep the names in the text instead of
 * glibc's expansions. */
#undef INFINITY
#undef isinf
/* op_table.h's type-generic helpers for C; the prelude defines OpenCL ones. */
#undef pymic2__floor_divide_float
#undef pymic2__remainder_float
#undef pymic2__maximum
#undef pymic2__minimum

/* ---------------------------------------------------------------- text builder */

typedef struct text {
    char *data;
    size_t length, capacity;
    bool failed; /* out of memory: the text is incomplete */
} text;

static void append(text *t, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void append(text *t, const char *format, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list args;
        va_start(args, format);
        size_t room = t->capacity - t->length;
        int n = vsnprintf(t->data ? t->data + t->length : NULL, room, format, args);
        va_end(args);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if ((size_t)n < room) {
            t->length += (size_t)n;
            return;
        }
        size_t capacity = (t->capacity + (size_t)n + 1) * 2;
        char *data = realloc(t->data, capacity);
        if (data == NULL) {
            t->failed = true;
            return;
        }
        t->data = data;
        t->capacity = capacity;
    }
}

/* Hands the text over as *source, or frees it and reports ENOMEM. */
static int finish(text *t, const char *device, char **source)
{
    if (t->failed || t->data == NULL) {
        free(t->data);
        return pymic2__error(PYMIC2_ENOMEM, "%s: out of host memory for a kernel source",
                             device);
    }
    *source = t->data;
    return PYMIC2_OK;
}

/* ---------------------------------------------------------------- the rows as text */

#define PYMIC2__OCL_STRING(x) #x
#define PYMIC2__OCL_EXPANDED_STRING(x) PYMIC2__OCL_STRING(x)

/* A class column `1, expression` gives the expression's text, `0, reason` NULL. */
#define PYMIC2__OCL_TEXT_1(expression) #expression
#define PYMIC2__OCL_TEXT_0(reason) NULL
#define PYMIC2__OCL_ROW_TEXT(RULE, bo, be, io, ie, fo, fe, co, ce)                        \
    {                                                                                     \
        [PYMIC2__CLASS_BOOL] = PYMIC2__OCL_TEXT_##bo(be),                                 \
        [PYMIC2__CLASS_INT] = PYMIC2__OCL_TEXT_##io(ie),                                  \
        [PYMIC2__CLASS_FLOAT] = PYMIC2__OCL_TEXT_##fo(fe),                                \
        [PYMIC2__CLASS_COMPLEX] = PYMIC2__OCL_TEXT_##co(ce),                              \
    },
#define PYMIC2__OCL_OP_TEXT(NAME, lname, n) \
    [PYMIC2_OP_##NAME] = PYMIC2__CALL(PYMIC2__OCL_ROW_TEXT, PYMIC2__OP_ROW_##NAME)
static const char *const op_text[PYMIC2_NUM_OPS][PYMIC2__NUM_CLASSES] = {
    PYMIC2_OP_TABLE(PYMIC2__OCL_OP_TEXT)};
#undef PYMIC2__OCL_OP_TEXT
#undef PYMIC2__OCL_ROW_TEXT

/* Conversions between classes, as op_table.h's PYMIC2__CONVERT_* with TO_T and VALUE. */
#define PYMIC2__OCL_CONVERT(FROM, TO)                                            \
    [PYMIC2__CLASS_##FROM][PYMIC2__CLASS_##TO] =                                 \
        PYMIC2__OCL_EXPANDED_STRING(PYMIC2__CONVERT_##FROM##_##TO(TO_T, VALUE))
static const char *const convert_text[PYMIC2__NUM_CLASSES][PYMIC2__NUM_CLASSES] = {
    PYMIC2__OCL_CONVERT(BOOL, BOOL),  PYMIC2__OCL_CONVERT(BOOL, INT),
    PYMIC2__OCL_CONVERT(BOOL, FLOAT), PYMIC2__OCL_CONVERT(INT, BOOL),
    PYMIC2__OCL_CONVERT(INT, INT),    PYMIC2__OCL_CONVERT(INT, FLOAT),
    PYMIC2__OCL_CONVERT(FLOAT, BOOL), PYMIC2__OCL_CONVERT(FLOAT, INT),
    PYMIC2__OCL_CONVERT(FLOAT, FLOAT), PYMIC2__OCL_CONVERT(BOOL, COMPLEX),
    PYMIC2__OCL_CONVERT(INT, COMPLEX), PYMIC2__OCL_CONVERT(FLOAT, COMPLEX),
    PYMIC2__OCL_CONVERT(COMPLEX, BOOL), PYMIC2__OCL_CONVERT(COMPLEX, INT),
    PYMIC2__OCL_CONVERT(COMPLEX, FLOAT), PYMIC2__OCL_CONVERT(COMPLEX, COMPLEX),
};
#undef PYMIC2__OCL_CONVERT
static const char *const convert_same = PYMIC2__OCL_EXPANDED_STRING(
    PYMIC2__CONVERT_C(TO_T, VALUE));
static const char *const convert_bool = PYMIC2__OCL_EXPANDED_STRING(
    PYMIC2__CONVERT_TO_BOOL(TO_T, VALUE));

/* Per dtype, from the dtype table: the C type name the rows' T takes (typedef'ed in the
 * prelude), the wrap type W, OpenCL's name of the type and its smallest and largest values
 * (the identities of max and min; <stdint.h> names, which the prelude defines). */
typedef struct dtype_text {
    const char *ctype, *wrap, *ocl, *lowest, *highest;
} dtype_text;

#define PYMIC2__OCL_DTYPE_TEXT(context, NAME, name, ctype, CLASS, wrap, REAL, real_ctype, member, \
                               lowest, highest, opencl, ...)                                   \
    [PYMIC2_##NAME] = {#ctype, #wrap, #opencl, #lowest, #highest},
static const dtype_text dtype_texts[PYMIC2_NUM_DTYPES] = {
    PYMIC2_DTYPE_TABLE(PYMIC2__OCL_DTYPE_TEXT, unused)};
#undef PYMIC2__OCL_DTYPE_TEXT

const char *pymic2__ocl_type_name(pymic2_dtype dtype)
{
    if ((int)dtype < 0 || (int)dtype >= PYMIC2_NUM_DTYPES)
        return NULL;
    return dtype_texts[dtype].ocl;
}

bool pymic2__ocl_op_may_be_invalid(pymic2_op op, pymic2_dtype dtype)
{
    const char *expression = op_text[op][pymic2__dtype_class_of(dtype)];
    return expression != NULL && strstr(expression, "invalid") != NULL;
}

/* ---------------------------------------------------------------- the prelude */

/* What every generated source starts with: the C names the rows use, and the helpers of
 * op_table.h in OpenCL C (same semantics, documented there). */
static const char prelude_common[] =
    "typedef char int8_t;\n"
    "typedef uchar uint8_t;\n"
    "typedef short int16_t;\n"
    "typedef ushort uint16_t;\n"
    "typedef int int32_t;\n"
    "typedef uint uint32_t;\n"
    "typedef long int64_t;\n"
    "typedef ulong uint64_t;\n"
    "#define INT8_MIN CHAR_MIN\n"
    "#define INT8_MAX CHAR_MAX\n"
    "#define UINT8_MAX UCHAR_MAX\n"
    "#define INT16_MIN SHRT_MIN\n"
    "#define INT16_MAX SHRT_MAX\n"
    "#define UINT16_MAX USHRT_MAX\n"
    "#define INT32_MIN INT_MIN\n"
    "#define INT32_MAX INT_MAX\n"
    "#define INT64_MIN LONG_MIN\n"
    "#define INT64_MAX LONG_MAX\n"
    "#define UINT32_MAX UINT_MAX\n"
    "#define UINT64_MAX ULONG_MAX\n"
    "#pragma OPENCL FP_CONTRACT OFF\n" /* no fused multiply-adds: round as the host does */
    "#ifdef PYMIC2_FP64\n"
    "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n"
    "typedef double pymic2__widest;\n"
    "#else\n"
    "typedef float pymic2__widest;\n"
    "#endif\n"
    "ulong pymic2__ipow(ulong base, ulong exponent)\n"
    "{\n"
    "    ulong result = 1;\n"
    "    while (exponent) {\n"
    "        if (exponent & 1)\n"
    "            result *= base;\n"
    "        base *= base;\n"
    "        exponent >>= 1;\n"
    "    }\n"
    "    return result;\n"
    "}\n"
    "long pymic2__float_to_i64(pymic2__widest value)\n"
    "{\n"
    "    return value >= -0x1p63f && value < 0x1p63f ? (long)value : LONG_MIN;\n"
    "}\n"
    "ulong pymic2__float_to_u64(pymic2__widest value)\n"
    "{\n"
    "    if (value >= 0x1p63f)\n"
    "        return value < 0x1p64f ? (ulong)value : 0;\n"
    "    return (ulong)pymic2__float_to_i64(value);\n"
    "}\n"
    "int pymic2__float_to_i32(pymic2__widest value)\n"
    "{\n"
    "    return value >= -0x1p31f && value < 0x1p31f ? (int)value : INT_MIN;\n"
    "}\n"
    "long pymic2__floor_divide_int(long a, long b)\n"
    "{\n"
    "    if (b == 0)\n"
    "        return 0;\n"
    "    if (b == -1)\n"
    "        return (long)(0 - (ulong)a);\n"
    "    long quotient = a / b;\n"
    "    return quotient - (a % b != 0 && (a < 0) != (b < 0));\n"
    "}\n"
    "long pymic2__remainder_int(long a, long b)\n"
    "{\n"
    "    if (b == 0 || b == -1)\n"
    "        return 0;\n"
    "    long remainder = a % b;\n"
    "    return remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder;\n"
    "}\n";

/* Float-class helpers, written for the T of the kernel (float or double). */
static const char prelude_float[] =
    "T pymic2__divmod(T a, T b, T *modulus)\n"
    "{\n"
    "    T mod = fmod(a, b);\n"
    "    if (b == 0) {\n"
    "        *modulus = mod;\n"
    "        return a / b;\n"
    "    }\n"
    "    T div = (a - mod) / b;\n"
    "    if (mod != 0) {\n"
    "        if ((b < 0) != (mod < 0)) {\n"
    "            mod += b;\n"
    "            div -= 1;\n"
    "        }\n"
    "    } else {\n"
    "        mod = copysign((T)0, b);\n"
    "    }\n"
    "    T floordiv;\n"
    "    if (div != 0) {\n"
    "        floordiv = floor(div);\n"
    "        if (div - floordiv > (T)0.5)\n"
    "            floordiv += 1;\n"
    "    } else {\n"
    "        floordiv = copysign((T)0, a / b);\n"
    "    }\n"
    "    *modulus = mod;\n"
    "    return floordiv;\n"
    "}\n"
    "T pymic2__floor_divide_float(T a, T b)\n"
    "{\n"
    "    T mod;\n"
    "    return pymic2__divmod(a, b, &mod);\n"
    "}\n"
    "T pymic2__remainder_float(T a, T b)\n"
    "{\n"
    "    T mod;\n"
    "    pymic2__divmod(a, b, &mod);\n"
    "    return mod;\n"
    "}\n"
    "T pymic2__maximum(T a, T b) { return a >= b || a != a ? a : b; }\n"
    "T pymic2__minimum(T a, T b) { return a <= b || a != a ? a : b; }\n"
    "#define pymic2__fabs fabs\n"
    "#define pymic2__pow pow\n"
    "#define pymic2__sqrt sqrt\n"
    /* float64 exp: PoCL 3.1's is a scalar call (about 3 ns); this straight-line version
     * vectorises across work-items. x = n ln2 + r (Cody-Waite, n by the 1.5 * 2^52
     * rounding trick, |r| <= ln2 / 2), e^r by its Taylor polynomial to r^12, 2^n as two
     * factors so that subnormal and overflowing results round once. Within 2 ulp of
     * glibc's (3 without fused multiply-adds, which the file's FP_CONTRACT OFF would
     * forbid: the function allows them for itself); NaN, +-inf, overflow and underflow
     * as C's exp. */
    "#if PYMIC2_T_IS_DOUBLE\n"
    "double pymic2__exp(double x)\n"
    "{\n"
    "#pragma OPENCL FP_CONTRACT ON\n" /* fused polynomial steps: faster, and within 2 ulp */
    "    const double shifter = 6755399441055744.0;\n"
    "    double clamped = x < -746.0 ? -746.0 : x;\n"
    "    clamped = clamped > 710.0 ? 710.0 : clamped;\n"
    "    const double shifted = clamped * 1.4426950408889634 + shifter;\n"
    "    const double n = shifted - shifter;\n"
    "    const long k = as_long(shifted) - as_long(shifter);\n"
    "    double r = clamped - n * 6.93147180369123816490e-01;\n"
    "    r = r - n * 1.90821492927058770002e-10;\n"
    "    double p = 1.0 / 479001600.0;\n"
    "    p = p * r + 1.0 / 39916800.0;\n"
    "    p = p * r + 1.0 / 3628800.0;\n"
    "    p = p * r + 1.0 / 362880.0;\n"
    "    p = p * r + 1.0 / 40320.0;\n"
    "    p = p * r + 1.0 / 5040.0;\n"
    "    p = p * r + 1.0 / 720.0;\n"
    "    p = p * r + 1.0 / 120.0;\n"
    "    p = p * r + 1.0 / 24.0;\n"
    "    p = p * r + 1.0 / 6.0;\n"
    "    p = p * r + 0.5;\n"
    "    p = p * r + 1.0;\n"
    "    p = p * r + 1.0;\n"
    "    const long k1 = k >> 1;\n"
    "    const double y = p * as_double((k1 + 1023) << 52) * as_double((k - k1 + 1023) << 52);\n"
    "    return x != x ? x : y;\n"
    "}\n"
    "#else\n"
    "#define pymic2__exp exp\n"
    "#endif\n"
    "#define pymic2__expm1 expm1\n"
    "#define pymic2__log log\n"
    "#define pymic2__log1p log1p\n"
    /* PoCL 3.1's float tanh stays 1 ulp below 1 for every large |x|, infinity too; from
     * |x| = 10, where NumPy's (and glibc's) float32 result is +-1, return that */
    "#if PYMIC2_T_IS_DOUBLE\n"
    "#define pymic2__tanh tanh\n"
    "#else\n"
    "float pymic2__tanh(float x) { return fabs(x) >= 10.0f ? copysign(1.0f, x) : tanh(x); }\n"
    "#endif\n";

/*
 * complex128 as double2 (real part .x, imaginary .y): op_table.h's pymic2__c* helpers with
 * NumPy's semantics: textbook multiplication, Smith's division (by zero: each part over +0),
 * NumPy's power (small integral exponents by squaring, 0 ** b), and the special values of
 * C99 Annex G for sqrt, exp, log and tanh. Needs cl_khr_fp64.
 * The functions compute the finite case unconditionally and then overwrite special inputs'
 * results by plain assignments: PoCL vectorises straight-line code across work-items, but
 * not calls inside branches (a branchy csqrt ran 3.5x slower). PoCL 3.1's double hypot,
 * sin, cos, log and atan2 are scalar calls (15-50 ns each, exp and sqrt 3 and 1 ns): |a| is
 * big * sqrt(1 + (small / big)^2), exp takes sincos.
 */
static const char prelude_complex[] =
    "double pymic2__creal(double2 a) { return a.x; }\n"
    "double pymic2__cimag(double2 a) { return a.y; }\n"
    "double2 pymic2__cfrom_real(double re) { return (double2)(re, 0.0); }\n"
    "int pymic2__cnonzero(double2 a) { return a.x != 0 || a.y != 0; }\n"
    "int pymic2__cequal(double2 a, double2 b) { return a.x == b.x && a.y == b.y; }\n"
    /* C99's hypot: infinite if a part is (NaN or not), else NaN if a part is */
    "double pymic2__cabs(double2 a)\n"
    "{\n"
    "    const double ax = fabs(a.x), ay = fabs(a.y);\n"
    "    const double big = ax > ay ? ax : ay, small = ax > ay ? ay : ax;\n"
    "    const double ratio = small / big;\n"
    "    double magnitude = big * sqrt(1.0 + ratio * ratio);\n"
    "    if (big == 0)\n" /* 0 / 0; small is 0 or NaN */
    "        magnitude = small;\n"
    "    if (isinf(ax) || isinf(ay))\n"
    "        magnitude = INFINITY;\n"
    "    return magnitude;\n"
    "}\n"
    "double2 pymic2__cmul(double2 a, double2 b)\n"
    "{\n"
    "    return (double2)(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);\n"
    "}\n"
    /* Smith's: the ratio of b's smaller part to its larger one (NaN: as if the imaginary
     * part were larger) */
    "double2 pymic2__cdiv(double2 a, double2 b)\n"
    "{\n"
    "    const double abs_re = fabs(b.x), abs_im = fabs(b.y);\n"
    "    const bool real_larger = abs_re >= abs_im;\n"
    "    const double larger = real_larger ? b.x : b.y, smaller = real_larger ? b.y : b.x;\n"
    "    const double ratio = smaller / larger, scale = 1.0 / (larger + smaller * ratio);\n"
    "    double2 quotient = real_larger\n"
    "        ? (double2)((a.x + a.y * ratio) * scale, (a.y - a.x * ratio) * scale)\n"
    "        : (double2)((a.x * ratio + a.y) * scale, (a.y * ratio - a.x) * scale);\n"
    "    if (abs_re == 0 && abs_im == 0)\n"
    "        quotient = (double2)(a.x / abs_re, a.y / abs_re);\n"
    "    return quotient;\n"
    "}\n"
    /* a / |a|; an infinite part gives its unit whatever the other (NaN too) unless both are
     * infinite (NaN), as NumPy 2 */
    "double2 pymic2__csign(double2 a)\n"
    "{\n"
    "    const double magnitude = pymic2__cabs(a);\n"
    "    double2 sign = a / magnitude;\n"
    "    if (magnitude == 0)\n"
    "        sign = (double2)(0.0, 0.0);\n"
    "    if (isinf(a.y))\n"
    "        sign = (double2)(0.0, copysign(1.0, a.y));\n"
    "    if (isinf(a.x))\n"
    "        sign = (double2)(isinf(a.y) ? NAN : copysign(1.0, a.x), isinf(a.y) ? NAN : 0.0);\n"
    "    return sign;\n"
    "}\n"
    /* the principal root: real part >= 0, imaginary part of a's imaginary sign (the cut on
     * the negative real axis); scaled so that |a| neither overflows nor loses subnormal bits */
    "double2 pymic2__csqrt(double2 a)\n"
    "{\n"
    "    const double x = a.x, y = a.y;\n"
    "    double ax = fabs(x), ay = fabs(y), pre = 1.0, post = 1.0;\n"
    "    if (ax > 0x1p1020 || ay > 0x1p1020) {\n"
    "        pre = 0x1p-4;\n"
    "        post = 0x1p2;\n"
    "    }\n"
    "    if (ax < 0x1p-1020 && ay < 0x1p-1020) {\n"
    "        pre = 0x1p600;\n"
    "        post = 0x1p-300;\n"
    "    }\n"
    "    ax *= pre;\n"
    "    ay *= pre;\n"
    "    const double scaled_root = sqrt(0.5 * (ax + pymic2__cabs((double2)(ax, ay))));\n"
    "    const double root = scaled_root * post, other = ay / (2.0 * scaled_root) * post;\n"
    "    double re = x >= 0 ? root : other, im = copysign(x >= 0 ? other : root, y);\n"
    "    if (x == 0 && y == 0) {\n"
    "        re = 0.0;\n"
    "        im = y;\n"
    "    }\n"
    "    if (isnan(y))\n"
    "        re = im = y;\n"
    "    if (isinf(x)) {\n"
    "        re = x > 0 ? x : isnan(y) ? y : 0.0;\n"
    "        im = x < 0 ? copysign((double)INFINITY, y) : isnan(y) ? y : copysign(0.0, y);\n"
    "    }\n"
    "    if (isnan(x))\n"
    "        re = im = x;\n"
    "    if (isinf(y)) {\n"
    "        re = INFINITY;\n"
    "        im = y;\n"
    "    }\n"
    "    return (double2)(re, im);\n"
    "}\n"
    /* exp(x) (cos y + i sin y); where exp(x) overflows but the product may not, the two
     * halves of exp(x) multiply in turn */
    "double2 pymic2__cexp(double2 a)\n"
    "{\n"
    "    const double x = a.x, y = a.y;\n"
    "    const bool high = x > 709.0;\n"
    "    const double e = exp(high ? 0.5 * x : x), rest = high ? e : 1.0;\n"
    "    double c;\n"
    "    const double s = sincos(y, &c);\n" /* on PoCL as fast as one of sin and cos */
    "    double re = e * c * rest, im = e * s * rest;\n"
    "    if (y == 0)\n" /* exp of a real number, the zero's sign kept (x = NaN too) */
    "        im = y;\n"
    "    if (isinf(x) && !isfinite(y)) {\n"
    "        re = x < 0 ? 0.0 : x;\n"
    "        im = x < 0 ? copysign(0.0, y) : NAN;\n"
    "    }\n"
    "    return (double2)(re, im);\n"
    "}\n"
    /* log |a| + i arg a; near |a| = 1, log1p keeps the small real part's digits; tiny parts
     * are scaled out of the subnormal range, where |a| would lose bits */
    "double2 pymic2__clog(double2 a)\n"
    "{\n"
    "    const bool tiny = fabs(a.x) < 0x1p-1000 && fabs(a.y) < 0x1p-1000;\n"
    "    const double ax = fabs(a.x) * (tiny ? 0x1p600 : 1.0);\n"
    "    const double ay = fabs(a.y) * (tiny ? 0x1p600 : 1.0);\n"
    "    const double big = ax > ay ? ax : ay, small = ax > ay ? ay : ax;\n"
    "    const double near_one = 0.5 * log1p((big - 1.0) * (big + 1.0) + small * small);\n"
    "    double re = log(pymic2__cabs((double2)(ax, ay))) - (tiny ? 600.0 * M_LN2 : 0.0);\n"
    "    if (big >= 0.5 && big <= 2.0 && !isnan(small))\n"
    "        re = near_one;\n"
    "    return (double2)(re, atan2(a.y, a.x));\n"
    "}\n"
    /* Kahan's formula: with t = tan y, b = 1 + t^2, s = sinh x, rho = sqrt(1 + s^2),
     * tanh a = (b rho s + i t) / (1 + b s^2); beyond |x| = 22 the real part is +-1 and the
     * imaginary one 4 sin y cos y exp(-2|x|), where t / b = sin y cos y */
    "double2 pymic2__ctanh(double2 a)\n"
    "{\n"
    "    const double x = a.x, y = a.y;\n"
    "    const double t = tan(y), b = 1.0 + t * t, s = sinh(x), rho = sqrt(1.0 + s * s);\n"
    "    const double d = 1.0 + b * s * s;\n"
    "    double re = b * rho * s / d, im = t / d;\n"
    "    const double far_im = 4.0 * (t / b) * exp(-2.0 * fabs(x));\n"
    "    if (fabs(x) > 22.0) {\n"
    "        re = copysign(1.0, x);\n"
    "        im = far_im;\n"
    "    }\n"
    "    if (!isfinite(y)) {\n" /* finite x */
    "        re = x == 0 ? x : NAN;\n"
    "        im = NAN;\n"
    "    }\n"
    "    if (isinf(x)) {\n"
    "        re = copysign(1.0, x);\n"
    "        im = isfinite(y) ? copysign(0.0, t / b) : copysign(0.0, y);\n"
    "    }\n"
    "    if (isnan(x)) {\n"
    "        re = x;\n"
    "        im = y == 0 ? y : x;\n"
    "    }\n"
    "    return (double2)(re, im);\n"
    "}\n"
    /* NumPy's order: a ** 0 is 1 (NaN too); 0 ** b is 0 for Re b > 0, else NaN; integral
     * exponents 1 to 3 multiply a directly (no 1 * a that turns an infinite part into NaN),
     * others within 100 square from 1 and divide for negative ones; the rest exp(b log a) */
    "double2 pymic2__cpow(double2 a, double2 b)\n"
    "{\n"
    "    const double n = b.x;\n"
    "    if (n == 0 && b.y == 0)\n"
    "        return (double2)(1.0, 0.0);\n"
    "    if (a.x == 0 && a.y == 0)\n"
    "        return n > 0 ? (double2)(0.0, 0.0) : (double2)(NAN, NAN);\n"
    /* range first: converting NaN or a huge value to int is undefined */
    "    if (b.y == 0 && n > -100 && n < 100 && n == (double)(int)n) {\n"
    "        if (n == 1)\n"
    "            return a;\n"
    "        if (n == 2)\n"
    "            return pymic2__cmul(a, a);\n"
    "        if (n == 3)\n"
    "            return pymic2__cmul(a, pymic2__cmul(a, a));\n"
    "        uint m = (uint)abs((int)n);\n"
    "        double2 result = (double2)(1.0, 0.0), base = a;\n"
    "        while (m) {\n"
    "            if (m & 1)\n"
    "                result = pymic2__cmul(result, base);\n"
    "            base = pymic2__cmul(base, base);\n"
    "            m >>= 1;\n"
    "        }\n"
    "        return n < 0 ? pymic2__cdiv((double2)(1.0, 0.0), result) : result;\n"
    "    }\n"
    "    return pymic2__cexp(pymic2__cmul(b, pymic2__clog(a)));\n"
    "}\n";

/* EDTYPE for dtypes an OpenCL device cannot run: float64 and complex128 (a pair of float64)
 * without fp64. */
static int check_dtype(const char *device, const char *what, pymic2_dtype dtype, bool fp64)
{
    if (!pymic2__dtype_needs_fp64(dtype) || fp64)
        return PYMIC2_OK;
    char needs[64] = "";
    if (pymic2__dtype_class_of(dtype) == PYMIC2__CLASS_COMPLEX)
        snprintf(needs, sizeof needs, ", which %s needs", pymic2_dtype_name(dtype));
    return pymic2__error(PYMIC2_EDTYPE, "%s: %s: the device has no float64 support "
                         "(cl_khr_fp64)%s", device, what, needs);
}

/* The header of a source whose element type is `dtype`: fp64, the prelude, T and W, and the
 * complex helpers when `with_complex` (some value of the kernel is complex128; needs fp64). */
static void begin_source(text *t, pymic2_dtype dtype, bool fp64, bool with_complex)
{
    const dtype_text *types = &dtype_texts[dtype];
    const pymic2__dtype_class class = pymic2__dtype_class_of(dtype);
    if (fp64)
        append(t, "#define PYMIC2_FP64 1\n");
    append(t, "%s", prelude_common);
    /* the row's T: C's name, typedef'ed in the prelude, or OpenCL's for complex */
    append(t, "#define T %s\n",
           class == PYMIC2__CLASS_COMPLEX ? types->ocl : types->ctype);
    if (strcmp(types->wrap, "void") != 0)
        append(t, "#define W %s\n", types->wrap);
    if (class == PYMIC2__CLASS_FLOAT) {
        append(t, "#define PYMIC2_T_IS_DOUBLE %d\n", dtype == PYMIC2_FLOAT64);
        append(t, "%s", prelude_float);
    }
    if (with_complex)
        append(t, "%s", prelude_complex);
}

/* The conversion from class `from` to dtype `to` under a rule, as PYMIC2_CONVERT(TO_T, VALUE). */
static void define_convert(text *t, const char *convert)
{
    append(t, "#define PYMIC2_CONVERT(TO_T, VALUE) %s\n", convert);
}

/* ---------------------------------------------------------------- elementwise ops */

static const char *const input_names[] = {"a", "b", "c"};

/* Kernel names by layout and scalar mask (string literals: the kernel cache keeps them). */
#define PYMIC2__OCL_MASK_NAMES(prefix)                                                      \
    {prefix "_0", prefix "_1", prefix "_2", prefix "_3", prefix "_4", prefix "_5",          \
     prefix "_6", prefix "_7"}
static const char *const elementwise_names[PYMIC2__OCL_NUM_LAYOUTS][8] = {
    [PYMIC2__OCL_CONTIGUOUS] = PYMIC2__OCL_MASK_NAMES("pymic2_contiguous"),
    [PYMIC2__OCL_CONTIGUOUS_TAIL] = PYMIC2__OCL_MASK_NAMES("pymic2_contiguous_tail"),
    [PYMIC2__OCL_STRIDED] = PYMIC2__OCL_MASK_NAMES("pymic2_strided"),
    [PYMIC2__OCL_STRIDED_1] = PYMIC2__OCL_MASK_NAMES("pymic2_strided1"),
    [PYMIC2__OCL_STRIDED_2] = PYMIC2__OCL_MASK_NAMES("pymic2_strided2"),
    [PYMIC2__OCL_STRIDED_3] = PYMIC2__OCL_MASK_NAMES("pymic2_strided3"),
};
#undef PYMIC2__OCL_MASK_NAMES

const char *pymic2__ocl_elementwise_kernel_name(int layout, unsigned scalars)
{
    return elementwise_names[layout][scalars];
}

/*
 * One kernel of an elementwise program: `out = row(inputs)` for one layout, input k a
 * scalar argument where bit k of `scalars` is set. The contiguous kernel has no bounds
 * check (a branch there kept PoCL from vectorising exp's body fully, exp 25 % slower): it
 * runs on whole work-groups of PYMIC2__OCL_ELEMENTWISE_GROUP, and the checked tail kernel
 * takes the last partial group. Strided kernels decompose the element number over the
 * shape (geometry); those with a fixed ndim run unchecked on whole work-groups, the checked
 * one with ndim from its argument takes tails and more dimensions. Every launch has one
 * work-group size and no global offset, so PoCL compiles one work-group function per kernel
 * instead of one per remainder size.
 */
static void append_elementwise_kernel(text *t, const pymic2__op_info *info,
                                      const char *expression, int layout, unsigned scalars)
{
    const bool iota = info->rule == PYMIC2__OUT_IOTA;
    const bool flags = strstr(expression, "invalid") != NULL;
    const bool strided = layout >= PYMIC2__OCL_STRIDED;
    const bool checked = layout == PYMIC2__OCL_CONTIGUOUS_TAIL || layout == PYMIC2__OCL_STRIDED;
    /* the strided loop's dimension count: the argument, or a constant to unroll */
    char ndim[16] = "ndim";
    if (strided && layout != PYMIC2__OCL_STRIDED)
        snprintf(ndim, sizeof ndim, "%d", layout - PYMIC2__OCL_STRIDED);
    /* input k's element type: where's condition is bool */
    const char *types[3];
    for (int k = 0; k < info->ninputs; k++)
        types[k] = info->rule == PYMIC2__OUT_SELECT && k == 0 ? "uchar" : "T";

    append(t, "__kernel void %s(__global TO *out, long out_offset",
           elementwise_names[layout][scalars]);
    for (int k = 0; k < info->ninputs; k++) {
        if (scalars >> k & 1)
            append(t, ", const %s %s_value", types[k], input_names[k]);
        else
            append(t, ", __global const %s *%s_data, long %s_offset", types[k],
                   input_names[k], input_names[k]);
    }
    if (strided)
        append(t, ", __global const long *geometry, int ndim");
    if (layout != PYMIC2__OCL_CONTIGUOUS)
        append(t, ", long first, long n");
    append(t, "%s)\n{\n", flags ? ", __global int *flags" : "");
    if (checked)
        append(t, "    const long i = first + get_global_id(0);\n"
                  "    if (i >= n)\n        return;\n");
    else
        append(t, "    const long i = get_global_id(0);\n");
    append(t, "    int invalid = 0;\n");
    if (iota)
        append(t, "    const long index = i;\n");
    if (strided) {
        /* geometry: shape[ndim], then the strides (elements) of the output and each input */
        append(t, "    long out_at = out_offset");
        for (int k = 0; k < info->ninputs; k++)
            if (!(scalars >> k & 1))
                append(t, ", %s_at = %s_offset", input_names[k], input_names[k]);
        append(t, ";\n    long rest = i;\n"
                  "    for (int d = %s - 1; d >= 0; d--) {\n"
                  "        const long size = geometry[d];\n"
                  "        const long j = rest %% size;\n"
                  "        rest /= size;\n"
                  "        out_at += j * geometry[%s + d];\n", ndim, ndim);
        for (int k = 0; k < info->ninputs; k++)
            if (!(scalars >> k & 1))
                append(t, "        %s_at += j * geometry[%d * %s + d];\n", input_names[k],
                       k + 2, ndim);
        append(t, "    }\n");
    } else {
        append(t, "    const long out_at = out_offset + i;\n");
        for (int k = 0; k < info->ninputs; k++)
            if (!(scalars >> k & 1))
                append(t, "    const long %s_at = %s_offset + i;\n", input_names[k],
                       input_names[k]);
    }
    for (int k = 0; k < info->ninputs; k++) {
        if (scalars >> k & 1)
            append(t, "    const %s %s = %s_value;\n", types[k], input_names[k],
                   input_names[k]);
        else
            append(t, "    const %s %s = %s_data[%s_at];\n", types[k], input_names[k],
                   input_names[k], input_names[k]);
    }
    append(t, "    out[out_at] = PYMIC2_CONVERT(TO, (%s));\n", expression);
    if (flags)
        append(t, "    if (invalid)\n        flags[0] = 1;\n");
    append(t, "}\n");
}

int pymic2__ocl_source_elementwise(const char *device, const pymic2__ocl_elementwise_key *key,
                                   char **source)
{
    const pymic2__op_info *info = pymic2__op_get_info(key->op);
    int status = check_dtype(device, info->name, key->input, key->fp64);
    if (status == PYMIC2_OK)
        status = check_dtype(device, info->name, key->output, key->fp64);
    if (status != PYMIC2_OK)
        return status;
    pymic2__dtype_class from = pymic2__dtype_class_of(key->input);
    const char *expression = op_text[key->op][from];
    if (expression == NULL)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s of %s: %s", device, info->name,
                             pymic2_dtype_name(key->input),
                             info->rejects[from] ? info->rejects[from] : "not supported");
    const char *convert = convert_same;
    if (info->rule == PYMIC2__OUT_BOOL)
        convert = convert_bool;
    else if (info->rule == PYMIC2__OUT_ANY)
        convert = convert_text[from][pymic2__dtype_class_of(key->output)];
    text t = {0};
    begin_source(&t, key->input, key->fp64,
                 pymic2__dtype_class_of(key->input) == PYMIC2__CLASS_COMPLEX ||
                     pymic2__dtype_class_of(key->output) == PYMIC2__CLASS_COMPLEX);
    define_convert(&t, convert);
    append(&t, "#define TO %s\n", dtype_texts[key->output].ocl);
    for (unsigned scalars = 0; scalars < 1u << info->ninputs; scalars++)
        for (int layout = 0; layout < PYMIC2__OCL_NUM_LAYOUTS; layout++)
            append_elementwise_kernel(&t, info, expression, layout, scalars);
    return finish(&t, device, source);
}

/* ---------------------------------------------------------------- reductions */

/* The binary op that combines, as the reduction table names it. */
#define PYMIC2__OCL_REDUCE_OP(NAME, lname, OP, OUT) [PYMIC2_REDUCE_##NAME] = PYMIC2_OP_##OP,
static const pymic2_op reduce_ops[PYMIC2_NUM_REDUCTIONS] = {
    PYMIC2_REDUCTION_TABLE(PYMIC2__OCL_REDUCE_OP)};
#undef PYMIC2__OCL_REDUCE_OP

/* The identity of the combine for the accumulator's dtype: combine(identity, x) == x for
 * every x (max of floats starts at -inf, which loses even to a NaN). */
static const char *reduce_identity(pymic2_reduction reduction, pymic2_dtype acc)
{
    switch (reduction) {
    case PYMIC2_REDUCE_PROD:
    case PYMIC2_REDUCE_CUMPROD:
        return pymic2__dtype_class_of(acc) == PYMIC2__CLASS_COMPLEX ? "(double2)(1.0, 0.0)"
                                                                    : "1";
    case PYMIC2_REDUCE_ALL: return "1";
    case PYMIC2_REDUCE_MAX:
    case PYMIC2_REDUCE_ARGMAX: return dtype_texts[acc].lowest;
    case PYMIC2_REDUCE_MIN:
    case PYMIC2_REDUCE_ARGMIN: return dtype_texts[acc].highest;
    case PYMIC2_REDUCE_SUM: /* -0.0 + x is x for every x, -0.0 included (NumPy's sum) */
        switch (pymic2__dtype_class_of(acc)) {
        case PYMIC2__CLASS_FLOAT: return "-0.0";
        case PYMIC2__CLASS_COMPLEX: return "(double2)(-0.0, -0.0)";
        default: return "0";
        }
    default: return "0";
    }
}

int pymic2__ocl_source_reduce(const char *device, const pymic2__ocl_reduce_key *key,
                              char **source)
{
    const pymic2__reduce_info *reduce = pymic2__reduce_get_info(key->reduction);
    int status = check_dtype(device, reduce->name, key->input, key->fp64);
    if (status != PYMIC2_OK)
        return status;
    /* the accumulator: the input's dtype (float64 for float32 sums), bool for all/any,
     * int64 for count_nonzero; the output: the accumulator's dtype, float32 for those sums */
    pymic2_dtype acc = key->input;
    const bool wider = pymic2__ocl_reduce_in_float64(key->reduction, key->input, key->fp64);
    if (wider)
        acc = PYMIC2_FLOAT64;
    const bool complex_input = pymic2__dtype_class_of(key->input) == PYMIC2__CLASS_COMPLEX;
    const char *lift = "VALUE";
    if (reduce->out == PYMIC2__REDUCE_OUT_BOOL) {
        acc = PYMIC2_BOOL;
        lift = complex_input ? "(uchar)pymic2__cnonzero(VALUE)" : "(uchar)((VALUE) != 0)";
    } else if (reduce->out == PYMIC2__REDUCE_OUT_INT64 && !reduce->arg) {
        acc = PYMIC2_INT64;
        lift = complex_input ? "(long)pymic2__cnonzero(VALUE)" : "(long)((VALUE) != 0)";
    } else if (pymic2__dtype_class_of(acc) == PYMIC2__CLASS_BOOL) {
        lift = "(uchar)((VALUE) != 0)"; /* any nonzero byte reads as true */
    }
    pymic2__dtype_class acc_class = pymic2__dtype_class_of(acc);
    const char *combine = op_text[reduce_ops[key->reduction]][acc_class];
    if (combine == NULL)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s of %s is not supported", device,
                             reduce->name, pymic2_dtype_name(key->input));

    text t = {0};
    begin_source(&t, acc, key->fp64, complex_input);
    append(&t, "#define TI %s\n", dtype_texts[key->input].ocl);
    append(&t, "#define ACC %s\n", dtype_texts[acc].ocl);
    append(&t, "#define TO %s\n",
           reduce->arg ? "long" : dtype_texts[wider ? key->input : acc].ocl);
    append(&t, "#define LIFT(VALUE) (%s)\n", lift);
    append(&t, "#define IDENTITY ((ACC)%s)\n", reduce_identity(key->reduction, acc));
    /* the merged dimensions are kernel arguments, not constants: one program serves every
     * shape */
    append(&t, "#define KEPT kept\n#define REDUCED reduced\n#define GROUP %d\n",
           PYMIC2__OCL_REDUCE_GROUP);
    append(&t, "ACC pymic2_combine(ACC a, ACC b)\n{\n    int invalid = 0;\n"
               "    return (ACC)(%s);\n}\n", combine);
    if (reduce->arg) {
        /* the first extremum, or the first NaN: does (v, i) beat (best, at)? */
        const char *nan = acc_class == PYMIC2__CLASS_FLOAT ? "(x) != (x)" : "0";
        append(&t, "#define IS_NAN(x) (%s)\n", nan);
        append(&t, "#define BETTER(v, w) ((v) %s (w))\n",
               key->reduction == PYMIC2_REDUCE_ARGMAX ? ">" : "<");
        append(&t,
               "bool pymic2_arg_beats(ACC v, long i, ACC best, long at)\n"
               "{\n"
               "    if (at < 0)\n"
               "        return i >= 0;\n"
               "    if (i < 0)\n"
               "        return false;\n"
               "    if (IS_NAN(best))\n"
               "        return IS_NAN(v) && i < at;\n"
               "    if (IS_NAN(v))\n"
               "        return true;\n"
               "    return BETTER(v, best) || (v == best && i < at);\n"
               "}\n");
    }
    /*
     * Geometry (longs): kept shape[KEPT], kept input strides[KEPT], output strides[KEPT],
     * reduced shape[REDUCED], reduced input strides[REDUCED]; strides in elements.
     */
    append(&t,
           "long kept_offset(__global const long *g, int kept, long m, long *out_at)\n"
           "{\n"
           "    long at = 0, o = 0;\n"
           "    for (int d = KEPT - 1; d >= 0; d--) {\n"
           "        const long j = m %% g[d];\n"
           "        m /= g[d];\n"
           "        at += j * g[KEPT + d];\n"
           "        o += j * g[2 * KEPT + d];\n"
           "    }\n"
           "    *out_at = o;\n"
           "    return at;\n"
           "}\n"
           "long reduced_offset(__global const long *g, int kept, int reduced, long r)\n"
           "{\n"
           "    long at = 0;\n"
           "    for (int d = REDUCED - 1; d >= 0; d--) {\n"
           "        const long j = r %% g[3 * KEPT + d];\n"
           "        r /= g[3 * KEPT + d];\n"
           "        at += j * g[3 * KEPT + REDUCED + d];\n"
           "    }\n"
           "    return at;\n"
           "}\n");
    if (reduce->cumulative) {
        /* one work-item per line along the (single) reduced dimension */
        append(&t,
               "__kernel void pymic2_scan(__global const TI *in, long in_offset, __global TO *out,"
               " long out_offset, long lines, long length, __global const long *g,"
               " int kept, int reduced, long out_stride)\n"
               "{\n"
               "    const long m = get_global_id(0);\n"
               "    if (m >= lines)\n"
               "        return;\n"
               "    long o;\n"
               "    const long at = in_offset + kept_offset(g, kept, m, &o);\n"
               "    const long step = g[3 * KEPT + REDUCED];\n"
               "    o += out_offset;\n"
               "    ACC acc = LIFT(in[at]);\n" /* the first element as is: -0.0 stays */
               "    out[o] = acc;\n"
               "    for (long r = 1; r < length; r++) {\n"
               "        acc = pymic2_combine(acc, LIFT(in[at + r * step]));\n"
               "        out[o + r * out_stride] = acc;\n"
               "    }\n"
               "}\n");
        return finish(&t, device, source);
    }
    /* ARG: the index travels with the value (-1: none yet) */
    const bool arg = reduce->arg;
    const char *index_param = arg ? ", __global long *partial_index" : "";
    /* FOLD_INTO(a, a_at, v, i): accumulator a (at index a_at) takes element v (at index i) */
    append(&t,
           "#define FOLD_INTO(a, a_at, v, i) %s\n"
           "#define FOLD(v, i) FOLD_INTO(acc, acc_at, v, i)\n",
           arg ? "if (pymic2_arg_beats((v), (i), a, a_at)) { a = (v); a_at = (i); }"
               : "a = pymic2_combine(a, (v));");
    /* On CPU devices a work-group's items run in turn on one core: each item then folds a
     * contiguous segment (one pass over memory, four independent accumulators); on GPUs
     * items run side by side and take every GROUP-th element (coalesced loads). */
    append(&t, "#define SEGMENTED %d\n", key->segmented ? 1 : 0);
    append(&t, "#define WRITE_OUT(o) out[o] = %s\n", arg ? "acc_at" : "(TO)acc");
    /*
     * Pass 1: work-group (m, chunk) folds the elements [chunk * per_chunk, ...) of output m,
     * work-item j taking every GROUP-th one, then a tree in local memory. With one chunk it
     * writes the output; else partial[m * chunks + chunk].
     */
    append(&t,
           "__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))\n"
           "void pymic2_reduce_partial(__global const TI *in, long in_offset, __global TO *out,"
           " long out_offset, long length, long chunks, long per_chunk,"
           " __global const long *g, int kept, int reduced, __global ACC *partial%s)\n"
           "{\n"
           "    __local ACC values[GROUP];\n"
           "    __local long indices[GROUP];\n"
           "    const int j = get_local_id(0);\n"
           "    const long group = get_group_id(0);\n"
           "    const long m = group / chunks, chunk = group %% chunks;\n"
           "    long o;\n"
           "    const long base = in_offset + kept_offset(g, kept, m, &o);\n"
           "    const long begin = chunk * per_chunk;\n"
           "    const long end = min(begin + per_chunk, length);\n"
           "    ACC acc = IDENTITY;\n"
           "    long acc_at = -1;\n"
           "    if (REDUCED == 1 && SEGMENTED) {\n"
           "        const long step = g[3 * KEPT + 1];\n"
           "        const long size = (end - begin + GROUP - 1) / GROUP;\n"
           "        const long first = min(begin + j * size, end), last = min(first + size, end);\n"
           "        ACC acc2 = IDENTITY, acc3 = IDENTITY, acc4 = IDENTITY;\n"
           "        long acc2_at = -1, acc3_at = -1, acc4_at = -1;\n"
           "        long r = first;\n"
           "        for (; r + 3 < last; r += 4) {\n"
           "            const ACC v1 = LIFT(in[base + r * step]);\n"
           "            const ACC v2 = LIFT(in[base + (r + 1) * step]);\n"
           "            const ACC v3 = LIFT(in[base + (r + 2) * step]);\n"
           "            const ACC v4 = LIFT(in[base + (r + 3) * step]);\n"
           "            FOLD_INTO(acc, acc_at, v1, r);\n"
           "            FOLD_INTO(acc2, acc2_at, v2, r + 1);\n"
           "            FOLD_INTO(acc3, acc3_at, v3, r + 2);\n"
           "            FOLD_INTO(acc4, acc4_at, v4, r + 3);\n"
           "        }\n"
           "        for (; r < last; r++) {\n"
           "            const ACC v = LIFT(in[base + r * step]);\n"
           "            FOLD(v, r);\n"
           "        }\n"
           "        FOLD(acc2, acc2_at);\n"
           "        FOLD(acc3, acc3_at);\n"
           "        FOLD(acc4, acc4_at);\n"
           "    } else if (REDUCED == 1) {\n"
           "        const long step = g[3 * KEPT + 1];\n"
           "        for (long r = begin + j; r < end; r += GROUP) {\n"
           "            const ACC v = LIFT(in[base + r * step]);\n"
           "            FOLD(v, r);\n"
           "        }\n"
           "    } else {\n"
           "        for (long r = begin + j; r < end; r += GROUP) {\n"
           "            const ACC v = LIFT(in[base + reduced_offset(g, kept, reduced, r)]);\n"
           "            FOLD(v, r);\n"
           "        }\n"
           "    }\n"
           "    values[j] = acc;\n"
           "    indices[j] = acc_at;\n"
           "    barrier(CLK_LOCAL_MEM_FENCE);\n"
           "    for (int width = GROUP / 2; width > 0; width /= 2) {\n"
           "        if (j < width) {\n"
           "            acc = values[j];\n"
           "            acc_at = indices[j];\n"
           "            const ACC v = values[j + width];\n"
           "            const long i = indices[j + width];\n"
           "            FOLD(v, i);\n"
           "            values[j] = acc;\n"
           "            indices[j] = acc_at;\n"
           "        }\n"
           "        barrier(CLK_LOCAL_MEM_FENCE);\n"
           "    }\n"
           "    if (j == 0) {\n"
           "        acc = values[0];\n"
           "        acc_at = indices[0];\n"
           "        if (chunks == 1) {\n"
           "            WRITE_OUT(out_offset + o);\n"
           "        } else {\n"
           "            partial[m * chunks + chunk] = acc;\n"
           "%s"
           "        }\n"
           "    }\n"
           "}\n",
           index_param, arg ? "            partial_index[m * chunks + chunk] = acc_at;\n" : "");
    /* Pass 2: one work-item per output folds its chunks in order. */
    append(&t,
           "__kernel void pymic2_reduce_final(__global TO *out, long out_offset, long outputs,"
           " long chunks, __global const long *g, int kept, int reduced,"
           " __global const ACC *partial%s)\n"
           "{\n"
           "    const long m = get_global_id(0);\n"
           "    if (m >= outputs)\n"
           "        return;\n"
           "    long o;\n"
           "    kept_offset(g, kept, m, &o);\n"
           "    ACC acc = IDENTITY;\n"
           "    long acc_at = -1;\n"
           "    for (long c = 0; c < chunks; c++) {\n"
           "        const ACC v = partial[m * chunks + c];\n"
           "        const long i = %s;\n"
           "        FOLD(v, i);\n"
           "    }\n"
           "    WRITE_OUT(out_offset + o);\n"
           "}\n",
           arg ? ", __global const long *partial_index" : "",
           arg ? "partial_index[m * chunks + c]" : "c");
    /* Columns: one work-item per output, sequential over its elements (the kept dimension
     * is the contiguous one, so neighbouring work-items read neighbouring elements). */
    append(&t,
           "__kernel void pymic2_reduce_columns(__global const TI *in, long in_offset,"
           " __global TO *out, long out_offset, long outputs, long length,"
           " __global const long *g, int kept, int reduced)\n"
           "{\n"
           "    const long m = get_global_id(0);\n"
           "    if (m >= outputs)\n"
           "        return;\n"
           "    long o;\n"
           "    const long base = in_offset + kept_offset(g, kept, m, &o);\n"
           "    ACC acc = IDENTITY;\n"
           "    long acc_at = -1;\n"
           "    for (long r = 0; r < length; r++) {\n"
           "        const ACC v = LIFT(in[base + reduced_offset(g, kept, reduced, r)]);\n"
           "        FOLD(v, r);\n"
           "%s"
           "    }\n"
           "    WRITE_OUT(out_offset + o);\n"
           "}\n",
           /* a sequential column sum rounds each step to the output dtype, as NumPy's own
            * axis-0 loop does (a float32 sum of two floats computed in float64 and rounded
            * is the float32 sum exactly): the results stay NumPy's bit for bit */
           wider ? "        acc = (TO)acc;\n" : "");
    return finish(&t, device, source);
}

/* ---------------------------------------------------------------- indexing */

/*
 * Geometry (longs), dimensions split as the result O + S + N (see pymic2_index_desc):
 *   O: shape, array strides, values strides      (n_outer each)
 *   S: shape, values strides, then per index array its strides   (n_select each)
 *   N: shape, array strides, values strides      (n_inner each)
 *   per index array: the indexed axis's size and array stride
 * Strides and offsets in elements.
 */
int pymic2__ocl_source_index(const char *device, pymic2_dtype dtype, int nindices,
                             unsigned wide_indices, bool fp64, char **source)
{
    int status = check_dtype(device, "indexing", dtype, fp64);
    if (status != PYMIC2_OK)
        return status;
    if (nindices < 1 || nindices > PYMIC2_MAX_INDEX_ARRAYS)
        return pymic2__error(PYMIC2_EINVAL, "%s: indexing: %d index arrays", device, nindices);
    text t = {0};
    begin_source(&t, dtype, fp64, pymic2__dtype_class_of(dtype) == PYMIC2__CLASS_COMPLEX);
    append(&t, "#define ELEMENT %s\n#define NINDICES %d\n", dtype_texts[dtype].ocl,
           nindices);
    append(&t, "ELEMENT pymic2_add(ELEMENT a, ELEMENT b)\n{\n    int invalid = 0;\n"
               "    return (ELEMENT)(%s);\n}\n",
           op_text[PYMIC2_OP_ADD][pymic2__dtype_class_of(dtype)]);
    char params[512] = "", reads[512] = "";
    for (int j = 0; j < nindices; j++) {
        size_t used = strlen(params);
        snprintf(params + used, sizeof params - used, ", __global const %s *index%d, long index%d_offset",
                 wide_indices >> j & 1 ? "long" : "int", j, j);
        used = strlen(reads);
        snprintf(reads + used, sizeof reads - used,
                 "    if (j == %d) return index%d[index%d_offset + at];\n", j, j, j);
    }
    append(&t, "#define INDEX_PARAMS %s\n", params);
    append(&t, "#define INDEX_ARGS ");
    for (int j = 0; j < nindices; j++)
        append(&t, ", index%d, index%d_offset", j, j);
    append(&t, "\n");
    append(&t, "long read_index(int j, long at INDEX_PARAMS)\n{\n%s    return 0;\n}\n", reads);
    append(&t,
           "#define O_SHAPE(d) g[d]\n"
           "#define O_ARRAY(d) g[n_outer + (d)]\n"
           "#define O_VALUES(d) g[2 * n_outer + (d)]\n"
           "#define S_BASE (3 * n_outer)\n"
           "#define S_SHAPE(d) g[S_BASE + (d)]\n"
           "#define S_VALUES(d) g[S_BASE + n_select + (d)]\n"
           "#define S_INDEX(j, d) g[S_BASE + (2 + (j)) * n_select + (d)]\n"
           "#define N_BASE (S_BASE + (2 + NINDICES) * n_select)\n"
           "#define N_SHAPE(d) g[N_BASE + (d)]\n"
           "#define N_ARRAY(d) g[N_BASE + n_inner + (d)]\n"
           "#define N_VALUES(d) g[N_BASE + 2 * n_inner + (d)]\n"
           "#define AXIS_SIZE(j) g[N_BASE + 3 * n_inner + 2 * (j)]\n"
           "#define AXIS_STRIDE(j) g[N_BASE + 3 * n_inner + 2 * (j) + 1]\n"
           /* the array and values offsets of selection s (its index arrays read) */
           "void select_offsets(__global const long *g, int n_outer, int n_select, int n_inner,"
           " long s, long *array_at, long *values_at INDEX_PARAMS)\n"
           "{\n"
           "    long index_at[NINDICES] = {0};\n"
           "    long v = 0;\n"
           "    for (int d = n_select - 1; d >= 0; d--) {\n"
           "        const long i = s %% S_SHAPE(d);\n"
           "        s /= S_SHAPE(d);\n"
           "        v += i * S_VALUES(d);\n"
           "        for (int j = 0; j < NINDICES; j++)\n"
           "            index_at[j] += i * S_INDEX(j, d);\n"
           "    }\n"
           "    long a = 0;\n"
           "    for (int j = 0; j < NINDICES; j++) {\n"
           "        long position = read_index(j, index_at[j] INDEX_ARGS);\n"
           "        if (position < 0)\n"
           "            position += AXIS_SIZE(j);\n"
           "        a += position * AXIS_STRIDE(j);\n"
           "    }\n"
           "    *array_at = a;\n"
           "    *values_at = v;\n"
           "}\n"
           /* the offsets of (outer o, inner n) */
           "void outer_inner_offsets(__global const long *g, int n_outer, int n_select,"
           " int n_inner, long o, long n, long *array_at, long *values_at)\n"
           "{\n"
           "    long a = 0, v = 0;\n"
           "    for (int d = n_inner - 1; d >= 0; d--) {\n"
           "        const long i = n %% N_SHAPE(d);\n"
           "        n /= N_SHAPE(d);\n"
           "        a += i * N_ARRAY(d);\n"
           "        v += i * N_VALUES(d);\n"
           "    }\n"
           "    for (int d = n_outer - 1; d >= 0; d--) {\n"
           "        const long i = o %% O_SHAPE(d);\n"
           "        o /= O_SHAPE(d);\n"
           "        a += i * O_ARRAY(d);\n"
           "        v += i * O_VALUES(d);\n"
           "    }\n"
           "    *array_at = a;\n"
           "    *values_at = v;\n"
           "}\n"
           /* the positions in the index arrays of selection s */
           "void index_positions(__global const long *g, int n_outer, int n_select,"
           " int n_inner, long s, long *index_at)\n"
           "{\n"
           "    for (int j = 0; j < NINDICES; j++)\n"
           "        index_at[j] = 0;\n"
           "    for (int d = n_select - 1; d >= 0; d--) {\n"
           "        const long i = s %% S_SHAPE(d);\n"
           "        s /= S_SHAPE(d);\n"
           "        for (int j = 0; j < NINDICES; j++)\n"
           "            index_at[j] += i * S_INDEX(j, d);\n"
           "    }\n"
           "}\n"
           /* the first selection (C order) with an index out of bounds, by atomic_min into
            * check[0] (see the CHECK_ layout in ocl_ops_index.c) */
           "__kernel void pymic2_index_check(long selections, __global const long *g,"
           " int n_outer, int n_select, int n_inner, __global int *check INDEX_PARAMS)\n"
           "{\n"
           "    const long s = get_global_id(0);\n"
           "    if (s >= selections)\n"
           "        return;\n"
           "    long index_at[NINDICES];\n"
           "    index_positions(g, n_outer, n_select, n_inner, s, index_at);\n"
           "    for (int j = 0; j < NINDICES; j++) {\n"
           "        const long position = read_index(j, index_at[j] INDEX_ARGS);\n"
           "        if (position < -AXIS_SIZE(j) || position >= AXIS_SIZE(j))\n"
           "            atomic_min(check, (int)s);\n"
           "    }\n"
           "}\n"
           /* Whether the check found a bad index: then no element moves (a gather writes
            * zeros), and work-item 0 records
            * which index array held which value at the first bad selection, for the report
            * (the host reads the check buffer without running anything on the queue). */
           "int index_check_failed(__global int *check, __global const long *g, int n_outer,"
           " int n_select, int n_inner, long e INDEX_PARAMS)\n"
           "{\n"
           "    const int bad = check[0];\n"
           "    if (bad == INT_MAX)\n"
           "        return 0;\n"
           "    if (e != 0)\n"
           "        return 1;\n"
           "    long index_at[NINDICES];\n"
           "    index_positions(g, n_outer, n_select, n_inner, bad, index_at);\n"
           "    for (int j = 0; j < NINDICES; j++) {\n"
           "        const long position = read_index(j, index_at[j] INDEX_ARGS);\n"
           "        if (position < -AXIS_SIZE(j) || position >= AXIS_SIZE(j)) {\n"
           "            check[1] = j;\n"
           "            check[2] = (int)(uint)(ulong)position;\n"
           "            check[3] = (int)(uint)((ulong)position >> 32);\n"
           "            break;\n"
           "        }\n"
           "    }\n"
           "    return 1;\n"
           "}\n"
           /* gather: one work-item per result element (o, s, n); after a bad index the
            * result is all zeros, as on the host (nothing is read from array) */
           "__kernel void pymic2_gather(__global const ELEMENT *array, long array_offset,"
           " __global ELEMENT *values, long values_offset, long selections, long inners,"
           " long total, __global int *check, __global const long *g, int n_outer,"
           " int n_select, int n_inner INDEX_PARAMS)\n"
           "{\n"
           "    const long e = get_global_id(0);\n"
           "    const int failed = index_check_failed(check, g, n_outer, n_select, n_inner, e"
           " INDEX_ARGS);\n"
           "    if (e >= total)\n"
           "        return;\n"
           "    const long n = e %% inners, s = e / inners %% selections;\n"
           "    const long o = e / inners / selections;\n"
           "    long a0, v0, a1, v1;\n"
           "    outer_inner_offsets(g, n_outer, n_select, n_inner, o, n, &a0, &v0);\n"
           "    select_offsets(g, n_outer, n_select, n_inner, s, &a1, &v1 INDEX_ARGS);\n"
           "    if (failed)\n"
           "        values[values_offset + v0 + v1] = (ELEMENT)0;\n"
           "    else\n"
           "        values[values_offset + v0 + v1] = array[array_offset + a0 + a1];\n"
           "}\n"
           /* scatters: one work-item per (o, n), the selections in C order (the last write
            * wins, every add counts, as on the host) */
           "__kernel void pymic2_scatter(__global ELEMENT *array, long array_offset,"
           " __global const ELEMENT *values, long values_offset, ELEMENT scalar,"
           " int from_scalar, int add, long selections, long inners, long total,"
           " __global int *check, __global const long *g, int n_outer, int n_select,"
           " int n_inner INDEX_PARAMS)\n"
           "{\n"
           "    const long e = get_global_id(0);\n"
           "    if (index_check_failed(check, g, n_outer, n_select, n_inner, e INDEX_ARGS)"
           " || e >= total)\n"
           "        return;\n"
           "    long a0, v0, a1, v1;\n"
           "    outer_inner_offsets(g, n_outer, n_select, n_inner, e / inners, e %% inners,"
           " &a0, &v0);\n"
           "    for (long s = 0; s < selections; s++) {\n"
           "        select_offsets(g, n_outer, n_select, n_inner, s, &a1, &v1 INDEX_ARGS);\n"
           "        const ELEMENT value = from_scalar ? scalar : values[values_offset + v0 + v1];\n"
           "        __global ELEMENT *target = &array[array_offset + a0 + a1];\n"
           "        *target = add ? pymic2_add(*target, value) : value;\n"
           "    }\n"
           "}\n");
    return finish(&t, device, source);
}
