/*
 * ocl_nn.c - softmax cross entropy (pymic2_softmax_cross_entropy) on OpenCL devices.
 *
 * Three kernels of one program per (x dtype, label dtype):
 *   pymic2_sce_rows   one work-item per row: checks the row's label (the first bad row is
 *                     kept by atomic_min in the check buffer), then writes the row's loss
 *                     term (FORWARD) or its log-sum-exp (BACKWARD) into a scratch buffer;
 *   pymic2_sce_total  one work-group: adds the terms and counts the labelled rows in a fixed
 *                     order (the loss does not depend on timing), then writes the loss
 *                     (FORWARD) or the coefficient into the scratch's last slot (BACKWARD);
 *   pymic2_sce_grad   BACKWARD, one work-item per gradient element.
 * Nothing is written to the caller's memory when a label is bad: the later kernels read the
 * check buffer first. The check reaches the host without blocking the enqueue (see
 * pymic2__ocl_check); the command then fails with the host's EINDEX message.
 *
 * The arithmetic is the host's (src/backends/host/nn.c): the row's log-sum-exp as Chainer
 * computes it, terms added in double where the device has fp64 (else float).
 */
#include "ocl_ops.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHAT "softmax_cross_entropy"

/* Work-group size of pymic2_sce_total (a power of two: tree reduction). */
#define TOTAL_GROUP 128
/* The check buffer: first bad row, then that row's label as two 32-bit halves. */
#define CHECK_INTS 3

typedef struct sce_key {
    pymic2_dtype x, labels;
    bool fp64;
} sce_key;

static const char sce_source[] =
    "#define NONE 2147483647\n"
    /* the row's log-sum-exp; NaN wins the maximum, as numpy.max */
    "T pymic2_log_sum_exp(__global const T *x, long at, long step, long classes)\n"
    "{\n"
    "    T maximum = x[at];\n"
    "    for (long c = 1; c < classes; c++) {\n"
    "        const T value = x[at + c * step];\n"
    "        if (value > maximum || value != value)\n"
    "            maximum = maximum != maximum ? maximum : value;\n"
    "    }\n"
    "    T sum = 0;\n"
    "    for (long c = 0; c < classes; c++)\n"
    "        sum += exp(x[at + c * step] - maximum);\n"
    "    return maximum + log(sum);\n"
    "}\n"
    "__kernel void pymic2_sce_rows(__global const T *x, long x_offset, long x_row, long x_col,\n"
    "    __global const L *labels, long labels_offset, long labels_step, long rows,\n"
    "    long classes, long ignore, int forward, __global int *check, __global A *scratch)\n"
    "{\n"
    "    const long row = get_global_id(0);\n"
    "    if (row >= rows)\n"
    "        return;\n"
    "    const long label = labels[labels_offset + row * labels_step];\n"
    "    const int labelled = label != ignore;\n"
    "    if (labelled && (label < 0 || label >= classes)) {\n"
    "        atomic_min(check, (int)row);\n"
    "        return;\n"
    "    }\n"
    "    const long at = x_offset + row * x_row;\n"
    "    const T lse = pymic2_log_sum_exp(x, at, x_col, classes);\n"
    /* an ignored row adds its column 0 times 0, so NaN or -inf there gives NaN (Chainer) */
    "    if (forward)\n"
    "        scratch[row] = (A)((x[at + (labelled ? label : 0) * x_col] - lse) * (T)labelled);\n"
    "    else\n"
    "        scratch[row] = (A)lse;\n"
    "}\n"
    "__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))\n"
    "void pymic2_sce_total(__global const L *labels, long labels_offset, long labels_step,\n"
    "    long rows, long ignore, int normalize, int forward, __global int *check,\n"
    "    __global A *scratch, __global T *loss, long loss_offset)\n"
    "{\n"
    "    __local A sums[GROUP];\n"
    "    __local long counts[GROUP];\n"
    "    const int i = get_local_id(0);\n"
    "    A sum = 0;\n"
    "    long count = 0;\n"
    "    const int bad = check[0] != NONE;\n"
    "    for (long row = i; row < rows && !bad; row += GROUP) {\n"
    "        if (forward)\n"
    "            sum += scratch[row];\n"
    "        count += labels[labels_offset + row * labels_step] != ignore;\n"
    "    }\n"
    "    sums[i] = sum;\n"
    "    counts[i] = count;\n"
    "    barrier(CLK_LOCAL_MEM_FENCE);\n"
    "    for (int width = GROUP / 2; width > 0; width >>= 1) {\n"
    "        if (i < width) {\n"
    "            sums[i] += sums[i + width];\n"
    "            counts[i] += counts[i + width];\n"
    "        }\n"
    "        barrier(CLK_LOCAL_MEM_FENCE);\n"
    "    }\n"
    "    if (i != 0)\n"
    "        return;\n"
    "    if (bad) { /* the host's message names the label */\n"
    "        const long label = labels[labels_offset + check[0] * labels_step];\n"
    "        check[1] = (int)(uint)(ulong)label;\n"
    "        check[2] = (int)(uint)((ulong)label >> 32);\n"
    "        return;\n"
    "    }\n"
    "    const long n = normalize ? counts[0] : rows;\n"
    "    const A coefficient = (A)1 / (A)(n > 1 ? n : 1);\n"
    "    if (forward)\n"
    "        loss[loss_offset] = (T)(-sums[0] * coefficient);\n"
    "    else\n"
    "        scratch[rows] = coefficient;\n"
    "}\n"
    "__kernel void pymic2_sce_grad(__global const T *x, long x_offset, long x_row, long x_col,\n"
    "    __global const L *labels, long labels_offset, long labels_step, long rows,\n"
    "    long classes, long ignore, __global const int *check, __global const A *scratch,\n"
    "    __global const T *gloss, long gloss_offset, T gloss_value, int gloss_is_scalar,\n"
    "    __global T *grad, long grad_offset, long grad_row, long grad_col)\n"
    "{\n"
    "    const long i = get_global_id(0);\n"
    "    if (i >= rows * classes || check[0] != NONE)\n"
    "        return;\n"
    "    const long row = i / classes, c = i % classes;\n"
    "    const long label = labels[labels_offset + row * labels_step];\n"
    /* an ignored row is multiplied by 0, so NaN in it stays NaN (as Chainer) */
    "    const T labelled = label != ignore;\n"
    "    const long hot = label < 0 ? 0 : label;\n"
    "    const A upstream = gloss_is_scalar ? gloss_value : gloss[gloss_offset];\n"
    "    const T scale = (T)(upstream * scratch[rows]);\n"
    "    T value = exp(x[x_offset + row * x_row + c * x_col] - (T)scratch[row]) - (T)(c == hot);\n"
    "    grad[grad_offset + row * grad_row + c * grad_col] = value * labelled * scale;\n"
    "}\n";

static int source_sce(pymic2_device *device, const void *key_bytes, char **source)
{
    const sce_key *key = key_bytes;
    size_t size = sizeof sce_source + 256;
    char *text = malloc(size);
    if (text == NULL)
        return pymic2__error(PYMIC2_ENOMEM, "%s: out of host memory for a kernel source",
                             device->name);
    snprintf(text, size,
             "#pragma OPENCL FP_CONTRACT OFF\n%s"
             "#define T %s\n#define L %s\n#define A %s\n#define GROUP %d\n%s",
             key->fp64 ? "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n" : "",
             pymic2__ocl_type_name(key->x), pymic2__ocl_type_name(key->labels),
             key->fp64 ? "double" : "float", TOTAL_GROUP, sce_source);
    *source = text;
    return PYMIC2_OK;
}

/* The completion thread's look at the check buffer (see pymic2__ocl_check). */
static int report_bad_label(pymic2_stream *stream, const pymic2__command *command,
                            const void *values)
{
    int32_t check[CHECK_INTS];
    memcpy(check, values, sizeof check);
    if (check[0] == INT32_MAX)
        return PYMIC2_OK;
    const pymic2_softmax_cross_entropy_desc *desc = &command->u.nn.u.softmax_cross_entropy;
    const int64_t label = (int64_t)((uint64_t)(uint32_t)check[2] << 32 | (uint32_t)check[1]);
    return pymic2__error(PYMIC2_EINDEX, "%s: " WHAT ": label %" PRId64 " of row %" PRId32
                         " is outside 0..%" PRId64 " (and is not ignore_label %" PRId64 ")",
                         stream->device->name, label, check[0], desc->x.shape[1] - 1,
                         desc->ignore_label);
}

/* Element offset and the two strides (in elements) of a 2-d operand, or offset and stride of
 * a 1-d one. */
static int geometry_of(pymic2_device *device, const pymic2_operand *operand, int64_t *offset,
                       int64_t *strides)
{
    int status = pymic2__ocl_element_offset(device, WHAT, operand, offset);
    const int64_t itemsize = (int64_t)pymic2_dtype_size(operand->dtype);
    for (int d = 0; d < operand->ndim && status == PYMIC2_OK; d++)
        strides[d] = operand->strides[d] / itemsize;
    return status;
}

/* The arguments pymic2_sce_rows and pymic2_sce_grad begin with: x, labels and the sizes. */
static void x_and_labels_args(pymic2__ocl_args *args,
                              const pymic2_softmax_cross_entropy_desc *desc, int64_t x_offset,
                              const int64_t x_strides[2], int64_t labels_offset,
                              int64_t labels_step)
{
    pymic2__ocl_arg_mem(args, pymic2__ocl_mem_of(desc->x.buffer));
    pymic2__ocl_arg_long(args, x_offset);
    pymic2__ocl_arg_long(args, x_strides[0]);
    pymic2__ocl_arg_long(args, x_strides[1]);
    pymic2__ocl_arg_mem(args, pymic2__ocl_mem_of(desc->labels.buffer));
    pymic2__ocl_arg_long(args, labels_offset);
    pymic2__ocl_arg_long(args, labels_step);
    pymic2__ocl_arg_long(args, desc->x.shape[0]);
    pymic2__ocl_arg_long(args, desc->x.shape[1]);
    pymic2__ocl_arg_long(args, desc->ignore_label);
}

/* A validated forward or backward pass, enqueued as the command's kernels. */
static int softmax_cross_entropy(pymic2_stream *stream,
                                 const pymic2_softmax_cross_entropy_desc *desc, void *launch)
{
    cl_event *done = &((pymic2__ocl_launch *)launch)->done;
    pymic2__ocl_check *check = &((pymic2__ocl_launch *)launch)->check;
    pymic2_device *device = stream->device;
    const bool forward = desc->pass == PYMIC2_SOFTMAX_CROSS_ENTROPY_FORWARD;
    const int64_t rows = desc->x.shape[0], classes = desc->x.shape[1];
    int status = pymic2__ocl_check_dtype(device, WHAT, desc->x.dtype);
    if (status == PYMIC2_OK && rows > INT32_MAX)
        status = pymic2__error(PYMIC2_ENOTSUP, "%s: " WHAT ": %" PRId64 " rows; at most 2^31 - 1 "
                               "on OpenCL devices", device->name, rows);
    int64_t x_offset = 0, x_strides[2] = {0, 0}, labels_offset = 0, labels_step = 0;
    int64_t loss_offset = 0, grad_offset = 0, grad_strides[2] = {0, 0};
    if (status == PYMIC2_OK)
        status = geometry_of(device, &desc->x, &x_offset, x_strides);
    if (status == PYMIC2_OK)
        status = geometry_of(device, &desc->labels, &labels_offset, &labels_step);
    if (status == PYMIC2_OK && desc->loss.buffer != NULL)
        status = pymic2__ocl_element_offset(device, WHAT, &desc->loss, &loss_offset);
    if (status == PYMIC2_OK && !forward)
        status = geometry_of(device, &desc->grad, &grad_offset, grad_strides);
    if (status != PYMIC2_OK)
        return status;

    sce_key key;
    memset(&key, 0, sizeof key); /* compared as bytes */
    key.x = desc->x.dtype;
    key.labels = desc->labels.dtype;
    key.fp64 = pymic2__ocl_fp64(device);
    const size_t accumulator = key.fp64 ? sizeof(cl_double) : sizeof(cl_float);
    const cl_int check_init[CHECK_INTS] = {INT32_MAX, 0, 0};
    cl_mem check_mem = NULL, scratch = NULL;
    status = pymic2__ocl_temporary(device, sizeof check_init, check_init, &check_mem);
    if (status == PYMIC2_OK)
        status = pymic2__ocl_temporary(device, (size_t)(rows + 1) * accumulator, NULL, &scratch);
    pymic2__ocl_kernel *rows_kernel = NULL, *total_kernel = NULL, *grad_kernel = NULL;
    if (status == PYMIC2_OK)
        status = pymic2__ocl_kernel_get(device, PYMIC2__OCL_KIND_NN, &key, sizeof key,
                                        "pymic2_sce_rows", source_sce, &rows_kernel);
    if (status == PYMIC2_OK)
        status = pymic2__ocl_kernel_get(device, PYMIC2__OCL_KIND_NN, &key, sizeof key,
                                        "pymic2_sce_total", source_sce, &total_kernel);
    if (status == PYMIC2_OK && !forward)
        status = pymic2__ocl_kernel_get(device, PYMIC2__OCL_KIND_NN, &key, sizeof key,
                                        "pymic2_sce_grad", source_sce, &grad_kernel);

    cl_mem x = pymic2__ocl_mem_of(desc->x.buffer);
    cl_mem labels = pymic2__ocl_mem_of(desc->labels.buffer);
    const cl_int forward_flag = forward, normalize = desc->normalize != 0;
    pymic2__ocl_args args;
    cl_event step;
    if (status == PYMIC2_OK && rows > 0) {
        pymic2__ocl_args_begin(&args, rows_kernel);
        x_and_labels_args(&args, desc, x_offset, x_strides, labels_offset, labels_step);
        pymic2__ocl_arg(&args, sizeof forward_flag, &forward_flag);
        pymic2__ocl_arg_mem(&args, check_mem);
        pymic2__ocl_arg_mem(&args, scratch);
        status = pymic2__ocl_args_launch(&args, stream, WHAT, (size_t)rows, 64, &step);
        if (status == PYMIC2_OK)
            clReleaseEvent(step);
    }
    if (status == PYMIC2_OK) {
        /* the loss argument must be a valid buffer even when BACKWARD's gloss is a scalar */
        cl_mem loss = desc->loss.buffer ? pymic2__ocl_mem_of(desc->loss.buffer) : x;
        pymic2__ocl_args_begin(&args, total_kernel);
        pymic2__ocl_arg_mem(&args, labels);
        pymic2__ocl_arg_long(&args, labels_offset);
        pymic2__ocl_arg_long(&args, labels_step);
        pymic2__ocl_arg_long(&args, rows);
        pymic2__ocl_arg_long(&args, desc->ignore_label);
        pymic2__ocl_arg(&args, sizeof normalize, &normalize);
        pymic2__ocl_arg(&args, sizeof forward_flag, &forward_flag);
        pymic2__ocl_arg_mem(&args, check_mem);
        pymic2__ocl_arg_mem(&args, scratch);
        pymic2__ocl_arg_mem(&args, loss);
        pymic2__ocl_arg_long(&args, loss_offset);
        status = pymic2__ocl_args_launch(&args, stream, WHAT, TOTAL_GROUP, TOTAL_GROUP,
                                         forward || rows * classes == 0 ? done : &step);
        if (status == PYMIC2_OK && !forward && rows * classes > 0)
            clReleaseEvent(step);
    }
    if (status == PYMIC2_OK && !forward && rows * classes > 0) {
        const bool gloss_is_scalar = desc->loss.buffer == NULL;
        const cl_int scalar_flag = gloss_is_scalar;
        pymic2__ocl_args_begin(&args, grad_kernel);
        x_and_labels_args(&args, desc, x_offset, x_strides, labels_offset, labels_step);
        pymic2__ocl_arg_mem(&args, check_mem);
        pymic2__ocl_arg_mem(&args, scratch);
        pymic2__ocl_arg_mem(&args, gloss_is_scalar ? x : pymic2__ocl_mem_of(desc->loss.buffer));
        pymic2__ocl_arg_long(&args, loss_offset);
        pymic2__ocl_arg(&args, pymic2_dtype_size(desc->x.dtype), &desc->loss.value);
        pymic2__ocl_arg(&args, sizeof scalar_flag, &scalar_flag);
        pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(desc->grad.buffer));
        pymic2__ocl_arg_long(&args, grad_offset);
        pymic2__ocl_arg_long(&args, grad_strides[0]);
        pymic2__ocl_arg_long(&args, grad_strides[1]);
        status = pymic2__ocl_args_launch(&args, stream, WHAT, (size_t)(rows * classes), 256,
                                         done);
    }
    if (scratch != NULL)
        clReleaseMemObject(scratch);
    return pymic2__ocl_check_attach(check, status, check_mem, sizeof check_init,
                                    report_bad_label);
}

/* The family's slot: one validated neural-network op. */
int pymic2__ocl_nn(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    switch (command->u.nn.op) {
    case PYMIC2_NN_SOFTMAX_CROSS_ENTROPY:
        return softmax_cross_entropy(stream, &command->u.nn.u.softmax_cross_entropy, launch);
    }
    return pymic2__error(PYMIC2_EINVAL, "%s: neural-network op %d is not a pymic2_nn_op",
                         stream->device->name, (int)command->u.nn.op);
}
