/*
 * internal.h - what the core and the backends share. Not installed, not public.
 *
 * Naming: public functions are pymic2_*, internal ones pymic2__* (double underscore).
 *
 * Layering: the core (src/core) validates arguments, checks bounds and devices, keeps
 * reference counts and the memory pool, and turns every stream operation into a
 * pymic2__command that it hands to the device's backend through one vtable
 * (pymic2__backend_ops). A backend executes commands in stream order and calls
 * pymic2__command_finish() for each.
 */
#ifndef PYMIC2_INTERNAL_H
#define PYMIC2_INTERNAL_H

#include "pymic2.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* ---------------------------------------------------------------- errors */

/* Records the thread-local message (printf-style) and returns status, for one-line checks:
 *   if (nbytes == 0) return pymic2__error(PYMIC2_EINVAL, "%s: nbytes is 0", dev->name); */
int pymic2__error(int status, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Clears the message on success paths that callers may inspect. */
void pymic2__error_clear(void);

/* ---------------------------------------------------------------- operands (operand.c) */

/* Room for pymic2__format_shape's text of any shape. */
#define PYMIC2__SHAPE_TEXT (PYMIC2_MAX_DIMS * 21 + 4)
/* NumPy's spelling of a shape: "(3,4)", "(5,)", "()". */
void pymic2__format_shape(char *text, size_t size, int ndim, const int64_t *shape);
/* The operand's buffer is live and on the stream's device, and every byte its shape and
 * strides address lies inside it (an array with a 0 dimension addresses nothing); ERANGE
 * otherwise. what names the operand in messages ("matmul: a"). */
int pymic2__check_operand_memory(pymic2_stream *stream, const char *what,
                                 const pymic2_operand *operand);
/* The FFT plans of both backends (src/ops/fft.c): a length is transformed by radix passes
 * when its prime factors are at most PYMIC2__FFT_MAX_RADIX, taking radix 8 first, then 4,
 * then the smallest prime: pymic2__fft_radix(rest) is the next pass's radix of the length
 * left (0 if none divides it); pymic2__fft_bluestein_length(n) is 0 for such lengths, else
 * the power of two Bluestein's convolution of n points uses. */
#define PYMIC2__FFT_MAX_RADIX 61
int pymic2__fft_radix(int64_t rest);
int64_t pymic2__fft_bluestein_length(int64_t n);
/* pymic2_view_extent of an operand that passed pymic2__check_operand_memory (so it fits). */
void pymic2__operand_extent(const pymic2_operand *operand, int64_t *first, int64_t *end);
/* The two shapes are equal. */
bool pymic2__same_shape(int ndim_a, const int64_t *a, int ndim_b, const int64_t *b);
/* The operand seen with the given ndim and shape, which its own shape broadcasts to
 * (pymic2_broadcast_shape): dimensions it lacks or has as 1 where shape has another size get
 * stride 0, and a scalar (no buffer) gets stride 0 everywhere and offset 0. A launcher
 * applies it to its inputs after validation, so a backend walks one index over all. */
void pymic2__operand_broadcast(pymic2_operand *operand, int ndim, const int64_t *shape);

/* ---------------------------------------------------------------- memory pool */

/* One raw allocation from the backend; blocks are carved out of it. */
typedef struct pymic2__chunk pymic2__chunk;

struct pymic2_buffer {
    atomic_int refcount;
    pymic2_device *device;
    pymic2__chunk *chunk;
    void *chunk_handle; /* the backend's handle of the chunk (host: its base address) */
    size_t offset;      /* bytes from the chunk's start */
    size_t size;        /* bytes requested by the user */
    size_t block_size;  /* bytes reserved in the pool (rounded) */
    /* The last command that used the buffer (its stream and number): a command on another
     * stream runs after it (pymic2__command_submit). The stream is retained while named here
     * so that its counters stay readable after pymic2_stream_destroy. */
    atomic_flag last_use_lock;
    pymic2_stream *last_stream;
    uint64_t last_sequence;
};

/* Forgets a buffer's last use (dropping the stream it retains): when it returns to the pool. */
void pymic2__buffer_forget_use(pymic2_buffer *buffer);

typedef struct pymic2__pool pymic2__pool;

int pymic2__pool_create(pymic2_device *device, pymic2__pool **pool);
/* Frees every block; called at process exit. */
void pymic2__pool_destroy(pymic2__pool *pool);

/* ---------------------------------------------------------------- commands */

/*
 * The command table: every kind of command, one row each.
 *
 * RUNTIME rows are the runtime's own commands (copies, kernels, events): every backend's
 * stream machinery runs them, and their descriptors are written out in pymic2__command.u.
 *   RUNTIME(KIND, busy, name): busy is what pymic2_stream_busy_time counts the command as
 *   (COMPUTE, TRANSFER or NONE); name names it in messages and traces.
 * FAMILY rows are the op families: a launcher in src/ops/ validates a descriptor once, and
 * each backend runs it through its compute slot (pymic2__backend_ops.compute).
 *   FAMILY(KIND, member, type, name, host, opencl): the descriptor is `type u.member`; host
 *   and opencl are the backends' implementations, of type pymic2__compute_fn (declared below
 *   from this table), like the implementations of one StarPU codelet.
 *
 * Adding a family is one FAMILY row here plus its launcher in src/ops/, one file per backend
 * and its Python binding (docs/ARCHITECTURE.md). Nothing else switches over the kinds: the
 * enum, the union, the names, the busy-time classes, the declarations and the backends'
 * slots are generated from the rows.
 */
#define PYMIC2__COMMANDS(RUNTIME, FAMILY)                                                         \
    RUNTIME(COPY_H2D, TRANSFER, "copy to the device")                                             \
    RUNTIME(COPY_D2H, TRANSFER, "copy from the device")                                           \
    RUNTIME(COPY_D2D, COMPUTE, "copy on the device")                                              \
    RUNTIME(INVOKE, COMPUTE, "kernel")                                                            \
    RUNTIME(EVENT_RECORD, NONE, "event record")                                                   \
    RUNTIME(EVENT_WAIT, NONE, "event wait")                                                       \
    FAMILY(OP, op, pymic2_op_desc, "elementwise op or reduction", pymic2__host_op,                \
           pymic2__ocl_op)                                                                        \
    FAMILY(GEMM, gemm, pymic2_gemm_desc, "matmul", pymic2__host_gemm, pymic2__ocl_gemm)           \
    FAMILY(INDEX, index, pymic2_index_desc, "index operation", pymic2__host_index,                \
           pymic2__ocl_index)                                                                     \
    FAMILY(RANDOM, random, pymic2_random_desc, "random numbers", pymic2__host_random,             \
           pymic2__ocl_random)                                                                    \
    FAMILY(NN, nn, pymic2_nn_desc, "neural-network op", pymic2__host_nn, pymic2__ocl_nn)      \
    FAMILY(SORT, sort, pymic2_sort_desc, "sort", pymic2__host_sort, pymic2__ocl_sort)       \
    FAMILY(FFT, fft, pymic2_fft_desc, "fft", pymic2__host_fft, pymic2__ocl_fft)             \
    FAMILY(LINALG, linalg, pymic2_linalg_desc, "linear algebra", pymic2__host_linalg,          \
           pymic2__ocl_linalg)                                                                    \
    FAMILY(HISTOGRAM, histogram, pymic2_histogram_desc, "histogram", pymic2__host_histogram,      \
           pymic2__ocl_histogram)

#define PYMIC2__RUNTIME_KIND(KIND, busy, name) PYMIC2__CMD_##KIND,
#define PYMIC2__FAMILY_KIND(KIND, member, type, name, host, opencl) PYMIC2__CMD_##KIND,
typedef enum pymic2__command_kind {
    PYMIC2__COMMANDS(PYMIC2__RUNTIME_KIND, PYMIC2__FAMILY_KIND)
    PYMIC2__NUM_COMMANDS
} pymic2__command_kind;
#undef PYMIC2__RUNTIME_KIND
#undef PYMIC2__FAMILY_KIND

/* What pymic2_stream_busy_time counts a command as (the RUNTIME rows' busy column). */
typedef enum pymic2__busy_class {
    PYMIC2__BUSY_NONE,
    PYMIC2__BUSY_COMPUTE,
    PYMIC2__BUSY_TRANSFER
} pymic2__busy_class;

/* A kind's row, for messages, traces and the checks of submit (stream.c). */
typedef struct pymic2__command_info {
    const char *name;       /* "copy to the device", "matmul" */
    pymic2__busy_class busy;
    bool family;            /* run through the backend's compute slot */
} pymic2__command_info;
extern const pymic2__command_info pymic2__command_infos[PYMIC2__NUM_COMMANDS];

#define PYMIC2__FAMILY_MEMBER(KIND, member, type, name, host, opencl) type member;
#define PYMIC2__RUNTIME_NOTHING(KIND, busy, name)
typedef struct pymic2__command {
    pymic2__command_kind kind;
    pymic2_stream *stream;
    uint64_t sequence;              /* the stream's command number, from 1 */
    struct pymic2__command *next;   /* for the backend's queue */
    /* Buffers this command uses; retained at enqueue, released by pymic2__command_finish. */
    int nbuffers;
    pymic2_buffer *buffers[PYMIC2_MAX_KERNEL_ARGS + PYMIC2_MAX_OPERANDS];
    union {
        struct { /* COPY_*: device side as (buffer, offset), host side as a pointer */
            pymic2_buffer *dst_buffer, *src_buffer;
            size_t dst_offset, src_offset;
            void *dst_host;
            const void *src_host;
            size_t nbytes;
            void *staging; /* COPY_H2D on a busy stream: src_host copied at submit (so the
                              caller may reuse its memory at once), freed at finish */
        } copy;
        struct {           /* INVOKE */
            pymic2_kernel *kernel;
            int nargs;
            pymic2_kernel_arg args[PYMIC2_MAX_KERNEL_ARGS];
            pymic2_launch_config config;
            bool has_config;
        } invoke;
        struct {             /* EVENT_RECORD, EVENT_WAIT */
            pymic2_event *event;
            uint64_t generation; /* the record this command completes or waits for */
        } event;
        /* A family's descriptor, validated by its launcher in src/ops/: backends only see
         * consistent operands (op: every input broadcasts to the output's shape; gemm: a and
         * b have c's ndim and batch shape; index: values, array or scalar, has the result
         * shape with broadcast dimensions of stride 0). */
        PYMIC2__COMMANDS(PYMIC2__RUNTIME_NOTHING, PYMIC2__FAMILY_MEMBER)
    } u;
} pymic2__command;
#undef PYMIC2__FAMILY_MEMBER

/*
 * A backend's implementation of a family: runs (host) or enqueues (OpenCL) the command, whose
 * descriptor is valid. `launch` is the backend's own per-command state (host: NULL; OpenCL:
 * a pymic2__ocl_launch receiving the command's CL event and device-side check). Returns 0 or
 * a status with the message recorded.
 */
typedef int (*pymic2__compute_fn)(pymic2_stream *stream, const pymic2__command *command,
                                  void *launch);
#define PYMIC2__FAMILY_DECLARE(KIND, member, type, name, host, opencl)                            \
    int host(pymic2_stream *stream, const pymic2__command *command, void *launch);                \
    int opencl(pymic2_stream *stream, const pymic2__command *command, void *launch);
PYMIC2__COMMANDS(PYMIC2__RUNTIME_NOTHING, PYMIC2__FAMILY_DECLARE)
#undef PYMIC2__FAMILY_DECLARE
#undef PYMIC2__RUNTIME_NOTHING

/* Building a command (core and src/ops): new, name the buffers it uses (retained until it
 * finishes), fill the union, submit. submit numbers it and hands it to the backend; on
 * failure it releases everything and returns the error. new returns NULL (message recorded)
 * when out of memory: return PYMIC2_ENOMEM then. */
pymic2__command *pymic2__command_new(pymic2_stream *stream, pymic2__command_kind kind);
/* new for a kind whose descriptor the launcher has whole: desc (size bytes, the kind's union
 * member) is copied in, and the rest of the union is not zeroed (zeroing the 3.5 KB command
 * before copying a 2.2 KB op descriptor over it was a third of the instructions of a 4 x 4
 * a + b, callgrind). */
pymic2__command *pymic2__command_new_from(pymic2_stream *stream, pymic2__command_kind kind,
                                          const void *desc, size_t size);
void pymic2__command_use_buffer(pymic2__command *command, pymic2_buffer *buffer);
int pymic2__command_submit(pymic2__command *command);
/* Host memory given to a copy may be reused as soon as the copy call returns, as with
 * CUDA's pageable copies: a copy onto an idle stream is done before submit returns (the
 * backends run it at once), one that must wait reads from a snapshot of the source taken
 * by this call (no-op for other commands or when already staged). submit stages copies onto
 * busy streams; a backend that queues a copy it could not run at once stages it itself. */
int pymic2__copy_stage_source(pymic2__command *command);
/* How many commands a stream holds before submit waits for the device to catch up. Small on
 * purpose: each pending op holds a fresh output block, and a deep queue spreads a loop of ops
 * over more memory than the caches hold (a 512x512 add ran 2.5x slower at depth 1024 than
 * at 8: python -m pymic2.bench pipeline). */
#define PYMIC2__MAX_PENDING_COMMANDS 8

/* Called by the backend once per command, after it ran (status: its outcome, whose message
 * is the calling thread's pymic2_last_error()). Releases the command's buffers, advances the
 * stream's completed count, records the first error of the stream, completes events and
 * frees the command. The stream must outlive the call (stream_destroy waits for it). */
void pymic2__command_finish(pymic2__command *command, int status);

/* Called by the backend with the time a command took to run (pymic2_stream_busy_time). */
void pymic2__stream_add_busy(pymic2_stream *stream, pymic2__command_kind kind, double ms);

/* Runs EVENT_WAIT: blocks the calling (backend) thread until that record of the event ran. */
void pymic2__event_wait(pymic2_event *event, uint64_t generation);

/* ---------------------------------------------------------------- backends */

/*
 * One table per backend. Slots a backend does not support are NULL (the core then returns
 * ENOTSUP with a message naming the device). Locking: the core serialises nothing except
 * the pool; backends must accept submit() from several threads at once.
 *
 * Compute slots: compute[kind] for each FAMILY row of the command table (NULL for RUNTIME
 * rows). The core only checks them: submit refuses a family whose slot is NULL with ENOTSUP
 * naming the device and the family, before the command is numbered. When and where a slot
 * runs is the backend's business (host: on the stream's worker; OpenCL: enqueued in submit).
 * A backend fills them from its column of the command table (PYMIC2__HOST_SLOT below); one
 * that lacks a family lists its slots by hand instead, without that one.
 */
typedef struct pymic2__backend_ops {
    int version; /* PYMIC2__BACKEND_OPS_VERSION */
    const char *name;

    /* registry: how many devices; init one (fills dev->info, dev->backend_data); uninit */
    int (*probe)(int *ndevices);
    int (*device_init)(pymic2_device *device, int backend_index);
    void (*device_uninit)(pymic2_device *device);

    /* memory (raw chunks for the pool): *handle is what buffer->chunk_handle becomes */
    int (*mem_alloc)(pymic2_device *device, size_t nbytes, void **handle);
    void (*mem_free)(pymic2_device *device, void *handle, size_t nbytes);
    /* device address of handle + offset, for pymic2_buffer_device_address */
    int (*mem_address)(pymic2_device *device, void *handle, size_t offset, uintptr_t *address);

    /* streams: create fills stream->backend_data; destroy after the core synchronised it */
    int (*stream_create)(pymic2_stream *stream);
    void (*stream_destroy)(pymic2_stream *stream);
    /* takes ownership of command; runs it after every earlier command of its stream */
    int (*submit)(pymic2_stream *stream, pymic2__command *command);
    /* optional: lets a thread in sync work towards command `last` of the stream (run queued
     * commands itself, in order, or share a running one); true if it did some work. With
     * bounded set the caller must return by a deadline: run nothing whose length the runtime
     * does not control (user kernels, event waits), leave those to the stream's own thread. */
    bool (*assist)(pymic2_stream *stream, uint64_t last, bool bounded);

    /* libraries */
    int (*library_load)(pymic2_library *library, const char *path);
    void (*library_unload)(pymic2_library *library);
    int (*kernel_find)(pymic2_library *library, const char *name, void **entry);

    /* the op families (see above), indexed by command kind */
    pymic2__compute_fn compute[PYMIC2__NUM_COMMANDS];

    /* optional: adds the backend's kernel program builds to *stats (pymic2_build_stats_get) */
    void (*build_stats)(pymic2_build_stats *stats);
} pymic2__backend_ops;

#define PYMIC2__BACKEND_OPS_VERSION 2

/* A backend's compute slots from its column of the command table:
 *   .compute = {PYMIC2__COMMANDS(PYMIC2__NO_SLOT, PYMIC2__HOST_SLOT)} */
#define PYMIC2__NO_SLOT(KIND, busy, name)
#define PYMIC2__HOST_SLOT(KIND, member, type, name, host, opencl) [PYMIC2__CMD_##KIND] = host,
#define PYMIC2__OPENCL_SLOT(KIND, member, type, name, host, opencl) [PYMIC2__CMD_##KIND] = opencl,

extern const pymic2__backend_ops pymic2__host_backend;
#ifdef PYMIC2_HAVE_OPENCL
extern const pymic2__backend_ops pymic2__opencl_backend;
#endif

/* ---------------------------------------------------------------- handles */

/*
 * The head of a stream or event record: magic is the type's PYMIC2__MAGIC_* while the handle
 * is live and 0 once destroyed (record.c keeps destroyed records readable for a while).
 */
typedef struct pymic2__record {
    atomic_uint magic;
    struct pymic2__record *next_retired;
} pymic2__record;

#define PYMIC2__MAGIC_STREAM 0x5354524du /* "STRM" */
#define PYMIC2__MAGIC_EVENT 0x4556454eu  /* "EVEN" */

struct pymic2_device {
    const pymic2__backend_ops *ops;
    pymic2_device_info info;
    char name[32];         /* info.name points here */
    char description[128]; /* info.description points here */
    pymic2__pool *pool;
    pymic2_stream *default_stream;
    void *backend_data;
};

struct pymic2_stream {
    pymic2__record record; /* first: live or destroyed */
    pymic2_device *device;
    bool is_default;
    atomic_int refs;             /* its owner's, plus one per buffer whose last use it was:
                                    the struct outlives destroy until the last goes */
    pthread_mutex_t lock;        /* protects first_error and the sync condition */
    pthread_cond_t idle;         /* signalled when completed catches up with enqueued */
    pthread_mutex_t submit_lock; /* numbering and handing over happen in one order */
    atomic_int sync_waiters;     /* threads blocked on idle; finish signals only if > 0 */
    atomic_bool saturated;       /* set by the backend while a command uses every CPU of the
                                    device: sync then yields while it spins */
    atomic_uint_fast64_t enqueued;  /* number of the last command submitted */
    atomic_uint_fast64_t completed; /* number of the last command finished */
    atomic_uint_fast64_t busy_ns[2]; /* running its commands: compute, host<->device copies */
    int first_error;             /* first failing command's status, reported by sync */
    char first_error_message[512];
    void *backend_data;
    /* the memory of its last finished command, for the next one: a malloc and free of the
     * 3.5 KB command (past glibc's per-thread cache) cost about 600 instructions per op */
    struct pymic2__command *_Atomic spare_command;
};

struct pymic2_event {
    pymic2__record record; /* first: live or destroyed */
    pymic2_device *device;
    pthread_mutex_t lock;  /* protects the fields below */
    pthread_cond_t done;
    uint64_t generation;   /* bumped by each record; waiters wait for their generation */
    uint64_t completed_generation;
    double timestamp_ms;   /* CLOCK_MONOTONIC when the last record completed */
    int users;             /* enqueued commands naming the event */
    bool destroyed;        /* destroy came while users > 0: the last user retires it */
};

struct pymic2_library {
    pymic2_device *device;
    char *path;
    pthread_mutex_t lock;    /* protects kernels */
    pymic2_kernel *kernels;  /* found so far, freed with the library */
    atomic_int pending_invokes; /* enqueued invocations of its kernels; unload waits for 0 */
    void *backend_data;
};

struct pymic2_kernel {
    pymic2_library *library;
    char *name;
    void *entry; /* host: the function's address */
    struct pymic2_kernel *next; /* the library's list of found kernels */
};

/* The compute slot of the command's device for its kind: NULL for a runtime kind, a value that
 * is no kind, or a family the backend lacks (which submit refuses). */
static inline pymic2__compute_fn pymic2__compute_slot(const pymic2__command *command)
{
    const unsigned kind = (unsigned)command->kind;
    return kind < PYMIC2__NUM_COMMANDS ? command->stream->device->ops->compute[kind] : NULL;
}

/* Milliseconds on CLOCK_MONOTONIC. */
double pymic2__now_ms(void);

#endif /* PYMIC2_INTERNAL_H */
