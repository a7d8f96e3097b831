/*
 * nn.c - pymic2_softmax_cross_entropy: validates a row-wise softmax cross entropy (forward or
 * backward) and enqueues it as a PYMIC2__CMD_NN command. The elementwise
 * fused ops of a layer (BIAS_RELU, RELU_GRAD) are op rows in op_table.h instead.
 */
#include "../core/core.h"

#include <inttypes.h>
#include <stdio.h>

#define WHAT "softmax_cross_entropy"

static int is_float(pymic2_dtype dtype)
{
    return dtype == PYMIC2_FLOAT32 || dtype == PYMIC2_FLOAT64;
}

/* An array operand of ndim dimensions; `role` names it in messages. */
static int check_array(const char *device, const char *role, const pymic2_operand *operand,
                       int ndim)
{
    if (operand->buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: " WHAT ": %s is a scalar; it must be an array",
                             device, role);
    if (operand->ndim != ndim)
        return pymic2__error(PYMIC2_ESHAPE, "%s: " WHAT ": %s has %d dimensions; it must have "
                             "%d", device, role, operand->ndim, ndim);
    for (int d = 0; d < ndim; d++)
        if (operand->shape[d] < 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: " WHAT ": %s has negative dimension %d: "
                                 "%" PRId64, device, role, d, operand->shape[d]);
    return PYMIC2_OK;
}

static int check_shapes(const char *device, const pymic2_softmax_cross_entropy_desc *desc)
{
    const pymic2_operand *x = &desc->x, *labels = &desc->labels;
    int status = check_array(device, "x", x, 2);
    if (status == PYMIC2_OK)
        status = check_array(device, "labels", labels, 1);
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
    status = check_array(device, "grad", grad, 2);
    if (status != PYMIC2_OK)
        return status;
    if (grad->dtype != x->dtype)
        return pymic2__error(PYMIC2_EDTYPE, "%s: " WHAT ": grad is %s but x is %s", device,
                             pymic2_dtype_name(grad->dtype), pymic2_dtype_name(x->dtype));
    if (grad->shape[0] != x->shape[0] || grad->shape[1] != x->shape[1])
        return pymic2__error(PYMIC2_ESHAPE, "%s: " WHAT ": grad has shape (%" PRId64 ",%" PRId64
                             ") but x (%" PRId64 ",%" PRId64 ")", device, grad->shape[0],
                             grad->shape[1], x->shape[0], x->shape[1]);
    for (int d = 0; d < 2; d++)
        if (grad->shape[d] > 1 && grad->strides[d] == 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: " WHAT ": grad has stride 0 in dimension "
                                 "%d, so it would write elements repeatedly", device, d);
    return PYMIC2_OK;
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
