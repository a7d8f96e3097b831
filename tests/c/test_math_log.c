/*
 * test_math_log.c - the host's float64 log through the op API (PYMIC2_OP_LOG on device
 * buffers), for every SIMD target this CPU runs, against glibc's logl (x87 long double, 11
 * more bits than the result) on random bit patterns of every exponent, [0.5, 2], values next
 * to 1, subnormals: with AVX-512 (our vector_log.c) at most 1 ulp off, on the other targets
 * (glibc's libmvec) within libmvec's documented 4 ulp; C's special values exactly. Arrays are not a multiple of any vector width and also start one element off
 * the allocation's alignment, so the vector bodies, their remainders and the scalar
 * function all run.
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

/* y = log(x) on the device: n values at element offset `shift` of their buffers */
static int device_log(const double *x, double *y, int64_t n, int64_t shift)
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
    desc.op = PYMIC2_OP_LOG;
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

enum value_set { BIT_PATTERNS, HALF_TO_TWO, NEAR_ONE, SUBNORMALS, NUM_SETS };
static const char *const set_names[NUM_SETS] = {"random bit patterns", "[0.5, 2]", "near 1",
                                                "subnormals"};

static double value_of(enum value_set set)
{
    switch (set) {
    case BIT_PATTERNS: /* every exponent and sign, NaNs and infinities included */
        return from_bits(random_bits());
    case HALF_TO_TWO:
        return 0.5 + 1.5 * random_unit();
    case NEAR_ONE: { /* 1 +- 10^-3 .. 10^-12 */
        const double distance = pow(10.0, -3.0 - 9.0 * random_unit());
        return random_bits() & 1 ? 1.0 + distance : 1.0 - distance;
    }
    case SUBNORMALS:
    default:
        return from_bits(random_bits() & 0x000fffffffffffffULL);
    }
}

/* The value sets on the selected target: the largest error, at most max_ulp. */
static void check_value_sets(const char *target, double max_ulp, double *x, double *y)
{
    for (int set = 0; set < NUM_SETS; set++) {
        for (int64_t i = 0; i < COUNT; i++)
            x[i] = value_of((enum value_set)set);
        for (int64_t shift = 0; shift < 2; shift++) {
            CHECK_OK(device_log(x, y, COUNT, shift));
            double worst = 0, worst_x = 0;
            int64_t wrong_class = 0;
            for (int64_t i = 0; i < COUNT; i++) {
                const long double reference = logl(x[i]);
                if (isnan(reference) || isinf(reference)) {
                    wrong_class += isnan(reference) ? !isnan(y[i]) : y[i] != reference;
                    continue;
                }
                const double error = ulp_error(y[i], reference);
                if (!(error <= worst)) {
                    worst = error;
                    worst_x = x[i];
                }
            }
            printf("%-8s %-20s shift %d: max %.3f ulp (at %a)\n", target, set_names[set],
                   (int)shift, worst, worst_x);
            CHECK(worst <= max_ulp);
            CHECK(wrong_class == 0);
        }
    }
}

/* C's special values, exactly (and the sign of log(1) = +0) */
static void check_special_values(double max_ulp, double *x, double *y)
{
    static const double inputs[] = {0.0, -0.0, -1.0, -INFINITY, INFINITY, NAN, 1.0,
                                    -0x1p-1074, 0x1p-1074, 0x1.fffffffffffffp1023};
    const int64_t count = sizeof inputs / sizeof inputs[0];
    /* repeated so that each value lands in every lane of a vector and in the remainder */
    const int64_t n = 9 * count;
    for (int64_t i = 0; i < n; i++)
        x[i] = inputs[i % count];
    CHECK_OK(device_log(x, y, n, 0));
    for (int64_t i = 0; i < n; i++) {
        const double in = x[i], out = y[i];
        if (in == 0)
            CHECK(out == -INFINITY);
        else if (in < 0 || isnan(in))
            CHECK(isnan(out));
        else if (in == INFINITY)
            CHECK(out == INFINITY);
        else if (in == 1.0)
            CHECK(out == 0 && !signbit(out));
        else
            CHECK(ulp_error(out, logl(in)) <= max_ulp); /* the extreme finite values */
    }
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
        check_value_sets(target, max_ulp, x, y);
        check_special_values(max_ulp, x, y);
    }
    free(x);
    free(y);
    return CHECK_DONE();
}
