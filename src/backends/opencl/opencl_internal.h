/*
 * opencl_internal.h - what the OpenCL backend's files share (runtime half: opencl*.c;
 * compute half: ocl_*.c). Not installed.
 *
 * Handles:
 *   device->backend_data  -> pymic2__ocl_device
 *   stream->backend_data  -> pymic2__ocl_stream
 *   buffer->chunk_handle  -> a cl_mem (the pool's chunk); buffer->offset is the byte offset
 *                            of the buffer inside it. Kernels take (cl_mem, offset) pairs.
 */
#ifndef PYMIC2_OPENCL_INTERNAL_H
#define PYMIC2_OPENCL_INTERNAL_H

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

#include "../../core/internal.h"

#include <stdbool.h>

typedef struct pymic2__ocl_program_cache pymic2__ocl_program_cache;

typedef struct pymic2__ocl_device {
    cl_platform_id platform;
    cl_device_id id;
    cl_context context;
    bool has_fp64;                /* cl_khr_fp64 (or OpenCL >= 1.2 double support) */
    bool runs_items_in_turn;      /* a CPU device: a work-group's items run one after another
                                     on one core (PoCL), not side by side */
    size_t max_work_group_size;
    cl_uint compute_units;
    cl_ulong max_mem_alloc_size;  /* CL_DEVICE_MAX_MEM_ALLOC_SIZE */
    cl_ulong global_mem_size;
    cl_ulong local_mem_size;      /* CL_DEVICE_LOCAL_MEM_SIZE, per work-group */
    cl_uint mem_base_addr_align;  /* bytes; sub-buffer origins must be multiples of it */
    char device_name[128];
    char driver_version[64];
    char platform_name[64];
    pymic2__ocl_program_cache *programs; /* see pymic2__ocl_program_get */
} pymic2__ocl_device;

typedef struct pymic2__ocl_stream {
    cl_command_queue queue; /* in order, profiling enabled */
    /* the rest is the runtime's (completion thread and its queue of pending commands) */
    struct pymic2__ocl_pending *pending_head, *pending_tail;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    pthread_t completer;
    bool stopping;
} pymic2__ocl_stream;

static inline pymic2__ocl_device *pymic2__ocl_device_of(pymic2_device *device)
{
    return (pymic2__ocl_device *)device->backend_data;
}

static inline pymic2__ocl_stream *pymic2__ocl_stream_of(pymic2_stream *stream)
{
    return (pymic2__ocl_stream *)stream->backend_data;
}

static inline cl_mem pymic2__ocl_mem_of(const pymic2_buffer *buffer)
{
    return (cl_mem)buffer->chunk_handle;
}

/*
 * Maps a failed CL call to a status and records "opencl:0: <what> failed: CL_OUT_OF_RESOURCES
 * (-5)". Allocation failures (CL_MEM_OBJECT_ALLOCATION_FAILURE, CL_OUT_OF_RESOURCES,
 * CL_OUT_OF_HOST_MEMORY, CL_INVALID_BUFFER_SIZE) give ENOMEM so the pool frees its cache and
 * retries; a failed build gives EBUILD; invalid arguments EINVAL; anything else EBACKEND.
 * err must not be CL_SUCCESS.
 */
int pymic2__ocl_status(cl_int err, pymic2_device *device, const char *what);
/* "CL_OUT_OF_RESOURCES" for -5; "CL_UNKNOWN_ERROR" for codes it does not know. */
const char *pymic2__ocl_error_name(cl_int err);

/*
 * The program for (source, options) on the device, built once per process (memory cache,
 * keyed by a hash of source and options) and once per machine (disk cache of the program
 * binary in $PYMIC2_CACHE_DIR, else $XDG_CACHE_HOME/pymic2, else ~/.cache/pymic2, keyed by
 * device name, driver version and the hash). The cache owns the program: callers create
 * kernels from it and never release it. A corrupt or unreadable cache file is rebuilt from
 * source. A compile error returns EBUILD with the compiler's log in the message. Thread safe.
 * options may be NULL (no options).
 */
int pymic2__ocl_program_get(pymic2_device *device, const char *source, const char *options,
                            cl_program *program);
/* Adds the program cache's counters of this process to *stats (the build_stats slot). */
void pymic2__ocl_build_stats(pymic2_build_stats *stats);

#endif /* PYMIC2_OPENCL_INTERNAL_H */
