/*
 * test_gemm.c - pymic2_gemm against a naive triple loop computed here, for every dtype and
 * for contiguous, transposed, strided, reversed, batched and broadcast operands, alpha/beta,
 * empty and size-1 dimensions, an output that aliases an input, two devices' products at
 * once; then every error.
 *
 * Runs with two host devices (for EDEVICE) whose teams have 2 threads each.
 */
#include "check.h"

#include <complex.h>
#include <float.h>
#include <math.h>
#include <stdint.h>

static pymic2_device *device0, *device1;
static pymic2_stream *stream0;
static uint64_t random_state = 12345;

static uint64_t next_random(void)
{
    random_state = random_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return random_state >> 33;
}

/* ---------------------------------------------------------------- element access */

/* Every element value as a complex double; integers hold small values, so it is exact. */
static double complex read_element(pymic2_dtype dtype, const char *p)
{
    switch (dtype) {
    case PYMIC2_BOOL: return *(const uint8_t *)p != 0;
    case PYMIC2_INT8: return *(const int8_t *)p;
    case PYMIC2_UINT8: return *(const uint8_t *)p;
    case PYMIC2_INT32: return *(const int32_t *)p;
    case PYMIC2_INT64: return (double)*(const int64_t *)p;
    case PYMIC2_FLOAT16: return *(const _Float16 *)p;
    case PYMIC2_FLOAT32: return *(const float *)p;
    case PYMIC2_FLOAT64: return *(const double *)p;
    case PYMIC2_COMPLEX64: return CMPLX(((const float *)p)[0], ((const float *)p)[1]);
    default: return CMPLX(((const double *)p)[0], ((const double *)p)[1]);
    }
}

static void write_random(pymic2_dtype dtype, char *p)
{
    double value = (double)(next_random() % 2001) / 1000.0 - 1.0;
    int small = (int)(next_random() % 7) - 3;
    switch (dtype) {
    case PYMIC2_BOOL: *(uint8_t *)p = (uint8_t)(next_random() % 2); break;
    case PYMIC2_INT8: *(int8_t *)p = (int8_t)(small * 9); break; /* sums wrap */
    case PYMIC2_UINT8: *(uint8_t *)p = (uint8_t)(small + 3); break;
    case PYMIC2_INT32: *(int32_t *)p = small; break;
    case PYMIC2_INT64: *(int64_t *)p = small * 1000003LL; break;
    case PYMIC2_FLOAT16: *(_Float16 *)p = (_Float16)value; break;
    case PYMIC2_FLOAT32: *(float *)p = (float)value; break;
    case PYMIC2_FLOAT64: *(double *)p = value; break;
    case PYMIC2_COMPLEX64:
        ((float *)p)[0] = (float)value;
        ((float *)p)[1] = (float)((double)(next_random() % 2001) / 1000.0 - 1.0);
        break;
    default:
        ((double *)p)[0] = value;
        ((double *)p)[1] = (double)(next_random() % 2001) / 1000.0 - 1.0;
        break;
    }
}

static bool is_float(pymic2_dtype dtype)
{
    const char kind = pymic2_dtype_kind(dtype);
    return kind == 'f' || kind == 'c';
}

static pymic2_scalar make_scalar(pymic2_dtype dtype, double complex value)
{
    pymic2_scalar s;
    memset(&s, 0, sizeof s);
    switch (dtype) {
    case PYMIC2_BOOL: s.b = creal(value) != 0; break;
    case PYMIC2_INT8: s.i8 = (int8_t)creal(value); break;
    case PYMIC2_UINT8: s.u8 = (uint8_t)creal(value); break;
    case PYMIC2_INT32: s.i32 = (int32_t)creal(value); break;
    case PYMIC2_INT64: s.i64 = (int64_t)creal(value); break;
    case PYMIC2_FLOAT16: s.f16 = (float)(_Float16)creal(value); break; /* a float */
    case PYMIC2_FLOAT32: s.f32 = (float)creal(value); break;
    case PYMIC2_FLOAT64: s.f64 = creal(value); break;
    case PYMIC2_COMPLEX64: s.c64[0] = (float)creal(value); s.c64[1] = (float)cimag(value); break;
    default: s.c128[0] = creal(value); s.c128[1] = cimag(value); break;
    }
    return s;
}

/* The dtype's result of alpha*sum + beta*old, with NumPy's wrap-around for integers. */
static double complex expected_value(pymic2_dtype dtype, double complex alpha, double complex sum,
                                     double complex beta, double complex old)
{
    if (is_float(dtype))
        return alpha * sum + (beta != 0 ? beta * old : 0);
    if (dtype == PYMIC2_BOOL)
        return (creal(alpha) != 0 && creal(sum) != 0) || (creal(beta) != 0 && creal(old) != 0);
    int64_t exact = (int64_t)creal(alpha) * (int64_t)creal(sum) +
                    (int64_t)creal(beta) * (int64_t)creal(old);
    switch (dtype) {
    case PYMIC2_INT8: return (int8_t)exact;
    case PYMIC2_UINT8: return (uint8_t)exact;
    case PYMIC2_INT32: return (int32_t)exact;
    default: return (double)exact;
    }
}

/* ---------------------------------------------------------------- operand layouts */

typedef enum layout {
    ROW,       /* C-contiguous */
    COLUMN,    /* each matrix column-contiguous: a transposed view */
    STRIDED,   /* every other row and column of a bigger matrix */
    REVERSED,  /* row-contiguous with rows in reverse order (negative stride) */
    BROADCAST  /* batch stride 0: one matrix repeated over the batch */
} layout;

static const char *const layout_names[] = {"row", "column", "strided", "reversed", "broadcast"};

typedef struct host_array {
    pymic2_operand op;
    char *host;       /* the buffer's contents on the host */
    size_t nbytes;
} host_array;

/* An operand of the given shape and layout in a fresh buffer filled with random values. */
static void make_array(host_array *array, pymic2_dtype dtype, int ndim, const int64_t *shape,
                       layout kind)
{
    int64_t itemsize = (int64_t)pymic2_dtype_size(dtype);
    int64_t rows = shape[ndim - 2], cols = shape[ndim - 1];
    int64_t step = kind == STRIDED ? 2 : 1;
    int64_t rs, cs;
    if (kind == COLUMN) {
        rs = itemsize;
        cs = (rows > 0 ? rows : 1) * itemsize;
    } else {
        cs = step * itemsize;
        rs = step * (cols > 0 ? cols : 1) * cs / itemsize * itemsize;
    }
    int64_t matrix_bytes = (rows > 0 ? rows : 1) * (cols > 0 ? cols : 1) * itemsize * step * step;
    memset(&array->op, 0, sizeof array->op);
    array->op.dtype = dtype;
    array->op.ndim = ndim;
    array->op.shape[ndim - 2] = rows;
    array->op.shape[ndim - 1] = cols;
    array->op.strides[ndim - 2] = kind == REVERSED ? -rs : rs;
    array->op.strides[ndim - 1] = cs;
    int64_t stride = kind == BROADCAST ? 0 : matrix_bytes, total = matrix_bytes;
    for (int d = ndim - 3; d >= 0; d--) {
        array->op.shape[d] = shape[d];
        array->op.strides[d] = stride;
        if (kind != BROADCAST) {
            stride *= shape[d] > 0 ? shape[d] : 1;
            total = stride;
        }
    }
    array->op.offset = kind == REVERSED && rows > 0 ? (rows - 1) * rs : 0;
    array->nbytes = (size_t)total;
    array->host = malloc(array->nbytes);
    for (size_t i = 0; i + (size_t)itemsize <= array->nbytes; i += (size_t)itemsize)
        write_random(dtype, array->host + i);
    CHECK_OK(pymic2_buffer_alloc(device0, array->nbytes, 0, &array->op.buffer));
    CHECK_OK(pymic2_memcpy_h2d(stream0, array->op.buffer, 0, array->host, array->nbytes));
}

static void free_array(host_array *array)
{
    pymic2_buffer_release(array->op.buffer);
    free(array->host);
}

/* Address of element (batch index, i, j); the batch index runs over c's batch shape. */
static const char *element_at(const host_array *array, const pymic2_operand *c, int64_t batch,
                              int64_t i, int64_t j)
{
    const pymic2_operand *op = &array->op;
    int64_t offset = op->offset + i * op->strides[op->ndim - 2] + j * op->strides[op->ndim - 1];
    for (int d = c->ndim - 3; d >= 0; d--) {
        int64_t index = batch % c->shape[d];
        batch /= c->shape[d];
        int od = d - (c->ndim - op->ndim);
        if (od >= 0 && op->shape[od] != 1)
            offset += index * op->strides[od];
    }
    return array->host + offset;
}

/* Compares result (c's bytes after the product) with alpha a@b + beta c by the loop. */
static void compare_with_loop(const host_array *a, const host_array *b, const host_array *c,
                              double complex alpha, double complex beta, char *result,
                              const char *label)
{
    pymic2_dtype dtype = c->op.dtype;
    int64_t m = c->op.shape[c->op.ndim - 2], n = c->op.shape[c->op.ndim - 1];
    int64_t k = a->op.shape[a->op.ndim - 1], nbatch = 1;
    for (int d = 0; d < c->op.ndim - 2; d++)
        nbatch *= c->op.shape[d];
    /* float16 accumulates in float32 and rounds each result once more, by half an ulp */
    double eps = dtype == PYMIC2_FLOAT64 || dtype == PYMIC2_COMPLEX128 ? DBL_EPSILON : FLT_EPSILON;
    double rounding = dtype == PYMIC2_FLOAT16 ? 0x1p-11 : 0;
    int wrong = 0;
    host_array got = *c;
    got.host = result;
    for (int64_t t = 0; t < nbatch; t++)
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                double complex sum = 0;
                double magnitude = 0;
                for (int64_t p = 0; p < k; p++) {
                    double complex x = read_element(dtype, element_at(a, &c->op, t, i, p));
                    double complex y = read_element(dtype, element_at(b, &c->op, t, p, j));
                    if (dtype == PYMIC2_BOOL)
                        sum = (creal(sum) != 0 || (creal(x) != 0 && creal(y) != 0));
                    else
                        sum += x * y;
                    magnitude += cabs(x) * cabs(y);
                }
                double complex old = read_element(dtype, element_at(c, &c->op, t, i, j));
                double complex want = expected_value(dtype, alpha, sum, beta, old);
                double complex have = read_element(dtype, element_at(&got, &c->op, t, i, j));
                double tolerance = is_float(dtype)
                    ? 4.0 * (double)(k + 2) * eps * (cabs(alpha) * magnitude + (beta != 0 ? cabs(beta * old) : 0))
                      + rounding * cabs(want)
                    : 0;
                if (!(cabs(have - want) <= tolerance) && wrong++ < 3)
                    fprintf(stderr, "%s: %s [%lld,%lld,%lld]: got %g%+gi, want %g%+gi\n", label,
                            pymic2_dtype_name(dtype), (long long)t, (long long)i, (long long)j,
                            creal(have), cimag(have), creal(want), cimag(want));
            }
    char what[256];
    snprintf(what, sizeof what, "%s %s: every element matches the reference", label,
             pymic2_dtype_name(dtype));
    check__report(wrong == 0, __FILE__, __LINE__, what);
}

/* Runs c = alpha a@b + beta c on the device and compares every element with the loop. */
static void check_product(host_array *a, host_array *b, host_array *c, double complex alpha,
                          double complex beta, const char *label)
{
    pymic2_dtype dtype = c->op.dtype;
    pymic2_gemm_desc desc = {.a = a->op, .b = b->op, .c = c->op,
                             .alpha = make_scalar(dtype, alpha), .beta = make_scalar(dtype, beta)};
    char *result = malloc(c->nbytes);
    CHECK_OK(pymic2_gemm(stream0, &desc));
    CHECK_OK(pymic2_memcpy_d2h(stream0, result, c->op.buffer, 0, c->nbytes));
    CHECK_OK(pymic2_stream_sync(stream0));
    compare_with_loop(a, b, c, alpha, beta, result, label);
    free(result);
}

/* One product of the given shapes and layouts. */
static void run_case(pymic2_dtype dtype, int nbatch_dims, const int64_t *batch, int64_t m,
                     int64_t n, int64_t k, layout la, layout lb, layout lc,
                     double complex alpha, double complex beta)
{
    int64_t sa[PYMIC2_MAX_DIMS], sb[PYMIC2_MAX_DIMS], sc[PYMIC2_MAX_DIMS];
    int nd = nbatch_dims + 2;
    for (int d = 0; d < nbatch_dims; d++)
        sa[d] = sb[d] = sc[d] = batch[d];
    sa[nd - 2] = m, sa[nd - 1] = k;
    sb[nd - 2] = k, sb[nd - 1] = n;
    sc[nd - 2] = m, sc[nd - 1] = n;
    host_array a, b, c;
    make_array(&a, dtype, nd, sa, la);
    make_array(&b, dtype, nd, sb, lb);
    make_array(&c, dtype, nd, sc, lc);
    char label[160];
    snprintf(label, sizeof label, "batch %d m %lld n %lld k %lld a %s b %s c %s", nbatch_dims,
             (long long)m, (long long)n, (long long)k, layout_names[la], layout_names[lb],
             layout_names[lc]);
    check_product(&a, &b, &c, alpha, beta, label);
    free_array(&a);
    free_array(&b);
    free_array(&c);
}

static void test_dtypes_and_layouts(void)
{
    static const pymic2_dtype dtypes[] = {PYMIC2_BOOL, PYMIC2_INT8, PYMIC2_UINT8, PYMIC2_INT32,
                                          PYMIC2_INT64, PYMIC2_FLOAT16, PYMIC2_FLOAT32,
                                          PYMIC2_FLOAT64, PYMIC2_COMPLEX64, PYMIC2_COMPLEX128};
    static const layout layouts[] = {ROW, COLUMN, STRIDED, REVERSED};
    for (size_t t = 0; t < sizeof dtypes / sizeof dtypes[0]; t++) {
        pymic2_dtype dtype = dtypes[t];
        double complex alpha = pymic2_dtype_kind(dtype) == 'c' ? 1.5 - 0.5 * I : 2;
        for (size_t i = 0; i < 4; i++)
            for (size_t j = 0; j < 4; j++)
                run_case(dtype, 0, NULL, 13, 70, 37, layouts[i], layouts[j], layouts[(i + j) % 4],
                         alpha, (i + j) % 2 ? 0 : -1);
        int64_t batch[2] = {3, 2};
        run_case(dtype, 2, batch, 9, 5, 6, ROW, COLUMN, ROW, 1, 0);
        run_case(dtype, 1, batch, 9, 5, 6, BROADCAST, ROW, COLUMN, 1, 1);
        run_case(dtype, 1, batch, 9, 5, 6, COLUMN, BROADCAST, REVERSED, 3, 2);
        /* empty and size-1 dimensions */
        run_case(dtype, 0, NULL, 7, 5, 0, ROW, ROW, ROW, 1, 3);     /* k = 0: c = beta c */
        run_case(dtype, 0, NULL, 0, 5, 4, ROW, ROW, ROW, 1, 0);
        run_case(dtype, 0, NULL, 1, 1, 9, ROW, COLUMN, ROW, 1, 0);  /* dot */
        run_case(dtype, 0, NULL, 6, 4, 1, COLUMN, ROW, ROW, 1, 0);  /* outer */
        run_case(dtype, 0, NULL, 1, 8, 5, STRIDED, STRIDED, COLUMN, 2, 1);
        int64_t empty_batch[1] = {0};
        run_case(dtype, 1, empty_batch, 3, 3, 3, ROW, ROW, ROW, 1, 0);
    }
    /* bigger than one strip and one tile per thread, for the team split: blocks of rows,
     * of columns (n > m), and a batch of small matrices split over the team */
    run_case(PYMIC2_INT32, 0, NULL, 131, 200, 150, ROW, COLUMN, ROW, 1, 0);
    run_case(PYMIC2_FLOAT64, 0, NULL, 300, 260, 280, COLUMN, ROW, REVERSED, 1, 0.5);
    run_case(PYMIC2_FLOAT32, 0, NULL, 70, 301, 200, COLUMN, ROW, COLUMN, 1, -1);
    run_case(PYMIC2_COMPLEX128, 0, NULL, 133, 90, 120, ROW, COLUMN, ROW, 1 + I, 0);
    run_case(PYMIC2_COMPLEX64, 0, NULL, 120, 133, 90, COLUMN, ROW, ROW, 1 - I, 0.5);
    int64_t many[1] = {64};
    run_case(PYMIC2_FLOAT32, 1, many, 32, 24, 40, ROW, COLUMN, ROW, 1, 0.5);
    run_case(PYMIC2_FLOAT64, 1, many, 24, 32, 40, COLUMN, ROW, COLUMN, 2, 0);
}

/* Both host devices run products at once (the BLAS is called from all four team threads
 * concurrently); each result must still match the loop. */
static void test_concurrent_devices(void)
{
    static const pymic2_dtype dtypes[] = {PYMIC2_FLOAT32, PYMIC2_FLOAT64, PYMIC2_COMPLEX64,
                                          PYMIC2_COMPLEX128};
    pymic2_stream *stream1;
    CHECK_OK(pymic2_stream_default(device1, &stream1));
    for (size_t t = 0; t < sizeof dtypes / sizeof dtypes[0]; t++) {
        int64_t sa[2] = {190, 170}, sb[2] = {170, 210}, sc[2] = {190, 210};
        host_array a, b, c;
        make_array(&a, dtypes[t], 2, sa, ROW);
        make_array(&b, dtypes[t], 2, sb, COLUMN);
        make_array(&c, dtypes[t], 2, sc, ROW);
        pymic2_gemm_desc desc0 = {.a = a.op, .b = b.op, .c = c.op,
                                  .alpha = make_scalar(dtypes[t], 1)};
        pymic2_gemm_desc desc1 = desc0;
        host_array *arrays[3] = {&a, &b, &c};
        pymic2_operand *copies[3] = {&desc1.a, &desc1.b, &desc1.c};
        for (int i = 0; i < 3; i++) {
            CHECK_OK(pymic2_buffer_alloc(device1, arrays[i]->nbytes, 0, &copies[i]->buffer));
            CHECK_OK(pymic2_memcpy_h2d(stream1, copies[i]->buffer, 0, arrays[i]->host,
                                       arrays[i]->nbytes));
        }
        CHECK_OK(pymic2_stream_sync(stream0));
        CHECK_OK(pymic2_stream_sync(stream1));
        for (int round = 0; round < 20; round++) {
            CHECK_OK(pymic2_gemm(stream0, &desc0));
            CHECK_OK(pymic2_gemm(stream1, &desc1));
        }
        char *result0 = malloc(c.nbytes), *result1 = malloc(c.nbytes);
        CHECK_OK(pymic2_memcpy_d2h(stream0, result0, desc0.c.buffer, 0, c.nbytes));
        CHECK_OK(pymic2_memcpy_d2h(stream1, result1, desc1.c.buffer, 0, c.nbytes));
        CHECK_OK(pymic2_stream_sync(stream0));
        CHECK_OK(pymic2_stream_sync(stream1));
        compare_with_loop(&a, &b, &c, 1, 0, result0, "device 0 alongside device 1");
        compare_with_loop(&a, &b, &c, 1, 0, result1, "device 1 alongside device 0");
        for (int i = 0; i < 3; i++) {
            pymic2_buffer_release(copies[i]->buffer);
            free_array(arrays[i]);
        }
        free(result0);
        free(result1);
    }
}

/* Broadcasting a 2-D operand against a 3-D one: the missing batch dimension repeats it. */
static void test_missing_batch_dimension(void)
{
    int64_t sa[3] = {4, 5, 6}, sb[2] = {6, 3}, sc[3] = {4, 5, 3};
    host_array a, b, c;
    make_array(&a, PYMIC2_FLOAT64, 3, sa, ROW);
    make_array(&b, PYMIC2_FLOAT64, 2, sb, COLUMN);
    make_array(&c, PYMIC2_FLOAT64, 3, sc, ROW);
    check_product(&a, &b, &c, 1, 0, "2-D b against 3-D a");
    free_array(&a);
    free_array(&b);
    free_array(&c);
}

/* beta == 0 ignores NaN in c; c = a @ c with c aliasing b is computed from b's old values. */
static void test_nan_and_aliasing(void)
{
    int64_t shape[2] = {8, 8};
    host_array a, c;
    make_array(&a, PYMIC2_FLOAT64, 2, shape, ROW);
    make_array(&c, PYMIC2_FLOAT64, 2, shape, ROW);
    double nan_value = NAN;
    for (int i = 0; i < 64; i++)
        memcpy(c.host + 8 * i, &nan_value, 8);
    CHECK_OK(pymic2_memcpy_h2d(stream0, c.op.buffer, 0, c.host, c.nbytes));
    check_product(&a, &a, &c, 1, 0, "NaN in c with beta 0");
    for (int t = 0; t < 2; t++) {
        pymic2_dtype dtype = t == 0 ? PYMIC2_FLOAT64 : PYMIC2_INT32;
        host_array x, y;
        make_array(&x, dtype, 2, shape, ROW);
        make_array(&y, dtype, 2, shape, COLUMN);
        check_product(&x, &y, &y, 1, 1, "c is b");
        free_array(&y); /* its host copy no longer matches the device: start again */
        make_array(&y, dtype, 2, shape, ROW);
        check_product(&y, &x, &y, 2, 0, "c is a");
        free_array(&x);
        free_array(&y);
    }
    free_array(&a);
    free_array(&c);
}

/* ---------------------------------------------------------------- errors */

static void expect_error(const pymic2_gemm_desc *desc, int status, const char *message)
{
    CHECK_STATUS(pymic2_gemm(stream0, desc), status);
    CHECK_MESSAGE_HAS(message);
}

static void test_errors(void)
{
    pymic2_buffer *buffer, *other;
    CHECK_OK(pymic2_buffer_alloc(device0, 4096, 0, &buffer));
    CHECK_OK(pymic2_buffer_alloc(device1, 4096, 0, &other));
    pymic2_gemm_desc good;
    memset(&good, 0, sizeof good);
    int64_t s45[2] = {4, 5}, s56[2] = {5, 6}, s46[2] = {4, 6};
    CHECK_OK(pymic2_operand_contiguous(&good.a, buffer, 0, PYMIC2_FLOAT64, 2, s45));
    CHECK_OK(pymic2_operand_contiguous(&good.b, buffer, 512, PYMIC2_FLOAT64, 2, s56));
    CHECK_OK(pymic2_operand_contiguous(&good.c, buffer, 1024, PYMIC2_FLOAT64, 2, s46));
    good.alpha.f64 = 1;
    CHECK_OK(pymic2_gemm(stream0, &good));
    CHECK_OK(pymic2_stream_sync(stream0));

    CHECK_STATUS(pymic2_gemm(stream0, NULL), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_gemm(NULL, &good), PYMIC2_EINVAL);

    pymic2_gemm_desc bad = good;
    bad.b.buffer = NULL;
    expect_error(&bad, PYMIC2_EINVAL, "b has no buffer");
    bad = good;
    bad.a.ndim = 1;
    expect_error(&bad, PYMIC2_EINVAL, "a has ndim 1");
    bad = good;
    bad.c.shape[0] = -1;
    expect_error(&bad, PYMIC2_EINVAL, "negative dimension");
    bad = good;
    bad.b.dtype = PYMIC2_FLOAT32;
    expect_error(&bad, PYMIC2_EDTYPE, "a is float64, b is float32 and c is float64");
    bad = good;
    bad.c.dtype = (pymic2_dtype)99;
    expect_error(&bad, PYMIC2_EDTYPE, "dtype 99");

    /* shapes, in NumPy's words */
    bad = good;
    bad.a.shape[1] = 4;
    expect_error(&bad, PYMIC2_ESHAPE, "matmul: Input operand 1 has a mismatch in its core "
                 "dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?) (size 5 is "
                 "different from 4)");
    bad = good;
    bad.c.shape[0] = 3;
    expect_error(&bad, PYMIC2_ESHAPE, "Output operand 0 has a mismatch in its core dimension 0"
                 ", with gufunc signature (n?,k),(k,m?)->(n?,m?) (size 3 is different from 4)");
    bad = good;
    bad.c.shape[1] = 7;
    expect_error(&bad, PYMIC2_ESHAPE, "core dimension 1");
    int64_t s245[3] = {2, 4, 5}, s356[3] = {3, 5, 6}, s246[3] = {2, 4, 6};
    bad = good;
    CHECK_OK(pymic2_operand_contiguous(&bad.a, buffer, 0, PYMIC2_FLOAT64, 3, s245));
    CHECK_OK(pymic2_operand_contiguous(&bad.b, buffer, 0, PYMIC2_FLOAT64, 3, s356));
    CHECK_OK(pymic2_operand_contiguous(&bad.c, buffer, 2048, PYMIC2_FLOAT64, 3, s246));
    expect_error(&bad, PYMIC2_ESHAPE, "could not be broadcast together with remapped shapes "
                 "[original->remapped]: (2,4,5)->(2,newaxis,newaxis) "
                 "(3,5,6)->(3,newaxis,newaxis)");
    bad.b = good.b;
    bad.c = good.c;
    expect_error(&bad, PYMIC2_ESHAPE, "non-broadcastable output operand with shape (4,6) "
                 "doesn't match the broadcast shape (2,4,6)");

    /* memory */
    bad = good;
    bad.c.offset = 4096 - 8;
    expect_error(&bad, PYMIC2_ERANGE, "matmul: c");
    bad = good;
    bad.a.strides[0] = -40;
    expect_error(&bad, PYMIC2_ERANGE, "starting before it");
    bad = good;
    bad.b.buffer = other;
    expect_error(&bad, PYMIC2_EDEVICE, "the buffer is on host:1");
    bad = good;
    bad.c.strides[0] = 0;
    expect_error(&bad, PYMIC2_EINVAL, "share memory");
    bad = good;
    bad.c.strides[0] = 8; /* rows overlap columns */
    expect_error(&bad, PYMIC2_EINVAL, "share memory");

    /* nothing failed asynchronously */
    CHECK_OK(pymic2_stream_sync(stream0));
    pymic2_buffer_release(buffer);
    pymic2_buffer_release(other);
}

int main(void)
{
    setenv("PYMIC2_HOST_DEVICES", "2", 0);
    setenv("PYMIC2_NUM_THREADS", "2", 0);
    CHECK_OK(pymic2_device_get(0, &device0));
    CHECK_OK(pymic2_device_get(1, &device1));
    CHECK_OK(pymic2_stream_default(device0, &stream0));
    test_dtypes_and_layouts();
    test_missing_batch_dimension();
    test_nan_and_aliasing();
    test_concurrent_devices();
    test_errors();
    return CHECK_DONE();
}
