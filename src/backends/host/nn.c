/*
 * nn.c - softmax cross entropy (pymic2_softmax_cross_entropy) on a host device.
 *
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

/* The family's slot: one validated neural-network op. */
int pymic2__host_nn(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    (void)launch;
    switch (command->u.nn.op) {
    case PYMIC2_NN_SOFTMAX_CROSS_ENTROPY:
        return softmax_cross_entropy(stream, &command->u.nn.u.softmax_cross_entropy);
    }
    return pymic2__error(PYMIC2_EINVAL, "%s: neural-network op %d is not a pymic2_nn_op",
                         stream->device->name, (int)command->u.nn.op);
}
