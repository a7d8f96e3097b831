/*
 * test_nn.c - the neural-network kernels: the op rows BIAS_RELU and RELU_GRAD and
 * pymic2_softmax_cross_entropy (forward and backward, float32 and float64, with ignored rows,
 * NaN and infinities), against references computed here in long double, on batches big enough
 * for the team's parallel path; then the errors (bad labels, dtypes, shapes) and the
 * stream's busy-time counters that the MNIST job's time split reads. pymic2_windows: im2col
 * against the definition, col2im and average unpooling as the adjoints of im2col and average
 * pooling, max pooling and its gradient on a case with a NaN and ties, and its errors.
 * pymic2_fused: dropout's mask against pymic2_philox4x32_10 bit for bit, an Adam (AMSGrad)
 * step against the formula, and its errors. Runs
 * on the default device, or on the device named by its argument (meson runs it on opencl:0
 * too).
 */
#include "check.h"

#include <math.h>
#include <stdint.h>

static pymic2_device *device;
static pymic2_stream *stream;

/* A device copy of n bytes of host data. */
static pymic2_buffer *upload(const void *data, size_t nbytes)
{
    pymic2_buffer *buffer = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, nbytes, 0, &buffer));
    CHECK_OK(pymic2_memcpy_h2d(stream, buffer, 0, data, nbytes));
    return buffer;
}

static double uniform(uint64_t *state) /* a small LCG: the test's own numbers */
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*state >> 11) / 9007199254740992.0;
}

static int close_to(double got, long double want, double tolerance)
{
    if (isnan((double)want))
        return isnan(got);
    if (isinf((double)want))
        return got == (double)want;
    return fabsl((long double)got - want) <= tolerance * (1 + fabsl(want));
}

/* bias_relu and relu_grad on (rows, cols) float64 with the bias broadcast over rows. */
static void test_relu_rows(void)
{
    enum { ROWS = 300, COLS = 257 };
    static double x[ROWS * COLS], y[ROWS * COLS], gy[ROWS * COLS], gx[ROWS * COLS];
    double bias[COLS];
    uint64_t state = 1;
    for (int i = 0; i < ROWS * COLS; i++) {
        x[i] = uniform(&state) * 2 - 1;
        gy[i] = uniform(&state) - 0.5;
    }
    for (int j = 0; j < COLS; j++)
        bias[j] = uniform(&state) - 0.5;
    x[5] = NAN;
    gy[7] = NAN;
    x[7] = -5; /* y = 0 there: NaN * 0 stays NaN */
    const int64_t shape[2] = {ROWS, COLS}, bias_shape[2] = {1, COLS};
    pymic2_buffer *bx = upload(x, sizeof x), *bb = upload(bias, sizeof bias),
                  *bgy = upload(gy, sizeof gy), *by = NULL, *bgx = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, sizeof y, 0, &by));
    CHECK_OK(pymic2_buffer_alloc(device, sizeof gx, 0, &bgx));

    pymic2_op_desc desc = {.op = PYMIC2_OP_BIAS_RELU, .noperands = 3};
    CHECK_OK(pymic2_operand_contiguous(&desc.operands[0], bx, 0, PYMIC2_FLOAT64, 2, shape));
    CHECK_OK(pymic2_operand_contiguous(&desc.operands[1], bb, 0, PYMIC2_FLOAT64, 2, bias_shape));
    CHECK_OK(pymic2_operand_contiguous(&desc.operands[2], by, 0, PYMIC2_FLOAT64, 2, shape));
    CHECK_OK(pymic2_op_launch(stream, &desc));
    pymic2_op_desc grad = {.op = PYMIC2_OP_RELU_GRAD, .noperands = 3};
    grad.operands[0] = desc.operands[2];
    CHECK_OK(pymic2_operand_contiguous(&grad.operands[1], bgy, 0, PYMIC2_FLOAT64, 2, shape));
    CHECK_OK(pymic2_operand_contiguous(&grad.operands[2], bgx, 0, PYMIC2_FLOAT64, 2, shape));
    CHECK_OK(pymic2_op_launch(stream, &grad));
    CHECK_OK(pymic2_memcpy_d2h(stream, y, by, 0, sizeof y));
    CHECK_OK(pymic2_memcpy_d2h(stream, gx, bgx, 0, sizeof gx));
    CHECK_OK(pymic2_stream_sync(stream));

    int wrong_y = 0, wrong_gx = 0;
    for (int i = 0; i < ROWS * COLS; i++) {
        double sum = x[i] + bias[i % COLS];
        double want_y = isnan(sum) ? sum : sum > 0 ? sum : 0;
        double want_gx = gy[i] * (double)(want_y > 0);
        wrong_y += !(want_y == y[i] || (isnan(want_y) && isnan(y[i])));
        wrong_gx += !(want_gx == gx[i] || (isnan(want_gx) && isnan(gx[i])));
    }
    CHECK(wrong_y == 0);
    CHECK(wrong_gx == 0);
    CHECK(isnan(y[5]) && isnan(gx[7]));

    /* integers are rejected with the row's reason */
    desc.operands[0].dtype = desc.operands[1].dtype = desc.operands[2].dtype = PYMIC2_INT64;
    CHECK_STATUS(pymic2_op_launch(stream, &desc), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("bias_relu is a float32/float64 training op");
    pymic2_buffer *buffers[] = {bx, bb, bgy, by, bgx};
    for (int i = 0; i < 5; i++)
        CHECK_OK(pymic2_buffer_release(buffers[i]));
}

/* Chainer's loss and gradient of one batch, in long double. */
static void reference(const double *x, const int32_t *labels, int64_t rows, int64_t classes,
                      int64_t ignore, int normalize, double gloss, long double *loss,
                      long double *grad)
{
    int64_t labelled = 0;
    for (int64_t n = 0; n < rows; n++)
        labelled += labels[n] != ignore;
    long double coefficient = 1.0L / (long double)((normalize ? labelled : rows) > 1
                                                       ? (normalize ? labelled : rows) : 1);
    long double sum = 0;
    for (int64_t n = 0; n < rows; n++) {
        const double *row = x + n * classes;
        long double m = row[0];
        for (int64_t c = 1; c < classes; c++)
            if (row[c] > m || isnan(row[c]))
                m = isnan((double)m) ? m : row[c];
        long double s = 0;
        for (int64_t c = 0; c < classes; c++)
            s += expl(row[c] - m);
        long double lse = m + logl(s);
        int valid = labels[n] != ignore;
        sum += (row[valid ? labels[n] : 0] - lse) * valid;
        for (int64_t c = 0; c < classes; c++)
            grad[n * classes + c] = (expl(row[c] - lse) - (c == (labels[n] < 0 ? 0 : labels[n]))) *
                                    valid * gloss * coefficient;
    }
    *loss = -sum * coefficient;
}

static void run_softmax_cross_entropy(pymic2_dtype dtype, int normalize)
{
    enum { ROWS = 3000, CLASSES = 10 };
    static double x[ROWS * CLASSES], grad_got[ROWS * CLASSES];
    static long double grad_want[ROWS * CLASSES];
    static float x32[ROWS * CLASSES], grad32[ROWS * CLASSES];
    static int32_t labels[ROWS];
    uint64_t state = 7;
    for (int i = 0; i < ROWS * CLASSES; i++) {
        x[i] = (uniform(&state) - 0.5) * 8;
        if (dtype == PYMIC2_FLOAT32)
            x[i] = x32[i] = (float)x[i];
    }
    for (int n = 0; n < ROWS; n++)
        labels[n] = n % 7 == 3 ? -1 : (int32_t)(uniform(&state) * CLASSES);
    const double gloss = 0.75;
    long double loss_want;
    reference(x, labels, ROWS, CLASSES, -1, normalize, gloss, &loss_want, grad_want);

    const size_t itemsize = pymic2_dtype_size(dtype);
    const int64_t shape[2] = {ROWS, CLASSES}, label_shape[1] = {ROWS};
    pymic2_buffer *bx = upload(dtype == PYMIC2_FLOAT32 ? (void *)x32 : (void *)x,
                               ROWS * CLASSES * itemsize);
    pymic2_buffer *bl = upload(labels, sizeof labels), *bloss = NULL, *bgrad = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, itemsize, 0, &bloss));
    CHECK_OK(pymic2_buffer_alloc(device, ROWS * CLASSES * itemsize, 0, &bgrad));
    pymic2_softmax_cross_entropy_desc desc = {.ignore_label = -1, .normalize = normalize};
    CHECK_OK(pymic2_operand_contiguous(&desc.x, bx, 0, dtype, 2, shape));
    CHECK_OK(pymic2_operand_contiguous(&desc.labels, bl, 0, PYMIC2_INT32, 1, label_shape));
    CHECK_OK(pymic2_operand_contiguous(&desc.loss, bloss, 0, dtype, 0, NULL));
    CHECK_OK(pymic2_softmax_cross_entropy(stream, &desc));
    double loss_got;
    float loss32;
    CHECK_OK(pymic2_memcpy_d2h(stream, dtype == PYMIC2_FLOAT32 ? (void *)&loss32 : &loss_got,
                               bloss, 0, itemsize));

    desc.pass = PYMIC2_SOFTMAX_CROSS_ENTROPY_BACKWARD;
    pymic2_scalar value = {.f64 = gloss};
    if (dtype == PYMIC2_FLOAT32)
        value.f32 = (float)gloss;
    pymic2_operand_scalar(&desc.loss, dtype, value);
    CHECK_OK(pymic2_operand_contiguous(&desc.grad, bgrad, 0, dtype, 2, shape));
    CHECK_OK(pymic2_softmax_cross_entropy(stream, &desc));
    CHECK_OK(pymic2_memcpy_d2h(stream, dtype == PYMIC2_FLOAT32 ? (void *)grad32 : grad_got,
                               bgrad, 0, ROWS * CLASSES * itemsize));
    CHECK_OK(pymic2_stream_sync(stream));
    if (dtype == PYMIC2_FLOAT32) {
        loss_got = loss32;
        for (int i = 0; i < ROWS * CLASSES; i++)
            grad_got[i] = grad32[i];
    }
    const double tolerance = dtype == PYMIC2_FLOAT32 ? 1e-5 : 1e-12;
    CHECK(close_to(loss_got, loss_want, tolerance));
    int wrong = 0;
    for (int i = 0; i < ROWS * CLASSES; i++)
        wrong += !(fabsl((long double)grad_got[i] - grad_want[i]) <= tolerance * 1e-2);
    CHECK(wrong == 0);
    pymic2_buffer *buffers[] = {bx, bl, bloss, bgrad};
    for (int i = 0; i < 4; i++)
        CHECK_OK(pymic2_buffer_release(buffers[i]));
}

/* NaN and +inf in a row give NaN (Chainer's NumPy arithmetic); -inf elsewhere is fine. */
static void test_special_values(void)
{
    double x[3 * 2] = {NAN, 0, INFINITY, 0, -INFINITY, 1};
    int64_t labels[3] = {1, 1, 1};
    const int64_t shape[2] = {3, 2}, label_shape[1] = {3};
    pymic2_buffer *bx = upload(x, sizeof x), *bl = upload(labels, sizeof labels), *bloss = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, 8, 0, &bloss));
    pymic2_softmax_cross_entropy_desc desc = {.ignore_label = -1, .normalize = 1};
    CHECK_OK(pymic2_operand_contiguous(&desc.x, bx, 0, PYMIC2_FLOAT64, 2, shape));
    CHECK_OK(pymic2_operand_contiguous(&desc.labels, bl, 0, PYMIC2_INT64, 1, label_shape));
    CHECK_OK(pymic2_operand_contiguous(&desc.loss, bloss, 0, PYMIC2_FLOAT64, 0, NULL));
    double loss = 0;
    CHECK_OK(pymic2_softmax_cross_entropy(stream, &desc));
    CHECK_OK(pymic2_memcpy_d2h(stream, &loss, bloss, 0, 8));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(isnan(loss));
    /* only the last row: -inf contributes exp(-inf) = 0, the loss is log(1 + e^-inf) = 0 */
    desc.x.shape[0] = desc.labels.shape[0] = 1;
    desc.x.offset = 4 * 8;
    desc.labels.offset = 2 * 8;
    CHECK_OK(pymic2_softmax_cross_entropy(stream, &desc));
    CHECK_OK(pymic2_memcpy_d2h(stream, &loss, bloss, 0, 8));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(loss == 0);

    /* errors: a label out of range fails the command (nothing written), bad operands fail
     * the launch */
    labels[0] = 2;
    CHECK_OK(pymic2_memcpy_h2d(stream, bl, 0, labels, sizeof labels));
    desc.x.shape[0] = desc.labels.shape[0] = 3;
    desc.x.offset = desc.labels.offset = 0;
    loss = 42;
    CHECK_OK(pymic2_memcpy_h2d(stream, bloss, 0, &loss, 8));
    CHECK_OK(pymic2_softmax_cross_entropy(stream, &desc));
    CHECK_STATUS(pymic2_stream_sync(stream), PYMIC2_EASYNC);
    CHECK_MESSAGE_HAS("label 2 of row 0 is outside 0..1");
    CHECK_OK(pymic2_memcpy_d2h(stream, &loss, bloss, 0, 8));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(loss == 42);
    desc.labels.shape[0] = 2;
    CHECK_STATUS(pymic2_softmax_cross_entropy(stream, &desc), PYMIC2_ESHAPE);
    CHECK_MESSAGE_HAS("2 labels for 3 rows of x");
    desc.labels.shape[0] = 3;
    desc.labels.dtype = PYMIC2_FLOAT64;
    CHECK_STATUS(pymic2_softmax_cross_entropy(stream, &desc), PYMIC2_EDTYPE);
    desc.labels.dtype = PYMIC2_INT64;
    desc.loss.dtype = PYMIC2_FLOAT32;
    CHECK_STATUS(pymic2_softmax_cross_entropy(stream, &desc), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("the loss is float32 but x is float64");
    desc.loss.dtype = PYMIC2_FLOAT64;
    desc.pass = PYMIC2_SOFTMAX_CROSS_ENTROPY_BACKWARD; /* grad missing */
    CHECK_STATUS(pymic2_softmax_cross_entropy(stream, &desc), PYMIC2_EINVAL);
    desc.pass = PYMIC2_SOFTMAX_CROSS_ENTROPY_FORWARD;
    desc.x.shape[0] = 4; /* passes the end of the buffer */
    desc.labels.shape[0] = 4;
    CHECK_STATUS(pymic2_softmax_cross_entropy(stream, &desc), PYMIC2_ERANGE);
    CHECK_STATUS(pymic2_softmax_cross_entropy(NULL, &desc), PYMIC2_EINVAL);
    pymic2_buffer *buffers[] = {bx, bl, bloss};
    for (int i = 0; i < 3; i++)
        CHECK_OK(pymic2_buffer_release(buffers[i]));
}

/* ---------------------------------------------------------------- windows */

enum { WN = 2, WC = 3, WH = 5, WW = 4, KH = 3, KW = 2, OH = 3, OW = 3 };

static pymic2_windows_desc window_desc(pymic2_windows_op op, pymic2_buffer *image,
                                       pymic2_buffer *cols, pymic2_buffer *indexes)
{
    /* stride (2, 1), padding (1, 1), dilation (1, 2): OH = (5 + 2 - 3) / 2 + 1 = 3,
     * OW = (4 + 2 - 3) / 1 + 1 = 4, of which the test uses 3 */
    pymic2_windows_desc desc = {.op = op, .kh = KH, .kw = KW, .sy = 2, .sx = 1, .ph = 1,
                                .pw = 1, .dy = 1, .dx = 2};
    const int64_t image_shape[4] = {WN, WC, WH, WW}, col_shape[6] = {WC, KH, KW, WN, OH, OW},
                  pooled[4] = {WN, WC, OH, OW};
    const bool im2col = op == PYMIC2_WINDOWS_IM2COL || op == PYMIC2_WINDOWS_COL2IM;
    CHECK_OK(pymic2_operand_contiguous(&desc.image, image, 0, PYMIC2_FLOAT64, 4, image_shape));
    CHECK_OK(pymic2_operand_contiguous(&desc.cols, cols, 0, PYMIC2_FLOAT64, im2col ? 6 : 4,
                                       im2col ? col_shape : pooled));
    if (indexes != NULL)
        CHECK_OK(pymic2_operand_contiguous(&desc.indexes, indexes, 0, PYMIC2_INT64, 4, pooled));
    return desc;
}

/* out = the pass of `op` on `in` (host arrays of the sizes the op reads and writes). */
static void run_window(pymic2_windows_op op, const double *in, size_t in_bytes, double *out,
                       size_t out_bytes)
{
    const bool to_image = op == PYMIC2_WINDOWS_COL2IM || op == PYMIC2_WINDOWS_AVERAGE_UNPOOL;
    pymic2_buffer *source = upload(in, in_bytes), *result = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, out_bytes, 0, &result));
    pymic2_windows_desc desc = to_image ? window_desc(op, result, source, NULL)
                                        : window_desc(op, source, result, NULL);
    CHECK_OK(pymic2_windows(stream, &desc));
    CHECK_OK(pymic2_memcpy_d2h(stream, out, result, 0, out_bytes));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK_OK(pymic2_buffer_release(source));
    CHECK_OK(pymic2_buffer_release(result));
}

static long double dot(const double *a, const double *b, int n)
{
    long double sum = 0;
    for (int i = 0; i < n; i++)
        sum += (long double)a[i] * b[i];
    return sum;
}

/* im2col against its definition; col2im and average unpooling against <Ax, g> = <x, A'g>. */
static void test_windows_adjoints(void)
{
    enum {
        IMAGE = WN * WC * WH * WW,
        COLS = WC * KH * KW * WN * OH * OW,
        POOLED = WN * WC * OH * OW
    };
    static double x[IMAGE], cols[COLS], g[COLS], back[IMAGE], pooled[POOLED], gp[POOLED];
    uint64_t state = 3;
    for (int i = 0; i < IMAGE; i++)
        x[i] = uniform(&state) - 0.5;
    for (int i = 0; i < COLS; i++)
        g[i] = uniform(&state) - 0.5;
    for (int i = 0; i < POOLED; i++)
        gp[i] = uniform(&state) - 0.5;
    run_window(PYMIC2_WINDOWS_IM2COL, x, sizeof x, cols, sizeof cols);
    int wrong = 0, k = 0;
    for (int c = 0; c < WC; c++)
        for (int i = 0; i < KH; i++)
            for (int j = 0; j < KW; j++)
                for (int n = 0; n < WN; n++)
                    for (int oy = 0; oy < OH; oy++)
                        for (int ox = 0; ox < OW; ox++, k++) {
                            const int y = oy * 2 - 1 + i, xx = ox - 1 + j * 2;
                            const bool inside = y >= 0 && y < WH && xx >= 0 && xx < WW;
                            const double want =
                                inside ? x[((n * WC + c) * WH + y) * WW + xx] : 0;
                            wrong += cols[k] != want;
                        }
    CHECK(wrong == 0);
    run_window(PYMIC2_WINDOWS_COL2IM, g, sizeof g, back, sizeof back);
    CHECK(close_to((double)dot(cols, g, COLS), dot(x, back, IMAGE), 1e-12));
    run_window(PYMIC2_WINDOWS_AVERAGE_POOL, x, sizeof x, pooled, sizeof pooled);
    run_window(PYMIC2_WINDOWS_AVERAGE_UNPOOL, gp, sizeof gp, back, sizeof back);
    CHECK(close_to((double)dot(pooled, gp, POOLED), dot(x, back, IMAGE), 1e-12));
}

/* 2x2 max pooling of one 4x4 plane with a NaN and ties; its gradient; the errors. */
static void test_max_pool(void)
{
    double x[16] = {1, 3, 2, 2,   3, 0, 2, 2,   NAN, 5, 0, -1,   7, 9, -2, -1};
    double y[4], gy[4] = {10, 20, 30, 40}, gx[16];
    int64_t indexes[4];
    pymic2_buffer *bx = upload(x, sizeof x), *by = NULL, *bi = NULL,
                  *bgy = upload(gy, sizeof gy), *bgx = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, sizeof y, 0, &by));
    CHECK_OK(pymic2_buffer_alloc(device, sizeof indexes, 0, &bi));
    CHECK_OK(pymic2_buffer_alloc(device, sizeof gx, 0, &bgx));
    const int64_t image_shape[4] = {1, 1, 4, 4}, pooled[4] = {1, 1, 2, 2};
    pymic2_windows_desc desc = {.op = PYMIC2_WINDOWS_MAX_POOL, .kh = 2, .kw = 2, .sy = 2,
                                .sx = 2, .dy = 1, .dx = 1};
    CHECK_OK(pymic2_operand_contiguous(&desc.image, bx, 0, PYMIC2_FLOAT64, 4, image_shape));
    CHECK_OK(pymic2_operand_contiguous(&desc.cols, by, 0, PYMIC2_FLOAT64, 4, pooled));
    CHECK_OK(pymic2_operand_contiguous(&desc.indexes, bi, 0, PYMIC2_INT64, 4, pooled));
    CHECK_OK(pymic2_windows(stream, &desc));
    pymic2_windows_desc grad = desc;
    grad.op = PYMIC2_WINDOWS_MAX_UNPOOL;
    CHECK_OK(pymic2_operand_contiguous(&grad.image, bgx, 0, PYMIC2_FLOAT64, 4, image_shape));
    CHECK_OK(pymic2_operand_contiguous(&grad.cols, bgy, 0, PYMIC2_FLOAT64, 4, pooled));
    CHECK_OK(pymic2_windows(stream, &grad));
    CHECK_OK(pymic2_memcpy_d2h(stream, y, by, 0, sizeof y));
    CHECK_OK(pymic2_memcpy_d2h(stream, indexes, bi, 0, sizeof indexes));
    CHECK_OK(pymic2_memcpy_d2h(stream, gx, bgx, 0, sizeof gx));
    CHECK_OK(pymic2_stream_sync(stream));
    /* the first maximum wins a tie (3 at taps 1 and 2; 2 everywhere), NaN wins its window */
    CHECK(y[0] == 3 && indexes[0] == 1 && y[1] == 2 && indexes[1] == 0);
    CHECK(isnan(y[2]) && indexes[2] == 0 && y[3] == 0 && indexes[3] == 0);
    const double want_gx[16] = {0, 10, 20, 0,   0, 0, 0, 0,   30, 0, 40, 0,   0, 0, 0, 0};
    int wrong = 0;
    for (int i = 0; i < 16; i++)
        wrong += gx[i] != want_gx[i];
    CHECK(wrong == 0);

    desc.indexes.dtype = PYMIC2_INT32;
    CHECK_STATUS(pymic2_windows(stream, &desc), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("max_pool: indexes are int32; they must be int64");
    desc.indexes.dtype = PYMIC2_INT64;
    desc.cols.shape[3] = 3;
    CHECK_STATUS(pymic2_windows(stream, &desc), PYMIC2_ESHAPE);
    desc.cols.shape[3] = 2;
    desc.ph = -1;
    CHECK_STATUS(pymic2_windows(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("padding (-1,0) must not be negative");
    desc.ph = 0;
    desc.cols.strides[3] = 0;
    CHECK_STATUS(pymic2_windows(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("cols has stride 0 in dimension 3");
    desc.cols.strides[3] = 8;
    desc.image.shape[2] = 5; /* passes the end of the buffer */
    CHECK_STATUS(pymic2_windows(stream, &desc), PYMIC2_ERANGE);
    desc.image.shape[2] = 4;
    desc.op = (pymic2_windows_op)17;
    CHECK_STATUS(pymic2_windows(stream, &desc), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_windows(NULL, &grad), PYMIC2_EINVAL);
    pymic2_buffer *buffers[] = {bx, by, bi, bgy, bgx};
    for (int i = 0; i < 5; i++)
        CHECK_OK(pymic2_buffer_release(buffers[i]));
}

/* argv[1]: the device to test ("opencl:0"); without it the default device. Exits 77
 * (skipped) when the named device does not exist. */
/* Dropout's mask is pymic2_random's float32 uniforms >= ratio (4 per Philox block), then
 * an AMSGrad step of ADAM, both against this file's own arithmetic. */
static void test_fused(void)
{
    enum { N = 37 };
    const int64_t shape[1] = {N};
    float x[N], mask[N], y[N], param[N], grad[N], m[N], v[N], vhat[N];
    for (int i = 0; i < N; i++) {
        x[i] = (float)i - 10.0f;
        param[i] = 0.5f * (float)i;
        grad[i] = (float)(i % 5) - 2.0f;
        m[i] = 0.1f;
        v[i] = 0.2f;
        vhat[i] = i % 2 ? 0.0f : 5.0f;
    }
    pymic2_buffer *bx = upload(x, sizeof x), *bmask = upload(x, sizeof x);
    pymic2_buffer *by = upload(x, sizeof x);
    pymic2_fused_args args = {.op = PYMIC2_FUSED_DROPOUT, .sizes = {N}, .params = {0.4},
                              .seed = 12345, .counter = 7};
    pymic2_buffer *dropout_buffers[3] = {bx, bmask, by};
    for (int k = 0; k < 3; k++)
        CHECK_OK(pymic2_operand_contiguous(&args.operands[k], dropout_buffers[k], 0,
                                           PYMIC2_FLOAT32, 1, shape));
    uint64_t next = 0;
    CHECK_OK(pymic2_fused(stream, &args, &next));
    CHECK(next == 7 + (N + 3) / 4);
    CHECK_OK(pymic2_memcpy_d2h(stream, mask, bmask, 0, sizeof mask));
    CHECK_OK(pymic2_memcpy_d2h(stream, y, by, 0, sizeof y));
    CHECK_OK(pymic2_stream_sync(stream));
    const float scale = (float)(1.0 / 0.6);
    for (int i = 0; i < N; i++) {
        const uint32_t counter[4] = {(uint32_t)(7 + i / 4), 0, 0, 0}, key[2] = {12345, 0};
        uint32_t words[4];
        pymic2_philox4x32_10(counter, key, words);
        const float u = (float)(words[i % 4] >> 8) * 0x1.0p-24f;
        CHECK(mask[i] == (u >= 0.4f ? scale : 0.0f) && y[i] == x[i] * mask[i]);
    }

    pymic2_buffer *adam[5] = {upload(param, sizeof param), upload(grad, sizeof grad),
                              upload(m, sizeof m), upload(v, sizeof v),
                              upload(vhat, sizeof vhat)};
    pymic2_fused_args step = {.op = PYMIC2_FUSED_ADAM, .sizes = {N},
                              .params = {0.9, 0.999, 1e-8, 1.0, 0.01, 0.001}};
    for (int k = 0; k < 5; k++)
        CHECK_OK(pymic2_operand_contiguous(&step.operands[k], adam[k], 0, PYMIC2_FLOAT32, 1,
                                           shape));
    CHECK_OK(pymic2_fused(stream, &step, NULL));
    float got[N];
    CHECK_OK(pymic2_memcpy_d2h(stream, got, adam[0], 0, sizeof got));
    CHECK_OK(pymic2_stream_sync(stream));
    for (int i = 0; i < N; i++) {
        const double mi = 0.1 + 0.1 * (grad[i] - 0.1);
        const double vi = 0.2 + 0.001 * (grad[i] * grad[i] - 0.2);
        const double bound = vhat[i] > vi ? vhat[i] : vi;
        const double want = (1 - 0.01) * param[i] - 0.001 * mi / (sqrt(bound) + 1e-8);
        CHECK(close_to(got[i], want, 1e-5));
    }

    /* errors: mixed dtypes, a missing operand, a ratio of 1 */
    step.operands[1].dtype = PYMIC2_FLOAT64;
    CHECK_STATUS(pymic2_fused(stream, &step, NULL), PYMIC2_EDTYPE);
    step.operands[1].dtype = PYMIC2_FLOAT32;
    step.operands[1].buffer = NULL;
    CHECK_STATUS(pymic2_fused(stream, &step, NULL), PYMIC2_EINVAL);
    args.params[0] = 1.0;
    CHECK_STATUS(pymic2_fused(stream, &args, NULL), PYMIC2_EINVAL);
    pymic2_buffer *all[8] = {bx, bmask, by, adam[0], adam[1], adam[2], adam[3], adam[4]};
    for (int k = 0; k < 8; k++)
        CHECK_OK(pymic2_buffer_release(all[k]));
}

int main(int argc, char **argv)
{
    if (!check_device_from_args(argc, argv, &device))
        return 77;
    CHECK_OK(pymic2_stream_default(device, &stream));
    test_relu_rows();
    for (int normalize = 0; normalize < 2; normalize++) {
        run_softmax_cross_entropy(PYMIC2_FLOAT64, normalize);
        run_softmax_cross_entropy(PYMIC2_FLOAT32, normalize);
    }
    test_special_values();
    test_windows_adjoints();
    test_max_pool();
    test_fused();
    /* the stream's busy time (pymic2_stream_busy_time) saw the kernels and the copies */
    double compute_ms = -1, transfer_ms = -1;
    CHECK_OK(pymic2_stream_busy_time(stream, &compute_ms, &transfer_ms));
    CHECK(compute_ms > 0 && transfer_ms > 0);
    CHECK_OK(pymic2_stream_busy_time(stream, NULL, NULL));
    CHECK_STATUS(pymic2_stream_busy_time(NULL, &compute_ms, NULL), PYMIC2_EINVAL);
    return CHECK_DONE();
}
