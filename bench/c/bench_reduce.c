/*
 * bench_reduce.c - reductions of an N x N float64 matrix resident on the device (timed up
 * to the end of pymic2_stream_sync) against plain single-threaded C loops that read memory
 * the way NumPy does (sum of rows into a row for axis 0, one long pass otherwise).
 *
 *   bench_reduce [--reps R] [N ...]      default N = 512 2048 4096
 *
 * Prints CSV: op,n,reps,pymic2_ms,loop_ms,ratio (ratio = loop / pymic2, medians; the two
 * are measured alternately so that other load on the machine hits both alike). Each
 * pyMIC2 result is checked against its loop's before timing.
 *
 * A last row per N, read_ceiling, bounds what two threads can gain on a memory-bound
 * reduction: the sum loop run over the matrix by two threads (each on a half; in the
 * pymic2_ms column) against the same loop on one thread. Its ratio is the most any
 * two-thread sum along the contiguous axis can gain over a one-thread one on this machine.
 *
 * The host's memory is madvised for huge pages, as NumPy and the device's pool do for
 * large arrays.
 */
#include "bench_util.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

typedef enum { SUM_ALL, SUM_AXIS0, SUM_AXIS1, ARGMAX_AXIS0, ARGMAX_AXIS1, NUM_CASES } bench_case;

static const char *const case_names[NUM_CASES] = {"sum", "sum_axis0", "sum_axis1",
                                                  "argmax_axis0", "argmax_axis1"};

/* A sum in 8 lanes (so the compiler vectorises it), as NumPy's pairwise sum's inner loop. */
static double lane_sum(const double *a, int64_t count)
{
    double lanes[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= count; i += 8)
        for (int k = 0; k < 8; k++)
            lanes[k] += a[i + k];
    double total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
                   ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    for (; i < count; i++)
        total += a[i];
    return total;
}

/* The reference loops; results into out (doubles, or int64 indices for argmax). */
static void loop(bench_case which, const double *a, int64_t n, void *out)
{
    double *values = out;
    int64_t *indices = out;
    switch (which) {
    case SUM_ALL:
        values[0] = lane_sum(a, n * n);
        break;
    case SUM_AXIS0:
        memcpy(values, a, (size_t)n * sizeof(double));
        for (int64_t r = 1; r < n; r++)
            for (int64_t j = 0; j < n; j++)
                values[j] += a[r * n + j];
        break;
    case SUM_AXIS1:
        for (int64_t r = 0; r < n; r++)
            values[r] = lane_sum(a + r * n, n);
        break;
    case ARGMAX_AXIS0: {
        double *best = malloc((size_t)n * sizeof(double));
        memcpy(best, a, (size_t)n * sizeof(double));
        memset(indices, 0, (size_t)n * sizeof(int64_t));
        for (int64_t r = 1; r < n; r++)
            for (int64_t j = 0; j < n; j++) {
                int better = a[r * n + j] > best[j];
                best[j] = better ? a[r * n + j] : best[j];
                indices[j] = better ? r : indices[j];
            }
        free(best);
        break;
    }
    case ARGMAX_AXIS1:
        for (int64_t r = 0; r < n; r++) {
            int64_t at = 0;
            for (int64_t j = 1; j < n; j++)
                at = a[r * n + j] > a[r * n + at] ? j : at;
            indices[r] = at;
        }
        break;
    default:
        break;
    }
}

static void launch(pymic2_stream *stream, bench_case which, pymic2_buffer *in, int64_t n,
                   pymic2_buffer *out)
{
    int64_t shape[2] = {n, n}, out_shape[1] = {which == SUM_ALL ? 1 : n};
    pymic2_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.reduction = which == ARGMAX_AXIS0 || which == ARGMAX_AXIS1 ? PYMIC2_REDUCE_ARGMAX
                                                                     : PYMIC2_REDUCE_SUM;
    desc.axes = which == SUM_ALL ? 3u : (which == SUM_AXIS0 || which == ARGMAX_AXIS0) ? 1u : 2u;
    desc.noperands = 2;
    pymic2_operand_contiguous(&desc.operands[0], in, 0, PYMIC2_FLOAT64, 2, shape);
    pymic2_operand_contiguous(&desc.operands[1], out, 0,
                              desc.reduction == PYMIC2_REDUCE_ARGMAX ? PYMIC2_INT64
                                                                     : PYMIC2_FLOAT64,
                              which == SUM_ALL ? 0 : 1, out_shape);
    BENCH_CHECK(pymic2_op_launch(stream, &desc));
    BENCH_CHECK(pymic2_stream_sync(stream));
}

/* Sums may differ in the last bits (other order); indices must be equal. */
static int agree(bench_case which, const void *got, const void *want, int64_t count)
{
    for (int64_t i = 0; i < count; i++) {
        if (which == ARGMAX_AXIS0 || which == ARGMAX_AXIS1) {
            if (((const int64_t *)got)[i] != ((const int64_t *)want)[i])
                return 0;
        } else {
            double g = ((const double *)got)[i], w = ((const double *)want)[i];
            if (!(fabs(g - w) <= 1e-9 * fabs(w)))
                return 0;
        }
    }
    return 1;
}

typedef struct half_sum {
    const double *a;
    int64_t count;
    double total;
} half_sum;

static void *run_half_sum(void *context)
{
    half_sum *half = context;
    half->total = lane_sum(half->a, half->count);
    return NULL;
}

/* The sum loop over count elements by two threads, each on a half: seconds. */
static double two_thread_sum_seconds(const double *a, int64_t count, double *total)
{
    half_sum halves[2] = {{a, count / 2, 0}, {a + count / 2, count - count / 2, 0}};
    pthread_t other;
    double start = bench_now_seconds();
    if (pthread_create(&other, NULL, run_half_sum, &halves[1]) != 0) {
        fprintf(stderr, "cannot start a thread\n");
        exit(1);
    }
    run_half_sum(&halves[0]);
    pthread_join(other, NULL);
    double seconds = bench_now_seconds() - start;
    *total = halves[0].total + halves[1].total;
    return seconds;
}

static void bench_read_ceiling(const double *host, int64_t n, int reps, double *two_times,
                               double *one_times)
{
    double total = 0, one = 0;
    for (int r = 0; r < reps; r++) {
        two_times[r] = two_thread_sum_seconds(host, n * n, &total);
        double start = bench_now_seconds();
        one = lane_sum(host, n * n);
        one_times[r] = bench_now_seconds() - start;
    }
    if (fabs(total - one) > 1e-9 * (double)(n * n)) {
        fprintf(stderr, "read_ceiling at N=%lld: the two sums disagree\n", (long long)n);
        exit(1);
    }
    double two_ms = bench_median(two_times, reps) * 1e3;
    double one_ms = bench_median(one_times, reps) * 1e3;
    printf("read_ceiling,%lld,%d,%.3f,%.3f,%.2f\n", (long long)n, reps, two_ms, one_ms,
           one_ms / two_ms);
    fflush(stdout);
}

static void bench(pymic2_stream *stream, int64_t n, int reps)
{
    size_t nbytes = (size_t)n * (size_t)n * sizeof(double);
    size_t huge = (size_t)2 << 20;
    double *host = aligned_alloc(huge, (nbytes + huge - 1) / huge * huge);
    if (host == NULL) {
        fprintf(stderr, "no memory for a %lld x %lld matrix\n", (long long)n, (long long)n);
        exit(1);
    }
    madvise(host, nbytes, MADV_HUGEPAGE);
    for (int64_t i = 0; i < n * n; i++)
        host[i] = (double)((i * 7919) % 10007) / 10007.0 - 0.25;
    pymic2_buffer *in, *out;
    BENCH_CHECK(pymic2_buffer_alloc(pymic2_stream_device(stream), nbytes, 0, &in));
    BENCH_CHECK(pymic2_buffer_alloc(pymic2_stream_device(stream), (size_t)n * 8, 0, &out));
    BENCH_CHECK(pymic2_memcpy_h2d(stream, in, 0, host, nbytes));
    BENCH_CHECK(pymic2_stream_sync(stream));
    void *got = malloc((size_t)n * 8), *want = malloc((size_t)n * 8);
    double *device_times = malloc((size_t)reps * sizeof(double));
    double *loop_times = malloc((size_t)reps * sizeof(double));
    for (int which = 0; which < NUM_CASES; which++) {
        int64_t count = which == SUM_ALL ? 1 : n;
        launch(stream, (bench_case)which, in, n, out);
        BENCH_CHECK(pymic2_memcpy_d2h(stream, got, out, 0, (size_t)count * 8));
        BENCH_CHECK(pymic2_stream_sync(stream));
        loop((bench_case)which, host, n, want);
        if (!agree((bench_case)which, got, want, count)) {
            fprintf(stderr, "%s at N=%lld: pyMIC2 and the loop disagree\n", case_names[which],
                    (long long)n);
            exit(1);
        }
        for (int r = 0; r < reps; r++) {
            double start = bench_now_seconds();
            launch(stream, (bench_case)which, in, n, out);
            device_times[r] = bench_now_seconds() - start;
            start = bench_now_seconds();
            loop((bench_case)which, host, n, want);
            loop_times[r] = bench_now_seconds() - start;
        }
        double device_ms = bench_median(device_times, reps) * 1e3;
        double loop_ms = bench_median(loop_times, reps) * 1e3;
        printf("%s,%lld,%d,%.3f,%.3f,%.2f\n", case_names[which], (long long)n, reps, device_ms,
               loop_ms, loop_ms / device_ms);
        fflush(stdout);
    }
    bench_read_ceiling(host, n, reps, device_times, loop_times);
    free(device_times);
    free(loop_times);
    free(got);
    free(want);
    BENCH_CHECK(pymic2_buffer_release(in));
    BENCH_CHECK(pymic2_buffer_release(out));
    free(host);
}

int main(int argc, char **argv)
{
    int reps = 21;
    int64_t sizes[16];
    int nsizes = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            reps = atoi(argv[++i]);
        } else if (atoll(argv[i]) > 0 && nsizes < 16) {
            sizes[nsizes++] = atoll(argv[i]);
        } else {
            fprintf(stderr, "usage: %s [--reps R] [N ...]\n", argv[0]);
            return 2;
        }
    }
    if (reps < 1)
        reps = 1;
    if (nsizes == 0) {
        static const int64_t defaults[] = {512, 2048, 4096};
        for (int i = 0; i < 3; i++)
            sizes[nsizes++] = defaults[i];
    }
    pymic2_device *device;
    pymic2_stream *stream;
    BENCH_CHECK(pymic2_device_find("host:0", &device));
    BENCH_CHECK(pymic2_stream_default(device, &stream));
    printf("op,n,reps,pymic2_ms,loop_ms,ratio\n");
    for (int i = 0; i < nsizes; i++)
        bench(stream, sizes[i], reps);
    return 0;
}
