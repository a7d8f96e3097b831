/*
 * reduce_loops.c - the host's reduction kernels (see pymic2__reduce_kernels in loops.h),
 * generated from PYMIC2_REDUCTION_TABLE and the binary op rows of src/ops/op_table.h: a sum
 * combines with ADD's row, max with MAXIMUM's, all with LOGICAL_AND's. Compiled once per
 * SIMD target, like loops.c.
 *
 * Folds keep 32 independent partial results ("lanes") so that gcc vectorises them and the
 * additions do not wait on each other. Blocks of 512 elements (16 per lane) then merge
 * pairwise lane by lane, so float sums carry an error like NumPy's pairwise summation
 * rather than a sequential one, and the lanes are folded across only once, at the end.
 */
#include "loops.h"
#include "prefetch.h"

#include "../../ops/op_table.h"

#include <string.h>

#pragma GCC diagnostic ignored "-Wtype-limits"
#pragma GCC optimize("tree-vectorize")

#ifndef PYMIC2__SIMD_TARGET
#error "compile reduce_loops.c through meson, which defines PYMIC2__SIMD_TARGET"
#endif

#define PYMIC2__RLANES 32
/* Elements per block: each lane adds 16 of them before blocks merge pairwise. */
#define PYMIC2__RBLOCK 512
/* Pairwise levels: n < 2^63 elements make fewer than 2^54 blocks. */
#define PYMIC2__RLEVELS 54
/* Input rows folded per pass over a row of accumulators (fold_rows, arg_fold_rows): eight
 * input streams at once, and an eighth of the accumulator loads and stores. Measured for
 * sum(axis=0) of 2048 x 2048 float64 on one thread: 8 rows 1.3-1.6x faster than 4 (AVX2,
 * AVX-512), 16 rows 2x slower than 8. */
#define PYMIC2__RROWS 8

/* An element from memory, at any alignment. A complex one part by part: gcc turns a memcpy
 * of a whole float _Complex into a 64-bit integer load split in scalar registers, which kept
 * the complex64 sum from vectorising (it ran at half NumPy's speed). */
static inline void pymic2__rload_bytes(void *x, const char *p, size_t size)
{
    memcpy(x, p, size);
}
#define PYMIC2__RLOAD_COMPLEX(suffix, real)                                        \
    static inline void pymic2__rload_##suffix(real _Complex *x, const char *p, size_t size) \
    {                                                                              \
        real re, im;                                                               \
        (void)size;                                                                \
        memcpy(&re, p, sizeof re);                                                 \
        memcpy(&im, p + sizeof re, sizeof im);                                     \
        *x = __builtin_complex(re, im);                                            \
    }
PYMIC2__RLOAD_COMPLEX(cf, float)
PYMIC2__RLOAD_COMPLEX(cd, double)
#undef PYMIC2__RLOAD_COMPLEX
#define PYMIC2__RLOAD(type, name, pointer)                                             \
    type name;                                                                         \
    _Generic(&name, float _Complex *: pymic2__rload_cf, double _Complex *: pymic2__rload_cd, \
             default: pymic2__rload_bytes)(&name, (pointer), sizeof name)

/* How each reduction folds (its row in pymic2_ops.h gives the op and the output dtype). */
#define PYMIC2__RKIND_SUM FOLD
#define PYMIC2__RKIND_PROD FOLD
#define PYMIC2__RKIND_MAX FOLD
#define PYMIC2__RKIND_MIN FOLD
#define PYMIC2__RKIND_ALL TRUTH
#define PYMIC2__RKIND_ANY TRUTH
#define PYMIC2__RKIND_COUNT_NONZERO COUNT
#define PYMIC2__RKIND_ARGMAX ARG
#define PYMIC2__RKIND_ARGMIN ARG
#define PYMIC2__RKIND_CUMSUM FOLD
#define PYMIC2__RKIND_CUMPROD FOLD

/* Identities: a statement on `acc` (of type T), or NONE. */
#define PYMIC2__RIDENTITY_SUM(acc) *(acc) = (T)0
#define PYMIC2__RIDENTITY_PROD(acc) *(acc) = (T)1
#define PYMIC2__RIDENTITY_ALL(acc) *(acc) = 1
#define PYMIC2__RIDENTITY_ANY(acc) *(acc) = 0
#define PYMIC2__RIDENTITY_COUNT_NONZERO(acc) *(acc) = 0
#define PYMIC2__RIDENTITY_CUMSUM PYMIC2__RIDENTITY_SUM
#define PYMIC2__RIDENTITY_CUMPROD PYMIC2__RIDENTITY_PROD
#define PYMIC2__RHAS_IDENTITY_SUM 1
#define PYMIC2__RHAS_IDENTITY_PROD 1
#define PYMIC2__RHAS_IDENTITY_MAX 0
#define PYMIC2__RHAS_IDENTITY_MIN 0
#define PYMIC2__RHAS_IDENTITY_ALL 1
#define PYMIC2__RHAS_IDENTITY_ANY 1
#define PYMIC2__RHAS_IDENTITY_COUNT_NONZERO 1
#define PYMIC2__RHAS_IDENTITY_ARGMAX 0
#define PYMIC2__RHAS_IDENTITY_ARGMIN 0
#define PYMIC2__RHAS_IDENTITY_CUMSUM 1
#define PYMIC2__RHAS_IDENTITY_CUMPROD 1

/* argmax/argmin: is x better than best? NaN beats everything but an earlier NaN: x is
 * better when it is not worse or equal (true for a NaN x) and best is not NaN. Written this
 * way rather than as (x > best) | (isnan(x) & !isnan(best)), the vectorised loops use two
 * compares instead of three: argmax(axis=0) of 2048 x 2048 float64 ran 1.5x faster. */
#define PYMIC2__RBETTER_ARGMAX(x, best) (!((x) <= (best)) & ((best) == (best)))
#define PYMIC2__RBETTER_ARGMIN(x, best) (!((x) >= (best)) & ((best) == (best)))

/* The element as the fold sees it: bool bytes become 0/1, others stay. */
#define PYMIC2__RLIFT_SAME_BOOL(T, x) ((T)((x) != 0))
#define PYMIC2__RLIFT_SAME_INT(T, x) (x)
#define PYMIC2__RLIFT_SAME_FLOAT(T, x) (x)
#define PYMIC2__RLIFT_SAME_COMPLEX(T, x) (x)
#define PYMIC2__RLIFT_NONZERO(T, x) ((T)((x) != 0))

/* cumsum and cumprod round every step to the output's type, as NumPy's accumulate does
 * (its float16 loop rounds each sum to float16); the others keep the accumulator's precision
 * to the end (NumPy's float16 sum and prod accumulate in float). A no-op where the
 * accumulator has the output's type. */
#define PYMIC2__RSTEP_SUM(TOUT, x) (x)
#define PYMIC2__RSTEP_PROD PYMIC2__RSTEP_SUM
#define PYMIC2__RSTEP_MAX PYMIC2__RSTEP_SUM
#define PYMIC2__RSTEP_MIN PYMIC2__RSTEP_SUM
#define PYMIC2__RSTEP_ALL PYMIC2__RSTEP_SUM
#define PYMIC2__RSTEP_ANY PYMIC2__RSTEP_SUM
#define PYMIC2__RSTEP_COUNT_NONZERO PYMIC2__RSTEP_SUM
#define PYMIC2__RSTEP_CUMSUM(TOUT, x) ((TOUT)(x))
#define PYMIC2__RSTEP_CUMPROD PYMIC2__RSTEP_CUMSUM

/*
 * The shared bodies. fname: prefix of this (reduction, dtype)'s functions; TIN the input's
 * C type, ACC/ACCW the accumulator's type and wrap type (the row's T and W: the input's
 * compute type for folds), TOUT the output's C type, LIFT(T, x) the element as an
 * accumulator, expr the row's expression combining a and b, STEP(TOUT, x) the combined
 * value (PYMIC2__RSTEP_<reduction>).
 */
#define PYMIC2__RDEFINE_COMMON(fname, TIN, ACC, ACCW, TOUT, LIFT, expr, STEP)              \
    static inline ACC fname##_combine2(ACC a, ACC b)                                       \
    {                                                                                      \
        typedef ACC T;                                                                     \
        typedef ACCW W __attribute__((unused));                                            \
        int invalid __attribute__((unused)) = 0;                                           \
        return (T)STEP(TOUT, (T)(expr));                                                   \
    }                                                                                      \
    static void fname##_emit(char *out, int64_t stride, const void *accs, int64_t n)       \
    {                                                                                      \
        const ACC *x = accs;                                                               \
        for (int64_t j = 0; j < n; j++) {                                                  \
            const TOUT value = (TOUT)x[j];                                                 \
            memcpy(out + j * stride, &value, sizeof value);                                \
        }                                                                                  \
    }                                                                                      \
    static inline ACC fname##_lift1(const char *p)                                         \
    {                                                                                      \
        PYMIC2__RLOAD(TIN, x, p);                                                          \
        return LIFT(ACC, x);                                                               \
    }                                                                                      \
    static void fname##_lift(void *accs, const char *in, int64_t n, int64_t step)           \
    {                                                                                      \
        ACC *y = accs;                                                                     \
        if (step == sizeof(TIN))                                                           \
            for (int64_t j = 0; j < n; j++)                                                \
                y[j] = fname##_lift1(in + j * (int64_t)sizeof(TIN));                       \
        else                                                                               \
            for (int64_t j = 0; j < n; j++)                                                \
                y[j] = fname##_lift1(in + j * step);                                       \
    }                                                                                      \
    static void fname##_combine(void *acc, const void *other)                              \
    {                                                                                      \
        ACC a, b;                                                                          \
        memcpy(&a, acc, sizeof a);                                                         \
        memcpy(&b, other, sizeof b);                                                       \
        a = fname##_combine2(a, b);                                                        \
        memcpy(acc, &a, sizeof a);                                                         \
    }                                                                                      \
    static inline __attribute__((always_inline)) ACC fname##_pairwise(                    \
        const char *in, int64_t n, int64_t step, int prefetch)                             \
    {                                                                                      \
        if (n < 2 * PYMIC2__RLANES) {                                                      \
            ACC acc = fname##_lift1(in);                                                   \
            for (int64_t i = 1; i < n; i++)                                                \
                acc = fname##_combine2(acc, fname##_lift1(in + i * step));                 \
            return acc;                                                                    \
        }                                                                                  \
        ACC levels[PYMIC2__RLEVELS][PYMIC2__RLANES];                                       \
        ACC lanes[PYMIC2__RLANES];                                                         \
        uint64_t blocks = 0;                                                               \
        int64_t i = 0;                                                                     \
        for (; i + PYMIC2__RBLOCK <= n; i += PYMIC2__RBLOCK) {                             \
            for (int k = 0; k < PYMIC2__RLANES; k++)                                       \
                lanes[k] = fname##_lift1(in + (i + k) * step);                             \
            /* not unrolled: gcc's full unrolling interleaves the lanes' chains so that \
             * loads jump around the 4 KiB block, which made a sum from memory 1.5x slower */ \
            _Pragma("GCC unroll 1")                                                        \
            for (int64_t j = PYMIC2__RLANES; j < PYMIC2__RBLOCK; j += PYMIC2__RLANES) {    \
                if (prefetch)                                                              \
                    pymic2__prefetch_ahead(in + (i + j) * step, PYMIC2__RLANES * step);    \
                for (int k = 0; k < PYMIC2__RLANES; k++)                                   \
                    lanes[k] = fname##_combine2(lanes[k],                                  \
                                                fname##_lift1(in + (i + j + k) * step));   \
            }                                                                              \
            /* a binary counter: two blocks of one level make one of the next */           \
            int level = 0;                                                                 \
            for (uint64_t b = blocks; b & 1; b >>= 1, level++)                             \
                for (int k = 0; k < PYMIC2__RLANES; k++)                                   \
                    lanes[k] = fname##_combine2(levels[level][k], lanes[k]);               \
            memcpy(levels[level], lanes, sizeof lanes);                                    \
            blocks++;                                                                      \
        }                                                                                  \
        int have = n - i >= PYMIC2__RLANES; /* the last, partial block */                  \
        if (have) {                                                                        \
            for (int k = 0; k < PYMIC2__RLANES; k++)                                       \
                lanes[k] = fname##_lift1(in + (i + k) * step);                             \
            for (i += PYMIC2__RLANES; i + PYMIC2__RLANES <= n; i += PYMIC2__RLANES)        \
                for (int k = 0; k < PYMIC2__RLANES; k++)                                   \
                    lanes[k] = fname##_combine2(lanes[k], fname##_lift1(in + (i + k) * step)); \
        }                                                                                  \
        for (int level = 0; blocks != 0; level++, blocks >>= 1) {                          \
            if (!(blocks & 1))                                                             \
                continue;                                                                  \
            if (have)                                                                      \
                for (int k = 0; k < PYMIC2__RLANES; k++)                                   \
                    lanes[k] = fname##_combine2(levels[level][k], lanes[k]);               \
            else                                                                           \
                memcpy(lanes, levels[level], sizeof lanes);                                \
            have = 1;                                                                      \
        }                                                                                  \
        for (int width = PYMIC2__RLANES / 2; width >= 1; width /= 2)                       \
            for (int k = 0; k < width; k++)                                                \
                lanes[k] = fname##_combine2(lanes[k], lanes[k + width]);                   \
        ACC acc = lanes[0];                                                                \
        for (; i < n; i++)                                                                 \
            acc = fname##_combine2(acc, fname##_lift1(in + i * step));                     \
        return acc;                                                                        \
    }                                                                                      \
    static void fname##_fold(void *acc, const char *in, int64_t n, int64_t step)           \
    {                                                                                      \
        /* a copy of the body where the stride is a constant */                           \
        ACC result = step == sizeof(TIN) ? fname##_pairwise(in, n, sizeof(TIN), 0)         \
                                         : fname##_pairwise(in, n, step, 0);               \
        memcpy(acc, &result, sizeof result);                                               \
    }                                                                                      \
    static void fname##_fold_far(void *acc, const char *in, int64_t n, int64_t step)       \
    {                                                                                      \
        if (step != sizeof(TIN)) { /* only contiguous inputs are prefetched */             \
            fname##_fold(acc, in, n, step);                                                \
            return;                                                                        \
        }                                                                                  \
        ACC result = fname##_pairwise(in, n, sizeof(TIN), 1);                              \
        memcpy(acc, &result, sizeof result);                                               \
    }                                                                                      \
    static inline __attribute__((always_inline)) void fname##_rows_body(                  \
        ACC *y, const char *in, int64_t n, int64_t step, int64_t rows, int64_t row_step)    \
    {                                                                                      \
        int64_t r = 0;                                                                     \
        for (; r + PYMIC2__RROWS <= rows; r += PYMIC2__RROWS) {                            \
            const char *row = in + r * row_step;                                           \
            for (int64_t j = 0; j < n; j++) {                                              \
                ACC acc = y[j];                                                            \
                for (int k = 0; k < PYMIC2__RROWS; k++)                                    \
                    acc = fname##_combine2(acc, fname##_lift1(row + k * row_step + j * step)); \
                y[j] = acc;                                                                \
            }                                                                              \
        }                                                                                  \
        for (; r < rows; r++)                                                              \
            for (int64_t j = 0; j < n; j++)                                                \
                y[j] = fname##_combine2(y[j], fname##_lift1(in + r * row_step + j * step)); \
    }                                                                                      \
    static void fname##_fold_rows(void *accs, const char *in, int64_t n, int64_t step,      \
                                  int64_t rows, int64_t row_step)                          \
    {                                                                                      \
        if (step == sizeof(TIN)) /* a copy of the body where the stride is a constant */   \
            fname##_rows_body(accs, in, n, sizeof(TIN), rows, row_step);                   \
        else                                                                               \
            fname##_rows_body(accs, in, n, step, rows, row_step);                          \
    }

#define PYMIC2__RDEFINE_IDENTITY_1(NAME, fname, ACC) \
    static void fname##_identity(void *accp)        \
    {                                               \
        typedef ACC T;                              \
        T value;                                    \
        PYMIC2__RIDENTITY_##NAME(&value);           \
        memcpy(accp, &value, sizeof value);         \
    }
#define PYMIC2__RDEFINE_IDENTITY_0(NAME, fname, ACC)
#define PYMIC2__RIDENTITY_PTR_1(fname) fname##_identity
#define PYMIC2__RIDENTITY_PTR_0(fname) NULL
#define PYMIC2__RCAT(a, b) a##b
#define PYMIC2__RCAT2(a, b) PYMIC2__RCAT(a, b)

/* The kernels of a fold with accumulator ACC. */
#define PYMIC2__RDEFINE_FOLD(NAME, fname, TIN, ACC, ACCW, TOUT, LIFT, expr)                  \
    PYMIC2__RDEFINE_COMMON(fname, TIN, ACC, ACCW, TOUT, LIFT, expr, PYMIC2__RSTEP_##NAME)    \
    PYMIC2__RCAT2(PYMIC2__RDEFINE_IDENTITY_, PYMIC2__RHAS_IDENTITY_##NAME)(NAME, fname, ACC) \
    static const pymic2__reduce_kernels fname = {                                           \
        .acc_size = sizeof(ACC),                                                            \
        .lift = fname##_lift,                                                               \
        .fold = fname##_fold,                                                               \
        .fold_far = fname##_fold_far,                                                       \
        .fold_rows = fname##_fold_rows,                                                     \
        .combine = fname##_combine,                                                         \
        .emit = fname##_emit,                                                               \
        .identity = PYMIC2__RCAT2(PYMIC2__RIDENTITY_PTR_, PYMIC2__RHAS_IDENTITY_##NAME)(fname), \
    };

/* argmax/argmin on elements stored as TIN, compared as ACC (lifted, so bool compares as 0/1;
 * float16 as float). */
#define PYMIC2__RARG_BODY(NAME, fname, TIN, ACC, LIFT)                                      \
    static inline ACC fname##_lift1(const char *p)                                          \
    {                                                                                       \
        PYMIC2__RLOAD(TIN, x, p);                                                           \
        return LIFT(ACC, x);                                                                \
    }                                                                                       \
    static void fname##_lift(void *accs, const char *in, int64_t n, int64_t step)            \
    {                                                                                       \
        ACC *y = accs;                                                                      \
        for (int64_t j = 0; j < n; j++)                                                     \
            y[j] = fname##_lift1(in + j * step);                                            \
    }                                                                                       \
    static void fname##_arg_merge(void *best, int64_t *index, const void *other,             \
                                  int64_t other_index)                                      \
    {                                                                                       \
        ACC b, o;                                                                           \
        memcpy(&b, best, sizeof b);                                                         \
        memcpy(&o, other, sizeof o);                                                        \
        if (PYMIC2__RBETTER_##NAME(o, b) ||                                                 \
            (!PYMIC2__RBETTER_##NAME(b, o) && other_index < *index)) {                      \
            memcpy(best, &o, sizeof o);                                                     \
            *index = other_index;                                                           \
        }                                                                                   \
    }                                                                                       \
    static inline __attribute__((always_inline)) void fname##_arg_body(                     \
        ACC *best, int64_t *index, const char *in, int64_t n, int64_t step, int64_t base)    \
    {                                                                                       \
        int64_t i = 0;                                                                      \
        if (n >= 2 * PYMIC2__RLANES) {                                                      \
            ACC lanes[PYMIC2__RLANES];                                                      \
            int64_t where[PYMIC2__RLANES];                                                  \
            for (int k = 0; k < PYMIC2__RLANES; k++) {                                      \
                lanes[k] = fname##_lift1(in + k * step);                                    \
                where[k] = k;                                                               \
            }                                                                               \
            for (i = PYMIC2__RLANES; i + PYMIC2__RLANES <= n; i += PYMIC2__RLANES)          \
                for (int k = 0; k < PYMIC2__RLANES; k++) {                                  \
                    ACC x = fname##_lift1(in + (i + k) * step);                             \
                    int better = PYMIC2__RBETTER_##NAME(x, lanes[k]);                       \
                    lanes[k] = better ? x : lanes[k];                                       \
                    where[k] = better ? i + k : where[k];                                   \
                }                                                                           \
            /* a tree, like the sum's: the order of (value, index) pairs is total */         \
            for (int width = PYMIC2__RLANES / 2; width >= 1; width /= 2)                    \
                for (int k = 0; k < width; k++) {                                           \
                    ACC o = lanes[k + width];                                               \
                    int64_t at = where[k + width];                                          \
                    int take = PYMIC2__RBETTER_##NAME(o, lanes[k]) |                        \
                               (!PYMIC2__RBETTER_##NAME(lanes[k], o) & (at < where[k]));    \
                    lanes[k] = take ? o : lanes[k];                                         \
                    where[k] = take ? at : where[k];                                        \
                }                                                                           \
            fname##_arg_merge(best, index, &lanes[0], base + where[0]);                     \
        }                                                                                   \
        for (; i < n; i++) {                                                                \
            ACC x = fname##_lift1(in + i * step);                                           \
            if (PYMIC2__RBETTER_##NAME(x, *best)) {                                         \
                *best = x;                                                                  \
                *index = base + i;                                                          \
            }                                                                               \
        }                                                                                   \
    }                                                                                       \
    static void fname##_arg_fold(void *best_out, int64_t *index, const char *in, int64_t n,  \
                                 int64_t step, int64_t base)                                \
    {                                                                                       \
        ACC best = fname##_lift1(in); /* the first element, as if from a lane */            \
        *index = base;                                                                      \
        if (step == sizeof(TIN))                                                            \
            fname##_arg_body(&best, index, in, n, sizeof(TIN), base);                       \
        else                                                                                \
            fname##_arg_body(&best, index, in, n, step, base);                              \
        memcpy(best_out, &best, sizeof best);                                               \
    }                                                                                       \
    static inline __attribute__((always_inline)) void fname##_arg_rows_body(                \
        ACC *best, int64_t *index, const char *in, int64_t n, int64_t step, int64_t row,     \
        int64_t rows, int64_t row_step)                                                     \
    {                                                                                       \
        int64_t r = 0;                                                                      \
        for (; r + PYMIC2__RROWS <= rows; r += PYMIC2__RROWS) {                             \
            const char *group = in + r * row_step;                                          \
            for (int64_t j = 0; j < n; j++) {                                               \
                ACC b = best[j];                                                            \
                int64_t at = index[j];                                                      \
                for (int k = 0; k < PYMIC2__RROWS; k++) {                                   \
                    ACC x = fname##_lift1(group + k * row_step + j * step);                 \
                    int better = PYMIC2__RBETTER_##NAME(x, b);                              \
                    b = better ? x : b;                                                     \
                    at = better ? row + r + k : at;                                         \
                }                                                                           \
                best[j] = b;                                                                \
                index[j] = at;                                                              \
            }                                                                               \
        }                                                                                   \
        for (; r < rows; r++)                                                               \
            for (int64_t j = 0; j < n; j++) {                                               \
                ACC x = fname##_lift1(in + r * row_step + j * step);                        \
                int better = PYMIC2__RBETTER_##NAME(x, best[j]);                            \
                best[j] = better ? x : best[j];                                             \
                index[j] = better ? row + r : index[j];                                     \
            }                                                                               \
    }                                                                                       \
    static void fname##_arg_fold_rows(void *bests, int64_t *index, const char *in,           \
                                      int64_t n, int64_t step, int64_t row, int64_t rows,   \
                                      int64_t row_step)                                     \
    {                                                                                       \
        if (step == sizeof(TIN)) /* a copy of the body where the stride is a constant */    \
            fname##_arg_rows_body(bests, index, in, n, sizeof(TIN), row, rows, row_step);   \
        else                                                                                \
            fname##_arg_rows_body(bests, index, in, n, step, row, rows, row_step);          \
    }                                                                                       \
    static const pymic2__reduce_kernels fname = {                                           \
        .acc_size = sizeof(ACC),                                                            \
        .lift = fname##_lift,                                                               \
        .arg_fold = fname##_arg_fold,                                                       \
        .arg_fold_rows = fname##_arg_fold_rows,                                             \
        .arg_merge = fname##_arg_merge,                                                     \
    };

/* ---------------------------------------------------------------- the generator */

/* Pick a class's column (ok, expression) out of a row's expanded columns. */
#define PYMIC2__RPICK_BOOL(RULE, bo, be, io, ie, fo, fe, co, ce) bo, be
#define PYMIC2__RPICK_INT(RULE, bo, be, io, ie, fo, fe, co, ce) io, ie
#define PYMIC2__RPICK_FLOAT(RULE, bo, be, io, ie, fo, fe, co, ce) fo, fe
#define PYMIC2__RPICK_COMPLEX(RULE, bo, be, io, ie, fo, fe, co, ce) co, ce
#define PYMIC2__RCALL_1(macro, ...) macro(__VA_ARGS__)
#define PYMIC2__RCALL_2(macro, ...) macro(__VA_ARGS__)
#define PYMIC2__RCALL_3(macro, ...) macro(__VA_ARGS__)
#define PYMIC2__RUNPAREN(...) __VA_ARGS__

/* (reduction row) x (dtype row) -> the kind's leaf. MODE is DEFINE or ENTRY. */
#define PYMIC2__RGEN(MODE, NAME, lname, OP, OUT) \
    PYMIC2_DTYPE_TABLE(PYMIC2__RGEN_INPUT, (MODE, NAME, lname, OP))
#define PYMIC2__RGEN_DEFINE(NAME, lname, OP, OUT) PYMIC2__RGEN(DEFINE, NAME, lname, OP, OUT)
#define PYMIC2__RGEN_ENTRY(NAME, lname, OP, OUT) PYMIC2__RGEN(ENTRY, NAME, lname, OP, OUT)
#define PYMIC2__RGEN_INPUT(row, DT, dname, ctype, CLASS, wrap, REAL, real_ctype, member, lowest, \
                           highest, opencl, dlpack, compute)                                   \
    PYMIC2__RCALL_1(PYMIC2__RGEN_KIND, PYMIC2__RUNPAREN row, DT, dname, ctype, CLASS, wrap,     \
                    compute)
#define PYMIC2__RGEN_KIND(MODE, NAME, lname, OP, DT, dname, ctype, CLASS, wrap, compute)       \
    PYMIC2__RCALL_2(PYMIC2__RGEN_KIND2, PYMIC2__RKIND_##NAME, MODE, NAME, lname, OP, DT, dname, \
                    ctype, CLASS, wrap, compute)
#define PYMIC2__RGEN_KIND2(KIND, MODE, NAME, lname, OP, DT, dname, ctype, CLASS, wrap, compute) \
    PYMIC2__RGEN_##KIND(MODE, NAME, lname, OP, DT, dname, ctype, CLASS, wrap, compute)

/* FOLD: the accumulator is the input's compute type, the output the input's type; the op's
 * row decides whether it is accepted. */
#define PYMIC2__RGEN_FOLD(MODE, NAME, lname, OP, DT, dname, ctype, CLASS, wrap, compute)       \
    PYMIC2__RCALL_3(PYMIC2__RGEN_FOLD_IF, MODE, NAME, lname, DT, dname, ctype, CLASS, wrap,     \
                    compute, PYMIC2__RCALL_3(PYMIC2__RPICK_##CLASS, PYMIC2__OP_ROW_##OP))
#define PYMIC2__RGEN_FOLD_IF(MODE, NAME, lname, DT, dname, ctype, CLASS, wrap, compute, ok,    \
                             expr)                                                             \
    PYMIC2__RGEN_FOLD_IF_##ok(MODE, NAME, lname, DT, dname, ctype, CLASS, wrap, compute, expr)
#define PYMIC2__RGEN_FOLD_IF_0(...)
#define PYMIC2__RGEN_FOLD_IF_1(MODE, NAME, lname, DT, dname, ctype, CLASS, wrap, compute, expr) \
    PYMIC2__R##MODE(NAME, DT, pymic2__reduce_##lname##_##dname, ctype, compute, wrap, ctype,    \
                    PYMIC2__RLIFT_SAME_##CLASS, expr)

/* TRUTH (all, any): every dtype, bool accumulator, the op's bool column. */
#define PYMIC2__RGEN_TRUTH(MODE, NAME, lname, OP, DT, dname, ctype, CLASS, wrap, compute)      \
    PYMIC2__RCALL_3(PYMIC2__RGEN_TRUTH2, MODE, NAME, lname, DT, dname, ctype,                  \
                    PYMIC2__RCALL_3(PYMIC2__RPICK_BOOL, PYMIC2__OP_ROW_##OP))
#define PYMIC2__RGEN_TRUTH2(MODE, NAME, lname, DT, dname, ctype, ok, expr)                   \
    PYMIC2__R##MODE(NAME, DT, pymic2__reduce_##lname##_##dname, ctype, uint8_t, void, uint8_t, \
                    PYMIC2__RLIFT_NONZERO, expr)

/* COUNT (count_nonzero): every dtype, int64 accumulator, the op's integer column. */
#define PYMIC2__RGEN_COUNT(MODE, NAME, lname, OP, DT, dname, ctype, CLASS, wrap, compute)      \
    PYMIC2__RCALL_3(PYMIC2__RGEN_COUNT2, MODE, NAME, lname, DT, dname, ctype,                  \
                    PYMIC2__RCALL_3(PYMIC2__RPICK_INT, PYMIC2__OP_ROW_##OP))
#define PYMIC2__RGEN_COUNT2(MODE, NAME, lname, DT, dname, ctype, ok, expr)                   \
    PYMIC2__R##MODE(NAME, DT, pymic2__reduce_##lname##_##dname, ctype, int64_t, uint64_t,     \
                    int64_t, PYMIC2__RLIFT_NONZERO, expr)

/* ARG: accepted where the op's row accepts the class (not complex); values compared in the
 * compute type. */
#define PYMIC2__RGEN_ARG(MODE, NAME, lname, OP, DT, dname, ctype, CLASS, wrap, compute)        \
    PYMIC2__RCALL_3(PYMIC2__RGEN_ARG_IF, MODE, NAME, lname, DT, dname, ctype, CLASS, compute,  \
                    PYMIC2__RCALL_3(PYMIC2__RPICK_##CLASS, PYMIC2__OP_ROW_##OP))
#define PYMIC2__RGEN_ARG_IF(MODE, NAME, lname, DT, dname, ctype, CLASS, compute, ok, expr) \
    PYMIC2__RGEN_ARG_IF_##ok(MODE, NAME, lname, DT, dname, ctype, CLASS, compute)
#define PYMIC2__RGEN_ARG_IF_0(...)
#define PYMIC2__RGEN_ARG_IF_1(MODE, NAME, lname, DT, dname, ctype, CLASS, compute) \
    PYMIC2__R##MODE##_ARG(NAME, DT, pymic2__reduce_##lname##_##dname, ctype, compute, \
                          PYMIC2__RLIFT_SAME_##CLASS)

#define PYMIC2__RDEFINE(NAME, DT, fname, TIN, ACC, ACCW, TOUT, LIFT, expr) \
    PYMIC2__RDEFINE_FOLD(NAME, fname, TIN, ACC, ACCW, TOUT, LIFT, expr)
#define PYMIC2__RDEFINE_ARG(NAME, DT, fname, TIN, ACC, LIFT) \
    PYMIC2__RARG_BODY(NAME, fname, TIN, ACC, LIFT)
#define PYMIC2__RENTRY(NAME, DT, fname, ...) [PYMIC2_REDUCE_##NAME][PYMIC2_##DT] = &fname,
#define PYMIC2__RENTRY_ARG PYMIC2__RENTRY

PYMIC2_REDUCTION_TABLE(PYMIC2__RGEN_DEFINE)

static const pymic2__reduce_kernels *const kernels[PYMIC2_NUM_REDUCTIONS][PYMIC2_NUM_DTYPES] = {
    PYMIC2_REDUCTION_TABLE(PYMIC2__RGEN_ENTRY)};

const pymic2__reduce_kernels *PYMIC2__SIMD_NAME(pymic2__host_reduce_find)(
    pymic2_reduction reduction, pymic2_dtype input)
{
    if ((int)reduction <= 0 || (int)reduction >= PYMIC2_NUM_REDUCTIONS || (int)input < 0 ||
        (int)input >= PYMIC2_NUM_DTYPES)
        return NULL;
    return kernels[reduction][input];
}
