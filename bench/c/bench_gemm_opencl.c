/*
 * bench_gemm_opencl.c - DGEMM on opencl:0: pyMIC2's kernel against CLBlast on the same
 * OpenCL device, in one run, interleaved, repeated; prints the medians in GFLOPS.
 *
 *   build/<dir>/bench/bench_gemm_opencl [N] [repeats]      (default 2048, 5)
 */
#include <clblast_c.h>
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
    const int n = argc > 1 ? atoi(argv[1]) : 2048;
    const int repeats = argc > 2 ? atoi(argv[2]) : 5;
    const size_t bytes = (size_t)n * n * sizeof(double);
    double *host = malloc(bytes);
    for (size_t i = 0; i < (size_t)n * n; i++)
        host[i] = (double)(i % 17) / 17.0;

    /* pyMIC2 */
    pymic2_device *device;
    pymic2_stream *stream;
    BENCH_CHECK(pymic2_device_find("opencl:0", &device));
    BENCH_CHECK(pymic2_stream_default(device, &stream));
    pymic2_buffer *a, *b, *c;
    BENCH_CHECK(pymic2_buffer_alloc(device, bytes, 0, &a));
    BENCH_CHECK(pymic2_buffer_alloc(device, bytes, 0, &b));
    BENCH_CHECK(pymic2_buffer_alloc(device, bytes, 0, &c));
    BENCH_CHECK(pymic2_memcpy_h2d(stream, a, 0, host, bytes));
    BENCH_CHECK(pymic2_memcpy_h2d(stream, b, 0, host, bytes));
    pymic2_gemm_desc desc = {.alpha.f64 = 1.0};
    const int64_t shape[2] = {n, n};
    BENCH_CHECK(pymic2_operand_contiguous(&desc.a, a, 0, PYMIC2_FLOAT64, 2, shape));
    BENCH_CHECK(pymic2_operand_contiguous(&desc.b, b, 0, PYMIC2_FLOAT64, 2, shape));
    BENCH_CHECK(pymic2_operand_contiguous(&desc.c, c, 0, PYMIC2_FLOAT64, 2, shape));

    /* CLBlast on its own context of the same device */
    cl_platform_id platform;
    cl_device_id cl_device;
    cl_int err = clGetPlatformIDs(1, &platform, NULL);
    err |= clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &cl_device, NULL);
    cl_context context = clCreateContext(NULL, 1, &cl_device, NULL, NULL, &err);
    cl_command_queue queue = clCreateCommandQueueWithProperties(context, cl_device, NULL, &err);
    cl_mem ca = clCreateBuffer(context, CL_MEM_COPY_HOST_PTR, bytes, host, &err);
    cl_mem cb = clCreateBuffer(context, CL_MEM_COPY_HOST_PTR, bytes, host, &err);
    cl_mem cc = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, NULL, &err);
    if (err != CL_SUCCESS) {
        fprintf(stderr, "OpenCL set-up failed: %d\n", err);
        return 1;
    }

    double *ours = malloc((size_t)repeats * sizeof(double));
    double *theirs = malloc((size_t)repeats * sizeof(double));
    for (int r = -1; r < repeats; r++) { /* r = -1: warm-up (kernel builds, CLBlast tuning) */
        double t0 = bench_now_seconds();
        BENCH_CHECK(pymic2_gemm(stream, &desc));
        BENCH_CHECK(pymic2_stream_sync(stream));
        double t1 = bench_now_seconds();
        cl_event event;
        CLBlastStatusCode status =
            CLBlastDgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo,
                         (size_t)n, (size_t)n, (size_t)n, 1.0, ca, 0, (size_t)n, cb, 0,
                         (size_t)n, 0.0, cc, 0, (size_t)n, &queue, &event);
        if (status != CLBlastSuccess) {
            fprintf(stderr, "CLBlastDgemm failed: %d\n", (int)status);
            return 1;
        }
        clWaitForEvents(1, &event);
        clReleaseEvent(event);
        double t2 = bench_now_seconds();
        if (r >= 0) {
            ours[r] = 2.0 * n * n * (double)n / (t1 - t0) / 1e9;
            theirs[r] = 2.0 * n * n * (double)n / (t2 - t1) / 1e9;
        }
    }
    /* the results agree */
    double *x = malloc(bytes), *y = malloc(bytes);
    BENCH_CHECK(pymic2_memcpy_d2h(stream, x, c, 0, bytes));
    BENCH_CHECK(pymic2_stream_sync(stream));
    clEnqueueReadBuffer(queue, cc, CL_TRUE, 0, bytes, y, 0, NULL, NULL);
    double worst = 0;
    for (size_t i = 0; i < (size_t)n * n; i++) {
        double d = x[i] > y[i] ? x[i] - y[i] : y[i] - x[i];
        worst = d > worst ? d : worst;
    }
    double mine = bench_median(ours, repeats), clblast = bench_median(theirs, repeats);
    printf("DGEMM N=%d on opencl:0, median of %d: pyMIC2 %.1f GFLOPS, CLBlast %.1f GFLOPS, "
           "ratio %.2f (max difference %.2g)\n", n, repeats, mine, clblast, mine / clblast,
           worst);
    return 0;
}
