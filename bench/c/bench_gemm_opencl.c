/*
 * bench_gemm_opencl.c - DGEMM on opencl:0: pyMIC2's kernel against CLBlast on the same
 * OpenCL device, in one run, interleaved, repeated; prints the medians in GFLOPS.
 *
 *   build/<dir>/bench/bench_gemm_opencl [N] [repeats]      (default 2048, 5)
 */
#include <clblast_c.h>
#include <pymic2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values, int n)
{
    qsort(values, (size_t)n, sizeof values[0], compare);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

#define TRY(call)                                                                         \
    do {                                                                                  \
        int status_ = (call);                                                             \
        if (status_ != 0) {                                                               \
            fprintf(stderr, "%s failed: %d %s\n", #call, status_, pymic2_last_error());   \
            return 1;                                                                     \
        }                                                                                 \
    } while (0)

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
    TRY(pymic2_device_find("opencl:0", &device));
    TRY(pymic2_stream_default(device, &stream));
    pymic2_buffer *a, *b, *c;
    TRY(pymic2_buffer_alloc(device, bytes, 0, &a));
    TRY(pymic2_buffer_alloc(device, bytes, 0, &b));
    TRY(pymic2_buffer_alloc(device, bytes, 0, &c));
    TRY(pymic2_memcpy_h2d(stream, a, 0, host, bytes));
    TRY(pymic2_memcpy_h2d(stream, b, 0, host, bytes));
    pymic2_gemm_desc desc = {.alpha.f64 = 1.0};
    const int64_t shape[2] = {n, n};
    TRY(pymic2_operand_contiguous(&desc.a, a, 0, PYMIC2_FLOAT64, 2, shape));
    TRY(pymic2_operand_contiguous(&desc.b, b, 0, PYMIC2_FLOAT64, 2, shape));
    TRY(pymic2_operand_contiguous(&desc.c, c, 0, PYMIC2_FLOAT64, 2, shape));

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
        double t0 = now_s();
        TRY(pymic2_gemm(stream, &desc));
        TRY(pymic2_stream_sync(stream));
        double t1 = now_s();
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
        double t2 = now_s();
        if (r >= 0) {
            ours[r] = 2.0 * n * n * (double)n / (t1 - t0) / 1e9;
            theirs[r] = 2.0 * n * n * (double)n / (t2 - t1) / 1e9;
        }
    }
    /* the results agree */
    double *x = malloc(bytes), *y = malloc(bytes);
    TRY(pymic2_memcpy_d2h(stream, x, c, 0, bytes));
    TRY(pymic2_stream_sync(stream));
    clEnqueueReadBuffer(queue, cc, CL_TRUE, 0, bytes, y, 0, NULL, NULL);
    double worst = 0;
    for (size_t i = 0; i < (size_t)n * n; i++) {
        double d = x[i] > y[i] ? x[i] - y[i] : y[i] - x[i];
        worst = d > worst ? d : worst;
    }
    double mine = median(ours, repeats), clblast = median(theirs, repeats);
    printf("DGEMM N=%d on opencl:0, median of %d: pyMIC2 %.1f GFLOPS, CLBlast %.1f GFLOPS, "
           "ratio %.2f (max difference %.2g)\n", n, repeats, mine, clblast, mine / clblast,
           worst);
    return 0;
}
