/*
 * memory.c - host device memory (chunks for the pool) and the team's parallel copies.
 */
#include "host_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define HUGE_PAGE ((size_t)2 << 20)
#define CHUNK_ALIGNMENT ((size_t)4096)

/*
 * Copies below PARALLEL_COPY_MIN bytes stay on the stream's worker: a region costs about a
 * microsecond, more than such a copy saves. Each piece of a parallel copy is at least that
 * long. Copies of PYMIC2__HOST_STREAMING_MIN bytes or more use non-temporal stores.
 */
#define PARALLEL_COPY_MIN ((size_t)128 << 10)
/*
 * Copies of BALANCED_COPY_MIN bytes or more wake sleeping helpers and go in pieces of about
 * BALANCED_PIECE bytes, two to four per thread: a helper that joins late (20-50 us after a
 * wake-up here) or shares its CPU with another thread then leaves its remaining pieces to
 * the others. With one piece per thread, bench_runtime's 16 MiB copies ran at 1.2-1.4x
 * memcpy in half the processes and 1.8-2.1x in the others; with up to four per thread at
 * 1.9-2.1x in all of them.
 */
#define BALANCED_COPY_MIN PYMIC2__HOST_STREAMING_MIN
#define BALANCED_PIECE ((size_t)1 << 20)
#define BALANCED_PIECES_PER_THREAD 4
#define COPY_UNIT ((size_t)4096) /* pieces start at page boundaries of the destination */

static size_t round_up(size_t value, size_t multiple)
{
    return (value + multiple - 1) / multiple * multiple;
}

int pymic2__host_mem_alloc(pymic2_device *device, size_t nbytes, void **handle)
{
    pymic2__host_device *host = pymic2__host_of(device);
    if (nbytes >= host->hugepage_threshold) {
        /* over-map by one huge page, then trim to a 2 MiB-aligned region */
        size_t size = round_up(nbytes, HUGE_PAGE);
        size_t span = size + HUGE_PAGE;
        char *mapped = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                            -1, 0);
        if (mapped == MAP_FAILED)
            return pymic2__error(PYMIC2_ENOMEM, "%s: mmap of %zu bytes failed: %s",
                                 device->name, span, strerror(errno));
        char *aligned = (char *)round_up((uintptr_t)mapped, HUGE_PAGE);
        if (aligned > mapped)
            munmap(mapped, (size_t)(aligned - mapped));
        size_t tail = (size_t)(mapped + span - (aligned + size));
        if (tail > 0)
            munmap(aligned + size, tail);
        /* advice only: without transparent huge pages the region still works */
        madvise(aligned, size, MADV_HUGEPAGE);
        *handle = aligned;
        return PYMIC2_OK;
    }
    void *memory = NULL;
    int error = posix_memalign(&memory, CHUNK_ALIGNMENT, nbytes == 0 ? 1 : nbytes);
    if (error != 0)
        return pymic2__error(PYMIC2_ENOMEM, "%s: allocation of %zu bytes failed: %s",
                             device->name, nbytes, strerror(error));
    *handle = memory;
    return PYMIC2_OK;
}

void pymic2__host_mem_free(pymic2_device *device, void *handle, size_t nbytes)
{
    if (nbytes >= pymic2__host_of(device)->hugepage_threshold)
        munmap(handle, round_up(nbytes, HUGE_PAGE));
    else
        free(handle);
}

int pymic2__host_mem_address(pymic2_device *device, void *handle, size_t offset,
                             uintptr_t *address)
{
    (void)device;
    *address = (uintptr_t)handle + offset;
    return PYMIC2_OK;
}

/* ---------------------------------------------------------------- copies */

#if defined(__x86_64__)
/* 16-byte stores: SSE2 is part of x86-64, so no dispatch; write-combining makes whole lines
 * of them as fast as wider ones. */
void pymic2__host_stream_store(char *dst, const char *src, size_t nbytes)
{
    size_t head = (size_t)(-(uintptr_t)dst & 63);
    if (head > nbytes)
        head = nbytes;
    memcpy(dst, src, head);
    dst += head;
    src += head;
    nbytes -= head;
    size_t body = nbytes & ~(size_t)63;
    for (size_t i = 0; i < body; i += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)(src + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(src + i + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(src + i + 32));
        __m128i d = _mm_loadu_si128((const __m128i *)(src + i + 48));
        _mm_stream_si128((__m128i *)(dst + i), a);
        _mm_stream_si128((__m128i *)(dst + i + 16), b);
        _mm_stream_si128((__m128i *)(dst + i + 32), c);
        _mm_stream_si128((__m128i *)(dst + i + 48), d);
    }
    memcpy(dst + body, src + body, nbytes - body);
}

void pymic2__host_stream_fence(void)
{
    _mm_sfence();
}
#else
void pymic2__host_stream_store(char *dst, const char *src, size_t nbytes)
{
    memcpy(dst, src, nbytes);
}

void pymic2__host_stream_fence(void)
{
}
#endif

typedef struct copy_job {
    char *dst;
    const char *src;
    size_t nbytes;
    bool streaming;
} copy_job;

static void copy_piece(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    const copy_job *job = context;
    /* the first unit absorbs the destination's misalignment so that others start on pages */
    size_t lead = (size_t)(-(uintptr_t)job->dst & (COPY_UNIT - 1));
    size_t from = begin == 0 ? 0 : lead + (size_t)begin * COPY_UNIT;
    size_t to = lead + (size_t)end * COPY_UNIT;
    if (to > job->nbytes)
        to = job->nbytes;
    if (from >= to)
        return;
    if (job->streaming) {
        pymic2__host_stream_store(job->dst + from, job->src + from, to - from);
        /* visible before the piece reports done */
        pymic2__host_stream_fence();
    } else
        memcpy(job->dst + from, job->src + from, to - from);
}

void pymic2__host_copy(pymic2__host_device *host, void *dst, const void *src, size_t nbytes)
{
    uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;
    if (d < s + nbytes && s < d + nbytes) { /* d2d within one buffer */
        memmove(dst, src, nbytes);
        return;
    }
    if (nbytes < PARALLEL_COPY_MIN) {
        memcpy(dst, src, nbytes);
        return;
    }
    copy_job job = {dst, src, nbytes, nbytes >= PYMIC2__HOST_STREAMING_MIN};
    size_t lead = (size_t)(-(uintptr_t)dst & (COPY_UNIT - 1));
    int64_t units = (int64_t)((nbytes - (lead < nbytes ? lead : nbytes) + COPY_UNIT - 1) /
                              COPY_UNIT);
    if (units < 1)
        units = 1;
    if (nbytes < BALANCED_COPY_MIN) {
        pymic2__team_parallel_for(host->team, units, (int64_t)(PARALLEL_COPY_MIN / COPY_UNIT),
                                  copy_piece, &job);
        return;
    }
    const int64_t threads = pymic2__team_size(host->team);
    int64_t pieces = (int64_t)(nbytes / BALANCED_PIECE);
    if (pieces > BALANCED_PIECES_PER_THREAD * threads)
        pieces = BALANCED_PIECES_PER_THREAD * threads;
    if (pieces < threads)
        pieces = threads;
    pymic2__team_parallel_for_pieces(host->team, units, (int)pieces, copy_piece, &job);
}
