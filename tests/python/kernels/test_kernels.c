/*
 * Kernels for the Python tests, written in pyMIC's convention: every parameter is a pointer.
 */
#include <complex.h>
#include <pymic_kernel.h>
#include <stdint.h>
#include <time.h>

/* x[i] *= factor for i < n */
PYMIC_KERNEL void scale(double *x, const int64_t *n, const double *factor)
{
    for (int64_t i = 0; i < *n; i++)
        x[i] *= *factor;
}

/* x[i] += 1 for an int32 array */
PYMIC_KERNEL void increment_int32(int32_t *x, const int64_t *n)
{
    for (int64_t i = 0; i < *n; i++)
        x[i] += 1;
}

/* Writes what each argument kind delivered into out[0..4]. */
PYMIC_KERNEL void capture(double *out, const int64_t *integer, const double *real,
                          const double complex *cplx, const double *maybe_null)
{
    out[0] = (double)*integer;
    out[1] = *real;
    out[2] = creal(*cplx);
    out[3] = cimag(*cplx);
    out[4] = maybe_null == NULL ? 1.0 : 0.0;
}

/* out[0] = the sum of 15 int64 arguments (16 parameters: pyMIC's maximum). */
PYMIC_KERNEL void sum15(int64_t *out, const int64_t *a1, const int64_t *a2, const int64_t *a3,
                        const int64_t *a4, const int64_t *a5, const int64_t *a6,
                        const int64_t *a7, const int64_t *a8, const int64_t *a9,
                        const int64_t *a10, const int64_t *a11, const int64_t *a12,
                        const int64_t *a13, const int64_t *a14, const int64_t *a15)
{
    *out = *a1 + *a2 + *a3 + *a4 + *a5 + *a6 + *a7 + *a8 + *a9 + *a10 + *a11 + *a12 + *a13 +
           *a14 + *a15;
}

/* Sleeps for *milliseconds, then sets *flag = value: a slow command for ordering tests. */
PYMIC_KERNEL void sleep_then_set(const int64_t *milliseconds, double *flag, const double *value)
{
    struct timespec delay = {*milliseconds / 1000, (*milliseconds % 1000) * 1000000L};
    while (nanosleep(&delay, &delay) != 0) {
    }
    *flag = *value;
}

/* dst[i] = src[i] for i < n (reads one buffer, writes another). */
PYMIC_KERNEL void copy_doubles(double *dst, const double *src, const int64_t *n)
{
    for (int64_t i = 0; i < *n; i++)
        dst[i] = src[i];
}
