/*
 * ocl_ops_random.c - pymic2_random on OpenCL devices: one work-item per Philox block, so
 * element i (C order) comes from block counter + i / K exactly as on the host (see pymic2.h
 * and src/ops/philox.h), and the numbers are the host's for the same seed.
 *
 * The block function is written out in OpenCL C below from philox.h's constants, round for
 * round the same as pymic2__philox (tests/c/test_opencl_ops.c compares the two bit for bit).
 * Uniform and integer outputs are bit-identical to the host's; normal ones go through the
 * device's log, sqrt, cos and sin, which may differ from glibc's in the last bit.
 */
#include "ocl_ops.h"

#include "../../ops/op_table.h"
#include "../../ops/philox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PYMIC2__OCL_STRING(x) #x
#define PYMIC2__OCL_EXPANDED_STRING(x) PYMIC2__OCL_STRING(x)

const char pymic2__ocl_philox_source[] =
    "#define PHILOX_M0 " PYMIC2__OCL_EXPANDED_STRING(PYMIC2__PHILOX_M0) "\n"
    "#define PHILOX_M1 " PYMIC2__OCL_EXPANDED_STRING(PYMIC2__PHILOX_M1) "\n"
    "#define PHILOX_W0 " PYMIC2__OCL_EXPANDED_STRING(PYMIC2__PHILOX_W0) "\n"
    "#define PHILOX_W1 " PYMIC2__OCL_EXPANDED_STRING(PYMIC2__PHILOX_W1) "\n"
    "#define UINT32_C(x) x##u\n"
    "uint4 philox_block(ulong seed, ulong block)\n"
    "{\n"
    "    uint c0 = (uint)block, c1 = (uint)(block >> 32), c2 = 0, c3 = 0;\n"
    "    uint k0 = (uint)seed, k1 = (uint)(seed >> 32);\n"
    "    for (int round = 0; round < 10; round++) {\n"
    "        const ulong p0 = (ulong)PHILOX_M0 * c0;\n"
    "        const ulong p1 = (ulong)PHILOX_M1 * c2;\n"
    "        const uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0;\n"
    "        const uint n2 = (uint)(p0 >> 32) ^ c3 ^ k1;\n"
    "        c1 = (uint)p1;\n"
    "        c3 = (uint)p0;\n"
    "        c0 = n0;\n"
    "        c2 = n2;\n"
    "        k0 += PHILOX_W0;\n"
    "        k1 += PHILOX_W1;\n"
    "    }\n"
    "    return (uint4)(c0, c1, c2, c3);\n"
    "}\n";

/* What the key of a random kernel holds. */
typedef struct random_key {
    pymic2_random_distribution distribution;
    pymic2_dtype dtype;
    bool fp64;
} random_key;

int pymic2__ocl_source_random(const char *device, pymic2_random_distribution distribution,
                              pymic2_dtype dtype, bool fp64, char **source)
{
    const char *type = pymic2__ocl_type_name(dtype);
    /* complex128 (double2) has no distribution here: the core refuses it first */
    if (type == NULL || pymic2__dtype_class_of(dtype) == PYMIC2__CLASS_COMPLEX ||
        (pymic2__dtype_needs_fp64(dtype) && !fp64))
        return pymic2__error(PYMIC2_EDTYPE, "%s: random numbers of %s are not supported here",
                             device, pymic2_dtype_name(dtype));
    /* the K values of block `block` into v[0..K-1], as the host's compute_block */
    const char *values;
    int per_block = 2;
    if (distribution == PYMIC2_RANDOM_UNIFORM && dtype == PYMIC2_FLOAT32) {
        per_block = 4;
        values = "    const float fa = (float)a, fb = (float)b;\n"
                 "    const float v[4] = {fa + (fb - fa) * ((float)(w.x >> 8) * 0x1.0p-24f),\n"
                 "                        fa + (fb - fa) * ((float)(w.y >> 8) * 0x1.0p-24f),\n"
                 "                        fa + (fb - fa) * ((float)(w.z >> 8) * 0x1.0p-24f),\n"
                 "                        fa + (fb - fa) * ((float)(w.w >> 8) * 0x1.0p-24f)};\n";
    } else if (distribution == PYMIC2_RANDOM_UNIFORM) {
        values = "    const REAL v[2] = {a + (b - a) * ((REAL)(x0 >> 11) * 0x1.0p-53),\n"
                 "                       a + (b - a) * ((REAL)(x1 >> 11) * 0x1.0p-53)};\n";
    } else if (distribution == PYMIC2_RANDOM_NORMAL) {
        values = "    const REAL radius = sqrt(-2.0 * log((REAL)((x0 >> 11) + 1) * 0x1.0p-53));\n"
                 "    const REAL angle = 6.283185307179586 * ((REAL)(x1 >> 11) * 0x1.0p-53);\n"
                 "    const REAL v[2] = {a + b * (radius * cos(angle)),\n"
                 "                       a + b * (radius * sin(angle))};\n";
    } else {
        values = "    const long v[2] = {(long)((ulong)low + mul_hi(x0, range)),\n"
                 "                       (long)((ulong)low + mul_hi(x1, range))};\n";
    }
    /* REAL: double where the device has it (the host computes in double), else float */
    return pymic2__ocl_source_printf(device, source,
             "#pragma OPENCL FP_CONTRACT OFF\n"
             "%s"
             "#define REAL %s\n"
             "#define K %d\n"
             "%s"
             "__kernel void pymic2_random(__global %s *out, long out_offset, long count,"
             " ulong seed, ulong counter, REAL a, REAL b, long low, ulong range, int ndim,"
             " __global const long *geometry)\n"
             "{\n"
             "    const long block = get_global_id(0);\n"
             "    if (block * K >= count)\n"
             "        return;\n"
             "    const uint4 w = philox_block(seed, counter + (ulong)block);\n"
             "    const ulong x0 = (ulong)w.y << 32 | w.x, x1 = (ulong)w.w << 32 | w.z;\n"
             "%s"
             "    for (int lane = 0; lane < K && block * K + lane < count; lane++) {\n"
             "        long rest = block * K + lane, at = out_offset;\n"
             "        for (int d = ndim - 1; d >= 0; d--) {\n"
             "            at += rest %% geometry[d] * geometry[ndim + d];\n"
             "            rest /= geometry[d];\n"
             "        }\n"
             "        out[at] = (%s)v[lane];\n"
             "    }\n"
             "}\n",
             fp64 ? "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n" : "",
             fp64 ? "double" : "float", per_block, pymic2__ocl_philox_source, type, values, type);
}

static int source_random(pymic2_device *device, const void *key, char **source)
{
    const random_key *k = key;
    return pymic2__ocl_source_random(device->name, k->distribution, k->dtype, k->fp64, source);
}

/* The RANDOM family's slot. */
int pymic2__ocl_random(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    const pymic2_random_desc *desc = &command->u.random;
    cl_event *done = &((pymic2__ocl_launch *)launch)->done;
    pymic2_device *device = stream->device;
    const pymic2_operand *out = &desc->out;
    int status = pymic2__ocl_check_dtype(device, "random", out->dtype);
    int64_t offset = 0;
    if (status == PYMIC2_OK)
        status = pymic2__ocl_element_offset(device, "random", out, &offset);
    if (status != PYMIC2_OK)
        return status;
    const int64_t count = pymic2__ocl_element_count(out);
    if (count == 0)
        return pymic2__ocl_marker(stream, done);
    random_key key;
    memset(&key, 0, sizeof key);
    key.distribution = desc->distribution;
    key.dtype = out->dtype;
    key.fp64 = pymic2__ocl_fp64(device);
    const int per_block =
        desc->distribution == PYMIC2_RANDOM_UNIFORM && out->dtype == PYMIC2_FLOAT32 ? 4 : 2;

    /* shape and element strides (a contiguous output as one dimension) */
    const int64_t itemsize = (int64_t)pymic2_dtype_size(out->dtype);
    int64_t geometry_values[2 * PYMIC2_MAX_DIMS] = {count, 1};
    int ndim = 1;
    int64_t expected = itemsize;
    for (int d = out->ndim - 1; d >= 0 && ndim == 1; d--) {
        if (out->shape[d] != 1 && out->strides[d] != expected)
            ndim = out->ndim;
        expected *= out->shape[d];
    }
    if (ndim != 1 || out->ndim == 1) {
        ndim = out->ndim;
        for (int d = 0; d < ndim; d++) {
            geometry_values[d] = out->shape[d];
            geometry_values[ndim + d] = out->strides[d] / itemsize;
        }
    }
    pymic2__ocl_kernel *kernel;
    status = pymic2__ocl_kernel_get(device, PYMIC2__OCL_KIND_RANDOM, &key, sizeof key,
                                    "pymic2_random", source_random, &kernel);
    cl_mem geometry = NULL;
    if (status == PYMIC2_OK)
        status = pymic2__ocl_temporary(device, (size_t)(2 * ndim) * 8, geometry_values,
                                       &geometry);
    if (status != PYMIC2_OK)
        return status;
    pymic2__ocl_args args;
    pymic2__ocl_args_begin(&args, kernel);
    pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(out->buffer));
    pymic2__ocl_arg_long(&args, offset);
    pymic2__ocl_arg_long(&args, count);
    cl_ulong seed = desc->seed, counter = desc->counter;
    pymic2__ocl_arg(&args, sizeof seed, &seed);
    pymic2__ocl_arg(&args, sizeof counter, &counter);
    if (key.fp64) {
        cl_double a = desc->a, b = desc->b;
        pymic2__ocl_arg(&args, sizeof a, &a);
        pymic2__ocl_arg(&args, sizeof b, &b);
    } else {
        cl_float a = (cl_float)desc->a, b = (cl_float)desc->b;
        pymic2__ocl_arg(&args, sizeof a, &a);
        pymic2__ocl_arg(&args, sizeof b, &b);
    }
    pymic2__ocl_arg_long(&args, desc->low);
    cl_ulong range = (cl_ulong)desc->high - (cl_ulong)desc->low;
    pymic2__ocl_arg(&args, sizeof range, &range);
    cl_int dims = ndim;
    pymic2__ocl_arg(&args, sizeof dims, &dims);
    pymic2__ocl_arg_mem(&args, geometry);
    const size_t blocks = (size_t)((count + per_block - 1) / per_block);
    status = pymic2__ocl_args_launch(&args, stream, "random", blocks, 64, done);
    clReleaseMemObject(geometry);
    return status;
}
