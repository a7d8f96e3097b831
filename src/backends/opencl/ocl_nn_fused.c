/*
 * ocl_nn_fused.c - the NN family's fused kernels (pymic2_fused) on OpenCL devices: one
 * kernel per op, all from one program per dtype (T), with one argument list: the nine
 * operands (buffer and element offset, -1 for an absent one), the four sizes, six constants
 * of type T (the op's hyperparameters as the host's kernels round them, derived below) and
 * the Philox state. Work: one item per element (optimizers), per Philox block (dropout), per
 * cell element (LSTM), one work-group per channel (batch normalization, whose sums run in
 * double where the device has fp64). The arithmetic is src/backends/host/nn_fused.c's.
 */
#include "ocl_ops.h"

#include <string.h>

/* Work-group size of the batch-normalization kernels (a power of two: tree reduction). */
#define BN_GROUP 64

typedef struct fused_key {
    pymic2_nn_op op; /* PYMIC2_NN_FUSED: never equal to another NN program's key bytes */
    pymic2_dtype dtype;
    bool fp64;
} fused_key;

static const char fused_source[] =
    "#define OPERAND(k) __global T *o##k, long f##k\n"
    "#define OPERANDS OPERAND(0), OPERAND(1), OPERAND(2), OPERAND(3), OPERAND(4),\\\n"
    "    OPERAND(5), OPERAND(6), OPERAND(7), OPERAND(8), long s0, long s1, long s2, long s3,\\\n"
    "    T c0, T c1, T c2, T c3, T c4, T c5, ulong seed, ulong counter\n"
    "#define AT(k) (o##k + f##k)\n"
    "T sigmoid(T x) { return tanh(x * (T)0.5) * (T)0.5 + (T)0.5; }\n"
    "__kernel void pymic2_sgd(OPERANDS)\n"
    "{\n"
    "    const long i = get_global_id(0);\n"
    "    if (i < s0)\n"
    "        AT(0)[i] -= c0 * AT(1)[i];\n"
    "}\n"
    /* v is operand 2; NESTEROV: c2 = momentum^2, c3 = (1 + momentum) lr */
    "#define MOMENTUM_KERNEL(name, NESTEROV)\\\n"
    "__kernel void name(OPERANDS)\\\n"
    "{\\\n"
    "    const long i = get_global_id(0);\\\n"
    "    if (i >= s0)\\\n"
    "        return;\\\n"
    "    const T v = AT(2)[i] * c1 - c0 * AT(1)[i];\\\n"
    "    AT(2)[i] = v;\\\n"
    "    if (NESTEROV) {\\\n"
    "        AT(0)[i] += c2 * v;\\\n"
    "        AT(0)[i] -= c3 * AT(1)[i];\\\n"
    "    } else {\\\n"
    "        AT(0)[i] += v;\\\n"
    "    }\\\n"
    "}\n"
    "MOMENTUM_KERNEL(pymic2_momentum, 0)\n"
    "MOMENTUM_KERNEL(pymic2_nesterov, 1)\n"
    /* c0 = 1 - beta1, c1 = 1 - beta2, c2 = eps, c3 = 1 - eta wd, c4 = -eta, c5 = alpha_t */
    "__kernel void pymic2_adam(OPERANDS)\n"
    "{\n"
    "    const long i = get_global_id(0);\n"
    "    if (i >= s0)\n"
    "        return;\n"
    "    const T g = AT(1)[i];\n"
    "    const T m = AT(2)[i] + c0 * (g - AT(2)[i]);\n"
    "    const T v = AT(3)[i] + c1 * (g * g - AT(3)[i]);\n"
    "    AT(2)[i] = m;\n"
    "    AT(3)[i] = v;\n"
    "    T bound = v;\n"
    "    if (f4 >= 0) {\n" /* AMSGrad; numpy.maximum: NaN wins */
    "        const T old = AT(4)[i];\n"
    "        bound = !(old >= v) && old == old ? v : old;\n"
    "        AT(4)[i] = bound;\n"
    "    }\n"
    "    const T step = c5 / (sqrt(bound) + c2);\n"
    "    AT(0)[i] = c3 * AT(0)[i] + c4 * (step * m);\n"
    "}\n"
    /* c0 = 1 / (1 - ratio), c1 = ratio; pymic2_random's float32 uniforms */
    "__kernel void pymic2_dropout(OPERANDS)\n"
    "{\n"
    "    const long block = get_global_id(0);\n"
    "    if (block * 4 >= s0)\n"
    "        return;\n"
    "    const uint4 w = philox_block(seed, counter + (ulong)block);\n"
    "    const uint words[4] = {w.x, w.y, w.z, w.w};\n"
    "    const float ratio = (float)c1;\n"
    "    for (long k = 0; k < 4 && block * 4 + k < s0; k++) {\n"
    "        const long i = block * 4 + k;\n"
    "        const T mask = (float)(words[k] >> 8) * 0x1.0p-24f >= ratio ? c0 : (T)0;\n"
    "        AT(1)[i] = mask;\n"
    "        AT(2)[i] = AT(0)[i] * mask;\n"
    "    }\n"
    "}\n"
    /* the work-group's sum of its items' values (every item gets it) */
    "A group_sum(__local A *scratch, A value)\n"
    "{\n"
    "    const int i = get_local_id(0);\n"
    "    scratch[i] = value;\n"
    "    barrier(CLK_LOCAL_MEM_FENCE);\n"
    "    for (int width = GROUP / 2; width > 0; width >>= 1) {\n"
    "        if (i < width)\n"
    "            scratch[i] += scratch[i + width];\n"
    "        barrier(CLK_LOCAL_MEM_FENCE);\n"
    "    }\n"
    "    const A total = scratch[0];\n"
    "    barrier(CLK_LOCAL_MEM_FENCE);\n"
    "    return total;\n"
    "}\n"
    /* channel c = group of x (s0, s1, s2); element e of the channel: (e / s2, c, e % s2);
     * c0 = eps, c1 = decay, c2 = 1 - decay, c3 = (1 - decay) adjust */
    "#define CHANNEL_AT(e) ((e) / s2 * s1 * s2 + c * s2 + (e) % s2)\n"
    "__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))\n"
    "void pymic2_bn_forward(OPERANDS)\n"
    "{\n"
    "    __local A scratch[GROUP];\n"
    "    const long c = get_group_id(0), count = s0 * s2;\n"
    "    const int lane = get_local_id(0);\n"
    "    __global const T *x = AT(0);\n"
    "    A sum = 0;\n"
    "    for (long e = lane; e < count; e += GROUP)\n"
    "        sum += x[CHANNEL_AT(e)];\n"
    "    const A mean = group_sum(scratch, sum) / (A)count;\n"
    "    A squares = 0;\n"
    "    for (long e = lane; e < count; e += GROUP) {\n"
    "        const A d = x[CHANNEL_AT(e)] - mean;\n"
    "        squares += d * d;\n"
    "    }\n"
    "    const A var = group_sum(scratch, squares) / (A)count;\n"
    "    const T mean_t = (T)mean, var_t = (T)var;\n"
    "    const T inv_std = (T)1 / sqrt(var_t + c0);\n"
    "    const T gamma = AT(1)[c], beta = AT(2)[c];\n"
    "    for (long e = lane; e < count; e += GROUP)\n"
    "        AT(3)[CHANNEL_AT(e)] = (x[CHANNEL_AT(e)] - mean_t) * inv_std * gamma + beta;\n"
    "    if (lane != 0)\n"
    "        return;\n"
    "    AT(4)[c] = mean_t;\n"
    "    AT(5)[c] = var_t;\n"
    "    AT(6)[c] = inv_std;\n"
    "    if (f7 >= 0)\n"
    "        AT(7)[c] = AT(7)[c] * c1 + c2 * mean_t;\n"
    "    if (f8 >= 0)\n"
    "        AT(8)[c] = AT(8)[c] * c1 + c3 * var_t;\n"
    "}\n"
    /* c0 = 1 / (s0 s2) */
    "__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))\n"
    "void pymic2_bn_backward(OPERANDS)\n"
    "{\n"
    "    __local A scratch[GROUP];\n"
    "    const long c = get_group_id(0), count = s0 * s2;\n"
    "    const int lane = get_local_id(0);\n"
    "    __global const T *x = AT(0), *gy = AT(1);\n"
    "    const T mean = AT(3)[c], inv_std = AT(4)[c];\n"
    "    A sum = 0, dot = 0;\n"
    "    for (long e = lane; e < count; e += GROUP) {\n"
    "        const T g = gy[CHANNEL_AT(e)];\n"
    "        sum += g;\n"
    "        dot += (A)(g * ((x[CHANNEL_AT(e)] - mean) * inv_std));\n"
    "    }\n"
    "    const T gb = (T)group_sum(scratch, sum), gg = (T)group_sum(scratch, dot);\n"
    "    const T scale = AT(2)[c] * inv_std;\n"
    "    for (long e = lane; e < count; e += GROUP) {\n"
    "        const long at = CHANNEL_AT(e);\n"
    "        const T x_hat = (x[at] - mean) * inv_std;\n"
    "        AT(5)[at] = scale * (gy[at] - (x_hat * gg + gb) * c0);\n"
    "    }\n"
    "    if (lane == 0) {\n"
    "        AT(6)[c] = gg;\n"
    "        AT(7)[c] = gb;\n"
    "    }\n"
    "}\n"
    /* gate g of unit u in row r: Chainer's reshape (B, H / R, 4, R); s = (B', B, H, R) */
    "#define GATE(r, u, g) ((r) * 4 * s2 + (u) / s3 * 4 * s3 + (g) * s3 + (u) % s3)\n"
    "__kernel void pymic2_lstm_forward(OPERANDS)\n"
    "{\n"
    "    const long at = get_global_id(0);\n"
    "    if (at >= s0 * s2)\n"
    "        return;\n"
    "    const long r = at / s2, u = at % s2;\n"
    "    if (r >= s1) {\n"
    "        AT(2)[at] = AT(0)[at];\n"
    "        return;\n"
    "    }\n"
    "    __global const T *x = AT(1);\n"
    "    const T a = tanh(x[GATE(r, u, 0)]), i = sigmoid(x[GATE(r, u, 1)]);\n"
    "    const T f = sigmoid(x[GATE(r, u, 2)]), o = sigmoid(x[GATE(r, u, 3)]);\n"
    "    const T c = a * i + f * AT(0)[at];\n"
    "    AT(2)[at] = c;\n"
    "    AT(3)[at] = o * tanh(c);\n"
    "}\n"
    "__kernel void pymic2_lstm_backward(OPERANDS)\n"
    "{\n"
    "    const long at = get_global_id(0);\n"
    "    if (at >= s0 * s2)\n"
    "        return;\n"
    "    const long r = at / s2, u = at % s2;\n"
    "    const T gc = f3 >= 0 ? AT(3)[at] : (T)0;\n"
    "    if (r >= s1) {\n"
    "        AT(5)[at] = gc;\n"
    "        return;\n"
    "    }\n"
    "    __global const T *x = AT(1);\n"
    "    __global T *gx = AT(6);\n"
    "    const T a = tanh(x[GATE(r, u, 0)]), i = sigmoid(x[GATE(r, u, 1)]);\n"
    "    const T f = sigmoid(x[GATE(r, u, 2)]), o = sigmoid(x[GATE(r, u, 3)]);\n"
    "    const T co = tanh(AT(2)[at]);\n"
    "    const T gh = f4 >= 0 ? AT(4)[at] : (T)0;\n"
    "    const T g = gh * o * ((T)1 - co * co) + gc;\n"
    "    gx[GATE(r, u, 0)] = g * i * ((T)1 - a * a);\n"
    "    gx[GATE(r, u, 1)] = g * a * (i * ((T)1 - i));\n"
    "    gx[GATE(r, u, 2)] = g * AT(0)[at] * (f * ((T)1 - f));\n"
    "    gx[GATE(r, u, 3)] = gh * co * (o * ((T)1 - o));\n"
    "    AT(5)[at] = g * f;\n"
    "}\n";

static int source_fused(pymic2_device *device, const void *key_bytes, char **source)
{
    const fused_key *key = key_bytes;
    return pymic2__ocl_source_printf(device->name, source,
             "#pragma OPENCL FP_CONTRACT OFF\n%s#define T %s\n#define A %s\n#define GROUP %d\n%s%s",
             key->fp64 ? "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n" : "",
             pymic2__ocl_type_name(key->dtype), key->fp64 ? "double" : "float", BN_GROUP,
             pymic2__ocl_philox_source, fused_source);
}

/* The kernel's name, its work-items and work-group size, and the constants c0..c5. */
static void fused_launch_shape(const pymic2_fused_desc *desc, const char **name, size_t *items,
                               size_t *group, double c[6])
{
    const double *p = desc->params;
    const int64_t *s = desc->sizes;
    memset(c, 0, 6 * sizeof *c);
    *items = (size_t)s[0];
    *group = 256;
    switch (desc->op) {
    case PYMIC2_FUSED_SGD:
        *name = "pymic2_sgd";
        c[0] = p[0];
        return;
    case PYMIC2_FUSED_MOMENTUM_SGD:
    case PYMIC2_FUSED_NESTEROV_AG:
        *name = desc->op == PYMIC2_FUSED_MOMENTUM_SGD ? "pymic2_momentum" : "pymic2_nesterov";
        c[0] = p[0], c[1] = p[1], c[2] = p[1] * p[1], c[3] = (1 + p[1]) * p[0];
        return;
    case PYMIC2_FUSED_ADAM:
        *name = "pymic2_adam";
        c[0] = 1 - p[0], c[1] = 1 - p[1], c[2] = p[2];
        c[3] = 1 - p[3] * p[4], c[4] = -p[3], c[5] = p[5];
        return;
    case PYMIC2_FUSED_DROPOUT:
        *name = "pymic2_dropout";
        *items = (size_t)(s[0] / 4 + (s[0] % 4 != 0));
        c[0] = 1.0 / (1.0 - p[0]);
        c[1] = p[0];
        return;
    case PYMIC2_FUSED_BATCH_NORM_FORWARD:
    case PYMIC2_FUSED_BATCH_NORM_BACKWARD:
        *name = desc->op == PYMIC2_FUSED_BATCH_NORM_FORWARD ? "pymic2_bn_forward"
                                                            : "pymic2_bn_backward";
        *items = (size_t)s[1] * BN_GROUP;
        *group = BN_GROUP;
        if (desc->op == PYMIC2_FUSED_BATCH_NORM_FORWARD)
            c[0] = p[0], c[1] = p[1], c[2] = 1 - p[1], c[3] = (1 - p[1]) * p[2];
        else
            c[0] = 1.0 / (double)(s[0] * s[2]);
        return;
    default: /* the LSTM cell: one item per element of c */
        *name = desc->op == PYMIC2_FUSED_LSTM_FORWARD ? "pymic2_lstm_forward"
                                                     : "pymic2_lstm_backward";
        *items = (size_t)(s[0] * s[2]);
        return;
    }
}

/* A validated fused op: one kernel. */
int pymic2__ocl_fused(pymic2_stream *stream, const pymic2_fused_desc *desc, cl_event *done)
{
    pymic2_device *device = stream->device;
    int status = pymic2__ocl_check_dtype(device, "fused", desc->dtype);
    if (status != PYMIC2_OK)
        return status;
    const char *name;
    size_t items, group;
    double constants[6];
    fused_launch_shape(desc, &name, &items, &group, constants);
    if (items == 0)
        return pymic2__ocl_marker(stream, done);
    fused_key key;
    memset(&key, 0, sizeof key); /* compared as bytes */
    key.op = PYMIC2_NN_FUSED;
    key.dtype = desc->dtype;
    key.fp64 = pymic2__ocl_fp64(device);
    pymic2__ocl_kernel *kernel = NULL;
    status = pymic2__ocl_kernel_get(device, PYMIC2__OCL_KIND_NN, &key, sizeof key, name,
                                    source_fused, &kernel);
    if (status != PYMIC2_OK)
        return status;
    int64_t offsets[PYMIC2_FUSED_MAX_OPERANDS]; /* in elements from the chunk's start */
    for (int k = 0; k < PYMIC2_FUSED_MAX_OPERANDS; k++) {
        pymic2_operand start = {.buffer = desc->buffers[k], .offset = desc->offsets[k],
                                .dtype = desc->dtype};
        offsets[k] = -1; /* absent: the kernel sees -1 */
        if (start.buffer != NULL)
            status = pymic2__ocl_element_offset(device, "fused", &start, &offsets[k]);
        if (status != PYMIC2_OK)
            return status;
    }
    pymic2__ocl_args args;
    pymic2__ocl_args_begin(&args, kernel);
    for (int k = 0; k < PYMIC2_FUSED_MAX_OPERANDS; k++) {
        /* an absent operand still needs a valid buffer: operand 0's */
        pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(desc->buffers[offsets[k] >= 0 ? k : 0]));
        pymic2__ocl_arg_long(&args, offsets[k]);
    }
    for (int k = 0; k < 4; k++)
        pymic2__ocl_arg_long(&args, desc->sizes[k]);
    for (int k = 0; k < 6; k++) {
        if (desc->dtype == PYMIC2_FLOAT32) {
            const cl_float value = (cl_float)constants[k];
            pymic2__ocl_arg(&args, sizeof value, &value);
        } else {
            const cl_double value = constants[k];
            pymic2__ocl_arg(&args, sizeof value, &value);
        }
    }
    const cl_ulong seed = desc->seed, counter = desc->counter;
    pymic2__ocl_arg(&args, sizeof seed, &seed);
    pymic2__ocl_arg(&args, sizeof counter, &counter);
    return pymic2__ocl_args_launch(&args, stream, "fused", items, group, done);
}
