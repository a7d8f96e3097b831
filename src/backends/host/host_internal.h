/*
 * host_internal.h - what the files of the host backend share.
 *
 * A host device is a share of the CPUs this process may run on, with its own thread team;
 * its memory is ordinary process memory kept apart by the pool (separate allocations), so
 * copies are real copies, as they would be to a discrete device.
 */
#ifndef PYMIC2_HOST_INTERNAL_H
#define PYMIC2_HOST_INTERNAL_H

#include "../../core/internal.h"
#include "team.h"

#include <sched.h>
#include <string.h>

typedef struct pymic2__host_device {
    pymic2__team *team;
    int ncpus;                 /* the device's share of the allowed CPUs */
    int *cpus;
    bool pin;                  /* PYMIC2_AFFINITY is not "none" */
    cpu_set_t cpu_set;         /* where the stream workers may run when pinned */
    size_t hugepage_threshold; /* chunks at least this big are 2 MiB-aligned huge pages */
    uint64_t spin_ns;          /* idle workers and helpers spin this long (PYMIC2_BLOCKTIME_US) */
} pymic2__host_device;

static inline pymic2__host_device *pymic2__host_of(const pymic2_device *device)
{
    return (pymic2__host_device *)device->backend_data;
}

/* The host address of a buffer byte. */
static inline char *pymic2__host_address(const pymic2_buffer *buffer, size_t offset)
{
    return (char *)buffer->chunk_handle + buffer->offset + offset;
}

/* Number of matrices (or vectors) of a stack: the product of the operand's dimensions before
 * its `trailing` last ones. */
static inline int64_t pymic2__host_batch_count(const pymic2_operand *operand, int trailing)
{
    int64_t count = 1;
    for (int d = 0; d < operand->ndim - trailing; d++)
        count *= operand->shape[d]; /* fits: the core checked the bytes against the buffer */
    return count;
}

/* Byte offset of matrix `index` (row-major over the dimensions before the `trailing` last
 * ones) of an operand. */
static inline int64_t pymic2__host_batch_offset(const pymic2_operand *operand, int64_t index,
                                                int trailing)
{
    int64_t offset = operand->offset;
    for (int d = operand->ndim - trailing - 1; d >= 0; d--) {
        offset += (index % operand->shape[d]) * operand->strides[d];
        index /= operand->shape[d];
    }
    return offset;
}

/* The host address of matrix `index` of a stack (see pymic2__host_batch_offset). */
static inline char *pymic2__host_matrix_at(const pymic2_operand *operand, int64_t index,
                                           int trailing)
{
    return pymic2__host_address(operand->buffer, 0) +
           pymic2__host_batch_offset(operand, index, trailing);
}

/* An index or label element (int32 or int64, the dtypes index operands may have), read
 * without assuming alignment: views may start anywhere. */
static inline int64_t pymic2__host_load_index(const char *at, pymic2_dtype dtype)
{
    if (dtype == PYMIC2_INT32) {
        int32_t value;
        memcpy(&value, at, sizeof value);
        return value;
    }
    int64_t value;
    memcpy(&value, at, sizeof value);
    return value;
}

/* host_device.c (the configuration is documented there) */
int pymic2__host_probe(int *ndevices);
int pymic2__host_device_init(pymic2_device *device, int backend_index);
void pymic2__host_device_uninit(pymic2_device *device);

/* memory.c */
int pymic2__host_mem_alloc(pymic2_device *device, size_t nbytes, void **handle);
void pymic2__host_mem_free(pymic2_device *device, void *handle, size_t nbytes);
int pymic2__host_mem_address(pymic2_device *device, void *handle, size_t offset,
                             uintptr_t *address);
/* Copies with the device's team; overlapping ranges are moved serially (memmove). */
void pymic2__host_copy(pymic2__host_device *host, void *dst, const void *src, size_t nbytes);

/*
 * Outputs (copies, elementwise results) of at least this many bytes are written with
 * non-temporal stores, which do not read the destination into the cache first: on a 2-core
 * Zen 4 they copy cold 1 MiB blocks 1.6x faster than memcpy on one thread (2.9x with two),
 * but a copy whose source and destination fit the 32 MiB L3 is faster with ordinary stores:
 * measured with bench_runtime, a 4 and 8 MiB copy ran at 1.1-1.2x memcpy with streaming
 * stores and 1.5-1.9x without.
 */
#define PYMIC2__HOST_STREAMING_MIN ((size_t)16 << 20)

/* memcpy whose whole 64-byte lines of dst are written with non-temporal stores. These are
 * weakly ordered: call pymic2__host_stream_fence() before others may read dst. */
void pymic2__host_stream_store(char *dst, const char *src, size_t nbytes);
void pymic2__host_stream_fence(void);

/* gemm.c: copies a rows x cols matrix between two byte-strided layouts (of itemsize-byte
 * elements), element by element. */
void pymic2__host_copy_matrix(char *dst, int64_t dst_rs, int64_t dst_cs, const char *src,
                              int64_t src_rs, int64_t src_cs, int64_t rows, int64_t cols,
                              size_t itemsize);

/* worker.c */
int pymic2__host_stream_create(pymic2_stream *stream);
void pymic2__host_stream_destroy(pymic2_stream *stream);
int pymic2__host_submit(pymic2_stream *stream, pymic2__command *command);
bool pymic2__host_assist(pymic2_stream *stream, uint64_t last, bool bounded);

/* kernel.c */
int pymic2__host_library_load(pymic2_library *library, const char *path);
void pymic2__host_library_unload(pymic2_library *library);
int pymic2__host_kernel_find(pymic2_library *library, const char *name, void **entry);
void pymic2__host_invoke(const pymic2__command *command);

/* The NN family's fused kernels (nn_fused.c), called by its slot in nn.c. */
int pymic2__host_fused(pymic2_stream *stream, const pymic2_fused_desc *desc);

#endif /* PYMIC2_HOST_INTERNAL_H */
