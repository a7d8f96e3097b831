/*
 * ocl_linalg.c - the LINALG family on OpenCL devices: LU with partial pivoting (LU, SOLVE),
 * Cholesky and Householder QR (LAPACK's reflectors and scalars, so Q, R and the raw mode
 * match geqrf's), one work-group per matrix of the stack (unblocked right-looking
 * elimination, a barrier per step; correctness first). SVD and the eigensolvers are
 * refused with ENOTSUP naming the device: never a silent host computation.
 *
 * The host computes every matrix's element offsets (a, the factors, the pivots, b, x: the
 * batch may have any strides) into a temporary buffer; the kernels take the matrices' own
 * row and column strides. A singular matrix (an exactly zero pivot) or one that is not
 * positive definite records its index by atomic_min into a check buffer, which the runtime
 * reads behind the command: the command fails with the host's ELINALG message at the next
 * sync.
 */
#include "ocl_ops.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const op_names[] = {"lu", "solve", "cholesky", "qr", "svd", "eigh", "eig"};

/* Work-items per matrix (at most; fewer if the device allows fewer). */
#define GROUP 64
/* Offsets per matrix: a, factors, pivots, b, x. */
enum { OFF_A, OFF_F, OFF_P, OFF_B, OFF_X, OFFSETS };

typedef struct linalg_key {
    pymic2_dtype dtype;
    bool fp64;
} linalg_key;

/* Arithmetic on T (real, or float2/double2 complex), then the kernels. */
static const char linalg_source[] =
    "#if COMPLEX\n"
    "T mul(T a, T b) { return (T)(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x); }\n"
    "T dv(T a, T b) { R d = b.x * b.x + b.y * b.y;\n"
    "    return (T)((a.x * b.x + a.y * b.y) / d, (a.y * b.x - a.x * b.y) / d); }\n"
    "R mag(T a) { return fabs(a.x) + fabs(a.y); }\n" /* LAPACK's cabs1 for pivoting */
    "T cj(T a) { return (T)(a.x, -a.y); }\n"
    "R re(T a) { return a.x; }\n"
    "R im(T a) { return a.y; }\n"
    "R abs2(T a) { return a.x * a.x + a.y * a.y; }\n"
    "T of_real(R a) { return (T)(a, 0); }\n"
    "#else\n"
    "T mul(T a, T b) { return a * b; }\n"
    "T dv(T a, T b) { return a / b; }\n"
    "R mag(T a) { return fabs(a); }\n"
    "T cj(T a) { return a; }\n"
    "R re(T a) { return a; }\n"
    "R im(T a) { return 0; }\n"
    "R abs2(T a) { return a * a; }\n"
    "T of_real(R a) { return a; }\n"
    "#endif\n"
    "#define SYNC barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE)\n"
    /* the row of the largest magnitude at or below k in column k (first of equals) */
    "long pivot_row(__global const T *f, long fr, long fc, long n, long k, __local R *best,\n"
    "               __local long *where)\n"
    "{\n"
    "    const int l = get_local_id(0), size = get_local_size(0);\n"
    "    R m = -1; long at = k;\n"
    "    for (long i = k + l; i < n; i += size) {\n"
    "        const R v = mag(f[i * fr + k * fc]);\n"
    "        if (v > m) { m = v; at = i; }\n"
    "    }\n"
    "    best[l] = m; where[l] = at;\n"
    "    SYNC;\n"
    "    if (l == 0) {\n"
    "        for (int s = 1; s < size; s++)\n"
    "            if (best[s] > best[0] || (best[s] == best[0] && where[s] < where[0])) {\n"
    "                best[0] = best[s]; where[0] = where[s];\n"
    "            }\n"
    "    }\n"
    "    SYNC;\n"
    "    const long p = where[0];\n"
    "    SYNC;\n"
    "    return p;\n"
    "}\n"
    /* LU of a into f (and the pivots), applying the row operations to x = b; with nrhs >= 0
     * then the back substitution: x = A^-1 b */
    "__kernel void pymic2_lu(__global const T *a, long ar, long ac, __global T *f, long fr,\n"
    "    long fc, __global long *pivots, long ps, __global const T *b, long br, long bc,\n"
    "    __global T *x, long xr, long xc, long nrhs, long n, __global const long *offsets,\n"
    "    int check, __global int *failed)\n"
    "{\n"
    "    __local R best[GROUP]; __local long where[GROUP];\n"
    "    const long g = get_group_id(0);\n"
    "    const int l = get_local_id(0), size = get_local_size(0);\n"
    "    __global const long *o = offsets + g * 5;\n"
    "    a += o[0]; f += o[1]; pivots += o[2]; b += o[3]; x += o[4];\n"
    "    for (long e = l; e < n * n; e += size)\n"
    "        f[(e / n) * fr + (e % n) * fc] = a[(e / n) * ar + (e % n) * ac];\n"
    "    for (long e = l; e < n * nrhs; e += size)\n"
    "        x[(e / nrhs) * xr + (e % nrhs) * xc] = b[(e / nrhs) * br + (e % nrhs) * bc];\n"
    "    SYNC;\n"
    "    int singular = 0;\n"
    "    for (long k = 0; k < n; k++) {\n"
    "        const long p = pivot_row(f, fr, fc, n, k, best, where);\n"
    "        if (l == 0 && nrhs < 0)\n"
    "            pivots[k * ps] = p;\n"
    "        if (p != k) {\n"
    "            for (long j = l; j < n; j += size) {\n"
    "                const T t = f[k * fr + j * fc];\n"
    "                f[k * fr + j * fc] = f[p * fr + j * fc]; f[p * fr + j * fc] = t;\n"
    "            }\n"
    "            for (long j = l; j < nrhs; j += size) {\n"
    "                const T t = x[k * xr + j * xc];\n"
    "                x[k * xr + j * xc] = x[p * xr + j * xc]; x[p * xr + j * xc] = t;\n"
    "            }\n"
    "        }\n"
    "        SYNC;\n"
    "        const T d = f[k * fr + k * fc];\n"
    "        if (mag(d) == 0) { singular = 1; continue; }\n" /* uniform: every item reads d */
    "        for (long i = k + 1 + l; i < n; i += size)\n"
    "            f[i * fr + k * fc] = dv(f[i * fr + k * fc], d);\n"
    "        SYNC;\n"
    "        const long rest = n - k - 1;\n"
    "        for (long e = l; e < rest * rest; e += size) {\n"
    "            const long i = k + 1 + e / rest, j = k + 1 + e % rest;\n"
    "            f[i * fr + j * fc] -= mul(f[i * fr + k * fc], f[k * fr + j * fc]);\n"
    "        }\n"
    "        for (long e = l; e < rest * nrhs; e += size) {\n"
    "            const long i = k + 1 + e / nrhs, j = e % nrhs;\n"
    "            x[i * xr + j * xc] -= mul(f[i * fr + k * fc], x[k * xr + j * xc]);\n"
    "        }\n"
    "        SYNC;\n"
    "    }\n"
    "    if (singular) {\n"
    "        if (l == 0 && (check || nrhs >= 0))\n"
    "            atomic_min(failed, (int)g);\n"
    "        return;\n" /* uniform */
    "    }\n"
    "    for (long k = n - 1; k >= 0; k--) {\n"
    "        const T d = f[k * fr + k * fc];\n"
    "        for (long j = l; j < nrhs; j += size)\n"
    "            x[k * xr + j * xc] = dv(x[k * xr + j * xc], d);\n"
    "        SYNC;\n"
    "        for (long e = l; e < k * nrhs; e += size) {\n"
    "            const long i = e / nrhs, j = e % nrhs;\n"
    "            x[i * xr + j * xc] -= mul(f[i * fr + k * fc], x[k * xr + j * xc]);\n"
    "        }\n"
    "        SYNC;\n"
    "    }\n"
    "}\n"
    /* the lower Cholesky factor of a's lower triangle into f (the caller swaps both
     * matrices' strides for the upper factor of the upper triangle) */
    "__kernel void pymic2_cholesky(__global const T *a, long ar, long ac, __global T *f,\n"
    "    long fr, long fc, long n, __global const long *offsets, __global int *failed)\n"
    "{\n"
    "    const long g = get_group_id(0);\n"
    "    const int l = get_local_id(0), size = get_local_size(0);\n"
    "    a += offsets[g * 5]; f += offsets[g * 5 + 1];\n"
    "    for (long e = l; e < n * n; e += size) {\n"
    "        const long i = e / n, j = e % n;\n"
    "        f[i * fr + j * fc] = i >= j ? a[i * ar + j * ac] : of_real(0);\n"
    "    }\n"
    "    SYNC;\n"
    "    for (long k = 0; k < n; k++) {\n"
    "        const R d2 = re(f[k * fr + k * fc]);\n"
    "        if (!(d2 > 0)) {\n" /* uniform; NaN fails too */
    "            if (l == 0) atomic_min(failed, (int)g);\n"
    "            return;\n"
    "        }\n"
    "        const R d = sqrt(d2);\n"
    "        SYNC;\n"
    "        for (long i = k + l; i < n; i += size)\n"
    "            f[i * fr + k * fc] = i == k ? of_real(d) : dv(f[i * fr + k * fc], of_real(d));\n"
    "        SYNC;\n"
    "        const long rest = n - k - 1;\n"
    "        for (long e = l; e < rest * rest; e += size) {\n"
    "            const long i = k + 1 + e / rest, j = k + 1 + e % rest;\n"
    "            if (j <= i)\n"
    "                f[i * fr + j * fc] -= mul(f[i * fr + k * fc], cj(f[j * fr + k * fc]));\n"
    "        }\n"
    "        SYNC;\n"
    "    }\n"
    "}\n"
    /* the sum of the work-items' parts (every item gets it) */
    "R group_sum(R part, __local R *parts)\n"
    "{\n"
    "    const int l = get_local_id(0), size = get_local_size(0);\n"
    "    parts[l] = part;\n"
    "    SYNC;\n"
    "    R s = 0;\n"
    "    for (int i = 0; i < size; i++) s += parts[i];\n"
    "    SYNC;\n"
    "    return s;\n"
    "}\n"
    /* LAPACK's larfg for column k of h (m rows): beta = -sign(Re alpha) |(alpha, x)|, tau =
     * (beta - alpha) / beta, v = x / (alpha - beta) in place, h[k][k] = beta; tau 0 (H = I)
     * when x is zero and alpha real. Returns tau. */
    "T reflector(__global T *h, long hr, long hc, long m, long k, __local R *parts)\n"
    "{\n"
    "    const int l = get_local_id(0), size = get_local_size(0);\n"
    "    R s = 0;\n"
    "    for (long i = k + 1 + l; i < m; i += size) s += abs2(h[i * hr + k * hc]);\n"
    "    const R xnorm = sqrt(group_sum(s, parts));\n"
    "    const T alpha = h[k * hr + k * hc];\n"
    "    const int identity = xnorm == 0 && im(alpha) == 0;\n" /* uniform */
    "    const R beta = -copysign(hypot(hypot(re(alpha), im(alpha)), xnorm), re(alpha));\n"
    "    T tau = of_real(identity ? 0 : (beta - re(alpha)) / beta);\n"
    "#if COMPLEX\n"
    "    tau.y = identity ? 0 : -im(alpha) / beta;\n"
    "#endif\n"
    "    if (!identity) {\n"
    "        const T scale = dv(of_real(1), alpha - of_real(beta));\n"
    "        for (long i = k + 1 + l; i < m; i += size)\n"
    "            h[i * hr + k * hc] = mul(h[i * hr + k * hc], scale);\n"
    "    }\n"
    "    SYNC;\n"
    "    if (l == 0 && !identity) h[k * hr + k * hc] = of_real(beta);\n"
    "    return tau;\n"
    "}\n"
    /* x := (I - t v v^H) x for columns first.. of x (rows k.., the reflector v in column k of
     * h below row k, v_k = 1), the columns split over the work-items */
    "void reflect(__global const T *h, long hr, long hc, long m, long k, T t, __global T *x,\n"
    "             long xr, long xc, long first, long columns)\n"
    "{\n"
    "    const int l = get_local_id(0), size = get_local_size(0);\n"
    "    for (long j = first + l; j < columns; j += size) {\n"
    "        T w = x[k * xr + j * xc];\n"
    "        for (long i = k + 1; i < m; i++) w += mul(cj(h[i * hr + k * hc]), x[i * xr + j * xc]);\n"
    "        w = mul(t, w);\n"
    "        x[k * xr + j * xc] -= w;\n"
    "        for (long i = k + 1; i < m; i++) x[i * xr + j * xc] -= mul(h[i * hr + k * hc], w);\n"
    "    }\n"
    "    SYNC;\n"
    "}\n"
    /* QR of a (m x n) as geqrf into h (reflectors below the diagonal, R on and above) and tau;
     * then R (cols x n) and, with want_q, Q (m x cols) = H(0) ... H(K-1) I as orgqr. Without
     * raw, h and tau are scratch: tau follows h (m n elements) */
    "__kernel void pymic2_qr(__global const T *a, long ar, long ac, __global T *h, long hr,\n"
    "    long hc, __global T *tau, long ts, __global T *q, long qr, long qc, __global T *r,\n"
    "    long rr, long rc, long m, long n, long cols, int raw, int want_q,\n"
    "    __global const long *offsets)\n"
    "{\n"
    "    __local R parts[GROUP];\n"
    "    const long g = get_group_id(0), kk = m < n ? m : n;\n"
    "    const int l = get_local_id(0), size = get_local_size(0);\n"
    "    __global const long *o = offsets + g * 5;\n"
    "    a += o[0]; h += o[1]; tau += o[2]; q += o[3]; r += o[4];\n"
    "    if (!raw) { tau = h + m * n; ts = 1; }\n"
    "    for (long e = l; e < m * n; e += size)\n"
    "        h[(e / n) * hr + (e % n) * hc] = a[(e / n) * ar + (e % n) * ac];\n"
    "    SYNC;\n"
    "    for (long k = 0; k < kk; k++) {\n"
    "        const T t = reflector(h, hr, hc, m, k, parts);\n"
    "        if (l == 0) tau[k * ts] = t;\n"
    "        reflect(h, hr, hc, m, k, cj(t), h, hr, hc, k + 1, n);\n"
    "    }\n"
    "    if (raw) return;\n" /* uniform */
    "    for (long e = l; e < cols * n; e += size) {\n"
    "        const long i = e / n, j = e % n;\n"
    "        r[i * rr + j * rc] = i <= j ? h[i * hr + j * hc] : of_real(0);\n"
    "    }\n"
    "    if (!want_q) return;\n" /* uniform */
    "    for (long e = l; e < m * cols; e += size)\n"
    "        q[(e / cols) * qr + (e % cols) * qc] = of_real(e / cols == e % cols);\n"
    "    SYNC;\n"
    "    for (long k = kk - 1; k >= 0; k--)\n"
    "        reflect(h, hr, hc, m, k, tau[k * ts], q, qr, qc, k, cols);\n"
    "}\n";

static int source_linalg(pymic2_device *device, const void *key_bytes, char **source)
{
    const linalg_key *key = key_bytes;
    const bool complex = key->dtype == PYMIC2_COMPLEX64 || key->dtype == PYMIC2_COMPLEX128;
    const bool wide = key->dtype == PYMIC2_FLOAT64 || key->dtype == PYMIC2_COMPLEX128;
    return pymic2__ocl_source_printf(device->name, source,
             "#pragma OPENCL FP_CONTRACT OFF\n%s"
             "#define T %s\n#define R %s\n#define COMPLEX %d\n#define GROUP %d\n%s",
             key->fp64 ? "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n" : "",
             pymic2__ocl_type_name(key->dtype), wide ? "double" : "float", complex, GROUP,
             linalg_source);
}

/* The completion thread's look at the check buffer: the host's message. */
static int report_failure(pymic2_stream *stream, const pymic2__command *command,
                          const void *findings)
{
    int32_t failed;
    memcpy(&failed, findings, sizeof failed);
    if (failed == INT32_MAX)
        return PYMIC2_OK;
    return pymic2__error(PYMIC2_ELINALG, "%s: %s (matrix %" PRId32 " of the stack)",
                         stream->device->name,
                         command->u.linalg.op == PYMIC2_LINALG_CHOLESKY
                             ? "Matrix is not positive definite" : "Singular matrix",
                         failed);
}

/* A matrix operand's row and column strides in elements (swapped: transposed). */
static void strides_of(const pymic2_operand *operand, int trailing, bool swapped,
                       int64_t *strides)
{
    const int64_t itemsize = (int64_t)pymic2_dtype_size(operand->dtype);
    const int d = operand->ndim - trailing;
    strides[0] = operand->buffer ? operand->strides[d] / itemsize : 0;
    strides[1] = operand->buffer && trailing == 2 ? operand->strides[d + 1] / itemsize : 0;
    if (swapped) {
        const int64_t t = strides[0];
        strides[0] = strides[1];
        strides[1] = t;
    }
}

/* Every matrix's element offsets (OFFSETS per matrix) of the operands, as a temporary
 * buffer; `operands` are NULL or have a's batch dimensions then `trailing` ones. Without
 * an operand for the factors, matrix i's factors start at i * factor_elements (scratch). */
static int offsets_buffer(pymic2_device *device, const char *what,
                          const pymic2_operand *const operands[OFFSETS],
                          const int trailing[OFFSETS], int64_t count, int64_t factor_elements,
                          cl_mem *mem)
{
    int64_t *offsets = calloc((size_t)(count * OFFSETS), sizeof *offsets);
    if (offsets == NULL)
        return pymic2__error(PYMIC2_ENOMEM, "%s: %s: no host memory for the offsets of %" PRId64
                             " matrices", device->name, what, count);
    int status = PYMIC2_OK;
    for (int64_t index = 0; operands[OFF_F] == NULL && index < count; index++)
        offsets[index * OFFSETS + OFF_F] = index * factor_elements;
    for (int k = 0; k < OFFSETS && status == PYMIC2_OK; k++) {
        const pymic2_operand *op = operands[k];
        int64_t base = 0;
        if (op == NULL || (status = pymic2__ocl_element_offset(device, what, op, &base)) != 0)
            continue;
        const int64_t itemsize = (int64_t)pymic2_dtype_size(op->dtype);
        for (int64_t index = 0; index < count; index++) {
            int64_t offset = base, rest = index;
            for (int d = op->ndim - trailing[k] - 1; d >= 0; d--) {
                offset += (rest % op->shape[d]) * (op->strides[d] / itemsize);
                rest /= op->shape[d];
            }
            offsets[index * OFFSETS + k] = offset;
        }
    }
    if (status == PYMIC2_OK)
        status = pymic2__ocl_temporary(device, (size_t)(count * OFFSETS) * sizeof *offsets,
                                       offsets, mem);
    free(offsets);
    return status;
}

static void matrix_args(pymic2__ocl_args *args, cl_mem mem, const int64_t strides[2])
{
    pymic2__ocl_arg_mem(args, mem);
    pymic2__ocl_arg_long(args, strides[0]);
    pymic2__ocl_arg_long(args, strides[1]);
}

/* The LU kernel: LU (factors and pivots into the outputs) or SOLVE (factors in scratch). */
static int enqueue_lu(pymic2_stream *stream, const pymic2_linalg_desc *d, pymic2__ocl_kernel *k,
                      cl_mem offsets, cl_mem failed, cl_mem scratch, int64_t count,
                      size_t group, cl_event *done)
{
    const bool solve = d->op == PYMIC2_LINALG_SOLVE;
    const int64_t n = d->a.shape[d->a.ndim - 1];
    int64_t a_strides[2], f_strides[2] = {n, 1}, p_strides[2], b_strides[2], x_strides[2];
    strides_of(&d->a, 2, false, a_strides);
    if (!solve)
        strides_of(&d->out[0], 2, false, f_strides);
    strides_of(&d->out[1], 1, false, p_strides);
    strides_of(&d->b, 2, false, b_strides);
    strides_of(&d->out[0], 2, false, x_strides);
    cl_mem a = pymic2__ocl_mem_of(d->a.buffer);
    pymic2__ocl_args args;
    pymic2__ocl_args_begin(&args, k);
    matrix_args(&args, a, a_strides);
    matrix_args(&args, solve ? scratch : pymic2__ocl_mem_of(d->out[0].buffer), f_strides);
    pymic2__ocl_arg_mem(&args, solve ? scratch : pymic2__ocl_mem_of(d->out[1].buffer));
    pymic2__ocl_arg_long(&args, p_strides[0]);
    matrix_args(&args, solve ? pymic2__ocl_mem_of(d->b.buffer) : a, b_strides);
    matrix_args(&args, solve ? pymic2__ocl_mem_of(d->out[0].buffer) : scratch, x_strides);
    pymic2__ocl_arg_long(&args, solve ? d->b.shape[d->b.ndim - 1] : -1);
    pymic2__ocl_arg_long(&args, n);
    pymic2__ocl_arg_mem(&args, offsets);
    const cl_int check = d->check != 0;
    pymic2__ocl_arg(&args, sizeof check, &check);
    pymic2__ocl_arg_mem(&args, failed);
    return pymic2__ocl_args_launch(&args, stream, op_names[d->op], (size_t)count * group, group,
                                   done);
}

static int enqueue_cholesky(pymic2_stream *stream, const pymic2_linalg_desc *d,
                            pymic2__ocl_kernel *k, cl_mem offsets, cl_mem failed, int64_t count,
                            size_t group, cl_event *done)
{
    int64_t a_strides[2], f_strides[2];
    strides_of(&d->a, 2, d->upper, a_strides);
    strides_of(&d->out[0], 2, d->upper, f_strides);
    pymic2__ocl_args args;
    pymic2__ocl_args_begin(&args, k);
    matrix_args(&args, pymic2__ocl_mem_of(d->a.buffer), a_strides);
    matrix_args(&args, pymic2__ocl_mem_of(d->out[0].buffer), f_strides);
    pymic2__ocl_arg_long(&args, d->a.shape[d->a.ndim - 1]);
    pymic2__ocl_arg_mem(&args, offsets);
    pymic2__ocl_arg_mem(&args, failed);
    return pymic2__ocl_args_launch(&args, stream, "cholesky", (size_t)count * group, group,
                                   done);
}

/* The QR kernel: geqrf's h and tau into out[0] (transposed) and out[1] when raw, else into
 * the scratch (m n + k elements per matrix), then R into out[1] and Q into out[0]. */
static int enqueue_qr(pymic2_stream *stream, const pymic2_linalg_desc *d, pymic2__ocl_kernel *k,
                      cl_mem offsets, cl_mem scratch, int64_t count, size_t group,
                      cl_event *done)
{
    const int64_t m = d->a.shape[d->a.ndim - 2], n = d->a.shape[d->a.ndim - 1];
    const int64_t cols = d->complete ? m : (m < n ? m : n);
    const bool want_q = d->compute_uv && !d->raw;
    int64_t a_strides[2], h_strides[2] = {n, 1}, tau_strides[2] = {1, 0}, q_strides[2] = {0, 0};
    int64_t r_strides[2] = {0, 0};
    strides_of(&d->a, 2, false, a_strides);
    if (d->raw) {
        strides_of(&d->out[0], 2, true, h_strides);
        strides_of(&d->out[1], 1, false, tau_strides);
    } else {
        strides_of(&d->out[1], 2, false, r_strides);
    }
    if (want_q)
        strides_of(&d->out[0], 2, false, q_strides);
    cl_mem out0 = d->out[0].buffer ? pymic2__ocl_mem_of(d->out[0].buffer) : scratch;
    cl_mem out1 = pymic2__ocl_mem_of(d->out[1].buffer);
    pymic2__ocl_args args;
    pymic2__ocl_args_begin(&args, k);
    matrix_args(&args, pymic2__ocl_mem_of(d->a.buffer), a_strides);
    matrix_args(&args, d->raw ? out0 : scratch, h_strides);
    pymic2__ocl_arg_mem(&args, d->raw ? out1 : scratch);
    pymic2__ocl_arg_long(&args, tau_strides[0]);
    matrix_args(&args, want_q ? out0 : scratch, q_strides);
    matrix_args(&args, d->raw ? scratch : out1, r_strides);
    const int64_t sizes[] = {m, n, cols};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        pymic2__ocl_arg_long(&args, sizes[i]);
    const cl_int raw = d->raw != 0, q = want_q;
    pymic2__ocl_arg(&args, sizeof raw, &raw);
    pymic2__ocl_arg(&args, sizeof q, &q);
    pymic2__ocl_arg_mem(&args, offsets);
    return pymic2__ocl_args_launch(&args, stream, "qr", (size_t)count * group, group, done);
}

/* Offsets of a, factors (LU: out[0]; SOLVE: the scratch, n * n elements per matrix; QR:
 * raw out[0], else the scratch, m n + k per matrix), pivots (LU: out[1]; raw QR's tau:
 * out[1]), b (SOLVE; QR's Q: out[0]) and x (SOLVE: out[0]; QR's R: out[1]); LU, SOLVE and QR
 * get their scratch (a valid argument where unused). */
static int prepare(pymic2_device *device, const pymic2_linalg_desc *d, int64_t count,
                   cl_mem *offsets, cl_mem *scratch)
{
    const bool solve = d->op == PYMIC2_LINALG_SOLVE, qr = d->op == PYMIC2_LINALG_QR;
    const bool want_q = qr && d->compute_uv && !d->raw;
    const int64_t m = d->a.shape[d->a.ndim - 2], n = d->a.shape[d->a.ndim - 1];
    const int64_t per_matrix = qr ? m * n + (m < n ? m : n) : n * n;
    const pymic2_operand *const lu_ops[OFFSETS] = {
        &d->a, solve ? NULL : &d->out[0], d->op == PYMIC2_LINALG_LU ? &d->out[1] : NULL,
        solve ? &d->b : NULL, solve ? &d->out[0] : NULL};
    const pymic2_operand *const qr_ops[OFFSETS] = {
        &d->a, d->raw ? &d->out[0] : NULL, d->raw ? &d->out[1] : NULL,
        want_q ? &d->out[0] : NULL, d->raw ? NULL : &d->out[1]};
    const int trailing[OFFSETS] = {2, 2, 1, 2, 2};
    int status = offsets_buffer(device, op_names[d->op], qr ? qr_ops : lu_ops, trailing, count,
                                per_matrix, offsets);
    if (status != PYMIC2_OK || d->op == PYMIC2_LINALG_CHOLESKY)
        return status;
    const bool needs_scratch = solve || (qr && !d->raw);
    const size_t bytes =
        needs_scratch ? (size_t)(count * per_matrix) * pymic2_dtype_size(d->a.dtype) : 16;
    return pymic2__ocl_temporary(device, bytes, NULL, scratch);
}

static int linalg(pymic2_stream *stream, const pymic2_linalg_desc *d, void *launch)
{
    pymic2_device *device = stream->device;
    cl_event *done = &((pymic2__ocl_launch *)launch)->done;
    pymic2__ocl_check *check = &((pymic2__ocl_launch *)launch)->check;
    int64_t count = 1;
    for (int k = 0; k < d->a.ndim - 2; k++)
        count *= d->a.shape[k];
    const int64_t m = d->a.shape[d->a.ndim - 2], n = d->a.shape[d->a.ndim - 1];
    if (count == 0 || m == 0 || n == 0)
        return pymic2__ocl_marker(stream, done);
    int status = pymic2__ocl_check_dtype(device, op_names[d->op], d->a.dtype);
    if (status == PYMIC2_OK && count > INT32_MAX)
        status = pymic2__error(PYMIC2_ENOTSUP, "%s: %s: %" PRId64 " matrices; at most 2^31 - 1 "
                               "on OpenCL devices", device->name, op_names[d->op], count);
    if (status != PYMIC2_OK)
        return status;
    linalg_key key;
    memset(&key, 0, sizeof key); /* compared as bytes */
    key.dtype = d->a.dtype;
    key.fp64 = pymic2__ocl_fp64(device);
    const bool cholesky = d->op == PYMIC2_LINALG_CHOLESKY, qr = d->op == PYMIC2_LINALG_QR;
    pymic2__ocl_kernel *kernel = NULL;
    status = pymic2__ocl_kernel_get(device, PYMIC2__OCL_KIND_LINALG, &key, sizeof key,
                                    cholesky ? "pymic2_cholesky" : qr ? "pymic2_qr" : "pymic2_lu",
                                    source_linalg, &kernel);
    const cl_int failed_init = INT32_MAX;
    cl_mem offsets = NULL, scratch = NULL, failed = NULL;
    if (status == PYMIC2_OK)
        status = pymic2__ocl_temporary(device, sizeof failed_init, &failed_init, &failed);
    if (status == PYMIC2_OK)
        status = prepare(device, d, count, &offsets, &scratch);
    const size_t max_group = pymic2__ocl_device_of(device)->max_work_group_size;
    const size_t group = max_group < GROUP ? max_group : GROUP;
    if (status == PYMIC2_OK && cholesky)
        status = enqueue_cholesky(stream, d, kernel, offsets, failed, count, group, done);
    else if (status == PYMIC2_OK && qr)
        status = enqueue_qr(stream, d, kernel, offsets, scratch, count, group, done);
    else if (status == PYMIC2_OK)
        status = enqueue_lu(stream, d, kernel, offsets, failed, scratch, count, group, done);
    if (offsets != NULL)
        clReleaseMemObject(offsets);
    if (scratch != NULL)
        clReleaseMemObject(scratch);
    return pymic2__ocl_check_attach(check, status, failed, sizeof failed_init, report_failure);
}

/* The family's slot: LU, SOLVE, CHOLESKY and QR; the others are refused. */
int pymic2__ocl_linalg(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    const pymic2_linalg_desc *d = &command->u.linalg;
    if (d->op <= PYMIC2_LINALG_QR)
        return linalg(stream, d, launch);
    return pymic2__error(PYMIC2_ENOTSUP, "%s: linalg.%s is not implemented on OpenCL devices "
                         "(LU, solve, Cholesky and QR are)", stream->device->name,
                         op_names[d->op]);
}
