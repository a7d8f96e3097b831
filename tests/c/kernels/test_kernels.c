/*
 * test_kernels.c - a user kernel library for the C tests (built as a shared module).
 */
#include <complex.h>
#include <pymic_kernel.h>
#include <time.h>

/* Does nothing: for invoke latency and argument passing checks. */
PYMIC_KERNEL void empty(void) {}

/* log[0] counts entries; appends *value after them. Proves the order commands ran in. */
PYMIC_KERNEL void append_log(int64_t *log, const int64_t *value)
{
    log[1 + log[0]] = *value;
    log[0]++;
}

/* Sleeps *microseconds: keeps a stream busy. */
PYMIC_KERNEL void sleep_us(const int64_t *microseconds)
{
    struct timespec pause = {(time_t)(*microseconds / 1000000), (long)(*microseconds % 1000000) * 1000};
    nanosleep(&pause, NULL);
}

/* out[0] = *i + *f + creal(*c), out[1] = cimag(*c). */
PYMIC_KERNEL void combine_scalars(double *out, const int64_t *i, const double *f,
                                  const double complex *c)
{
    out[0] = (double)*i + *f + creal(*c);
    out[1] = cimag(*c);
}

/* x[k] *= *factor for k < *n (pyMIC's style of kernel). */
PYMIC_KERNEL void scale(double *x, const int64_t *n, const double *factor)
{
    for (int64_t k = 0; k < *n; k++)
        x[k] *= *factor;
}

/* *out = sum over k of (k + 1) * *a_k for the 15 others, a NULL one counting 0: a check that
 * every argument arrives in its place. */
PYMIC_KERNEL void weighted_sum16(int64_t *out, const int64_t *a1, const int64_t *a2,
                                 const int64_t *a3, const int64_t *a4, const int64_t *a5,
                                 const int64_t *a6, const int64_t *a7, const int64_t *a8,
                                 const int64_t *a9, const int64_t *a10, const int64_t *a11,
                                 const int64_t *a12, const int64_t *a13, const int64_t *a14,
                                 const int64_t *a15)
{
    const int64_t *a[15] = {a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15};
    int64_t sum = 0;
    for (int k = 0; k < 15; k++)
        sum += a[k] ? (k + 1) * *a[k] : 0;
    *out = sum;
}

/* *out = whether *p is NULL (1) or not (0). */
PYMIC_KERNEL void is_null(int64_t *out, const void *p)
{
    *out = p == NULL;
}
