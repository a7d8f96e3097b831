/*
 * ocl_nn.c - the NN family on OpenCL devices: softmax cross entropy
 * (pymic2_softmax_cross_entropy) and sliding windows (pymic2_windows); the fused kernels
 * (pymic2_fused) are in ocl_nn_fused.c.
 *
 * Softmax cross entropy:
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
    return pymic2__ocl_source_printf(device->name, source,
             "#pragma OPENCL FP_CONTRACT OFF\n%s"
             "#define T %s\n#define L %s\n#define A %s\n#define GROUP %d\n%s",
             key->fp64 ? "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n" : "",
             pymic2__ocl_type_name(key->x), pymic2__ocl_type_name(key->labels),
             key->fp64 ? "double" : "float", TOTAL_GROUP, sce_source);
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
static int geometry_of(pymic2_device *device, const char *what, const pymic2_operand *operand,
                       int64_t *offset, int64_t *strides)
{
    int status = pymic2__ocl_element_offset(device, what, operand, offset);
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
        status = geometry_of(device, WHAT, &desc->x, &x_offset, x_strides);
    if (status == PYMIC2_OK)
        status = geometry_of(device, WHAT, &desc->labels, &labels_offset, &labels_step);
    if (status == PYMIC2_OK && desc->loss.buffer != NULL)
        status = pymic2__ocl_element_offset(device, WHAT, &desc->loss, &loss_offset);
    if (status == PYMIC2_OK && !forward)
        status = geometry_of(device, WHAT, &desc->grad, &grad_offset, grad_strides);
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

/* ---------------------------------------------------------------- windows
 *
 * One work-item per output element, each a gather as on the host (src/backends/host/nn.c):
 * pymic2_im2col per cols element, pymic2_pool per pooled element, pymic2_to_image per pixel
 * (COL2IM and the unpooling passes). The sizes, window and operand geometry (offsets and
 * strides in elements) travel in a small buffer of longs, laid out as the G_* indices.
 */

enum {
    G_N, G_C, G_H, G_W, G_OH, G_OW, G_KH, G_KW, G_SY, G_SX, G_PH, G_PW, G_DY, G_DX,
    G_IMAGE,            /* offset, then 4 strides */
    G_COLS = G_IMAGE + 5, /* offset, then 6 strides (4 for pooling) */
    G_INDEXES = G_COLS + 7, /* offset, then 4 strides */
    G_OP = G_INDEXES + 5,
    G_COUNT
};

typedef struct windows_key {
    pymic2_nn_op op; /* PYMIC2_NN_WINDOWS: never equal to a sce_key's bytes */
    pymic2_dtype dtype;
    bool fp64;
} windows_key;

#define WINDOWS_ENUMS                                                                       \
    "enum { G_N, G_C, G_H, G_W, G_OH, G_OW, G_KH, G_KW, G_SY, G_SX, G_PH, G_PW, G_DY, G_DX,\n" \
    "       G_IMAGE, G_COLS = G_IMAGE + 5, G_INDEXES = G_COLS + 7, G_OP = G_INDEXES + 5 };\n"

static const char windows_source[] =
    WINDOWS_ENUMS
    "long pymic2_window_of(long at, long k, long pad, long stride, long dilation, long n)\n"
    "{\n"
    "    const long t = at + pad - k * dilation;\n"
    "    return t < 0 || t % stride != 0 || t / stride >= n ? -1 : t / stride;\n"
    "}\n"
    "long pymic2_pooled(__global const long *g, int base, long n, long c, long oy, long ox)\n"
    "{\n"
    "    return g[base] + n * g[base + 1] + c * g[base + 2] + oy * g[base + 3] +\n"
    "           ox * g[base + 4];\n"
    "}\n"
    "__kernel void pymic2_im2col(__global const T *image, __global T *cols,\n"
    "    __global const long *indexes, __global const long *g)\n"
    "{\n"
    "    long r = get_global_id(0);\n"
    "    if (r >= g[G_C] * g[G_KH] * g[G_KW] * g[G_N] * g[G_OH] * g[G_OW])\n"
    "        return;\n"
    "    const long ox = r % g[G_OW], oy = (r /= g[G_OW]) % g[G_OH];\n"
    "    const long n = (r /= g[G_OH]) % g[G_N], j = (r /= g[G_N]) % g[G_KW];\n"
    "    const long i = (r /= g[G_KW]) % g[G_KH], c = r / g[G_KH];\n"
    "    const long y = oy * g[G_SY] - g[G_PH] + i * g[G_DY];\n"
    "    const long x = ox * g[G_SX] - g[G_PW] + j * g[G_DX];\n"
    "    T value = 0;\n"
    "    if (y >= 0 && y < g[G_H] && x >= 0 && x < g[G_W])\n"
    "        value = image[pymic2_pooled(g, G_IMAGE, n, c, y, x)];\n"
    "    cols[g[G_COLS] + c * g[G_COLS + 1] + i * g[G_COLS + 2] + j * g[G_COLS + 3] +\n"
    "         n * g[G_COLS + 4] + oy * g[G_COLS + 5] + ox * g[G_COLS + 6]] = value;\n"
    "}\n"
    "__kernel void pymic2_pool(__global const T *image, __global T *cols,\n"
    "    __global long *indexes, __global const long *g)\n"
    "{\n"
    "    long r = get_global_id(0);\n"
    "    if (r >= g[G_N] * g[G_C] * g[G_OH] * g[G_OW])\n"
    "        return;\n"
    "    const long ox = r % g[G_OW], oy = (r /= g[G_OW]) % g[G_OH];\n"
    "    const long c = (r /= g[G_OH]) % g[G_C], n = r / g[G_C];\n"
    "    const int max = g[G_OP] == MAX_POOL;\n"
    "    T best = max ? -INFINITY : 0;\n"
    "    long best_tap = 0;\n"
    "    for (long i = 0; i < g[G_KH]; i++) {\n"
    "        const long y = oy * g[G_SY] - g[G_PH] + i * g[G_DY];\n"
    "        for (long j = 0; j < g[G_KW]; j++) {\n"
    "            const long x = ox * g[G_SX] - g[G_PW] + j * g[G_DX];\n"
    "            const int inside = y >= 0 && y < g[G_H] && x >= 0 && x < g[G_W];\n"
    "            const T value = inside ? image[pymic2_pooled(g, G_IMAGE, n, c, y, x)]\n"
    "                                   : (max ? -INFINITY : 0);\n"
    "            if (!max)\n"
    "                best += value;\n"
    /* numpy.argmax: the first maximum, or the first NaN */
    "            else if (best == best && (value > best || value != value)) {\n"
    "                best = value;\n"
    "                best_tap = i * g[G_KW] + j;\n"
    "            }\n"
    "        }\n"
    "    }\n"
    "    if (!max)\n"
    "        best /= (T)(g[G_KH] * g[G_KW]);\n"
    "    cols[pymic2_pooled(g, G_COLS, n, c, oy, ox)] = best;\n"
    "    if (max)\n"
    "        indexes[pymic2_pooled(g, G_INDEXES, n, c, oy, ox)] = best_tap;\n"
    "}\n"
    "__kernel void pymic2_to_image(__global T *image, __global const T *cols,\n"
    "    __global const long *indexes, __global const long *g)\n"
    "{\n"
    "    long r = get_global_id(0);\n"
    "    if (r >= g[G_N] * g[G_C] * g[G_H] * g[G_W])\n"
    "        return;\n"
    "    const long x = r % g[G_W], y = (r /= g[G_W]) % g[G_H];\n"
    "    const long c = (r /= g[G_H]) % g[G_C], n = r / g[G_C];\n"
    "    const long op = g[G_OP];\n"
    "    T sum = 0;\n"
    "    for (long i = 0; i < g[G_KH]; i++) {\n"
    "        const long oy = pymic2_window_of(y, i, g[G_PH], g[G_SY], g[G_DY], g[G_OH]);\n"
    "        for (long j = 0; oy >= 0 && j < g[G_KW]; j++) {\n"
    "            const long ox = pymic2_window_of(x, j, g[G_PW], g[G_SX], g[G_DX], g[G_OW]);\n"
    "            if (ox < 0)\n"
    "                continue;\n"
    "            if (op == COL2IM) {\n"
    "                sum += cols[g[G_COLS] + c * g[G_COLS + 1] + i * g[G_COLS + 2] +\n"
    "                            j * g[G_COLS + 3] + n * g[G_COLS + 4] + oy * g[G_COLS + 5] +\n"
    "                            ox * g[G_COLS + 6]];\n"
    "                continue;\n"
    "            }\n"
    "            if (op == MAX_UNPOOL &&\n"
    "                indexes[pymic2_pooled(g, G_INDEXES, n, c, oy, ox)] != i * g[G_KW] + j)\n"
    "                continue;\n"
    "            sum += cols[pymic2_pooled(g, G_COLS, n, c, oy, ox)];\n"
    "        }\n"
    "    }\n"
    "    if (op == AVERAGE_UNPOOL)\n"
    "        sum /= (T)(g[G_KH] * g[G_KW]);\n"
    "    image[pymic2_pooled(g, G_IMAGE, n, c, y, x)] = sum;\n"
    "}\n";

static int source_windows(pymic2_device *device, const void *key_bytes, char **source)
{
    const windows_key *key = key_bytes;
    return pymic2__ocl_source_printf(device->name, source,
             "#pragma OPENCL FP_CONTRACT OFF\n%s#define T %s\n#define COL2IM %d\n"
             "#define MAX_POOL %d\n#define MAX_UNPOOL %d\n#define AVERAGE_UNPOOL %d\n%s",
             key->fp64 ? "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n" : "",
             pymic2__ocl_type_name(key->dtype), PYMIC2_WINDOWS_COL2IM, PYMIC2_WINDOWS_MAX_POOL,
             PYMIC2_WINDOWS_MAX_UNPOOL, PYMIC2_WINDOWS_AVERAGE_UNPOOL, windows_source);
}

/* The G_* buffer's contents for a validated descriptor. */
static int windows_geometry(pymic2_device *device, const pymic2_windows_desc *desc,
                            cl_long g[G_COUNT])
{
    const pymic2_operand *image = &desc->image, *cols = &desc->cols;
    const int64_t sizes[G_IMAGE] = {image->shape[0], image->shape[1], image->shape[2],
                                    image->shape[3], cols->shape[cols->ndim - 2],
                                    cols->shape[cols->ndim - 1], desc->kh, desc->kw, desc->sy,
                                    desc->sx, desc->ph, desc->pw, desc->dy, desc->dx};
    memset(g, 0, G_COUNT * sizeof *g);
    for (int k = 0; k < G_IMAGE; k++)
        g[k] = sizes[k];
    g[G_OP] = desc->op;
    const struct { const pymic2_operand *operand; int base; } parts[] = {
        {image, G_IMAGE}, {cols, G_COLS}, {&desc->indexes, G_INDEXES}};
    for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) {
        if (parts[p].operand->buffer == NULL)
            continue;
        int64_t offset = 0, strides[PYMIC2_MAX_DIMS] = {0};
        int status = geometry_of(device, "windows", parts[p].operand, &offset, strides);
        if (status != PYMIC2_OK)
            return status;
        g[parts[p].base] = offset;
        for (int d = 0; d < parts[p].operand->ndim; d++)
            g[parts[p].base + 1 + d] = strides[d];
    }
    return PYMIC2_OK;
}

/* A validated windows pass: one kernel over the output's elements. */
static int windows(pymic2_stream *stream, const pymic2_windows_desc *desc, void *launch)
{
    cl_event *done = &((pymic2__ocl_launch *)launch)->done;
    pymic2_device *device = stream->device;
    const char *what = "windows";
    int status = pymic2__ocl_check_dtype(device, what, desc->image.dtype);
    cl_long g[G_COUNT];
    if (status == PYMIC2_OK)
        status = windows_geometry(device, desc, g);
    if (status != PYMIC2_OK)
        return status;
    const char *name;
    int64_t items;
    switch (desc->op) {
    case PYMIC2_WINDOWS_IM2COL:
        name = "pymic2_im2col";
        items = pymic2__ocl_element_count(&desc->cols);
        break;
    case PYMIC2_WINDOWS_MAX_POOL:
    case PYMIC2_WINDOWS_AVERAGE_POOL:
        name = "pymic2_pool";
        items = pymic2__ocl_element_count(&desc->cols);
        break;
    default:
        name = "pymic2_to_image";
        items = pymic2__ocl_element_count(&desc->image);
        break;
    }
    if (items == 0)
        return pymic2__ocl_marker(stream, done);

    windows_key key;
    memset(&key, 0, sizeof key); /* compared as bytes */
    key.op = PYMIC2_NN_WINDOWS;
    key.dtype = desc->image.dtype;
    key.fp64 = pymic2__ocl_fp64(device);
    pymic2__ocl_kernel *kernel = NULL;
    status = pymic2__ocl_kernel_get(device, PYMIC2__OCL_KIND_NN, &key, sizeof key, name,
                                    source_windows, &kernel);
    cl_mem geometry = NULL;
    if (status == PYMIC2_OK)
        status = pymic2__ocl_temporary(device, sizeof g, g, &geometry);
    if (status != PYMIC2_OK)
        return status;
    cl_mem image = pymic2__ocl_mem_of(desc->image.buffer);
    cl_mem cols = pymic2__ocl_mem_of(desc->cols.buffer);
    /* without indexes the argument must still be a valid buffer; the kernel ignores it */
    cl_mem indexes = desc->indexes.buffer ? pymic2__ocl_mem_of(desc->indexes.buffer) : cols;
    pymic2__ocl_args args;
    pymic2__ocl_args_begin(&args, kernel);
    pymic2__ocl_arg_mem(&args, image);
    pymic2__ocl_arg_mem(&args, cols);
    pymic2__ocl_arg_mem(&args, indexes);
    pymic2__ocl_arg_mem(&args, geometry);
    status = pymic2__ocl_args_launch(&args, stream, what, (size_t)items, 256, done);
    clReleaseMemObject(geometry);
    return status;
}

/* The family's slot: one validated neural-network op. */
int pymic2__ocl_nn(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    switch (command->u.nn.op) {
    case PYMIC2_NN_SOFTMAX_CROSS_ENTROPY:
        return softmax_cross_entropy(stream, &command->u.nn.u.softmax_cross_entropy, launch);
    case PYMIC2_NN_WINDOWS:
        return windows(stream, &command->u.nn.u.windows, launch);
    case PYMIC2_NN_FUSED:
        return pymic2__ocl_fused(stream, &command->u.nn.u.fused,
                                 &((pymic2__ocl_launch *)launch)->done);
    }
    return pymic2__error(PYMIC2_EINVAL, "%s: neural-network op %d is not a pymic2_nn_op",
                         stream->device->name, (int)command->u.nn.op);
}
