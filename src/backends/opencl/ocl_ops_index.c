/*
 * ocl_ops_index.c - gathers and scatters by integer index arrays on OpenCL devices (kernels
 * from ocl_source.c).
 *
 * Every index is checked first (one work-item per selection, the first bad one found by
 * atomic_min into a check buffer). A gather then runs one work-item per result element; a
 * scatter one per (outer, inner) position, walking the selections in C order so that the last
 * write wins and every add counts, as on the host. Both first look at the check: after a bad
 * index nothing is read, a scatter writes nothing and a gather writes zeros (a deterministic
 * result, as on the host), and the runtime reads the check behind the command without
 * blocking the call, so the IndexError (NumPy's message) comes at the next sync, as on
 * the host.
 */
#include "ocl_ops.h"

#include "../../ops/op_table.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef struct index_key {
    pymic2_dtype dtype;
    int nindices;
    unsigned wide_indices;
    bool fp64;
} index_key;

static int source_index(pymic2_device *device, const void *key, char **source)
{
    const index_key *k = key;
    return pymic2__ocl_source_index(device->name, k->dtype, k->nindices, k->wide_indices,
                                    k->fp64, source);
}

static const char *const mode_names[] = {"gather", "scatter", "scatter_add"};

/* The index arrays' arguments: (cl_mem, element offset) each. */
static void index_args(pymic2__ocl_args *args, const pymic2_index_desc *desc,
                       const int64_t *offsets)
{
    for (int j = 0; j < desc->nindices; j++) {
        pymic2__ocl_arg_mem(args, pymic2__ocl_mem_of(desc->indices[j].buffer));
        pymic2__ocl_arg_long(args, offsets[j]);
    }
}

/* The check buffer the kernels fill: the first selection with a bad index (CHECK_NONE: none),
 * then which index array held it (-1 until recorded) and its value as two 32-bit halves. */
enum { CHECK_SELECTION, CHECK_ARRAY, CHECK_VALUE_LOW, CHECK_VALUE_HIGH, CHECK_INTS };
#define CHECK_NONE INT32_MAX

/* The completion thread's look at the check buffer (see pymic2__ocl_check): NumPy's message,
 * as on the host. */
static int report_bad_index(pymic2_stream *stream, const pymic2__command *command,
                            const void *findings)
{
    int32_t check[CHECK_INTS];
    memcpy(check, findings, sizeof check);
    if (check[CHECK_SELECTION] == CHECK_NONE)
        return PYMIC2_OK;
    const pymic2_index_desc *desc = &command->u.index;
    const char *device = stream->device->name, *mode = mode_names[desc->mode];
    const int j = check[CHECK_ARRAY];
    if (j < 0 || j >= desc->nindices)
        return pymic2__error(PYMIC2_EBACKEND, "%s: %s: index position %" PRId32 " was out of "
                             "bounds but is not on a second look; was it modified "
                             "concurrently?", device, mode, check[CHECK_SELECTION]);
    const int64_t value = (int64_t)((uint64_t)(uint32_t)check[CHECK_VALUE_HIGH] << 32 |
                                    (uint32_t)check[CHECK_VALUE_LOW]);
    return pymic2__error(PYMIC2_EINDEX, "%s: %s: index %" PRId64 " is out of bounds for axis %d "
                         "with size %" PRId64, device, mode, value, desc->axis + j,
                         desc->array.shape[desc->axis + j]);
}

/* The kernels' geometry (see cl/index.cl) and the result's dimension counts. */
typedef struct index_geometry {
    int64_t g[(5 + PYMIC2_MAX_INDEX_ARRAYS) * PYMIC2_MAX_DIMS + 2 * PYMIC2_MAX_INDEX_ARRAYS];
    int length;                   /* longs used in g */
    cl_int dims[3];               /* n_outer, n_select, n_inner */
    int64_t outers, selections, inners;
} index_geometry;

/* Result dimensions: O (array's first axis ones), S (index arrays'), N (the rest). */
static void index_geometry_of(const pymic2_index_desc *desc, index_geometry *geo)
{
    const pymic2_operand *array = &desc->array, *values = &desc->values;
    const pymic2_operand *first = &desc->indices[0];
    const int n_outer = desc->axis, n_select = first->ndim;
    const int n_inner = array->ndim - desc->axis - desc->nindices;
    int64_t *g = geo->g;
    int at = 0;
    const int64_t itemsize = (int64_t)pymic2_dtype_size(array->dtype);
    geo->outers = geo->selections = geo->inners = 1;
    for (int d = 0; d < n_outer; d++) {
        g[at + d] = array->shape[d];
        g[at + n_outer + d] = array->strides[d] / itemsize;
        g[at + 2 * n_outer + d] = values->strides[d] / itemsize; /* 0 for a scalar */
        geo->outers *= array->shape[d];
    }
    at += 3 * n_outer;
    for (int d = 0; d < n_select; d++) {
        g[at + d] = first->shape[d];
        g[at + n_select + d] = values->strides[n_outer + d] / itemsize;
        for (int j = 0; j < desc->nindices; j++)
            g[at + (2 + j) * n_select + d] = desc->indices[j].strides[d] /
                                             (int64_t)pymic2_dtype_size(desc->indices[j].dtype);
        geo->selections *= first->shape[d];
    }
    at += (2 + desc->nindices) * n_select;
    for (int d = 0; d < n_inner; d++) {
        const int ad = desc->axis + desc->nindices + d, vd = n_outer + n_select + d;
        g[at + d] = array->shape[ad];
        g[at + n_inner + d] = array->strides[ad] / itemsize;
        g[at + 2 * n_inner + d] = values->strides[vd] / itemsize;
        geo->inners *= array->shape[ad];
    }
    at += 3 * n_inner;
    for (int j = 0; j < desc->nindices; j++) {
        g[at++] = array->shape[desc->axis + j];
        g[at++] = array->strides[desc->axis + j] / itemsize;
    }
    geo->length = at;
    geo->dims[0] = n_outer;
    geo->dims[1] = n_select;
    geo->dims[2] = n_inner;
}

/* What both kernels of one command need. */
typedef struct index_launch {
    pymic2_stream *stream;
    const pymic2_index_desc *desc;
    const char *mode;
    index_key key;
    const index_geometry *geo;
    cl_mem geometry, check;
    int64_t array_offset, values_offset, index_offsets[PYMIC2_MAX_INDEX_ARRAYS];
} index_launch;

/* The element offsets of every operand (in the launch). */
static int index_offsets(index_launch *l)
{
    pymic2_device *device = l->stream->device;
    const pymic2_index_desc *desc = l->desc;
    int status = pymic2__ocl_element_offset(device, l->mode, &desc->array, &l->array_offset);
    l->values_offset = 0;
    if (status == PYMIC2_OK && desc->values.buffer != NULL)
        status = pymic2__ocl_element_offset(device, l->mode, &desc->values, &l->values_offset);
    for (int j = 0; j < desc->nindices && status == PYMIC2_OK; j++)
        status = pymic2__ocl_element_offset(device, l->mode, &desc->indices[j],
                                            &l->index_offsets[j]);
    return status;
}

/* The geometry's arguments (g, n_outer, n_select, n_inner). */
static void index_geometry_args(pymic2__ocl_args *args, const index_launch *l)
{
    pymic2__ocl_arg_mem(args, l->geometry);
    for (int k = 0; k < 3; k++)
        pymic2__ocl_arg(args, sizeof l->geo->dims[k], &l->geo->dims[k]);
}

/* pymic2_index_check: finds the first selection with an index out of bounds. */
static int launch_index_check(const index_launch *l)
{
    pymic2__ocl_kernel *kernel;
    int status = pymic2__ocl_kernel_get(l->stream->device, PYMIC2__OCL_KIND_INDEX, &l->key,
                                        sizeof l->key, "pymic2_index_check", source_index,
                                        &kernel);
    if (status != PYMIC2_OK)
        return status;
    pymic2__ocl_args args;
    cl_event checked;
    pymic2__ocl_args_begin(&args, kernel);
    pymic2__ocl_arg_long(&args, l->geo->selections);
    index_geometry_args(&args, l);
    pymic2__ocl_arg_mem(&args, l->check);
    index_args(&args, l->desc, l->index_offsets);
    status = pymic2__ocl_args_launch(&args, l->stream, l->mode, (size_t)l->geo->selections, 64,
                                     &checked);
    if (status == PYMIC2_OK)
        clReleaseEvent(checked);
    return status;
}

/* pymic2_gather or pymic2_scatter: moves the elements unless the check failed. */
static int launch_index_move(const index_launch *l, cl_event *done)
{
    const pymic2_index_desc *desc = l->desc;
    const pymic2_operand *array = &desc->array, *values = &desc->values;
    const index_geometry *geo = l->geo;
    const bool gather = desc->mode == PYMIC2_INDEX_GATHER;
    const int64_t total = gather ? geo->outers * geo->selections * geo->inners
                                 : geo->outers * geo->inners;
    const char *name = gather ? "pymic2_gather" : "pymic2_scatter";
    pymic2__ocl_kernel *kernel;
    int status = pymic2__ocl_kernel_get(l->stream->device, PYMIC2__OCL_KIND_INDEX, &l->key,
                                        sizeof l->key, name, source_index, &kernel);
    if (status != PYMIC2_OK)
        return status;
    pymic2__ocl_args args;
    pymic2__ocl_args_begin(&args, kernel);
    pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(array->buffer));
    pymic2__ocl_arg_long(&args, l->array_offset);
    /* a scalar's buffer argument is any valid buffer: the kernel reads `scalar` */
    pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(values->buffer ? values->buffer
                                                                  : array->buffer));
    pymic2__ocl_arg_long(&args, l->values_offset);
    if (!gather) {
        pymic2__ocl_arg(&args, pymic2__dtype_compute_size(array->dtype), &values->value);
        const cl_int from_scalar = values->buffer == NULL;
        const cl_int add = desc->mode == PYMIC2_INDEX_SCATTER_ADD;
        pymic2__ocl_arg(&args, sizeof from_scalar, &from_scalar);
        pymic2__ocl_arg(&args, sizeof add, &add);
    }
    pymic2__ocl_arg_long(&args, geo->selections);
    pymic2__ocl_arg_long(&args, geo->inners);
    pymic2__ocl_arg_long(&args, total);
    pymic2__ocl_arg_mem(&args, l->check);
    index_geometry_args(&args, l);
    index_args(&args, desc, l->index_offsets);
    /* at least work-item 0, which records a failed check even when nothing moves */
    return pymic2__ocl_args_launch(&args, l->stream, l->mode, (size_t)(total > 0 ? total : 1),
                                   64, done);
}

/* The INDEX family's slot. */
int pymic2__ocl_index(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    const pymic2_index_desc *desc = &command->u.index;
    cl_event *done = &((pymic2__ocl_launch *)launch)->done;
    pymic2__ocl_check *check = &((pymic2__ocl_launch *)launch)->check;
    pymic2_device *device = stream->device;
    index_launch l;
    memset(&l, 0, sizeof l);
    l.stream = stream;
    l.desc = desc;
    l.mode = mode_names[desc->mode];
    int status = pymic2__ocl_check_dtype(device, l.mode, desc->array.dtype);
    if (status == PYMIC2_OK)
        status = index_offsets(&l);
    if (status != PYMIC2_OK)
        return status;
    index_geometry geo;
    index_geometry_of(desc, &geo);
    l.geo = &geo;
    if (geo.selections > INT32_MAX)
        return pymic2__error(PYMIC2_ENOTSUP, "%s: %s: %" PRId64 " index positions; at most "
                             "2^31 - 1 on OpenCL devices", device->name, l.mode,
                             geo.selections);
    l.key.dtype = desc->array.dtype;
    l.key.nindices = desc->nindices;
    l.key.fp64 = pymic2__ocl_fp64(device);
    for (int j = 0; j < desc->nindices; j++)
        if (desc->indices[j].dtype == PYMIC2_INT64)
            l.key.wide_indices |= 1u << j;
    const cl_int check_init[CHECK_INTS] = {[CHECK_SELECTION] = CHECK_NONE, [CHECK_ARRAY] = -1};
    status = pymic2__ocl_temporary(device, (size_t)(geo.length > 0 ? geo.length : 1) * 8, geo.g,
                                   &l.geometry);
    if (status == PYMIC2_OK && geo.selections > 0)
        status = pymic2__ocl_temporary(device, sizeof check_init, check_init, &l.check);
    if (status == PYMIC2_OK && geo.selections > 0)
        status = launch_index_check(&l);
    if (status == PYMIC2_OK)
        status = geo.selections == 0 ? pymic2__ocl_marker(stream, done)
                                     : launch_index_move(&l, done);
    if (l.geometry)
        clReleaseMemObject(l.geometry);
    return pymic2__ocl_check_attach(check, status, l.check, sizeof check_init,
                                    report_bad_index);
}
