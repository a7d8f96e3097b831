/*
 * nn.c - the NN family's launchers: pymic2_softmax_cross_entropy validates a row-wise softmax
 * cross entropy (forward or backward), pymic2_windows an im2col, col2im or 2-d pooling pass,
 * pymic2_fused one fused layer or optimizer kernel (PYMIC2_FUSED_TABLE: operand kinds checked
 * from the table's row); each enqueues a PYMIC2__CMD_NN command. The elementwise fused ops of
 * a layer (BIAS_RELU, RELU_GRAD) are op rows in op_table.h instead.
 */
#include "../core/core.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define WHAT "softmax_cross_entropy"

static int is_float(pymic2_dtype dtype)
{
    return dtype == PYMIC2_FLOAT32 || dtype == PYMIC2_FLOAT64;
}

/* An array operand of ndim dimensions; `what` names the op, `role` the operand. */
static int check_array(const char *device, const char *what, const char *role,
                       const pymic2_operand *operand, int ndim)
{
    if (operand->buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: %s is a scalar; it must be an array",
                             device, what, role);
    if (operand->ndim != ndim)
        return pymic2__error(PYMIC2_ESHAPE, "%s: %s: %s has %d dimensions; it must have %d",
                             device, what, role, operand->ndim, ndim);
    for (int d = 0; d < ndim; d++)
        if (operand->shape[d] < 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: %s: %s has negative dimension %d: "
                                 "%" PRId64, device, what, role, d, operand->shape[d]);
    return PYMIC2_OK;
}

/* An output must not write an element twice: no stride 0 in a dimension longer than 1. */
static int check_written(const char *device, const char *what, const char *role,
                         const pymic2_operand *operand)
{
    for (int d = 0; d < operand->ndim; d++)
        if (operand->shape[d] > 1 && operand->strides[d] == 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: %s: %s has stride 0 in dimension %d, so "
                                 "it would write elements repeatedly", device, what, role, d);
    return PYMIC2_OK;
}

static int check_shapes(const char *device, const pymic2_softmax_cross_entropy_desc *desc)
{
    const pymic2_operand *x = &desc->x, *labels = &desc->labels;
    int status = check_array(device, WHAT, "x", x, 2);
    if (status == PYMIC2_OK)
        status = check_array(device, WHAT, "labels", labels, 1);
    if (status != PYMIC2_OK)
        return status;
    if (!is_float(x->dtype))
        return pymic2__error(PYMIC2_EDTYPE, "%s: " WHAT ": x is %s; it must be float32 or "
                             "float64", device, pymic2_dtype_name(x->dtype));
    if (labels->dtype != PYMIC2_INT32 && labels->dtype != PYMIC2_INT64)
        return pymic2__error(PYMIC2_EDTYPE, "%s: " WHAT ": labels are %s; they must be int32 "
                             "or int64", device, pymic2_dtype_name(labels->dtype));
    if (labels->shape[0] != x->shape[0])
        return pymic2__error(PYMIC2_ESHAPE, "%s: " WHAT ": %" PRId64 " labels for %" PRId64
                             " rows of x", device, labels->shape[0], x->shape[0]);
    if (x->shape[0] > 0 && x->shape[1] == 0)
        return pymic2__error(PYMIC2_ESHAPE, "%s: " WHAT ": x has %" PRId64 " rows of 0 classes",
                             device, x->shape[0]);
    const pymic2_operand *loss = &desc->loss;
    const char *loss_role = desc->pass == PYMIC2_SOFTMAX_CROSS_ENTROPY_FORWARD ? "the loss"
                                                                               : "gloss";
    if (loss->dtype != x->dtype)
        return pymic2__error(PYMIC2_EDTYPE, "%s: " WHAT ": %s is %s but x is %s", device,
                             loss_role, pymic2_dtype_name(loss->dtype),
                             pymic2_dtype_name(x->dtype));
    if (loss->buffer == NULL) {
        if (desc->pass == PYMIC2_SOFTMAX_CROSS_ENTROPY_FORWARD)
            return pymic2__error(PYMIC2_EINVAL, "%s: " WHAT ": the loss (the output) is a "
                                 "scalar; it must be a 0-d array", device);
    } else if (loss->ndim != 0) {
        return pymic2__error(PYMIC2_ESHAPE, "%s: " WHAT ": %s has %d dimensions; it must be "
                             "0-d", device, loss_role, loss->ndim);
    }
    if (desc->pass == PYMIC2_SOFTMAX_CROSS_ENTROPY_FORWARD)
        return PYMIC2_OK;
    const pymic2_operand *grad = &desc->grad;
    status = check_array(device, WHAT, "grad", grad, 2);
    if (status != PYMIC2_OK)
        return status;
    if (grad->dtype != x->dtype)
        return pymic2__error(PYMIC2_EDTYPE, "%s: " WHAT ": grad is %s but x is %s", device,
                             pymic2_dtype_name(grad->dtype), pymic2_dtype_name(x->dtype));
    if (grad->shape[0] != x->shape[0] || grad->shape[1] != x->shape[1])
        return pymic2__error(PYMIC2_ESHAPE, "%s: " WHAT ": grad has shape (%" PRId64 ",%" PRId64
                             ") but x (%" PRId64 ",%" PRId64 ")", device, grad->shape[0],
                             grad->shape[1], x->shape[0], x->shape[1]);
    return check_written(device, WHAT, "grad", grad);
}

int pymic2_softmax_cross_entropy(pymic2_stream *stream,
                                 const pymic2_softmax_cross_entropy_desc *desc)
{
    if (stream == NULL || desc == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_softmax_cross_entropy: %s is NULL",
                             stream == NULL ? "stream" : "desc");
    const char *device = stream->device->name;
    if (desc->pass != PYMIC2_SOFTMAX_CROSS_ENTROPY_FORWARD &&
        desc->pass != PYMIC2_SOFTMAX_CROSS_ENTROPY_BACKWARD)
        return pymic2__error(PYMIC2_EINVAL, "%s: " WHAT ": pass %d is neither FORWARD nor "
                             "BACKWARD", device, (int)desc->pass);
    int status = check_shapes(device, desc);
    if (status != PYMIC2_OK)
        return status;
    if (desc->x.dtype == PYMIC2_FLOAT64 && !stream->device->info.supports_fp64)
        return pymic2__error(PYMIC2_ENOTSUP, "%s: " WHAT ": the device has no float64 "
                             "arithmetic", device);
    status = pymic2__check_operand_memory(stream, WHAT ": x", &desc->x);
    if (status == PYMIC2_OK)
        status = pymic2__check_operand_memory(stream, WHAT ": labels", &desc->labels);
    if (status == PYMIC2_OK && desc->loss.buffer != NULL)
        status = pymic2__check_operand_memory(stream, WHAT ": loss", &desc->loss);
    if (status == PYMIC2_OK && desc->pass == PYMIC2_SOFTMAX_CROSS_ENTROPY_BACKWARD)
        status = pymic2__check_operand_memory(stream, WHAT ": grad", &desc->grad);
    if (status != PYMIC2_OK)
        return status;

    pymic2__command *command = pymic2__command_new(stream, PYMIC2__CMD_NN);
    if (command == NULL)
        return PYMIC2_ENOMEM;
    command->u.nn.op = PYMIC2_NN_SOFTMAX_CROSS_ENTROPY;
    command->u.nn.u.softmax_cross_entropy = *desc;
    pymic2__command_use_buffer(command, desc->x.buffer);
    pymic2__command_use_buffer(command, desc->labels.buffer);
    if (desc->loss.buffer != NULL)
        pymic2__command_use_buffer(command, desc->loss.buffer);
    if (desc->pass == PYMIC2_SOFTMAX_CROSS_ENTROPY_BACKWARD)
        pymic2__command_use_buffer(command, desc->grad.buffer);
    return pymic2__command_submit(command);
}

/* ---------------------------------------------------------------- windows */

#undef WHAT
#define WHAT "windows"

static const char *const windows_names[] = {"im2col", "col2im", "max_pool", "max_unpool",
                                            "average_pool", "average_unpool"};

static bool windows_is_im2col(pymic2_windows_op op)
{
    return op == PYMIC2_WINDOWS_IM2COL || op == PYMIC2_WINDOWS_COL2IM;
}

static bool windows_has_indexes(pymic2_windows_op op)
{
    return op == PYMIC2_WINDOWS_MAX_POOL || op == PYMIC2_WINDOWS_MAX_UNPOOL;
}

/* The passes whose output is the image (the others write cols, and indexes). */
static bool windows_writes_image(pymic2_windows_op op)
{
    return op == PYMIC2_WINDOWS_COL2IM || op == PYMIC2_WINDOWS_MAX_UNPOOL ||
           op == PYMIC2_WINDOWS_AVERAGE_UNPOOL;
}

static int check_geometry(const char *device, const char *what, const pymic2_windows_desc *d)
{
    if (d->kh < 1 || d->kw < 1 || d->sy < 1 || d->sx < 1 || d->dy < 1 || d->dx < 1)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: taps (%" PRId64 ",%" PRId64 "), strides "
                             "(%" PRId64 ",%" PRId64 ") and dilation (%" PRId64 ",%" PRId64
                             ") must be at least 1", device, what, d->kh, d->kw, d->sy, d->sx,
                             d->dy, d->dx);
    if (d->ph < 0 || d->pw < 0)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: padding (%" PRId64 ",%" PRId64 ") must "
                             "not be negative", device, what, d->ph, d->pw);
    return PYMIC2_OK;
}

/* Shapes and dtypes: image (N, C, H, W); cols as the op says; indexes int64 of cols' shape. */
static int check_windows_shapes(const char *device, const char *what,
                                const pymic2_windows_desc *d)
{
    const bool im2col = windows_is_im2col(d->op);
    int status = check_array(device, what, "image", &d->image, 4);
    if (status == PYMIC2_OK)
        status = check_array(device, what, "cols", &d->cols, im2col ? 6 : 4);
    if (status == PYMIC2_OK && windows_has_indexes(d->op))
        status = check_array(device, what, "indexes", &d->indexes, 4);
    if (status != PYMIC2_OK)
        return status;
    if (!is_float(d->image.dtype) || d->cols.dtype != d->image.dtype)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s: image is %s and cols %s; both must be "
                             "float32 or both float64", device, what,
                             pymic2_dtype_name(d->image.dtype), pymic2_dtype_name(d->cols.dtype));
    const int64_t *image = d->image.shape, *cols = d->cols.shape;
    const int64_t want[6] = {image[1], d->kh, d->kw, image[0], cols[4], cols[5]};
    const int64_t want_pool[4] = {image[0], image[1], cols[2], cols[3]};
    if (!pymic2__same_shape(d->cols.ndim, cols, d->cols.ndim, im2col ? want : want_pool)) {
        char got[PYMIC2__SHAPE_TEXT], expected[PYMIC2__SHAPE_TEXT];
        pymic2__format_shape(got, sizeof got, d->cols.ndim, cols);
        pymic2__format_shape(expected, sizeof expected, d->cols.ndim, im2col ? want : want_pool);
        return pymic2__error(PYMIC2_ESHAPE, "%s: %s: cols has shape %s; for this image and "
                             "these taps it must be %s", device, what, got, expected);
    }
    if (!windows_has_indexes(d->op))
        return PYMIC2_OK;
    if (d->indexes.dtype != PYMIC2_INT64)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s: indexes are %s; they must be int64",
                             device, what, pymic2_dtype_name(d->indexes.dtype));
    if (!pymic2__same_shape(4, d->indexes.shape, 4, cols))
        return pymic2__error(PYMIC2_ESHAPE, "%s: %s: indexes and cols have different shapes",
                             device, what);
    return PYMIC2_OK;
}

static int check_windows_memory(pymic2_stream *stream, const pymic2_windows_desc *d)
{
    const bool writes_image = windows_writes_image(d->op);
    const char *device = stream->device->name;
    const char *what = windows_names[d->op];
    int status = writes_image ? check_written(device, what, "image", &d->image)
                              : check_written(device, what, "cols", &d->cols);
    if (status == PYMIC2_OK && d->op == PYMIC2_WINDOWS_MAX_POOL)
        status = check_written(device, what, "indexes", &d->indexes);
    if (status == PYMIC2_OK)
        status = pymic2__check_operand_memory(stream, WHAT ": image", &d->image);
    if (status == PYMIC2_OK)
        status = pymic2__check_operand_memory(stream, WHAT ": cols", &d->cols);
    if (status == PYMIC2_OK && windows_has_indexes(d->op))
        status = pymic2__check_operand_memory(stream, WHAT ": indexes", &d->indexes);
    return status;
}

int pymic2_windows(pymic2_stream *stream, const pymic2_windows_desc *desc)
{
    if (stream == NULL || desc == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_windows: %s is NULL",
                             stream == NULL ? "stream" : "desc");
    const char *device = stream->device->name;
    if ((unsigned)desc->op > PYMIC2_WINDOWS_AVERAGE_UNPOOL)
        return pymic2__error(PYMIC2_EINVAL, "%s: " WHAT ": op %d is not a pymic2_windows_op",
                             device, (int)desc->op);
    const char *what = windows_names[desc->op];
    int status = check_geometry(device, what, desc);
    if (status == PYMIC2_OK)
        status = check_windows_shapes(device, what, desc);
    if (status != PYMIC2_OK)
        return status;
    if (desc->image.dtype == PYMIC2_FLOAT64 && !stream->device->info.supports_fp64)
        return pymic2__error(PYMIC2_ENOTSUP, "%s: %s: the device has no float64 arithmetic",
                             device, what);
    status = check_windows_memory(stream, desc);
    if (status != PYMIC2_OK)
        return status;

    pymic2__command *command = pymic2__command_new(stream, PYMIC2__CMD_NN);
    if (command == NULL)
        return PYMIC2_ENOMEM;
    command->u.nn.op = PYMIC2_NN_WINDOWS;
    command->u.nn.u.windows = *desc;
    pymic2__command_use_buffer(command, desc->image.buffer);
    pymic2__command_use_buffer(command, desc->cols.buffer);
    if (windows_has_indexes(desc->op))
        pymic2__command_use_buffer(command, desc->indexes.buffer);
    return pymic2__command_submit(command);
}

/* ---------------------------------------------------------------- fused kernels */

#undef WHAT
#define WHAT "fused"

static const struct {
    const char *name, *kinds;
    unsigned written, optional;
    int params;
} fused_rows[] = {
#define FUSED_ROW(NAME, name, kinds, written, optional, params) \
    {#name, kinds, written, optional, params},
    PYMIC2_FUSED_TABLE(FUSED_ROW)
#undef FUSED_ROW
};

/* The element count of an operand of `kind` (see PYMIC2_FUSED_TABLE), or -1 on overflow. */
static int64_t fused_count(char kind, const int64_t sizes[4])
{
    int64_t factors[3] = {1, 1, 1}, count = 1;
    switch (kind) {
    case 'n': factors[0] = sizes[0]; break;
    case 'X': factors[0] = sizes[0], factors[1] = sizes[1], factors[2] = sizes[2]; break;
    case 'C': factors[0] = sizes[1]; break;
    case 'c': factors[0] = sizes[0], factors[1] = sizes[2]; break;
    case 'x': factors[0] = sizes[1], factors[1] = 4, factors[2] = sizes[2]; break;
    default:  factors[0] = sizes[1], factors[1] = sizes[2]; break; /* 'h' */
    }
    for (int k = 0; k < 3; k++)
        if (__builtin_mul_overflow(count, factors[k], &count))
            return -1;
    return count;
}

/* C order with no gaps (or no elements): the kernels walk an operand as a flat run. */
static bool fused_contiguous(const pymic2_operand *operand, int64_t *count)
{
    int64_t step = (int64_t)pymic2_dtype_size(operand->dtype);
    bool contiguous = true;
    *count = 1;
    for (int d = operand->ndim - 1; d >= 0; d--) {
        contiguous = contiguous && (operand->shape[d] == 1 || operand->strides[d] == step);
        step *= operand->shape[d];
        *count *= operand->shape[d];
    }
    return contiguous || *count == 0;
}

static int check_fused_sizes(const char *device, const pymic2_fused_args *args)
{
    const char *name = fused_rows[args->op].name;
    for (int k = 0; k < 4; k++)
        if (args->sizes[k] < 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: %s: size %d is negative (%" PRId64 ")",
                                 device, name, k, args->sizes[k]);
    if (args->op == PYMIC2_FUSED_LSTM_FORWARD || args->op == PYMIC2_FUSED_LSTM_BACKWARD) {
        if (args->sizes[1] > args->sizes[0])
            return pymic2__error(PYMIC2_ESHAPE, "%s: %s: %" PRId64 " batch rows but c has "
                                 "only %" PRId64, device, name, args->sizes[1], args->sizes[0]);
        if (args->sizes[3] < 1 || args->sizes[2] % args->sizes[3] != 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: %s: the gate layout's trailing size %"
                                 PRId64 " must be at least 1 and divide the %" PRId64 " units",
                                 device, name, args->sizes[3], args->sizes[2]);
    }
    if (args->op == PYMIC2_FUSED_DROPOUT && !(args->params[0] >= 0 && args->params[0] < 1))
        return pymic2__error(PYMIC2_EINVAL, "%s: dropout: ratio %g is not in [0, 1)", device,
                             args->params[0]);
    return PYMIC2_OK;
}

/* Every operand: present unless optional, contiguous, of the first operand's float dtype
 * and of the element count its kind gives; then its memory. */
static int check_fused_operands(pymic2_stream *stream, const pymic2_fused_args *args)
{
    const char *device = stream->device->name, *name = fused_rows[args->op].name;
    const char *kinds = fused_rows[args->op].kinds;
    const pymic2_dtype dtype = args->operands[0].dtype;
    if (!is_float(dtype))
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s: operand 0 is %s; the operands must be "
                             "float32 or float64", device, name, pymic2_dtype_name(dtype));
    for (int k = 0; kinds[k] != '\0'; k++) {
        const pymic2_operand *operand = &args->operands[k];
        if (operand->buffer == NULL) {
            if (fused_rows[args->op].optional >> k & 1)
                continue;
            return pymic2__error(PYMIC2_EINVAL, "%s: %s: operand %d is missing (a scalar or "
                                 "NULL buffer); it must be an array", device, name, k);
        }
        if (operand->dtype != dtype)
            return pymic2__error(PYMIC2_EDTYPE, "%s: %s: operand %d is %s but operand 0 is %s",
                                 device, name, k, pymic2_dtype_name(operand->dtype),
                                 pymic2_dtype_name(dtype));
        int64_t count, want = fused_count(kinds[k], args->sizes);
        if (!fused_contiguous(operand, &count))
            return pymic2__error(PYMIC2_EINVAL, "%s: %s: operand %d is not C-contiguous",
                                 device, name, k);
        if (count != want)
            return pymic2__error(PYMIC2_ESHAPE, "%s: %s: operand %d has %" PRId64 " elements; "
                                 "the sizes call for %" PRId64, device, name, k, count, want);
        int status = pymic2__check_operand_memory(stream, WHAT, operand);
        if (status != PYMIC2_OK)
            return status;
    }
    if (dtype == PYMIC2_FLOAT64 && !stream->device->info.supports_fp64)
        return pymic2__error(PYMIC2_ENOTSUP, "%s: %s: the device has no float64 arithmetic",
                             device, name);
    return PYMIC2_OK;
}

int pymic2_fused(pymic2_stream *stream, const pymic2_fused_args *args, uint64_t *next_counter)
{
    if (stream == NULL || args == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_fused: %s is NULL",
                             stream == NULL ? "stream" : "args");
    const char *device = stream->device->name;
    if ((unsigned)args->op >= PYMIC2_FUSED_COUNT)
        return pymic2__error(PYMIC2_EINVAL, "%s: " WHAT ": op %d is not a pymic2_fused_op",
                             device, (int)args->op);
    int status = check_fused_sizes(device, args);
    if (status == PYMIC2_OK)
        status = check_fused_operands(stream, args);
    if (status != PYMIC2_OK)
        return status;
    const uint64_t blocks = args->op == PYMIC2_FUSED_DROPOUT
                                ? (uint64_t)args->sizes[0] / 4 + (args->sizes[0] % 4 != 0) : 0;
    if (blocks > UINT64_MAX - args->counter)
        return pymic2__error(PYMIC2_EINVAL, "%s: dropout: counter %" PRIu64 " plus %" PRIu64
                             " blocks passes 2^64; reseed the generator", device, args->counter,
                             blocks);

    pymic2__command *command = pymic2__command_new(stream, PYMIC2__CMD_NN);
    if (command == NULL)
        return PYMIC2_ENOMEM;
    command->u.nn.op = PYMIC2_NN_FUSED;
    pymic2_fused_desc *desc = &command->u.nn.u.fused;
    memset(desc, 0, sizeof *desc);
    desc->op = args->op;
    desc->dtype = args->operands[0].dtype;
    memcpy(desc->sizes, args->sizes, sizeof desc->sizes);
    memcpy(desc->params, args->params, sizeof desc->params);
    desc->seed = args->seed;
    desc->counter = args->counter;
    for (int k = 0; fused_rows[args->op].kinds[k] != '\0'; k++) {
        desc->buffers[k] = args->operands[k].buffer;
        desc->offsets[k] = args->operands[k].offset;
        if (desc->buffers[k] != NULL)
            pymic2__command_use_buffer(command, desc->buffers[k]);
    }
    status = pymic2__command_submit(command);
    if (status == PYMIC2_OK && next_counter != NULL)
        *next_counter = args->counter + blocks;
    return status;
}
