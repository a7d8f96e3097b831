/*
 * test_math.c - the host's float64 and float32 math ops through the op API (PYMIC2_OP_LOG,
 * _EXP, _SIN, _ARCTAN2 ... on device buffers), for every SIMD target this CPU runs, against
 * glibc's long double functions (x87, 11 more bits than a double) on random bit patterns of
 * every exponent and on each function's own ranges: float64 exp and log with AVX-512 (our
 * vector_log.c, vector_exp.c) at most 1 ulp off, the rest (glibc's libmvec, and our formulas
 * on top of it) within 4 ulp, NumPy's own bound for its float64 functions; C's special values
 * exactly.
 * Arrays are not a multiple of any vector width and also start one element off the
 * allocation's alignment, so the vector bodies, their remainders and the scalar function all
 * run. Two-input functions take both inputs from the same value set (independent draws).
 * logaddexp and logaddexp2 are NumPy's max(a, b) + log1p(exp(-|a - b|)): where the two terms
 * cancel (a result near 0) no formula in double arithmetic stays within a few ulp of the
 * result, so their error counts in ulps of the largest of the result and its two terms
 * (NumPy's own results are as far off there).
 */
#include "check.h"

#include "simd_targets.h"

#include <float.h>
#include <math.h>
#include <stdint.h>

#define COUNT 40009 /* per value set: odd, > 2 pieces of the team's work split */
/* ours (AVX-512), and glibc's bound for its vector math (the other targets) */
#define OWN_MAX_ULP 1.0
#define LIBMVEC_MAX_ULP 4.0

static pymic2_device *device;
static pymic2_stream *stream;
static uint64_t random_state = 0x9e3779b97f4a7c15ULL;
/* the pass: float64, or float32 (values, references and ulps in float; the bit patterns of
 * the random sets are float's) */
static bool single;

static uint64_t random_bits(void)
{
    /* xorshift64* */
    random_state ^= random_state >> 12;
    random_state ^= random_state << 25;
    random_state ^= random_state >> 27;
    return random_state * 0x2545f4914f6cdd1dULL;
}

static double from_bits(uint64_t bits)
{
    double value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* in [0, 1) */
static double random_unit(void)
{
    return (double)(random_bits() >> 11) * 0x1p-53;
}

/* |got - reference| in units of the last place of `scale` (the reference, or for a sum
 * that cancels its larger term) in the pass's type, where it is finite */
static double ulp_error(double got, long double reference, long double scale)
{
    const int lowest = single ? FLT_MIN_EXP - 2 : DBL_MIN_EXP - 2;
    const int digits = single ? FLT_MANT_DIG - 1 : DBL_MANT_DIG - 1;
    int exponent = ilogbl(scale);
    if (exponent < lowest)
        exponent = lowest;
    return (double)(fabsl((long double)got - reference) / ldexpl(1.0L, exponent - digits));
}

/* y = op(x0[, x1]) on the device in the pass's dtype: n values at element offset `shift` of
 * their buffers (float32 passes convert on the host; the copies read `floats` at once) */
static int device_op(pymic2_op op, int ninputs, const double *const *x, double *y, int64_t n,
                     int64_t shift)
{
    const pymic2_dtype dtype = single ? PYMIC2_FLOAT32 : PYMIC2_FLOAT64;
    const size_t size = pymic2_dtype_size(dtype);
    const size_t bytes = (size_t)(n + shift) * size, offset = (size_t)shift * size;
    float *floats = single ? malloc((size_t)n * sizeof(float)) : NULL;
    pymic2_buffer *buffers[3] = {NULL, NULL, NULL};
    pymic2_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.op = op;
    desc.noperands = ninputs + 1;
    int status = single && floats == NULL ? PYMIC2_ENOMEM : PYMIC2_OK;
    for (int k = 0; k <= ninputs && status == PYMIC2_OK; k++) {
        status = pymic2_buffer_alloc(device, bytes, 0, &buffers[k]);
        if (status == PYMIC2_OK && k < ninputs) {
            for (int64_t i = 0; single && i < n; i++)
                floats[i] = (float)x[k][i];
            status = pymic2_memcpy_h2d(stream, buffers[k], offset,
                                       single ? (const void *)floats : x[k], (size_t)n * size);
        }
        if (status == PYMIC2_OK)
            status = pymic2_operand_contiguous(&desc.operands[k], buffers[k], (int64_t)offset,
                                               dtype, 1, &n);
    }
    if (status == PYMIC2_OK)
        status = pymic2_op_launch(stream, &desc);
    if (status == PYMIC2_OK)
        status = pymic2_memcpy_d2h(stream, single ? (void *)floats : y, buffers[ninputs],
                                   offset, (size_t)n * size);
    if (status == PYMIC2_OK)
        status = pymic2_stream_sync(stream);
    for (int64_t i = 0; single && status == PYMIC2_OK && i < n; i++)
        y[i] = floats[i];
    for (int k = 0; k < 3; k++)
        if (buffers[k] != NULL)
            pymic2_buffer_release(buffers[k]);
    free(floats);
    return status;
}

/* The values a function is checked on: a name and a generator. */
typedef struct value_set {
    const char *name;
    double (*next)(void);
} value_set;

static double any_bit_pattern(void) /* every exponent and sign, NaNs and infinities */
{
    if (single) {
        const uint32_t bits = (uint32_t)(random_bits() >> 32);
        float value;
        memcpy(&value, &bits, sizeof value);
        return value;
    }
    return from_bits(random_bits());
}

static double half_to_two(void)
{
    return 0.5 + 1.5 * random_unit();
}

static double near_one(void) /* 1 +- 10^-3 .. 10^-12 */
{
    const double distance = pow(10.0, -3.0 - 9.0 * random_unit());
    return random_bits() & 1 ? 1.0 + distance : 1.0 - distance;
}

static double subnormal(void)
{
    if (single)
        return ldexp((double)(random_bits() >> 41), -149); /* 23 random bits */
    return from_bits(random_bits() & 0x000fffffffffffffULL);
}

static double finite_exp_range(void) /* exp's results from subnormal to overflow */
{
    return -750.0 + 1460.0 * random_unit();
}

static double unit_interval(void) /* [-1, 1] */
{
    return 2.0 * random_unit() - 1.0;
}

static double near_zero(void) /* +- 10^-3 .. 10^-18 */
{
    const double magnitude = pow(10.0, -3.0 - 15.0 * random_unit());
    return random_bits() & 1 ? magnitude : -magnitude;
}

static double within_ten(void) /* [-10, 10]: a few periods of the trigonometric functions */
{
    return 20.0 * random_unit() - 10.0;
}

static double wide(void) /* +- 10^-5 .. 10^5, log-uniform */
{
    const double magnitude = pow(10.0, 10.0 * random_unit() - 5.0);
    return random_bits() & 1 ? magnitude : -magnitude;
}

static double one_to_ten(void)
{
    return 1.0 + 9.0 * random_unit();
}

static double finite_exp2_range(void) /* exp2's results from subnormal to overflow */
{
    return -1080.0 + 2110.0 * random_unit();
}

static double huge(void) /* 10^300 .. 10^308: hypot's overflow edge */
{
    return pow(10.0, 300.0 + 8.25 * random_unit());
}

/* References in long double that C does not have: NumPy's definitions */
static long double logaddexpl(long double a, long double b)
{
    if (a == b)
        return a + 0.693147180559945309417232121458176568L;
    const long double larger = a > b ? a : b;
    return larger + log1pl(expl(-fabsl(a - b)));
}

static long double logaddexp2l(long double a, long double b)
{
    if (a == b)
        return a + 1;
    const long double larger = a > b ? a : b;
    return larger + log1pl(exp2l(-fabsl(a - b))) * 1.442695040888963407359924681001892137L;
}

static long double deg2radl(long double a)
{
    return a * (3.141592653589793238462643383279502884L / 180);
}

static long double rad2degl(long double a)
{
    return a * (180 / 3.141592653589793238462643383279502884L);
}

/* The largest of logaddexp's sum and its two terms: ulps of it are its unit of error */
static long double larger_term(long double a, long double b, long double reference)
{
    const long double larger = a > b ? a : b;
    return fmaxl(fabsl(reference), fmaxl(fabsl(larger), fabsl(reference - larger)));
}

/* A function under test: its op, the long double reference (reference2 for two inputs),
 * its value sets and the special values it must give exactly (the rest within the target's
 * bound of the reference; two-input functions take every pair of them). own_avx512: ours
 * with AVX-512 (1 ulp), libmvec's elsewhere (4 ulp). scale: the magnitude whose ulp is the
 * unit of error, if not the reference's. */
typedef struct function_case {
    const char *name;
    pymic2_op op;
    long double (*reference)(long double);
    long double (*reference2)(long double, long double);
    long double (*scale)(long double, long double, long double);
    bool own_avx512;
    value_set sets[4];
    double specials[12];
    int nspecials;
} function_case;

#define ANY_BITS {"random bit patterns", any_bit_pattern}
#define UNIT {"[-1, 1]", unit_interval}
#define NEAR_ZERO {"near 0", near_zero}
#define NEAR_ONE {"near 1", near_one}
#define WIDE {"+-[1e-5, 1e5]", wide}
#define SUBNORMAL {"subnormals", subnormal}
#define HALF_TO_TWO {"[0.5, 2]", half_to_two}
#define WITHIN_TEN {"[-10, 10]", within_ten}
#define ONE_TO_TEN {"[1, 10]", one_to_ten}
#define EXP_RANGE {"[-750, 710]", finite_exp_range}
#define EXP2_RANGE {"[-1080, 1030]", finite_exp2_range}
#define HUGE_VALUES {"[1e300, 1.8e308]", huge}
/* the special values most functions share */
#define COMMON_SPECIALS 0.0, -0.0, INFINITY, -INFINITY, NAN, 1.0, -1.0, 0x1p-1074, -0x1p-1074, \
                        0x1.fffffffffffffp1023, -0x1.fffffffffffffp1023
#define UNARY(name, op, reference, own, set1, set2, set3, set4) \
    {name, op, reference, NULL, NULL, own, {set1, set2, set3, set4}, {COMMON_SPECIALS}, 11}
#define BINARY(name, op, reference, scale, set1, set2, set3, set4) \
    {name, op, NULL, reference, scale, false, {set1, set2, set3, set4}, {COMMON_SPECIALS}, 11}

static const function_case functions[] = {
    {"log", PYMIC2_OP_LOG, logl, NULL, NULL, true,
     {ANY_BITS, HALF_TO_TWO, NEAR_ONE, SUBNORMAL},
     {0.0, -0.0, -1.0, -INFINITY, INFINITY, NAN, 1.0, -0x1p-1074, 0x1p-1074,
      0x1.fffffffffffffp1023},
     10},
    {"exp", PYMIC2_OP_EXP, expl, NULL, NULL, true,
     {ANY_BITS, EXP_RANGE, UNIT, NEAR_ZERO},
     {0.0, -0.0, -INFINITY, INFINITY, NAN, 0x1.62e42fefa39efp9, 0x1.62e42fefa39f0p9, -708.0,
      708.0, -745.2, 0x1p-1074, -0x1p-1074},
     12},
    UNARY("sin", PYMIC2_OP_SIN, sinl, false, ANY_BITS, WITHIN_TEN, NEAR_ZERO, WIDE),
    UNARY("cos", PYMIC2_OP_COS, cosl, false, ANY_BITS, WITHIN_TEN, NEAR_ZERO, WIDE),
    UNARY("tan", PYMIC2_OP_TAN, tanl, false, ANY_BITS, WITHIN_TEN, NEAR_ZERO, WIDE),
    UNARY("arcsin", PYMIC2_OP_ARCSIN, asinl, false, ANY_BITS, UNIT, NEAR_ZERO, NEAR_ONE),
    UNARY("arccos", PYMIC2_OP_ARCCOS, acosl, false, ANY_BITS, UNIT, NEAR_ZERO, NEAR_ONE),
    UNARY("arctan", PYMIC2_OP_ARCTAN, atanl, false, ANY_BITS, UNIT, NEAR_ZERO, WIDE),
    UNARY("sinh", PYMIC2_OP_SINH, sinhl, false, ANY_BITS, EXP_RANGE, UNIT, NEAR_ZERO),
    UNARY("cosh", PYMIC2_OP_COSH, coshl, false, ANY_BITS, EXP_RANGE, UNIT, NEAR_ZERO),
    UNARY("arcsinh", PYMIC2_OP_ARCSINH, asinhl, false, ANY_BITS, UNIT, NEAR_ZERO, WIDE),
    UNARY("arccosh", PYMIC2_OP_ARCCOSH, acoshl, false, ANY_BITS, NEAR_ONE, ONE_TO_TEN, WIDE),
    UNARY("arctanh", PYMIC2_OP_ARCTANH, atanhl, false, ANY_BITS, UNIT, NEAR_ZERO, NEAR_ONE),
    UNARY("deg2rad", PYMIC2_OP_DEG2RAD, deg2radl, false, ANY_BITS, UNIT, NEAR_ZERO, WIDE),
    UNARY("rad2deg", PYMIC2_OP_RAD2DEG, rad2degl, false, ANY_BITS, UNIT, NEAR_ZERO, WIDE),
    UNARY("exp2", PYMIC2_OP_EXP2, exp2l, false, ANY_BITS, EXP2_RANGE, UNIT, NEAR_ZERO),
    UNARY("log2", PYMIC2_OP_LOG2, log2l, false, ANY_BITS, HALF_TO_TWO, NEAR_ONE, SUBNORMAL),
    UNARY("log10", PYMIC2_OP_LOG10, log10l, false, ANY_BITS, HALF_TO_TWO, NEAR_ONE, SUBNORMAL),
    UNARY("cbrt", PYMIC2_OP_CBRT, cbrtl, false, ANY_BITS, UNIT, SUBNORMAL, WIDE),
    BINARY("arctan2", PYMIC2_OP_ARCTAN2, atan2l, NULL, ANY_BITS, UNIT, NEAR_ZERO, WIDE),
    BINARY("hypot", PYMIC2_OP_HYPOT, hypotl, NULL, ANY_BITS, HALF_TO_TWO, SUBNORMAL,
           HUGE_VALUES),
    BINARY("logaddexp", PYMIC2_OP_LOGADDEXP, logaddexpl, larger_term, ANY_BITS, EXP_RANGE, WIDE,
           ONE_TO_TEN),
    BINARY("logaddexp2", PYMIC2_OP_LOGADDEXP2, logaddexp2l, larger_term, ANY_BITS,
           EXP2_RANGE, WIDE, ONE_TO_TEN),
};
#define NUM_FUNCTIONS (sizeof functions / sizeof functions[0])

/* Checks y = f(x0[, x1]) against the reference: its error in ulp, or -1 if it is not of
 * the reference's class (NaN, infinity, or a result that is zero or overflows in double). */
static double error_of(const function_case *f, double x0, double x1, double y)
{
    const long double reference = f->reference2 ? f->reference2(x0, x1) : f->reference(x0);
    const double rounded = single ? (float)reference : (double)reference;
    if (isnan(reference))
        return isnan(y) ? 0 : -1;
    if (isinf(rounded) || rounded == 0)
        return y == rounded ? 0 : -1;
    return ulp_error(y, reference, f->scale ? f->scale(x0, x1, reference) : reference);
}

/* The value sets on the selected target: the largest error, at most max_ulp. */
static void check_value_sets(const function_case *f, const char *target, double max_ulp,
                             double *const *x, double *y)
{
    const int ninputs = f->reference2 ? 2 : 1;
    for (int set = 0; set < 4; set++) {
        for (int k = 0; k < ninputs; k++)
            for (int64_t i = 0; i < COUNT; i++)
                x[k][i] = single ? (float)f->sets[set].next() : f->sets[set].next();
        for (int64_t shift = 0; shift < 2; shift++) {
            CHECK_OK(device_op(f->op, ninputs, (const double *const *)x, y, COUNT, shift));
            double worst = 0, worst_x0 = 0, worst_x1 = 0;
            int64_t wrong_class = 0;
            for (int64_t i = 0; i < COUNT; i++) {
                const double error = error_of(f, x[0][i], x[1][i], y[i]);
                if (error < 0 && wrong_class++ == 0)
                    printf("%s(%a, %a) = %a: not the reference's class\n", f->name, x[0][i],
                           x[1][i], y[i]);
                if (error > worst) {
                    worst = error;
                    worst_x0 = x[0][i];
                    worst_x1 = x[1][i];
                }
            }
            printf("%-10s %-7s %-8s %-20s shift %d: max %.3f ulp (at %a", f->name,
                   single ? "float32" : "float64", target, f->sets[set].name, (int)shift, worst,
                   worst_x0);
            printf(ninputs == 2 ? ", %a)\n" : ")\n", worst_x1);
            CHECK(worst <= max_ulp);
            CHECK(wrong_class == 0);
        }
    }
}

/* C's special values: each (pair) lands in every lane of a vector and in the remainder. */
static void check_special_values(const function_case *f, double max_ulp, double *const *x,
                                 double *y)
{
    const int ninputs = f->reference2 ? 2 : 1, count = f->nspecials;
    const int64_t pairs = ninputs == 2 ? (int64_t)count * count : count;
    const int64_t n = 9 * pairs;
    for (int64_t i = 0; i < n; i++) {
        const double first = f->specials[i % count], second = f->specials[i / count % count];
        x[0][i] = single ? (float)first : first;
        x[1][i] = single ? (float)second : second;
    }
    CHECK_OK(device_op(f->op, ninputs, (const double *const *)x, y, n, 0));
    for (int64_t i = 0; i < n; i++) {
        const double error = error_of(f, x[0][i], x[1][i], y[i]);
        if (!(error >= 0 && error <= max_ulp))
            printf("%s(%a, %a) = %a: error %.3f ulp\n", f->name, x[0][i], x[1][i], y[i],
                   error);
        CHECK(error >= 0 && error <= max_ulp);
    }
}

/* Signs of zero results C gives: log(1) = +0, exp(-inf) = +0, odd functions keep -0.0 */
static void check_zero_signs(double *const *x, double *y)
{
    static const struct {
        pymic2_op op;
        double input;
        bool negative;
    } cases[] = {
        {PYMIC2_OP_LOG, 1.0, false},      {PYMIC2_OP_EXP, -INFINITY, false},
        {PYMIC2_OP_SIN, -0.0, true},      {PYMIC2_OP_TAN, -0.0, true},
        {PYMIC2_OP_ARCSIN, -0.0, true},   {PYMIC2_OP_ARCTAN, -0.0, true},
        {PYMIC2_OP_SINH, -0.0, true},     {PYMIC2_OP_ARCSINH, -0.0, true},
        {PYMIC2_OP_ARCTANH, -0.0, true},  {PYMIC2_OP_CBRT, -0.0, true},
        {PYMIC2_OP_ARCCOS, 1.0, false},   {PYMIC2_OP_LOG2, 1.0, false},
        {PYMIC2_OP_LOG10, 1.0, false},    {PYMIC2_OP_EXP2, -INFINITY, false},
        {PYMIC2_OP_DEG2RAD, -0.0, true},  {PYMIC2_OP_RAD2DEG, -0.0, true},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int64_t i = 0; i < 19; i++) /* the vector body and the remainder */
            x[0][i] = cases[c].input;
        CHECK_OK(device_op(cases[c].op, 1, (const double *const *)x, y, 19, 0));
        for (int64_t i = 0; i < 19; i++)
            CHECK(y[i] == 0 && !signbit(y[i]) == !cases[c].negative);
    }
}

int main(void)
{
    CHECK_OK(pymic2_device_find("host:0", &device));
    CHECK_OK(pymic2_stream_default(device, &stream));
    if (device == NULL || stream == NULL)
        return CHECK_DONE();
    double *x[2] = {malloc(COUNT * sizeof(double)), malloc(COUNT * sizeof(double))};
    double *y = malloc(COUNT * sizeof *y);
    for (size_t k = 0; k < CHECK_SIMD_TARGET_COUNT; k++) {
        const char *target = check_simd_targets[k];
        if (!check_select_simd(target))
            continue;
        for (int pass = 0; pass < 2; pass++) {
            single = pass == 1;
            for (size_t f = 0; f < NUM_FUNCTIONS; f++) {
                const bool own = functions[f].own_avx512 && !single &&
                                 strcmp(target, "avx512") == 0;
                const double max_ulp = own ? OWN_MAX_ULP : LIBMVEC_MAX_ULP;
                check_value_sets(&functions[f], target, max_ulp, x, y);
                check_special_values(&functions[f], max_ulp, x, y);
            }
            check_zero_signs(x, y);
        }
    }
    free(x[0]);
    free(x[1]);
    free(y);
    return CHECK_DONE();
}
