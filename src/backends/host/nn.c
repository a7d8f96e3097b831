/*
 * nn.c - the NN family on a host device: softmax cross entropy (pymic2_softmax_cross_entropy)
 * and sliding windows (pymic2_windows: im2col, col2im, 2-d pooling); the fused kernels
 * (pymic2_fused) are in nn_fused.c.
 *
 * Softmax cross entropy:
 * Labels are checked serially first (N integers: cheap), so a bad one fails the command
 * before anything is written. The rows are then split over the team; each piece adds its
 * rows' losses into its own partial sum, and the partials are added in piece order, so the
 * loss depends only on the thread count. A row is three passes over its C logits (maximum,
 * sum of exponentials, then the loss term or the gradient): the row stays in L1.
 */
#include "host_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rows per piece at least this many logits' worth, so small batches stay on one thread. */
#define PIECE_ELEMENTS (16 * 1024)

typedef struct sce_plan {
    const pymic2_softmax_cross_entropy_desc *desc;
    const char *x;      /* element [0, 0] */
    const char *labels; /* element [0] */
    char *grad;         /* BACKWARD: element [0, 0] */
    int64_t classes;
    double scale;       /* BACKWARD: gloss * coefficient */
    double *partials;   /* FORWARD: one per team member */
} sce_plan;

static int64_t read_label(const pymic2_softmax_cross_entropy_desc *desc, const char *labels,
                          int64_t row)
{
    return pymic2__host_load_index(labels + row * desc->labels.strides[0], desc->labels.dtype);
}

/*
 * Per float type: the row's log-sum-exp as Chainer computes it (m + log(sum exp(x - m)), so
 * NaN and +inf propagate the same way), then the row's loss term or gradient.
 */
#define SCE_ROWS(T, suffix, EXP, LOG)                                                       \
    static inline T logit_##suffix(const sce_plan *plan, int64_t row, int64_t c)             \
    {                                                                                       \
        const pymic2_operand *x = &plan->desc->x;                                           \
        T value;                                                                            \
        memcpy(&value, plan->x + row * x->strides[0] + c * x->strides[1], sizeof value);    \
        return value;                                                                       \
    }                                                                                       \
    static T log_sum_exp_##suffix(const sce_plan *plan, int64_t row)                         \
    {                                                                                       \
        T maximum = logit_##suffix(plan, row, 0);                                           \
        for (int64_t c = 1; c < plan->classes; c++) {                                       \
            T value = logit_##suffix(plan, row, c);                                         \
            if (value > maximum || value != value) /* NaN wins, as numpy.max */             \
                maximum = maximum != maximum ? maximum : value;                             \
        }                                                                                   \
        T sum = 0;                                                                          \
        for (int64_t c = 0; c < plan->classes; c++)                                         \
            sum += EXP(logit_##suffix(plan, row, c) - maximum);                             \
        return maximum + LOG(sum);                                                          \
    }                                                                                       \
    static void forward_##suffix(void *context, int64_t begin, int64_t end, int member)     \
    {                                                                                       \
        const sce_plan *plan = context;                                                     \
        double sum = 0;                                                                     \
        for (int64_t row = begin; row < end; row++) {                                       \
            int64_t label = read_label(plan->desc, plan->labels, row);                      \
            /* an ignored row adds its column 0 times 0, so NaN or -inf there gives NaN,   \
               as Chainer's log_p *= t_valid */                                             \
            const T labelled = label != plan->desc->ignore_label;                           \
            const int64_t pick = labelled != 0 ? label : 0;                                 \
            const T term = logit_##suffix(plan, row, pick) - log_sum_exp_##suffix(plan, row); \
            sum += (double)(term * labelled);                                               \
        }                                                                                   \
        plan->partials[member] = sum;                                                       \
    }                                                                                       \
    static void backward_##suffix(void *context, int64_t begin, int64_t end, int member)    \
    {                                                                                       \
        (void)member;                                                                       \
        const sce_plan *plan = context;                                                     \
        const pymic2_operand *grad = &plan->desc->grad;                                     \
        const T scale = (T)plan->scale;                                                     \
        for (int64_t row = begin; row < end; row++) {                                       \
            int64_t label = read_label(plan->desc, plan->labels, row);                      \
            /* an ignored row is multiplied by 0, so NaN in it stays NaN (as Chainer) */    \
            const T labelled = label != plan->desc->ignore_label;                           \
            const int64_t hot = label < 0 ? 0 : label;                                      \
            const T lse = log_sum_exp_##suffix(plan, row);                                  \
            char *out = plan->grad + row * grad->strides[0];                                \
            for (int64_t c = 0; c < plan->classes; c++) {                                   \
                T value = EXP(logit_##suffix(plan, row, c) - lse) - (T)(c == hot);          \
                value = value * labelled * scale;                                           \
                memcpy(out + c * grad->strides[1], &value, sizeof value);                   \
            }                                                                               \
        }                                                                                   \
    }
SCE_ROWS(float, f32, expf, logf)
SCE_ROWS(double, f64, exp, log)
#undef SCE_ROWS

/* The value of a 0-d operand or scalar of x's dtype, as a double. */
static double read_scalar(const pymic2_operand *operand)
{
    if (operand->buffer == NULL)
        return operand->dtype == PYMIC2_FLOAT32 ? operand->value.f32 : operand->value.f64;
    const char *at = pymic2__host_address(operand->buffer, 0) + operand->offset;
    if (operand->dtype == PYMIC2_FLOAT32) {
        float value;
        memcpy(&value, at, sizeof value);
        return value;
    }
    double value;
    memcpy(&value, at, sizeof value);
    return value;
}

static void write_scalar(const pymic2_operand *operand, double value)
{
    char *at = pymic2__host_address(operand->buffer, 0) + operand->offset;
    if (operand->dtype == PYMIC2_FLOAT32) {
        float narrow = (float)value;
        memcpy(at, &narrow, sizeof narrow);
    } else {
        memcpy(at, &value, sizeof value);
    }
}

/* A validated forward or backward pass. */
static int softmax_cross_entropy(pymic2_stream *stream,
                                 const pymic2_softmax_cross_entropy_desc *desc)
{
    pymic2_device *device = stream->device;
    pymic2__team *team = pymic2__host_of(device)->team;
    const int64_t rows = desc->x.shape[0];
    sce_plan plan = {.desc = desc, .classes = desc->x.shape[1]};
    plan.x = pymic2__host_address(desc->x.buffer, 0) + desc->x.offset;
    plan.labels = pymic2__host_address(desc->labels.buffer, 0) + desc->labels.offset;

    int64_t labelled = 0;
    for (int64_t row = 0; row < rows; row++) {
        int64_t label = read_label(desc, plan.labels, row);
        if (label == desc->ignore_label)
            continue;
        if (label < 0 || label >= plan.classes)
            return pymic2__error(PYMIC2_EINDEX, "%s: softmax_cross_entropy: label %" PRId64
                                 " of row %" PRId64 " is outside 0..%" PRId64 " (and is not "
                                 "ignore_label %" PRId64 ")", device->name, label, row,
                                 plan.classes - 1, desc->ignore_label);
        labelled++;
    }
    const int64_t count = desc->normalize ? labelled : rows;
    const double coefficient = 1.0 / (double)(count > 1 ? count : 1);
    const int64_t min_rows = plan.classes >= PIECE_ELEMENTS ? 1 : PIECE_ELEMENTS / plan.classes;
    const int is_f32 = desc->x.dtype == PYMIC2_FLOAT32;

    if (desc->pass == PYMIC2_SOFTMAX_CROSS_ENTROPY_BACKWARD) {
        plan.grad = pymic2__host_address(desc->grad.buffer, 0) + desc->grad.offset;
        plan.scale = read_scalar(&desc->loss) * coefficient;
        if (rows > 0)
            pymic2__team_parallel_for(team, rows, min_rows, is_f32 ? backward_f32 : backward_f64,
                                      &plan);
        return PYMIC2_OK;
    }

    const int members = pymic2__team_size(team);
    plan.partials = calloc((size_t)members, sizeof(double));
    if (plan.partials == NULL)
        return pymic2__error(PYMIC2_ENOMEM, "%s: softmax_cross_entropy: no host memory for %d "
                             "partial sums", device->name, members);
    if (rows > 0)
        pymic2__team_parallel_for(team, rows, min_rows, is_f32 ? forward_f32 : forward_f64,
                                  &plan);
    double sum = 0;
    for (int m = 0; m < members; m++)
        sum += plan.partials[m];
    free(plan.partials);
    write_scalar(&desc->loss, -sum * coefficient);
    return PYMIC2_OK;
}

/* ---------------------------------------------------------------- windows
 *
 * IM2COL and pooling are gathers: each output row (the OW outputs of one (c, i, j, n, oy)
 * for IM2COL, of one (n, c, oy) for pooling) is computed by one thread. The passes that
 * write the image run one image plane (n, c) per item: the plane is zeroed, then every tap
 * (i, then j, as Chainer's col2im_cpu) adds its window rows into it, so the sums need no
 * atomics and do not depend on the thread count. MAX_UNPOOL over windows that do not
 * overlap (the usual kernel == stride) instead scatters each gradient to its tap: every
 * pixel receives at most one value, so the result is the same.
 *
 * The outputs each tap row i and column j read inside the image (window_range) are
 * computed once per pass into the plan and rows are counted, not divided out (divisions
 * per row and tap dominated the CNN's rows of 7 to 28 outputs); unit strides copy and add
 * rows as typed loops the compiler vectorises. CPU ms per call on the CNN's layers (2-core
 * Zen 4, loaded), before -> after: max pooling of 100x32x28x28 6.0 -> 3.0, its gradient
 * 6.7 -> 1.7 (the scatter), col2im of the 32->64 3x3 convolution on 14x14 5.8 -> 2.9.
 */

/* Rows (planes) per piece at least this many elements' worth. */
#define WINDOW_PIECE_ELEMENTS (8 * 1024)
/* Pooled outputs of a row computed together (their maxima and taps live on the stack). */
#define POOL_CHUNK 256

typedef struct windows_plan {
    const pymic2_windows_desc *desc;
    char *image, *cols, *indexes; /* element [0, ...] of each */
    int64_t n, c, h, w, oh, ow;
    /* [y_lo[i], y_hi[i]): the output rows whose tap row i reads inside the image; x_lo,
       x_hi the same for tap columns j; tap_y[t], tap_x[t] the row and column of tap t in
       its window, dilated (the scatter's). One allocation. */
    int64_t *y_lo, *y_hi, *x_lo, *x_hi, *tap_y, *tap_x;
    /* image and cols do not overlap and every element of both sits at a multiple of its
       size: the typed (and restrict) loops may run */
    bool aligned;
} windows_plan;

/* Whether operands a and b share no byte. */
static bool operands_disjoint(const pymic2_operand *a, const pymic2_operand *b)
{
    if (a->buffer != b->buffer)
        return true;
    int64_t a_first, a_end, b_first, b_end;
    pymic2__operand_extent(a, &a_first, &a_end);
    pymic2__operand_extent(b, &b_first, &b_end);
    return a_end <= b_first || b_end <= a_first;
}

/* Whether every element of the operand at `at` sits at a multiple of itemsize. */
static bool elements_aligned(const char *at, const pymic2_operand *operand, size_t itemsize)
{
    if ((uintptr_t)at % itemsize != 0)
        return false;
    for (int d = 0; d < operand->ndim; d++)
        if (operand->strides[d] % (int64_t)itemsize != 0)
            return false;
    return true;
}

/* [*lo, *hi): the outputs o in [0, outputs) whose tap k reads inside [0, size), i.e.
 * 0 <= o*stride - pad + k*dilation < size. */
static inline void window_range(int64_t size, int64_t k, int64_t pad, int64_t stride,
                                int64_t dilation, int64_t outputs, int64_t *lo, int64_t *hi)
{
    const int64_t shift = pad - k * dilation; /* shift <= o*stride < size + shift */
    const int64_t first = shift <= 0 ? 0 : (shift + stride - 1) / stride;
    const int64_t end = size + shift <= 0 ? 0 : (size + shift + stride - 1) / stride;
    *lo = first < outputs ? first : outputs;
    *hi = end < outputs ? end : outputs;
    if (*hi < *lo)
        *hi = *lo;
}

/* Fills the plan's tap tables (allocated here; the caller frees plan->y_lo). */
static int plan_taps(windows_plan *p, const char *device)
{
    const pymic2_windows_desc *d = p->desc;
    const int64_t taps = d->kh * d->kw;
    if (taps > (int64_t)UINT32_MAX) /* pooling keeps taps in the image dtype's width */
        return pymic2__error(PYMIC2_EINVAL, "%s: windows: a %" PRId64 "x%" PRId64 " window "
                             "has more than 2**32 taps", device, d->kh, d->kw);
    int64_t *table = malloc((size_t)(2 * d->kh + 2 * d->kw + 2 * taps) * sizeof(int64_t));
    if (table == NULL)
        return pymic2__error(PYMIC2_ENOMEM, "%s: windows: no host memory for the tap tables "
                             "of a %" PRId64 "x%" PRId64 " window", device, d->kh, d->kw);
    p->y_lo = table;
    p->y_hi = p->y_lo + d->kh;
    p->x_lo = p->y_hi + d->kh;
    p->x_hi = p->x_lo + d->kw;
    p->tap_y = p->x_hi + d->kw;
    p->tap_x = p->tap_y + taps;
    for (int64_t i = 0; i < d->kh; i++)
        window_range(p->h, i, d->ph, d->sy, d->dy, p->oh, &p->y_lo[i], &p->y_hi[i]);
    for (int64_t j = 0; j < d->kw; j++)
        window_range(p->w, j, d->pw, d->sx, d->dx, p->ow, &p->x_lo[j], &p->x_hi[j]);
    for (int64_t t = 0; t < taps; t++) {
        p->tap_y[t] = t / d->kw * d->dy;
        p->tap_x[t] = t % d->kw * d->dx;
    }
    return PYMIC2_OK;
}

/* Whether no two windows share a pixel (MAX_UNPOOL may then scatter). */
static bool windows_disjoint(const pymic2_windows_desc *d)
{
    return d->sy >= (d->kh - 1) * d->dy + 1 && d->sx >= (d->kw - 1) * d->dx + 1;
}

/* cols[n, c, oy, ox] (pooling layout) or indexes[...]: its byte address. */
static inline char *pooled_at(char *base, const int64_t *strides, int64_t n, int64_t c,
                              int64_t oy, int64_t ox)
{
    return base + n * strides[0] + c * strides[1] + oy * strides[2] + ox * strides[3];
}

/* The first row's (n, c, oy) of a pooling row range; then counted by next_pooled_row. */
static inline void first_pooled_row(const windows_plan *p, int64_t row, int64_t *n,
                                    int64_t *c, int64_t *oy)
{
    *oy = row % p->oh;
    *c = row / p->oh % p->c;
    *n = row / p->oh / p->c;
}

static inline void next_pooled_row(const windows_plan *p, int64_t *n, int64_t *c, int64_t *oy)
{
    if (++*oy == p->oh) {
        *oy = 0;
        if (++*c == p->c) {
            *c = 0;
            ++*n;
        }
    }
}

#define WINDOWS_KERNELS(T, suffix, U)                                                         \
    static inline T load_##suffix(const char *at)                                             \
    {                                                                                         \
        T value;                                                                              \
        memcpy(&value, at, sizeof value);                                                     \
        return value;                                                                         \
    }                                                                                         \
    static inline void store_##suffix(char *at, T value)                                      \
    {                                                                                         \
        memcpy(at, &value, sizeof value);                                                     \
    }                                                                                         \
    /* row = ((((c * kh + i) * kw + j) * N + n) * OH + oy); the coordinates of the piece's    \
       first row are divided out once, then counted (divisions would dominate short rows) */  \
    static void im2col_##suffix(void *context, int64_t begin, int64_t end, int member)        \
    {                                                                                         \
        (void)member;                                                                         \
        const windows_plan *p = context;                                                      \
        const pymic2_windows_desc *d = p->desc;                                               \
        const int64_t *is = d->image.strides, *cs = d->cols.strides;                          \
        const bool unit =                                                                     \
            p->aligned && d->sx == 1 && is[3] == sizeof(T) && cs[5] == sizeof(T);            \
        int64_t r = begin;                                                                    \
        int64_t oy = r % p->oh, n = (r /= p->oh) % p->n;                                      \
        int64_t j = (r /= p->n) % d->kw, i = (r /= d->kw) % d->kh, c = r / d->kh;             \
        for (int64_t row = begin; row < end; row++) {                                         \
            if (row > begin && ++oy == p->oh) {                                               \
                oy = 0;                                                                       \
                if (++n == p->n) {                                                            \
                    n = 0;                                                                    \
                    if (++j == d->kw) {                                                       \
                        j = 0;                                                                \
                        if (++i == d->kh) {                                                   \
                            i = 0;                                                            \
                            c++;                                                              \
                        }                                                                     \
                    }                                                                         \
                }                                                                             \
            }                                                                                 \
            char *out = p->cols + c * cs[0] + i * cs[1] + j * cs[2] + n * cs[3] + oy * cs[4]; \
            const int64_t y = oy * d->sy - d->ph + i * d->dy;                                 \
            const bool inside = oy >= p->y_lo[i] && oy < p->y_hi[i];                          \
            const int64_t lo = inside ? p->x_lo[j] : 0, hi = inside ? p->x_hi[j] : 0;         \
            /* byte offsets, not pointers: column j*dx - pw of a row may lie before it */     \
            const int64_t in = n * is[0] + c * is[1] + y * is[2] + (j * d->dx - d->pw) * is[3]; \
            if (unit) {                                                                       \
                T *restrict to = (T *)out;                                                    \
                const T *restrict from = (const T *)(p->image + in);                          \
                for (int64_t ox = 0; ox < lo; ox++)                                           \
                    to[ox] = (T)0;                                                            \
                for (int64_t ox = lo; ox < hi; ox++)                                          \
                    to[ox] = from[ox];                                                        \
                for (int64_t ox = hi; ox < p->ow; ox++)                                       \
                    to[ox] = (T)0;                                                            \
                continue;                                                                     \
            }                                                                                 \
            for (int64_t ox = 0; ox < lo; ox++)                                               \
                store_##suffix(out + ox * cs[5], (T)0);                                       \
            for (int64_t ox = lo; ox < hi; ox++)                                              \
                store_##suffix(out + ox * cs[5],                                              \
                               load_##suffix(p->image + in + ox * d->sx * is[3]));            \
            for (int64_t ox = hi; ox < p->ow; ox++)                                           \
                store_##suffix(out + ox * cs[5], (T)0);                                       \
        }                                                                                     \
    }                                                                                         \
    /* Element k of a window row: at row + k * step, or ((T *)row)[k * unit] when unit (the  \
       step in elements) is a constant the compiler sees. */                                  \
    static inline T tap_value_##suffix(const char *row, int64_t k, int64_t step,              \
                                       int64_t unit)                                          \
    {                                                                                         \
        return unit != 0 ? ((const T *)row)[k * unit] : load_##suffix(row + k * step);        \
    }                                                                                         \
    /* Tap `tap` of outputs [lo, hi) of a pooled chunk: added (mean) or compared (max; the   \
       first maximum, or the first NaN, as numpy.argmax). */                                  \
    static inline __attribute__((always_inline)) void                                         \
    pool_tap_run_##suffix(T *best, U *best_tap, const char *row, int64_t step, int64_t unit,  \
                          int64_t lo, int64_t hi, U tap, bool max)                            \
    {                                                                                         \
        if (!max) {                                                                           \
            for (int64_t k = lo; k < hi; k++)                                                 \
                best[k] += tap_value_##suffix(row, k, step, unit);                            \
            return;                                                                           \
        }                                                                                     \
        for (int64_t k = lo; k < hi; k++) {                                                   \
            const T value = tap_value_##suffix(row, k, step, unit), old = best[k];            \
            const bool take = (value > old) | ((value != value) & (old == old));              \
            /* masks, not selects: gcc turns the selects of the scalar remainder into        \
               branches, which random data mispredicts */                                     \
            U bits, old_bits;                                                                 \
            memcpy(&bits, &value, sizeof bits);                                               \
            memcpy(&old_bits, &old, sizeof old_bits);                                         \
            const U mask = (U)0 - (U)take;                                                    \
            bits = (bits & mask) | (old_bits & ~mask);                                        \
            memcpy(&best[k], &bits, sizeof bits);                                             \
            best_tap[k] = (tap & mask) | (best_tap[k] & ~mask);                               \
        }                                                                                     \
    }                                                                                         \
    /* Steps of 1 and 2 elements (pooling by 2, the usual) as loops of constant stride,      \
       which the compiler vectorises: the scalar loop over any stride took ~20 instructions  \
       per output and tap. */                                                                 \
    static void pool_tap_##suffix(const windows_plan *p, T *best, U *best_tap,                \
                                  const char *row, int64_t step, int64_t lo, int64_t hi,      \
                                  U tap, bool max)                                            \
    {                                                                                         \
        if (p->aligned && step == sizeof(T))                                                  \
            pool_tap_run_##suffix(best, best_tap, row, step, 1, lo, hi, tap, max);            \
        else if (p->aligned && step == 2 * sizeof(T))                                         \
            pool_tap_run_##suffix(best, best_tap, row, step, 2, lo, hi, tap, max);            \
        else                                                                                  \
            pool_tap_run_##suffix(best, best_tap, row, step, 0, lo, hi, tap, max);            \
    }                                                                                         \
    /* Pooled row (n, c, oy), POOL_CHUNK outputs at a time from ox0: taps outer, outputs      \
       inner. A tap outside the image reads -inf (max) or 0 (mean), which changes nothing:   \
       it is skipped. */                                                                      \
    static void pool_chunk_##suffix(const windows_plan *p, const char *plane, int64_t oy,     \
                                    int64_t ox0, int64_t count, T *best, U *best_tap)         \
    {                                                                                         \
        const pymic2_windows_desc *d = p->desc;                                               \
        const int64_t *is = d->image.strides;                                                 \
        const bool max = d->op == PYMIC2_WINDOWS_MAX_POOL;                                    \
        for (int64_t k = 0; k < count; k++) {                                                 \
            best[k] = max ? (T)-INFINITY : (T)0;                                              \
            best_tap[k] = 0;                                                                  \
        }                                                                                     \
        for (int64_t i = 0; i < d->kh; i++) {                                                 \
            if (oy < p->y_lo[i] || oy >= p->y_hi[i])                                          \
                continue;                                                                     \
            const int64_t y = oy * d->sy - d->ph + i * d->dy;                                 \
            for (int64_t j = 0; j < d->kw; j++) {                                             \
                const int64_t lo = p->x_lo[j] > ox0 ? p->x_lo[j] - ox0 : 0;                   \
                const int64_t hi = p->x_hi[j] - ox0 < count ? p->x_hi[j] - ox0 : count;       \
                /* byte offsets: column j*dx - pw may lie before the row */                   \
                const char *row = plane + y * is[2] + ((ox0 * d->sx) + j * d->dx - d->pw) * is[3]; \
                pool_tap_##suffix(p, best, best_tap, row, d->sx * is[3], lo, hi,              \
                                  (U)(i * d->kw + j), max);                                   \
            }                                                                                 \
        }                                                                                     \
    }                                                                                         \
    /* row = ((n * C + c) * OH + oy) */                                                       \
    static void pool_##suffix(void *context, int64_t begin, int64_t end, int member)          \
    {                                                                                         \
        (void)member;                                                                         \
        const windows_plan *p = context;                                                      \
        const pymic2_windows_desc *d = p->desc;                                               \
        const T taps = (T)(d->kh * d->kw);                                                    \
        const bool max = d->op == PYMIC2_WINDOWS_MAX_POOL;                                    \
        T best[POOL_CHUNK];                                                                   \
        U best_tap[POOL_CHUNK];                                                               \
        int64_t n, c, oy;                                                                     \
        first_pooled_row(p, begin, &n, &c, &oy);                                              \
        for (int64_t row = begin; row < end; row++, next_pooled_row(p, &n, &c, &oy)) {        \
            const char *plane = p->image + n * d->image.strides[0] + c * d->image.strides[1]; \
            for (int64_t ox0 = 0; ox0 < p->ow; ox0 += POOL_CHUNK) {                           \
                const int64_t count = p->ow - ox0 < POOL_CHUNK ? p->ow - ox0 : POOL_CHUNK;    \
                pool_chunk_##suffix(p, plane, oy, ox0, count, best, best_tap);                \
                char *out = pooled_at(p->cols, d->cols.strides, n, c, oy, ox0);               \
                for (int64_t k = 0; k < count; k++)                                           \
                    store_##suffix(out + k * d->cols.strides[3],                              \
                                   max ? best[k] : best[k] / taps);                           \
                if (!max)                                                                     \
                    continue;                                                                 \
                char *indexes = pooled_at(p->indexes, d->indexes.strides, n, c, oy, ox0);     \
                for (int64_t k = 0; k < count; k++) {                                         \
                    const int64_t tap = (int64_t)best_tap[k];                                 \
                    memcpy(indexes + k * d->indexes.strides[3], &tap, sizeof tap);            \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
    }                                                                                         \
    static void zero_plane_##suffix(const windows_plan *p, char *image)                       \
    {                                                                                         \
        const int64_t *is = p->desc->image.strides;                                           \
        if (is[3] == sizeof(T) && is[2] == p->w * is[3]) {                                    \
            memset(image, 0, (size_t)(p->h * p->w) * sizeof(T));                             \
            return;                                                                           \
        }                                                                                     \
        for (int64_t y = 0; y < p->h; y++)                                                    \
            for (int64_t x = 0; x < p->w; x++)                                                \
                store_##suffix(image + y * is[2] + x * is[3], (T)0);                          \
    }                                                                                         \
    /* MAX_UNPOOL over disjoint windows, one plane (n, c) per item: each gradient added at    \
       its tap (a tap outside the image or the window, not written by the forward, adds      \
       nothing, as in to_image). */                                                           \
    static void scatter_##suffix(void *context, int64_t begin, int64_t end, int member)       \
    {                                                                                         \
        (void)member;                                                                         \
        const windows_plan *p = context;                                                      \
        const pymic2_windows_desc *d = p->desc;                                               \
        const int64_t *is = d->image.strides, taps = d->kh * d->kw;                           \
        for (int64_t plane = begin; plane < end; plane++) {                                   \
            const int64_t c = plane % p->c, n = plane / p->c;                                 \
            char *image = p->image + n * is[0] + c * is[1];                                   \
            zero_plane_##suffix(p, image);                                                    \
            for (int64_t oy = 0; oy < p->oh; oy++) {                                          \
                const char *from = pooled_at(p->cols, d->cols.strides, n, c, oy, 0);          \
                const char *chosen = pooled_at(p->indexes, d->indexes.strides, n, c, oy, 0);  \
                const int64_t y0 = oy * d->sy - d->ph;                                        \
                for (int64_t ox = 0; ox < p->ow; ox++) {                                      \
                    int64_t tap;                                                              \
                    memcpy(&tap, chosen + ox * d->indexes.strides[3], sizeof tap);            \
                    if (tap < 0 || tap >= taps)                                               \
                        continue;                                                             \
                    const int64_t y = y0 + p->tap_y[tap];                                     \
                    const int64_t x = ox * d->sx - d->pw + p->tap_x[tap];                     \
                    if (y < 0 || y >= p->h || x < 0 || x >= p->w)                             \
                        continue;                                                             \
                    char *at = image + y * is[2] + x * is[3];                                 \
                    store_##suffix(at, load_##suffix(at) +                                    \
                                           load_##suffix(from + ox * d->cols.strides[3]));    \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
    }                                                                                         \
    /* One window row into the image row at `to`: to[ox * sx] += from[ox] for ox in [lo, hi) \
       (masked to the forward's taps for MAX_UNPOOL). */                                      \
    static inline void add_row_##suffix(const windows_plan *p, char *to, const char *from,    \
                                        int64_t step, const char *taps, int64_t tap,          \
                                        int64_t lo, int64_t hi)                               \
    {                                                                                         \
        const pymic2_windows_desc *d = p->desc;                                               \
        const int64_t to_step = d->sx * d->image.strides[3];                                  \
        if (p->aligned && taps == NULL && to_step == sizeof(T) && step == sizeof(T)) {        \
            T *restrict out = (T *)to;                                                        \
            const T *restrict in = (const T *)from;                                           \
            for (int64_t ox = lo; ox < hi; ox++)                                              \
                out[ox] += in[ox];                                                            \
            return;                                                                           \
        }                                                                                     \
        for (int64_t ox = lo; ox < hi; ox++) {                                                \
            T value = load_##suffix(from + ox * step);                                        \
            if (taps != NULL) { /* a mask: the taps are unpredictable */                      \
                int64_t chosen;                                                               \
                memcpy(&chosen, taps + ox * d->indexes.strides[3], sizeof chosen);            \
                U bits;                                                                       \
                memcpy(&bits, &value, sizeof bits);                                           \
                bits &= (U)0 - (U)(chosen == tap);                                            \
                memcpy(&value, &bits, sizeof bits);                                           \
            }                                                                                 \
            char *at = to + ox * to_step;                                                     \
            store_##suffix(at, load_##suffix(at) + value);                                    \
        }                                                                                     \
    }                                                                                         \
    /* The passes that write the image, one plane (n, c) per item. */                         \
    static void to_image_##suffix(void *context, int64_t begin, int64_t end, int member)      \
    {                                                                                         \
        (void)member;                                                                         \
        const windows_plan *p = context;                                                      \
        const pymic2_windows_desc *d = p->desc;                                               \
        const int64_t *is = d->image.strides, *cs = d->cols.strides;                          \
        for (int64_t plane = begin; plane < end; plane++) {                                   \
            const int64_t c = plane % p->c, n = plane / p->c;                                 \
            char *image = p->image + n * is[0] + c * is[1];                                   \
            zero_plane_##suffix(p, image);                                                    \
            for (int64_t i = 0; i < d->kh; i++)                                               \
                for (int64_t j = 0; j < d->kw; j++) {                                         \
                    const int64_t tap = i * d->kw + j;                                        \
                    for (int64_t oy = p->y_lo[i]; oy < p->y_hi[i]; oy++) {                    \
                        const int64_t to = (oy * d->sy - d->ph + i * d->dy) * is[2] +         \
                                           (j * d->dx - d->pw) * is[3]; /* bytes, as above */ \
                        const char *from;                                                     \
                        int64_t step;                                                         \
                        if (d->op == PYMIC2_WINDOWS_COL2IM) {                                 \
                            from = p->cols + c * cs[0] + i * cs[1] + j * cs[2] + n * cs[3] +  \
                                   oy * cs[4];                                                \
                            step = cs[5];                                                     \
                        } else {                                                              \
                            from = pooled_at(p->cols, cs, n, c, oy, 0);                       \
                            step = cs[3];                                                     \
                        }                                                                     \
                        const char *taps = d->op == PYMIC2_WINDOWS_MAX_UNPOOL                 \
                            ? pooled_at(p->indexes, d->indexes.strides, n, c, oy, 0) : NULL;  \
                        add_row_##suffix(p, image + to, from, step, taps, tap, p->x_lo[j],    \
                                         p->x_hi[j]);                                         \
                    }                                                                         \
                }                                                                             \
            if (d->op != PYMIC2_WINDOWS_AVERAGE_UNPOOL)                                       \
                continue;                                                                     \
            for (int64_t y = 0; y < p->h; y++)                                                \
                for (int64_t x = 0; x < p->w; x++) {                                          \
                    char *at = image + y * is[2] + x * is[3];                                 \
                    store_##suffix(at, load_##suffix(at) / (T)(d->kh * d->kw));               \
                }                                                                             \
        }                                                                                     \
    }
WINDOWS_KERNELS(float, f32, uint32_t)
WINDOWS_KERNELS(double, f64, uint64_t)
#undef WINDOWS_KERNELS

/* A validated windows pass, its rows split over the device's team. */
static int windows(pymic2_stream *stream, const pymic2_windows_desc *desc)
{
    const pymic2_operand *image = &desc->image, *cols = &desc->cols;
    windows_plan plan = {.desc = desc, .n = image->shape[0], .c = image->shape[1],
                         .h = image->shape[2], .w = image->shape[3],
                         .oh = cols->shape[cols->ndim - 2], .ow = cols->shape[cols->ndim - 1]};
    plan.image = pymic2__host_address(image->buffer, 0) + image->offset;
    plan.cols = pymic2__host_address(cols->buffer, 0) + cols->offset;
    if (desc->indexes.buffer != NULL)
        plan.indexes = pymic2__host_address(desc->indexes.buffer, 0) + desc->indexes.offset;
    const bool f32 = image->dtype == PYMIC2_FLOAT32;
    const size_t itemsize = pymic2_dtype_size(image->dtype);
    plan.aligned = elements_aligned(plan.image, image, itemsize) &&
                   elements_aligned(plan.cols, cols, itemsize) &&
                   operands_disjoint(image, cols);
    pymic2__range_fn fn;
    int64_t rows, row_elements;
    switch (desc->op) {
    case PYMIC2_WINDOWS_IM2COL:
        fn = f32 ? im2col_f32 : im2col_f64;
        rows = plan.c * desc->kh * desc->kw * plan.n * plan.oh;
        row_elements = plan.ow;
        break;
    case PYMIC2_WINDOWS_MAX_POOL:
    case PYMIC2_WINDOWS_AVERAGE_POOL:
        fn = f32 ? pool_f32 : pool_f64;
        rows = plan.n * plan.c * plan.oh;
        row_elements = plan.ow * desc->kh * desc->kw;
        break;
    default: /* the passes that write the image, by planes */
        fn = f32 ? to_image_f32 : to_image_f64;
        if (desc->op == PYMIC2_WINDOWS_MAX_UNPOOL && windows_disjoint(desc))
            fn = f32 ? scatter_f32 : scatter_f64;
        rows = plan.n * plan.c;
        row_elements = plan.h * plan.w + desc->kh * desc->kw * plan.oh * plan.ow;
        break;
    }
    if (rows == 0 || row_elements == 0) /* nothing to write */
        return PYMIC2_OK;
    int status = plan_taps(&plan, stream->device->name);
    if (status != PYMIC2_OK)
        return status;
    const int64_t min_rows = row_elements >= WINDOW_PIECE_ELEMENTS
                                 ? 1 : WINDOW_PIECE_ELEMENTS / row_elements;
    pymic2__team_parallel_for(pymic2__host_of(stream->device)->team, rows, min_rows, fn, &plan);
    free(plan.y_lo);
    return PYMIC2_OK;
}

/* The family's slot: one validated neural-network op. */
int pymic2__host_nn(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    (void)launch;
    switch (command->u.nn.op) {
    case PYMIC2_NN_SOFTMAX_CROSS_ENTROPY:
        return softmax_cross_entropy(stream, &command->u.nn.u.softmax_cross_entropy);
    case PYMIC2_NN_WINDOWS:
        return windows(stream, &command->u.nn.u.windows);
    case PYMIC2_NN_FUSED:
        return pymic2__host_fused(stream, &command->u.nn.u.fused);
    }
    return pymic2__error(PYMIC2_EINVAL, "%s: neural-network op %d is not a pymic2_nn_op",
                         stream->device->name, (int)command->u.nn.op);
}
