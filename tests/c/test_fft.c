/*
 * test_fft.c - pymic2_fft's argument checks (each refusal names the problem and leaves the
 * stream usable), then transforms checked against a direct DFT computed here: complex of a
 * prime (Bluestein) and a composite length, forward and inverse, real to half spectrum and
 * back. Runs on the default device, or on the device named by its argument.
 */
#include "check.h"

#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define MAX_N 100

static pymic2_device *device;
static pymic2_stream *stream;

static void test_refusals(pymic2_buffer *in, pymic2_buffer *out)
{
    const int64_t shape[2] = {2, 8}, half[2] = {2, 5}, other[2] = {3, 8}, empty[2] = {2, 0};
    pymic2_fft_desc desc;
    memset(&desc, 0, sizeof desc);
    CHECK_STATUS(pymic2_fft(NULL, &desc), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_fft(stream, NULL), PYMIC2_EINVAL);
    pymic2_operand_scalar(&desc.in, PYMIC2_COMPLEX128, (pymic2_scalar){.f64 = 1});
    CHECK_OK(pymic2_operand_contiguous(&desc.out, out, 0, PYMIC2_COMPLEX128, 2, shape));
    CHECK_STATUS(pymic2_fft(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("scalar");
    CHECK_OK(pymic2_operand_contiguous(&desc.in, in, 0, PYMIC2_COMPLEX128, 2, shape));
    desc.kind = (pymic2_fft_kind)9;
    CHECK_STATUS(pymic2_fft(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("not C2C");
    desc.kind = PYMIC2_FFT_C2C;
    /* dtypes: float64 into complex128 is R2C's, not C2C's */
    CHECK_OK(pymic2_operand_contiguous(&desc.in, in, 0, PYMIC2_FLOAT64, 2, shape));
    CHECK_STATUS(pymic2_fft(stream, &desc), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("not supported");
    /* R2C of 8 points has 5 outputs, and the batch shapes must agree */
    desc.kind = PYMIC2_FFT_R2C;
    CHECK_STATUS(pymic2_fft(stream, &desc), PYMIC2_ESHAPE);
    CHECK_MESSAGE_HAS("has 5 output elements, not 8");
    CHECK_OK(pymic2_operand_contiguous(&desc.out, out, 0, PYMIC2_COMPLEX128, 2, other));
    CHECK_STATUS(pymic2_fft(stream, &desc), PYMIC2_ESHAPE);
    CHECK_MESSAGE_HAS("batch shapes");
    /* no points */
    CHECK_OK(pymic2_operand_contiguous(&desc.in, in, 0, PYMIC2_FLOAT64, 2, empty));
    CHECK_OK(pymic2_operand_contiguous(&desc.out, out, 0, PYMIC2_COMPLEX128, 2, half));
    CHECK_STATUS(pymic2_fft(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("number of data points");
    /* the output over the input, then past the buffer's end */
    desc.kind = PYMIC2_FFT_C2C;
    CHECK_OK(pymic2_operand_contiguous(&desc.in, in, 0, PYMIC2_COMPLEX128, 2, shape));
    CHECK_OK(pymic2_operand_contiguous(&desc.out, in, 16, PYMIC2_COMPLEX128, 2, shape));
    CHECK(pymic2_fft(stream, &desc) < 0);
    CHECK_MESSAGE_HAS("overlaps");
    CHECK_OK(pymic2_operand_contiguous(&desc.out, out, 2 * MAX_N * 16 - 16, PYMIC2_COMPLEX128,
                                       2, shape));
    CHECK_STATUS(pymic2_fft(stream, &desc), PYMIC2_ERANGE);
    CHECK_OK(pymic2_stream_sync(stream));
}

/* The direct DFT of x (n points), sign -1 forward, +1 inverse. */
static void dft(const double complex *x, int n, int sign, double complex *y)
{
    for (int k = 0; k < n; k++) {
        y[k] = 0;
        for (int j = 0; j < n; j++)
            y[k] += x[j] * cexp(sign * 2 * M_PI * I * (double)((int64_t)j * k % n) / n);
    }
}

static double max_error(const double complex *a, const double complex *b, int n)
{
    double e = 0;
    for (int i = 0; i < n; i++)
        e = fmax(e, cabs(a[i] - b[i]));
    return e;
}

/* Complex transforms of n points both ways, then R2C and C2R (scaled by 1 / n). */
static void test_length(pymic2_buffer *in, pymic2_buffer *out, int n)
{
    double complex x[MAX_N], y[MAX_N], want[MAX_N];
    for (int i = 0; i < n; i++)
        x[i] = sin(i * 0.7) + I * cos(i * 1.3);
    CHECK_OK(pymic2_memcpy_h2d(stream, in, 0, x, n * sizeof *x));
    pymic2_fft_desc desc;
    memset(&desc, 0, sizeof desc);
    const int64_t len = n, half = n / 2 + 1;
    desc.scale = 1;
    CHECK_OK(pymic2_operand_contiguous(&desc.in, in, 0, PYMIC2_COMPLEX128, 1, &len));
    CHECK_OK(pymic2_operand_contiguous(&desc.out, out, 0, PYMIC2_COMPLEX128, 1, &len));
    for (int inverse = 0; inverse < 2; inverse++) {
        desc.inverse = inverse;
        CHECK_OK(pymic2_fft(stream, &desc));
        CHECK_OK(pymic2_memcpy_d2h(stream, y, out, 0, n * sizeof *y));
        CHECK_OK(pymic2_stream_sync(stream));
        dft(x, n, inverse ? 1 : -1, want);
        CHECK(max_error(y, want, n) < 1e-11 * n);
    }
    double real[MAX_N];
    for (int i = 0; i < n; i++)
        real[i] = creal(x[i]), x[i] = real[i];
    dft(x, n, -1, want);
    CHECK_OK(pymic2_memcpy_h2d(stream, in, 0, real, n * sizeof *real));
    desc.kind = PYMIC2_FFT_R2C;
    CHECK_OK(pymic2_operand_contiguous(&desc.in, in, 0, PYMIC2_FLOAT64, 1, &len));
    CHECK_OK(pymic2_operand_contiguous(&desc.out, out, 0, PYMIC2_COMPLEX128, 1, &half));
    CHECK_OK(pymic2_fft(stream, &desc));
    CHECK_OK(pymic2_memcpy_d2h(stream, y, out, 0, half * sizeof *y));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(max_error(y, want, (int)half) < 1e-11 * n);
    /* back: the half spectrum in `out` to n reals in `in` */
    desc.kind = PYMIC2_FFT_C2R;
    desc.scale = 1.0 / n;
    CHECK_OK(pymic2_operand_contiguous(&desc.in, out, 0, PYMIC2_COMPLEX128, 1, &half));
    CHECK_OK(pymic2_operand_contiguous(&desc.out, in, 0, PYMIC2_FLOAT64, 1, &len));
    CHECK_OK(pymic2_fft(stream, &desc));
    double back[MAX_N];
    CHECK_OK(pymic2_memcpy_d2h(stream, back, in, 0, n * sizeof *back));
    CHECK_OK(pymic2_stream_sync(stream));
    for (int i = 0; i < n; i++)
        CHECK(fabs(back[i] - real[i]) < 1e-12 * n);
}

int main(int argc, char **argv)
{
    if (!check_device_from_args(argc, argv, &device))
        return 77;
    CHECK_OK(pymic2_stream_default(device, &stream));
    pymic2_buffer *in = NULL, *out = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, 2 * MAX_N * 16, 0, &in));
    CHECK_OK(pymic2_buffer_alloc(device, 2 * MAX_N * 16, 0, &out));
    test_refusals(in, out);
    const int lengths[] = {1, 2, 12, 97};
    for (size_t i = 0; i < sizeof lengths / sizeof *lengths; i++)
        test_length(in, out, lengths[i]);
    pymic2_buffer_release(in);
    pymic2_buffer_release(out);
    return CHECK_DONE();
}
