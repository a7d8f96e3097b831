/*
 * nn_fused.c - the NN family's fused kernels (pymic2_fused) on a host device: the optimizer
 * updates and dropout split their elements over the device's team, batch normalization its
 * channels, the LSTM cell its rows. Each kernel is written once (FUSED_KERNELS) and
 * instantiated for float and double; the arithmetic follows Chainer 7's NumPy code operation
 * by operation (hyperparameters rounded to the dtype where NumPy rounds them), except that
 * batch normalization's sums run per block of BN_BLOCK elements in the dtype and add the
 * blocks in double (NumPy sums pairwise in the dtype).
 */
#include "host_internal.h"
#include "loops.h"

#include "../../ops/philox.h"

#include <math.h>
#include <string.h>

/* Elements per piece of the elementwise kernels: small updates stay on one thread. */
#define FUSED_PIECE (32 * 1024)

/* Units of an LSTM row per pass: the gates' tanh runs as one vectorised loop over them. */
#define LSTM_CHUNK 128

/* Batch-norm sums (see bn_sums): partial sums per block, elements per block. */
#define BN_LANES 8
#define BN_BLOCK 128
enum { BN_NONE, BN_X, BN_SQUARES, BN_GY, BN_GY_X_HAT }; /* the terms bn_sums adds */

typedef struct fused_plan {
    const pymic2_fused_desc *desc;
    char *at[PYMIC2_FUSED_MAX_OPERANDS]; /* element 0 of each operand; NULL when absent */
    pymic2__loop_fn tanh;                /* the op table's tanh loop (LSTM), SIMD-dispatched */
} fused_plan;

/* values[k] = tanh(values[k]) for k < n, by the op table's contiguous loop. */
static void lstm_tanh(const fused_plan *plan, void *values, int64_t n)
{
    const int64_t size = (int64_t)pymic2_dtype_size(plan->desc->dtype);
    const int64_t steps[2] = {size, size};
    char *args[2] = {values, values};
    pymic2__loop_state state = {0};
    plan->tanh(args, n, steps, &state);
}

#define FUSED_KERNELS(T, s, SQRT)                                                      \
    static void optimizer_##s(void *context, int64_t begin, int64_t end, int member)         \
    {                                                                                        \
        (void)member;                                                                        \
        const fused_plan *p = context;                                                       \
        const double *hp = p->desc->params;                                                  \
        T *param = (T *)p->at[0], *m = (T *)p->at[2], *v = (T *)p->at[3];                    \
        T *vhat = (T *)p->at[4];                                                             \
        const T *grad = (const T *)p->at[1];                                                 \
        const T lr = (T)hp[0], momentum = (T)hp[1];                                          \
        switch (p->desc->op) {                                                               \
        case PYMIC2_FUSED_SGD:                                                               \
            for (int64_t i = begin; i < end; i++)                                            \
                param[i] -= lr * grad[i];                                                    \
            return;                                                                          \
        case PYMIC2_FUSED_MOMENTUM_SGD: /* v is operand 2 here */                            \
            for (int64_t i = begin; i < end; i++) {                                          \
                m[i] = m[i] * momentum - lr * grad[i];                                       \
                param[i] += m[i];                                                            \
            }                                                                                \
            return;                                                                          \
        case PYMIC2_FUSED_NESTEROV_AG: {                                                     \
            const T squared = (T)(hp[1] * hp[1]), step = (T)((1 + hp[1]) * hp[0]);           \
            for (int64_t i = begin; i < end; i++) {                                          \
                m[i] = m[i] * momentum - lr * grad[i];                                       \
                param[i] += squared * m[i];                                                  \
                param[i] -= step * grad[i];                                                  \
            }                                                                                \
            return;                                                                          \
        }                                                                                    \
        default: { /* ADAM: beta1, beta2, eps, eta, weight decay rate, alpha_t */            \
            const T one_beta1 = (T)(1 - hp[0]), one_beta2 = (T)(1 - hp[1]), eps = (T)hp[2];  \
            const T decay = (T)(1 - hp[3] * hp[4]), eta = (T)-hp[3], alpha_t = (T)hp[5];     \
            for (int64_t i = begin; i < end; i++) {                                          \
                const T g = grad[i];                                                         \
                m[i] += one_beta1 * (g - m[i]);                                              \
                v[i] += one_beta2 * (g * g - v[i]);                                          \
                T bound = v[i];                                                              \
                if (vhat != NULL) { /* numpy.maximum: NaN wins */                            \
                    if (!(vhat[i] >= bound) && vhat[i] == vhat[i])                           \
                        vhat[i] = bound;                                                     \
                    bound = vhat[i];                                                         \
                }                                                                            \
                const T step = alpha_t / (SQRT(bound) + eps);                                \
                param[i] = decay * param[i] + eta * (step * m[i]);                           \
            }                                                                                \
            return;                                                                          \
        }                                                                                    \
        }                                                                                    \
    }                                                                                        \
    /* one Philox block (4 elements) per item, as pymic2_random's float32 uniforms */        \
    static void dropout_##s(void *context, int64_t begin, int64_t end, int member)           \
    {                                                                                        \
        (void)member;                                                                        \
        const fused_plan *p = context;                                                       \
        const pymic2_fused_desc *d = p->desc;                                                \
        const T *x = (const T *)p->at[0];                                                    \
        T *mask = (T *)p->at[1], *y = (T *)p->at[2];                                         \
        const float ratio = (float)d->params[0];                                             \
        const T scale = (T)(1.0 / (1.0 - d->params[0]));                                     \
        for (int64_t block = begin; block < end; block++) {                                  \
            uint32_t w[4];                                                                   \
            pymic2__philox_block(d->seed, d->counter + (uint64_t)block, w);                  \
            for (int64_t k = 0; k < 4 && block * 4 + k < d->sizes[0]; k++) {                 \
                const int64_t i = block * 4 + k;                                             \
                mask[i] = pymic2__philox_unit_f32(w[k]) >= ratio ? scale : (T)0;             \
                y[i] = x[i] * mask[i];                                                       \
            }                                                                                \
        }                                                                                    \
    }                                                                                        \
    /* One term of a batch-norm sum at element k of a channel's run. */                    \
    static inline T bn_term_##s(const T *x, const T *gy, int64_t k, T mean, T inv_std,       \
                                int kind)                                                    \
    {                                                                                        \
        switch (kind) {                                                                      \
        case BN_X:                                                                           \
            return x[k];                                                                     \
        case BN_SQUARES: {                                                                   \
            const T e = x[k] - mean;                                                         \
            return e * e;                                                                    \
        }                                                                                    \
        case BN_GY:                                                                          \
            return gy[k];                                                                    \
        default: /* BN_GY_X_HAT (BN_NONE is never summed) */                         \
            return gy[k] * ((x[k] - mean) * inv_std);                                        \
        }                                                                                    \
    }                                                                                        \
    /* The sums of one or two kinds of term (second: BN_NONE for one) over channel c of      \
       (N, C, S) arrays (x, gy at element [0, c, 0]), into sums[0] and sums[1]: in the dtype  \
       over blocks of BN_BLOCK elements, BN_LANES partial sums each (as NumPy's pairwise      \
       sum: vectorised, and as accurate), the blocks added in double. One serial chain of    \
       double adds per channel made the CNN's batch norm (100x32x28x28) take 5.7 ms of CPU   \
       forward and 3.7 backward; this 1.7 and 2.8 (2-core Zen 4, loaded). */                 \
    static inline __attribute__((always_inline)) void                                        \
    bn_sums_##s(const T *x, const T *gy, int64_t n, int64_t stride, int64_t size, T mean,    \
                T inv_std, int first, int second, double *sums)                              \
    {                                                                                        \
        sums[0] = sums[1] = 0;                                                               \
        for (int64_t b = 0; b < n; b++) {                                                    \
            const T *xb = x + b * stride, *gb = gy + b * stride;                             \
            for (int64_t k0 = 0; k0 < size; k0 += BN_BLOCK) {                                \
                const int64_t end = size - k0 < BN_BLOCK ? size : k0 + BN_BLOCK;             \
                T lane[2][BN_LANES] = {{0}}, block[2] = {0, 0};                              \
                int64_t k = k0;                                                              \
                for (; k + BN_LANES <= end; k += BN_LANES)                                   \
                    for (int l = 0; l < BN_LANES; l++) {                                     \
                        lane[0][l] += bn_term_##s(xb, gb, k + l, mean, inv_std, first);      \
                        if (second != BN_NONE)                                               \
                            lane[1][l] += bn_term_##s(xb, gb, k + l, mean, inv_std, second); \
                    }                                                                        \
                for (int l = 0; l < BN_LANES; l++) {                                         \
                    block[0] += lane[0][l];                                                  \
                    block[1] += lane[1][l];                                                  \
                }                                                                            \
                for (; k < end; k++) {                                                       \
                    block[0] += bn_term_##s(xb, gb, k, mean, inv_std, first);                \
                    if (second != BN_NONE)                                                   \
                        block[1] += bn_term_##s(xb, gb, k, mean, inv_std, second);           \
                }                                                                            \
                sums[0] += (double)block[0];                                                 \
                sums[1] += (double)block[1];                                                 \
            }                                                                                \
        }                                                                                    \
    }                                                                                        \
    static void bn_forward_##s(void *context, int64_t begin, int64_t end, int member)        \
    {                                                                                        \
        (void)member;                                                                        \
        const fused_plan *p = context;                                                       \
        const pymic2_fused_desc *d = p->desc;                                                \
        const int64_t n = d->sizes[0], channels = d->sizes[1], size = d->sizes[2];           \
        const T *x = (const T *)p->at[0], *gamma = (const T *)p->at[1];                      \
        const T *beta = (const T *)p->at[2];                                                 \
        T *y = (T *)p->at[3], *rm = (T *)p->at[7], *rv = (T *)p->at[8];                      \
        const double count = (double)(n * size);                                             \
        for (int64_t c = begin; c < end; c++) {                                              \
            const T *xc = x + c * size;                                                      \
            const int64_t stride = channels * size;                                          \
            double sums[2];                                                                  \
            bn_sums_##s(xc, xc, n, stride, size, 0, 0, BN_X, BN_NONE, sums);                 \
            const T mean_t = (T)(sums[0] / count);                                           \
            bn_sums_##s(xc, xc, n, stride, size, mean_t, 0, BN_SQUARES, BN_NONE, sums);      \
            const T var_t = (T)(sums[0] / count);                                            \
            const T inv_std = (T)1 / SQRT(var_t + (T)d->params[0]);                          \
            const T g = gamma[c], shift = beta[c]; /* y may alias neither: locals */         \
            ((T *)p->at[4])[c] = mean_t;                                                     \
            ((T *)p->at[5])[c] = var_t;                                                      \
            ((T *)p->at[6])[c] = inv_std;                                                    \
            for (int64_t b = 0; b < n; b++) {                                                \
                const int64_t row = (b * channels + c) * size;                               \
                for (int64_t k = 0; k < size; k++)                                           \
                    y[row + k] = (x[row + k] - mean_t) * inv_std * g + shift;                \
            }                                                                                \
            if (rm != NULL)                                                                  \
                rm[c] = rm[c] * (T)d->params[1] + (T)(1 - d->params[1]) * mean_t;            \
            if (rv != NULL)                                                                  \
                rv[c] = rv[c] * (T)d->params[1] +                                            \
                        (T)((1 - d->params[1]) * d->params[2]) * var_t;                      \
        }                                                                                    \
    }                                                                                        \
    static void bn_backward_##s(void *context, int64_t begin, int64_t end, int member)       \
    {                                                                                        \
        (void)member;                                                                        \
        const fused_plan *p = context;                                                       \
        const pymic2_fused_desc *d = p->desc;                                                \
        const int64_t n = d->sizes[0], channels = d->sizes[1], size = d->sizes[2];           \
        const T *x = (const T *)p->at[0], *gy = (const T *)p->at[1];                         \
        const T *gamma = (const T *)p->at[2], *mean = (const T *)p->at[3];                   \
        const T *inv_std = (const T *)p->at[4];                                              \
        T *gx = (T *)p->at[5], *ggamma = (T *)p->at[6], *gbeta = (T *)p->at[7];              \
        const T inv_m = (T)(1.0 / (double)(n * size));                                       \
        for (int64_t c = begin; c < end; c++) {                                              \
            const T mean_c = mean[c], inv_std_c = inv_std[c];                                \
            const T *xc = x + c * size, *gc = gy + c * size;                                 \
            const int64_t stride = channels * size;                                          \
            double sums[2];                                                                  \
            bn_sums_##s(xc, gc, n, stride, size, mean_c, inv_std_c, BN_GY, BN_GY_X_HAT,    \
                        sums);                                                               \
            const T gb = (T)sums[0], gg = (T)sums[1];                                        \
            const T scale = gamma[c] * inv_std_c;                                            \
            gbeta[c] = gb;                                                                   \
            ggamma[c] = gg;                                                                  \
            for (int64_t b = 0; b < n; b++) {                                                \
                const int64_t row = (b * channels + c) * size;                               \
                for (int64_t k = 0; k < size; k++) {                                         \
                    const T x_hat = (x[row + k] - mean_c) * inv_std_c;                       \
                    gx[row + k] = scale * (gy[row + k] - (x_hat * gg + gb) * inv_m);         \
                }                                                                            \
            }                                                                                \
        }                                                                                    \
    }                                                                                        \
    /* gate g of unit u in row r of x: Chainer's reshape (B, H/R, 4, R); R = 1 (the usual    \
     * (B, 4H) gates) without the division per element, which dominated the cell's time */ \
    static inline int64_t gate_##s(const pymic2_fused_desc *d, int64_t r, int64_t u, int g)  \
    {                                                                                        \
        const int64_t h = d->sizes[2], trail = d->sizes[3];                                  \
        if (trail == 1)                                                                      \
            return r * 4 * h + 4 * u + g;                                                    \
        return r * 4 * h + u / trail * 4 * trail + g * trail + u % trail;                    \
    }                                                                                        \
    /* t[g * n + j] = tanh(a) and the sigmoids of i, f, o for units u0 + j, j < n,           \
     * of row r, through tanh (sigmoid(v) = tanh(v / 2) / 2 + 1/2, as Chainer's) */          \
    static void lstm_gates_##s(const fused_plan *p, int64_t r, int64_t u0, int64_t n, T *t)  \
    {                                                                                        \
        const T *x = (const T *)p->at[1];                                                    \
        for (int g = 0; g < 4; g++)                                                          \
            for (int64_t j = 0; j < n; j++)                                                  \
                t[g * n + j] = x[gate_##s(p->desc, r, u0 + j, g)] *                          \
                               (g == 0 ? (T)1 : (T)0.5);                                     \
        lstm_tanh(p, t, 4 * n);                                                              \
        for (int64_t j = n; j < 4 * n; j++)                                                  \
            t[j] = t[j] * (T)0.5 + (T)0.5;                                                   \
    }                                                                                        \
    static void lstm_forward_##s(void *context, int64_t begin, int64_t end, int member)      \
    {                                                                                        \
        (void)member;                                                                        \
        const fused_plan *p = context;                                                       \
        const int64_t batch = p->desc->sizes[1], h = p->desc->sizes[2];                      \
        const T *c_prev = (const T *)p->at[0];                                               \
        T *c_next = (T *)p->at[2], *out = (T *)p->at[3];                                     \
        T t[4 * LSTM_CHUNK], co[LSTM_CHUNK];                                                 \
        for (int64_t r = begin; r < end; r++)                                                \
            for (int64_t u0 = 0; u0 < h; u0 += LSTM_CHUNK) {                                 \
                const int64_t n = h - u0 < LSTM_CHUNK ? h - u0 : LSTM_CHUNK;                 \
                const int64_t at = r * h + u0;                                               \
                if (r >= batch) {                                                            \
                    memcpy(c_next + at, c_prev + at, (size_t)n * sizeof(T));                 \
                    continue;                                                                \
                }                                                                            \
                lstm_gates_##s(p, r, u0, n, t);                                              \
                for (int64_t j = 0; j < n; j++) {                                            \
                    co[j] = t[j] * t[n + j] + t[2 * n + j] * c_prev[at + j];                 \
                    c_next[at + j] = co[j];                                                  \
                }                                                                            \
                lstm_tanh(p, co, n);                                                         \
                for (int64_t j = 0; j < n; j++)                                              \
                    out[at + j] = t[3 * n + j] * co[j];                                      \
            }                                                                                \
    }                                                                                        \
    static void lstm_backward_##s(void *context, int64_t begin, int64_t end, int member)     \
    {                                                                                        \
        (void)member;                                                                        \
        const fused_plan *p = context;                                                       \
        const pymic2_fused_desc *d = p->desc;                                                \
        const int64_t batch = d->sizes[1], h = d->sizes[2];                                  \
        const T *c_prev = (const T *)p->at[0], *c_next = (const T *)p->at[2];                \
        const T *gc = (const T *)p->at[3], *gh = (const T *)p->at[4];                        \
        T *gc_prev = (T *)p->at[5], *gx = (T *)p->at[6];                                     \
        T t[4 * LSTM_CHUNK], co[LSTM_CHUNK];                                                 \
        for (int64_t r = begin; r < end; r++)                                                \
            for (int64_t u0 = 0; u0 < h; u0 += LSTM_CHUNK) {                                 \
                const int64_t n = h - u0 < LSTM_CHUNK ? h - u0 : LSTM_CHUNK;                 \
                const int64_t at = r * h + u0;                                               \
                if (r >= batch) {                                                            \
                    for (int64_t j = 0; j < n; j++)                                          \
                        gc_prev[at + j] = gc != NULL ? gc[at + j] : (T)0;                    \
                    continue;                                                                \
                }                                                                            \
                lstm_gates_##s(p, r, u0, n, t);                                              \
                memcpy(co, c_next + at, (size_t)n * sizeof(T));                              \
                lstm_tanh(p, co, n);                                                         \
                for (int64_t j = 0; j < n; j++) {                                            \
                    const T a = t[j], i = t[n + j];                                          \
                    const T f = t[2 * n + j], o = t[3 * n + j];                              \
                    const T gh_in = gh != NULL ? gh[at + j] : (T)0;                          \
                    const T g = gh_in * o * ((T)1 - co[j] * co[j]) +                         \
                                (gc != NULL ? gc[at + j] : (T)0);                            \
                    const int64_t u = u0 + j;                                                \
                    gx[gate_##s(d, r, u, 0)] = g * i * ((T)1 - a * a);                       \
                    gx[gate_##s(d, r, u, 1)] = g * a * (i * ((T)1 - i));                     \
                    gx[gate_##s(d, r, u, 2)] = g * c_prev[at + j] * (f * ((T)1 - f));        \
                    gx[gate_##s(d, r, u, 3)] = gh_in * co[j] * (o * ((T)1 - o));             \
                    gc_prev[at + j] = g * f;                                                 \
                }                                                                            \
            }                                                                                \
    }
FUSED_KERNELS(float, f32, sqrtf)
FUSED_KERNELS(double, f64, sqrt)
#undef FUSED_KERNELS

/* A validated fused op: its kernel over items (elements, blocks, channels or rows). */
int pymic2__host_fused(pymic2_stream *stream, const pymic2_fused_desc *desc)
{
    fused_plan plan = {.desc = desc};
    for (int k = 0; k < PYMIC2_FUSED_MAX_OPERANDS; k++)
        if (desc->buffers[k] != NULL)
            plan.at[k] = pymic2__host_address(desc->buffers[k], 0) + desc->offsets[k];
    const bool f32 = desc->dtype == PYMIC2_FLOAT32;
    const int64_t *sizes = desc->sizes;
    pymic2__range_fn fn;
    int64_t items, min_items;
    switch (desc->op) {
    case PYMIC2_FUSED_DROPOUT:
        fn = f32 ? dropout_f32 : dropout_f64;
        items = sizes[0] / 4 + (sizes[0] % 4 != 0);
        min_items = FUSED_PIECE / 4;
        break;
    case PYMIC2_FUSED_BATCH_NORM_FORWARD:
    case PYMIC2_FUSED_BATCH_NORM_BACKWARD:
        fn = desc->op == PYMIC2_FUSED_BATCH_NORM_FORWARD ? (f32 ? bn_forward_f32 : bn_forward_f64)
                                                        : (f32 ? bn_backward_f32 : bn_backward_f64);
        items = sizes[1];
        min_items = 1 + FUSED_PIECE / (sizes[0] * sizes[2] + 1);
        break;
    case PYMIC2_FUSED_LSTM_FORWARD:
    case PYMIC2_FUSED_LSTM_BACKWARD:
        fn = desc->op == PYMIC2_FUSED_LSTM_FORWARD ? (f32 ? lstm_forward_f32 : lstm_forward_f64)
                                                  : (f32 ? lstm_backward_f32 : lstm_backward_f64);
        plan.tanh = pymic2__host_loop_find(PYMIC2_OP_TANH, desc->dtype, desc->dtype);
        items = sizes[0];
        min_items = 1 + FUSED_PIECE / 4 / (sizes[2] + 1); /* transcendental-heavy */
        break;
    default: /* the optimizers */
        fn = f32 ? optimizer_f32 : optimizer_f64;
        items = sizes[0];
        min_items = FUSED_PIECE;
        break;
    }
    if (items > 0)
        pymic2__team_parallel_for(pymic2__host_of(stream->device)->team, items, min_items, fn,
                                  &plan);
    return PYMIC2_OK;
}
