/*
 * operand.c - checks and messages shared by every command that takes pymic2_operand views
 * (built-in ops, reductions, GEMM, indexing, random numbers).
 */
#include "core.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void pymic2__format_shape(char *text, size_t size, int ndim, const int64_t *shape)
{
    size_t used = (size_t)snprintf(text, size, "(");
    for (int d = 0; d < ndim && used < size; d++)
        used += (size_t)snprintf(text + used, size - used, "%" PRId64 "%s", shape[d],
                                 d + 1 < ndim || ndim == 1 ? "," : "");
    if (used < size)
        snprintf(text + used, size - used, ")");
}

int pymic2_view_extent(int64_t offset, int ndim, const int64_t *shape, const int64_t *strides,
                       size_t itemsize, int64_t *first, int64_t *end)
{
    *first = *end = offset;
    for (int d = 0; d < ndim; d++)
        if (shape[d] == 0)
            return PYMIC2_OK;
    int64_t low = offset, high = offset; /* the lowest and the highest element */
    bool overflow = false;
    for (int d = 0; d < ndim && !overflow; d++) {
        int64_t span;
        overflow = __builtin_mul_overflow(shape[d] - 1, strides[d], &span) ||
                   __builtin_add_overflow(span < 0 ? low : high, span, span < 0 ? &low : &high);
    }
    if (overflow || __builtin_add_overflow(high, (int64_t)itemsize, &high))
        return pymic2__error(PYMIC2_ERANGE, "a view's shape and strides address more bytes "
                             "than an int64 counts");
    *first = low;
    *end = high;
    return PYMIC2_OK;
}

int pymic2_broadcast_shape(int *result_ndim, int64_t *result_shape, int ndim,
                           const int64_t *shape)
{
    if (ndim > *result_ndim) { /* prepend 1s: the shapes align at their last dimension */
        int extra = ndim - *result_ndim;
        memmove(result_shape + extra, result_shape, (size_t)*result_ndim * sizeof *shape);
        for (int d = 0; d < extra; d++)
            result_shape[d] = 1;
        *result_ndim = ndim;
    }
    int64_t *aligned = result_shape + (*result_ndim - ndim);
    for (int d = 0; d < ndim; d++) {
        if (aligned[d] == 1)
            aligned[d] = shape[d];
        else if (shape[d] != 1 && shape[d] != aligned[d])
            return 0;
    }
    return 1;
}

bool pymic2__same_shape(int ndim_a, const int64_t *a, int ndim_b, const int64_t *b)
{
    if (ndim_a != ndim_b)
        return false;
    for (int d = 0; d < ndim_a; d++)
        if (a[d] != b[d])
            return false;
    return true;
}

void pymic2__operand_broadcast(pymic2_operand *operand, int ndim, const int64_t *shape)
{
    /* in place, from the last dimension: dimension d reads the operand's dimension
     * d - shift <= d, which no earlier step has overwritten (copying the 550-byte operand
     * twice and zeroing its arrays cost 5x the instructions) */
    const int old_ndim = operand->buffer == NULL ? 0 : operand->ndim;
    const int shift = ndim - old_ndim;
    for (int d = ndim - 1; d >= 0; d--) {
        int j = d - shift;
        bool repeated = j < 0 || operand->shape[j] != shape[d];
        operand->strides[d] = repeated ? 0 : operand->strides[j];
        operand->shape[d] = shape[d];
    }
    for (int d = ndim; d < operand->ndim; d++) /* nothing stale past ndim */
        operand->shape[d] = operand->strides[d] = 0;
    operand->ndim = ndim;
    if (operand->buffer == NULL)
        operand->offset = 0;
}

void pymic2__operand_extent(const pymic2_operand *operand, int64_t *first, int64_t *end)
{
    pymic2_view_extent(operand->offset, operand->ndim, operand->shape, operand->strides,
                       pymic2_dtype_size(operand->dtype), first, end);
}

int pymic2__check_operand_memory(pymic2_stream *stream, const char *what,
                                 const pymic2_operand *operand)
{
    const char *device = stream->device->name;
    int64_t first, end;
    int status = pymic2_view_extent(operand->offset, operand->ndim, operand->shape,
                                    operand->strides, pymic2_dtype_size(operand->dtype), &first,
                                    &end);
    if (status == PYMIC2_OK && first == end) /* empty */
        return pymic2__check_buffer_range(stream, operand->buffer, what, 0, 0);
    if (status != PYMIC2_OK)
        return pymic2__error(PYMIC2_ERANGE, "%s: %s: its shape and strides address more bytes "
                             "than an int64 counts", device, what);
    if (first < 0) {
        int status = pymic2__check_buffer_range(stream, operand->buffer, what, 0, 0);
        if (status != PYMIC2_OK)
            return status;
        return pymic2__error(PYMIC2_ERANGE, "%s: %s: addresses bytes [%" PRId64 ", %" PRId64
                             ") of a %zu-byte buffer, starting before it", device, what, first,
                             end, operand->buffer->size);
    }
    return pymic2__check_buffer_range(stream, operand->buffer, what, (size_t)first,
                                      (size_t)(end - first));
}
