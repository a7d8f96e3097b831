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
 * atomics and do not depend on the thread count. Output ranges are computed per row
 * (window_range), so the inner loops have no bounds checks; unit strides copy rows whole.
 */

/* Rows (planes) per piece at least this many elements' worth. */
#define WINDOW_PIECE_ELEMENTS (8 * 1024)
/* Pooled outputs of a row computed together (their maxima and taps live on the stack). */
#define POOL_CHUNK 256

typedef struct windows_plan {
    const pymic2_windows_desc *desc;
    char *image, *cols, *indexes; /* element [0, ...] of each */
    int64_t n, c, h, w, oh, ow;
} windows_plan;

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

/* cols[n, c, oy, ox] (pooling layout) or indexes[...]: its byte address. */
static inline char *pooled_at(char *base, const int64_t *strides, int64_t n, int64_t c,
                              int64_t oy, int64_t ox)
{
    return base + n * strides[0] + c * strides[1] + oy * strides[2] + ox * strides[3];
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
        const bool unit = d->sx == 1 && is[3] == sizeof(T) && cs[5] == sizeof(T);            \
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
            int64_t lo = 0, hi = 0;                                                           \
            if (y >= 0 && y < p->h)                                                           \
                window_range(p->w, j, d->pw, d->sx, d->dx, p->ow, &lo, &hi);                  \
            for (int64_t ox = 0; ox < lo; ox++)                                               \
                store_##suffix(out + ox * cs[5], (T)0);                                       \
            /* byte offsets, not pointers: column j*dx - pw of a row may lie before it */     \
            const int64_t in = n * is[0] + c * is[1] + y * is[2] + (j * d->dx - d->pw) * is[3]; \
            if (unit && hi > lo)                                                              \
                memcpy(out + lo * cs[5], p->image + in + lo * is[3],                          \
                       (size_t)(hi - lo) * sizeof(T));                                        \
            else                                                                              \
                for (int64_t ox = lo; ox < hi; ox++)                                          \
                    store_##suffix(out + ox * cs[5],                                          \
                                   load_##suffix(p->image + in + ox * d->sx * is[3]));        \
            for (int64_t ox = hi; ox < p->ow; ox++)                                           \
                store_##suffix(out + ox * cs[5], (T)0);                                       \
        }                                                                                     \
    }                                                                                         \
    /* Pooled row (n, c, oy), POOL_CHUNK outputs at a time from ox0: taps outer, outputs      \
       inner, so the inner loop is a run of selects over a row of the image (no per-tap       \
       bounds checks, nothing for random data to mispredict). A tap outside the image reads   \
       -inf (max) or 0 (mean), which changes nothing: it is skipped. */                       \
    static void pool_chunk_##suffix(const windows_plan *p, const char *plane, int64_t oy,     \
                                    int64_t ox0, int64_t count, T *best, int64_t *best_tap)   \
    {                                                                                         \
        const pymic2_windows_desc *d = p->desc;                                               \
        const int64_t *is = d->image.strides;                                                 \
        const bool max = d->op == PYMIC2_WINDOWS_MAX_POOL;                                    \
        for (int64_t k = 0; k < count; k++) {                                                 \
            best[k] = max ? (T)-INFINITY : (T)0;                                              \
            best_tap[k] = 0;                                                                  \
        }                                                                                     \
        for (int64_t i = 0; i < d->kh; i++) {                                                 \
            const int64_t y = oy * d->sy - d->ph + i * d->dy;                                 \
            if (y < 0 || y >= p->h)                                                           \
                continue;                                                                     \
            for (int64_t j = 0; j < d->kw; j++) {                                             \
                int64_t lo, hi;                                                               \
                window_range(p->w, j, d->pw, d->sx, d->dx, p->ow, &lo, &hi);                  \
                lo = lo > ox0 ? lo - ox0 : 0;                                                 \
                hi = hi - ox0 < count ? hi - ox0 : count;                                     \
                /* byte offsets: column j*dx - pw may lie before the row */                   \
                const char *row = plane + y * is[2] + ((ox0 * d->sx) + j * d->dx - d->pw) * is[3]; \
                const int64_t step = d->sx * is[3], tap = i * d->kw + j;                      \
                for (int64_t k = lo; k < hi && !max; k++)                                    \
                    best[k] += load_##suffix(row + k * step);                                 \
                for (int64_t k = lo; k < hi && max; k++) {                                    \
                    const T value = load_##suffix(row + k * step), old = best[k];             \
                    /* numpy.argmax: the first maximum, or the first NaN */                   \
                    const bool take = (value > old) | ((value != value) & (old == old));      \
                    /* masks, not selects: gcc turns those back into branches, which     \
                       random data mispredicts */                                             \
                    U bits, old_bits;                                                         \
                    memcpy(&bits, &value, sizeof bits);                                       \
                    memcpy(&old_bits, &old, sizeof old_bits);                                 \
                    const U mask = (U)0 - (U)take;                                            \
                    bits = (bits & mask) | (old_bits & ~mask);                                \
                    memcpy(&best[k], &bits, sizeof bits);                                     \
                    const int64_t tap_mask = -(int64_t)take;                                  \
                    best_tap[k] = (tap & tap_mask) | (best_tap[k] & ~tap_mask);               \
                }                                                                             \
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
        T best[POOL_CHUNK];                                                                   \
        int64_t best_tap[POOL_CHUNK];                                                         \
        for (int64_t row = begin; row < end; row++) {                                         \
            const int64_t oy = row % p->oh, c = row / p->oh % p->c, n = row / p->oh / p->c;   \
            const char *plane = p->image + n * d->image.strides[0] + c * d->image.strides[1]; \
            for (int64_t ox0 = 0; ox0 < p->ow; ox0 += POOL_CHUNK) {                           \
                const int64_t count = p->ow - ox0 < POOL_CHUNK ? p->ow - ox0 : POOL_CHUNK;    \
                pool_chunk_##suffix(p, plane, oy, ox0, count, best, best_tap);                \
                for (int64_t k = 0; k < count; k++) {                                         \
                    const T value = d->op == PYMIC2_WINDOWS_MAX_POOL ? best[k] : best[k] / taps; \
                    store_##suffix(pooled_at(p->cols, d->cols.strides, n, c, oy, ox0 + k),    \
                                   value);                                                    \
                    if (d->op == PYMIC2_WINDOWS_MAX_POOL)                                     \
                        memcpy(pooled_at(p->indexes, d->indexes.strides, n, c, oy, ox0 + k),  \
                               &best_tap[k], sizeof best_tap[k]);                             \
                }                                                                             \
            }                                                                                 \
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
            for (int64_t y = 0; y < p->h; y++)                                                \
                for (int64_t x = 0; x < p->w; x++)                                            \
                    store_##suffix(image + y * is[2] + x * is[3], (T)0);                      \
            for (int64_t i = 0; i < d->kh; i++) {                                             \
                int64_t oy_lo, oy_hi;                                                         \
                window_range(p->h, i, d->ph, d->sy, d->dy, p->oh, &oy_lo, &oy_hi);            \
                for (int64_t j = 0; j < d->kw; j++) {                                         \
                    int64_t lo, hi;                                                           \
                    window_range(p->w, j, d->pw, d->sx, d->dx, p->ow, &lo, &hi);              \
                    const int64_t tap = i * d->kw + j;                                        \
                    for (int64_t oy = oy_lo; oy < oy_hi; oy++) {                              \
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
                        for (int64_t ox = lo; ox < hi; ox++) {                                \
                            T value = load_##suffix(from + ox * step);                        \
                            if (taps != NULL) { /* a mask: the taps are unpredictable */      \
                                int64_t chosen;                                               \
                                memcpy(&chosen, taps + ox * d->indexes.strides[3],            \
                                       sizeof chosen);                                        \
                                U bits;                                                       \
                                memcpy(&bits, &value, sizeof bits);                           \
                                bits &= (U)0 - (U)(chosen == tap);                            \
                                memcpy(&value, &bits, sizeof bits);                           \
                            }                                                                 \
                            char *at = image + to + ox * d->sx * is[3];                       \
                            store_##suffix(at, load_##suffix(at) + value);                    \
                        }                                                                     \
                    }                                                                         \
                }                                                                             \
            }                                                                                 \
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
        rows = plan.n * plan.c;
        row_elements = plan.h * plan.w + desc->kh * desc->kw * plan.oh * plan.ow;
        break;
    }
    if (rows == 0 || row_elements == 0) /* nothing to write */
        return PYMIC2_OK;
    const int64_t min_rows = row_elements >= WINDOW_PIECE_ELEMENTS
                                 ? 1 : WINDOW_PIECE_ELEMENTS / row_elements;
    pymic2__team_parallel_for(pymic2__host_of(stream->device)->team, rows, min_rows, fn, &plan);
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
