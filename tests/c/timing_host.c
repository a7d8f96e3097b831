/*
 * timing_host.c - invoke+sync latency and copy bandwidth of the host backend, run by hand
 * (not a test: timings depend on the machine and its load).
 *
 *   PYMIC2_TEST_KERNELS=build/h1/tests/c/libtest_kernels.so build/h1/tests/c/timing_host
 */
#include "pymic2.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec * 1e-3;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values, int n)
{
    qsort(values, (size_t)n, sizeof *values, compare_doubles);
    return values[n / 2];
}

static int fail(const char *what, int status)
{
    fprintf(stderr, "%s: %s: %s\n", what, pymic2_status_name(status), pymic2_last_error());
    return 1;
}

int main(void)
{
    const char *path = getenv("PYMIC2_TEST_KERNELS");
    pymic2_device *device;
    pymic2_stream *stream;
    pymic2_library *library;
    pymic2_kernel *empty;
    int status = pymic2_device_default(&device);
    if (status == PYMIC2_OK)
        status = pymic2_stream_default(device, &stream);
    if (status == PYMIC2_OK && path != NULL)
        status = pymic2_library_load(device, path, &library);
    if (status == PYMIC2_OK && path != NULL)
        status = pymic2_kernel_find(library, "empty", &empty);
    if (status != PYMIC2_OK || path == NULL)
        return fail("setup (is PYMIC2_TEST_KERNELS set?)", status);

    enum { ROUNDS = 20000 };
    static double samples[ROUNDS];
    for (int warm = 0; warm < 1000; warm++) {
        pymic2_kernel_invoke(stream, empty, 0, NULL, NULL);
        pymic2_stream_sync(stream);
    }
    for (int i = 0; i < ROUNDS; i++) {
        double t0 = now_us();
        pymic2_kernel_invoke(stream, empty, 0, NULL, NULL);
        pymic2_stream_sync(stream);
        samples[i] = now_us() - t0;
    }
    double p50 = median(samples, ROUNDS);
    printf("empty invoke + sync: median %.2f us, p90 %.2f us, p99 %.2f us\n", p50,
           samples[ROUNDS * 9 / 10], samples[ROUNDS * 99 / 100]);

    /*
     * Copy bandwidth against a single-threaded memcpy of the same size, each measured twice:
     * "hot" reuses one set of buffers (a 1 MiB copy then runs from the caches), "cold" rotates
     * over sets that together exceed the last-level cache, so that every copy, memcpy or
     * pyMIC2, reads and writes memory that is not in any cache.
     */
    size_t sizes[] = {1u << 20, 16u << 20, 256u << 20};
    for (int s = 0; s < 3; s++) {
        size_t n = sizes[s];
        int nsets = n >= (128u << 20) ? 1 : (int)((128u << 20) / n);
        char **src = calloc((size_t)nsets, sizeof *src), **dst = calloc((size_t)nsets, sizeof *dst);
        pymic2_buffer **dev = calloc((size_t)nsets, sizeof *dev);
        for (int k = 0; k < nsets; k++) {
            src[k] = malloc(n);
            dst[k] = malloc(n);
            memset(src[k], k + 1, n);
            memset(dst[k], 0, n);
            status = pymic2_buffer_alloc(device, n, 0, &dev[k]);
            if (status != PYMIC2_OK)
                return fail("alloc", status);
            pymic2_memcpy_h2d(stream, dev[k], 0, src[k], n); /* faults the pages in */
        }
        pymic2_stream_sync(stream);
        for (int cold = 0; cold < 2; cold++) {
            int reps = n >= (256u << 20) ? 5 : n >= (16u << 20) ? 40 : 400;
            double *memcpy_t = calloc((size_t)reps, sizeof(double));
            double *h2d_t = calloc((size_t)reps, sizeof(double));
            double *d2h_t = calloc((size_t)reps, sizeof(double));
            for (int r = -1; r < reps; r++) {
                int k = cold ? (r + 1) % nsets : 0;
                double t0 = now_us();
                memcpy(dst[k], src[k], n);
                double t1 = now_us();
                k = cold ? (k + nsets / 3 + 1) % nsets : 0;
                pymic2_memcpy_h2d(stream, dev[k], 0, src[k], n);
                pymic2_stream_sync(stream);
                double t2 = now_us();
                k = cold ? (k + nsets / 3 + 1) % nsets : 0;
                pymic2_memcpy_d2h(stream, dst[k], dev[k], 0, n);
                pymic2_stream_sync(stream);
                double t3 = now_us();
                if (r >= 0) {
                    memcpy_t[r] = t1 - t0;
                    h2d_t[r] = t2 - t1;
                    d2h_t[r] = t3 - t2;
                }
            }
            double gb = (double)n / 1e3; /* bytes per microsecond -> GB/s */
            double m = gb / median(memcpy_t, reps), h = gb / median(h2d_t, reps),
                   d = gb / median(d2h_t, reps);
            /* many h2d copies enqueued, one sync: what an asynchronous program sees */
            int batch = reps < nsets ? reps : nsets;
            double t0 = now_us();
            for (int r = 0; r < batch; r++)
                pymic2_memcpy_h2d(stream, dev[cold ? r : 0], 0, src[cold ? r : 0], n);
            pymic2_stream_sync(stream);
            double p = gb * batch / (now_us() - t0);
            printf("%4zu MiB %s: memcpy %5.1f GB/s, h2d %5.1f GB/s (%.2fx), d2h %5.1f GB/s "
                   "(%.2fx), pipelined h2d %5.1f GB/s (%.2fx)\n",
                   n >> 20, cold ? "cold" : "hot ", m, h, h / m, d, d / m, p, p / m);
            free(memcpy_t);
            free(h2d_t);
            free(d2h_t);
        }
        bool same = true;
        for (int k = 0; k < nsets; k++) {
            same = same && memcmp(src[k], dst[k], n) == 0;
            pymic2_buffer_release(dev[k]);
            free(src[k]);
            free(dst[k]);
        }
        if (!same)
            printf("DATA MISMATCH at %zu bytes\n", n);
        free(src);
        free(dst);
        free(dev);
        pymic2_pool_free_all_blocks(device);
    }
    return 0;
}
