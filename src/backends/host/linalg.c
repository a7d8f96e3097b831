/*
 * linalg.c - the LINALG family on a host device: LAPACK from OpenBLAS (its Fortran symbols,
 * through the prototypes below: Debian's OpenBLAS has 32-bit integers and no LAPACKE).
 *
 * One driver runs every op: each thread of the team allocates one scratch per launch (its
 * parts sized once, LAPACK's workspace queries included) and reuses it for every matrix it
 * handles; the driver gathers a's matrix into the scratch's first part (column-major, any
 * strides in), and the op supplies only its LAPACK calls and where the results go. A matrix
 * whose data makes the op fail (singular, not positive definite, no convergence) fails the
 * command with ELINALG naming the first such matrix; the others are still computed.
 *
 * Threads: a stack of at least as many matrices as the team has threads is split over the
 * team, one single-threaded LAPACK call per matrix (as GEMM: OpenBLAS's own threads would
 * compete with the team). A shorter stack of large matrices (one 2048 x 2048 solve) runs on
 * the stream's worker with OpenBLAS's own threads, as many as the team has, and OpenBLAS's
 * count is restored afterwards. That library (Debian's pthread build) is not NumPy's: NumPy
 * wheels bundle their own OpenBLAS (scipy_openblas64_, its own symbols and thread count),
 * which this does not touch (test_linalg_lapack.py checks it). OpenBLAS's threads were chosen
 * over a blocked LU/Cholesky on the team's GEMM because they cover every op (SVD and the
 * eigensolvers too), and OpenBLAS's threaded getrf/potrf run at most of its threaded DGEMM's
 * rate: a blocked algorithm on the same DGEMM could not be much faster (measure with
 * `python -m pymic2.bench linalg`). The cost: after a threaded call OpenBLAS's helper threads
 * spin (yielding) for up to about 0.1 s before they sleep, so this path is kept for matrices
 * of at least THREADED_MIN_WORK flops' worth.
 */
#include "host_internal.h"

#include <cblas.h>

#include <complex.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
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
static void gather(const view *v, void *dst, int64_t ld, size_t size)
{
    pymic2__host_copy_matrix(dst, (int64_t)size, ld * (int64_t)size, v->at, v->row_stride,
                             v->col_stride, v->rows, v->cols, size);
}

static void scatter(const view *v, const void *src, int64_t ld, size_t size)
{
    pymic2__host_copy_matrix(v->at, v->row_stride, v->col_stride, src, (int64_t)size,
                             ld * (int64_t)size, v->rows, v->cols, size);
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

/* ---------------------------------------------------------------- the command and its scratch */

/* The scratch's parts: a's matrix first, then the op's. */
#define MAX_PARTS 8
#define PART_ALIGN 64

/* The command, its per-matrix scratch, and how its matrices went. */
typedef struct job {
    const pymic2_linalg_desc *d;
    size_t size;                 /* a's itemsize */
    int m, n;                    /* a's matrix */
    int a_ld, a_cols;            /* a's column-major copy in part 0 (at least m x n) */
    int lwork, lrwork, liwork;   /* LAPACK's workspaces, from one query per launch */
    int nparts;
    size_t part_bytes[MAX_PARTS];
    _Atomic int64_t failed;      /* first matrix whose data failed (INT64_MAX: none) */
    atomic_bool out_of_memory;
} job;

/* Appends a scratch part of count elements of `size` bytes (at least one). */
static void add_part(job *j, double count, size_t size)
{
    const size_t bytes = ((size_t)(count > 0 ? count : 1) * size + PART_ALIGN - 1) &
                         ~(size_t)(PART_ALIGN - 1);
    j->part_bytes[j->nparts++] = bytes;
}

/* The op of a dtype: plan appends its parts after a's (and sets a_ld, a_cols if a needs
 * more room than m x n) once per launch; run computes matrix `index`, a's matrix gathered
 * into part[0]. run returns 0 or > 0, a failure in the data (LAPACK's info). */
typedef struct op_fns {
    void (*plan)(job *j);
    int (*run)(const job *j, int64_t index, char *const *part);
} op_fns;

static void scatter_out(const job *j, int output, int64_t index, int trailing, const void *src,
                        int64_t ld, size_t size)
{
    view v = view_of(&j->d->out[output], index, trailing);
    scatter(&v, src, ld, size);
}

/* LAPACK's workspace size, returned in an element of type T, as an int. */
#define LWORK(x) ((int)creal(x))

/*
 * Per type T (real type R, complex type C, LAPACK prefix p): the uniform wrappers of the
 * routines whose signatures differ between real and complex types (lwork -1: a query, the
 * sizes in work[0], rwork[0], iwork[0]), then one plan and one run per op.
 */
#define REAL_WRAPPERS(T, C, p, EVD)                                                         \
    static int gesdd_##p(const job *j, char jobz, T *a, T *s, T *u, int ldu, T *vt,         \
                         int ldvt, T *work, int lwork, int *iwork, T *rwork)                \
    {                                                                                       \
        (void)rwork;                                                                        \
        int info, m = j->m, n = j->n;                                                       \
        p##gesdd_(&jobz, &m, &n, a, &m, s, u, &ldu, vt, &ldvt, work, &lwork, iwork, &info,  \
                  1);                                                                       \
        return info;                                                                        \
    }                                                                                       \
    static double gesdd_rwork_##p(char jobz, int m, int n)                                  \
    {                                                                                       \
        (void)jobz, (void)m, (void)n;                                                       \
        return 0;                                                                           \
    }                                                                                       \
    static int evd_##p(const job *j, T *a, T *w, T *work, int lwork, T *rwork, int lrwork,  \
                       int *iwork, int liwork)                                              \
    {                                                                                       \
        (void)lrwork;                                                                       \
        int info, n = j->n;                                                                 \
        const char jobz = j->d->compute_uv ? 'V' : 'N', uplo = j->d->upper ? 'U' : 'L';     \
        EVD(&jobz, &uplo, &n, a, &n, w, work, &lwork, iwork, &liwork, &info, 1, 1);         \
        if (lwork < 0)                                                                      \
            rwork[0] = 0;                                                                   \
        return info;                                                                        \
    }                                                                                       \
    /* extra: the real and imaginary parts of the eigenvalues (2n), then LAPACK's packed    \
     * real eigenvectors (n x n, if v) */                                                   \
    static double geev_extra_##p(int n, bool vectors)                                       \
    {                                                                                       \
        return (2.0 * n + (vectors ? (double)n * n : 0)) * sizeof(T);                       \
    }                                                                                       \
    static int geev_##p(int n, T *a, C *w, C *v, T *work, int lwork, char *extra)           \
    {                                                                                       \
        int info, one = 1, ldvr = v != NULL ? n : 1;                                        \
        const char jobvl = 'N', jobvr = v != NULL ? 'V' : 'N';                              \
        T *wr = (T *)extra, *wi = wr + n, *vr = v != NULL ? wi + n : NULL;                  \
        p##geev_(&jobvl, &jobvr, &n, a, &n, wr, wi, NULL, &one, vr, &ldvr, work, &lwork,    \
                 &info, 1, 1);                                                              \
        for (int i = 0; lwork >= 0 && info == 0 && i < n; i++)                              \
            w[i] = wr[i] + wi[i] * I;                                                       \
        /* a conjugate pair's vectors are columns j (real part) and j+1 (imaginary part) */ \
        for (int c = 0; lwork >= 0 && info == 0 && v != NULL && c < n; c++)                 \
            for (int i = 0; i < n; i++) {                                                   \
                const T *col = vr + (size_t)c * n;                                          \
                if (wi[c] == 0)                                                             \
                    v[i + (size_t)c * n] = col[i];                                          \
                else if (wi[c] > 0)                                                         \
                    v[i + (size_t)c * n] = col[i] + col[i + n] * I;                         \
                else                                                                        \
                    v[i + (size_t)c * n] = col[i - n] - col[i] * I;                         \
            }                                                                               \
        return info;                                                                        \
    }

#define COMPLEX_WRAPPERS(T, R, p, EVD)                                                      \
    static int gesdd_##p(const job *j, char jobz, T *a, R *s, T *u, int ldu, T *vt,         \
                         int ldvt, T *work, int lwork, int *iwork, R *rwork)                \
    {                                                                                       \
        int info, m = j->m, n = j->n;                                                       \
        p##gesdd_(&jobz, &m, &n, a, &m, s, u, &ldu, vt, &ldvt, work, &lwork, rwork, iwork,  \
                  &info, 1);                                                                \
        return info;                                                                        \
    }                                                                                       \
    /* rwork's size, which gesdd does not return from a query */                            \
    static double gesdd_rwork_##p(char jobz, int m, int n)                                  \
    {                                                                                       \
        const int k = m < n ? m : n, big = m > n ? m : n;                                   \
        return jobz == 'N' ? 7.0 * k                                                        \
               : (double)k * (5.0 * k + 7 > 2.0 * big + 2.0 * k + 1 ? 5.0 * k + 7           \
                                                                    : 2.0 * big + 2.0 * k + 1); \
    }                                                                                       \
    static int evd_##p(const job *j, T *a, R *w, T *work, int lwork, R *rwork, int lrwork,  \
                       int *iwork, int liwork)                                              \
    {                                                                                       \
        int info, n = j->n;                                                                 \
        const char jobz = j->d->compute_uv ? 'V' : 'N', uplo = j->d->upper ? 'U' : 'L';     \
        EVD(&jobz, &uplo, &n, a, &n, w, work, &lwork, rwork, &lrwork, iwork, &liwork,       \
            &info, 1, 1);                                                                   \
        return info;                                                                        \
    }                                                                                       \
    /* extra: geev's rwork */                                                               \
    static double geev_extra_##p(int n, bool vectors)                                       \
    {                                                                                       \
        (void)vectors;                                                                      \
        return 2.0 * n * sizeof(R);                                                         \
    }                                                                                       \
    static int geev_##p(int n, T *a, T *w, T *v, T *work, int lwork, char *extra)           \
    {                                                                                       \
        int info, one = 1, ldvr = v != NULL ? n : 1;                                        \
        const char jobvl = 'N', jobvr = v != NULL ? 'V' : 'N';                              \
        p##geev_(&jobvl, &jobvr, &n, a, &n, w, NULL, &one, v, &ldvr, work, &lwork,          \
                 (R *)extra, &info, 1, 1);                                                  \
        return info;                                                                        \
    }

REAL_WRAPPERS(float, float complex, s, ssyevd_)
REAL_WRAPPERS(double, double complex, d, dsyevd_)
COMPLEX_WRAPPERS(float complex, float, c, cheevd_)
COMPLEX_WRAPPERS(double complex, double, z, zheevd_)
#undef REAL_WRAPPERS
#undef COMPLEX_WRAPPERS

/* |re| + |im|: the size LAPACK's pivot search (i?amax) compares. */
static inline float abs1_s(float x)
{
    return fabsf(x);
}
static inline double abs1_d(double x)
{
    return fabs(x);
}
static inline float abs1_c(float complex x)
{
    return fabsf(crealf(x)) + fabsf(cimagf(x));
}
static inline double abs1_z(double complex x)
{
    return fabs(creal(x)) + fabs(cimag(x));
}

/* Solve's matrices up to this size take small_solve instead of getrf and getrs: OpenBLAS's
 * calls per column (i?amax, scal, gemv, trsv) cost more than their arithmetic there. 4096
 * stacked 16 x 16 float64 solves (one thread, gathers included, a loaded machine) took
 * 2.8-4.2 us per matrix through getrf/getrs and 1.7-1.9 us here. */
#define SMALL_SOLVE_N 32

/*
 * Per type T (real type R, prefix p): LU with partial pivoting of the column-major n x n a
 * (ld n), unblocked and in LAPACK's order of operations (the first largest |re| + |im| is
 * the pivot), then the two triangular solves of b's nrhs columns (ld ldb). Returns 0 or the
 * 1-based column of the first exactly zero pivot (getrf's info).
 */
#define SMALL_SOLVE(T, R, p)                                                                \
    static int small_solve_##p(int n, int nrhs, T *a, T *b, int ldb)                        \
    {                                                                                       \
        for (int k = 0; k < n; k++) {                                                       \
            T *col = a + (size_t)k * n;                                                     \
            int pivot = k;                                                                  \
            R largest = abs1_##p(col[k]);                                                   \
            for (int i = k + 1; i < n; i++)                                                 \
                if (abs1_##p(col[i]) > largest) {                                           \
                    largest = abs1_##p(col[i]);                                             \
                    pivot = i;                                                              \
                }                                                                           \
            if (col[pivot] == 0)                                                            \
                return k + 1;                                                               \
            for (int j = 0; pivot != k && j < n; j++) {                                     \
                T t = a[k + (size_t)j * n];                                                 \
                a[k + (size_t)j * n] = a[pivot + (size_t)j * n];                            \
                a[pivot + (size_t)j * n] = t;                                               \
            }                                                                               \
            for (int c = 0; pivot != k && c < nrhs; c++) {                                  \
                T t = b[k + (size_t)c * ldb];                                               \
                b[k + (size_t)c * ldb] = b[pivot + (size_t)c * ldb];                        \
                b[pivot + (size_t)c * ldb] = t;                                             \
            }                                                                               \
            const T inverse = 1 / col[k];                                                   \
            for (int i = k + 1; i < n; i++)                                                 \
                col[i] *= inverse;                                                          \
            for (int j = k + 1; j < n; j++) {                                               \
                T *target = a + (size_t)j * n, factor = target[k];                          \
                for (int i = k + 1; i < n; i++)                                             \
                    target[i] -= col[i] * factor;                                           \
            }                                                                               \
        }                                                                                   \
        for (int c = 0; c < nrhs; c++) {                                                    \
            T *x = b + (size_t)c * ldb;                                                     \
            for (int k = 0; k < n; k++) /* L, unit diagonal */                              \
                for (int i = k + 1; i < n; i++)                                             \
                    x[i] -= a[i + (size_t)k * n] * x[k];                                    \
            for (int k = n - 1; k >= 0; k--) { /* U */                                      \
                x[k] /= a[k + (size_t)k * n];                                               \
                for (int i = 0; i < k; i++)                                                 \
                    x[i] -= a[i + (size_t)k * n] * x[k];                                    \
            }                                                                               \
        }                                                                                   \
        return 0;                                                                           \
    }
SMALL_SOLVE(float, float, s)
SMALL_SOLVE(double, double, d)
SMALL_SOLVE(float complex, float, c)
SMALL_SOLVE(double complex, double, z)
#undef SMALL_SOLVE

/* LU (getrf: the factors and the 0-based pivots), solve (getrf, getrs), Cholesky (potrf). */
#define LU(T, p)                                                                            \
    static void plan_lu_##p(job *j)                                                         \
    {                                                                                       \
        add_part(j, j->n, sizeof(int));                                                     \
    }                                                                                       \
    static int run_lu_##p(const job *j, int64_t index, char *const *part)                   \
    {                                                                                       \
        int n = j->n, info, *ipiv = (int *)part[1];                                         \
        p##getrf_(&n, &n, (T *)part[0], &n, ipiv, &info);                                   \
        scatter_out(j, 0, index, 2, part[0], n, sizeof(T));                                 \
        view pivots = view_of(&j->d->out[1], index, 1);                                     \
        for (int i = 0; i < n; i++) {                                                       \
            int64_t pivot = ipiv[i] - 1;                                                    \
            memcpy(pivots.at + i * pivots.row_stride, &pivot, sizeof pivot);                \
        }                                                                                   \
        return j->d->check ? info : 0;                                                      \
    }                                                                                       \
    static void plan_solve_##p(job *j)                                                      \
    {                                                                                       \
        const pymic2_operand *b = &j->d->b;                                                 \
        add_part(j, (double)j->n * b->shape[b->ndim - 1], sizeof(T));                       \
        add_part(j, j->n, sizeof(int));                                                     \
    }                                                                                       \
    static int run_solve_##p(const job *j, int64_t index, char *const *part)                \
    {                                                                                       \
        const pymic2_operand *b_op = &j->d->b;                                              \
        int n = j->n, nrhs = (int)b_op->shape[b_op->ndim - 1], ldb = n > 1 ? n : 1, info;   \
        T *a = (T *)part[0], *b = (T *)part[1];                                             \
        int *ipiv = (int *)part[2];                                                         \
        view bv = view_of(b_op, index, 2);                                                  \
        gather(&bv, b, ldb, sizeof(T));                                                     \
        if (n <= SMALL_SOLVE_N)                                                             \
            info = small_solve_##p(n, nrhs, a, b, ldb);                                     \
        else                                                                                \
            p##getrf_(&n, &n, a, &n, ipiv, &info);                                          \
        if (info == 0 && n > SMALL_SOLVE_N)                                                 \
            p##getrs_("N", &n, &nrhs, a, &n, ipiv, b, &ldb, &info, 1);                      \
        if (info == 0)                                                                      \
            scatter_out(j, 0, index, 2, b, ldb, sizeof(T));                                 \
        return info;                                                                        \
    }                                                                                       \
    static void plan_cholesky_##p(job *j)                                                   \
    {                                                                                       \
        (void)j;                                                                            \
    }                                                                                       \
    static int run_cholesky_##p(const job *j, int64_t index, char *const *part)             \
    {                                                                                       \
        int n = j->n, info;                                                                 \
        p##potrf_(j->d->upper ? "U" : "L", &n, (T *)part[0], &n, &info, 1);                 \
        zero_triangle(part[0], n, n, n, sizeof(T), j->d->upper);                            \
        if (info == 0)                                                                      \
            scatter_out(j, 0, index, 2, part[0], n, sizeof(T));                             \
        return info;                                                                        \
    }

/* QR: geqrf, then R (and Q by orgqr/ungqr) or the raw reflectors. Parts: tau, work, R. */
#define QR(T, p, ORGQR)                                                                     \
    static void plan_qr_##p(job *j)                                                         \
    {                                                                                       \
        const pymic2_linalg_desc *d = j->d;                                                 \
        int m = j->m, n = j->n, k = m < n ? m : n, info, query = -1;                        \
        int cols = d->complete ? m : k; /* Q's columns, R's rows */                         \
        T size = 0, dummy = 0;                                                              \
        j->a_cols = cols > n ? cols : n;                                                    \
        p##geqrf_(&m, &n, &dummy, &m, &dummy, &size, &query, &info);                        \
        j->lwork = LWORK(size);                                                             \
        if (d->compute_uv && !d->raw) {                                                     \
            ORGQR(&m, &cols, &k, &dummy, &m, &dummy, &size, &query, &info);                 \
            j->lwork = LWORK(size) > j->lwork ? LWORK(size) : j->lwork;                     \
        }                                                                                   \
        add_part(j, k, sizeof(T));                                                          \
        add_part(j, j->lwork, sizeof(T));                                                   \
        add_part(j, d->raw ? 0 : (double)cols * n, sizeof(T));                              \
    }                                                                                       \
    static int run_qr_##p(const job *j, int64_t index, char *const *part)                   \
    {                                                                                       \
        const pymic2_linalg_desc *d = j->d;                                                 \
        int m = j->m, n = j->n, k = m < n ? m : n, info, lwork = j->lwork;                  \
        int cols = d->complete ? m : k;                                                     \
        T *a = (T *)part[0], *tau = (T *)part[1], *work = (T *)part[2], *r = (T *)part[3];  \
        p##geqrf_(&m, &n, a, &m, tau, work, &lwork, &info);                                 \
        if (info == 0 && d->raw) {                                                          \
            view h = transposed(view_of(&d->out[0], index, 2));                             \
            scatter(&h, a, m, sizeof(T));                                                   \
            scatter_out(j, 1, index, 1, tau, k, sizeof(T));                                 \
        } else if (info == 0) {                                                             \
            for (int c = 0; c < n; c++)                                                     \
                for (int i = 0; i < cols; i++)                                              \
                    r[i + (size_t)c * cols] = i <= c && i < m ? a[i + (size_t)c * m] : 0;   \
            scatter_out(j, 1, index, 2, r, cols, sizeof(T));                                \
            if (d->compute_uv)                                                              \
                ORGQR(&m, &cols, &k, a, &m, tau, work, &lwork, &info);                      \
            if (info == 0 && d->compute_uv)                                                 \
                scatter_out(j, 0, index, 2, a, m, sizeof(T));                               \
        }                                                                                   \
        return info;                                                                        \
    }

/* SVD (gesdd: s, u, vt, work, iwork, rwork), Hermitian eigen (syevd/heevd: w, work, iwork,
 * rwork), general eigen (geev: w, v, work, extra). */
#define DECOMPOSITIONS(T, R, C, p)                                                          \
    static char svd_jobz_##p(const job *j)                                                  \
    {                                                                                       \
        return !j->d->compute_uv ? 'N' : j->d->complete ? 'A' : 'S';                        \
    }                                                                                       \
    static void svd_sizes_##p(const job *j, int *ucols, int *ldu, int *vrows, int *ldvt)    \
    {                                                                                       \
        const int k = j->m < j->n ? j->m : j->n;                                            \
        *ucols = j->d->complete ? j->m : k;                                                 \
        *vrows = j->d->complete ? j->n : k;                                                 \
        *ldu = j->m > 1 ? j->m : 1;                                                         \
        *ldvt = *vrows > 1 ? *vrows : 1;                                                    \
    }                                                                                       \
    static void plan_svd_##p(job *j)                                                        \
    {                                                                                       \
        int k = j->m < j->n ? j->m : j->n, ucols, ldu, vrows, ldvt, iquery;                 \
        const char jobz = svd_jobz_##p(j);                                                  \
        const bool uv = j->d->compute_uv;                                                   \
        T size = 0, dummy[1] = {0};                                                         \
        R rdummy[1] = {0};                                                                  \
        svd_sizes_##p(j, &ucols, &ldu, &vrows, &ldvt);                                      \
        gesdd_##p(j, jobz, dummy, rdummy, dummy, ldu, dummy, ldvt, &size, -1, &iquery,      \
                  rdummy);                                                                  \
        j->lwork = LWORK(size);                                                             \
        add_part(j, k, sizeof(R));                                                          \
        add_part(j, uv ? (double)ldu * ucols : 0, sizeof(T));                               \
        add_part(j, uv ? (double)ldvt * j->n : 0, sizeof(T));                               \
        add_part(j, j->lwork, sizeof(T));                                                   \
        add_part(j, 8.0 * k, sizeof(int));                                                  \
        add_part(j, gesdd_rwork_##p(jobz, j->m, j->n), sizeof(R));                          \
    }                                                                                       \
    static int run_svd_##p(const job *j, int64_t index, char *const *part)                  \
    {                                                                                       \
        int k = j->m < j->n ? j->m : j->n, ucols, ldu, vrows, ldvt;                         \
        svd_sizes_##p(j, &ucols, &ldu, &vrows, &ldvt);                                      \
        int info = gesdd_##p(j, svd_jobz_##p(j), (T *)part[0], (R *)part[1], (T *)part[2],  \
                             ldu, (T *)part[3], ldvt, (T *)part[4], j->lwork,               \
                             (int *)part[5], (R *)part[6]);                                 \
        if (info == 0) {                                                                    \
            scatter_out(j, 0, index, 1, part[1], k, sizeof(R));                             \
            if (j->d->compute_uv) {                                                         \
                scatter_out(j, 1, index, 2, part[2], ldu, sizeof(T));                       \
                scatter_out(j, 2, index, 2, part[3], ldvt, sizeof(T));                      \
            }                                                                               \
        }                                                                                   \
        return info;                                                                        \
    }                                                                                       \
    static void plan_eigh_##p(job *j)                                                       \
    {                                                                                       \
        T size = 0, dummy[1] = {0};                                                         \
        R rsize = 0, rdummy[1] = {0};                                                       \
        int isize = 0;                                                                      \
        evd_##p(j, dummy, rdummy, &size, -1, &rsize, -1, &isize, -1);                       \
        j->lwork = LWORK(size);                                                             \
        j->lrwork = (int)rsize;                                                             \
        j->liwork = isize;                                                                  \
        add_part(j, j->n, sizeof(R));                                                       \
        add_part(j, j->lwork, sizeof(T));                                                   \
        add_part(j, j->liwork, sizeof(int));                                                \
        add_part(j, j->lrwork, sizeof(R));                                                  \
    }                                                                                       \
    static int run_eigh_##p(const job *j, int64_t index, char *const *part)                 \
    {                                                                                       \
        int info = evd_##p(j, (T *)part[0], (R *)part[1], (T *)part[2], j->lwork,           \
                           (R *)part[4], j->lrwork, (int *)part[3], j->liwork);             \
        if (info == 0) {                                                                    \
            scatter_out(j, 0, index, 1, part[1], j->n, sizeof(R));                          \
            if (j->d->compute_uv)                                                           \
                scatter_out(j, 1, index, 2, part[0], j->n, sizeof(T));                      \
        }                                                                                   \
        return info;                                                                        \
    }                                                                                       \
    static void plan_eig_##p(job *j)                                                        \
    {                                                                                       \
        const bool uv = j->d->compute_uv;                                                   \
        T size = 0, dummy[1] = {0};                                                         \
        add_part(j, j->n, sizeof(C));                                                       \
        add_part(j, uv ? (double)j->n * j->n : 0, sizeof(C));                               \
        add_part(j, geev_extra_##p(j->n, uv), 1);                                           \
        /* geev's real wrappers place arrays in extra even for the query */                 \
        char *extra = malloc(j->part_bytes[j->nparts - 1]);                                 \
        C wdummy[1] = {0};                                                                  \
        if (extra == NULL) {                                                                \
            atomic_store(&j->out_of_memory, true);                                          \
            return;                                                                         \
        }                                                                                   \
        geev_##p(j->n, dummy, wdummy, uv ? wdummy : NULL, &size, -1, extra);                \
        free(extra);                                                                        \
        j->lwork = LWORK(size);                                                             \
        add_part(j, j->lwork, sizeof(T));                                                   \
    }                                                                                       \
    static int run_eig_##p(const job *j, int64_t index, char *const *part)                  \
    {                                                                                       \
        C *v = j->d->compute_uv ? (C *)part[2] : NULL;                                      \
        int info = geev_##p(j->n, (T *)part[0], (C *)part[1], v, (T *)part[4], j->lwork,   \
                            part[3]);                                                       \
        if (info == 0) {                                                                    \
            scatter_out(j, 0, index, 1, part[1], j->n, sizeof(C));                          \
            if (v != NULL)                                                                  \
                scatter_out(j, 1, index, 2, v, j->n, sizeof(C));                            \
        }                                                                                   \
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
#define FNS(op, p) {plan_##op##_##p, run_##op##_##p}
#define ROW(op) {FNS(op, s), FNS(op, d), FNS(op, c), FNS(op, z)}
static const op_fns op_table[][4] = {ROW(lu),  ROW(solve), ROW(cholesky), ROW(qr),
                                     ROW(svd), ROW(eigh),  ROW(eig)};
#undef ROW
#undef FNS

/* NumPy's message for a matrix whose data failed. */
static const char *const failure_messages[] = {
    "Singular matrix", "Singular matrix", "Matrix is not positive definite",
    "QR factorisation failed", "SVD did not converge", "Eigenvalues did not converge",
    "Eigenvalues did not converge"};

/* ---------------------------------------------------------------- the driver */

/* A piece of the stack is at least this many flops' worth (about 10 us on one core), so
 * small matrices stay on fewer threads. */
#define MIN_PIECE_WORK (64.0 * 64 * 64)

/* A matrix of at least this many flops' worth (about 10 ms on one core, beside the up to
 * 0.1 s OpenBLAS's helpers then spin) runs on OpenBLAS's threads when the stack is shorter
 * than the team. */
#define THREADED_MIN_WORK (512.0 * 512 * 512)

typedef struct piece_context {
    job *j;
    op_fns fns;
} piece_context;

/* Matrices [begin, end) with one scratch for them all. */
static void run_matrices(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    const piece_context *c = context;
    job *j = c->j;
    size_t total = 0;
    for (int i = 0; i < j->nparts; i++)
        total += j->part_bytes[i];
    char *scratch = aligned_alloc(PART_ALIGN, total);
    if (scratch == NULL) {
        atomic_store(&j->out_of_memory, true);
        return;
    }
    char *part[MAX_PARTS];
    for (size_t i = 0, offset = 0; i < (size_t)j->nparts; offset += j->part_bytes[i], i++)
        part[i] = scratch + offset;
    const bool padded = j->a_ld != j->m || j->a_cols != j->n;
    for (int64_t index = begin; index < end; index++) {
        if (padded)
            memset(part[0], 0, j->part_bytes[0]);
        view a = view_of(&j->d->a, index, 2);
        gather(&a, part[0], j->a_ld, j->size);
        if (c->fns.run(j, index, part) != 0) {
            int64_t first = atomic_load(&j->failed);
            while (index < first && !atomic_compare_exchange_weak(&j->failed, &first, index))
                ;
        }
    }
    free(scratch);
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

/* One threaded LAPACK section at a time in the process: OpenBLAS's thread count is global. */
static pthread_mutex_t threaded_lock = PTHREAD_MUTEX_INITIALIZER;

/* Runs the stack over the team, or (short stacks of large matrices) on OpenBLAS's threads,
 * the stream marked saturated as during the team's regions (its waiters sleep). */
static void run_stack(pymic2_stream *stream, int64_t count, double work,
                      piece_context *context)
{
    pymic2__team *team = pymic2__host_of(stream->device)->team;
    const int threads = pymic2__team_size(team);
    if (count < threads && work >= THREADED_MIN_WORK) {
        pthread_mutex_lock(&threaded_lock);
        const int previous = openblas_get_num_threads();
        openblas_set_num_threads(threads);
        atomic_store(&stream->saturated, true);
        run_matrices(context, 0, count, 0);
        atomic_store(&stream->saturated, false);
        openblas_set_num_threads(previous);
        pthread_mutex_unlock(&threaded_lock);
        return;
    }
    if (openblas_get_num_threads() != 1) /* one thread per matrix, as gemm.c says why */
        openblas_set_num_threads(1);
    if (work >= MIN_PIECE_WORK)
        pymic2__team_parallel_for_large(team, count, run_matrices, context);
    else
        pymic2__team_parallel_for(team, count, (int64_t)(MIN_PIECE_WORK / work) + 1,
                                  run_matrices, context);
}

/* The family's slot: one validated linear-algebra op. */
int pymic2__host_linalg(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    (void)launch;
    const pymic2_linalg_desc *d = &command->u.linalg;
    const char *device = stream->device->name;
    job j = {.d = d, .size = pymic2_dtype_size(d->a.dtype)};
    atomic_init(&j.failed, INT64_MAX);
    atomic_init(&j.out_of_memory, false);
    const int64_t count = pymic2__host_batch_count(&d->a, 2);
    const int64_t rows = d->a.shape[d->a.ndim - 2], cols = d->a.shape[d->a.ndim - 1];
    if (count == 0 || rows == 0 || cols == 0)
        return PYMIC2_OK; /* empty matrices: the caller shapes NumPy's empty results */
    if (rows > INT32_MAX || cols > INT32_MAX)
        return pymic2__error(PYMIC2_ESHAPE, "%s: linalg: a matrix of %" PRId64 " x %" PRId64
                             " is beyond LAPACK's 32-bit sizes", device, rows, cols);
    j.m = j.a_ld = (int)rows;
    j.n = j.a_cols = (int)cols;
    j.nparts = 1;
    piece_context context = {&j, op_table[d->op][dtype_column(d->a.dtype)]};
    context.fns.plan(&j);
    j.part_bytes[0] = ((size_t)j.a_ld * (size_t)j.a_cols * j.size + PART_ALIGN - 1) &
                      ~(size_t)(PART_ALIGN - 1);
    if (!atomic_load(&j.out_of_memory))
        run_stack(stream, count, (double)j.m * j.n * (j.m < j.n ? j.m : j.n), &context);
    if (atomic_load(&j.out_of_memory))
        return pymic2__error(PYMIC2_ENOMEM, "%s: linalg: no host memory for LAPACK's scratch "
                             "of a %d x %d matrix", device, j.m, j.n);
    const int64_t failed = atomic_load(&j.failed);
    if (failed != INT64_MAX)
        return pymic2__error(PYMIC2_ELINALG, "%s: %s (matrix %" PRId64 " of the stack)", device,
                             failure_messages[d->op], failed);
    return PYMIC2_OK;
}
