/*
 * op_launch.c - pymic2_op_launch: validates a built-in op, normalises its operands and
 * enqueues it; plus the operand helpers.
 *
 * After validation every input has the output's ndim and shape: dimensions it lacks or has
 * as 1 get stride 0 (NumPy's broadcasting), scalars get stride 0 everywhere. Backends then
 * only see same-shaped operands (see the PYMIC2__CMD_OP command).
 */
#include "op_table.h"

#include "../core/core.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* What messages call operand k: "input 0", "input 1", "output". */
static const char *operand_label(int k, int ninputs)
{
    static const char *const inputs[PYMIC2_MAX_OPERANDS] = {"input 0", "input 1", "input 2",
                                                            "input 3"};
    return k == ninputs ? "output" : inputs[k];
}

/* NumPy's spelling of a shape: "(3,4)", "(5,)", "()" (a scalar). */
static void format_shape(char *text, size_t size, const pymic2_operand *operand)
{
    pymic2__format_shape(text, size, operand->buffer ? operand->ndim : 0, operand->shape);
}

/* Every operand's own fields: dtype, ndim, shape; the output is an array. */
static int check_operand(const char *device, const pymic2__op_info *info, int k,
                         const pymic2_operand *operand)
{
    const char *label = operand_label(k, info->ninputs);
    if ((int)operand->dtype < 0 || (int)operand->dtype >= PYMIC2_NUM_DTYPES)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s: %s has dtype %d, which is not a pymic2_dtype",
                             device, info->name, label, (int)operand->dtype);
    if (operand->buffer == NULL) {
        if (k == info->ninputs)
            return pymic2__error(PYMIC2_EINVAL, "%s: %s: the output is a scalar; it must be an "
                                 "array in a buffer", device, info->name);
        return PYMIC2_OK;
    }
    if (operand->ndim < 0 || operand->ndim > PYMIC2_MAX_DIMS)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: %s has ndim %d, not 0..%d", device,
                             info->name, label, operand->ndim, PYMIC2_MAX_DIMS);
    for (int d = 0; d < operand->ndim; d++)
        if (operand->shape[d] < 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: %s: %s has negative dimension %d: %" PRId64,
                                 device, info->name, label, d, operand->shape[d]);
    return PYMIC2_OK;
}

/* The op accepts the inputs' dtype, the inputs agree, and the output dtype follows the rule. */
static int check_dtypes(const pymic2_device *device, const pymic2__op_info *info,
                        const pymic2_op_desc *desc)
{
    const char *name = device->name;
    const int first = info->dtype_input; /* where's condition comes before it */
    const pymic2_dtype input = desc->operands[first].dtype;
    const pymic2_dtype output = desc->operands[info->ninputs].dtype;
    const char *why = info->rejects[pymic2__dtype_class_of(input)];
    if (why == NULL && pymic2__dtype_compute(input) != input)
        why = info->rejects_narrow;
    if (why != NULL)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s of %s: %s", name, info->name,
                             pymic2_dtype_name(input), why);
    if (info->rule == PYMIC2__OUT_SELECT && desc->operands[0].dtype != PYMIC2_BOOL)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s: the condition (input 0) is %s; it must "
                             "be bool", name, info->name,
                             pymic2_dtype_name(desc->operands[0].dtype));
    for (int k = first + 1; k < info->ninputs; k++)
        if (desc->operands[k].dtype != input)
            return pymic2__error(PYMIC2_EDTYPE, "%s: %s: input %d is %s but input %d is %s; "
                                 "cast the inputs to one dtype first", name, info->name, first,
                                 pymic2_dtype_name(input), k,
                                 pymic2_dtype_name(desc->operands[k].dtype));
    const pymic2_dtype expected =
        info->rule == PYMIC2__OUT_ANY ? output : pymic2__op_out_dtype(info, input);
    if (output != expected)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s of %s gives %s, but the output is %s", name,
                             info->name, pymic2_dtype_name(input), pymic2_dtype_name(expected),
                             pymic2_dtype_name(output));
    if (!device->info.supports_fp64)
        for (int k = 0; k <= info->ninputs; k++) {
            pymic2_dtype dtype = desc->operands[k].dtype;
            if (pymic2__dtype_needs_fp64(dtype))
                return pymic2__error(PYMIC2_ENOTSUP, "%s: %s: the device has no %s arithmetic",
                                     name, info->name, pymic2_dtype_name(dtype));
        }
    return PYMIC2_OK;
}

/* NumPy's broadcasting of all operands; the result must be the output's shape. */
static int check_broadcast(const char *device, const pymic2__op_info *info,
                           const pymic2_op_desc *desc)
{
    const pymic2_operand *out = &desc->operands[info->ninputs];
    int ndim = 0;
    int64_t shape[PYMIC2_MAX_DIMS];
    int compatible = 1;
    for (int k = 0; k <= info->ninputs && compatible; k++)
        if (desc->operands[k].buffer != NULL)
            compatible = pymic2_broadcast_shape(&ndim, shape, desc->operands[k].ndim,
                                                desc->operands[k].shape);
    if (!compatible) {
        char text[PYMIC2_MAX_OPERANDS][PYMIC2_MAX_DIMS * 21 + 4];
        for (int k = 0; k <= info->ninputs; k++)
            format_shape(text[k], sizeof text[k], &desc->operands[k]);
        char all[PYMIC2_MAX_OPERANDS * (PYMIC2_MAX_DIMS * 21 + 5)] = "";
        for (int k = 0; k <= info->ninputs; k++) /* NumPy lists every operand's shape */
            snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", k ? " " : "",
                     text[k]);
        return pymic2__error(PYMIC2_ESHAPE,
                             "%s: %s: operands could not be broadcast together with shapes %s",
                             device, info->name, all);
    }
    if (!pymic2__same_shape(ndim, shape, out->ndim, out->shape)) {
        char output[PYMIC2_MAX_DIMS * 21 + 4], broadcast[PYMIC2_MAX_DIMS * 21 + 4];
        format_shape(output, sizeof output, out);
        pymic2__format_shape(broadcast, sizeof broadcast, ndim, shape);
        return pymic2__error(PYMIC2_ESHAPE,
                             "%s: %s: non-broadcastable output operand with shape %s doesn't "
                             "match the broadcast shape %s",
                             device, info->name, output, broadcast);
    }
    return PYMIC2_OK;
}

/* The operand's buffer is live and on the stream's device, and every byte it addresses lies
 * inside the buffer. */
static int check_memory(pymic2_stream *stream, const pymic2__op_info *info, int k,
                        const pymic2_operand *operand)
{
    /* the op's name goes into the label only for a message: formatting it on every call
     * cost more instructions than the rest of the launch (callgrind, 128 x 128 a + b) */
    if (pymic2__check_operand_memory(stream, operand_label(k, info->ninputs), operand) ==
        PYMIC2_OK)
        return PYMIC2_OK;
    char what[64];
    snprintf(what, sizeof what, "%s: %s", info->name, operand_label(k, info->ninputs));
    return pymic2__check_operand_memory(stream, what, operand);
}

/* Writing one output element from several places is a race on a team: refuse it. */
static int check_output_strides(const char *device, const pymic2__op_info *info,
                                const pymic2_operand *out)
{
    int64_t count = 1;
    for (int d = 0; d < out->ndim; d++) {
        if (out->shape[d] > 1 && out->strides[d] == 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: %s: the output has stride 0 in dimension "
                                 "%d (size %" PRId64 "), so it would write elements repeatedly",
                                 device, info->name, d, out->shape[d]);
        if (__builtin_mul_overflow(count, out->shape[d], &count))
            return pymic2__error(PYMIC2_EINVAL, "%s: %s: the output has more than 2^63 elements",
                                 device, info->name);
    }
    return PYMIC2_OK;
}

/* Integer power with a scalar exponent can be refused now rather than at sync. */
static int check_scalar_exponent(const char *device, const pymic2__op_info *info,
                                 const pymic2_op_desc *desc)
{
    const pymic2_operand *exponent = &desc->operands[1];
    if (desc->op != PYMIC2_OP_POWER || exponent->buffer != NULL)
        return PYMIC2_OK;
    if (pymic2__dtype_class_of(exponent->dtype) == PYMIC2__CLASS_INT &&
        pymic2__scalar_is_negative(exponent->dtype, exponent->value))
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: " PYMIC2__NEGATIVE_POWER_MESSAGE, device,
                             info->name);
    return PYMIC2_OK;
}

/* arange: two scalars (start, step) and a 1-D output. */
static int check_iota(const char *device, const pymic2__op_info *info, const pymic2_op_desc *desc)
{
    if (info->rule != PYMIC2__OUT_IOTA)
        return PYMIC2_OK;
    for (int k = 0; k < info->ninputs; k++)
        if (desc->operands[k].buffer != NULL)
            return pymic2__error(PYMIC2_EINVAL, "%s: %s: %s must be a scalar (start, step)",
                                 device, info->name, operand_label(k, info->ninputs));
    if (desc->operands[info->ninputs].ndim != 1)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: the output has %d dimensions; it must "
                             "have 1", device, info->name, desc->operands[info->ninputs].ndim);
    return PYMIC2_OK;
}

int pymic2_op_launch(pymic2_stream *stream, const pymic2_op_desc *desc)
{
    if (stream == NULL || desc == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_op_launch: %s is NULL",
                             stream == NULL ? "stream" : "desc");
    const char *device = stream->device->name;
    if (desc->reduction != PYMIC2_REDUCE_NONE)
        return pymic2__reduce_launch(stream, desc);
    if ((int)desc->op < 0 || (int)desc->op >= PYMIC2_NUM_OPS)
        return pymic2__error(PYMIC2_EINVAL, "%s: op %d is not a built-in op (0..%d)", device,
                             (int)desc->op, PYMIC2_NUM_OPS - 1);
    const pymic2__op_info *info = pymic2__op_get_info(desc->op);
    if (desc->noperands != info->ninputs + 1)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s takes %d input%s and an output, so %d "
                             "operands, not %d", device, info->name, info->ninputs,
                             info->ninputs == 1 ? "" : "s", info->ninputs + 1, desc->noperands);
    int status = PYMIC2_OK;
    for (int k = 0; k < desc->noperands && status == PYMIC2_OK; k++)
        status = check_operand(device, info, k, &desc->operands[k]);
    if (status == PYMIC2_OK)
        status = check_dtypes(stream->device, info, desc);
    if (status == PYMIC2_OK)
        status = check_broadcast(device, info, desc);
    for (int k = 0; k < desc->noperands && status == PYMIC2_OK; k++)
        if (desc->operands[k].buffer != NULL)
            status = check_memory(stream, info, k, &desc->operands[k]);
    if (status == PYMIC2_OK)
        status = check_output_strides(device, info, &desc->operands[info->ninputs]);
    if (status == PYMIC2_OK)
        status = check_scalar_exponent(device, info, desc);
    if (status == PYMIC2_OK)
        status = check_iota(device, info, desc);
    if (status != PYMIC2_OK)
        return status;

    pymic2__command *command =
        pymic2__command_new_from(stream, PYMIC2__CMD_OP, desc, sizeof *desc);
    if (command == NULL)
        return PYMIC2_ENOMEM;
    pymic2_op_desc *op = &command->u.op;
    op->axes = 0;
    const pymic2_operand *out = &op->operands[info->ninputs];
    for (int k = 0; k < info->ninputs; k++)
        pymic2__operand_broadcast(&op->operands[k], out->ndim, out->shape);
    for (int k = 0; k < op->noperands; k++)
        if (op->operands[k].buffer != NULL)
            pymic2__command_use_buffer(command, op->operands[k].buffer);
    return pymic2__command_submit(command);
}

/* ---------------------------------------------------------------- reductions */

/* The output shape a reduction of `in` over `axes` gives: keepdims or not, as `out` is. */
static int check_reduce_shape(const char *device, const pymic2__reduce_info *reduce,
                              const pymic2_operand *in, const pymic2_operand *out,
                              uint32_t axes)
{
    pymic2_operand expected = {.buffer = out->buffer, .ndim = 0};
    int keepdims = out->ndim == in->ndim && !reduce->cumulative;
    for (int d = 0; d < in->ndim; d++) {
        int reduced = (axes >> d & 1) && !reduce->cumulative;
        if (reduced && !keepdims)
            continue;
        expected.shape[expected.ndim++] = reduced ? 1 : in->shape[d];
    }
    int same = expected.ndim == out->ndim;
    for (int d = 0; d < out->ndim && same; d++)
        same = expected.shape[d] == out->shape[d];
    if (same)
        return PYMIC2_OK;
    char have[PYMIC2_MAX_DIMS * 21 + 4], want[PYMIC2_MAX_DIMS * 21 + 4],
        input[PYMIC2_MAX_DIMS * 21 + 4];
    format_shape(have, sizeof have, out);
    format_shape(want, sizeof want, &expected);
    format_shape(input, sizeof input, in);
    return pymic2__error(PYMIC2_ESHAPE, "%s: %s: the output has shape %s, but reducing shape "
                         "%s over axes 0x%x gives %s", device, reduce->name, have, input,
                         (unsigned)axes, want);
}

int pymic2__reduce_launch(pymic2_stream *stream, const pymic2_op_desc *desc)
{
    const pymic2_device *dev = stream->device;
    const char *device = dev->name;
    if ((int)desc->reduction < 0 || (int)desc->reduction >= PYMIC2_NUM_REDUCTIONS)
        return pymic2__error(PYMIC2_EINVAL, "%s: reduction %d is not a pymic2_reduction "
                             "(1..%d)", device, (int)desc->reduction, PYMIC2_NUM_REDUCTIONS - 1);
    const pymic2__reduce_info *reduce = pymic2__reduce_get_info(desc->reduction);
    /* the operand checks name the reduction and call operand 1 the output */
    const pymic2__op_info info = {.name = reduce->name, .ninputs = 1};
    if (desc->noperands != 2)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s takes an input and an output, so 2 "
                             "operands, not %d", device, reduce->name, desc->noperands);
    const pymic2_operand *in = &desc->operands[0], *out = &desc->operands[1];
    int status = PYMIC2_OK;
    for (int k = 0; k < 2 && status == PYMIC2_OK; k++)
        status = check_operand(device, &info, k, &desc->operands[k]);
    if (status != PYMIC2_OK)
        return status;
    if (in->buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: the input is a scalar; it must be an "
                             "array in a buffer (0-d is fine)", device, reduce->name);

    /* dtypes */
    if (reduce->out == PYMIC2__REDUCE_OUT_SAME || reduce->arg) {
        const char *why =
            pymic2__op_get_info(reduce->op)->rejects[pymic2__dtype_class_of(in->dtype)];
        if (why != NULL)
            return pymic2__error(PYMIC2_EDTYPE, "%s: %s of %s: %s", device, reduce->name,
                                 pymic2_dtype_name(in->dtype), why);
    }
    pymic2_dtype expected = reduce->out == PYMIC2__REDUCE_OUT_BOOL    ? PYMIC2_BOOL
                            : reduce->out == PYMIC2__REDUCE_OUT_INT64 ? PYMIC2_INT64
                                                                      : in->dtype;
    if (out->dtype != expected)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s of %s gives %s, but the output is %s%s",
                             device, reduce->name, pymic2_dtype_name(in->dtype),
                             pymic2_dtype_name(expected), pymic2_dtype_name(out->dtype),
                             reduce->out == PYMIC2__REDUCE_OUT_SAME
                                 ? "; cast the input to the result dtype first" : "");
    if (!dev->info.supports_fp64)
        for (int k = 0; k < 2; k++)
            if (pymic2__dtype_needs_fp64(desc->operands[k].dtype))
                return pymic2__error(PYMIC2_ENOTSUP, "%s: %s: the device has no %s arithmetic",
                                     device, reduce->name,
                                     pymic2_dtype_name(desc->operands[k].dtype));

    /* axes */
    const uint32_t axes = desc->axes;
    const uint32_t all = in->ndim == 32 ? UINT32_MAX : ((uint32_t)1 << in->ndim) - 1;
    if (axes & ~all)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: axis %d is out of bounds for array of "
                             "dimension %d", device, reduce->name, __builtin_ctz(axes & ~all),
                             in->ndim);
    int naxes = __builtin_popcount(axes);
    if (reduce->cumulative && naxes != 1)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s runs along exactly one axis, not %d (axes "
                             "0x%x); flatten the input for axis=None", device, reduce->name,
                             naxes, (unsigned)axes);
    if (reduce->arg && naxes != 1 && axes != all)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s takes one axis or all of them, not axes "
                             "0x%x of a %d-d input", device, reduce->name, (unsigned)axes,
                             in->ndim);
    status = check_reduce_shape(device, reduce, in, out, axes);
    if (status != PYMIC2_OK)
        return status;

    /* an empty reduction into a non-empty output needs an identity; argmax and argmin refuse
     * a zero-length axis even when the result is empty, as NumPy's */
    int64_t reduced = 1, kept = 1;
    for (int d = 0; d < in->ndim; d++) {
        if (axes >> d & 1)
            reduced *= in->shape[d] > 0 ? 1 : 0;
        else
            kept *= in->shape[d] > 0 ? 1 : 0;
    }
    if (reduced == 0 && reduce->arg)
        return pymic2__error(PYMIC2_EINVAL, "%s: attempt to get %s of an empty sequence",
                             device, reduce->name);
    if (reduced == 0 && kept != 0 && !reduce->has_identity && !reduce->cumulative)
        return pymic2__error(PYMIC2_EINVAL, "%s: zero-size array to reduction operation %s "
                             "which has no identity", device, reduce->name);

    for (int k = 0; k < 2 && status == PYMIC2_OK; k++)
        status = check_memory(stream, &info, k, &desc->operands[k]);
    if (status == PYMIC2_OK)
        status = check_output_strides(device, &info, out);
    if (status != PYMIC2_OK)
        return status;

    pymic2__command *command =
        pymic2__command_new_from(stream, PYMIC2__CMD_OP, desc, sizeof *desc);
    if (command == NULL)
        return PYMIC2_ENOMEM;
    command->u.op.op = reduce->op;
    for (int k = 0; k < 2; k++)
        pymic2__command_use_buffer(command, desc->operands[k].buffer);
    return pymic2__command_submit(command);
}

int pymic2_operand_contiguous(pymic2_operand *operand, pymic2_buffer *buffer, int64_t offset,
                              pymic2_dtype dtype, int ndim, const int64_t *shape)
{
    if (operand == NULL || (ndim > 0 && shape == NULL))
        return pymic2__error(PYMIC2_EINVAL, "pymic2_operand_contiguous: %s is NULL",
                             operand == NULL ? "operand" : "shape");
    if (ndim < 0 || ndim > PYMIC2_MAX_DIMS)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_operand_contiguous: ndim %d is not 0..%d",
                             ndim, PYMIC2_MAX_DIMS);
    size_t itemsize = pymic2_dtype_size(dtype);
    if (itemsize == 0)
        return pymic2__error(PYMIC2_EDTYPE,
                             "pymic2_operand_contiguous: dtype %d is not a pymic2_dtype",
                             (int)dtype);
    memset(operand, 0, sizeof *operand);
    operand->buffer = buffer;
    operand->offset = offset;
    operand->dtype = dtype;
    operand->ndim = ndim;
    int64_t stride = (int64_t)itemsize;
    for (int d = ndim - 1; d >= 0; d--) {
        if (shape[d] < 0)
            return pymic2__error(PYMIC2_EINVAL,
                                 "pymic2_operand_contiguous: dimension %d is %" PRId64, d,
                                 shape[d]);
        operand->shape[d] = shape[d];
        operand->strides[d] = stride;
        /* a stride that overflows belongs to an array no buffer holds; launch says ERANGE */
        if (__builtin_mul_overflow(stride, shape[d] > 0 ? shape[d] : 1, &stride))
            stride = INT64_MAX;
    }
    return PYMIC2_OK;
}

void pymic2_operand_scalar(pymic2_operand *operand, pymic2_dtype dtype, pymic2_scalar value)
{
    if (operand == NULL) /* nothing to fill; the void signature has no status to return */
        return;
    memset(operand, 0, sizeof *operand);
    operand->dtype = dtype;
    operand->value = value;
}
