/*
 * sort.c - pymic2_sort: validates a sort of rows (in place, optionally with the permutation),
 * a selection (partition) of rows, a search of sorted values or the runs of sorted values, and enqueues it as a
 * PYMIC2__CMD_SORT command.
 */
#include "../core/core.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

/* An array operand of at least min_ndim dimensions; `role` names it in messages. */
static int check_array(const char *device, const char *role, const pymic2_operand *operand,
                       int min_ndim)
{
    if (operand->buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: sort: %s is a scalar; it must be an array",
                             device, role);
    if (operand->ndim < min_ndim || operand->ndim > PYMIC2_MAX_DIMS)
        return pymic2__error(PYMIC2_ESHAPE, "%s: sort: %s has %d dimensions; it must have "
                             "at least %d", device, role, operand->ndim, min_ndim);
    for (int d = 0; d < operand->ndim; d++)
        if (operand->shape[d] < 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: sort: %s has negative dimension %d: "
                                 "%" PRId64, device, role, d, operand->shape[d]);
    return PYMIC2_OK;
}

/* An output: no stride 0 along a dimension of more than one element. */
static int check_written(const char *device, const char *role, const pymic2_operand *operand)
{
    for (int d = 0; d < operand->ndim; d++)
        if (operand->shape[d] > 1 && operand->strides[d] == 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: sort: %s has stride 0 in dimension %d, "
                                 "so it would write elements repeatedly", device, role, d);
    return PYMIC2_OK;
}

static int check_indices(const char *device, const pymic2_operand *indices,
                         const pymic2_operand *like, const char *like_role)
{
    int status = check_array(device, "the indices", indices, 1);
    if (status != PYMIC2_OK)
        return status;
    if (indices->dtype != PYMIC2_INT64)
        return pymic2__error(PYMIC2_EDTYPE, "%s: sort: the indices are %s; they must be int64",
                             device, pymic2_dtype_name(indices->dtype));
    if (!pymic2__same_shape(indices->ndim, indices->shape, like->ndim, like->shape))
        return pymic2__error(PYMIC2_ESHAPE, "%s: sort: the indices' shape differs from %s's",
                             device, like_role);
    return check_written(device, "the indices", indices);
}

static int check_rows(const char *device, const pymic2_sort_desc *desc)
{
    int status = check_array(device, "values", &desc->values, 1);
    if (status == PYMIC2_OK && desc->keep_values && desc->indices.buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: sort: keep_values without indices would "
                             "write nothing", device);
    if (status == PYMIC2_OK && !desc->keep_values)
        status = check_written(device, "values", &desc->values);
    if (status == PYMIC2_OK && desc->indices.buffer != NULL)
        status = check_indices(device, &desc->indices, &desc->values, "values");
    return status;
}

/* The rows' checks, and the positions: a 1-d int64 array of at least one (their order and
 * range are checked where they are read, by the device). */
static int check_select(const char *device, const pymic2_sort_desc *desc)
{
    int status = check_rows(device, desc);
    if (status == PYMIC2_OK)
        status = check_array(device, "the positions", &desc->keys, 1);
    if (status != PYMIC2_OK)
        return status;
    if (desc->keys.dtype != PYMIC2_INT64 || desc->keys.ndim != 1 || desc->keys.shape[0] < 1)
        return pymic2__error(PYMIC2_EINVAL, "%s: sort: the positions to select must be a "
                             "non-empty 1-d int64 array, not %d-d %s", device,
                             desc->keys.ndim, pymic2_dtype_name(desc->keys.dtype));
    return PYMIC2_OK;
}

static int check_search(const char *device, const pymic2_sort_desc *desc)
{
    int status = check_array(device, "the sorted values", &desc->values, 1);
    if (status == PYMIC2_OK)
        status = check_array(device, "the keys", &desc->keys, 1);
    if (status != PYMIC2_OK)
        return status;
    if (desc->values.ndim != 1 || desc->keys.ndim != 1)
        return pymic2__error(PYMIC2_ESHAPE, "%s: sort: a search takes 1-d sorted values and "
                             "keys, not %d-d and %d-d", device, desc->values.ndim,
                             desc->keys.ndim);
    if (desc->keys.dtype != desc->values.dtype)
        return pymic2__error(PYMIC2_EDTYPE, "%s: sort: the keys are %s but the sorted values "
                             "%s", device, pymic2_dtype_name(desc->keys.dtype),
                             pymic2_dtype_name(desc->values.dtype));
    return check_indices(device, &desc->indices, &desc->keys, "the keys");
}

static int check_runs(const char *device, const pymic2_sort_desc *desc)
{
    int status = check_array(device, "the sorted values", &desc->values, 1);
    if (status == PYMIC2_OK)
        status = check_array(device, "the run starts", &desc->indices, 1);
    if (status != PYMIC2_OK)
        return status;
    if (desc->values.ndim != 1 || desc->indices.ndim != 1)
        return pymic2__error(PYMIC2_ESHAPE, "%s: sort: runs take 1-d sorted values and "
                             "starts, not %d-d and %d-d", device, desc->values.ndim,
                             desc->indices.ndim);
    if (desc->indices.dtype != PYMIC2_INT64)
        return pymic2__error(PYMIC2_EDTYPE, "%s: sort: the run starts are %s; they must be "
                             "int64", device, pymic2_dtype_name(desc->indices.dtype));
    if (desc->indices.shape[0] != desc->values.shape[0] + 1)
        return pymic2__error(PYMIC2_ESHAPE, "%s: sort: the run starts have %" PRId64
                             " elements; they must have one more than the %" PRId64
                             " values", device, desc->indices.shape[0],
                             desc->values.shape[0]);
    return check_written(device, "the run starts", &desc->indices);
}

int pymic2_sort(pymic2_stream *stream, const pymic2_sort_desc *desc)
{
    if (stream == NULL || desc == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_sort: %s is NULL",
                             stream == NULL ? "stream" : "desc");
    const char *device = stream->device->name;
    if (pymic2_dtype_size(desc->values.dtype) == 0)
        return pymic2__error(PYMIC2_EDTYPE, "%s: sort: %d is not a dtype", device,
                             (int)desc->values.dtype);
    int status;
    if (desc->op == PYMIC2_SORT_ROWS)
        status = check_rows(device, desc);
    else if (desc->op == PYMIC2_SORT_SEARCH)
        status = check_search(device, desc);
    else if (desc->op == PYMIC2_SORT_RUNS)
        status = check_runs(device, desc);
    else if (desc->op == PYMIC2_SORT_SELECT)
        status = check_select(device, desc);
    else
        return pymic2__error(PYMIC2_EINVAL, "%s: sort: op %d is not ROWS, SEARCH, RUNS or "
                             "SELECT",
                             device, (int)desc->op);
    if (status == PYMIC2_OK)
        status = pymic2__check_operand_memory(stream, "sort: values", &desc->values);
    if (status == PYMIC2_OK && desc->indices.buffer != NULL)
        status = pymic2__check_operand_memory(stream, "sort: indices", &desc->indices);
    const bool keyed = desc->op == PYMIC2_SORT_SEARCH || desc->op == PYMIC2_SORT_SELECT;
    if (status == PYMIC2_OK && keyed)
        status = pymic2__check_operand_memory(stream, "sort: keys", &desc->keys);
    if (status != PYMIC2_OK)
        return status;

    pymic2__command *command =
        pymic2__command_new_from(stream, PYMIC2__CMD_SORT, desc, sizeof *desc);
    if (command == NULL)
        return PYMIC2_ENOMEM;
    pymic2__command_use_buffer(command, desc->values.buffer);
    if (desc->indices.buffer != NULL)
        pymic2__command_use_buffer(command, desc->indices.buffer);
    if (keyed)
        pymic2__command_use_buffer(command, desc->keys.buffer);
    return pymic2__command_submit(command);
}
