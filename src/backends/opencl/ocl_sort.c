/*
 * ocl_sort.c - the SORT family (pymic2_sort) on OpenCL devices.
 *
 * One program (cl/sort.cl) for every dtype: elements are read as raw bits of their size and
 * turned into NumPy-ordered keys in the kernels. Sorting rows: pymic2_sort_load_<size> copies
 * each row and writes its (key, position) pairs; pymic2_sort_store_<size> writes the elements
 * in their sorted order (and their positions, for argsort). In between, on a device whose
 * work-items run in turn (a CPU: PoCL) a long single row is sorted by a chunked LSD radix
 * sort (launch_radix: each work-item counts and scatters its chunk serially, like a host
 * thread); otherwise the pairs, padded to a power of two, go through a bitonic network of
 * pymic2_sort_step launches that sorts every row at once, making log2(p)(log2(p)+1)/2
 * passes (p: the padded row length). Positions break ties, so both are stable. Searching:
 * pymic2_search_<size>, one work-item per key. Runs (unique's starts): pymic2_runs_count_
 * and _write_<size>, one work-item per piece of the sorted array.
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
enum { LOAD, STORE, SEARCH, RUNS_COUNT, RUNS_WRITE };
static const char *const kernel_names[5][6] = {
    {"pymic2_sort_load_1", "pymic2_sort_load_2", "pymic2_sort_load_4", "pymic2_sort_load_8",
     "pymic2_sort_load_c8", "pymic2_sort_load_c16"},
    {"pymic2_sort_store_1", "pymic2_sort_store_2", "pymic2_sort_store_4",
     "pymic2_sort_store_8", "pymic2_sort_store_c8", "pymic2_sort_store_c16"},
    {"pymic2_search_1", "pymic2_search_2", "pymic2_search_4", "pymic2_search_8",
     "pymic2_search_c8", "pymic2_search_c16"},
    {"pymic2_runs_count_1", "pymic2_runs_count_2", "pymic2_runs_count_4",
     "pymic2_runs_count_8", "pymic2_runs_count_c8", "pymic2_runs_count_c16"},
    {"pymic2_runs_write_1", "pymic2_runs_write_2", "pymic2_runs_write_4",
     "pymic2_runs_write_8", "pymic2_runs_write_c8", "pymic2_runs_write_c16"},
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

/* A row at least this long is radix-sorted on a CPU device, in this many chunks. */
#define RADIX_ROW 4096
#define RADIX_CHUNKS 64
/* Digit bits of the radix sort for keys of 32 bits or more (sort.cl's largest). */
#define RADIX_BITS 11

/* A kernel of the radix sort, one work-item per group (each runs serially on a CPU). */
static int launch_single(pymic2_stream *stream, pymic2__ocl_args *args, const char *what,
                         size_t items)
{
    cl_event event;
    int status = pymic2__ocl_args_launch(args, stream, what, items, 1, &event);
    if (status == PYMIC2_OK)
        clReleaseEvent(event);
    return status;
}

/* One pass of the radix sort: count the chunks' digits, scan, scatter into other (hi, lo,
 * positions), which then holds the pairs (swapped with the job's). */
static int radix_pass(pymic2_stream *stream, rows_job *job, cl_mem other[3], cl_mem counts,
                      cl_mem trivial, cl_int pass, cl_int lo_passes, cl_int bits)
{
    pymic2__ocl_kernel *count, *scan, *scatter;
    int status = kernel_of(stream->device, "pymic2_radix_count", &count);
    if (status == PYMIC2_OK)
        status = kernel_of(stream->device, "pymic2_radix_scan", &scan);
    if (status == PYMIC2_OK)
        status = kernel_of(stream->device, "pymic2_radix_scatter", &scatter);
    if (status != PYMIC2_OK)
        return status;
    const int64_t chunks = RADIX_CHUNKS;
    pymic2__ocl_args args;
    pymic2__ocl_args_begin(&args, count);
    pymic2__ocl_arg_mem(&args, job->hi);
    pymic2__ocl_arg_mem(&args, job->lo);
    pymic2__ocl_arg_long(&args, job->n);
    pymic2__ocl_arg_long(&args, chunks);
    pymic2__ocl_arg(&args, sizeof pass, &pass);
    pymic2__ocl_arg(&args, sizeof lo_passes, &lo_passes);
    pymic2__ocl_arg(&args, sizeof bits, &bits);
    pymic2__ocl_arg_mem(&args, counts);
    status = launch_single(stream, &args, "sort (radix count)", (size_t)chunks);
    if (status != PYMIC2_OK)
        return status;
    pymic2__ocl_args_begin(&args, scan);
    pymic2__ocl_arg_mem(&args, counts);
    pymic2__ocl_arg_long(&args, chunks);
    pymic2__ocl_arg_long(&args, job->n);
    pymic2__ocl_arg(&args, sizeof bits, &bits);
    pymic2__ocl_arg_mem(&args, trivial);
    status = launch_single(stream, &args, "sort (radix scan)", 1);
    if (status != PYMIC2_OK)
        return status;
    pymic2__ocl_args_begin(&args, scatter);
    pymic2__ocl_arg_mem(&args, job->hi);
    pymic2__ocl_arg_mem(&args, job->lo);
    pymic2__ocl_arg_mem(&args, job->positions);
    for (int b = 0; b < 3; b++)
        pymic2__ocl_arg_mem(&args, other[b]);
    pymic2__ocl_arg_long(&args, job->n);
    pymic2__ocl_arg_long(&args, chunks);
    pymic2__ocl_arg(&args, sizeof pass, &pass);
    pymic2__ocl_arg(&args, sizeof lo_passes, &lo_passes);
    pymic2__ocl_arg(&args, sizeof bits, &bits);
    pymic2__ocl_arg_mem(&args, counts);
    pymic2__ocl_arg_mem(&args, trivial);
    status = launch_single(stream, &args, "sort (radix scatter)", (size_t)chunks);
    cl_mem *mine[3] = {&job->hi, &job->lo, &job->positions};
    for (int b = 0; status == PYMIC2_OK && b < 3; b++) {
        cl_mem swap = *mine[b];
        *mine[b] = other[b];
        other[b] = swap;
    }
    return status;
}

/* Sorts one row's pairs by an LSD radix sort over the key's digits (complex: the imaginary
 * part's bytes, then the real part's; otherwise 11-bit digits of keys of 32 bits or more:
 * fewer passes), instead of the bitonic network. */
static int launch_radix(pymic2_stream *stream, rows_job *job)
{
    pymic2_device *device = stream->device;
    const cl_int bits = job->kind != 3 && job->width >= 32 ? RADIX_BITS : 8;
    const cl_int digits = (job->width + bits - 1) / bits;
    const cl_int lo_passes = job->kind == 3 ? digits : 0;
    const size_t pairs = (size_t)job->n;
    cl_mem other[3] = {NULL, NULL, NULL}, counts = NULL, trivial = NULL;
    int status = pymic2__ocl_temporary(device, pairs * sizeof(cl_ulong), NULL, &other[0]);
    if (status == PYMIC2_OK && lo_passes)
        status = pymic2__ocl_temporary(device, pairs * sizeof(cl_ulong), NULL, &other[1]);
    if (status == PYMIC2_OK)
        status = pymic2__ocl_temporary(device, pairs * sizeof(cl_long), NULL, &other[2]);
    if (status == PYMIC2_OK)
        status = pymic2__ocl_temporary(device, ((size_t)1 << bits) * RADIX_CHUNKS *
                                       sizeof(cl_long), NULL, &counts);
    if (status == PYMIC2_OK)
        status = pymic2__ocl_temporary(device, sizeof(cl_int), NULL, &trivial);
    if (status == PYMIC2_OK && !lo_passes) { /* the lo words are not read: any buffer */
        other[1] = job->lo;
        clRetainMemObject(other[1]);
    }
    for (cl_int pass = 0; status == PYMIC2_OK && pass < lo_passes + digits; pass++)
        status = radix_pass(stream, job, other, counts, trivial, pass, lo_passes, bits);
    cl_mem temporaries[] = {other[0], other[1], other[2], counts, trivial};
    for (size_t t = 0; t < sizeof temporaries / sizeof *temporaries; t++)
        if (temporaries[t] != NULL)
            clReleaseMemObject(temporaries[t]);
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
    const cl_int flag = with_positions, keep = desc->keep_values != 0;
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
    pymic2__ocl_arg(&args, sizeof keep, &keep);
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
    /* a long row on a CPU: the radix sort, which needs no padding */
    const bool radix = pymic2__ocl_device_of(device)->runs_items_in_turn && job.rows == 1 &&
                       job.n >= RADIX_ROW;
    for (job.padded = 1; job.padded < job.n && !radix; job.padded *= 2)
        ;
    if (radix)
        job.padded = job.n;
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
        status = radix ? launch_radix(stream, &job) : launch_network(stream, &job);
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

/* Work-items of a runs op, each counting, then writing, the runs of its piece. */
#define RUNS_PIECES 1024

/* One of the two launches of a runs op (which: RUNS_COUNT or RUNS_WRITE). */
static int launch_runs(pymic2_stream *stream, const pymic2_sort_desc *desc, int which,
                       int64_t pieces, cl_mem counts, cl_event *done)
{
    pymic2_device *device = stream->device;
    cl_int kind, width;
    const int layout = dtype_layout(desc->values.dtype, &kind, &width);
    int64_t offset, out_offset;
    int status = pymic2__ocl_element_offset(device, "unique", &desc->values, &offset);
    if (status == PYMIC2_OK)
        status = pymic2__ocl_element_offset(device, "unique", &desc->indices, &out_offset);
    pymic2__ocl_kernel *kernel = NULL;
    if (status == PYMIC2_OK)
        status = kernel_of(device, kernel_names[which][layout], &kernel);
    if (status != PYMIC2_OK)
        return status;
    const cl_int equal_nan = desc->equal_nan != 0;
    pymic2__ocl_args args;
    pymic2__ocl_args_begin(&args, kernel);
    pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(desc->values.buffer));
    pymic2__ocl_arg_long(&args, offset);
    pymic2__ocl_arg_long(&args, desc->values.strides[0] /
                                    (int64_t)pymic2_dtype_size(desc->values.dtype));
    pymic2__ocl_arg_long(&args, desc->values.shape[0]);
    pymic2__ocl_arg(&args, sizeof kind, &kind);
    pymic2__ocl_arg(&args, sizeof width, &width);
    pymic2__ocl_arg(&args, sizeof equal_nan, &equal_nan);
    pymic2__ocl_arg_long(&args, pieces);
    pymic2__ocl_arg_mem(&args, counts);
    if (which == RUNS_WRITE) {
        pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(desc->indices.buffer));
        pymic2__ocl_arg_long(&args, out_offset);
        pymic2__ocl_arg_long(&args, desc->indices.strides[0] / 8);
    }
    return pymic2__ocl_args_launch(&args, stream, "unique (runs)", (size_t)pieces, GROUP,
                                   done);
}

/* The starts of the runs of a sorted 1-d array: each work-item counts the runs of its
 * piece, then writes their starts after those of the pieces before it. */
static int runs(pymic2_stream *stream, const pymic2_sort_desc *desc, cl_event *done)
{
    cl_int kind, width;
    if (dtype_layout(desc->values.dtype, &kind, &width) < 0)
        return pymic2__error(PYMIC2_ENOTSUP, "%s: sort: %s has no sort order on this device",
                             stream->device->name, pymic2_dtype_name(desc->values.dtype));
    const int64_t n = desc->values.shape[0];
    const int64_t pieces = n < RUNS_PIECES ? (n > 0 ? n : 1) : RUNS_PIECES;
    cl_mem counts;
    int status = pymic2__ocl_temporary(stream->device, (size_t)pieces * sizeof(cl_long), NULL,
                                       &counts);
    if (status != PYMIC2_OK)
        return status;
    cl_event counted;
    status = launch_runs(stream, desc, RUNS_COUNT, pieces, counts, &counted);
    if (status == PYMIC2_OK) {
        clReleaseEvent(counted);
        status = launch_runs(stream, desc, RUNS_WRITE, pieces, counts, done);
    }
    clReleaseMemObject(counts);
    return status;
}

/* The family's slot: one validated sort, search or runs. A selection (partition) is the
 * sort, which meets its contract whatever the positions. */
int pymic2__ocl_sort(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    cl_event *done = &((pymic2__ocl_launch *)launch)->done;
    const pymic2_sort_desc *desc = &command->u.sort;
    if (desc->op == PYMIC2_SORT_RUNS)
        return runs(stream, desc, done);
    return desc->op == PYMIC2_SORT_SEARCH ? search(stream, desc, done)
                                          : sort_rows(stream, desc, done);
}
