/*
 * gemm.c - matrix products on the host: float32, float64, complex64 and complex128 through
 * OpenBLAS, float16 through SGEMM on float32 copies of its matrices (NumPy's float16 matmul
 * also multiplies and adds in float32 and rounds each result once, without a BLAS: 2048 x
 * 2048 took 40 s there, 0.2 s here), bool and integers through our own blocked kernel on
 * the device's team.
 *
 * BLAS: OpenBLAS (pthread build) was measured against BLIS 0.9 (pthread) on the 2-core Zen 4
 * this was written on, 2 threads, square DGEMM/SGEMM, best of 3 runs, GFLOPS:
 *                 N=512       1024        2048        4096
 *   OpenBLAS   104 / 207   104 / 207   107 / 206   106 / 213   (double / single)
 *   BLIS        72 /  66   103 / 205   105 / 213   104 / 211
 * Equal for large N, but BLIS starts its threads per call and loses at small N.
 *
 * OpenBLAS takes a matrix with unit stride in one dimension: row-contiguous views go in as
 * they are, column-contiguous (transposed) ones with the transpose flag, each with its
 * leading dimension. Any other input (stride 0, reversed, strided in both dimensions,
 * misaligned) and any input that overlaps c is first copied into a contiguous temporary;
 * a c of such a layout is computed in a temporary and copied back.
 *
 * Threads: OpenBLAS runs single-threaded and the device's team splits each product into
 * blocks of C's rows or columns, one BLAS call per block (or, for many small matrices, the
 * batch). OpenBLAS's own threads would compete with the team and the stream worker for the
 * CPUs. Single-threaded calls of OpenBLAS 0.3.21 (pthread build) from several threads at
 * once are safe (its buffers are per call, taken under its own lock), so host devices run
 * their GEMMs concurrently.
 */
#include "host_internal.h"
#include "loops.h"

#include "../../ops/op_table.h"

#include <cblas.h>

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- shared helpers */

/* One matrix of an operand: its size and byte strides (the batch comes on top). */
typedef struct matrix_shape {
    int64_t rows, cols, row_stride, col_stride;
} matrix_shape;

static matrix_shape matrix_of(const pymic2_operand *operand)
{
    int d = operand->ndim - 2;
    return (matrix_shape){operand->shape[d], operand->shape[d + 1], operand->strides[d],
                          operand->strides[d + 1]};
}

/* Whether reading the input while c is written could see c's new values. */
static bool overlaps_output(const pymic2_operand *input, const pymic2_operand *c)
{
    if (input->buffer != c->buffer)
        return false;
    int64_t input_first, input_end, c_first, c_end;
    pymic2__operand_extent(input, &input_first, &input_end);
    pymic2__operand_extent(c, &c_first, &c_end);
    return input_first < c_end && c_first < input_end;
}

/* Whether every element of every matrix of the operand sits at a multiple of its size. */
static bool is_aligned(const pymic2_operand *operand)
{
    int64_t itemsize = (int64_t)pymic2_dtype_size(operand->dtype);
    uintptr_t base = (uintptr_t)pymic2__host_address(operand->buffer, 0);
    if (base % (uintptr_t)itemsize != 0 || operand->offset % itemsize != 0)
        return false;
    for (int d = 0; d < operand->ndim; d++)
        if (operand->shape[d] > 1 && operand->strides[d] % itemsize != 0)
            return false;
    return true;
}

/* See host_internal.h. */
void pymic2__host_copy_matrix(char *dst, int64_t dst_rs, int64_t dst_cs, const char *src,
                              int64_t src_rs, int64_t src_cs, int64_t rows, int64_t cols,
                              size_t itemsize)
{
#define COPY_WITH_SIZE(size)                                                             \
    for (int64_t i = 0; i < rows; i++)                                                   \
        for (int64_t j = 0; j < cols; j++)                                               \
            memcpy(dst + i * dst_rs + j * dst_cs, src + i * src_rs + j * src_cs, size);
    switch (itemsize) { /* constant sizes let the compiler turn memcpy into moves */
    case 1: COPY_WITH_SIZE(1) break;
    case 4: COPY_WITH_SIZE(4) break;
    case 8: COPY_WITH_SIZE(8) break;
    case 16: COPY_WITH_SIZE(16) break;
    default: COPY_WITH_SIZE(itemsize) break;
    }
#undef COPY_WITH_SIZE
}

/* copy_matrix from elements of dtype `from` to `to` (the host's conversion loops). */
static void convert_matrix(char *dst, int64_t dst_rs, int64_t dst_cs, pymic2_dtype to,
                           const char *src, int64_t src_rs, int64_t src_cs, pymic2_dtype from,
                           int64_t rows, int64_t cols)
{
    if (from == to) {
        pymic2__host_copy_matrix(dst, dst_rs, dst_cs, src, src_rs, src_cs, rows, cols,
                    pymic2_dtype_size(from));
        return;
    }
    const pymic2__loop_fn copy = pymic2__host_loop_find(PYMIC2_OP_COPY, from, to);
    pymic2__loop_state unused = {0}; /* a copy sets nothing in it */
    const int64_t steps[2] = {src_cs, dst_cs};
    for (int64_t i = 0; i < rows; i++) {
        char *args[2] = {(char *)src + i * src_rs, dst + i * dst_rs};
        copy(args, cols, steps, &unused);
    }
}

static void *allocate_temporary(const pymic2_device *device, size_t nbytes, const char *what,
                                int *status)
{
    void *memory = malloc(nbytes > 0 ? nbytes : 1);
    if (memory == NULL)
        *status = pymic2__error(PYMIC2_ENOMEM, "%s: matmul: cannot allocate %zu bytes for %s",
                                device->name, nbytes, what);
    return memory;
}

/* ---------------------------------------------------------------- BLAS path */

/* How one operand goes to cblas_?gemm. */
typedef struct blas_operand {
    bool packed;    /* through a contiguous row-major temporary */
    bool row_major; /* unit stride along rows (else along columns) */
    int64_t ld;     /* leading dimension in elements */
    char *scratch;  /* the temporary when packed */
} blas_operand;

/* The in-place layout of a matrix, if it has one: unit stride in one dimension and a leading
 * dimension no smaller than the other (dimensions of size 1 take any stride). */
static bool in_place_layout(matrix_shape shape, int64_t itemsize, bool prefer_row_major,
                            bool *row_major, int64_t *ld)
{
    bool unit_row = shape.cols <= 1 || shape.col_stride == itemsize;
    bool unit_col = shape.rows <= 1 || shape.row_stride == itemsize;
    int64_t min_row_ld = shape.cols > 1 ? shape.cols : 1;
    int64_t min_col_ld = shape.rows > 1 ? shape.rows : 1;
    bool as_rows = unit_row && (shape.rows <= 1 || shape.row_stride >= min_row_ld * itemsize);
    bool as_cols = unit_col && (shape.cols <= 1 || shape.col_stride >= min_col_ld * itemsize);
    if (as_rows && as_cols)
        as_cols = !prefer_row_major;
    if (as_cols) {
        *row_major = false;
        *ld = shape.cols <= 1 ? min_col_ld : shape.col_stride / itemsize;
    } else if (as_rows) {
        *row_major = true;
        *ld = shape.rows <= 1 ? min_row_ld : shape.row_stride / itemsize;
    } else {
        return false;
    }
    return *ld <= INT_MAX;
}

/* Whether a scalar is zero (-0.0 too: beta == 0 means C is not read, as in BLAS). */
#define IS_ZERO_BOOL(member) value.member == 0
#define IS_ZERO_INT(member) value.member == 0
#define IS_ZERO_FLOAT(member) value.member == 0
#define IS_ZERO_COMPLEX(member) value.member[0] == 0 && value.member[1] == 0
static bool scalar_is_zero(pymic2_dtype dtype, pymic2_scalar value)
{
    switch (dtype) {
#define IS_ZERO_CASE(context, NAME, name, ctype, CLASS, wrap, REAL, real_ctype, member, ...) \
    case PYMIC2_##NAME: return IS_ZERO_##CLASS(member);
        PYMIC2_DTYPE_TABLE(IS_ZERO_CASE, ~)
#undef IS_ZERO_CASE
    default: return false;
    }
}

/*
 * A block of the product (one BLAS call) is at least this many multiply-adds: about 10 us
 * on one Zen 4 core, so the team's helpers pay for joining it, and sleeping ones are woken
 * only for blocks 16 times that.
 */
#define BLAS_MIN_BLOCK_VOLUME (64 * 64 * 64)

/*
 * OpenBLAS's thread count is process-wide and someone else in the process (the application,
 * a benchmark) may have raised it: a threaded call from each team member would oversubscribe
 * the CPUs, so every product makes sure it is 1 (a plain store inside OpenBLAS).
 */
static void use_single_threaded_blas(void)
{
    if (openblas_get_num_threads() != 1)
        openblas_set_num_threads(1);
}

static void call_blas(pymic2_dtype dtype, bool row_major, const blas_operand *a,
                      const blas_operand *b, int m, int n, int k, const pymic2_scalar *alpha,
                      const void *a_data, const void *b_data, const pymic2_scalar *beta,
                      void *c_data, int ldc)
{
    enum CBLAS_ORDER order = row_major ? CblasRowMajor : CblasColMajor;
    enum CBLAS_TRANSPOSE ta = a->row_major == row_major ? CblasNoTrans : CblasTrans;
    enum CBLAS_TRANSPOSE tb = b->row_major == row_major ? CblasNoTrans : CblasTrans;
    int lda = (int)a->ld, ldb = (int)b->ld;
    switch (dtype) {
    case PYMIC2_FLOAT32:
        cblas_sgemm(order, ta, tb, m, n, k, alpha->f32, a_data, lda, b_data, ldb, beta->f32,
                    c_data, ldc);
        break;
    case PYMIC2_FLOAT64:
        cblas_dgemm(order, ta, tb, m, n, k, alpha->f64, a_data, lda, b_data, ldb, beta->f64,
                    c_data, ldc);
        break;
    case PYMIC2_COMPLEX64:
        cblas_cgemm(order, ta, tb, m, n, k, alpha->c64, a_data, lda, b_data, ldb, beta->c64,
                    c_data, ldc);
        break;
    default: /* complex128: the core admits nothing else on this path */
        cblas_zgemm(order, ta, tb, m, n, k, alpha->c128, a_data, lda, b_data, ldb, beta->c128,
                    c_data, ldc);
        break;
    }
}

/* Chooses the layout of an operand, with a temporary when it has no usable one in place or
 * is stored in another type than the BLAS computes in (float16: a float32 temporary). */
static int plan_operand(const pymic2_device *device, const pymic2_operand *operand,
                        bool must_pack, bool prefer_row_major, blas_operand *plan,
                        const char *what)
{
    int64_t itemsize = (int64_t)pymic2_dtype_size(operand->dtype);
    int64_t compute_size = (int64_t)pymic2__dtype_compute_size(operand->dtype);
    matrix_shape shape = matrix_of(operand);
    memset(plan, 0, sizeof *plan);
    if (!must_pack && compute_size == itemsize && is_aligned(operand) &&
        in_place_layout(shape, itemsize, prefer_row_major, &plan->row_major, &plan->ld))
        return PYMIC2_OK;
    plan->packed = true;
    plan->row_major = true;
    plan->ld = shape.cols > 1 ? shape.cols : 1;
    int status = PYMIC2_OK;
    plan->scratch = allocate_temporary(device, (size_t)(shape.rows * shape.cols * compute_size),
                                       what, &status);
    return status;
}

/* Byte offset of element (row, col) of a planned operand. */
static int64_t element_offset(const blas_operand *plan, int64_t row, int64_t col,
                              size_t itemsize)
{
    return (plan->row_major ? row * plan->ld + col : row + col * plan->ld) * (int64_t)itemsize;
}

/* A product for the team: one matrix split into blocks, or a range of the batch. */
typedef struct blas_job {
    const pymic2_gemm_desc *desc;
    const blas_operand *pa, *pb, *pc;
    int64_t m, n, k;
    const char *a_data, *b_data; /* the matrix being split */
    char *c_data;
    bool split_rows; /* blocks of C's rows (else columns) */
} blas_job;

static void blas_block(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    const blas_job *job = context;
    const pymic2_gemm_desc *desc = job->desc;
    const pymic2_dtype compute = pymic2__dtype_compute(desc->c.dtype);
    size_t itemsize = pymic2_dtype_size(compute);
    int64_t rows = job->split_rows ? end - begin : job->m;
    int64_t cols = job->split_rows ? job->n : end - begin;
    int64_t row = job->split_rows ? begin : 0, col = job->split_rows ? 0 : begin;
    call_blas(compute, job->pc->row_major, job->pa, job->pb, (int)rows, (int)cols,
              (int)job->k, &desc->alpha, job->a_data + element_offset(job->pa, row, 0, itemsize),
              job->b_data + element_offset(job->pb, 0, col, itemsize), &desc->beta,
              job->c_data + element_offset(job->pc, row, col, itemsize), (int)job->pc->ld);
}

/* Whole matrices [begin, end) of the batch, each with one call (no operand is packed). */
static void blas_matrices(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    const blas_job *job = context;
    const pymic2_gemm_desc *desc = job->desc;
    for (int64_t index = begin; index < end; index++) {
        blas_job matrix = *job;
        matrix.split_rows = true;
        matrix.a_data = pymic2__host_matrix_at(&desc->a, index, 2);
        matrix.b_data = pymic2__host_matrix_at(&desc->b, index, 2);
        matrix.c_data = pymic2__host_matrix_at(&desc->c, index, 2);
        blas_block(&matrix, 0, job->m, 0);
    }
}

static int gemm_blas(pymic2_device *device, const pymic2_gemm_desc *desc)
{
    const pymic2_operand *a = &desc->a, *b = &desc->b, *c = &desc->c;
    matrix_shape ms = matrix_of(c);
    int64_t m = ms.rows, n = ms.cols, k = a->shape[a->ndim - 1];
    if (m > INT_MAX || n > INT_MAX || k > INT_MAX)
        return pymic2__error(PYMIC2_ENOTSUP, "%s: matmul: (%" PRId64 ",%" PRId64 ") @ (%"
                             PRId64 ",%" PRId64 ") has a dimension above the BLAS's limit %d",
                             device->name, m, k, k, n, INT_MAX);
    /* the BLAS's dtype: the operands' (float16: float32, into which they are packed) */
    const pymic2_dtype dtype = c->dtype, compute = pymic2__dtype_compute(dtype);
    size_t itemsize = pymic2_dtype_size(compute);
    blas_operand pa, pb, pc;
    int status = plan_operand(device, c, false, true, &pc, "the output c");
    if (status == PYMIC2_OK)
        status = plan_operand(device, a, k > 0 && overlaps_output(a, c), pc.row_major, &pa,
                              "a copy of a");
    else
        pa.scratch = NULL;
    if (status == PYMIC2_OK)
        status = plan_operand(device, b, k > 0 && overlaps_output(b, c), pc.row_major, &pb,
                              "a copy of b");
    else
        pb.scratch = NULL;
    if (status != PYMIC2_OK) {
        free(pa.scratch);
        free(pb.scratch);
        free(pc.scratch);
        return status;
    }
    use_single_threaded_blas();
    bool read_c = !scalar_is_zero(c->dtype, desc->beta);
    matrix_shape as = matrix_of(a), bs = matrix_of(b);
    int64_t nbatch = pymic2__host_batch_count(c, 2);
    pymic2__team *team = pymic2__host_of(device)->team;
    blas_job job = {.desc = desc, .pa = &pa, .pb = &pb, .pc = &pc, .m = m, .n = n, .k = k,
                    .split_rows = m >= n};
    /* the larger dimension of C is split, so each block re-reads only the smaller operand */
    int64_t extent = job.split_rows ? m : n;
    double line_volume = (double)(job.split_rows ? n : m) * (double)(k > 0 ? k : 1);
    double min_lines = ceil(BLAS_MIN_BLOCK_VOLUME / line_volume);
    int64_t min_block = min_lines < (double)extent ? (int64_t)min_lines : extent;
    int team_size = pymic2__team_size(team);
    bool packs = pa.packed || pb.packed || pc.packed;
    if (!packs && nbatch >= team_size && extent / min_block < team_size) {
        double matrix_volume = line_volume * (double)extent;
        double min_matrices = ceil(BLAS_MIN_BLOCK_VOLUME / matrix_volume);
        pymic2__team_parallel_for(team, nbatch, (int64_t)min_matrices, blas_matrices, &job);
    } else {
        for (int64_t index = 0; index < nbatch; index++) {
            char *a_data = pymic2__host_matrix_at(a, index, 2);
            char *b_data = pymic2__host_matrix_at(b, index, 2);
            char *c_data = pymic2__host_matrix_at(c, index, 2);
            int64_t row = (int64_t)itemsize;
            if (pa.packed) {
                convert_matrix(pa.scratch, pa.ld * row, row, compute, a_data, as.row_stride,
                               as.col_stride, dtype, as.rows, as.cols);
                a_data = pa.scratch;
            }
            if (pb.packed) {
                convert_matrix(pb.scratch, pb.ld * row, row, compute, b_data, bs.row_stride,
                               bs.col_stride, dtype, bs.rows, bs.cols);
                b_data = pb.scratch;
            }
            job.a_data = a_data;
            job.b_data = b_data;
            job.c_data = pc.packed ? pc.scratch : c_data;
            if (pc.packed && read_c)
                convert_matrix(pc.scratch, pc.ld * row, row, compute, c_data, ms.row_stride,
                               ms.col_stride, dtype, m, n);
            /* a block for every thread: each is worth waking a sleeping helper for */
            if (extent >= (int64_t)team_size * min_block)
                pymic2__team_parallel_for_large(team, extent, blas_block, &job);
            else
                pymic2__team_parallel_for(team, extent, min_block, blas_block, &job);
            if (pc.packed)
                convert_matrix(c_data, ms.row_stride, ms.col_stride, dtype, pc.scratch,
                               pc.ld * row, row, compute, m, n);
        }
    }
    free(pa.scratch);
    free(pb.scratch);
    free(pc.scratch);
    return PYMIC2_OK;
}

/* ---------------------------------------------------------------- integer kernel */

/*
 * Integers accumulate in the unsigned type of their width (at least 32 bits), so overflow
 * wraps modulo 2^bits exactly as NumPy's fixed-width arithmetic does; bool ORs the ANDs.
 * B is packed per matrix into strips of STRIP_BYTES / sizeof(acc) columns (zero padded),
 * k rows deep; a tile of TILE_ROWS rows of A times one strip stays in vector registers.
 * The team splits the rows of C.
 */
#define TILE_ROWS 4
#define STRIP_BYTES 256

/* The kernels of the dtype table's bool and integer rows: XX(suffix, dtype, element type,
 * accumulator type (the row's wrap type; bool's uint32_t), scalar member, multiply-accumulate). */
#define INTEGER_GEMM_BOOL(XX, NAME, name, ctype, wrap, member) \
    XX(name, PYMIC2_##NAME, ctype, uint32_t, member, ACCUMULATE_OR)
#define INTEGER_GEMM_INT(XX, NAME, name, ctype, wrap, member) \
    XX(name, PYMIC2_##NAME, ctype, wrap, member, ACCUMULATE_ADD)
#define INTEGER_GEMM_FLOAT(...)
#define INTEGER_GEMM_COMPLEX(...)
#define INTEGER_GEMM_ROW(XX, NAME, name, ctype, CLASS, wrap, REAL, real_ctype, member, ...) \
    INTEGER_GEMM_##CLASS(XX, NAME, name, ctype, wrap, member)
#define INTEGER_GEMMS(XX) PYMIC2_DTYPE_TABLE(INTEGER_GEMM_ROW, XX)

#define ACCUMULATE_ADD(acc, x, y) ((acc) += (x) * (y))
#define ACCUMULATE_OR(acc, x, y) ((acc) |= (x) & (y))

/* Loading turns bool bytes into 0/1 and integers into their wrap-around accumulator value. */
#define LOAD_AS(acc_type, element_type, dtype, pointer)                                  \
    ({                                                                                   \
        element_type load__value;                                                        \
        memcpy(&load__value, (pointer), sizeof load__value);                             \
        (dtype) == PYMIC2_BOOL ? (acc_type)(load__value != 0) : (acc_type)load__value;   \
    })

/* GCC builds the kernels for AVX-512, AVX2 and baseline x86-64 and picks one at load time,
 * so the library needs no -march flag. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define KERNEL_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define KERNEL_CLONES
#endif

typedef struct integer_job {
    const char *a;         /* this matrix's A, C and packed B */
    char *c;
    const void *packed_b;
    matrix_shape a_shape, c_shape;
    int64_t k;
    pymic2_scalar alpha, beta;
    bool read_c;
} integer_job;

#define DEFINE_INTEGER_GEMM(suffix, dtype, T, ACC, member, ACCUMULATE)                      \
    enum { suffix##_STRIP = STRIP_BYTES / sizeof(ACC) };                                    \
                                                                                            \
    static void pack_b_##suffix(void *memory, const char *b, matrix_shape shape)            \
    {                                                                                       \
        ACC *packed = memory;                                                               \
        int64_t strips = (shape.cols + suffix##_STRIP - 1) / suffix##_STRIP;                 \
        for (int64_t s = 0; s < strips; s++)                                                \
            for (int64_t p = 0; p < shape.rows; p++) {                                      \
                ACC *row = packed + (s * shape.rows + p) * suffix##_STRIP;                  \
                for (int64_t w = 0; w < suffix##_STRIP; w++) {                              \
                    int64_t j = s * suffix##_STRIP + w;                                     \
                    row[w] = j < shape.cols ? LOAD_AS(ACC, T, dtype, b + p * shape.row_stride \
                                                      + j * shape.col_stride) : 0;          \
                }                                                                           \
            }                                                                               \
    }                                                                                       \
                                                                                            \
    static ACC combine_##suffix(const integer_job *job, ACC product, const char *c)         \
    {                                                                                       \
        ACC alpha = LOAD_AS(ACC, T, dtype, &job->alpha.member);                             \
        ACC beta = LOAD_AS(ACC, T, dtype, &job->beta.member);                               \
        ACC old = job->read_c ? LOAD_AS(ACC, T, dtype, c) : 0;                              \
        if ((dtype) == PYMIC2_BOOL)                                                         \
            return (ACC)((alpha && product) || (beta && old));                              \
        return alpha * product + beta * old;                                                \
    }                                                                                       \
                                                                                            \
    KERNEL_CLONES                                                                           \
    static void rows_##suffix(void *context, int64_t begin, int64_t end, int member)        \
    {                                                                                       \
        (void)member;                                                                       \
        const integer_job *job = context;                                                   \
        int64_t m = job->c_shape.rows, n = job->c_shape.cols, k = job->k;                   \
        int64_t first_row = begin * TILE_ROWS;                                              \
        int64_t last_row = end * TILE_ROWS < m ? end * TILE_ROWS : m;                       \
        const ACC *packed = job->packed_b;                                                  \
        for (int64_t j0 = 0; j0 < n; j0 += suffix##_STRIP) {                                \
            const ACC *strip = packed + (j0 / suffix##_STRIP) * k * suffix##_STRIP;         \
            int64_t width = n - j0 < suffix##_STRIP ? n - j0 : suffix##_STRIP;              \
            for (int64_t i0 = first_row; i0 < last_row; i0 += TILE_ROWS) {                 \
                int64_t rows = last_row - i0 < TILE_ROWS ? last_row - i0 : TILE_ROWS;       \
                const char *a_row[TILE_ROWS]; /* short tiles repeat their last row */       \
                for (int r = 0; r < TILE_ROWS; r++)                                         \
                    a_row[r] = job->a + (i0 + (r < rows ? r : rows - 1)) *                  \
                                            job->a_shape.row_stride;                        \
                ACC acc[TILE_ROWS][suffix##_STRIP];                                         \
                memset(acc, 0, sizeof acc);                                                 \
                for (int64_t p = 0; p < k; p++) {                                           \
                    const ACC *b_row = strip + p * suffix##_STRIP;                          \
                    for (int r = 0; r < TILE_ROWS; r++) {                                   \
                        ACC x = LOAD_AS(ACC, T, dtype,                                      \
                                        a_row[r] + p * job->a_shape.col_stride);            \
                        for (int w = 0; w < suffix##_STRIP; w++)                            \
                            ACCUMULATE(acc[r][w], x, b_row[w]);                             \
                    }                                                                       \
                }                                                                           \
                for (int64_t r = 0; r < rows; r++)                                          \
                    for (int64_t w = 0; w < width; w++) {                                   \
                        char *out = job->c + (i0 + r) * job->c_shape.row_stride +           \
                                    (j0 + w) * job->c_shape.col_stride;                     \
                        T value = (T)combine_##suffix(job, acc[r][w], out);                 \
                        memcpy(out, &value, sizeof value);                                  \
                    }                                                                       \
            }                                                                               \
        }                                                                                   \
    }

INTEGER_GEMMS(DEFINE_INTEGER_GEMM)

typedef struct integer_kernel {
    pymic2_dtype dtype;
    size_t strip;     /* columns per packed strip */
    size_t acc_size;  /* bytes per accumulator */
    void (*pack_b)(void *packed, const char *b, matrix_shape shape);
    pymic2__range_fn rows;
} integer_kernel;

#define INTEGER_KERNEL_ENTRY(suffix, dtype, T, ACC, member, ACCUMULATE)                     \
    {dtype, suffix##_STRIP, sizeof(ACC), pack_b_##suffix, rows_##suffix},

static const integer_kernel integer_kernels[] = {INTEGER_GEMMS(INTEGER_KERNEL_ENTRY)};

static int gemm_integer(pymic2_device *device, const pymic2_gemm_desc *desc)
{
    const pymic2_operand *a = &desc->a, *b = &desc->b, *c = &desc->c;
    const integer_kernel *kernel = NULL;
    for (size_t i = 0; i < sizeof integer_kernels / sizeof integer_kernels[0]; i++)
        if (integer_kernels[i].dtype == c->dtype)
            kernel = &integer_kernels[i];
    if (kernel == NULL)
        return pymic2__error(PYMIC2_EDTYPE, "%s: matmul: no kernel for dtype %s",
                             device->name, pymic2_dtype_name(c->dtype));
    integer_job job = {.a_shape = matrix_of(a), .c_shape = matrix_of(c),
                       .k = a->shape[a->ndim - 1], .alpha = desc->alpha, .beta = desc->beta};
    job.read_c = memcmp(&desc->beta, &(pymic2_scalar){0}, pymic2_dtype_size(c->dtype)) != 0;
    int64_t m = job.c_shape.rows, n = job.c_shape.cols, k = job.k;
    int64_t strips = (n + (int64_t)kernel->strip - 1) / (int64_t)kernel->strip;
    size_t itemsize = pymic2_dtype_size(c->dtype);
    int status = PYMIC2_OK;
    void *packed_b = allocate_temporary(device, (size_t)(strips * k) * kernel->strip *
                                        kernel->acc_size, "the packed b", &status);
    /* the team reads A while it writes C: an A that overlaps C is read from a copy */
    char *a_copy = NULL;
    if (status == PYMIC2_OK && k > 0 && overlaps_output(a, c))
        a_copy = allocate_temporary(device, (size_t)(m * k) * itemsize, "a copy of a", &status);
    if (status != PYMIC2_OK) {
        free(packed_b);
        return status;
    }
    job.packed_b = packed_b;
    matrix_shape as = job.a_shape;
    if (a_copy != NULL)
        job.a_shape = (matrix_shape){m, k, k * (int64_t)itemsize, (int64_t)itemsize};
    pymic2__team *team = pymic2__host_of(device)->team;
    int64_t tiles = (m + TILE_ROWS - 1) / TILE_ROWS;
    int64_t tile_work = TILE_ROWS * (n > 0 ? n : 1) * (k > 0 ? k : 1);
    int64_t min_tiles = (1 << 16) / tile_work + 1; /* small products stay on one thread */
    int64_t nbatch = pymic2__host_batch_count(c, 2);
    for (int64_t index = 0; index < nbatch; index++) {
        const char *a_data = pymic2__host_matrix_at(a, index, 2);
        if (a_copy != NULL) {
            pymic2__host_copy_matrix(a_copy, job.a_shape.row_stride, job.a_shape.col_stride,
                                     a_data, as.row_stride, as.col_stride, m, k, itemsize);
            a_data = a_copy;
        }
        job.a = a_data;
        job.c = pymic2__host_matrix_at(c, index, 2);
        kernel->pack_b(packed_b, pymic2__host_matrix_at(b, index, 2),
                       matrix_of(b));
        pymic2__team_parallel_for(team, tiles, min_tiles, kernel->rows, &job);
    }
    free(a_copy);
    free(packed_b);
    return PYMIC2_OK;
}

/* ---------------------------------------------------------------- entry */

/* The GEMM family's slot: a validated gemm (a, b broadcast to c's batch shape). */
int pymic2__host_gemm(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    (void)launch;
    pymic2_device *device = stream->device;
    const pymic2_gemm_desc *desc = &command->u.gemm;
    const pymic2_operand *c = &desc->c;
    if (c->shape[c->ndim - 2] == 0 || c->shape[c->ndim - 1] == 0 ||
        pymic2__host_batch_count(c, 2) == 0)
        return PYMIC2_OK;
    /* BLAS for the float and complex rows of the dtype table (call_blas has their calls) */
    const char kind = pymic2_dtype_kind(c->dtype);
    return kind == 'f' || kind == 'c' ? gemm_blas(device, desc) : gemm_integer(device, desc);
}
