/*
 * test_reduce.c - reductions against a naive reference computed here: for every output
 * element, walk its input elements in C order and fold them one by one (in __int128 for
 * integers, then wrapped; in long double for floats). Inputs are multiples of 1/4 small
 * enough that every float sum is exact, so float results must match exactly too.
 *
 * Covered: every reduction x dtype, 1-D to 3-D inputs, every axis combination, keepdims,
 * C-order / transposed / reversed inputs, NaN, empty inputs, large inputs (the team's
 * split paths), and every SIMD target this CPU runs.
 */
#include "check.h"

#include "simd_targets.h"

#include <math.h>
#include <stdint.h>

static pymic2_device *device;
static pymic2_stream *stream;

static int is_float(pymic2_dtype t)
{
    return pymic2_dtype_kind(t) == 'f';
}

static int is_int(pymic2_dtype t)
{
    return pymic2_dtype_kind(t) == 'i' || pymic2_dtype_kind(t) == 'u';
}

static int64_t wrap(pymic2_dtype t, __int128 x)
{
    int bits = 8 * (int)pymic2_dtype_size(t);
    __int128 modulus = (__int128)1 << bits;
    __int128 r = ((x % modulus) + modulus) % modulus;
    if (pymic2_dtype_kind(t) == 'i' && r >= modulus / 2)
        r -= modulus;
    return (int64_t)r;
}

/* Element values as long double (complex: real part; imag kept separately). */
static long double get(pymic2_dtype t, const char *p, long double *imag)
{
    *imag = 0;
    switch (t) {
    case PYMIC2_BOOL: return *(const uint8_t *)p != 0;
    case PYMIC2_INT8: return *(const int8_t *)p;
    case PYMIC2_UINT8: return *(const uint8_t *)p;
    case PYMIC2_INT16: return *(const int16_t *)p;
    case PYMIC2_UINT16: return *(const uint16_t *)p;
    case PYMIC2_INT32: return *(const int32_t *)p;
    case PYMIC2_UINT32: return *(const uint32_t *)p;
    case PYMIC2_INT64: return (long double)*(const int64_t *)p;
    case PYMIC2_UINT64: return (long double)*(const uint64_t *)p;
    case PYMIC2_FLOAT16: return *(const _Float16 *)p;
    case PYMIC2_FLOAT32: return *(const float *)p;
    case PYMIC2_FLOAT64: return *(const double *)p;
    case PYMIC2_COMPLEX64: *imag = ((const float *)p)[1]; return ((const float *)p)[0];
    case PYMIC2_COMPLEX128: *imag = ((const double *)p)[1]; return ((const double *)p)[0];
    default: return 0;
    }
}

static int64_t get_int(pymic2_dtype t, const char *p)
{
    switch (t) {
    case PYMIC2_INT64: return *(const int64_t *)p;
    case PYMIC2_UINT64: return (int64_t)*(const uint64_t *)p; /* the same bits as wrap's */
    default: { long double unused; return (int64_t)get(t, p, &unused); }
    }
}

static void put(pymic2_dtype t, char *p, double value)
{
    switch (t) {
    case PYMIC2_BOOL: *(uint8_t *)p = value != 0 ? (uint8_t)(1 + ((int)value & 2)) : 0; break;
    case PYMIC2_INT8: *(int8_t *)p = (int8_t)value; break;
    case PYMIC2_UINT8: *(uint8_t *)p = (uint8_t)(int)value; break;
    case PYMIC2_INT16: *(int16_t *)p = (int16_t)value; break;
    case PYMIC2_UINT16: *(uint16_t *)p = (uint16_t)(int)value; break;
    case PYMIC2_INT32: *(int32_t *)p = (int32_t)value; break;
    case PYMIC2_UINT32: *(uint32_t *)p = (uint32_t)(int64_t)value; break;
    case PYMIC2_INT64: *(int64_t *)p = (int64_t)value; break;
    case PYMIC2_UINT64: *(uint64_t *)p = (uint64_t)(int64_t)value; break;
    case PYMIC2_FLOAT16: *(_Float16 *)p = (_Float16)value; break;
    case PYMIC2_FLOAT32: *(float *)p = (float)value; break;
    case PYMIC2_FLOAT64: *(double *)p = value; break;
    case PYMIC2_COMPLEX64:
        ((float *)p)[0] = (float)value;
        ((float *)p)[1] = (float)(-value / 2);
        break;
    case PYMIC2_COMPLEX128: ((double *)p)[0] = value; ((double *)p)[1] = -value / 2; break;
    default: break;
    }
}

static pymic2_dtype output_dtype(pymic2_reduction r, pymic2_dtype t)
{
    switch (r) {
    case PYMIC2_REDUCE_ALL:
    case PYMIC2_REDUCE_ANY: return PYMIC2_BOOL;
    case PYMIC2_REDUCE_COUNT_NONZERO:
    case PYMIC2_REDUCE_ARGMAX:
    case PYMIC2_REDUCE_ARGMIN: return PYMIC2_INT64;
    default: return t;
    }
}

static int accepts(pymic2_reduction r, pymic2_dtype t)
{
    int ordered = r == PYMIC2_REDUCE_MAX || r == PYMIC2_REDUCE_MIN || r == PYMIC2_REDUCE_ARGMAX ||
                  r == PYMIC2_REDUCE_ARGMIN;
    if (pymic2_dtype_kind(t) == 'c' && ordered)
        return 0;
    return 1;
}

/* The reference fold of `count` elements at p (byte stride list given by offsets). */
typedef struct ref_result {
    long double re, im;
    int64_t i; /* integers, bool, counts, indices */
} ref_result;

static ref_result reference(pymic2_reduction r, pymic2_dtype t, const char *base,
                            const int64_t *offsets, int64_t count)
{
    ref_result out = {0, 0, 0};
    __int128 acc = r == PYMIC2_REDUCE_PROD || r == PYMIC2_REDUCE_CUMPROD;
    long double re = r == PYMIC2_REDUCE_PROD || r == PYMIC2_REDUCE_CUMPROD, im = 0;
    int truth = r == PYMIC2_REDUCE_ALL;
    int64_t best = 0;
    long double best_value = 0;
    int best_nan = 0;
    for (int64_t k = 0; k < count; k++) {
        long double xi, x = get(t, base + offsets[k], &xi);
        int nonzero = x != 0 || xi != 0 || isnan(x);
        switch (r) {
        case PYMIC2_REDUCE_SUM:
        case PYMIC2_REDUCE_CUMSUM:
            if (t == PYMIC2_BOOL) acc |= nonzero;
            else if (is_int(t)) acc = wrap(t, acc + get_int(t, base + offsets[k]));
            else { re += x; im += xi; }
            break;
        case PYMIC2_REDUCE_PROD:
        case PYMIC2_REDUCE_CUMPROD:
            if (t == PYMIC2_BOOL) acc &= nonzero;
            else if (is_int(t)) acc = wrap(t, acc * get_int(t, base + offsets[k]));
            else { long double nr = re * x - im * xi; im = re * xi + im * x; re = nr; }
            break;
        case PYMIC2_REDUCE_ALL: truth &= nonzero; break;
        case PYMIC2_REDUCE_ANY: truth |= nonzero; break;
        case PYMIC2_REDUCE_COUNT_NONZERO: acc += nonzero; break;
        case PYMIC2_REDUCE_MAX:
        case PYMIC2_REDUCE_MIN:
        case PYMIC2_REDUCE_ARGMAX:
        case PYMIC2_REDUCE_ARGMIN: {
            int want_max = r == PYMIC2_REDUCE_MAX || r == PYMIC2_REDUCE_ARGMAX;
            if (t == PYMIC2_BOOL) x = nonzero;
            if (k == 0 || (!best_nan && (isnan(x) || (want_max ? x > best_value : x < best_value)))) {
                best = k;
                best_value = x;
                best_nan = isnan(x);
            }
            break;
        }
        default: break;
        }
    }
    if (r == PYMIC2_REDUCE_ALL || r == PYMIC2_REDUCE_ANY)
        out.i = truth;
    else if (r == PYMIC2_REDUCE_COUNT_NONZERO)
        out.i = (int64_t)acc;
    else if (r == PYMIC2_REDUCE_ARGMAX || r == PYMIC2_REDUCE_ARGMIN)
        out.i = best;
    else if (r == PYMIC2_REDUCE_MAX || r == PYMIC2_REDUCE_MIN) {
        out.re = best_value;
        /* long double holds uint64 exactly; its upper half as int64 bits (get_int's) */
        out.i = t == PYMIC2_UINT64 ? (int64_t)(uint64_t)best_value : (int64_t)best_value;
    } else if (is_int(t) || t == PYMIC2_BOOL)
        out.i = (int64_t)acc;
    else {
        out.re = re;
        out.im = im;
    }
    return out;
}

/* tolerance: relative to the result's magnitude, for products that round; else exact */
static int matches(pymic2_dtype out_dtype, const char *p, ref_result want, long double tolerance)
{
    long double im, got = get(out_dtype, p, &im);
    if (tolerance > 0) {
        long double scale = 1 + fabsl(want.re) + fabsl(want.im);
        return fabsl(got - want.re) <= tolerance * scale &&
               fabsl(im - want.im) <= tolerance * scale;
    }
    if (is_float(out_dtype) || pymic2_dtype_kind(out_dtype) == 'c') {
        const int single = out_dtype == PYMIC2_FLOAT32 || out_dtype == PYMIC2_COMPLEX64;
        long double w = out_dtype == PYMIC2_FLOAT16 ? (long double)(_Float16)want.re
                        : single                    ? (long double)(float)want.re
                                                    : want.re;
        long double wi = single ? (long double)(float)want.im : want.im;
        if (isnan(w))
            return isnan(got);
        return got == w && im == wi;
    }
    if (out_dtype == PYMIC2_BOOL)
        return *(const uint8_t *)p == (want.i != 0);
    return get_int(out_dtype, p) == want.i;
}

/* ---------------------------------------------------------------- one case */

typedef enum layout { C_ORDER, TRANSPOSED, REVERSED } layout;

static int failures_shown;

static const char *const reduction_names[] = {"none",
#define NAME_OF(NAME, name, OP, OUT) #name,
    PYMIC2_REDUCTION_TABLE(NAME_OF)
#undef NAME_OF
};

/* Reduces an input of `shape` (ndim 0..3) laid out as `how` over `axes`, checks every
 * output element against the reference. */
static void run_case(pymic2_reduction r, pymic2_dtype t, int ndim, const int64_t *shape,
                     layout how, uint32_t axes, int keepdims, int with_nan)
{
    size_t size = pymic2_dtype_size(t);
    int64_t total = 1;
    for (int d = 0; d < ndim; d++)
        total *= shape[d];
    size_t nbytes = (size_t)(total > 0 ? total : 1) * size;
    char *host = malloc(nbytes);
    for (int64_t i = 0; i < total; i++) {
        double value = (double)((i * 7 + 3) % 41 - 20) / 4; /* exact sums */
        if (r == PYMIC2_REDUCE_PROD || r == PYMIC2_REDUCE_CUMPROD)
            value = (i % 5 == 0) ? -1 : (i % 7 == 1) ? 2 : (i % 11 == 2) ? 0.5 : 1;
        if (is_int(t) || t == PYMIC2_BOOL)
            value = (double)((i * 7 + 3) % 41 - 20);
        if (t == PYMIC2_UINT8 && value < 0)
            value += 256;
        if (t == PYMIC2_BOOL)
            value = (i % 3 == 0) ? 0 : value;
        put(t, host + i * size, value);
    }
    if (with_nan && is_float(t) && total > 2) {
        put(t, host + (total / 2) * size, NAN);
        put(t, host + (total - 1) * size, NAN);
    }
    /* strides: C order, or reversed dimension order (transposed view of a C array), or
     * C order walked backwards along dimension 0 */
    int64_t strides[3] = {0, 0, 0}, offset = 0;
    int64_t s = (int64_t)size;
    if (how == TRANSPOSED) {
        for (int d = 0; d < ndim; d++) {
            strides[d] = s;
            s *= shape[d];
        }
    } else {
        for (int d = ndim - 1; d >= 0; d--) {
            strides[d] = s;
            s *= shape[d];
        }
        if (how == REVERSED && ndim > 0 && shape[0] > 0) {
            offset = (shape[0] - 1) * strides[0];
            strides[0] = -strides[0];
        }
    }
    pymic2_buffer *in_buffer = NULL, *out_buffer = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, nbytes, 0, &in_buffer));
    CHECK_OK(pymic2_memcpy_h2d(stream, in_buffer, 0, host, nbytes));

    pymic2_dtype out_dtype = output_dtype(r, t);
    int cumulative = r == PYMIC2_REDUCE_CUMSUM || r == PYMIC2_REDUCE_CUMPROD;
    pymic2_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.reduction = r;
    desc.axes = axes;
    desc.noperands = 2;
    desc.operands[0] = (pymic2_operand){.buffer = in_buffer, .offset = offset, .dtype = t,
                                        .ndim = ndim};
    int64_t out_shape[3];
    int out_ndim = 0;
    for (int d = 0; d < ndim; d++) {
        desc.operands[0].shape[d] = shape[d];
        desc.operands[0].strides[d] = strides[d];
        if (cumulative || !(axes >> d & 1))
            out_shape[out_ndim++] = shape[d];
        else if (keepdims)
            out_shape[out_ndim++] = 1;
    }
    int64_t out_total = 1;
    for (int d = 0; d < out_ndim; d++)
        out_total *= out_shape[d];
    size_t out_size = pymic2_dtype_size(out_dtype);
    size_t out_bytes = (size_t)(out_total > 0 ? out_total : 1) * out_size;
    CHECK_OK(pymic2_buffer_alloc(device, out_bytes, 0, &out_buffer));
    pymic2_operand_contiguous(&desc.operands[1], out_buffer, 0, out_dtype, out_ndim, out_shape);
    CHECK_OK(pymic2_op_launch(stream, &desc));
    char *got = malloc(out_bytes);
    CHECK_OK(pymic2_memcpy_d2h(stream, got, out_buffer, 0, out_bytes));
    CHECK_OK(pymic2_stream_sync(stream));

    /* the reference: for each output element, its input elements in C order */
    int failures = 0;
    int64_t *offsets = malloc((size_t)(total > 0 ? total : 1) * sizeof(int64_t));
    int64_t index[3] = {0, 0, 0};
    for (int64_t q = 0; q < out_total; q++) {
        /* q's kept-dimension indices, C order over the output's shape */
        int64_t rest = q;
        int od = out_ndim - 1;
        for (int d = ndim - 1; d >= 0; d--) {
            if (cumulative || !(axes >> d & 1) || keepdims) {
                index[d] = rest % out_shape[od];
                rest /= out_shape[od];
                od--;
            }
        }
        int64_t count = 0;
        int64_t limit[3];
        for (int d = 0; d < ndim; d++)
            limit[d] = cumulative ? ((axes >> d & 1) ? index[d] + 1 : 1)
                       : (axes >> d & 1) ? shape[d] : 1;
        int64_t j[3] = {0, 0, 0};
        for (j[0] = 0; j[0] < (ndim > 0 ? limit[0] : 1); j[0]++)
            for (j[1] = 0; j[1] < (ndim > 1 ? limit[1] : 1); j[1]++)
                for (j[2] = 0; j[2] < (ndim > 2 ? limit[2] : 1); j[2]++) {
                    int64_t o = offset;
                    for (int d = 0; d < ndim; d++) {
                        int reduced = cumulative ? (axes >> d & 1) : (axes >> d & 1);
                        int64_t at = reduced ? j[d] : index[d];
                        if (cumulative && !(axes >> d & 1))
                            at = index[d];
                        o += at * strides[d];
                    }
                    offsets[count++] = o;
                }
        ref_result want = reference(r, t, host, offsets, count);
        /* complex products round (the values have imaginary parts): allow a few ulp */
        long double tolerance = 0;
        if (pymic2_dtype_kind(t) == 'c' && (r == PYMIC2_REDUCE_PROD || r == PYMIC2_REDUCE_CUMPROD))
            tolerance = t == PYMIC2_COMPLEX64 ? 1e-5L : 1e-12L;
        if (!matches(out_dtype, got + q * (int64_t)out_size, want, tolerance)) {
            failures++;
            if (failures_shown++ < 10)
                fprintf(stderr, "%s of %s, ndim %d, layout %d, axes 0x%x, keepdims %d, nan %d, "
                        "output %lld: want %lld / %Lg\n", reduction_names[r], pymic2_dtype_name(t),
                        ndim, how, axes, keepdims, with_nan, (long long)q, (long long)want.i,
                        want.re);
        }
    }
    CHECK(failures == 0);
    free(offsets);
    free(got);
    free(host);
    CHECK_OK(pymic2_buffer_release(in_buffer));
    CHECK_OK(pymic2_buffer_release(out_buffer));
}

/* ---------------------------------------------------------------- suites */

static int arg_axes_ok(pymic2_reduction r, int ndim, uint32_t axes)
{
    int arg = r == PYMIC2_REDUCE_ARGMAX || r == PYMIC2_REDUCE_ARGMIN;
    int cumulative = r == PYMIC2_REDUCE_CUMSUM || r == PYMIC2_REDUCE_CUMPROD;
    int n = __builtin_popcount(axes);
    if (cumulative)
        return n == 1;
    if (arg)
        return n == 1 || axes == (1u << ndim) - 1;
    return 1;
}

static void test_every_axis_combination(void)
{
    static const int64_t shapes[][3] = {{7, 0, 0}, {5, 6, 0}, {3, 4, 5}, {1, 9, 2}, {37, 1, 0}};
    static const int ndims[] = {1, 2, 3, 3, 2};
    for (int r = 1; r < PYMIC2_NUM_REDUCTIONS; r++)
        for (int t = 0; t < PYMIC2_NUM_DTYPES; t++) {
            if (!accepts((pymic2_reduction)r, (pymic2_dtype)t))
                continue;
            for (size_t s = 0; s < sizeof ndims / sizeof ndims[0]; s++)
                for (uint32_t axes = 0; axes < (1u << ndims[s]); axes++)
                    for (int how = 0; how < 3; how++) {
                        if (!arg_axes_ok((pymic2_reduction)r, ndims[s], axes))
                            continue;
                        run_case((pymic2_reduction)r, (pymic2_dtype)t, ndims[s], shapes[s],
                                 (layout)how, axes, how == 1, 0);
                    }
            /* a 0-d input */
            if (arg_axes_ok((pymic2_reduction)r, 0, 0))
                run_case((pymic2_reduction)r, (pymic2_dtype)t, 0, NULL, C_ORDER, 0, 0, 0);
        }
}

/* NaN propagates through max/min; argmax/argmin point at the first NaN. */
static void test_nan(void)
{
    static const pymic2_reduction rs[] = {PYMIC2_REDUCE_MAX, PYMIC2_REDUCE_MIN,
                                          PYMIC2_REDUCE_ARGMAX, PYMIC2_REDUCE_ARGMIN,
                                          PYMIC2_REDUCE_SUM};
    static const int64_t shape[2] = {40, 70};
    for (size_t k = 0; k < sizeof rs / sizeof rs[0]; k++)
        for (int t = PYMIC2_FLOAT16; t <= PYMIC2_FLOAT64; t++)
            for (uint32_t axes = 1; axes < 4; axes++)
                run_case(rs[k], (pymic2_dtype)t, 2, shape, C_ORDER, axes, 0, 1);
}

/* Sizes where the team splits outputs, runs and column blocks. */
static void test_large(void)
{
    static const pymic2_reduction rs[] = {PYMIC2_REDUCE_SUM, PYMIC2_REDUCE_MAX,
                                          PYMIC2_REDUCE_ARGMAX, PYMIC2_REDUCE_ARGMIN,
                                          PYMIC2_REDUCE_CUMSUM, PYMIC2_REDUCE_COUNT_NONZERO};
    static const int64_t tall[2] = {3001, 67}, wide[2] = {5, 20011}, square[2] = {300, 517};
    const int64_t *shapes[] = {tall, wide, square};
    for (size_t k = 0; k < sizeof rs / sizeof rs[0]; k++)
        for (size_t s = 0; s < 3; s++)
            for (uint32_t axes = 1; axes < 4; axes++)
                /* the reference re-folds each prefix of a cumsum: quadratic, so square only */
                if (arg_axes_ok(rs[k], 2, axes) && (rs[k] != PYMIC2_REDUCE_CUMSUM || s == 2)) {
                    run_case(rs[k], PYMIC2_FLOAT64, 2, shapes[s], C_ORDER, axes, 0, 0);
                    run_case(rs[k], PYMIC2_INT32, 2, shapes[s], TRANSPOSED, axes, 0, 0);
                }
    static const int64_t line[1] = {1000003};
    run_case(PYMIC2_REDUCE_SUM, PYMIC2_FLOAT64, 1, line, C_ORDER, 1, 0, 0);
    run_case(PYMIC2_REDUCE_ARGMIN, PYMIC2_FLOAT32, 1, line, REVERSED, 1, 0, 1);
    run_case(PYMIC2_REDUCE_ALL, PYMIC2_UINT8, 1, line, C_ORDER, 1, 0, 0);
}

/* sum/argmax(axis=0) of a tall matrix: each thread folds a range of whole rows, four rows
 * per pass, and the ranges are combined in order (first index on ties, first NaN). */
static void test_row_parts(void)
{
    static const pymic2_reduction rs[] = {PYMIC2_REDUCE_SUM, PYMIC2_REDUCE_MAX,
                                          PYMIC2_REDUCE_ARGMAX, PYMIC2_REDUCE_ARGMIN};
    static const int64_t tall[2] = {4099, 43}, odd_rows[2] = {1027, 129};
    for (size_t k = 0; k < sizeof rs / sizeof rs[0]; k++)
        for (int with_nan = 0; with_nan < 2; with_nan++) {
            run_case(rs[k], PYMIC2_FLOAT64, 2, tall, C_ORDER, 1, 0, with_nan);
            run_case(rs[k], PYMIC2_FLOAT32, 2, odd_rows, C_ORDER, 1, with_nan, with_nan);
        }
    run_case(PYMIC2_REDUCE_ARGMAX, PYMIC2_INT8, 2, tall, C_ORDER, 1, 0, 0);
    run_case(PYMIC2_REDUCE_COUNT_NONZERO, PYMIC2_BOOL, 2, tall, C_ORDER, 1, 0, 0);
    /* dimension 0 walked backwards: the row groups run with a negative row step */
    run_case(PYMIC2_REDUCE_ARGMIN, PYMIC2_INT32, 2, tall, REVERSED, 1, 0, 0);
}

/* A float32 sum of a million 0.1f must stay pairwise-accurate: a sequential sum is ~1% off,
 * a pairwise one within a few float ulps of the exact sum (computed here in double, which
 * holds it exactly: 0.1f has 24 significant bits). Once whole, once split over the team. */
static void test_pairwise_accuracy(void)
{
    enum { n = 1000003 };
    float *host = malloc(n * sizeof(float));
    CHECK(host != NULL);
    if (host == NULL)
        return;
    for (int64_t i = 0; i < n; i++)
        host[i] = 0.1f;
    const double exact = (double)n * (double)0.1f;
    pymic2_buffer *in_buffer = NULL, *out_buffer = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, n * sizeof(float), 0, &in_buffer));
    CHECK_OK(pymic2_buffer_alloc(device, 3 * sizeof(float), 0, &out_buffer));
    CHECK_OK(pymic2_memcpy_h2d(stream, in_buffer, 0, host, n * sizeof(float)));
    const int64_t line = n, two = 2, halves[2] = {2, (n - 1) / 2};
    pymic2_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.reduction = PYMIC2_REDUCE_SUM;
    desc.noperands = 2;
    desc.axes = 1; /* the whole line: split in chunks over the team */
    pymic2_operand_contiguous(&desc.operands[0], in_buffer, 0, PYMIC2_FLOAT32, 1, &line);
    pymic2_operand_contiguous(&desc.operands[1], out_buffer, 0, PYMIC2_FLOAT32, 0, NULL);
    CHECK_OK(pymic2_op_launch(stream, &desc));
    desc.axes = 2; /* two long rows: one per thread */
    pymic2_operand_contiguous(&desc.operands[0], in_buffer, 0, PYMIC2_FLOAT32, 2, halves);
    pymic2_operand_contiguous(&desc.operands[1], out_buffer, sizeof(float), PYMIC2_FLOAT32, 1,
                              &two);
    CHECK_OK(pymic2_op_launch(stream, &desc));
    float got[3];
    CHECK_OK(pymic2_memcpy_d2h(stream, got, out_buffer, 0, 3 * sizeof(float)));
    CHECK_OK(pymic2_stream_sync(stream));
    const double half = (double)halves[1] * (double)0.1f;
    CHECK(fabs(got[0] - exact) <= 1e-5 * exact);
    CHECK(fabs(got[1] - half) <= 1e-5 * half && fabs(got[2] - half) <= 1e-5 * half);
    if (fabs(got[0] - exact) > 1e-5 * exact)
        printf("float32 sum of %d x 0.1f: got %.9g, exact %.9g\n", n, got[0], exact);
    CHECK_OK(pymic2_buffer_release(in_buffer));
    CHECK_OK(pymic2_buffer_release(out_buffer));
    free(host);
}

static void test_empty_and_errors(void)
{
    static const int64_t empty[2] = {0, 3};
    /* sum over the empty axis is 0; over the other an empty output */
    run_case(PYMIC2_REDUCE_SUM, PYMIC2_FLOAT64, 2, empty, C_ORDER, 1, 0, 0);
    run_case(PYMIC2_REDUCE_PROD, PYMIC2_INT32, 2, empty, C_ORDER, 3, 0, 0);
    run_case(PYMIC2_REDUCE_ALL, PYMIC2_FLOAT64, 2, empty, C_ORDER, 1, 1, 0);
    run_case(PYMIC2_REDUCE_MAX, PYMIC2_FLOAT64, 2, empty, C_ORDER, 2, 0, 0);
    run_case(PYMIC2_REDUCE_CUMSUM, PYMIC2_FLOAT64, 2, empty, C_ORDER, 1, 0, 0);

    pymic2_buffer *buffer = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, 4096, 0, &buffer));
    pymic2_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.reduction = PYMIC2_REDUCE_MAX;
    desc.noperands = 2;
    desc.axes = 1;
    int64_t three = 3;
    pymic2_operand_contiguous(&desc.operands[0], buffer, 0, PYMIC2_FLOAT64, 2, empty);
    pymic2_operand_contiguous(&desc.operands[1], buffer, 0, PYMIC2_FLOAT64, 1, &three);
    CHECK_STATUS(pymic2_op_launch(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("zero-size array to reduction operation maximum which has no identity");
    desc.reduction = PYMIC2_REDUCE_ARGMAX;
    desc.operands[1].dtype = PYMIC2_INT64;
    CHECK_STATUS(pymic2_op_launch(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("attempt to get argmax of an empty sequence");

    int64_t shape[2] = {4, 5}, five = 5, four = 4;
    pymic2_operand_contiguous(&desc.operands[0], buffer, 0, PYMIC2_FLOAT64, 2, shape);
    desc.reduction = PYMIC2_REDUCE_SUM;
    desc.axes = 4; /* axis 2 of a 2-d input */
    pymic2_operand_contiguous(&desc.operands[1], buffer, 1024, PYMIC2_FLOAT64, 1, &five);
    CHECK_STATUS(pymic2_op_launch(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("axis 2 is out of bounds for array of dimension 2");
    desc.axes = 1;
    pymic2_operand_contiguous(&desc.operands[1], buffer, 1024, PYMIC2_FLOAT64, 1, &four);
    CHECK_STATUS(pymic2_op_launch(stream, &desc), PYMIC2_ESHAPE);
    CHECK_MESSAGE_HAS("gives (5,)");
    pymic2_operand_contiguous(&desc.operands[1], buffer, 1024, PYMIC2_INT64, 1, &five);
    CHECK_STATUS(pymic2_op_launch(stream, &desc), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("sum of float64 gives float64, but the output is int64");
    desc.reduction = PYMIC2_REDUCE_ARGMAX;
    desc.axes = 3;
    desc.operands[1].ndim = 0;
    pymic2_operand_contiguous(&desc.operands[0], buffer, 0, PYMIC2_COMPLEX128, 2, shape);
    CHECK_STATUS(pymic2_op_launch(stream, &desc), PYMIC2_EDTYPE);
    desc.reduction = PYMIC2_REDUCE_CUMSUM;
    desc.operands[1].dtype = PYMIC2_COMPLEX128;
    CHECK_STATUS(pymic2_op_launch(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("exactly one axis");
    desc.reduction = (pymic2_reduction)99;
    CHECK_STATUS(pymic2_op_launch(stream, &desc), PYMIC2_EINVAL);
    /* bounds: the output passes the buffer's end */
    desc.reduction = PYMIC2_REDUCE_SUM;
    desc.axes = 1;
    pymic2_operand_contiguous(&desc.operands[0], buffer, 0, PYMIC2_FLOAT64, 2, shape);
    pymic2_operand_contiguous(&desc.operands[1], buffer, 4096 - 16, PYMIC2_FLOAT64, 1, &five);
    CHECK_STATUS(pymic2_op_launch(stream, &desc), PYMIC2_ERANGE);
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK_OK(pymic2_buffer_release(buffer));
}

int main(void)
{
    setenv("PYMIC2_NUM_THREADS", "2", 0);
    CHECK_OK(pymic2_device_find("host:0", &device));
    CHECK_OK(pymic2_stream_default(device, &stream));
    if (device == NULL || stream == NULL)
        return CHECK_DONE();
    for (size_t k = 0; k < CHECK_SIMD_TARGET_COUNT; k++) {
        if (!check_select_simd(check_simd_targets[k]))
            continue;
        test_every_axis_combination();
        test_nan();
        test_large();
        test_row_parts();
        test_pairwise_accuracy();
    }
    test_empty_and_errors();
    return CHECK_DONE();
}
