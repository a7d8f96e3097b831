/*
 * operand.c - checks and messages shared by every command that takes pymic2_operand views
 * (built-in ops, reductions, GEMM, indexing, random numbers).
 */
#include "core.h"

#include <inttypes.h>
#include <stdio.h>

void pymic2__format_shape(char *text, size_t size, int ndim, const int64_t *shape)
{
    size_t used = (size_t)snprintf(text, size, "(");
    for (int d = 0; d < ndim && used < size; d++)
        used += (size_t)snprintf(text + used, size - used, "%" PRId64 "%s", shape[d],
                                 d + 1 < ndim || ndim == 1 ? "," : "");
    if (used < size)
        snprintf(text + used, size - used, ")");
}

int pymic2__check_operand_memory(pymic2_stream *stream, const char *what,
                                 const pymic2_operand *operand)
{
    const char *device = stream->device->name;
    int64_t first = operand->offset, last = operand->offset; /* lowest, highest element */
    int empty = 0, overflow = 0;
    for (int d = 0; d < operand->ndim; d++) {
        int64_t span;
        if (operand->shape[d] == 0)
            empty = 1;
        else if (__builtin_mul_overflow(operand->shape[d] - 1, operand->strides[d], &span))
            overflow = 1;
        else if (__builtin_add_overflow(span < 0 ? first : last, span, span < 0 ? &first : &last))
            overflow = 1;
    }
    if (empty)
        return pymic2__check_buffer_range(stream, operand->buffer, what, 0, 0);
    int64_t end;
    if (overflow || __builtin_add_overflow(last, (int64_t)pymic2_dtype_size(operand->dtype), &end))
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
