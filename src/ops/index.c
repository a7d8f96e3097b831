/*
 * index.c - pymic2_index_launch: validates a gather or scatter by integer index arrays and
 * enqueues it as a PYMIC2__CMD_INDEX command.
 *
 * After validation `values` has the result's ndim and shape (O + S + N, see pymic2.h): for a
 * scatter, the dimensions it broadcasts over get stride 0, and a scalar stays a scalar.
 */
#include "../core/core.h"
#include "op_table.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *const mode_names[] = {"gather", "scatter", "scatter_add"};

/* dtype, ndim and sizes of one array operand; `what` names it. */
static int check_array(const char *device, const char *what, const pymic2_operand *operand)
{
    if (operand->buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s is a scalar; it must be an array in a "
                             "buffer", device, what);
    if ((int)operand->dtype < 0 || (int)operand->dtype >= PYMIC2_NUM_DTYPES)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s has dtype %d, which is not a pymic2_dtype",
                             device, what, (int)operand->dtype);
    if (operand->ndim < 0 || operand->ndim > PYMIC2_MAX_DIMS)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s has ndim %d, not 0..%d", device, what,
                             operand->ndim, PYMIC2_MAX_DIMS);
    for (int d = 0; d < operand->ndim; d++)
        if (operand->shape[d] < 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: %s has negative dimension %d: %" PRId64,
                                 device, what, d, operand->shape[d]);
    return PYMIC2_OK;
}

/* An array whose elements are written must not reach one element from two places. */
static int check_no_repeats(const char *device, const char *what, const pymic2_operand *operand)
{
    for (int d = 0; d < operand->ndim; d++)
        if (operand->shape[d] > 1 && operand->strides[d] == 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: %s has stride 0 in dimension %d (size "
                                 "%" PRId64 "), so it would write elements repeatedly", device,
                                 what, d, operand->shape[d]);
    return PYMIC2_OK;
}

/* The index arrays: integer dtype, one shape. */
static int check_indices(const char *device, const char *mode, const pymic2_index_desc *desc)
{
    char what[64];
    for (int j = 0; j < desc->nindices; j++) {
        const pymic2_operand *index = &desc->indices[j];
        snprintf(what, sizeof what, "%s: index array %d", mode, j);
        int status = check_array(device, what, index);
        if (status != PYMIC2_OK)
            return status;
        if (index->dtype != PYMIC2_INT32 && index->dtype != PYMIC2_INT64)
            return pymic2__error(PYMIC2_EDTYPE, "%s: %s is %s; index arrays must be int32 or "
                                 "int64", device, what, pymic2_dtype_name(index->dtype));
        int same = index->ndim == desc->indices[0].ndim;
        for (int d = 0; d < index->ndim && same; d++)
            same = index->shape[d] == desc->indices[0].shape[d];
        if (!same) {
            char first[PYMIC2__SHAPE_TEXT], this[PYMIC2__SHAPE_TEXT];
            pymic2__format_shape(first, sizeof first, desc->indices[0].ndim,
                                 desc->indices[0].shape);
            pymic2__format_shape(this, sizeof this, index->ndim, index->shape);
            return pymic2__error(PYMIC2_ESHAPE, "%s: %s: index array 0 has shape %s but index "
                                 "array %d has shape %s; broadcast them to one shape first",
                                 device, mode, first, j, this);
        }
    }
    return PYMIC2_OK;
}

/* values against the result shape: exact for a gather, broadcastable for a scatter. */
static int check_values_shape(const char *device, const char *mode, const pymic2_index_desc *desc,
                              int ndim, const int64_t *shape)
{
    const pymic2_operand *values = &desc->values;
    if (values->buffer == NULL)
        return PYMIC2_OK; /* a scalar (scatters only; a gather was refused before) */
    bool fits = pymic2__same_shape(values->ndim, values->shape, ndim, shape);
    if (!fits && desc->mode != PYMIC2_INDEX_GATHER) { /* values broadcast to the result */
        int merged_ndim = ndim;
        int64_t merged[PYMIC2_MAX_DIMS];
        memcpy(merged, shape, (size_t)ndim * sizeof shape[0]);
        fits = pymic2_broadcast_shape(&merged_ndim, merged, values->ndim, values->shape) &&
               pymic2__same_shape(merged_ndim, merged, ndim, shape);
    }
    if (fits)
        return PYMIC2_OK;
    char have[PYMIC2__SHAPE_TEXT], want[PYMIC2__SHAPE_TEXT];
    pymic2__format_shape(have, sizeof have, values->ndim, values->shape);
    pymic2__format_shape(want, sizeof want, ndim, shape);
    if (desc->mode == PYMIC2_INDEX_GATHER)
        return pymic2__error(PYMIC2_ESHAPE, "%s: gather: the output has shape %s, but the "
                             "indexing result has shape %s", device, have, want);
    return pymic2__error(PYMIC2_ESHAPE, "%s: %s: shape mismatch: value array of shape %s could "
                         "not be broadcast to indexing result of shape %s", device, mode, have,
                         want);
}

int pymic2_index_launch(pymic2_stream *stream, const pymic2_index_desc *desc)
{
    if (stream == NULL || desc == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_index_launch: %s is NULL",
                             stream == NULL ? "stream" : "desc");
    const pymic2_device *dev = stream->device;
    const char *device = dev->name;
    if ((int)desc->mode < 0 || (int)desc->mode > PYMIC2_INDEX_SCATTER_ADD)
        return pymic2__error(PYMIC2_EINVAL, "%s: index mode %d is not a pymic2_index_mode",
                             device, (int)desc->mode);
    const char *mode = mode_names[desc->mode];
    char what[64];
    snprintf(what, sizeof what, "%s: the indexed array", mode);
    int status = check_array(device, what, &desc->array);
    if (status != PYMIC2_OK)
        return status;
    const pymic2_operand *array = &desc->array;
    if (desc->nindices < 1 || desc->nindices > PYMIC2_MAX_INDEX_ARRAYS)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: %d index arrays; 1..%d are supported",
                             device, mode, desc->nindices, PYMIC2_MAX_INDEX_ARRAYS);
    if (desc->axis < 0 || desc->axis > array->ndim - desc->nindices)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: too many indices for array: %d index "
                             "arrays from axis %d of a %d-dimensional array", device, mode,
                             desc->nindices, desc->axis, array->ndim);
    status = check_indices(device, mode, desc);
    if (status != PYMIC2_OK)
        return status;

    /* the result shape O + S + N */
    const pymic2_operand *first = &desc->indices[0];
    int ndim = array->ndim - desc->nindices + first->ndim;
    if (ndim > PYMIC2_MAX_DIMS)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: the result would have %d dimensions, more "
                             "than %d", device, mode, ndim, PYMIC2_MAX_DIMS);
    int64_t shape[PYMIC2_MAX_DIMS];
    int n = 0;
    for (int d = 0; d < desc->axis; d++)
        shape[n++] = array->shape[d];
    for (int d = 0; d < first->ndim; d++)
        shape[n++] = first->shape[d];
    for (int d = desc->axis + desc->nindices; d < array->ndim; d++)
        shape[n++] = array->shape[d];

    const pymic2_operand *values = &desc->values;
    if ((int)values->dtype < 0 || (int)values->dtype >= PYMIC2_NUM_DTYPES)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s: values have dtype %d, which is not a "
                             "pymic2_dtype", device, mode, (int)values->dtype);
    if (values->dtype != array->dtype)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s: the array is %s but the values are %s; "
                             "cast the values first", device, mode,
                             pymic2_dtype_name(array->dtype), pymic2_dtype_name(values->dtype));
    if (desc->mode == PYMIC2_INDEX_SCATTER_ADD && !dev->info.supports_fp64 &&
        pymic2__dtype_needs_fp64(array->dtype))
        return pymic2__error(PYMIC2_ENOTSUP, "%s: %s: the device has no %s arithmetic", device,
                             mode, pymic2_dtype_name(array->dtype));
    if (values->buffer == NULL && desc->mode == PYMIC2_INDEX_GATHER)
        return pymic2__error(PYMIC2_EINVAL, "%s: gather: the output is a scalar; it must be an "
                             "array in a buffer", device);
    if (values->buffer != NULL) {
        status = check_array(device, desc->mode == PYMIC2_INDEX_GATHER ? "gather: the output"
                                                                       : "scatter: the values",
                             values);
        if (status != PYMIC2_OK)
            return status;
    }
    status = check_values_shape(device, mode, desc, ndim, shape);
    if (status != PYMIC2_OK)
        return status;

    /* memory */
    status = pymic2__check_operand_memory(stream, what, array);
    for (int j = 0; j < desc->nindices && status == PYMIC2_OK; j++) {
        snprintf(what, sizeof what, "%s: index array %d", mode, j);
        status = pymic2__check_operand_memory(stream, what, &desc->indices[j]);
    }
    if (status == PYMIC2_OK && values->buffer != NULL) {
        snprintf(what, sizeof what, "%s: the %s", mode,
                 desc->mode == PYMIC2_INDEX_GATHER ? "output" : "values");
        status = pymic2__check_operand_memory(stream, what, values);
    }
    if (status == PYMIC2_OK) {
        snprintf(what, sizeof what, "%s: the %s", mode,
                 desc->mode == PYMIC2_INDEX_GATHER ? "output" : "indexed array");
        status = check_no_repeats(device, what,
                                  desc->mode == PYMIC2_INDEX_GATHER ? values : array);
    }
    if (status != PYMIC2_OK)
        return status;

    pymic2__command *command =
        pymic2__command_new_from(stream, PYMIC2__CMD_INDEX, desc, sizeof *desc);
    if (command == NULL)
        return PYMIC2_ENOMEM;
    pymic2_index_desc *index = &command->u.index;
    pymic2__operand_broadcast(&index->values, ndim, shape);
    pymic2__command_use_buffer(command, index->array.buffer);
    for (int j = 0; j < index->nindices; j++)
        pymic2__command_use_buffer(command, index->indices[j].buffer);
    if (index->values.buffer != NULL)
        pymic2__command_use_buffer(command, index->values.buffer);
    return pymic2__command_submit(command);
}
