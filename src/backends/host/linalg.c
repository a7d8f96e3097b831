/*
 * linalg.c - the LINALG family on a host device: LAPACK from OpenBLAS (its Fortran symbols,
 * through the prototypes below: Debian's OpenBLAS has 32-bit integers and no LAPACKE).
 *
 * Each matrix of the stack is gathered into a column-major scratch matrix (any strides in,
 * LAPACK's layout out), factorised there and scattered into the outputs; the copies are
 * O(n^2) beside the O(n^3) factorisation. The stack is split over the device's team, one
 * single-threaded LAPACK call per matrix (as GEMM: OpenBLAS's own threads would compete
 * with the team). A matrix whose data makes the op fail (singular, not positive definite,
 * no convergence) fails the command with ELINALG naming the first such matrix; the others
 * are still computed.
 */
#include "host_internal.h"

#include <cblas.h>

#include <complex.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- LAPACK's Fortran ABI */

/* Routines of one signature for every type (hidden string lengths last). */
#define LAPACK_COMMON(T, p, ORGQR)                                                          \
    void p##getrf_(const int *m, const int *n, T *a, const int *lda, int *ipiv, int *info); \
    void p##getrs_(const char *trans, const int *n, const int *nrhs, const T *a,            \
                   const int *lda, const int *ipiv, T *b, const int *ldb, int *info,        \
                   size_t trans_len);                                                       \
    void p##potrf_(const char *uplo, const int *n, T *a, const int *lda, int *info,         \
                   size_t uplo_len);                                                        \
    void p##geqrf_(const int *m, const int *n, T *a, const int *lda, T *tau, T *work,       \
                   const int *lwork, int *info);                                            \
    void ORGQR(const int *m, const int *n, const int *k, T *a, const int *lda,              \
               const T *tau, T *work, const int *lwork, int *info);
LAPACK_COMMON(float, s, sorgqr_)
LAPACK_COMMON(double, d, dorgqr_)
LAPACK_COMMON(float complex, c, cungqr_)
LAPACK_COMMON(double complex, z, zungqr_)
#undef LAPACK_COMMON

#define LAPACK_REAL(T, p, EVD)                                                              \
    void p##gesdd_(const char *jobz, const int *m, const int *n, T *a, const int *lda,      \
                   T *s, T *u, const int *ldu, T *vt, const int *ldvt, T *work,              \
                   const int *lwork, int *iwork, int *info, size_t jobz_len);                \
    void EVD(const char *jobz, const char *uplo, const int *n, T *a, const int *lda, T *w,  \
             T *work, const int *lwork, int *iwork, const int *liwork, int *info,           \
             size_t jobz_len, size_t uplo_len);                                             \
    void p##geev_(const char *jobvl, const char *jobvr, const int *n, T *a,                 \
                  const int *lda, T *wr, T *wi, T *vl, const int *ldvl, T *vr,              \
                  const int *ldvr, T *work, const int *lwork, int *info, size_t jobvl_len,  \
                  size_t jobvr_len);
LAPACK_REAL(float, s, ssyevd_)
LAPACK_REAL(double, d, dsyevd_)
#undef LAPACK_REAL

#define LAPACK_COMPLEX(T, R, p, EVD)                                                        \
    void p##gesdd_(const char *jobz, const int *m, const int *n, T *a, const int *lda,      \
                   R *s, T *u, const int *ldu, T *vt, const int *ldvt, T *work,              \
                   const int *lwork, R *rwork, int *iwork, int *info, size_t jobz_len);      \
    void EVD(const char *jobz, const char *uplo, const int *n, T *a, const int *lda, R *w,  \
             T *work, const int *lwork, R *rwork, const int *lrwork, int *iwork,            \
             const int *liwork, int *info, size_t jobz_len, size_t uplo_len);               \
    void p##geev_(const char *jobvl, const char *jobvr, const int *n, T *a,                 \
                  const int *lda, T *w, T *vl, const int *ldvl, T *vr, const int *ldvr,     \
                  T *work, const int *lwork, R *rwork, int *info, size_t jobvl_len,         \
                  size_t jobvr_len);
LAPACK_COMPLEX(float complex, float, c, cheevd_)
LAPACK_COMPLEX(double complex, double, z, zheevd_)
#undef LAPACK_COMPLEX

/* ---------------------------------------------------------------- matrices in and out */

/* A matrix of an operand in the stack: its first element and byte strides. */
typedef struct view {
    char *at;
    int64_t rows, cols, row_stride, col_stride;
} view;

static view view_of(const pymic2_operand *operand, int64_t index, int trailing)
{
    view v = {pymic2__host_matrix_at(operand, index, trailing)};
    const int d = operand->ndim - trailing;
    v.rows = operand->shape[d];
    v.row_stride = operand->strides[d];
    v.cols = trailing == 2 ? operand->shape[d + 1] : 1;
    v.col_stride = trailing == 2 ? operand->strides[d + 1] : 0;
    return v;
}

/* The transposed view (QR's raw h is LAPACK's matrix in Fortran order). */
static view transposed(view v)
{
    return (view){v.at, v.cols, v.rows, v.col_stride, v.row_stride};
}

/* v's rows x cols elements into column-major dst of leading dimension ld, and back. */
static void gather(const view *v, char *dst, int64_t ld, size_t size)
{
    for (int64_t j = 0; j < v->cols; j++)
        for (int64_t i = 0; i < v->rows; i++)
            memcpy(dst + (size_t)(i + j * ld) * size, v->at + i * v->row_stride +
                   j * v->col_stride, size);
}

static void scatter(const view *v, const char *src, int64_t ld, size_t size)
{
    for (int64_t j = 0; j < v->cols; j++)
        for (int64_t i = 0; i < v->rows; i++)
            memcpy(v->at + i * v->row_stride + j * v->col_stride,
                   src + (size_t)(i + j * ld) * size, size);
}

/* Zeroes the strict lower (or upper) triangle of a column-major rows x cols matrix. */
static void zero_triangle(char *a, int64_t rows, int64_t cols, int64_t ld, size_t size,
                          bool lower)
{
    for (int64_t j = 0; j < cols; j++)
        for (int64_t i = 0; i < rows; i++)
            if (lower ? i > j : i < j)
                memset(a + (size_t)(i + j * ld) * size, 0, size);
}

/* A workspace of count elements of `size` bytes (at least one). */
static void *workspace(double count, size_t size)
{
    return malloc(((size_t)count > 0 ? (size_t)count : 1) * size);
}

/* ---------------------------------------------------------------- one matrix, per type */

/* The command and how its matrices went. */
typedef struct job {
    const pymic2_linalg_desc *d;
    size_t size;                 /* a's itemsize */
    int m, n;                    /* a's matrix */
    _Atomic int64_t failed;      /* first matrix whose data failed (INT64_MAX: none) */
    atomic_bool out_of_memory;
} job;

/* A matrix's result: 0, > 0 a failure in the data (LAPACK's info), or < 0 out of memory. */
typedef int (*matrix_fn)(const job *j, int64_t index);

#define NO_MEMORY (-1)

/*
 * Per type T (real type R, complex type C, LAPACK prefix p): the uniform wrappers of the
 * routines whose signatures differ between real and complex types (workspace queries
 * inside), then one function per op.
 */
#define REAL_WRAPPERS(T, C, p, EVD)                                                         \
    static int gesdd_##p(char jobz, int m, int n, T *a, T *s, T *u, int ldu, T *vt,          \
                         int ldvt)                                                          \
    {                                                                                       \
        int info, query = -1, k = m < n ? m : n;                                            \
        T size;                                                                             \
        int *iwork = workspace(8.0 * k, sizeof(int));                                       \
        p##gesdd_(&jobz, &m, &n, a, &m, s, u, &ldu, vt, &ldvt, &size, &query, iwork, &info, \
                  1);                                                                       \
        int lwork = (int)size;                                                              \
        T *work = workspace(lwork, sizeof(T));                                              \
        if (iwork != NULL && work != NULL)                                                  \
            p##gesdd_(&jobz, &m, &n, a, &m, s, u, &ldu, vt, &ldvt, work, &lwork, iwork,     \
                      &info, 1);                                                            \
        else                                                                                \
            info = NO_MEMORY;                                                               \
        free(work);                                                                         \
        free(iwork);                                                                        \
        return info;                                                                        \
    }                                                                                       \
    static int evd_##p(char jobz, char uplo, int n, T *a, T *w)                             \
    {                                                                                       \
        int info, query = -1, isize;                                                        \
        T size;                                                                             \
        EVD(&jobz, &uplo, &n, a, &n, w, &size, &query, &isize, &query, &info, 1, 1);        \
        int lwork = (int)size, liwork = isize;                                              \
        T *work = workspace(lwork, sizeof(T));                                              \
        int *iwork = workspace(liwork, sizeof(int));                                        \
        if (iwork != NULL && work != NULL)                                                  \
            EVD(&jobz, &uplo, &n, a, &n, w, work, &lwork, iwork, &liwork, &info, 1, 1);     \
        else                                                                                \
            info = NO_MEMORY;                                                               \
        free(work);                                                                         \
        free(iwork);                                                                        \
        return info;                                                                        \
    }                                                                                       \
    /* the eigenvalues into w, the right eigenvectors (complex columns) into v if given */  \
    static int geev_##p(int n, T *a, C *w, C *v)                                            \
    {                                                                                       \
        int info, query = -1, one = 1;                                                      \
        const char jobvl = 'N', jobvr = v != NULL ? 'V' : 'N';                              \
        T size, *wr = workspace(2.0 * n, sizeof(T)), *wi = wr + n;                          \
        T *vr = v != NULL ? workspace((double)n * n, sizeof(T)) : NULL;                     \
        int ldvr = v != NULL ? n : 1;                                                       \
        if (wr == NULL || (v != NULL && vr == NULL)) {                                      \
            free(wr);                                                                       \
            free(vr);                                                                       \
            return NO_MEMORY;                                                               \
        }                                                                                   \
        p##geev_(&jobvl, &jobvr, &n, a, &n, wr, wi, NULL, &one, vr, &ldvr, &size, &query,   \
                 &info, 1, 1);                                                              \
        int lwork = (int)size;                                                              \
        T *work = workspace(lwork, sizeof(T));                                              \
        if (work != NULL)                                                                   \
            p##geev_(&jobvl, &jobvr, &n, a, &n, wr, wi, NULL, &one, vr, &ldvr, work,        \
                     &lwork, &info, 1, 1);                                                  \
        else                                                                                \
            info = NO_MEMORY;                                                               \
        for (int i = 0; info == 0 && i < n; i++)                                            \
            w[i] = wr[i] + wi[i] * I;                                                       \
        /* a conjugate pair's vectors are columns j (real part) and j+1 (imaginary part) */ \
        for (int c = 0; info == 0 && v != NULL && c < n; c++)                               \
            for (int i = 0; i < n; i++) {                                                   \
                const T *col = vr + (size_t)c * n;                                          \
                if (wi[c] == 0)                                                             \
                    v[i + (size_t)c * n] = col[i];                                          \
                else if (wi[c] > 0)                                                         \
                    v[i + (size_t)c * n] = col[i] + col[i + n] * I;                         \
                else                                                                        \
                    v[i + (size_t)c * n] = col[i - n] - col[i] * I;                         \
            }                                                                               \
        free(work);                                                                         \
        free(vr);                                                                           \
        free(wr);                                                                           \
        return info;                                                                        \
    }

#define COMPLEX_WRAPPERS(T, R, p, EVD)                                                      \
    static int gesdd_##p(char jobz, int m, int n, T *a, R *s, T *u, int ldu, T *vt,          \
                         int ldvt)                                                          \
    {                                                                                       \
        int info, query = -1, k = m < n ? m : n, big = m > n ? m : n;                       \
        double rsize = jobz == 'N' ? 7.0 * k                                                \
                       : (double)k * (5.0 * k + 7 > 2.0 * big + 2.0 * k + 1                 \
                                      ? 5.0 * k + 7 : 2.0 * big + 2.0 * k + 1);             \
        T size;                                                                             \
        int *iwork = workspace(8.0 * k, sizeof(int));                                       \
        R *rwork = workspace(rsize, sizeof(R));                                             \
        p##gesdd_(&jobz, &m, &n, a, &m, s, u, &ldu, vt, &ldvt, &size, &query, rwork, iwork, \
                  &info, 1);                                                                \
        int lwork = (int)creal(size);                                                       \
        T *work = workspace(lwork, sizeof(T));                                              \
        if (iwork != NULL && rwork != NULL && work != NULL)                                 \
            p##gesdd_(&jobz, &m, &n, a, &m, s, u, &ldu, vt, &ldvt, work, &lwork, rwork,     \
                      iwork, &info, 1);                                                     \
        else                                                                                \
            info = NO_MEMORY;                                                               \
        free(work);                                                                         \
        free(rwork);                                                                        \
        free(iwork);                                                                        \
        return info;                                                                        \
    }                                                                                       \
    static int evd_##p(char jobz, char uplo, int n, T *a, R *w)                             \
    {                                                                                       \
        int info, query = -1, isize;                                                        \
        T size;                                                                             \
        R rsize;                                                                            \
        EVD(&jobz, &uplo, &n, a, &n, w, &size, &query, &rsize, &query, &isize, &query,      \
            &info, 1, 1);                                                                   \
        int lwork = (int)creal(size), lrwork = (int)rsize, liwork = isize;                  \
        T *work = workspace(lwork, sizeof(T));                                              \
        R *rwork = workspace(lrwork, sizeof(R));                                            \
        int *iwork = workspace(liwork, sizeof(int));                                        \
        if (iwork != NULL && rwork != NULL && work != NULL)                                 \
            EVD(&jobz, &uplo, &n, a, &n, w, work, &lwork, rwork, &lrwork, iwork, &liwork,   \
                &info, 1, 1);                                                               \
        else                                                                                \
            info = NO_MEMORY;                                                               \
        free(work);                                                                         \
        free(rwork);                                                                        \
        free(iwork);                                                                        \
        return info;                                                                        \
    }                                                                                       \
    static int geev_##p(int n, T *a, T *w, T *v)                                            \
    {                                                                                       \
        int info, query = -1, one = 1, ldvr = v != NULL ? n : 1;                            \
        const char jobvl = 'N', jobvr = v != NULL ? 'V' : 'N';                              \
        T size;                                                                             \
        R *rwork = workspace(2.0 * n, sizeof(R));                                           \
        p##geev_(&jobvl, &jobvr, &n, a, &n, w, NULL, &one, v, &ldvr, &size, &query, rwork,  \
                 &info, 1, 1);                                                              \
        int lwork = (int)creal(size);                                                       \
        T *work = workspace(lwork, sizeof(T));                                              \
        if (rwork != NULL && work != NULL)                                                  \
            p##geev_(&jobvl, &jobvr, &n, a, &n, w, NULL, &one, v, &ldvr, work, &lwork,      \
                     rwork, &info, 1, 1);                                                   \
        else                                                                                \
            info = NO_MEMORY;                                                               \
        free(work);                                                                         \
        free(rwork);                                                                        \
        return info;                                                                        \
    }

REAL_WRAPPERS(float, float complex, s, ssyevd_)
REAL_WRAPPERS(double, double complex, d, dsyevd_)
COMPLEX_WRAPPERS(float complex, float, c, cheevd_)
COMPLEX_WRAPPERS(double complex, double, z, zheevd_)
#undef REAL_WRAPPERS
#undef COMPLEX_WRAPPERS

/* a's matrix `index` gathered into a new column-major scratch of ld rows and cols columns
 * (at least a's), or NULL. */
static void *gather_a(const job *j, int64_t index, int64_t ld, int64_t cols)
{
    char *a = workspace((double)ld * cols, j->size);
    if (a != NULL) {
        memset(a, 0, (size_t)(ld * cols > 0 ? ld * cols : 1) * j->size);
        view v = view_of(&j->d->a, index, 2);
        gather(&v, a, ld, j->size);
    }
    return a;
}

static void scatter_out(const job *j, int output, int64_t index, int trailing, const void *src,
                        int64_t ld, size_t size)
{
    view v = view_of(&j->d->out[output], index, trailing);
    scatter(&v, src, ld, size);
}

/* LU: the factors and the 0-based pivots. */
#define LU(T, p)                                                                            \
    static int lu_##p(const job *j, int64_t index)                                          \
    {                                                                                       \
        int n = j->n, info;                                                                 \
        T *a = gather_a(j, index, n, n);                                                    \
        int *ipiv = workspace(n, sizeof(int));                                              \
        if (a == NULL || ipiv == NULL) {                                                    \
            free(a);                                                                        \
            free(ipiv);                                                                     \
            return NO_MEMORY;                                                               \
        }                                                                                   \
        p##getrf_(&n, &n, a, &n, ipiv, &info);                                              \
        scatter_out(j, 0, index, 2, a, n, sizeof(T));                                       \
        view pivots = view_of(&j->d->out[1], index, 1);                                     \
        for (int i = 0; i < n; i++) {                                                       \
            int64_t pivot = ipiv[i] - 1;                                                    \
            memcpy(pivots.at + i * pivots.row_stride, &pivot, sizeof pivot);                \
        }                                                                                   \
        free(ipiv);                                                                         \
        free(a);                                                                            \
        return j->d->check ? info : 0;                                                      \
    }                                                                                       \
    static int solve_##p(const job *j, int64_t index)                                       \
    {                                                                                       \
        const pymic2_operand *b_op = &j->d->b;                                              \
        int n = j->n, nrhs = (int)b_op->shape[b_op->ndim - 1], ldb = n > 1 ? n : 1, info;   \
        T *a = gather_a(j, index, n, n), *b = workspace((double)ldb * nrhs, sizeof(T));     \
        int *ipiv = workspace(n, sizeof(int));                                              \
        if (a == NULL || b == NULL || ipiv == NULL) {                                       \
            free(a);                                                                        \
            free(b);                                                                        \
            free(ipiv);                                                                     \
            return NO_MEMORY;                                                               \
        }                                                                                   \
        view bv = view_of(b_op, index, 2);                                                  \
        gather(&bv, (char *)b, ldb, sizeof(T));                                             \
        p##getrf_(&n, &n, a, &n, ipiv, &info);                                              \
        if (info == 0)                                                                      \
            p##getrs_("N", &n, &nrhs, a, &n, ipiv, b, &ldb, &info, 1);                      \
        if (info == 0)                                                                      \
            scatter_out(j, 0, index, 2, b, ldb, sizeof(T));                                 \
        free(ipiv);                                                                         \
        free(b);                                                                            \
        free(a);                                                                            \
        return info;                                                                        \
    }                                                                                       \
    static int cholesky_##p(const job *j, int64_t index)                                    \
    {                                                                                       \
        int n = j->n, info;                                                                 \
        T *a = gather_a(j, index, n, n);                                                    \
        if (a == NULL)                                                                      \
            return NO_MEMORY;                                                               \
        p##potrf_(j->d->upper ? "U" : "L", &n, a, &n, &info, 1);                            \
        zero_triangle((char *)a, n, n, n, sizeof(T), j->d->upper);                         \
        if (info == 0)                                                                      \
            scatter_out(j, 0, index, 2, a, n, sizeof(T));                                   \
        free(a);                                                                            \
        return info;                                                                        \
    }

/* QR: geqrf, then R (and Q by orgqr/ungqr) or the raw reflectors. */
#define QR(T, p, ORGQR)                                                                     \
    static int orgqr_##p(int m, int cols, int k, T *q, const T *tau)                        \
    {                                                                                       \
        int info, query = -1;                                                               \
        T size;                                                                             \
        ORGQR(&m, &cols, &k, q, &m, tau, &size, &query, &info);                             \
        int lwork = (int)creal(size);                                                       \
        T *work = workspace(lwork, sizeof(T));                                              \
        if (work == NULL)                                                                   \
            return NO_MEMORY;                                                               \
        ORGQR(&m, &cols, &k, q, &m, tau, work, &lwork, &info);                              \
        free(work);                                                                         \
        return info;                                                                        \
    }                                                                                       \
    static int qr_##p(const job *j, int64_t index)                                          \
    {                                                                                       \
        const pymic2_linalg_desc *d = j->d;                                                 \
        int m = j->m, n = j->n, k = m < n ? m : n, info, query = -1;                        \
        int cols = d->complete ? m : k; /* Q's columns, R's rows */                         \
        int width = cols > n ? cols : n, lwork;                                             \
        T *a = gather_a(j, index, m, width), *tau = workspace(k, sizeof(T)), size;          \
        if (a == NULL || tau == NULL) {                                                     \
            free(a);                                                                        \
            free(tau);                                                                      \
            return NO_MEMORY;                                                               \
        }                                                                                   \
        p##geqrf_(&m, &n, a, &m, tau, &size, &query, &info);                                \
        lwork = (int)creal(size);                                                           \
        T *work = workspace(lwork, sizeof(T));                                              \
        info = NO_MEMORY;                                                                   \
        if (work != NULL)                                                                   \
            p##geqrf_(&m, &n, a, &m, tau, work, &lwork, &info);                             \
        free(work);                                                                         \
        if (info == 0 && d->raw) {                                                          \
            view h = transposed(view_of(&d->out[0], index, 2));                             \
            scatter(&h, (const char *)a, m, sizeof(T));                                     \
            scatter_out(j, 1, index, 1, tau, k, sizeof(T));                                 \
        } else if (info == 0) {                                                             \
            T *r = workspace((double)cols * n, sizeof(T));                                  \
            info = r == NULL ? NO_MEMORY : 0;                                               \
            for (int c = 0; info == 0 && c < n; c++)                                        \
                for (int i = 0; i < cols; i++)                                              \
                    r[i + (size_t)c * cols] = i <= c && i < m ? a[i + (size_t)c * m] : 0;   \
            if (info == 0)                                                                  \
                scatter_out(j, 1, index, 2, r, cols, sizeof(T));                            \
            free(r);                                                                        \
            if (info == 0 && d->compute_uv)                                                 \
                info = orgqr_##p(m, cols, k, a, tau);                                       \
            if (info == 0 && d->compute_uv)                                                 \
                scatter_out(j, 0, index, 2, a, m, sizeof(T));                               \
        }                                                                                   \
        free(tau);                                                                          \
        free(a);                                                                            \
        return info;                                                                        \
    }

/* SVD (gesdd), Hermitian eigen (syevd/heevd), general eigen (geev). */
#define DECOMPOSITIONS(T, R, C, p)                                                          \
    static int svd_##p(const job *j, int64_t index)                                         \
    {                                                                                       \
        const pymic2_linalg_desc *d = j->d;                                                 \
        int m = j->m, n = j->n, k = m < n ? m : n, info = NO_MEMORY;                        \
        const char jobz = !d->compute_uv ? 'N' : d->complete ? 'A' : 'S';                   \
        int ucols = d->complete ? m : k, vrows = d->complete ? n : k;                       \
        int ldu = m > 1 ? m : 1, ldvt = vrows > 1 ? vrows : 1;                              \
        T *a = gather_a(j, index, m, n);                                                    \
        R *s = workspace(k, sizeof(R));                                                     \
        T *u = d->compute_uv ? workspace((double)ldu * ucols, sizeof(T)) : NULL;            \
        T *vt = d->compute_uv ? workspace((double)ldvt * n, sizeof(T)) : NULL;              \
        if (a != NULL && s != NULL && (!d->compute_uv || (u != NULL && vt != NULL)))        \
            info = gesdd_##p(jobz, m, n, a, s, u, ldu, vt, ldvt);                           \
        if (info == 0) {                                                                    \
            scatter_out(j, 0, index, 1, s, k, sizeof(R));                                   \
            if (d->compute_uv) {                                                            \
                scatter_out(j, 1, index, 2, u, ldu, sizeof(T));                             \
                scatter_out(j, 2, index, 2, vt, ldvt, sizeof(T));                           \
            }                                                                               \
        }                                                                                   \
        free(vt);                                                                           \
        free(u);                                                                            \
        free(s);                                                                            \
        free(a);                                                                            \
        return info;                                                                        \
    }                                                                                       \
    static int eigh_##p(const job *j, int64_t index)                                        \
    {                                                                                       \
        const pymic2_linalg_desc *d = j->d;                                                 \
        int n = j->n, info = NO_MEMORY;                                                     \
        T *a = gather_a(j, index, n, n);                                                    \
        R *w = workspace(n, sizeof(R));                                                     \
        if (a != NULL && w != NULL)                                                         \
            info = evd_##p(d->compute_uv ? 'V' : 'N', d->upper ? 'U' : 'L', n, a, w);       \
        if (info == 0) {                                                                    \
            scatter_out(j, 0, index, 1, w, n, sizeof(R));                                   \
            if (d->compute_uv)                                                              \
                scatter_out(j, 1, index, 2, a, n, sizeof(T));                               \
        }                                                                                   \
        free(w);                                                                            \
        free(a);                                                                            \
        return info;                                                                        \
    }                                                                                       \
    static int eig_##p(const job *j, int64_t index)                                         \
    {                                                                                       \
        const pymic2_linalg_desc *d = j->d;                                                 \
        int n = j->n, info = NO_MEMORY;                                                     \
        T *a = gather_a(j, index, n, n);                                                    \
        C *w = workspace(n, sizeof(C));                                                     \
        C *v = d->compute_uv ? workspace((double)n * n, sizeof(C)) : NULL;                  \
        if (a != NULL && w != NULL && (!d->compute_uv || v != NULL))                        \
            info = geev_##p(n, a, w, v);                                                    \
        if (info == 0) {                                                                    \
            scatter_out(j, 0, index, 1, w, n, sizeof(C));                                   \
            if (d->compute_uv)                                                              \
                scatter_out(j, 1, index, 2, v, n, sizeof(C));                               \
        }                                                                                   \
        free(v);                                                                            \
        free(w);                                                                            \
        free(a);                                                                            \
        return info;                                                                        \
    }

#define TYPE_FUNCTIONS(T, R, C, p, ORGQR) LU(T, p) QR(T, p, ORGQR) DECOMPOSITIONS(T, R, C, p)
TYPE_FUNCTIONS(float, float, float complex, s, sorgqr_)
TYPE_FUNCTIONS(double, double, double complex, d, dorgqr_)
TYPE_FUNCTIONS(float complex, float, float complex, c, cungqr_)
TYPE_FUNCTIONS(double complex, double, double complex, z, zungqr_)
#undef TYPE_FUNCTIONS
#undef DECOMPOSITIONS
#undef QR
#undef LU

/* [op][float32, float64, complex64, complex128], in pymic2_linalg_op's order. */
#define ROW(op) {op##_s, op##_d, op##_c, op##_z}
static const matrix_fn matrix_fns[][4] = {ROW(lu),  ROW(solve), ROW(cholesky), ROW(qr),
                                          ROW(svd), ROW(eigh),  ROW(eig)};
#undef ROW

/* NumPy's message for a matrix whose data failed. */
static const char *const failure_messages[] = {
    "Singular matrix", "Singular matrix", "Matrix is not positive definite",
    "QR factorisation failed", "SVD did not converge", "Eigenvalues did not converge",
    "Eigenvalues did not converge"};

/* ---------------------------------------------------------------- the stack on the team */

/* A piece of the stack is at least this many flops' worth (about 10 us on one core), so
 * small matrices stay on fewer threads. */
#define MIN_PIECE_WORK (64.0 * 64 * 64)

typedef struct piece_context {
    job *j;
    matrix_fn fn;
} piece_context;

static void run_matrices(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    const piece_context *c = context;
    for (int64_t index = begin; index < end; index++) {
        int info = c->fn(c->j, index);
        if (info < 0) {
            atomic_store(&c->j->out_of_memory, true);
        } else if (info > 0) {
            int64_t first = atomic_load(&c->j->failed);
            while (index < first && !atomic_compare_exchange_weak(&c->j->failed, &first, index))
                ;
        }
    }
}

static int dtype_column(pymic2_dtype dtype)
{
    switch (dtype) {
    case PYMIC2_FLOAT32:
        return 0;
    case PYMIC2_FLOAT64:
        return 1;
    case PYMIC2_COMPLEX64:
        return 2;
    default:
        return 3;
    }
}

/* The family's slot: one validated linear-algebra op. */
int pymic2__host_linalg(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    (void)launch;
    const pymic2_linalg_desc *d = &command->u.linalg;
    const char *device = stream->device->name;
    job j = {.d = d, .size = pymic2_dtype_size(d->a.dtype)};
    j.m = (int)d->a.shape[d->a.ndim - 2];
    j.n = (int)d->a.shape[d->a.ndim - 1];
    atomic_init(&j.failed, INT64_MAX);
    atomic_init(&j.out_of_memory, false);
    const int64_t count = pymic2__host_batch_count(&d->a, 2);
    if (count == 0 || j.m == 0 || j.n == 0)
        return PYMIC2_OK; /* empty matrices: the caller shapes NumPy's empty results */
    if (d->a.shape[d->a.ndim - 2] > INT32_MAX || d->a.shape[d->a.ndim - 1] > INT32_MAX)
        return pymic2__error(PYMIC2_ESHAPE, "%s: linalg: a matrix of %" PRId64 " x %" PRId64
                             " is beyond LAPACK's 32-bit sizes", device,
                             d->a.shape[d->a.ndim - 2], d->a.shape[d->a.ndim - 1]);
    if (openblas_get_num_threads() != 1) /* one thread per matrix, as gemm.c says why */
        openblas_set_num_threads(1);
    piece_context context = {&j, matrix_fns[d->op][dtype_column(d->a.dtype)]};
    pymic2__team *team = pymic2__host_of(stream->device)->team;
    const double work = (double)j.m * j.n * (j.m < j.n ? j.m : j.n);
    if (work >= MIN_PIECE_WORK)
        pymic2__team_parallel_for_large(team, count, run_matrices, &context);
    else
        pymic2__team_parallel_for(team, count, (int64_t)(MIN_PIECE_WORK / work) + 1,
                                  run_matrices, &context);
    if (atomic_load(&j.out_of_memory))
        return pymic2__error(PYMIC2_ENOMEM, "%s: linalg: no host memory for LAPACK's scratch "
                             "of a %d x %d matrix", device, j.m, j.n);
    const int64_t failed = atomic_load(&j.failed);
    if (failed != INT64_MAX)
        return pymic2__error(PYMIC2_ELINALG, "%s: %s (matrix %" PRId64 " of the stack)", device,
                             failure_messages[d->op], failed);
    return PYMIC2_OK;
}
