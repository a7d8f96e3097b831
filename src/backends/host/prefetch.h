/*
 * prefetch.h - software prefetch for the host's long contiguous reads.
 *
 * A thread reading memory in order gets ahead of the hardware prefetchers by asking for the
 * lines a little further on into L2 (prefetcht1), a few lines per loop iteration: asking for
 * whole 4 KiB blocks at once was slower than not prefetching. Measured on this project's
 * 2-core Zen 4 VM with a plain two-thread sum of 128 MiB: 58 -> 70-75 GB/s while both
 * cores had their own share of memory bandwidth, 34 -> 40-42 GB/s while they did not. In
 * pyMIC2's ops (bench ops, N = 4096 float64, in the slower state): a == b 1.02-1.07x ->
 * 1.11-1.13x NumPy, sum 1.15-1.19x -> 1.21-1.22x. argmax along rows ran 5-10 % slower with
 * it, so its loop does not prefetch.
 */
#ifndef PYMIC2_HOST_PREFETCH_H
#define PYMIC2_HOST_PREFETCH_H

#include <stdint.h>

/* Ops reading at least this many bytes prefetch: data that fits the 32 MiB L3 gains
 * nothing, and the extra passes and instructions made a == b and sums of 512 x 512 and
 * 1024 x 1024 float64 5-15 % slower. */
#define PYMIC2__PREFETCH_MIN ((int64_t)32 << 20)

/* How far ahead of the bytes being read (2-4 KiB measured alike). */
#define PYMIC2__PREFETCH_DISTANCE 2048

/* Prefetch the lines of [at, at + nbytes) + PYMIC2__PREFETCH_DISTANCE into L2. Prefetches
 * do not fault, so reading ahead past the end of a buffer is harmless. */
static inline void pymic2__prefetch_ahead(const void *at, int64_t nbytes)
{
    const char *ahead = (const char *)at + PYMIC2__PREFETCH_DISTANCE;
    for (int64_t offset = 0; offset < nbytes; offset += 64)
        __builtin_prefetch(ahead + offset, 0, 2);
}

#endif /* PYMIC2_HOST_PREFETCH_H */
