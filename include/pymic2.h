/*
 * pymic2.h - the public C API of pyMIC2, an offload runtime for arrays.
 *
 * Conventions (one prefix, opaque handles, status codes):
 *   - every function returns 0 (PYMIC2_OK) or a negative pymic2_status;
 *     results go out through pointer arguments;
 *   - after a failure, pymic2_last_error() returns a thread-local message that names the
 *     problem, the values involved and the device;
 *   - handles (device, stream, event, buffer, library, kernel) are opaque; a handle must not
 *     be used after its destroy (release, unload): for streams, events and buffers such a use
 *     is caught as EINVAL ("... was destroyed") until a later create reuses the record, which
 *     takes at least 64 more destroys for streams and events;
 *   - a process forked after pyMIC2 started cannot use it (the device threads stayed in the
 *     parent): in the child, every call that creates a stream, event or library, enqueues
 *     or waits fails with ESYSTEM, and destroying what the parent made succeeds doing
 *     nothing (so a child may drop those objects and exit);
 *   - commands on a stream (copies, ops, kernel invocations, event records and waits) run
 *     asynchronously and in order; an error inside an already-enqueued command is reported
 *     by the next pymic2_stream_sync() of that stream.
 *
 * C programs can use pyMIC2 through this header alone; the Python module is a client of it.
 */
#ifndef PYMIC2_H
#define PYMIC2_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PYMIC2_VERSION_MAJOR 0
#define PYMIC2_VERSION_MINOR 1
#define PYMIC2_VERSION_PATCH 0

#define PYMIC2_MAX_DIMS 32         /* like NumPy 1.x's NPY_MAXDIMS */
#define PYMIC2_MAX_KERNEL_ARGS 16  /* pyMIC's limit for stream.invoke */
#define PYMIC2_MAX_OPERANDS 4      /* inputs plus output of one built-in op */

/* ---------------------------------------------------------------- status codes */

/* One table generates the enum, the names and the messages (XX(NAME, code, message)). */
#define PYMIC2_STATUS_MAP(XX)                                                        \
    XX(OK, 0, "success")                                                             \
    XX(EINVAL, -1, "invalid argument")                                               \
    XX(ENOMEM, -2, "out of device memory")                                           \
    XX(ENODEV, -3, "no such device")                                                 \
    XX(ENOTSUP, -4, "not supported by this device")                                  \
    XX(ENOLIB, -5, "library cannot be loaded")                                       \
    XX(ENOKERNEL, -6, "kernel not found")                                            \
    XX(ERANGE, -7, "access outside a buffer")                                        \
    XX(EDEVICE, -8, "handles belong to different devices")                           \
    XX(EDTYPE, -9, "unsupported data type")                                          \
    XX(ESHAPE, -10, "shapes do not match")                                           \
    XX(EASYNC, -11, "an earlier asynchronous command failed")                        \
    XX(ENOTREADY, -12, "not complete yet")                                           \
    XX(EBACKEND, -13, "backend failure")                                             \
    XX(ESYSTEM, -14, "operating system failure")                                     \
    XX(EINDEX, -15, "index out of bounds")                                           \
    XX(EBUILD, -16, "kernel source does not compile")                                \
    XX(EINTR, -17, "interrupted while waiting")                                      \
    XX(ELINALG, -18, "linear algebra error")

typedef enum pymic2_status {
#define PYMIC2__STATUS_ENUM(name, code, message) PYMIC2_##name = code,
    PYMIC2_STATUS_MAP(PYMIC2__STATUS_ENUM)
#undef PYMIC2__STATUS_ENUM
} pymic2_status;

/* "PYMIC2_ENOMEM" for PYMIC2_ENOMEM; "PYMIC2_UNKNOWN" for codes not in the table. */
const char *pymic2_status_name(int status);
/* The table's fixed message for a code. */
const char *pymic2_status_message(int status);
/* The detailed message of this thread's last failure ("" if none). */
const char *pymic2_last_error(void);

/* ---------------------------------------------------------------- data types */

/* The dtype table, the enum pymic2_dtype, the scalar union and type promotion. */
#include "pymic2_dtypes.h"

/* ---------------------------------------------------------------- runtime and devices */

typedef struct pymic2_device pymic2_device;
typedef struct pymic2_stream pymic2_stream;
typedef struct pymic2_event pymic2_event;
typedef struct pymic2_buffer pymic2_buffer;
typedef struct pymic2_library pymic2_library;
typedef struct pymic2_kernel pymic2_kernel;

/* Discovers the backends' devices. Idempotent and thread-safe; every other call makes it. */
int pymic2_init(void);

/* Number of devices over all backends (at least 1: the host backend is always there). */
int pymic2_device_count(int *count);
/* Device by global index 0..count-1. Devices live until the process ends. */
int pymic2_device_get(int index, pymic2_device **device);
/* Device by selector: "host", "host:1", "opencl:0", or a global index "2". */
int pymic2_device_find(const char *selector, pymic2_device **device);
/* The default device: PYMIC2_DEVICE if set (a selector), else "host:0". */
int pymic2_device_default(pymic2_device **device);

typedef struct pymic2_device_info {
    const char *name;        /* the selector that finds it: "host:0" */
    const char *backend;     /* "host", "opencl" */
    const char *description; /* human readable: CPU model, OpenCL device name */
    int index;               /* global index */
    int backend_index;       /* index within its backend */
    int num_threads;         /* compute threads (host) or compute units (opencl) */
    size_t memory_bytes;     /* device memory size, 0 if unknown */
    int supports_fp64;       /* 1 if float64/complex128 ops can run */
} pymic2_device_info;

int pymic2_device_get_info(const pymic2_device *device, pymic2_device_info *info);

/* ---------------------------------------------------------------- memory */

/*
 * Device memory comes from a caching pool per device: sizes are rounded up to 512 bytes,
 * freed blocks are kept for reuse (best fit, split and merged again), and an allocation that
 * fails (or passes the limit) frees the cached blocks and retries before returning ENOMEM.
 *
 * A buffer is reference counted: commands enqueued on a stream hold a reference until they
 * complete, so pymic2_buffer_release() right after an asynchronous command is safe.
 * alignment must be a power of two no larger than 4096 (0 means 64).
 */
int pymic2_buffer_alloc(pymic2_device *device, size_t nbytes, size_t alignment,
                        pymic2_buffer **buffer);
int pymic2_buffer_retain(pymic2_buffer *buffer);
int pymic2_buffer_release(pymic2_buffer *buffer);
size_t pymic2_buffer_size(const pymic2_buffer *buffer);
pymic2_device *pymic2_buffer_device(const pymic2_buffer *buffer);
/* The address a kernel on the device sees (a real pointer on the host backend). */
int pymic2_buffer_device_address(const pymic2_buffer *buffer, uintptr_t *address);
/* Blocks until the commands enqueued so far that use the buffer, on any stream, have
 * finished, before its memory is read or written outside commands (DLPack consumers, raw
 * addresses). Their errors stay with their streams, for the next pymic2_stream_sync(). */
int pymic2_buffer_sync(pymic2_buffer *buffer);
/* pymic2_buffer_sync that waits at most timeout_ms (negative: no limit): ENOTREADY if a user
 * has not finished by then. Like pymic2_stream_wait, it never runs a user kernel on the
 * calling thread. */
int pymic2_buffer_wait(pymic2_buffer *buffer, double timeout_ms);

typedef struct pymic2_pool_stats {
    size_t used_bytes;     /* in live buffers (rounded sizes) */
    size_t cached_bytes;   /* held by the pool in free blocks */
    size_t peak_bytes;     /* highest used_bytes so far */
    size_t limit_bytes;    /* 0: no limit */
    size_t n_free_blocks;  /* free blocks in the cache */
    size_t n_allocations;  /* raw allocations the pool made from the device */
} pymic2_pool_stats;

int pymic2_pool_get_stats(pymic2_device *device, pymic2_pool_stats *stats);
/* Return every cached (free) block to the device. */
int pymic2_pool_free_all_blocks(pymic2_device *device);
/* Cap used + cached bytes; 0 removes the cap. */
int pymic2_pool_set_limit(pymic2_device *device, size_t limit_bytes);

/* ---------------------------------------------------------------- streams and events */

/*
 * Every device has a default stream; more can be created. Streams are in-order queues.
 * Across streams, buffers order the commands: a command that uses a buffer (any operand,
 * copy side or kernel argument) runs after the unfinished commands of other streams that
 * used it before, as if both were one stream (an event record on the other stream and a
 * wait on this one, made only when the other stream has not reached that command yet).
 * Reads and writes are not told apart, so streams sharing an array wait for each other.
 */
int pymic2_stream_default(pymic2_device *device, pymic2_stream **stream);
int pymic2_stream_create(pymic2_device *device, pymic2_stream **stream);
/* Waits for the stream's commands, then destroys it (not the default stream: EINVAL).
 * Returns EASYNC if a command failed since the last sync; the stream is gone even then.
 * Waits without limit: a caller that must not hang on a command that never ends waits with
 * pymic2_stream_wait first. The handle is dead afterwards (EINVAL if passed again). */
int pymic2_stream_destroy(pymic2_stream *stream);
pymic2_device *pymic2_stream_device(const pymic2_stream *stream);
/* Blocks until every enqueued command finished; returns the first asynchronous error
 * (as EASYNC; pymic2_last_async_status() gives the failed command's own status). */
int pymic2_stream_sync(pymic2_stream *stream);
/* pymic2_stream_sync that waits at most timeout_ms (a negative timeout: no limit, exactly
 * sync): ENOTREADY if commands are still pending then (an error found so far stays for the
 * next sync or wait). A bounded wait never runs a user kernel or an event wait on the calling
 * thread (sync may, to save a hand-over), so it returns in about timeout_ms even behind a
 * kernel that never ends: callers that must react to signals wait in slices. */
int pymic2_stream_wait(pymic2_stream *stream, double timeout_ms);
/*
 * A stream holds a few pending commands at most (each holds its buffers); a call that
 * enqueues onto a full stream waits for room. While it waits, the function set here is
 * called about every 50 ms; when it returns non-zero the call gives up with EINTR, enqueuing
 * nothing. The Python module sets one that runs Python's signal handlers, so Ctrl-C ends such
 * a wait behind a kernel that never finishes. NULL (the default): wait without limit.
 */
typedef int (*pymic2_interrupt_check)(void *argument);
void pymic2_set_interrupt_check(pymic2_interrupt_check check, void *argument);
/* The status of the failed command behind this thread's last EASYNC from a sync (EINDEX
 * for an out-of-bounds index, ...), so callers tell failures apart without reading
 * messages; PYMIC2_OK if that sync found no failure. */
int pymic2_last_async_status(void);
/* OK if idle, ENOTREADY if commands are pending. */
int pymic2_stream_query(pymic2_stream *stream);
/* Milliseconds the device spent running this stream's commands so far: copies between host
 * and device (*transfer_ms) and the rest - ops, kernels, copies inside the device
 * (*compute_ms); event records and waits count in neither. Either pointer may be NULL.
 * A run's compute/transfer/host shares come from the difference of two readings. */
int pymic2_stream_busy_time(pymic2_stream *stream, double *compute_ms, double *transfer_ms);
/*
 * Commands are numbered from 1 in enqueue order. *enqueued is the number of the last command
 * enqueued, *completed the number of the last one finished (so a caller can drop what it kept
 * alive for commands up to *completed). Either pointer may be NULL.
 */
int pymic2_stream_progress(pymic2_stream *stream, uint64_t *enqueued, uint64_t *completed);

int pymic2_event_create(pymic2_device *device, pymic2_event **event);
/* Never waits: records and waits still enqueued keep the event's memory until they ran.
 * The handle is dead afterwards (EINVAL if passed again). */
int pymic2_event_destroy(pymic2_event *event);
/* Marks the point in the stream after all commands enqueued so far. */
int pymic2_event_record(pymic2_event *event, pymic2_stream *stream);
/* Commands enqueued on stream after this call wait until the event has completed. */
int pymic2_stream_wait_event(pymic2_stream *stream, pymic2_event *event);
int pymic2_event_sync(pymic2_event *event);
/* pymic2_event_sync that waits at most timeout_ms (negative: no limit): ENOTREADY if the
 * record has not run by then. */
int pymic2_event_wait(pymic2_event *event, double timeout_ms);
/* OK if completed (or never recorded), ENOTREADY otherwise. */
int pymic2_event_query(pymic2_event *event);
/* Milliseconds between two completed events. */
int pymic2_event_elapsed_ms(pymic2_event *start, pymic2_event *end, double *milliseconds);

/* ---------------------------------------------------------------- transfers */

/*
 * Asynchronous copies on a stream. A copy to the device has read its host memory when the
 * call returns (the memory may be reused at once, as with CUDA's pageable copies: an idle
 * stream runs it at once, a busy one reads a snapshot); a copy to the host writes its host
 * memory when the command completes (see pymic2_stream_progress). Device ranges are checked against the buffer:
 * offset + nbytes past the end is ERANGE. Buffers must belong to the stream's device.
 */
int pymic2_memcpy_h2d(pymic2_stream *stream, pymic2_buffer *dst, size_t dst_offset,
                      const void *src, size_t nbytes);
int pymic2_memcpy_d2h(pymic2_stream *stream, void *dst, pymic2_buffer *src, size_t src_offset,
                      size_t nbytes);
int pymic2_memcpy_d2d(pymic2_stream *stream, pymic2_buffer *dst, size_t dst_offset,
                      pymic2_buffer *src, size_t src_offset, size_t nbytes);

/* ---------------------------------------------------------------- user kernel libraries */

/*
 * Host devices load shared objects (dlopen); OpenCL devices build OpenCL C sources.
 * Libraries belong to the device that loaded them and live until unloaded.
 *
 * A host kernel runs inside this process, on a stream's thread (or on the thread in
 * pymic2_stream_sync): a kernel that crashes ends the process. While a kernel runs, a
 * handler for SIGSEGV, SIGBUS, SIGFPE and SIGILL (installed at the first host library load)
 * writes "pyMIC2: kernel 'NAME' of library 'PATH' on host:N crashed with SIGSEGV" to stderr,
 * then restores the handler it replaced and lets the signal take that course (the default
 * action, or Python's faulthandler).
 */
int pymic2_library_load(pymic2_device *device, const char *path, pymic2_library **library);
int pymic2_library_unload(pymic2_library *library);
pymic2_device *pymic2_library_device(const pymic2_library *library);
/* The kernel handle stays valid while its library is loaded. */
int pymic2_kernel_find(pymic2_library *library, const char *name, pymic2_kernel **kernel);
const char *pymic2_kernel_name(const pymic2_kernel *kernel);
/* The kernel's function address on the device (pyMIC's kernel pointer); ENOTSUP on devices
 * whose code has no address (OpenCL). */
int pymic2_kernel_address(const pymic2_kernel *kernel, uintptr_t *address);

typedef enum pymic2_arg_kind {
    PYMIC2_ARG_NULL = 0,  /* passes NULL */
    PYMIC2_ARG_BUFFER,    /* passes the buffer's device address plus offset */
    PYMIC2_ARG_INT64,     /* passes a pointer to a device-side copy of value.i64 */
    PYMIC2_ARG_FLOAT64,   /* ... of value.f64 */
    PYMIC2_ARG_COMPLEX128 /* ... of value.c128 */
} pymic2_arg_kind;

typedef struct pymic2_kernel_arg {
    pymic2_arg_kind kind;
    pymic2_buffer *buffer; /* PYMIC2_ARG_BUFFER */
    size_t offset;         /* PYMIC2_ARG_BUFFER: bytes into the buffer */
    pymic2_scalar value;   /* the scalar kinds */
} pymic2_kernel_arg;

/* Launch geometry for backends that need one (OpenCL); NULL for host kernels. */
typedef struct pymic2_launch_config {
    int work_dim;          /* 1..3 */
    size_t global_size[3];
    size_t local_size[3];  /* all 0: the backend chooses */
} pymic2_launch_config;

/*
 * Enqueues kernel(args...) on the stream. Host kernels follow pyMIC's convention: every
 * parameter is a pointer (see pymic_kernel.h). OpenCL kernels take the same arguments as
 * OpenCL C parameters: BUFFER a __global pointer to buffer + offset (a sub-buffer; the
 * offset into the device allocation must be a multiple of CL_DEVICE_MEM_BASE_ADDR_ALIGN, else
 * EINVAL), INT64 a long, FLOAT64 a double, COMPLEX128 a double2, NULL a NULL __global
 * pointer; they need a config (global_size), and a wrong count or size of arguments is
 * EINVAL at enqueue. At most PYMIC2_MAX_KERNEL_ARGS arguments.
 */
int pymic2_kernel_invoke(pymic2_stream *stream, pymic2_kernel *kernel, int nargs,
                         const pymic2_kernel_arg *args, const pymic2_launch_config *config);

/*
 * Kernel compilation in this process, over every device: OpenCL programs built from source,
 * loaded from the disk cache, or served from memory, and the wall time spent in the driver's
 * build calls (from source and from binaries). All zero where nothing is compiled (host).
 */
typedef struct pymic2_build_stats {
    uint64_t builds;      /* programs compiled from source */
    uint64_t disk_loads;  /* programs loaded from the disk cache */
    uint64_t memory_hits; /* requests served by the in-memory cache */
    double build_ms;
} pymic2_build_stats;

int pymic2_build_stats_get(pymic2_build_stats *stats);

/* ---------------------------------------------------------------- built-in ops */

#include "pymic2_ops.h"

/*
 * A strided view of device memory, or a scalar. Strides are in bytes and may be 0
 * (broadcasting) or negative (reversed views); every element addressed must lie inside the
 * buffer (checked: ERANGE). A scalar operand has buffer == NULL and takes `value`, read as
 * `dtype`; it broadcasts to any shape.
 */
typedef struct pymic2_operand {
    pymic2_buffer *buffer;
    int64_t offset; /* bytes from the buffer's start to element [0, 0, ...] */
    pymic2_dtype dtype;
    int ndim;
    int64_t shape[PYMIC2_MAX_DIMS];
    int64_t strides[PYMIC2_MAX_DIMS];
    pymic2_scalar value;
} pymic2_operand;

/*
 * One built-in op: inputs, then the output, as the op's row in pymic2_ops.h says. Inputs
 * broadcast against the output's shape by NumPy's rules (ESHAPE names both shapes if they
 * cannot). Grows by new fields at the end; zero-initialise it.
 */
typedef struct pymic2_op_desc {
    pymic2_op op;
    int noperands;
    pymic2_operand operands[PYMIC2_MAX_OPERANDS];
    /* A reduction (see pymic2_ops.h) instead of an elementwise op when not NONE. */
    pymic2_reduction reduction;
    uint32_t axes; /* the reduction's input dimensions: bit d for dimension d */
} pymic2_op_desc;

int pymic2_op_launch(pymic2_stream *stream, const pymic2_op_desc *desc);

/* Fills an operand struct for a C-contiguous array (a convenience for C callers). */
int pymic2_operand_contiguous(pymic2_operand *operand, pymic2_buffer *buffer, int64_t offset,
                              pymic2_dtype dtype, int ndim, const int64_t *shape);
/* A scalar operand. */
void pymic2_operand_scalar(pymic2_operand *operand, pymic2_dtype dtype, pymic2_scalar value);
/* The bytes [*first, *end) a strided view of itemsize-byte elements addresses, relative to
 * its buffer's start: offset moved by (shape[d] - 1) * strides[d] for every dimension, plus
 * one element. An empty view (a 0 in shape) addresses nothing: first = end = offset. ERANGE
 * when the byte offsets overflow an int64. */
int pymic2_view_extent(int64_t offset, int ndim, const int64_t *shape, const int64_t *strides,
                       size_t itemsize, int64_t *first, int64_t *end);
/* NumPy's broadcasting, one shape at a time: merges shape (ndim sizes) into the broadcast
 * shape so far (*result_ndim sizes in result_shape, room for PYMIC2_MAX_DIMS; start with
 * *result_ndim = 0), the two right-aligned. Returns 1, or 0 when a size differs from the
 * result's and neither is 1 (result_shape is then partly merged); the caller names the
 * operands in its message. */
int pymic2_broadcast_shape(int *result_ndim, int64_t *result_shape, int ndim,
                           const int64_t *shape);

/* ---------------------------------------------------------------- matrix products (GEMM) */

/*
 * C = alpha * (A @ B) + beta * C: NumPy's matmul written into an existing output, as BLAS's
 * GEMM. matmul, dot, tensordot (2-D) and outer map onto it (outer: k = 1).
 *
 *   a: (..., m, k)   b: (..., k, n)   c: (..., m, n)       every operand has ndim >= 2
 *
 * The leading (batch) dimensions of a and b broadcast against each other by NumPy's rules and
 * must give c's batch shape exactly; a batch dimension of size 1 (or stride 0) repeats its
 * matrix. The three operands have one dtype (EDTYPE otherwise); alpha and beta are read as
 * that dtype's member of pymic2_scalar. beta == 0 means c is only written (NaN in it does not
 * propagate), as in BLAS. A zero-initialised alpha gives c = beta * c.
 *
 * float32, float64, complex64 and complex128 run on the host through OpenBLAS; float16
 * through float32 (operands converted, SGEMM, the result rounded once, as NumPy accumulates
 * float16 products in float32); bool and the integer dtypes through pyMIC2's own kernel
 * (integers wrap around like NumPy's; bool is OR of ANDs).
 *
 * Layout: a matrix that is row-contiguous or column-contiguous (a transposed view) with any
 * leading dimension goes to the BLAS in place, with the matching transpose flag. Any other
 * input (stride 0, reversed or strided in both dimensions, misaligned) and an input that
 * overlaps c is copied once per matrix into a contiguous temporary; a c of such a layout is
 * computed in a temporary and copied back. c may not have elements that share memory
 * (EINVAL). Batches are looped over. Asynchronous, like every op.
 */
typedef struct pymic2_gemm_desc {
    pymic2_operand a, b, c; /* views of device buffers (no scalars), on the stream's device */
    pymic2_scalar alpha, beta;
} pymic2_gemm_desc;

int pymic2_gemm(pymic2_stream *stream, const pymic2_gemm_desc *desc);

/* ---------------------------------------------------------------- indexing (gather, scatter) */

/*
 * NumPy's integer-array indexing of `nindices` consecutive dimensions of an array, starting at
 * dimension `axis`. With O = array.shape[:axis], I = array.shape[axis:axis+nindices],
 * N = array.shape[axis+nindices:] and S the (common) shape of the index arrays, the result
 * has shape O + S + N, and for every o, s, n:
 *
 *   GATHER       values[o, s, n]  = array[o, i_0[s], ..., i_k-1[s], n]
 *   SCATTER      array[o, i(s), n] = values[o, s, n]   repeated positions: the last s in C
 *                                                      order wins (NumPy's a[idx] = v)
 *   SCATTER_ADD  array[o, i(s), n] += values[o, s, n]  every occurrence adds, in C order of s
 *                                                      (NumPy's np.add.at); bool adds as OR
 *
 * Index arrays are int32 or int64 device arrays of one shape S (strides free, 0 included);
 * a negative index counts from the end of its dimension. Every index is checked before any
 * element moves: an index outside -size..size-1 makes the command fail with EINDEX and NumPy's
 * words ("index 10 is out of bounds for axis 0 with size 5", the first such index in C order
 * of S), reported by the next pymic2_stream_sync(); nothing is read or written out of bounds
 * and a failing scatter writes nothing. Results do not depend on the device's thread count.
 *
 * values has array's dtype. GATHER: values is the output, an array of exactly the result
 * shape whose elements do not share memory. Scatters: values broadcasts to the result shape
 * by NumPy's rules (a scalar operand too); it must not overlap array's memory (copy it first).
 * array must not have elements that share memory for the scatters. At most
 * PYMIC2_MAX_INDEX_ARRAYS index arrays; the result has at most PYMIC2_MAX_DIMS dimensions.
 * Zero-initialise the struct. Asynchronous, like every op.
 */
#define PYMIC2_MAX_INDEX_ARRAYS 4

typedef enum pymic2_index_mode {
    PYMIC2_INDEX_GATHER = 0,
    PYMIC2_INDEX_SCATTER,
    PYMIC2_INDEX_SCATTER_ADD
} pymic2_index_mode;

typedef struct pymic2_index_desc {
    pymic2_index_mode mode;
    pymic2_operand array; /* the indexed array: read by GATHER, updated by the scatters */
    int axis;             /* first indexed dimension */
    int nindices;         /* 1..PYMIC2_MAX_INDEX_ARRAYS: dimensions axis .. axis+nindices-1 */
    pymic2_operand indices[PYMIC2_MAX_INDEX_ARRAYS];
    pymic2_operand values; /* GATHER: the output; scatters: the input */
} pymic2_index_desc;

int pymic2_index_launch(pymic2_stream *stream, const pymic2_index_desc *desc);

/* ---------------------------------------------------------------- random numbers */

/*
 * Counter-based random numbers (Philox-4x32-10, Salmon et al., SC'11): block number c under
 * key `seed` gives four 32-bit words, philox(counter = {c low, c high, 0, 0},
 * key = {seed low, seed high}). Element i of the output, in C order of its shape, takes its
 * bits from block desc->counter + i / K, so results depend only on (seed, counter, shape,
 * distribution, dtype) and never on the thread count. K, the elements per block:
 *
 *   UNIFORM   float32 [a, b): 4 (24 bits each);  float64 [a, b): 2 (53 bits each)
 *   NORMAL    float32, float64, mean a, standard deviation b >= 0: 2 (Box-Muller on two
 *             53-bit uniforms, the pair's cosine and sine halves)
 *   INTEGERS  [low, high), low < high, inside the dtype (int8, uint8, int32, int64): 2 (64
 *             bits each, scaled by a multiply-high: bias below (high - low) / 2^64)
 *
 * *next_counter (may be NULL) receives the first block the call did not use, the counter of
 * a following call that continues the sequence. out's elements must not share memory.
 * Zero-initialise the struct. Asynchronous, like every op.
 */
typedef enum pymic2_random_distribution {
    PYMIC2_RANDOM_UNIFORM = 0,
    PYMIC2_RANDOM_NORMAL,
    PYMIC2_RANDOM_INTEGERS
} pymic2_random_distribution;

typedef struct pymic2_random_desc {
    pymic2_operand out;
    pymic2_random_distribution distribution;
    uint64_t seed;
    uint64_t counter;
    double a, b;       /* UNIFORM: low, high; NORMAL: mean, standard deviation */
    int64_t low, high; /* INTEGERS */
} pymic2_random_desc;

int pymic2_random(pymic2_stream *stream, const pymic2_random_desc *desc,
                  uint64_t *next_counter);

/* One Philox-4x32-10 block, on the calling thread (for checks and host-side use). */
void pymic2_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);

/* ---------------------------------------------------------------- neural-network kernels */

/*
 * Softmax cross entropy of a batch of logits, row by row, as Chainer's
 * softmax_cross_entropy(x, t, normalize, ignore_label, reduce='mean') computes it:
 *
 *   x: (N, C) float32 or float64       labels: (N,) int32 or int64, each 0..C-1 or ignore_label
 *   log_softmax(x)[n, c] = x[n, c] - m[n] - log(sum_c exp(x[n, c] - m[n])),  m[n] = max_c x[n, c]
 *   coefficient = 1 / max(count, 1): count is the number of labelled rows (normalize) or N
 *
 *   FORWARD   loss (0-d, x's dtype) = -coefficient * sum over labelled rows n of
 *             log_softmax(x)[n, labels[n]]
 *   BACKWARD  grad (N, C, x's dtype) = (softmax(x) - onehot(labels)) * labelled(n) * gloss *
 *             coefficient, with gloss in `loss` (a 0-d array or a scalar of x's dtype)
 *
 * NaN and infinities propagate as in Chainer's NumPy code (a row holding NaN or +inf gives
 * NaN). Every label is checked before anything is written: one outside 0..C-1 that is not
 * ignore_label fails the command with EINDEX (reported by the next sync). Rows are split over
 * the device's threads. Zero-initialise the struct. Asynchronous, like every op.
 */
typedef enum pymic2_softmax_cross_entropy_pass {
    PYMIC2_SOFTMAX_CROSS_ENTROPY_FORWARD = 0,
    PYMIC2_SOFTMAX_CROSS_ENTROPY_BACKWARD
} pymic2_softmax_cross_entropy_pass;

typedef struct pymic2_softmax_cross_entropy_desc {
    pymic2_softmax_cross_entropy_pass pass;
    pymic2_operand x;      /* the logits, (N, C) */
    pymic2_operand labels; /* (N,) */
    int64_t ignore_label;  /* Chainer's default is -1 */
    int normalize;         /* nonzero: divide by the labelled rows, else by N */
    pymic2_operand loss;   /* FORWARD: the output; BACKWARD: gloss, the loss's gradient */
    pymic2_operand grad;   /* BACKWARD: the output, (N, C); not shared with x or labels */
} pymic2_softmax_cross_entropy_desc;

int pymic2_softmax_cross_entropy(pymic2_stream *stream,
                                 const pymic2_softmax_cross_entropy_desc *desc);

/*
 * Sliding windows over a batch of 2-d images (Chainer's im2col, col2im and 2-d pooling):
 *
 *   image: (N, C, H, W) float32 or float64. Tap (i, j), 0 <= i < kh, 0 <= j < kw, of output
 *   position (oy, ox) reads image row oy*sy - ph + i*dy, column ox*sx - pw + j*dx; a row or
 *   column outside the image reads the padding: 0, or -inf for MAX_POOL.
 *
 *   IM2COL         cols (C, kh, kw, N, OH, OW) = tap (i, j) of image (n, c) at (oy, ox)
 *   COL2IM         image = for each pixel, the sum of the cols entries that read it (the
 *                  adjoint of IM2COL)
 *   MAX_POOL       cols (N, C, OH, OW) = the maximum of the window's taps (NaN if one is NaN),
 *                  indexes (int64, cols' shape) = i*kw + j of its first maximal tap (the
 *                  first NaN), as numpy.argmax over the taps in that order
 *   MAX_UNPOOL     image = for each pixel, the sum of cols (the output's gradient) over the
 *                  windows whose indexes name the pixel's tap (max pooling's gradient)
 *   AVERAGE_POOL   cols (N, C, OH, OW) = the sum of the window's taps / (kh*kw), padding
 *                  included (Chainer's average_pooling_2d)
 *   AVERAGE_UNPOOL image = for each pixel, the sum of cols over the windows that hold it,
 *                  / (kh*kw) (its gradient)
 *
 * OH and OW are cols' last two dimensions. The output (cols and indexes, or image) is
 * written whole, each element by one thread (no atomics: the sums are deterministic) and
 * must not overlap the inputs. Zero-initialise the struct. Asynchronous, like every op.
 */
typedef enum pymic2_windows_op {
    PYMIC2_WINDOWS_IM2COL = 0,
    PYMIC2_WINDOWS_COL2IM,
    PYMIC2_WINDOWS_MAX_POOL,
    PYMIC2_WINDOWS_MAX_UNPOOL,
    PYMIC2_WINDOWS_AVERAGE_POOL,
    PYMIC2_WINDOWS_AVERAGE_UNPOOL
} pymic2_windows_op;

typedef struct pymic2_windows_desc {
    pymic2_windows_op op;
    pymic2_operand image;   /* (N, C, H, W) */
    pymic2_operand cols;    /* IM2COL, COL2IM: (C, kh, kw, N, OH, OW); pooling: (N, C, OH, OW) */
    pymic2_operand indexes; /* MAX_POOL, MAX_UNPOOL: int64, (N, C, OH, OW) */
    int64_t kh, kw;         /* taps; at least 1 */
    int64_t sy, sx;         /* strides; at least 1 */
    int64_t ph, pw;         /* padding before the first row and column; at least 0 */
    int64_t dy, dx;         /* dilation; at least 1 */
} pymic2_windows_desc;

int pymic2_windows(pymic2_stream *stream, const pymic2_windows_desc *desc);

/*
 * Fused layer and optimizer kernels: each op is one command over contiguous float32 or
 * float64 arrays (every operand of one dtype), the operands in the order of the op's row:
 *
 *   XX(NAME, name, kinds, written, optional, params)
 *
 * `kinds` gives each operand's element count from sizes[]: n = sizes[0]; X = N*C*S and
 * C = C with (N, C, S) = sizes[0..2] (batch, channels, positions per channel, as x of
 * shape (N, C, ...) flattened); c = B'*H, x = B*4*H and h = B*H with (B', B, H, R) =
 * sizes[0..3] (LSTM: cell rows, batch rows, units, and the trailing size R of Chainer's
 * gate layout, 1 for 2-d inputs). `written` and `optional` are bit masks over the operands
 * (bit k: operand k); an optional operand may have buffer NULL. params[] are the op's
 * hyperparameters, as named below. The arithmetic is Chainer 7's CPU code's, in the dtype
 * (batch-norm sums in double).
 *
 *   SGD            param -= lr * grad                                  params: lr
 *   MOMENTUM_SGD   v = momentum * v - lr * grad; param += v            lr, momentum
 *   NESTEROV_AG    v = momentum * v - lr * grad;
 *                  param += momentum^2 * v - (1 + momentum) * lr * grad  lr, momentum
 *   ADAM           m += (1 - beta1) (grad - m); v += (1 - beta2) (grad^2 - v);
 *                  vhat = max(vhat, v) (AMSGrad: vhat given) or v;
 *                  param = (1 - eta wd) param - eta alpha_t m / (sqrt(vhat) + eps)
 *                                                  beta1, beta2, eps, eta, wd, alpha_t
 *   BATCH_NORM_FORWARD  per channel c: mean, var (biased), inv_std = 1 / sqrt(var + eps),
 *                  y = (x - mean) inv_std gamma + beta; with the running statistics
 *                  rm = decay rm + (1 - decay) mean, rv = decay rv + (1 - decay) adjust var
 *                                                  eps, decay, adjust
 *   BATCH_NORM_BACKWARD  gbeta = sum gy, ggamma = sum gy x_hat,
 *                  gx = gamma inv_std (gy - (x_hat ggamma + gbeta) / (N S))
 *   LSTM_FORWARD   Chainer's lstm(c_prev, x): gates a, i, f, o interleaved in x;
 *                  c_next = tanh(a) sig(i) + sig(f) c_prev, h = sig(o) tanh(c_next) for the
 *                  B batch rows; rows B..B'-1 of c_next copy c_prev
 *   LSTM_BACKWARD  its gradient: gc_prev and gx from gc and gh (either may be absent: 0)
 *   DROPOUT        u = the float32 uniform pymic2_random(UNIFORM, seed, counter) gives for
 *                  element i; mask = (u >= ratio) / (1 - ratio), y = x * mask     ratio
 */
#define PYMIC2_FUSED_TABLE(XX)                                                              \
    XX(SGD, sgd, "nn", 0x1, 0x0, 1)                  /* param, grad */                     \
    XX(MOMENTUM_SGD, momentum_sgd, "nnn", 0x5, 0x0, 2) /* param, grad, v */                \
    XX(NESTEROV_AG, nesterov_ag, "nnn", 0x5, 0x0, 2)   /* param, grad, v */                \
    XX(ADAM, adam, "nnnnn", 0x1d, 0x10, 6)           /* param, grad, m, v, vhat */         \
    /* x, gamma, beta, y, mean, var, inv_std, running_mean, running_var */                  \
    XX(BATCH_NORM_FORWARD, batch_norm_forward, "XCCXCCCCC", 0x1f8, 0x180, 3)               \
    /* x, gy, gamma, mean, inv_std, gx, ggamma, gbeta */                                    \
    XX(BATCH_NORM_BACKWARD, batch_norm_backward, "XXCCCXCC", 0xe0, 0x0, 0)                 \
    XX(LSTM_FORWARD, lstm_forward, "cxch", 0xc, 0x0, 0) /* c_prev, x, c_next, h */         \
    /* c_prev, x, c_next, gc, gh, gc_prev, gx */                                            \
    XX(LSTM_BACKWARD, lstm_backward, "cxcchcx", 0x60, 0x18, 0)                             \
    XX(DROPOUT, dropout, "nnn", 0x6, 0x0, 1)         /* x, mask, y */

#define PYMIC2_FUSED_MAX_OPERANDS 9
#define PYMIC2_FUSED_MAX_PARAMS 6

typedef enum pymic2_fused_op {
#define PYMIC2__FUSED_ENUM(NAME, name, kinds, written, optional, params) PYMIC2_FUSED_##NAME,
    PYMIC2_FUSED_TABLE(PYMIC2__FUSED_ENUM)
#undef PYMIC2__FUSED_ENUM
    PYMIC2_FUSED_COUNT
} pymic2_fused_op;

/* What a caller gives pymic2_fused (zero-initialise it). */
typedef struct pymic2_fused_args {
    pymic2_fused_op op;
    pymic2_operand operands[PYMIC2_FUSED_MAX_OPERANDS];
    int64_t sizes[4];
    double params[PYMIC2_FUSED_MAX_PARAMS];
    uint64_t seed, counter; /* DROPOUT: the generator's state (see pymic2_random) */
} pymic2_fused_args;

/* The validated command: contiguous arrays as buffer and byte offset. */
typedef struct pymic2_fused_desc {
    pymic2_fused_op op;
    pymic2_dtype dtype;
    pymic2_buffer *buffers[PYMIC2_FUSED_MAX_OPERANDS];
    int64_t offsets[PYMIC2_FUSED_MAX_OPERANDS];
    int64_t sizes[4];
    double params[PYMIC2_FUSED_MAX_PARAMS];
    uint64_t seed, counter;
} pymic2_fused_desc;

/* One fused op; DROPOUT stores the generator's next counter in *next_counter (may be NULL). */
int pymic2_fused(pymic2_stream *stream, const pymic2_fused_args *args, uint64_t *next_counter);

/* The neural-network ops are one op family: the runtime's command table has one row for it
 * and its commands carry this tagged descriptor, which the launchers above fill (callers use
 * those). A new op is a tag, a union member and a launcher here, and a case in each
 * backend's file of the family; the runtime does not change. */
typedef enum pymic2_nn_op {
    PYMIC2_NN_SOFTMAX_CROSS_ENTROPY = 0,
    PYMIC2_NN_WINDOWS,
    PYMIC2_NN_FUSED
} pymic2_nn_op;

typedef struct pymic2_nn_desc {
    pymic2_nn_op op;
    union {
        pymic2_softmax_cross_entropy_desc softmax_cross_entropy;
        pymic2_windows_desc windows;
        pymic2_fused_desc fused;
    } u;
} pymic2_nn_desc;

/*
 * Sorting and searching (the SORT family), one descriptor for its three ops:
 *
 *   PYMIC2_SORT_ROWS    sorts `values` in place along its last dimension (any strides, at
 *                       least 1 dimension), in NumPy's order: NaN last (complex: by real part,
 *                       then imaginary part, NaN parts last as NumPy), -0.0 equal to 0.0. The
 *                       sort is stable. With `indices` (int64, values' shape) it also writes
 *                       each sorted element's position in its row before the sort (argsort);
 *                       with `keep_values` too, only that (values are read, not written).
 *   PYMIC2_SORT_SEARCH  for each element of `keys` (1-d, values' dtype), the insertion point
 *                       into `values` (1-d, sorted in that order) into `indices` (int64, keys'
 *                       shape): the first position whose element is not below the key, or with
 *                       `right` not above it (numpy.searchsorted's side).
 *   PYMIC2_SORT_RUNS    for `values` (1-d, sorted in that order), the position of the first
 *                       element of each run of equal elements into indices[0, k) and the
 *                       number of runs k into indices[n] (`indices`: int64, 1-d, n + 1
 *                       elements): numpy.unique's starts. A NaN (complex: with a NaN part)
 *                       starts a run unless `equal_nan` and the element before is NaN too.
 *   PYMIC2_SORT_SELECT  partitions `values` like ROWS (same operands, `indices` and
 *                       `keep_values` too: argpartition) at the positions in `keys` (int64,
 *                       1-d, strictly increasing, each in [0, n) for rows of n; at least one):
 *                       numpy.partition's contract, not its permutation: each such position
 *                       holds the element a sort would put there, none after it is smaller
 *                       and none before it larger. Not stable; a device may sort instead.
 *
 * Zero-initialise the struct. Asynchronous, like every op.
 */
typedef enum pymic2_sort_op {
    PYMIC2_SORT_ROWS = 0,
    PYMIC2_SORT_SEARCH,
    PYMIC2_SORT_RUNS,
    PYMIC2_SORT_SELECT
} pymic2_sort_op;

typedef struct pymic2_sort_desc {
    pymic2_sort_op op;
    pymic2_operand values;  /* ROWS, SELECT: in place; SEARCH, RUNS: the sorted 1-d array */
    pymic2_operand indices; /* ROWS, SELECT: NULL buffer or the permutation; SEARCH, RUNS:
                               output */
    pymic2_operand keys;    /* SEARCH: the values to insert; SELECT: the positions */
    int right;              /* SEARCH: nonzero for side="right" */
    int equal_nan;          /* RUNS: nonzero if NaNs are equal */
    int keep_values;        /* ROWS with indices: nonzero to leave values as they are */
} pymic2_sort_desc;

int pymic2_sort(pymic2_stream *stream, const pymic2_sort_desc *desc);

/*
 * Histograms and integer membership (the HISTOGRAM family), four ops:
 *
 *   PYMIC2_HISTOGRAM_COUNT   counts[b] = how many of the n positions i fall in bin b (or the
 *                            sum of weights[i] over them), where b is the row-major bin of
 *                            (axis 0's bin of values[i, 0], axis 1's of values[i, 1], ...):
 *                            numpy.bincount, histogram and histogramdd in one pass
 *   PYMIC2_HISTOGRAM_RANGE   counts[0], counts[1] = the least and the greatest of the n >= 1
 *                            values (bool or integer, 1-d), in the values' dtype (counts:
 *                            contiguous, 2 elements; no axes are read): bincount's and
 *                            isin's bounds in one pass over the values
 *   PYMIC2_HISTOGRAM_MARK    counts = a bitmap (uint32, contiguous, (nbins[0] + 31) / 32
 *                            words): bit b % 32 of word b / 32 set where some value's INTEGER
 *                            bin (one axis) is b; MARK overwrites it
 *   PYMIC2_HISTOGRAM_MEMBER  found[i] = whether bit values[i] - low of counts (a MARK bitmap
 *                            with the same low and nbins[0], an input) is set, false where
 *                            values[i] - low is outside 0..nbins[0]-1; negated with
 *                            `invert`: numpy.isin's table method, one bit per value of the
 *                            tests' range (NumPy's table takes a byte)
 *
 * Each axis's rule gives a value's bin in 0..nbins-1 or drops the position (it then counts
 * nowhere):
 *
 *   PYMIC2_BIN_INTEGER  value - low (bool or integer values, exact: no overflow); outside
 *                       0..nbins-1: dropped
 *   PYMIC2_BIN_EVEN     evenly spaced edges: NumPy's arithmetic from the first and last edge,
 *                       corrected by one against the edges next to it; values outside
 *                       [first, last] and NaN are dropped, the last edge is in the last bin
 *   PYMIC2_BIN_EDGES    increasing edges by binary search: the last bin b with edge b <= value
 *                       (the last bin for the last edge); values outside and NaN are dropped
 *
 * values: real (not complex), (n, naxes) with any strides, or 1-d (n) for one axis; compared
 * as float64 for EVEN and EDGES. edges: float64, contiguous, the nbins + 1 edges of each EVEN
 * or EDGES axis one axis after another (NULL buffer if there is none). weights (NULL buffer:
 * none): float64, 1-d, n elements. counts: int64 without weights, float64 with, contiguous,
 * the product of the axes' nbins elements; COUNT overwrites it. MARK and MEMBER take one
 * INTEGER axis and 1-d values, MEMBER writes found (bool, 1-d, n elements). Weighted sums
 * add in an order that depends on n and the bins only, not on the thread count.
 * Zero-initialise the struct. Asynchronous, like every op.
 */
#define PYMIC2_MAX_HISTOGRAM_AXES 32

typedef enum pymic2_histogram_op {
    PYMIC2_HISTOGRAM_COUNT = 0,
    PYMIC2_HISTOGRAM_MEMBER,
    PYMIC2_HISTOGRAM_RANGE,
    PYMIC2_HISTOGRAM_MARK
} pymic2_histogram_op;

typedef enum pymic2_bin_rule {
    PYMIC2_BIN_INTEGER = 0,
    PYMIC2_BIN_EVEN,
    PYMIC2_BIN_EDGES
} pymic2_bin_rule;

typedef struct pymic2_histogram_desc {
    pymic2_histogram_op op;
    int naxes; /* 1..PYMIC2_MAX_HISTOGRAM_AXES */
    pymic2_bin_rule rules[PYMIC2_MAX_HISTOGRAM_AXES];
    int64_t nbins[PYMIC2_MAX_HISTOGRAM_AXES]; /* each >= 1 */
    int64_t low;                              /* INTEGER: the value of bin 0 */
    int invert;                               /* MEMBER: found where the table has 0 */
    pymic2_operand values, edges, weights, counts;
    pymic2_operand found; /* MEMBER: the output */
} pymic2_histogram_desc;

int pymic2_histogram(pymic2_stream *stream, const pymic2_histogram_desc *desc);

/*
 * Discrete Fourier transforms (the FFT family) along the last dimension of `in`, one per row
 * (the other dimensions, which `in` and `out` share, are a batch); any length n >= 1 and any
 * strides (an output must not overlap its input):
 *
 *   PYMIC2_FFT_C2C  complex64 or complex128, out (same dtype and shape) =
 *                   sum_j in_j exp(-+2 pi i jk / n) (+ with `inverse`), times `scale`.
 *   PYMIC2_FFT_R2C  float32 or float64 rows of n, out = the first n / 2 + 1 elements of
 *                   their forward transform (complex64 or complex128), times `scale`.
 *   PYMIC2_FFT_C2R  the inverse of a Hermitian spectrum: in holds n / 2 + 1 complex elements
 *                   per row, out n real ones (n given by out's last dimension); the imaginary
 *                   parts of element 0 and (even n) n / 2 are ignored, as NumPy does.
 *
 * `scale` is NumPy's norm (1, 1 / sqrt(n) or 1 / n); zero-initialise the struct.
 */
typedef enum pymic2_fft_kind {
    PYMIC2_FFT_C2C = 0,
    PYMIC2_FFT_R2C,
    PYMIC2_FFT_C2R
} pymic2_fft_kind;

typedef struct pymic2_fft_desc {
    pymic2_fft_kind kind;
    int inverse;  /* C2C: nonzero for the backward transform */
    double scale; /* every output element is multiplied by it */
    pymic2_operand in, out;
} pymic2_fft_desc;

int pymic2_fft(pymic2_stream *stream, const pymic2_fft_desc *desc);

/*
 * Dense linear algebra (the LINALG family): one descriptor for its ops on stacks of matrices.
 * `a` is the input, (..., M, N) of float32, float64, complex64 or complex128, any strides; it
 * is read only. Outputs are written in full (any strides, none of them stride 0 along a
 * dimension of more than one element, not overlapping the inputs); their batch dimensions
 * equal a's. K = min(M, N); R is the real dtype of a's.
 *
 *   PYMIC2_LINALG_LU        square a: out[0] (..., N, N) the LU factors of P A = L U (L unit
 *                           lower, U upper, together), out[1] (..., N) int64 the 0-based row
 *                           interchanges (row i was swapped with row out[1][i], in order).
 *   PYMIC2_LINALG_SOLVE     square a, b (..., N, NRHS) of a's dtype: out[0] (..., N, NRHS),
 *                           the solution X of A X = B.
 *   PYMIC2_LINALG_CHOLESKY  square Hermitian positive-definite a: out[0] (..., N, N) L (lower
 *                           triangle of a read, A = L L^H) or with `upper` U (upper triangle,
 *                           A = U^H U); the other triangle zero.
 *   PYMIC2_LINALG_QR        out[0] Q (..., M, M) with `complete` else (..., M, K), out[1] R
 *                           (..., M or K, N). With `raw`: out[0] (..., N, M) the Householder
 *                           reflectors and R of LAPACK's geqrf in transposed (Fortran) order,
 *                           out[1] (..., K) their scalars tau.
 *   PYMIC2_LINALG_SVD       out[0] S (..., K) in R descending; with `compute_uv` out[1] U
 *                           (..., M, M or K) and out[2] V^H (..., N or K, N) (`complete`:
 *                           the full squares).
 *   PYMIC2_LINALG_EIGH      square Hermitian a (only its lower triangle read, or its upper one
 *                           with `upper`): out[0] W (..., N) in R ascending; with `compute_uv`
 *                           out[1] (..., N, N) the eigenvectors as columns.
 *   PYMIC2_LINALG_EIG       square a: out[0] W (..., N) complex (a's complex dtype); with
 *                           `compute_uv` out[1] (..., N, N) complex, the right eigenvectors as
 *                           columns (unit 2-norm).
 *
 * Failures found in the data make the command fail with ELINALG, reported by the next sync
 * (NumPy's messages: "Singular matrix" for an exactly singular LU of SOLVE, or of LU when
 * `check`; "Matrix is not positive definite"; "SVD did not converge"; "Eigenvalues did not
 * converge"). The batch is split over a host device's threads. Zero-initialise the struct.
 * Asynchronous, like every op.
 */
typedef enum pymic2_linalg_op {
    PYMIC2_LINALG_LU = 0,
    PYMIC2_LINALG_SOLVE,
    PYMIC2_LINALG_CHOLESKY,
    PYMIC2_LINALG_QR,
    PYMIC2_LINALG_SVD,
    PYMIC2_LINALG_EIGH,
    PYMIC2_LINALG_EIG
} pymic2_linalg_op;

#define PYMIC2_LINALG_OUTPUTS 3

typedef struct pymic2_linalg_desc {
    pymic2_linalg_op op;
    pymic2_operand a;                             /* the matrices, read only */
    pymic2_operand b;                             /* SOLVE: the right-hand sides */
    pymic2_operand out[PYMIC2_LINALG_OUTPUTS];    /* per op, see above; unused ones zero */
    int upper;      /* CHOLESKY, EIGH: the upper triangle */
    int complete;   /* QR: mode "complete"; SVD: full_matrices */
    int raw;        /* QR: mode "raw" */
    int compute_uv; /* SVD, EIGH, EIG: the vectors too; QR: Q too (else only R in out[1]) */
    int check;      /* LU: an exactly singular matrix fails the command */
} pymic2_linalg_desc;

int pymic2_linalg(pymic2_stream *stream, const pymic2_linalg_desc *desc);

#ifdef __cplusplus
}
#endif

#endif /* PYMIC2_H */
