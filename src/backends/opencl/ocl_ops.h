/*
 * ocl_ops.h - the compute half of the OpenCL backend: built-in ops, reductions, GEMM, index,
 * random, as OpenCL kernels generated from the op tables.
 *
 * Kernel sources are generated (ocl_source.c) from the same rows of src/ops/op_table.h as the
 * host loops: the row's expression text goes into an OpenCL C kernel whose prelude defines
 * T, W, `invalid` and the pymic2__ helpers the rows call. One program per (op, dtypes) with
 * a kernel per layout and scalar mask (one clang run costs about 100 ms on PoCL whatever
 * the number of kernels; each kernel's work-group function is compiled only when launched),
 * built on first use through pymic2__ocl_program_get (memory and disk cache); the cl_kernel
 * objects are kept per device (ocl_ops.c).
 *
 * complex64 and complex128 are OpenCL's float2 and double2 (real part .x, imaginary .y: the
 * memory layout of C's float _Complex and double _Complex); the rows' complex column calls
 * pymic2__c* helpers, which the prelude of a kernel with complex values defines on the one
 * it computes in. complex128, like float64, needs cl_khr_fp64; complex64 does not.
 */
#ifndef PYMIC2_OCL_OPS_H
#define PYMIC2_OCL_OPS_H

#include "opencl_internal.h"

typedef struct pymic2__ocl_check pymic2__ocl_check;

/*
 * A device-side check of a command: its kernels write `bytes` (at most PYMIC2__OCL_CHECK_BYTES)
 * of findings into `result`; the runtime reads them behind the command without blocking and,
 * once they arrived, its completion thread calls report(stream, command, findings), which
 * returns 0 or the command's failure (message recorded). The runtime releases `result`.
 * report must not enqueue anything on the stream's queue (later commands may wait for the
 * completion thread).
 */
#define PYMIC2__OCL_CHECK_BYTES 64
typedef int (*pymic2__ocl_report_fn)(pymic2_stream *stream, const pymic2__command *command,
                                     const void *findings);
struct pymic2__ocl_check {
    cl_mem result; /* NULL: nothing to check */
    size_t bytes;
    pymic2__ocl_report_fn report;
};
/* The end of a command with a check buffer `findings` (NULL: none): when the command was
 * enqueued (status 0) the buffer goes to *check, else it is released. Returns status. */
int pymic2__ocl_check_attach(pymic2__ocl_check *check, int status, cl_mem findings,
                             size_t bytes, pymic2__ocl_report_fn report);

/*
 * The `launch` of this backend's compute slots (pymic2__ocl_op, pymic2__ocl_gemm, ... in the
 * command table of src/core/internal.h), zeroed by the caller. A slot enqueues its command on
 * the stream's queue and sets done to the event of its last CL command (the caller releases
 * it). It returns 0, or a status with the message recorded; then nothing of it was enqueued
 * that still runs, and done is unset. The runtime calls pymic2__command_finish after done
 * completed.
 *
 * Commands whose failure only the device can detect (an integer power with a negative
 * exponent in an array, a label or an index out of bounds) fill check: the failure is
 * reported when the command completes, at the next sync, as on the host.
 */
typedef struct pymic2__ocl_launch {
    cl_event done;
    pymic2__ocl_check check;
} pymic2__ocl_launch;

/* Frees the kernels cached for the device (device uninit). */
void pymic2__ocl_compute_uninit(pymic2_device *device);

/* ---------------------------------------------------------------- kernel sources (ocl_source.c) */

/* An elementwise op's program: a kernel per layout and scalar mask (bit k: input k is a
 * scalar kernel argument), named by pymic2__ocl_elementwise_kernel_name. */
typedef struct pymic2__ocl_elementwise_key {
    pymic2_op op;
    pymic2_dtype input;  /* the dtype the row is read for (where: x's) */
    pymic2_dtype output;
    bool fp64;           /* enable cl_khr_fp64 */
} pymic2__ocl_elementwise_key;

enum {
    PYMIC2__OCL_CONTIGUOUS,      /* whole work-groups, no bounds check */
    PYMIC2__OCL_CONTIGUOUS_TAIL, /* args + (long first, long n): elements [first, n) */
    /* args + (geometry, int ndim, long first, long n): elements [first, n) of any ndim */
    PYMIC2__OCL_STRIDED,
    /* the same arguments, whole work-groups from element 0, no bounds check, ndim fixed to
     * 1, 2 or 3 in the source (a constant ndim unrolls the loop: 10 % faster) */
    PYMIC2__OCL_STRIDED_1,
    PYMIC2__OCL_STRIDED_2,
    PYMIC2__OCL_STRIDED_3,
    PYMIC2__OCL_NUM_LAYOUTS
};
#define PYMIC2__OCL_STRIDED_FIXED_MAX 3
/* The work-group size of every elementwise launch: a multiple of PoCL's preferred 8 lanes,
 * small enough to balance the last groups over the cores. */
#define PYMIC2__OCL_ELEMENTWISE_GROUP 256
const char *pymic2__ocl_elementwise_kernel_name(int layout, unsigned scalars);

/* A reduction's program: kernels "pymic2_reduce_partial", "pymic2_reduce_final",
 * "pymic2_reduce_columns"; a cumulative one: "pymic2_scan". The numbers of kept and
 * reduced dimensions (after merging) are kernel arguments. */
typedef struct pymic2__ocl_reduce_key {
    pymic2_reduction reduction;
    pymic2_dtype input;
    bool fp64;
    bool segmented;   /* work-items fold contiguous segments, not every GROUP-th element */
} pymic2__ocl_reduce_key;

/*
 * Whether a reduction accumulates in float64 although its input and output are float32 (or
 * complex64, in complex128): the sums (sum, mean, var), whose work-items fold long sequential
 * segments, where float32 accumulators would drift far beyond NumPy's pairwise sums (tens of
 * ulp at a million elements). Needs cl_khr_fp64; the partial results are twice the input's
 * size then. (The columns kernel, sequential like NumPy's own loop for that layout, rounds
 * each step to the input's dtype.)
 */
static inline bool pymic2__ocl_reduce_in_float64(pymic2_reduction reduction, pymic2_dtype input,
                                                 bool fp64)
{
    return fp64 && reduction == PYMIC2_REDUCE_SUM &&
           (input == PYMIC2_FLOAT32 || input == PYMIC2_COMPLEX64);
}

/* The bytes of one accumulator of a reduction (its partial results between passes). */
size_t pymic2__ocl_reduce_acc_size(const pymic2__ocl_reduce_key *key);

/* Work-group size of the reduction kernels (a compile-time constant of their source). */
#define PYMIC2__OCL_REDUCE_GROUP 128

/*
 * Sources, as malloc'ed text in *source (the caller frees). ENOTSUP/EDTYPE with a message if
 * the op does not accept the dtypes, ENOMEM when out of memory. `device` names messages.
 */
int pymic2__ocl_source_elementwise(const char *device, const pymic2__ocl_elementwise_key *key,
                                   char **source);
int pymic2__ocl_source_reduce(const char *device, const pymic2__ocl_reduce_key *key,
                              char **source);
/* GEMM of one dtype: kernel "pymic2_gemm" (ocl_gemm.c). */
int pymic2__ocl_source_gemm(const char *device, pymic2_dtype dtype, bool fp64, char **source);
/* Random numbers: kernel "pymic2_random" for the distribution and output dtype
 * (ocl_ops_random.c). */
int pymic2__ocl_source_random(const char *device, pymic2_random_distribution distribution,
                              pymic2_dtype dtype, bool fp64, char **source);
/* Indexing of one element dtype by nindices index arrays (bit j of wide_indices: array j
 * is int64, else int32): kernels "pymic2_index_check", "pymic2_gather", "pymic2_scatter". */
int pymic2__ocl_source_index(const char *device, pymic2_dtype dtype, int nindices,
                             unsigned wide_indices, bool fp64, char **source);

/* The OpenCL C spelling of a dtype ("double", "uchar" for bool, "double2" for complex128);
 * NULL for a value that is no dtype. */
const char *pymic2__ocl_type_name(pymic2_dtype dtype);
/* *source = a new kernel source text printed from format (printf's), or ENOMEM naming the
 * device; the program cache frees it. */
int pymic2__ocl_source_printf(const char *device, char **source, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* ---------------------------------------------------------------- within the compute half */

/* Which generator a cached kernel came from (part of its cache key). */
enum {
    PYMIC2__OCL_KIND_ELEMENTWISE,
    PYMIC2__OCL_KIND_REDUCE,
    PYMIC2__OCL_KIND_GEMM,
    PYMIC2__OCL_KIND_INDEX,
    PYMIC2__OCL_KIND_RANDOM,
    PYMIC2__OCL_KIND_NN,
    PYMIC2__OCL_KIND_SORT,
    PYMIC2__OCL_KIND_FFT,
    PYMIC2__OCL_KIND_LINALG,
    PYMIC2__OCL_KIND_HISTOGRAM
};

/* Kernel keys are plain structs, memset to 0 before filling (compared as bytes). */
#define PYMIC2__OCL_KEY_BYTES 64

typedef struct pymic2__ocl_kernel pymic2__ocl_kernel;
/* Generates the source of the program a key describes. */
typedef int (*pymic2__ocl_source_fn)(pymic2_device *device, const void *key, char **source);

/* The device's kernel `name` of the program generate(key) describes: built on first use
 * (through the program cache), then kept until the device is uninitialised. */
int pymic2__ocl_kernel_get(pymic2_device *device, int kind, const void *key, size_t key_size,
                           const char *name, pymic2__ocl_source_fn generate,
                           pymic2__ocl_kernel **kernel);

/* Setting a cached kernel's arguments and enqueueing it, under the kernel's lock (begin
 * takes it, launch releases it, whatever happened in between). */
typedef struct pymic2__ocl_args {
    cl_kernel kernel;
    pthread_mutex_t *lock;
    cl_uint count;
    cl_int err;
    int failed_arg;
} pymic2__ocl_args;

void pymic2__ocl_args_begin(pymic2__ocl_args *args, pymic2__ocl_kernel *kernel);
void pymic2__ocl_arg(pymic2__ocl_args *args, size_t size, const void *value);
void pymic2__ocl_arg_long(pymic2__ocl_args *args, int64_t value);
void pymic2__ocl_arg_mem(pymic2__ocl_args *args, cl_mem mem);
/* Enqueues `global` work-items (rounded up to a multiple of local; local 0: the driver
 * chooses) on the stream's queue; *done gets the kernel's event. what names messages. */
int pymic2__ocl_args_launch(pymic2__ocl_args *args, pymic2_stream *stream, const char *what,
                            size_t global, size_t local, cl_event *done);
/* 2-D launch: global and local sizes per dimension (global rounded up to local). */
int pymic2__ocl_args_launch_2d(pymic2__ocl_args *args, pymic2_stream *stream, const char *what,
                               const size_t global[2], const size_t local[2], cl_event *done);

/* A marker as the event of a command with nothing to compute. */
int pymic2__ocl_marker(pymic2_stream *stream, cl_event *done);
/* A buffer outside the pool for a launch's geometry or scratch (contents may be NULL);
 * release it right after the enqueue: OpenCL keeps it alive until the kernel finished. */
int pymic2__ocl_temporary(pymic2_device *device, size_t nbytes, const void *contents,
                          cl_mem *mem);
/* Whether float64 kernels may be built: cl_khr_fp64, unless the environment variable
 * PYMIC2_OPENCL_NO_FP64 is set to a value other than 0 (a test hook: behave as a device
 * without fp64). */
bool pymic2__ocl_fp64(pymic2_device *device);
/* EDTYPE for float64 and complex128 without fp64: "opencl:0 (NAME) has no float64 support
 * (cl_khr_fp64)". what names the operation. */
int pymic2__ocl_check_dtype(pymic2_device *device, const char *what, pymic2_dtype dtype);
/* The number of elements of the operand's shape. */
int64_t pymic2__ocl_element_count(const pymic2_operand *operand);
/* The operand's offset from its chunk's start in elements; ENOTSUP if the offset or a stride
 * is not a whole number of elements. */
int pymic2__ocl_element_offset(pymic2_device *device, const char *what,
                               const pymic2_operand *operand, int64_t *offset);
/* Element offsets of each row's start (the last dimension is the row; rows: the product of
 * the others) into a temporary of cl_long (ocl_sort.c); what names messages. */
int pymic2__ocl_row_starts(pymic2_device *device, const char *what,
                           const pymic2_operand *operand, int64_t rows, cl_mem *mem);
/* Whether an op's row can set `invalid` for the dtype (then the kernel reports it). */
bool pymic2__ocl_op_may_be_invalid(pymic2_op op, pymic2_dtype dtype);

/* OpenCL C of philox_block(seed, block), pymic2__philox_block's bits (ocl_ops_random.c). */
extern const char pymic2__ocl_philox_source[];
/* The NN family's fused kernels (ocl_nn_fused.c), called by its slot in ocl_nn.c. */
int pymic2__ocl_fused(pymic2_stream *stream, const pymic2_fused_desc *desc, cl_event *done);

/* The GEMM kernels (ocl_gemm.c), behind the GEMM slot's handling of overlapping inputs. */
int pymic2__ocl_run_gemm(pymic2_stream *stream, const pymic2_gemm_desc *desc, cl_event *done);

#endif /* PYMIC2_OCL_OPS_H */
