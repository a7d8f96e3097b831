/*
 * ocl_gemm.c - GEMM (C = alpha * A @ B + beta * C) on OpenCL devices.
 *
 * Floats: each work-item computes a BLOCK_ROWS x VECTOR tile of C with OpenCL vector types
 * (one vector of B's row times a broadcast element of A per row and step of k), which PoCL
 * compiles to AVX-512 FMAs; measured against CLBlast on PoCL (README, "OpenCL performance").
 * Local-memory tiles with barriers ran at 1 GFLOPS there: PoCL keeps each work-item's
 * accumulators in memory across a barrier. Tiles on the edges of C, and matrices whose B or C
 * rows are not contiguous, take a scalar loop in the same kernel. K is cut into blocks of
 * K_BLOCK (one launch each, accumulating into C) so that the rows of B a block reads stay in
 * the caches: 2.3x faster than one pass over K for N = 2048 on PoCL.
 * complex64 and complex128 (float2, double2): the same tiling, each work-item COMPLEX_ROWS x
 * COMPLEX_VECTOR elements of C kept as separate real and imaginary vectors (B's row read as a
 * real vector of interleaved parts, split by .even/.odd), four FMAs per complex multiply-add.
 * 8 x 8 measured fastest on PoCL for complex128 (N = 1024: 90 GFLOPS alone; 4 x 4: 53,
 * 16 x 8: 66); 2 * 8 parts are also the widest vector OpenCL has (16) for complex64.
 * Integers and bool: one work-item per element of C, the integer arithmetic wrapping in the
 * dtype's W as the host's kernel does (bool: OR of ANDs). Batches are launched one by one.
 */
#include "ocl_ops.h"

#include "../../ops/op_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows per work-item, and the vector width (elements of B's row) per dtype. */
#define BLOCK_ROWS 8
#define VECTOR_DOUBLE 8
#define VECTOR_FLOAT 16
#define COMPLEX_ROWS 8
#define COMPLEX_VECTOR 8
#define K_BLOCK 256

typedef struct gemm_key {
    pymic2_dtype dtype;
    bool fp64;
} gemm_key;

/* The kernels: cl/gemm_float.cl, cl/gemm_complex.cl and cl/gemm_integer.cl, embedded at
 * build time. */
#include "ocl_cl_sources.h"

int pymic2__ocl_source_gemm(const char *device, pymic2_dtype dtype, bool fp64, char **source)
{
    const char *type = pymic2__ocl_type_name(dtype);
    if (type == NULL || (pymic2__dtype_needs_fp64(dtype) && !fp64))
        return pymic2__error(PYMIC2_EDTYPE, "%s: matmul of %s is not supported here", device,
                             pymic2_dtype_name(dtype));
    const bool is_float = pymic2__dtype_class_of(dtype) == PYMIC2__CLASS_FLOAT;
    const char *fp64_pragma = fp64 ? "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n" : "";
    char header[1024];
    const char *body = is_float ? pymic2__ocl_cl_gemm_float : pymic2__ocl_cl_gemm_integer;
    if (pymic2__dtype_class_of(dtype) == PYMIC2__CLASS_COMPLEX) {
        snprintf(header, sizeof header,
                 "%s#define R %s\n#define ROWS %d\n#define VECTOR %d\n#define WIDE %d\n",
                 fp64_pragma, pymic2__ocl_type_name(pymic2__dtype_real(dtype)), COMPLEX_ROWS,
                 COMPLEX_VECTOR, 2 * COMPLEX_VECTOR);
        body = pymic2__ocl_cl_gemm_complex;
    } else if (is_float) {
        snprintf(header, sizeof header, "%s#define T %s\n#define ROWS %d\n#define VECTOR %d\n",
                 fp64_pragma, type, BLOCK_ROWS,
                 dtype == PYMIC2_FLOAT64 ? VECTOR_DOUBLE : VECTOR_FLOAT);
    } else if (dtype == PYMIC2_BOOL) {
        snprintf(header, sizeof header,
                 "#define T uchar\n#define ACC uint\n"
                 "#define ACCUMULATE(acc, x, y) ((acc) |= ((x) != 0) & ((y) != 0))\n"
                 "#define COMBINE(acc, old) (T)(((alpha != 0) && (acc)) || ((beta != 0) && "
                 "(old) != 0))\n");
    } else {
        /* the dtype table's wrap type: 64-bit for the 8-byte integers, else 32-bit */
        const char *wrap = pymic2_dtype_size(dtype) == 8 ? "ulong" : "uint";
        snprintf(header, sizeof header,
                 "#define T %s\n#define ACC %s\n"
                 "#define ACCUMULATE(acc, x, y) ((acc) += (x) * (y))\n"
                 "#define COMBINE(acc, old) (T)((ACC)alpha * (acc) + (ACC)beta * (old))\n",
                 type, wrap);
    }
    return pymic2__ocl_source_printf(device, source, "%s%s", header, body);
}

static int source_gemm(pymic2_device *device, const void *key, char **source)
{
    const gemm_key *k = key;
    return pymic2__ocl_source_gemm(device->name, k->dtype, k->fp64, source);
}

int pymic2__ocl_run_gemm(pymic2_stream *stream, const pymic2_gemm_desc *desc, cl_event *done)
{
    pymic2_device *device = stream->device;
    const pymic2_operand *a = &desc->a, *b = &desc->b, *c = &desc->c;
    const pymic2_dtype dtype = c->dtype;
    int status = pymic2__ocl_check_dtype(device, "matmul", dtype);
    int64_t offsets[3];
    const pymic2_operand *operands[3] = {a, b, c};
    for (int k = 0; k < 3 && status == PYMIC2_OK; k++)
        status = pymic2__ocl_element_offset(device, "matmul", operands[k], &offsets[k]);
    if (status != PYMIC2_OK)
        return status;
    const int nd = c->ndim;
    const int64_t m = c->shape[nd - 2], n = c->shape[nd - 1], k = a->shape[nd - 1];
    int64_t batches = 1;
    for (int d = 0; d < nd - 2; d++)
        batches *= c->shape[d];
    if (batches == 0 || m == 0 || n == 0)
        return pymic2__ocl_marker(stream, done);

    gemm_key key;
    memset(&key, 0, sizeof key);
    key.dtype = dtype;
    key.fp64 = pymic2__ocl_fp64(device);
    pymic2__ocl_kernel *kernel;
    status = pymic2__ocl_kernel_get(device, PYMIC2__OCL_KIND_GEMM, &key, sizeof key,
                                    "pymic2_gemm", source_gemm, &kernel);
    if (status != PYMIC2_OK)
        return status;
    const int64_t itemsize = (int64_t)pymic2_dtype_size(dtype);
    const cl_int read_c = memcmp(&desc->beta, &(pymic2_scalar){0}, (size_t)itemsize) != 0;
    /* tiled: floats and complex, blocked over K; else one work-item per element */
    const bool tiled = pymic2__dtype_class_of(dtype) >= PYMIC2__CLASS_FLOAT;
    const bool is_complex = pymic2__dtype_class_of(dtype) == PYMIC2__CLASS_COMPLEX;
    const int64_t vector = is_complex ? COMPLEX_VECTOR
                           : dtype == PYMIC2_FLOAT64 ? VECTOR_DOUBLE
                                                     : VECTOR_FLOAT;
    const int64_t rows = is_complex ? COMPLEX_ROWS : BLOCK_ROWS;
    size_t global[2], local[2] = {1, 1};
    if (tiled) {
        global[0] = (size_t)((n + vector - 1) / vector);
        global[1] = (size_t)((m + rows - 1) / rows);
    } else {
        global[0] = (size_t)n;
        global[1] = (size_t)m;
        local[0] = 8;
    }
    cl_event previous = NULL;
    const int64_t k_block = tiled ? K_BLOCK : (k > 0 ? k : 1);
    /* beta of the K blocks after the first (they add to C) */
    pymic2_scalar one;
    memset(&one, 0, sizeof one);
    if (dtype == PYMIC2_FLOAT32)
        one.f32 = 1.0f;
    else if (dtype == PYMIC2_COMPLEX64)
        one.c64[0] = 1.0f;
    else if (dtype == PYMIC2_COMPLEX128)
        one.c128[0] = 1.0;
    else
        one.f64 = 1.0;
    for (int64_t batch = 0; batch < batches && status == PYMIC2_OK; batch++) {
        /* this batch's matrices: the batch index over c's leading dimensions */
        int64_t at[3] = {offsets[0], offsets[1], offsets[2]}, rest = batch;
        for (int d = nd - 3; d >= 0; d--) {
            const int64_t i = rest % c->shape[d];
            rest /= c->shape[d];
            for (int o = 0; o < 3; o++)
                at[o] += i * (operands[o]->shape[d] == 1 ? 0 : operands[o]->strides[d]) /
                         itemsize;
        }
        const int64_t a_cs = a->strides[nd - 1] / itemsize, b_rs = b->strides[nd - 2] / itemsize;
        /* K blocks after the first add to C: beta 1 */
        for (int64_t k0 = 0; k0 < k || (k0 == 0 && k == 0); k0 += k_block) {
            if (status != PYMIC2_OK)
                break;
            const int64_t kk = k - k0 < k_block ? k - k0 : k_block;
            const bool first = k0 == 0;
            const cl_int read = first ? read_c : 1;
            const void *beta = first ? (const void *)&desc->beta : (const void *)&one;
            if (previous != NULL)
                clReleaseEvent(previous);
            previous = NULL;
            pymic2__ocl_args args;
            pymic2__ocl_args_begin(&args, kernel);
            pymic2__ocl_arg_long(&args, m);
            pymic2__ocl_arg_long(&args, n);
            pymic2__ocl_arg_long(&args, kk);
            const int64_t moved[3] = {at[0] + k0 * a_cs, at[1] + k0 * b_rs, at[2]};
            for (int o = 0; o < 3; o++) {
                pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(operands[o]->buffer));
                pymic2__ocl_arg_long(&args, moved[o]);
                pymic2__ocl_arg_long(&args, operands[o]->strides[nd - 2] / itemsize);
                pymic2__ocl_arg_long(&args, operands[o]->strides[nd - 1] / itemsize);
            }
            pymic2__ocl_arg(&args, (size_t)itemsize, &desc->alpha);
            pymic2__ocl_arg(&args, (size_t)itemsize, beta);
            pymic2__ocl_arg(&args, sizeof read, &read);
            status = pymic2__ocl_args_launch_2d(&args, stream, "matmul", global, local,
                                                &previous);
        }
    }
    if (status == PYMIC2_OK)
        *done = previous;
    else if (previous != NULL)
        clReleaseEvent(previous);
    return status;
}
