/*
 * test_math.c - the host's float64 log and exp through the op API (PYMIC2_OP_LOG/EXP on
 * device buffers), for every SIMD target this CPU runs, against glibc's logl and expl (x87
 * long double, 11 more bits than the result) on random bit patterns of every exponent and
 * on each function's own ranges: with AVX-512 (our vector_log.c, vector_exp.c) at most 1 ulp
 * off, on the other targets (glibc's libmvec) within libmvec's documented 4 ulp; C's
 * special values exactly. Arrays are not a multiple of any vector width and also start one
 * element off the allocation's alignment, so the vector bodies, their remainders and the
 * scalar function all run.
 */
#include "check.h"

#include "simd_targets.h"

#include <math.h>
#include <stdint.h>

#define COUNT 40009 /* per value set: odd, > 2 pieces of the team's work split */
/* ours (AVX-512), and glibc's bound for its vector math (the other targets) */
#define OWN_MAX_ULP 1.0
#define LIBMVEC_MAX_ULP 4.0

static pymic2_device *device;
static pymic2_stream *stream;
static uint64_t random_state = 0x9e3779b97f4a7c15ULL;

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

/* |got - reference| in units of the last place of the reference, which is finite */
static double ulp_error(double got, long double reference)
{
    int exponent = ilogbl(reference);
    if (exponent < -1022)
        exponent = -1022;
    return (double)(fabsl((long double)got - reference) / ldexpl(1.0L, exponent - 52));
}

/* y = op(x) on the device: n values at element offset `shift` of their buffers */
static int device_op(pymic2_op op, const double *x, double *y, int64_t n, int64_t shift)
{
    const size_t bytes = (size_t)(n + shift) * sizeof(double);
    pymic2_buffer *in = NULL, *out = NULL;
    int status = pymic2_buffer_alloc(device, bytes, 0, &in);
    if (status == PYMIC2_OK)
        status = pymic2_buffer_alloc(device, bytes, 0, &out);
    const size_t offset = (size_t)shift * sizeof(double);
    if (status == PYMIC2_OK)
        status = pymic2_memcpy_h2d(stream, in, offset, x, (size_t)n * sizeof(double));
    pymic2_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.op = op;
    desc.noperands = 2;
    if (status == PYMIC2_OK)
        status = pymic2_operand_contiguous(&desc.operands[0], in, (int64_t)offset,
                                           PYMIC2_FLOAT64, 1, &n);
    if (status == PYMIC2_OK)
        status = pymic2_operand_contiguous(&desc.operands[1], out, (int64_t)offset,
                                           PYMIC2_FLOAT64, 1, &n);
    if (status == PYMIC2_OK)
        status = pymic2_op_launch(stream, &desc);
    if (status == PYMIC2_OK)
        status = pymic2_memcpy_d2h(stream, y, out, offset, (size_t)n * sizeof(double));
    if (status == PYMIC2_OK)
        status = pymic2_stream_sync(stream);
    if (in != NULL)
        pymic2_buffer_release(in);
    if (out != NULL)
        pymic2_buffer_release(out);
    return status;
}

/* The values a function is checked on: a name and a generator. */
typedef struct value_set {
    const char *name;
    double (*next)(void);
} value_set;

static double any_bit_pattern(void) /* every exponent and sign, NaNs and infinities */
{
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

/* A function under test: its op, the long double reference, its value sets and the special
 * values it must give exactly (the rest within the target's bound of the reference). */
typedef struct function_case {
    const char *name;
    pymic2_op op;
    long double (*reference)(long double);
    value_set sets[4];
    double specials[12];
    int nspecials;
} function_case;

static const function_case functions[] = {
    {"log", PYMIC2_OP_LOG, logl,
     {{"random bit patterns", any_bit_pattern}, {"[0.5, 2]", half_to_two},
      {"near 1", near_one}, {"subnormals", subnormal}},
     {0.0, -0.0, -1.0, -INFINITY, INFINITY, NAN, 1.0, -0x1p-1074, 0x1p-1074,
      0x1.fffffffffffffp1023},
     10},
    {"exp", PYMIC2_OP_EXP, expl,
     {{"random bit patterns", any_bit_pattern}, {"[-750, 710]", finite_exp_range},
      {"[-1, 1]", unit_interval}, {"near 0", near_zero}},
     {0.0, -0.0, -INFINITY, INFINITY, NAN, 0x1.62e42fefa39efp9, 0x1.62e42fefa39f0p9, -708.0,
      708.0, -745.2, 0x1p-1074, -0x1p-1074},
     12},
};
#define NUM_FUNCTIONS (sizeof functions / sizeof functions[0])

/* Checks y = f(x) against the reference: its error in ulp, or -1 if it is not of the
 * reference's class (NaN, infinity, or a result that is zero or overflows in double). */
static double error_of(const function_case *f, double x, double y)
{
    const long double reference = f->reference(x);
    const double rounded = (double)reference;
    if (isnan(reference))
        return isnan(y) ? 0 : -1;
    if (isinf(rounded) || rounded == 0)
        return y == rounded ? 0 : -1;
    return ulp_error(y, reference);
}

/* The value sets on the selected target: the largest error, at most max_ulp. */
static void check_value_sets(const function_case *f, const char *target, double max_ulp,
                             double *x, double *y)
{
    for (int set = 0; set < 4; set++) {
        for (int64_t i = 0; i < COUNT; i++)
            x[i] = f->sets[set].next();
        for (int64_t shift = 0; shift < 2; shift++) {
            CHECK_OK(device_op(f->op, x, y, COUNT, shift));
            double worst = 0, worst_x = 0;
            int64_t wrong_class = 0;
            for (int64_t i = 0; i < COUNT; i++) {
                const double error = error_of(f, x[i], y[i]);
                wrong_class += error < 0;
                if (error > worst) {
                    worst = error;
                    worst_x = x[i];
                }
            }
            printf("%-4s %-8s %-20s shift %d: max %.3f ulp (at %a)\n", f->name, target,
                   f->sets[set].name, (int)shift, worst, worst_x);
            CHECK(worst <= max_ulp);
            CHECK(wrong_class == 0);
        }
    }
}

/* C's special values: each lands in every lane of a vector and in the remainder. */
static void check_special_values(const function_case *f, double max_ulp, double *x, double *y)
{
    const int64_t n = 9 * f->nspecials;
    for (int64_t i = 0; i < n; i++)
        x[i] = f->specials[i % f->nspecials];
    CHECK_OK(device_op(f->op, x, y, n, 0));
    for (int64_t i = 0; i < n; i++) {
        const double error = error_of(f, x[i], y[i]);
        if (!(error >= 0 && error <= max_ulp))
            printf("%s(%a) = %a: error %.3f ulp\n", f->name, x[i], y[i], error);
        CHECK(error >= 0 && error <= max_ulp);
    }
    /* the signs C gives: log(1) = +0, exp(-inf) = +0 */
    x[0] = f->op == PYMIC2_OP_LOG ? 1.0 : -INFINITY;
    CHECK_OK(device_op(f->op, x, y, 1, 0));
    CHECK(y[0] == 0 && !signbit(y[0]));
}

int main(void)
{
    CHECK_OK(pymic2_device_find("host:0", &device));
    CHECK_OK(pymic2_stream_default(device, &stream));
    if (device == NULL || stream == NULL)
        return CHECK_DONE();
    double *x = malloc(COUNT * sizeof *x), *y = malloc(COUNT * sizeof *y);
    for (size_t k = 0; k < CHECK_SIMD_TARGET_COUNT; k++) {
        const char *target = check_simd_targets[k];
        if (!check_select_simd(target))
            continue;
        const double max_ulp = strcmp(target, "avx512") == 0 ? OWN_MAX_ULP : LIBMVEC_MAX_ULP;
        for (size_t f = 0; f < NUM_FUNCTIONS; f++) {
            check_value_sets(&functions[f], target, max_ulp, x, y);
            check_special_values(&functions[f], max_ulp, x, y);
        }
    }
    free(x);
    free(y);
    return CHECK_DONE();
}
