/*
 * ocl_ops.c - built-in ops and reductions on OpenCL devices: the kernel cache, the launch of
 * generated kernels (ocl_source.c), and the dispatch of compute commands.
 *
 * Elementwise ops run one work-item per element (PoCL turns a work-group into a loop over
 * its work-items and vectorises it; a grid-stride loop inside a work-item ran 20x slower
 * there). Operands are (cl_mem, element offset) pairs: no sub-buffers, whose origins must be
 * aligned to CL_DEVICE_MEM_BASE_ADDR_ALIGN. Dimensions are merged where the strides allow,
 * so most arrays take the contiguous kernel; the rest take a strided kernel that decomposes
 * the element number over the shape (passed in a small read-only buffer).
 */
#include "ocl_ops.h"

#include "../../ops/op_table.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- the kernel cache */

/* A kernel of a generated program, found by (kind, key bytes, kernel name). clSetKernelArg
 * is not thread-safe on one cl_kernel: `lock` is held from the first argument to the
 * enqueue, which captures the arguments. */
typedef struct cached_kernel {
    struct cached_kernel *next;
    int kind;
    unsigned char key[PYMIC2__OCL_KEY_BYTES];
    const char *name; /* a string literal */
    cl_kernel kernel;
    pthread_mutex_t lock;
} cached_kernel;

typedef struct compute_state {
    struct compute_state *next;
    pymic2_device *device;
    cached_kernel *kernels;
} compute_state;

/* One lock for every device's list: lookups are short, builds happen once. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static compute_state *states;

static compute_state *state_of(pymic2_device *device)
{
    for (compute_state *state = states; state != NULL; state = state->next)
        if (state->device == device)
            return state;
    compute_state *state = calloc(1, sizeof *state);
    if (state == NULL)
        return NULL;
    state->device = device;
    state->next = states;
    states = state;
    return state;
}

void pymic2__ocl_compute_uninit(pymic2_device *device)
{
    pthread_mutex_lock(&cache_lock);
    for (compute_state **link = &states; *link != NULL; link = &(*link)->next) {
        compute_state *state = *link;
        if (state->device != device)
            continue;
        *link = state->next;
        for (cached_kernel *kernel = state->kernels, *next; kernel != NULL; kernel = next) {
            next = kernel->next;
            clReleaseKernel(kernel->kernel);
            pthread_mutex_destroy(&kernel->lock);
            free(kernel);
        }
        free(state);
        break;
    }
    pthread_mutex_unlock(&cache_lock);
}

int pymic2__ocl_kernel_get(pymic2_device *device, int kind, const void *key, size_t key_size,
                           const char *name, pymic2__ocl_source_fn generate,
                           pymic2__ocl_kernel **kernel)
{
    unsigned char padded[PYMIC2__OCL_KEY_BYTES] = {0};
    if (key_size > sizeof padded)
        return pymic2__error(PYMIC2_EINVAL, "%s: kernel key of %zu bytes (at most %zu)",
                             device->name, key_size, sizeof padded);
    memcpy(padded, key, key_size);
    pthread_mutex_lock(&cache_lock);
    compute_state *state = state_of(device);
    if (state == NULL) {
        pthread_mutex_unlock(&cache_lock);
        return pymic2__error(PYMIC2_ENOMEM, "%s: out of host memory for the kernel cache",
                             device->name);
    }
    for (cached_kernel *found = state->kernels; found != NULL; found = found->next)
        if (found->kind == kind && strcmp(found->name, name) == 0 &&
            memcmp(found->key, padded, sizeof padded) == 0) {
            pthread_mutex_unlock(&cache_lock);
            *kernel = (pymic2__ocl_kernel *)found;
            return PYMIC2_OK;
        }
    /* built under the lock: the program cache builds once anyway, and two threads asking for
     * the same new kernel must not both insert it */
    char *source = NULL;
    int status = generate(device, key, &source);
    cl_program program = NULL;
    if (status == PYMIC2_OK)
        status = pymic2__ocl_program_get(device, source, NULL, &program);
    free(source);
    cached_kernel *made = NULL;
    if (status == PYMIC2_OK) {
        made = calloc(1, sizeof *made);
        if (made == NULL)
            status = pymic2__error(PYMIC2_ENOMEM, "%s: out of host memory for a kernel",
                                   device->name);
    }
    if (status == PYMIC2_OK) {
        cl_int err;
        made->kernel = clCreateKernel(program, name, &err);
        if (made->kernel == NULL) {
            char what[96];
            snprintf(what, sizeof what, "clCreateKernel of built-in kernel %s", name);
            status = pymic2__ocl_status(err, device, what);
            free(made);
        }
    }
    if (status == PYMIC2_OK) {
        made->kind = kind;
        memcpy(made->key, padded, sizeof padded);
        made->name = name;
        pthread_mutex_init(&made->lock, NULL);
        made->next = state->kernels;
        state->kernels = made;
        *kernel = (pymic2__ocl_kernel *)made;
    }
    pthread_mutex_unlock(&cache_lock);
    return status;
}

/* ---------------------------------------------------------------- launching */

void pymic2__ocl_args_begin(pymic2__ocl_args *args, pymic2__ocl_kernel *kernel)
{
    cached_kernel *cached = (cached_kernel *)kernel;
    args->kernel = cached->kernel;
    args->lock = &cached->lock;
    args->count = 0;
    args->err = CL_SUCCESS;
    pthread_mutex_lock(args->lock);
}

void pymic2__ocl_arg(pymic2__ocl_args *args, size_t size, const void *value)
{
    if (args->err == CL_SUCCESS) {
        args->err = clSetKernelArg(args->kernel, args->count, size, value);
        if (args->err != CL_SUCCESS)
            args->failed_arg = args->count;
    }
    args->count++;
}

void pymic2__ocl_arg_long(pymic2__ocl_args *args, int64_t value)
{
    cl_long v = value;
    pymic2__ocl_arg(args, sizeof v, &v);
}

void pymic2__ocl_arg_mem(pymic2__ocl_args *args, cl_mem mem)
{
    pymic2__ocl_arg(args, sizeof mem, &mem);
}

int pymic2__ocl_args_launch(pymic2__ocl_args *args, pymic2_stream *stream, const char *what,
                            size_t global, size_t local, cl_event *done)
{
    pymic2_device *device = stream->device;
    int status = PYMIC2_OK;
    if (args->err != CL_SUCCESS) {
        char message[128];
        snprintf(message, sizeof message, "clSetKernelArg %d of %s", args->failed_arg, what);
        status = pymic2__ocl_status(args->err, device, message);
    } else {
        size_t rounded = local ? (global + local - 1) / local * local : global;
        cl_int err = clEnqueueNDRangeKernel(pymic2__ocl_stream_of(stream)->queue, args->kernel,
                                            1, NULL, &rounded, local ? &local : NULL, 0, NULL,
                                            done);
        if (err != CL_SUCCESS) {
            char message[128];
            snprintf(message, sizeof message, "clEnqueueNDRangeKernel of %s (%zu work-items)",
                     what, global);
            status = pymic2__ocl_status(err, device, message);
        }
    }
    pthread_mutex_unlock(args->lock);
    return status;
}

int pymic2__ocl_args_launch_2d(pymic2__ocl_args *args, pymic2_stream *stream, const char *what,
                               const size_t global[2], const size_t local[2], cl_event *done)
{
    pymic2_device *device = stream->device;
    int status = PYMIC2_OK;
    if (args->err != CL_SUCCESS) {
        char message[128];
        snprintf(message, sizeof message, "clSetKernelArg %d of %s", args->failed_arg, what);
        status = pymic2__ocl_status(args->err, device, message);
    } else {
        size_t rounded[2];
        for (int d = 0; d < 2; d++)
            rounded[d] = (global[d] + local[d] - 1) / local[d] * local[d];
        cl_int err = clEnqueueNDRangeKernel(pymic2__ocl_stream_of(stream)->queue, args->kernel,
                                            2, NULL, rounded, local, 0, NULL, done);
        if (err != CL_SUCCESS) {
            char message[128];
            snprintf(message, sizeof message, "clEnqueueNDRangeKernel of %s (%zu x %zu)", what,
                     global[0], global[1]);
            status = pymic2__ocl_status(err, device, message);
        }
    }
    pthread_mutex_unlock(args->lock);
    return status;
}

int pymic2__ocl_marker(pymic2_stream *stream, cl_event *done)
{
    cl_int err = clEnqueueMarkerWithWaitList(pymic2__ocl_stream_of(stream)->queue, 0, NULL,
                                             done);
    return err == CL_SUCCESS ? PYMIC2_OK
                             : pymic2__ocl_status(err, stream->device, "clEnqueueMarker");
}

int pymic2__ocl_temporary(pymic2_device *device, size_t nbytes, const void *contents,
                          cl_mem *mem)
{
    cl_int err;
    cl_mem_flags flags = contents ? CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR : CL_MEM_READ_WRITE;
    *mem = clCreateBuffer(pymic2__ocl_device_of(device)->context, flags, nbytes ? nbytes : 8,
                          (void *)contents, &err);
    if (*mem == NULL) {
        char what[96];
        snprintf(what, sizeof what, "clCreateBuffer of a %zu-byte temporary", nbytes);
        return pymic2__ocl_status(err, device, what);
    }
    return PYMIC2_OK;
}

int pymic2__ocl_check_attach(pymic2__ocl_check *check, int status, cl_mem findings,
                             size_t bytes, pymic2__ocl_report_fn report)
{
    if (findings != NULL && status == PYMIC2_OK) {
        check->result = findings;
        check->bytes = bytes;
        check->report = report;
    } else if (findings != NULL) {
        clReleaseMemObject(findings);
    }
    return status;
}

int64_t pymic2__ocl_element_count(const pymic2_operand *operand)
{
    int64_t count = 1;
    for (int d = 0; d < operand->ndim; d++)
        count *= operand->shape[d];
    return count;
}

bool pymic2__ocl_fp64(pymic2_device *device)
{
    /* PYMIC2_OPENCL_NO_FP64=1 makes the compute half behave as on a device without
     * cl_khr_fp64 (for tests of that error path on machines whose devices have it) */
    const char *forced = getenv("PYMIC2_OPENCL_NO_FP64");
    if (forced != NULL && forced[0] != '\0' && strcmp(forced, "0") != 0)
        return false;
    return pymic2__ocl_device_of(device)->has_fp64;
}

int pymic2__ocl_check_dtype(pymic2_device *device, const char *what, pymic2_dtype dtype)
{
    if (!pymic2__dtype_needs_fp64(dtype) || pymic2__ocl_fp64(device))
        return PYMIC2_OK;
    char needs[64] = "";
    if (pymic2__dtype_class_of(dtype) == PYMIC2__CLASS_COMPLEX)
        snprintf(needs, sizeof needs, ", which %s needs", pymic2_dtype_name(dtype));
    return pymic2__error(PYMIC2_EDTYPE, "%s (%s) has no float64 support (cl_khr_fp64)%s: %s",
                         device->name, pymic2__ocl_device_of(device)->device_name, needs, what);
}

int pymic2__ocl_element_offset(pymic2_device *device, const char *what,
                               const pymic2_operand *operand, int64_t *offset)
{
    int64_t itemsize = (int64_t)pymic2_dtype_size(operand->dtype);
    int64_t bytes = (int64_t)operand->buffer->offset + operand->offset;
    int aligned = bytes % itemsize == 0;
    for (int d = 0; d < operand->ndim && aligned; d++)
        aligned = operand->strides[d] % itemsize == 0;
    if (!aligned)
        return pymic2__error(PYMIC2_ENOTSUP, "%s: %s: the %s view at byte offset %" PRId64
                             " has an offset or stride that is not a multiple of its "
                             "%" PRId64 "-byte elements; copy it to a contiguous array first",
                             device->name, what, pymic2_dtype_name(operand->dtype), bytes,
                             itemsize);
    *offset = bytes / itemsize;
    return PYMIC2_OK;
}

/* ---------------------------------------------------------------- elementwise ops */

static int source_elementwise(pymic2_device *device, const void *key, char **source)
{
    return pymic2__ocl_source_elementwise(device->name, key, source);
}

/* Operand dimensions merged: size-1 dimensions dropped, neighbours joined where every array
 * operand's strides allow. strides[k][d] are in elements. */
typedef struct merged {
    int ndim;
    int64_t shape[PYMIC2_MAX_DIMS];
    int64_t strides[PYMIC2_MAX_OPERANDS][PYMIC2_MAX_DIMS];
} merged;

static void merge_dims(merged *m, int noperands, const pymic2_operand *operands,
                       const int64_t *itemsizes)
{
    const pymic2_operand *out = &operands[noperands - 1];
    m->ndim = 0;
    for (int d = 0; d < out->ndim; d++) {
        if (out->shape[d] == 1)
            continue;
        int joins = m->ndim > 0;
        for (int k = 0; k < noperands && joins; k++) {
            int64_t stride = operands[k].buffer ? operands[k].strides[d] / itemsizes[k] : 0;
            joins = m->strides[k][m->ndim - 1] == stride * out->shape[d];
        }
        if (joins) {
            m->shape[m->ndim - 1] *= out->shape[d];
            for (int k = 0; k < noperands; k++)
                m->strides[k][m->ndim - 1] =
                    operands[k].buffer ? operands[k].strides[d] / itemsizes[k] : 0;
        } else {
            m->shape[m->ndim] = out->shape[d];
            for (int k = 0; k < noperands; k++)
                m->strides[k][m->ndim] =
                    operands[k].buffer ? operands[k].strides[d] / itemsizes[k] : 0;
            m->ndim++;
        }
    }
}

/* An integer power with a negative exponent in an array: the kernel set the flag. */
static int report_negative_power(pymic2_stream *stream, const pymic2__command *command,
                                 const void *findings)
{
    cl_int invalid;
    memcpy(&invalid, findings, sizeof invalid);
    if (invalid == 0)
        return PYMIC2_OK;
    return pymic2__error(PYMIC2_EINVAL, "%s: %s: " PYMIC2__NEGATIVE_POWER_MESSAGE,
                         stream->device->name, pymic2__op_get_info(command->u.op.op)->name);
}

/* What one launch of an elementwise kernel needs besides its layout's extra arguments. */
typedef struct elementwise_launch {
    pymic2_stream *stream;
    const pymic2_op_desc *desc;
    const pymic2__ocl_elementwise_key *key;
    unsigned scalars;
    const int64_t *offsets;
    cl_mem flags; /* NULL: the op sets no `invalid` */
} elementwise_launch;

/* Sets the arguments of the layout's kernel for `launch`, then the layout's own (strided:
 * geometry and ndim; all but contiguous: elements [first, n)), and enqueues `global`
 * work-items in work-groups of PYMIC2__OCL_ELEMENTWISE_GROUP. */
static int launch_elementwise(const elementwise_launch *launch, int layout, size_t global,
                              cl_mem geometry, int ndim, int64_t first, int64_t n,
                              cl_event *done)
{
    pymic2_device *device = launch->stream->device;
    const pymic2__op_info *info = pymic2__op_get_info(launch->desc->op);
    const int ninputs = info->ninputs;
    pymic2__ocl_kernel *kernel;
    int status = pymic2__ocl_kernel_get(
        device, PYMIC2__OCL_KIND_ELEMENTWISE, launch->key, sizeof *launch->key,
        pymic2__ocl_elementwise_kernel_name(layout, launch->scalars), source_elementwise,
        &kernel);
    if (status != PYMIC2_OK)
        return status;
    pymic2__ocl_args args;
    pymic2__ocl_args_begin(&args, kernel);
    pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(launch->desc->operands[ninputs].buffer));
    pymic2__ocl_arg_long(&args, launch->offsets[ninputs]);
    for (int k = 0; k < ninputs; k++) {
        const pymic2_operand *in = &launch->desc->operands[k];
        if (in->buffer == NULL) { /* a scalar argument has the compute type */
            pymic2__ocl_arg(&args, pymic2__dtype_compute_size(in->dtype), &in->value);
        } else {
            pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(in->buffer));
            pymic2__ocl_arg_long(&args, launch->offsets[k]);
        }
    }
    if (layout >= PYMIC2__OCL_STRIDED) {
        const cl_int dims = ndim;
        pymic2__ocl_arg_mem(&args, geometry);
        pymic2__ocl_arg(&args, sizeof dims, &dims);
    }
    if (layout != PYMIC2__OCL_CONTIGUOUS) {
        pymic2__ocl_arg_long(&args, first);
        pymic2__ocl_arg_long(&args, n);
    }
    if (launch->flags != NULL)
        pymic2__ocl_arg_mem(&args, launch->flags);
    return pymic2__ocl_args_launch(&args, launch->stream, info->name, global,
                                   PYMIC2__OCL_ELEMENTWISE_GROUP, done);
}

static int run_elementwise(pymic2_stream *stream, const pymic2_op_desc *desc, cl_event *done,
                           pymic2__ocl_check *check)
{
    pymic2_device *device = stream->device;
    const pymic2__op_info *info = pymic2__op_get_info(desc->op);
    const int ninputs = info->ninputs;
    const pymic2_operand *out = &desc->operands[ninputs];
    int status = PYMIC2_OK;
    for (int k = 0; k <= ninputs && status == PYMIC2_OK; k++)
        status = pymic2__ocl_check_dtype(device, info->name, desc->operands[k].dtype);
    if (status != PYMIC2_OK)
        return status;
    const int64_t count = pymic2__ocl_element_count(out);
    if (count == 0)
        return pymic2__ocl_marker(stream, done);

    pymic2__ocl_elementwise_key key;
    memset(&key, 0, sizeof key); /* the key is compared as bytes, padding included */
    key.op = desc->op;
    key.input = desc->operands[info->dtype_input].dtype;
    key.output = out->dtype;
    key.fp64 = pymic2__ocl_fp64(device);
    unsigned scalars = 0;
    int64_t offsets[PYMIC2_MAX_OPERANDS] = {0}, itemsizes[PYMIC2_MAX_OPERANDS];
    for (int k = 0; k <= ninputs; k++) {
        const pymic2_operand *operand = &desc->operands[k];
        itemsizes[k] = (int64_t)pymic2_dtype_size(operand->dtype);
        if (operand->buffer == NULL)
            scalars |= 1u << k;
        else if ((status = pymic2__ocl_element_offset(device, info->name, operand,
                                                      &offsets[k])) != PYMIC2_OK)
            return status;
    }
    merged m;
    merge_dims(&m, ninputs + 1, desc->operands, itemsizes);
    int contiguous = m.ndim <= 1;
    for (int k = 0; k <= ninputs && contiguous; k++)
        contiguous = desc->operands[k].buffer == NULL || m.ndim == 0 || m.strides[k][0] == 1;

    cl_mem geometry = NULL, flags = NULL;
    if (!contiguous) {
        /* shape, then the output's strides, then each input's (see the kernel) */
        int64_t values[(PYMIC2_MAX_OPERANDS + 1) * PYMIC2_MAX_DIMS];
        memcpy(values, m.shape, (size_t)m.ndim * sizeof values[0]);
        memcpy(values + m.ndim, m.strides[ninputs], (size_t)m.ndim * sizeof values[0]);
        for (int k = 0; k < ninputs; k++)
            memcpy(values + (k + 2) * m.ndim, m.strides[k], (size_t)m.ndim * sizeof values[0]);
        status = pymic2__ocl_temporary(device, (size_t)(ninputs + 2) * (size_t)m.ndim * 8,
                                       values, &geometry);
    }
    const cl_int zero = 0;
    if (status == PYMIC2_OK && pymic2__ocl_op_may_be_invalid(key.op, key.input))
        status = pymic2__ocl_temporary(device, sizeof zero, &zero, &flags);
    const elementwise_launch launch = {stream, desc, &key, scalars, offsets, flags};
    const int64_t group = PYMIC2__OCL_ELEMENTWISE_GROUP;
    /* whole work-groups unchecked (contiguous, or strided with up to 3 dimensions), the
     * rest by a checked kernel */
    int bulk_layout = PYMIC2__OCL_CONTIGUOUS, rest_layout = PYMIC2__OCL_CONTIGUOUS_TAIL;
    int64_t whole = count / group * group;
    if (!contiguous) {
        rest_layout = PYMIC2__OCL_STRIDED;
        bulk_layout = PYMIC2__OCL_STRIDED + m.ndim;
        if (m.ndim > PYMIC2__OCL_STRIDED_FIXED_MAX)
            whole = 0;
    }
    /* both kernels first: a failure leaves nothing enqueued */
    pymic2__ocl_kernel *unused;
    if (status == PYMIC2_OK && whole > 0 && whole < count)
        status = pymic2__ocl_kernel_get(
            device, PYMIC2__OCL_KIND_ELEMENTWISE, &key, sizeof key,
            pymic2__ocl_elementwise_kernel_name(rest_layout, scalars), source_elementwise,
            &unused);
    cl_event bulk = NULL;
    if (status == PYMIC2_OK && whole > 0)
        status = launch_elementwise(&launch, bulk_layout, (size_t)whole, geometry, m.ndim, 0,
                                    count, whole < count ? &bulk : done);
    if (status == PYMIC2_OK && whole < count)
        status = launch_elementwise(&launch, rest_layout, (size_t)(count - whole), geometry,
                                    m.ndim, whole, count, done);
    if (bulk != NULL)
        clReleaseEvent(bulk); /* the in-order queue runs the rest after it */
    if (geometry)
        clReleaseMemObject(geometry);
    return pymic2__ocl_check_attach(check, status, flags, sizeof zero, report_negative_power);
}

/* ---------------------------------------------------------------- reductions */

static int source_reduce(pymic2_device *device, const void *key, char **source)
{
    return pymic2__ocl_source_reduce(device->name, key, source);
}

/* A dimension of a reduction: its size and strides (elements) in the input and output. */
typedef struct reduce_dim {
    int64_t size, in, out;
} reduce_dim;

/* Appends a dimension, joined to the previous one when both strides allow. */
static void push_dim(reduce_dim *dims, int *n, reduce_dim dim, int join)
{
    if (join && *n > 0) {
        reduce_dim *last = &dims[*n - 1];
        if (last->in == dim.in * dim.size && last->out == dim.out * dim.size) {
            last->size *= dim.size;
            last->in = dim.in;
            last->out = dim.out;
            return;
        }
    }
    dims[(*n)++] = dim;
}

/* The kernels' (int kept, int reduced) arguments: the merged geometry's dimensions. */
static void arg_dims(pymic2__ocl_args *args, int kept, int reduced)
{
    const cl_int values[2] = {kept, reduced};
    pymic2__ocl_arg(args, sizeof values[0], &values[0]);
    pymic2__ocl_arg(args, sizeof values[1], &values[1]);
}

/* A reduction's input dimensions split into kept and reduced ones (in C order, merged). */
typedef struct reduce_geometry {
    reduce_dim kept[PYMIC2_MAX_DIMS], red[PYMIC2_MAX_DIMS];
    int nkept, nred;
    int64_t outputs, length; /* the number of outputs and of elements each folds */
} reduce_geometry;

static void split_reduce_dims(const pymic2_op_desc *desc, const pymic2__reduce_info *reduce,
                              reduce_geometry *geo)
{
    const pymic2_operand *in = &desc->operands[0], *out = &desc->operands[1];
    const int64_t in_size = (int64_t)pymic2_dtype_size(in->dtype);
    const int64_t out_size = (int64_t)pymic2_dtype_size(out->dtype);
    const int keepdims = out->ndim == in->ndim;
    geo->nkept = geo->nred = 0;
    geo->outputs = geo->length = 1;
    for (int d = 0, od = 0; d < in->ndim; d++) {
        const int reduced = (desc->axes >> d & 1) != 0;
        reduce_dim dim = {in->shape[d], in->strides[d] / in_size, 0};
        if (!reduced || keepdims || reduce->cumulative)
            dim.out = out->strides[od++] / out_size;
        if (reduced && !reduce->cumulative)
            dim.out = 0; /* not an output dimension: must not stop merges */
        if (reduced) {
            geo->length *= dim.size;
            if (dim.size != 1 || reduce->cumulative)
                push_dim(geo->red, &geo->nred, dim, !reduce->cumulative);
        } else {
            geo->outputs *= dim.size;
            if (dim.size != 1)
                push_dim(geo->kept, &geo->nkept, dim, 1);
        }
    }
}

/* The kernels' geometry buffer (see cl/reduce.cl). */
static int upload_reduce_geometry(pymic2_device *device, const reduce_geometry *geo,
                                  cl_mem *geometry)
{
    const int nkept = geo->nkept, nred = geo->nred;
    int64_t values[5 * PYMIC2_MAX_DIMS + 1] = {0};
    for (int d = 0; d < nkept; d++) {
        values[d] = geo->kept[d].size;
        values[nkept + d] = geo->kept[d].in;
        values[2 * nkept + d] = geo->kept[d].out;
    }
    for (int d = 0; d < nred; d++) {
        values[3 * nkept + d] = geo->red[d].size;
        values[3 * nkept + nred + d] = geo->red[d].in;
    }
    return pymic2__ocl_temporary(device, (size_t)(3 * nkept + 2 * nred + 1) * 8, values,
                                 geometry);
}

/* What every reduction kernel of one command needs. */
typedef struct reduce_launch {
    pymic2_stream *stream;
    const pymic2__reduce_info *reduce;
    const pymic2__ocl_reduce_key *key;
    const reduce_geometry *geo;
    cl_mem in, out, geometry;
    int64_t in_offset, out_offset;
} reduce_launch;

/* Gets kernel `name` and sets the arguments the scan, columns and partial kernels start with:
 * (in, in_offset, out, out_offset). */
static int begin_reduce_args(const reduce_launch *r, const char *name, pymic2__ocl_args *args)
{
    pymic2__ocl_kernel *kernel;
    int status = pymic2__ocl_kernel_get(r->stream->device, PYMIC2__OCL_KIND_REDUCE, r->key,
                                        sizeof *r->key, name, source_reduce, &kernel);
    if (status != PYMIC2_OK)
        return status;
    pymic2__ocl_args_begin(args, kernel);
    pymic2__ocl_arg_mem(args, r->in);
    pymic2__ocl_arg_long(args, r->in_offset);
    pymic2__ocl_arg_mem(args, r->out);
    pymic2__ocl_arg_long(args, r->out_offset);
    return PYMIC2_OK;
}

/* Scans and column reductions: one work-item per output line. */
static int launch_per_output(const reduce_launch *r, cl_event *done)
{
    const reduce_geometry *geo = r->geo;
    pymic2__ocl_args args;
    int status = begin_reduce_args(
        r, r->reduce->cumulative ? "pymic2_scan" : "pymic2_reduce_columns", &args);
    if (status != PYMIC2_OK)
        return status;
    pymic2__ocl_arg_long(&args, geo->outputs);
    pymic2__ocl_arg_long(&args, geo->length);
    pymic2__ocl_arg_mem(&args, r->geometry);
    arg_dims(&args, geo->nkept, geo->nred);
    if (r->reduce->cumulative)
        pymic2__ocl_arg_long(&args, geo->red[0].out);
    return pymic2__ocl_args_launch(&args, r->stream, r->reduce->name, (size_t)geo->outputs, 64,
                                   done);
}

/* Chunks: enough work-groups for every compute unit a few times over, each with at least a
 * few thousand elements. */
static int64_t reduce_chunks(const pymic2__ocl_device *ocl, const reduce_geometry *geo)
{
    const int64_t groups_wanted = 4 * (int64_t)ocl->compute_units;
    if (geo->outputs >= groups_wanted)
        return 1;
    int64_t chunks = (groups_wanted + geo->outputs - 1) / geo->outputs;
    const int64_t most = geo->length / (16 * PYMIC2__OCL_REDUCE_GROUP);
    if (chunks > most)
        chunks = most > 1 ? most : 1;
    return chunks;
}

/* Pass 2 of a chunked reduction: pymic2_reduce_final folds each output's chunks. */
static int launch_reduce_final(const reduce_launch *r, int64_t chunks, cl_mem partial,
                               cl_mem partial_index, cl_event *done)
{
    pymic2__ocl_kernel *kernel;
    int status = pymic2__ocl_kernel_get(r->stream->device, PYMIC2__OCL_KIND_REDUCE, r->key,
                                        sizeof *r->key, "pymic2_reduce_final", source_reduce,
                                        &kernel);
    if (status != PYMIC2_OK)
        return status;
    pymic2__ocl_args args;
    pymic2__ocl_args_begin(&args, kernel);
    pymic2__ocl_arg_mem(&args, r->out);
    pymic2__ocl_arg_long(&args, r->out_offset);
    pymic2__ocl_arg_long(&args, r->geo->outputs);
    pymic2__ocl_arg_long(&args, chunks);
    pymic2__ocl_arg_mem(&args, r->geometry);
    arg_dims(&args, r->geo->nkept, r->geo->nred);
    pymic2__ocl_arg_mem(&args, partial);
    if (r->reduce->arg)
        pymic2__ocl_arg_mem(&args, partial_index);
    return pymic2__ocl_args_launch(&args, r->stream, r->reduce->name,
                                   (size_t)r->geo->outputs, 64, done);
}

/* Work-groups per output, and per chunk of it for few outputs (pymic2_reduce_partial), then
 * the chunks folded (pymic2_reduce_final). */
static int launch_grouped(const reduce_launch *r, cl_event *done)
{
    pymic2_device *device = r->stream->device;
    const pymic2__reduce_info *reduce = r->reduce;
    const reduce_geometry *geo = r->geo;
    const int64_t chunks = reduce_chunks(pymic2__ocl_device_of(device), geo);
    const int64_t per_chunk = chunks > 1 ? (geo->length + chunks - 1) / chunks : geo->length;
    const size_t acc_size = pymic2__ocl_reduce_acc_size(r->key);
    cl_mem partial = NULL, partial_index = NULL;
    int status = pymic2__ocl_temporary(
        device, chunks > 1 ? (size_t)(geo->outputs * chunks) * acc_size : 8, NULL, &partial);
    if (status == PYMIC2_OK && reduce->arg)
        status = pymic2__ocl_temporary(
            device, chunks > 1 ? (size_t)(geo->outputs * chunks) * 8 : 8, NULL, &partial_index);
    pymic2__ocl_args args;
    if (status == PYMIC2_OK)
        status = begin_reduce_args(r, "pymic2_reduce_partial", &args);
    cl_event first = NULL;
    if (status == PYMIC2_OK) {
        pymic2__ocl_arg_long(&args, geo->length);
        pymic2__ocl_arg_long(&args, chunks);
        pymic2__ocl_arg_long(&args, per_chunk);
        pymic2__ocl_arg_mem(&args, r->geometry);
        arg_dims(&args, geo->nkept, geo->nred);
        pymic2__ocl_arg_mem(&args, partial);
        if (reduce->arg)
            pymic2__ocl_arg_mem(&args, partial_index);
        status = pymic2__ocl_args_launch(&args, r->stream, reduce->name,
                                         (size_t)(geo->outputs * chunks) *
                                             PYMIC2__OCL_REDUCE_GROUP,
                                         PYMIC2__OCL_REDUCE_GROUP, chunks > 1 ? &first : done);
    }
    if (status == PYMIC2_OK && chunks > 1) {
        clReleaseEvent(first);
        status = launch_reduce_final(r, chunks, partial, partial_index, done);
    }
    if (partial)
        clReleaseMemObject(partial);
    if (partial_index)
        clReleaseMemObject(partial_index);
    return status;
}

static int run_reduce(pymic2_stream *stream, const pymic2_op_desc *desc, cl_event *done)
{
    pymic2_device *device = stream->device;
    const pymic2__reduce_info *reduce = pymic2__reduce_get_info(desc->reduction);
    const pymic2_operand *in = &desc->operands[0], *out = &desc->operands[1];
    int status = pymic2__ocl_check_dtype(device, reduce->name, in->dtype);
    if (status != PYMIC2_OK)
        return status;
    reduce_launch r = {stream, reduce, NULL, NULL, pymic2__ocl_mem_of(in->buffer),
                       pymic2__ocl_mem_of(out->buffer), NULL, 0, 0};
    if ((status = pymic2__ocl_element_offset(device, reduce->name, in, &r.in_offset)) != 0 ||
        (status = pymic2__ocl_element_offset(device, reduce->name, out, &r.out_offset)) != 0)
        return status;
    reduce_geometry geo;
    split_reduce_dims(desc, reduce, &geo);
    if (geo.outputs == 0 || (reduce->cumulative && geo.length == 0))
        return pymic2__ocl_marker(stream, done);
    pymic2__ocl_reduce_key key;
    memset(&key, 0, sizeof key);
    key.reduction = desc->reduction;
    key.input = in->dtype;
    key.fp64 = pymic2__ocl_fp64(device);
    key.segmented = pymic2__ocl_device_of(device)->runs_items_in_turn;
    r.key = &key;
    r.geo = &geo;
    if ((status = upload_reduce_geometry(device, &geo, &r.geometry)) != PYMIC2_OK)
        return status;
    /* Columns when the kept dimension is the contiguous one and there are enough outputs to
     * fill the device; else work-groups per output (and chunks of it, for few outputs). */
    const int64_t wide = 8 * (int64_t)pymic2__ocl_device_of(device)->compute_units *
                         PYMIC2__OCL_REDUCE_GROUP;
    const bool columns = geo.nkept > 0 && geo.kept[geo.nkept - 1].in == 1 && geo.nred > 0 &&
                         geo.red[geo.nred - 1].in != 1 && geo.outputs >= wide / 8;
    if (reduce->cumulative || columns)
        status = launch_per_output(&r, done);
    else
        status = launch_grouped(&r, done);
    clReleaseMemObject(r.geometry);
    return status;
}

/* A float sum starts from -0.0 so that a sum of -0.0 stays -0.0, as NumPy's; but NumPy's sum
 * of nothing is +0.0: an empty float sum adds +0.0 to its result. */
static int run_sum(pymic2_stream *stream, const pymic2_op_desc *desc, cl_event *done)
{
    const pymic2_operand *in = &desc->operands[0], *out = &desc->operands[1];
    bool empty = false;
    for (int d = 0; d < in->ndim; d++)
        empty |= (desc->axes >> d & 1) != 0 && in->shape[d] == 0;
    const bool is_float = pymic2__dtype_class_of(out->dtype) == PYMIC2__CLASS_FLOAT;
    if (!empty || !is_float)
        return run_reduce(stream, desc, done);
    cl_event reduced;
    int status = run_reduce(stream, desc, &reduced);
    if (status != PYMIC2_OK)
        return status;
    clReleaseEvent(reduced);
    pymic2_op_desc plus_zero = {.op = PYMIC2_OP_ADD, .noperands = 3};
    plus_zero.operands[0] = *out;
    pymic2_operand_scalar(&plus_zero.operands[1], out->dtype, (pymic2_scalar){0});
    plus_zero.operands[2] = *out;
    pymic2__ocl_check no_check = {0}; /* a float add has nothing to check */
    return run_elementwise(stream, &plus_zero, done, &no_check);
}

/* ---------------------------------------------------------------- GEMM with c overlapping an input */

static bool is_empty(const pymic2_operand *operand)
{
    for (int d = 0; d < operand->ndim; d++)
        if (operand->shape[d] == 0)
            return true;
    return false;
}

/*
 * The GEMM kernels read a and b while they write c (`a @= b`): an input overlapping c is
 * first copied, its whole extent, into a temporary buffer, and the product reads the copy.
 * The copy stands in for the input's buffer in a copy of the descriptor.
 */
static int run_gemm(pymic2_stream *stream, const pymic2_gemm_desc *desc, cl_event *done)
{
    pymic2_gemm_desc reads_copies = *desc;
    pymic2_operand *inputs[2] = {&reads_copies.a, &reads_copies.b};
    pymic2_buffer stand_ins[2];
    cl_mem copies[2] = {NULL, NULL};
    int status = PYMIC2_OK;
    int64_t c_first, c_end;
    pymic2__operand_extent(&desc->c, &c_first, &c_end);
    for (int k = 0; k < 2 && status == PYMIC2_OK; k++) {
        pymic2_operand *input = inputs[k];
        if (input->buffer != desc->c.buffer || is_empty(input) || is_empty(&desc->c))
            continue;
        int64_t first, end;
        pymic2__operand_extent(input, &first, &end);
        if (first >= c_end || c_first >= end)
            continue;
        status = pymic2__ocl_temporary(stream->device, (size_t)(end - first), NULL, &copies[k]);
        if (status != PYMIC2_OK)
            break;
        cl_int err = clEnqueueCopyBuffer(pymic2__ocl_stream_of(stream)->queue,
                                         pymic2__ocl_mem_of(input->buffer), copies[k],
                                         input->buffer->offset + (size_t)first, 0,
                                         (size_t)(end - first), 0, NULL, NULL);
        if (err != CL_SUCCESS) {
            status = pymic2__ocl_status(err, stream->device, "copy of a matmul input that "
                                        "overlaps the output");
            break;
        }
        stand_ins[k] = *input->buffer;
        stand_ins[k].chunk_handle = copies[k];
        stand_ins[k].offset = 0;
        stand_ins[k].size = (size_t)(end - first);
        input->buffer = &stand_ins[k];
        input->offset -= first;
    }
    if (status == PYMIC2_OK)
        status = pymic2__ocl_run_gemm(stream, &reads_copies, done);
    for (int k = 0; k < 2; k++)
        if (copies[k] != NULL) /* CL keeps it until the queued product ran */
            clReleaseMemObject(copies[k]);
    return status;
}

/*
 * A dtype stored in another than it computes in (float16) multiplies in its compute dtype, as
 * on the host: a and b (and c, when beta reads it) are converted into contiguous temporaries
 * of float32, the float32 product runs on them and c gets each result rounded once. (The
 * float kernel on vload_half/vstore_half_rte, in one pass over K so that c is rounded once,
 * took 1.2 s at N = 2048 on PoCL, these steps 0.3 s.)
 */
static int run_gemm_converted(pymic2_stream *stream, const pymic2_gemm_desc *desc,
                              cl_event *done)
{
    const pymic2_dtype compute = pymic2__dtype_compute(desc->c.dtype);
    pymic2_gemm_desc converted = *desc;
    pymic2_operand *const operands[3] = {&converted.a, &converted.b, &converted.c};
    pymic2_buffer stand_ins[3];
    cl_mem temporaries[3] = {NULL, NULL, NULL};
    const bool read_c = memcmp(&desc->beta, &(pymic2_scalar){0},
                               pymic2__dtype_compute_size(desc->c.dtype)) != 0;
    pymic2__ocl_check no_check = {0}; /* conversions have nothing to check */
    cl_event step = NULL;
    int status = PYMIC2_OK;
    for (int k = 0; k < 3 && status == PYMIC2_OK; k++) {
        pymic2_operand *operand = operands[k];
        const pymic2_operand original = *operand;
        const size_t nbytes = (size_t)pymic2__ocl_element_count(operand) *
                              pymic2_dtype_size(compute);
        status = pymic2__ocl_temporary(stream->device, nbytes, NULL, &temporaries[k]);
        if (status != PYMIC2_OK)
            break;
        stand_ins[k] = *original.buffer;
        stand_ins[k].chunk_handle = temporaries[k];
        stand_ins[k].offset = 0;
        stand_ins[k].size = nbytes;
        pymic2_operand_contiguous(operand, &stand_ins[k], 0, compute, original.ndim,
                                  original.shape);
        if (k == 2 && !read_c)
            break;
        pymic2_op_desc copy = {.op = PYMIC2_OP_COPY, .noperands = 2};
        copy.operands[0] = original;
        copy.operands[1] = *operand;
        status = run_elementwise(stream, &copy, &step, &no_check);
        if (status == PYMIC2_OK)
            clReleaseEvent(step); /* the in-order queue runs the product after it */
    }
    if (status == PYMIC2_OK)
        status = pymic2__ocl_run_gemm(stream, &converted, &step);
    if (status == PYMIC2_OK) {
        clReleaseEvent(step);
        pymic2_op_desc copy = {.op = PYMIC2_OP_COPY, .noperands = 2};
        copy.operands[0] = converted.c;
        copy.operands[1] = desc->c;
        status = run_elementwise(stream, &copy, done, &no_check);
    }
    for (int k = 0; k < 3; k++)
        if (temporaries[k] != NULL) /* CL keeps them until the queued commands ran */
            clReleaseMemObject(temporaries[k]);
    return status;
}

/* ---------------------------------------------------------------- the OP and GEMM slots */

int pymic2__ocl_op(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    pymic2__ocl_launch *out = launch;
    const pymic2_op_desc *desc = &command->u.op;
    if (desc->reduction == PYMIC2_REDUCE_SUM)
        return run_sum(stream, desc, &out->done);
    if (desc->reduction != PYMIC2_REDUCE_NONE)
        return run_reduce(stream, desc, &out->done);
    return run_elementwise(stream, desc, &out->done, &out->check);
}

int pymic2__ocl_gemm(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    const pymic2_gemm_desc *desc = &command->u.gemm;
    cl_event *done = &((pymic2__ocl_launch *)launch)->done;
    if (pymic2__dtype_compute(desc->c.dtype) != desc->c.dtype)
        return run_gemm_converted(stream, desc, done);
    return run_gemm(stream, desc, done);
}
