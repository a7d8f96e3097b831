/*
 * ocl_sort.c - the SORT family (pymic2_sort) on OpenCL devices.
 *
 * One program (cl/sort.cl) for every dtype: elements are read as raw bits of their size and
 * turned into NumPy-ordered keys in the kernels. Sorting rows: pymic2_sort_load_<size> copies
 * each row and writes its (key, position) pairs, padded to a power of two; a bitonic network
 * of pymic2_sort_step launches sorts the pairs of every row at once; pymic2_sort_store_<size>
 * writes the elements in their sorted order (and their positions, for argsort). Positions
 * break ties, so the sort is stable. Searching: pymic2_search_<size>, one work-item per key.
 *
 * This is the correct first version: the network makes log2(p)(log2(p)+1)/2 passes over the
 * rows' pairs in global memory (p: the padded row length).
 */
#include "ocl_ops.h"

#include "ocl_cl_sort.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROUP 64

typedef struct sort_key {
    int unused; /* one program for every dtype */
} sort_key;

static int source_sort(pymic2_device *device, const void *key, char **source)
{
    (void)key;
    *source = strdup(pymic2__ocl_cl_sort);
    if (*source == NULL)
        return pymic2__error(PYMIC2_ENOMEM, "%s: out of host memory for a kernel source",
                             device->name);
    return PYMIC2_OK;
}

/* The kernels per element layout: raw bits of 1, 2, 4 or 8 bytes, complex of 8 or 16 bytes
 * (names are string literals: the kernel cache keeps the pointer). */
enum { LOAD, STORE, SEARCH };
static const char *const kernel_names[3][6] = {
    {"pymic2_sort_load_1", "pymic2_sort_load_2", "pymic2_sort_load_4", "pymic2_sort_load_8",
     "pymic2_sort_load_c8", "pymic2_sort_load_c16"},
    {"pymic2_sort_store_1", "pymic2_sort_store_2", "pymic2_sort_store_4",
     "pymic2_sort_store_8", "pymic2_sort_store_c8", "pymic2_sort_store_c16"},
    {"pymic2_search_1", "pymic2_search_2", "pymic2_search_4", "pymic2_search_8",
     "pymic2_search_c8", "pymic2_search_c16"},
};

/* The layout (a column of kernel_names) and key arguments of a dtype, from its kind and
 * size; -1 if it has no order here. */
static int dtype_layout(pymic2_dtype dtype, cl_int *kind, cl_int *width)
{
    const size_t size = pymic2_dtype_size(dtype);
    *width = (cl_int)(size * 8);
    switch (pymic2_dtype_kind(dtype)) {
    case 'b':
    case 'u':
        *kind = 0;
        break;
    case 'i':
        *kind = 1;
        break;
    case 'f':
        *kind = 2;
        if (size == 1)
            return -1;
        break;
    case 'c':
        *kind = 3;
        *width = (cl_int)(size * 4);
        return size == 8 ? 4 : size == 16 ? 5 : -1;
    default:
        return -1;
    }
    return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : size == 8 ? 3 : -1;
}

static int kernel_of(pymic2_device *device, const char *name, pymic2__ocl_kernel **kernel)
{
    sort_key key;
    memset(&key, 0, sizeof key);
    return pymic2__ocl_kernel_get(device, PYMIC2__OCL_KIND_SORT, &key, sizeof key, name,
                                  source_sort, kernel);
}

int pymic2__ocl_row_starts(pymic2_device *device, const char *what,
                           const pymic2_operand *operand, int64_t rows, cl_mem *mem)
{
    int64_t offset;
    int status = pymic2__ocl_element_offset(device, what, operand, &offset);
    if (status != PYMIC2_OK)
        return status;
    const int64_t itemsize = (int64_t)pymic2_dtype_size(operand->dtype);
    int64_t *starts = malloc((size_t)rows * sizeof *starts);
    if (starts == NULL)
        return pymic2__error(PYMIC2_ENOMEM, "%s: %s: no host memory for %" PRId64 " row "
                             "offsets", device->name, what, rows);
    for (int64_t r = 0; r < rows; r++) {
        int64_t at = offset, rest = r;
        for (int d = operand->ndim - 2; d >= 0; d--) {
            at += rest % operand->shape[d] * (operand->strides[d] / itemsize);
            rest /= operand->shape[d];
        }
        starts[r] = at;
    }
    status = pymic2__ocl_temporary(device, (size_t)rows * sizeof *starts, starts, mem);
    free(starts);
    return status;
}

typedef struct rows_job {
    int64_t rows, n, padded;
    cl_int kind, width;
    int layout;
    cl_mem starts, index_starts, hi, lo, positions, copy;
} rows_job;

static int launch_load(pymic2_stream *stream, const pymic2_sort_desc *desc, rows_job *job)
{
    pymic2__ocl_kernel *kernel;
    int status = kernel_of(stream->device, kernel_names[LOAD][job->layout], &kernel);
    if (status != PYMIC2_OK)
        return status;
    const int64_t itemsize = (int64_t)pymic2_dtype_size(desc->values.dtype);
    pymic2__ocl_args args;
    cl_event event;
    pymic2__ocl_args_begin(&args, kernel);
    pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(desc->values.buffer));
    pymic2__ocl_arg_mem(&args, job->starts);
    pymic2__ocl_arg_long(&args, desc->values.strides[desc->values.ndim - 1] / itemsize);
    pymic2__ocl_arg_long(&args, job->n);
    pymic2__ocl_arg_long(&args, job->padded);
    pymic2__ocl_arg_long(&args, job->rows);
    pymic2__ocl_arg(&args, sizeof job->kind, &job->kind);
    pymic2__ocl_arg(&args, sizeof job->width, &job->width);
    pymic2__ocl_arg_mem(&args, job->hi);
    pymic2__ocl_arg_mem(&args, job->lo);
    pymic2__ocl_arg_mem(&args, job->positions);
    pymic2__ocl_arg_mem(&args, job->copy);
    status = pymic2__ocl_args_launch(&args, stream, "sort (load)",
                                     (size_t)(job->rows * job->padded), GROUP, &event);
    if (status == PYMIC2_OK)
        clReleaseEvent(event);
    return status;
}

static int launch_network(pymic2_stream *stream, rows_job *job)
{
    pymic2__ocl_kernel *kernel;
    int status = kernel_of(stream->device, "pymic2_sort_step", &kernel);
    for (int64_t k = 2; k <= job->padded && status == PYMIC2_OK; k *= 2)
        for (int64_t j = k / 2; j > 0 && status == PYMIC2_OK; j /= 2) {
            pymic2__ocl_args args;
            cl_event event;
            pymic2__ocl_args_begin(&args, kernel);
            pymic2__ocl_arg_mem(&args, job->hi);
            pymic2__ocl_arg_mem(&args, job->lo);
            pymic2__ocl_arg_mem(&args, job->positions);
            pymic2__ocl_arg_long(&args, job->padded);
            pymic2__ocl_arg_long(&args, job->rows);
            pymic2__ocl_arg_long(&args, k);
            pymic2__ocl_arg_long(&args, j);
            status = pymic2__ocl_args_launch(&args, stream, "sort (network)",
                                             (size_t)(job->rows * job->padded / 2), GROUP,
                                             &event);
            if (status == PYMIC2_OK)
                clReleaseEvent(event);
        }
    return status;
}

static int launch_store(pymic2_stream *stream, const pymic2_sort_desc *desc, rows_job *job,
                        cl_event *done)
{
    pymic2__ocl_kernel *kernel;
    int status = kernel_of(stream->device, kernel_names[STORE][job->layout], &kernel);
    if (status != PYMIC2_OK)
        return status;
    const bool with_positions = desc->indices.buffer != NULL;
    const int64_t itemsize = (int64_t)pymic2_dtype_size(desc->values.dtype);
    const cl_int flag = with_positions;
    pymic2__ocl_args args;
    pymic2__ocl_args_begin(&args, kernel);
    pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(desc->values.buffer));
    pymic2__ocl_arg_mem(&args, job->starts);
    pymic2__ocl_arg_long(&args, desc->values.strides[desc->values.ndim - 1] / itemsize);
    pymic2__ocl_arg_mem(&args, with_positions ? pymic2__ocl_mem_of(desc->indices.buffer)
                                              : job->positions);
    pymic2__ocl_arg_mem(&args, with_positions ? job->index_starts : job->starts);
    pymic2__ocl_arg_long(&args, with_positions
                                    ? desc->indices.strides[desc->indices.ndim - 1] / 8 : 0);
    pymic2__ocl_arg(&args, sizeof flag, &flag);
    pymic2__ocl_arg_long(&args, job->n);
    pymic2__ocl_arg_long(&args, job->padded);
    pymic2__ocl_arg_long(&args, job->rows);
    pymic2__ocl_arg_mem(&args, job->positions);
    pymic2__ocl_arg_mem(&args, job->copy);
    return pymic2__ocl_args_launch(&args, stream, "sort (store)", (size_t)(job->rows * job->n),
                                   GROUP, done);
}

static int sort_rows(pymic2_stream *stream, const pymic2_sort_desc *desc, cl_event *done)
{
    pymic2_device *device = stream->device;
    rows_job job;
    memset(&job, 0, sizeof job);
    job.layout = dtype_layout(desc->values.dtype, &job.kind, &job.width);
    if (job.layout < 0)
        return pymic2__error(PYMIC2_ENOTSUP, "%s: sort: %s has no sort order on this device",
                             device->name, pymic2_dtype_name(desc->values.dtype));
    const pymic2_operand *values = &desc->values;
    job.n = values->shape[values->ndim - 1];
    job.rows = 1;
    for (int d = 0; d < values->ndim - 1; d++)
        job.rows *= values->shape[d];
    if (job.rows == 0 || job.n == 0)
        return pymic2__ocl_marker(stream, done);
    for (job.padded = 1; job.padded < job.n; job.padded *= 2)
        ;
    const size_t pairs = (size_t)(job.rows * job.padded);
    int status = pymic2__ocl_row_starts(device, "sort", values, job.rows, &job.starts);
    if (status == PYMIC2_OK && desc->indices.buffer != NULL)
        status = pymic2__ocl_row_starts(device, "sort", &desc->indices, job.rows,
                                        &job.index_starts);
    if (status == PYMIC2_OK)
        status = pymic2__ocl_temporary(device, pairs * sizeof(cl_ulong), NULL, &job.hi);
    if (status == PYMIC2_OK)
        status = pymic2__ocl_temporary(device, pairs * sizeof(cl_ulong), NULL, &job.lo);
    if (status == PYMIC2_OK)
        status = pymic2__ocl_temporary(device, pairs * sizeof(cl_long), NULL, &job.positions);
    if (status == PYMIC2_OK)
        status = pymic2__ocl_temporary(device, (size_t)(job.rows * job.n) *
                                       pymic2_dtype_size(values->dtype), NULL, &job.copy);
    if (status == PYMIC2_OK)
        status = launch_load(stream, desc, &job);
    if (status == PYMIC2_OK)
        status = launch_network(stream, &job);
    if (status == PYMIC2_OK)
        status = launch_store(stream, desc, &job, done);
    cl_mem temporaries[] = {job.starts, job.index_starts, job.hi, job.lo, job.positions,
                            job.copy};
    for (size_t t = 0; t < sizeof temporaries / sizeof *temporaries; t++)
        if (temporaries[t] != NULL)
            clReleaseMemObject(temporaries[t]);
    return status;
}

static int search(pymic2_stream *stream, const pymic2_sort_desc *desc, cl_event *done)
{
    pymic2_device *device = stream->device;
    cl_int kind, width;
    const int layout = dtype_layout(desc->values.dtype, &kind, &width);
    if (layout < 0)
        return pymic2__error(PYMIC2_ENOTSUP, "%s: sort: %s has no sort order on this device",
                             device->name, pymic2_dtype_name(desc->values.dtype));
    const int64_t count = desc->keys.shape[0];
    if (count == 0)
        return pymic2__ocl_marker(stream, done);
    int64_t sorted_offset, keys_offset, out_offset;
    int status = pymic2__ocl_element_offset(device, "searchsorted", &desc->values,
                                            &sorted_offset);
    if (status == PYMIC2_OK)
        status = pymic2__ocl_element_offset(device, "searchsorted", &desc->keys, &keys_offset);
    if (status == PYMIC2_OK)
        status = pymic2__ocl_element_offset(device, "searchsorted", &desc->indices,
                                            &out_offset);
    pymic2__ocl_kernel *kernel = NULL;
    if (status == PYMIC2_OK)
        status = kernel_of(device, kernel_names[SEARCH][layout], &kernel);
    if (status != PYMIC2_OK)
        return status;
    const int64_t itemsize = (int64_t)pymic2_dtype_size(desc->values.dtype);
    const cl_int right = desc->right != 0;
    pymic2__ocl_args args;
    pymic2__ocl_args_begin(&args, kernel);
    pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(desc->values.buffer));
    pymic2__ocl_arg_long(&args, sorted_offset);
    pymic2__ocl_arg_long(&args, desc->values.strides[0] / itemsize);
    pymic2__ocl_arg_long(&args, desc->values.shape[0]);
    pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(desc->keys.buffer));
    pymic2__ocl_arg_long(&args, keys_offset);
    pymic2__ocl_arg_long(&args, desc->keys.strides[0] / itemsize);
    pymic2__ocl_arg_long(&args, count);
    pymic2__ocl_arg(&args, sizeof right, &right);
    pymic2__ocl_arg(&args, sizeof kind, &kind);
    pymic2__ocl_arg(&args, sizeof width, &width);
    pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(desc->indices.buffer));
    pymic2__ocl_arg_long(&args, out_offset);
    pymic2__ocl_arg_long(&args, desc->indices.strides[0] / 8);
    return pymic2__ocl_args_launch(&args, stream, "searchsorted", (size_t)count, GROUP, done);
}

/* The family's slot: one validated sort or search. */
int pymic2__ocl_sort(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    cl_event *done = &((pymic2__ocl_launch *)launch)->done;
    const pymic2_sort_desc *desc = &command->u.sort;
    return desc->op == PYMIC2_SORT_SEARCH ? search(stream, desc, done)
                                          : sort_rows(stream, desc, done);
}
