/*
 * test_nn.c - the neural-network kernels: the op rows BIAS_RELU and RELU_GRAD and
 * pymic2_softmax_cross_entropy (forward and backward, float32 and float64, with ignored rows,
 * NaN and infinities), against references computed here in long double, on batches big enough
 * for the team's parallel path; then the errors (bad labels, dtypes, shapes) and the
 * stream's busy-time counters that the MNIST job's time split reads. Runs on the default
 * device, or on the device named by its argument (meson runs it on opencl:0 too).
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

/* argv[1]: the device to test ("opencl:0"); without it the default device. Exits 77
 * (skipped) when the named device does not exist. */
int main(int argc, char **argv)
{
    if (argc > 1) {
        if (pymic2_device_find(argv[1], &device) != PYMIC2_OK) {
            printf("skipped: no device %s (%s)\n", argv[1], pymic2_last_error());
            return 77;
        }
    } else {
        CHECK_OK(pymic2_device_default(&device));
    }
    CHECK_OK(pymic2_stream_default(device, &stream));
    test_relu_rows();
    for (int normalize = 0; normalize < 2; normalize++) {
        run_softmax_cross_entropy(PYMIC2_FLOAT64, normalize);
        run_softmax_cross_entropy(PYMIC2_FLOAT32, normalize);
    }
    test_special_values();
    /* the stream's busy time (pymic2_stream_busy_time) saw the kernels and the copies */
    double compute_ms = -1, transfer_ms = -1;
    CHECK_OK(pymic2_stream_busy_time(stream, &compute_ms, &transfer_ms));
    CHECK(compute_ms > 0 && transfer_ms > 0);
    CHECK_OK(pymic2_stream_busy_time(stream, NULL, NULL));
    CHECK_STATUS(pymic2_stream_busy_time(NULL, &compute_ms, NULL), PYMIC2_EINVAL);
    return CHECK_DONE();
}
