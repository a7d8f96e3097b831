/*
 * test_linalg.c - pymic2_linalg's argument checks (each refusal names the problem), one
 * solve of a stack of two 3 x 3 systems checked here, one singular matrix (ELINALG at the
 * sync, the stream usable after it), one raw QR checked here and, on OpenCL devices, SVD's
 * refusal. Runs on the default device, or on the device named by its argument.
 */
#include "check.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static pymic2_device *device;
static pymic2_stream *stream;

static void test_refusals(pymic2_buffer *a, pymic2_buffer *x)
{
    const int64_t square[3] = {2, 3, 3}, wide[3] = {2, 3, 2};
    pymic2_linalg_desc desc;
    memset(&desc, 0, sizeof desc);
    CHECK_STATUS(pymic2_linalg(NULL, &desc), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_linalg(stream, NULL), PYMIC2_EINVAL);
    desc.op = PYMIC2_LINALG_SOLVE;
    CHECK_OK(pymic2_operand_contiguous(&desc.a, a, 0, PYMIC2_FLOAT64, 3, wide));
    CHECK_OK(pymic2_operand_contiguous(&desc.b, x, 0, PYMIC2_FLOAT64, 3, wide));
    CHECK_OK(pymic2_operand_contiguous(&desc.out[0], x, 0, PYMIC2_FLOAT64, 3, wide));
    CHECK_STATUS(pymic2_linalg(stream, &desc), PYMIC2_ESHAPE);
    CHECK_MESSAGE_HAS("must be square");
    CHECK_OK(pymic2_operand_contiguous(&desc.a, a, 0, PYMIC2_INT64, 3, square));
    CHECK_STATUS(pymic2_linalg(stream, &desc), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("float32, float64, complex64 or complex128");
    CHECK_OK(pymic2_operand_contiguous(&desc.a, a, 0, PYMIC2_FLOAT64, 3, square));
    CHECK_OK(pymic2_operand_contiguous(&desc.out[0], x, 0, PYMIC2_FLOAT32, 3, wide));
    CHECK_STATUS(pymic2_linalg(stream, &desc), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("the solution is float32");
    CHECK_OK(pymic2_operand_contiguous(&desc.out[0], x, 0, PYMIC2_FLOAT64, 3, wide));
    desc.out[0].strides[1] = 0;
    CHECK_STATUS(pymic2_linalg(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("stride 0");
    desc.op = (pymic2_linalg_op)99;
    CHECK_STATUS(pymic2_linalg(stream, &desc), PYMIC2_EINVAL);
    CHECK_OK(pymic2_stream_sync(stream));
}

/* Two systems A x = b (the second A singular when `singular`), solved and checked. */
static void test_solve(pymic2_buffer *a, pymic2_buffer *x, bool singular)
{
    const double matrices[18] = {4, 1, 0, 1, 3, 1, 0, 1, 2, /* */ 2, 0, 0, 0, 1, 0, 0, 0,
                                 singular ? 0 : 5};
    const double rhs[6] = {5, 5, 3, 2, 1, 5}; /* solutions (1, 1, 1) and (1, 1, 1) */
    const int64_t square[3] = {2, 3, 3}, column[3] = {2, 3, 1};
    CHECK_OK(pymic2_memcpy_h2d(stream, a, 0, matrices, sizeof matrices));
    CHECK_OK(pymic2_memcpy_h2d(stream, x, 0, rhs, sizeof rhs));
    pymic2_linalg_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.op = PYMIC2_LINALG_SOLVE;
    CHECK_OK(pymic2_operand_contiguous(&desc.a, a, 0, PYMIC2_FLOAT64, 3, square));
    CHECK_OK(pymic2_operand_contiguous(&desc.b, x, 0, PYMIC2_FLOAT64, 3, column));
    CHECK_OK(pymic2_operand_contiguous(&desc.out[0], x, 6 * sizeof(double), PYMIC2_FLOAT64, 3,
                                       column));
    CHECK_OK(pymic2_linalg(stream, &desc));
    if (singular) {
        CHECK_STATUS(pymic2_stream_sync(stream), PYMIC2_EASYNC);
        CHECK(pymic2_last_async_status() == PYMIC2_ELINALG);
        CHECK_MESSAGE_HAS("Singular matrix (matrix 1 of the stack)");
        return;
    }
    double solution[6];
    CHECK_OK(pymic2_memcpy_d2h(stream, solution, x, 6 * sizeof(double), sizeof solution));
    CHECK_OK(pymic2_stream_sync(stream));
    for (int i = 0; i < 6; i++)
        CHECK(fabs(solution[i] - 1) < 1e-12);
}

/* Raw QR of [[3, 1, 0], [4, 2, 0], [0, 0, 2]] as LAPACK's geqrf: the first reflector makes
 * column 0 (-5, 0, 0) with tau (beta - alpha) / beta = 1.6; then SVD, which OpenCL devices
 * refuse naming the device. */
static void test_qr_and_svd(pymic2_buffer *a, pymic2_buffer *x)
{
    const int64_t square[2] = {3, 3}, diagonal[1] = {3};
    const double matrix[9] = {3, 1, 0, 4, 2, 0, 0, 0, 2};
    CHECK_OK(pymic2_memcpy_h2d(stream, a, 0, matrix, sizeof matrix));
    pymic2_linalg_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.op = PYMIC2_LINALG_QR;
    desc.raw = 1;
    CHECK_OK(pymic2_operand_contiguous(&desc.a, a, 0, PYMIC2_FLOAT64, 2, square));
    CHECK_OK(pymic2_operand_contiguous(&desc.out[0], x, 0, PYMIC2_FLOAT64, 2, square));
    CHECK_OK(pymic2_operand_contiguous(&desc.out[1], a, 9 * sizeof(double), PYMIC2_FLOAT64, 1,
                                       diagonal));
    CHECK_OK(pymic2_linalg(stream, &desc));
    double h[9], tau[3];
    CHECK_OK(pymic2_memcpy_d2h(stream, h, x, 0, sizeof h));
    CHECK_OK(pymic2_memcpy_d2h(stream, tau, a, 9 * sizeof(double), sizeof tau));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(fabs(h[0] + 5) < 1e-12 && fabs(tau[0] - 1.6) < 1e-12);
    desc.op = PYMIC2_LINALG_SVD;
    desc.raw = 0;
    CHECK_OK(pymic2_operand_contiguous(&desc.out[0], a, 9 * sizeof(double), PYMIC2_FLOAT64, 1,
                                       diagonal));
    memset(&desc.out[1], 0, sizeof desc.out[1]);
    pymic2_device_info info;
    CHECK_OK(pymic2_device_get_info(device, &info));
    int status = pymic2_linalg(stream, &desc);
    if (strcmp(info.backend, "opencl") == 0) {
        CHECK(status == PYMIC2_ENOTSUP);
        CHECK_MESSAGE_HAS("linalg.svd is not implemented on OpenCL devices");
    } else {
        CHECK_OK(status);
    }
    CHECK_OK(pymic2_stream_sync(stream));
}

int main(int argc, char **argv)
{
    if (!check_device_from_args(argc, argv, &device))
        return 77;
    CHECK_OK(pymic2_stream_default(device, &stream));
    pymic2_buffer *a = NULL, *x = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, 18 * sizeof(double), 0, &a));
    CHECK_OK(pymic2_buffer_alloc(device, 12 * sizeof(double), 0, &x));
    test_refusals(a, x);
    test_solve(a, x, false);
    test_solve(a, x, true);
    test_solve(a, x, false); /* the stream goes on */
    test_qr_and_svd(a, x);
    pymic2_buffer_release(a);
    pymic2_buffer_release(x);
    return CHECK_DONE();
}
