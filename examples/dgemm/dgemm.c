/*
 * dgemm.c - a kernel library that hands a row-major matrix product to OpenBLAS.
 *
 * C = alpha * A (m x k) * B (k x n) + beta * C (m x n). Sizes arrive as pointers to int64_t
 * and the scalars as pointers to double, following pyMIC's every-parameter-a-pointer rule.
 */
#include <pymic_kernel.h>

#include <cblas.h>

PYMIC_KERNEL void dgemm_kernel(const double *a, const double *b, double *c,
                               const int64_t *m, const int64_t *n, const int64_t *k,
                               const double *alpha, const double *beta)
{
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)*m, (blasint)*n,
                (blasint)*k, *alpha, a, (blasint)*k, b, (blasint)*n, *beta, c, (blasint)*n);
}
