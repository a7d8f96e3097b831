/*
 * bench_gemm.c - GFLOPS of pymic2_gemm (operands resident on the device, timed up to the
 * end of pymic2_stream_sync) against the same BLAS (OpenBLAS) called directly from C with
 * the device's thread count, for square float64 and float32 products.
 *
 *   bench_gemm [--large] [--reps R]    N = 128, 256, 512, 1024, 2048 (and 4096 with --large)
 *
 * Prints CSV: dtype,n,reps,pymic2_gflops,blas_gflops,ratio (medians; the two are measured
 * alternately so that other load on the machine hits both alike).
 */
#include "bench_util.h"

#include <cblas.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void bench(pymic2_stream *stream, int threads, pymic2_dtype dtype, int n, int reps)
{
    size_t itemsize = pymic2_dtype_size(dtype), nbytes = (size_t)n * (size_t)n * itemsize;
    char *host[3];
    pymic2_buffer *buffers[3];
    pymic2_gemm_desc desc;
    memset(&desc, 0, sizeof desc);
    pymic2_operand *operands[3] = {&desc.a, &desc.b, &desc.c};
    int64_t shape[2] = {n, n};
    for (int i = 0; i < 3; i++) {
        host[i] = aligned_alloc(64, nbytes);
        for (size_t e = 0; e < (size_t)n * (size_t)n; e++) {
            double value = (double)((e * 7 + (size_t)i) % 13) / 13.0 - 0.5;
            if (dtype == PYMIC2_FLOAT32)
                ((float *)host[i])[e] = (float)value;
            else
                ((double *)host[i])[e] = value;
        }
        BENCH_CHECK(pymic2_buffer_alloc(pymic2_stream_device(stream), nbytes, 0, &buffers[i]));
        BENCH_CHECK(pymic2_memcpy_h2d(stream, buffers[i], 0, host[i], nbytes));
        BENCH_CHECK(pymic2_operand_contiguous(operands[i], buffers[i], 0, dtype, 2, shape));
    }
    if (dtype == PYMIC2_FLOAT32)
        desc.alpha.f32 = 1;
    else
        desc.alpha.f64 = 1;
    BENCH_CHECK(pymic2_stream_sync(stream));
    double *ours = malloc(sizeof(double) * (size_t)(reps + 1));
    double *direct = malloc(sizeof(double) * (size_t)(reps + 1));
    for (int r = 0; r <= reps; r++) { /* round 0 warms up both */
        double start = bench_now_seconds();
        BENCH_CHECK(pymic2_gemm(stream, &desc));
        BENCH_CHECK(pymic2_stream_sync(stream));
        ours[r] = bench_now_seconds() - start;
        openblas_set_num_threads(threads);
        start = bench_now_seconds();
        if (dtype == PYMIC2_FLOAT32)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f,
                        (float *)host[0], n, (float *)host[1], n, 0.0f, (float *)host[2], n);
        else
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0,
                        (double *)host[0], n, (double *)host[1], n, 0.0, (double *)host[2], n);
        direct[r] = bench_now_seconds() - start;
    }
    double flops = 2.0 * n * (double)n * n;
    double ours_gflops = flops / bench_median(ours + 1, reps) * 1e-9;
    double direct_gflops = flops / bench_median(direct + 1, reps) * 1e-9;
    printf("%s,%d,%d,%.1f,%.1f,%.3f\n", pymic2_dtype_name(dtype), n, reps, ours_gflops,
           direct_gflops, ours_gflops / direct_gflops);
    fflush(stdout);
    for (int i = 0; i < 3; i++) {
        pymic2_buffer_release(buffers[i]);
        free(host[i]);
    }
    free(ours);
    free(direct);
}

int main(int argc, char **argv)
{
    int large = 0, reps = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--large") == 0) {
            large = 1;
        } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            reps = atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: %s [--large] [--reps R]\n", argv[0]);
            return 2;
        }
    }
    pymic2_device *device;
    pymic2_stream *stream;
    pymic2_device_info info;
    BENCH_CHECK(pymic2_device_default(&device));
    BENCH_CHECK(pymic2_stream_default(device, &stream));
    BENCH_CHECK(pymic2_device_get_info(device, &info));
    printf("dtype,n,reps,pymic2_gflops,blas_gflops,ratio\n");
    static const int sizes[] = {128, 256, 512, 1024, 2048, 4096};
    for (int s = 0; s < (large ? 6 : 5); s++)
        for (int t = 0; t < 2; t++) {
            int n = sizes[s];
            int count = reps > 0 ? reps : n >= 4096 ? 5 : n >= 2048 ? 7 : n >= 512 ? 15 : 51;
            bench(stream, info.num_threads, t == 0 ? PYMIC2_FLOAT64 : PYMIC2_FLOAT32, n, count);
        }
    return 0;
}
