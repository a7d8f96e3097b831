/*
 * bench_runtime.c - pyMIC2's runtime costs measured through the C API alone.
 *
 *   pool      allocation and release of a size the pool has cached
 *   invoke    empty kernel, invoke + sync (the latency a Python call adds on top)
 *   h2d, d2h  transfers of 2^0 .. 2^max doubles beside a single-threaded memcpy of the same
 *             bytes between the same host buffers, interleaved repetition by repetition;
 *             from 16 MiB also memcpy split over two threads (a thread started per copy),
 *             the ceiling of any two-thread copy: where it is below 1.5x memcpy, so is
 *             the transfers' ratio
 *
 * Every figure is a median over repetitions, each repetition timed on its own. Results go to
 * a CSV file (one row per benchmark and size) and a short summary with the project's targets
 * goes to stdout. Usage: bench_runtime [--max-log2 N] [--csv PATH] [--kernel PATH]
 *                                      [--device SELECTOR] [--quick]
 */
#include <pymic2.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#ifndef PYMIC2_BENCH_EMPTY_KERNEL
#define PYMIC2_BENCH_EMPTY_KERNEL "bench_empty_kernel.so"
#endif

#define DEFAULT_MAX_LOG2 28 /* 2^28 doubles = 2 GiB, as in pyMIC's own benchmarks */
#define DEFAULT_CSV "bench/results/runtime_c.csv"

/* The project's targets, printed next to the measurements. */
#define TARGET_POOL_ALLOC_US 1.0
#define TARGET_INVOKE_US 5.0
#define TARGET_TRANSFER_RATIO 1.5
#define TARGET_TRANSFER_MIN_BYTES ((size_t)1 << 20)
/* From this size on, starting a thread (tens of microseconds) costs under 5 % of a copy. */
#define TWO_THREAD_MEMCPY_MIN_BYTES ((size_t)16 << 20)

typedef struct options {
    int max_log2;
    const char *csv_path;
    const char *kernel_path;
    const char *device_selector; /* NULL: the default device */
    int quick;                   /* fewer repetitions, for smoke runs */
} options;

typedef struct summary { /* what the run measured, for the closing summary */
    double median_us, p10_us, p90_us;
} summary;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* A benchmark that cannot run has nothing to report: say why and stop. */
static void check(int status, const char *what)
{
    if (status == PYMIC2_OK)
        return;
    fprintf(stderr, "bench_runtime: %s failed: %s (%s)\n", what, pymic2_status_name(status),
            pymic2_last_error());
    exit(EXIT_FAILURE);
}

static void *checked_malloc(size_t nbytes)
{
    void *memory = NULL;
    if (posix_memalign(&memory, 4096, nbytes ? nbytes : 1) != 0) {
        fprintf(stderr, "bench_runtime: cannot allocate %zu bytes of host memory\n", nbytes);
        exit(EXIT_FAILURE);
    }
    return memory;
}

/* Host memory for transfers as a NumPy program has it: NumPy asks for huge pages for large
 * arrays (as the device's pool does). With 4 KiB pages, in some processes both memcpy and
 * the copies into such memory ran 30-50 % slower than in others. */
static char *host_buffer(size_t nbytes)
{
    const size_t huge = (size_t)2 << 20;
    size_t rounded = (nbytes + huge - 1) / huge * huge;
    void *memory = NULL;
    if (posix_memalign(&memory, huge, rounded) != 0) {
        fprintf(stderr, "bench_runtime: cannot allocate %zu bytes of host memory\n", nbytes);
        exit(EXIT_FAILURE);
    }
    madvise(memory, rounded, MADV_HUGEPAGE);
    return memory;
}

typedef struct memcpy_half {
    char *dst;
    const char *src;
    size_t nbytes;
} memcpy_half;

static void *run_memcpy_half(void *argument)
{
    memcpy_half *half = argument;
    memcpy(half->dst, half->src, half->nbytes);
    return NULL;
}

/* memcpy with the second half on a thread started for it. */
static void two_thread_memcpy(char *dst, const char *src, size_t nbytes)
{
    size_t first = nbytes / 2 / 4096 * 4096;
    memcpy_half second = {dst + first, src + first, nbytes - first};
    pthread_t thread;
    if (pthread_create(&thread, NULL, run_memcpy_half, &second) != 0) {
        fprintf(stderr, "bench_runtime: cannot start a thread\n");
        exit(EXIT_FAILURE);
    }
    memcpy(dst, src, first);
    pthread_join(thread, NULL);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts samples in place and returns their median and 10th/90th percentiles. */
static summary summarise(double *samples, int n)
{
    qsort(samples, (size_t)n, sizeof *samples, compare_doubles);
    summary s;
    s.median_us = n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
    s.p10_us = samples[n / 10];
    s.p90_us = samples[n - 1 - n / 10];
    return s;
}

static void csv_row(FILE *csv, const char *benchmark, size_t nbytes, int repetitions,
                    summary s, double memcpy_median_us)
{
    fprintf(csv, "%s,%zu,%d,%.4f,%.4f,%.4f", benchmark, nbytes, repetitions, s.median_us,
            s.p10_us, s.p90_us);
    if (nbytes > 0 && memcpy_median_us > 0) {
        double gbps = (double)nbytes / (s.median_us * 1e3);
        double memcpy_gbps = (double)nbytes / (memcpy_median_us * 1e3);
        fprintf(csv, ",%.4f,%.4f,%.4f\n", gbps, memcpy_gbps, gbps / memcpy_gbps);
    } else {
        fprintf(csv, ",,,\n");
    }
}

static const char *verdict(int met)
{
    return met ? "meets target" : "MISSES target";
}

/* ---------------------------------------------------------------- pool */

static void bench_pool(pymic2_device *device, const options *opt, FILE *csv)
{
    static const size_t sizes[] = {512, (size_t)64 << 10, (size_t)1 << 20, (size_t)64 << 20};
    const int repetitions = opt->quick ? 1000 : 100000;
    double *alloc_us = checked_malloc(sizeof(double) * (size_t)repetitions);
    double *free_us = checked_malloc(sizeof(double) * (size_t)repetitions);

    printf("pool: allocation + release of a cached size, %d repetitions\n", repetitions);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        pymic2_buffer *buffer;
        /* The first allocation of a size reaches the device; the pool keeps it afterwards. */
        check(pymic2_buffer_alloc(device, sizes[i], 0, &buffer), "pool warm-up allocation");
        check(pymic2_buffer_release(buffer), "pool warm-up release");
        pymic2_pool_stats before, after;
        check(pymic2_pool_get_stats(device, &before), "pymic2_pool_get_stats");
        for (int r = 0; r < repetitions; r++) {
            double t0 = now_us();
            check(pymic2_buffer_alloc(device, sizes[i], 0, &buffer), "pymic2_buffer_alloc");
            double t1 = now_us();
            check(pymic2_buffer_release(buffer), "pymic2_buffer_release");
            double t2 = now_us();
            alloc_us[r] = t1 - t0;
            free_us[r] = t2 - t1;
        }
        check(pymic2_pool_get_stats(device, &after), "pymic2_pool_get_stats");
        summary alloc = summarise(alloc_us, repetitions);
        summary release = summarise(free_us, repetitions);
        csv_row(csv, "pool_alloc", sizes[i], repetitions, alloc, 0);
        csv_row(csv, "pool_free", sizes[i], repetitions, release, 0);
        size_t raw = after.n_allocations - before.n_allocations;
        printf("  %10zu bytes: alloc %.3f us, release %.3f us (median); %s (<= %.1f us)%s\n",
               sizes[i], alloc.median_us, release.median_us,
               verdict(alloc.median_us <= TARGET_POOL_ALLOC_US), TARGET_POOL_ALLOC_US,
               raw ? "; WARNING: the pool went to the device during the loop" : "");
    }
    check(pymic2_pool_free_all_blocks(device), "pymic2_pool_free_all_blocks");
    free(alloc_us);
    free(free_us);
}

/* ---------------------------------------------------------------- invoke */

static void bench_invoke(pymic2_device *device, pymic2_stream *stream, const options *opt,
                         FILE *csv)
{
    const int repetitions = opt->quick ? 1000 : 50000;
    pymic2_library *library;
    pymic2_kernel *kernel;
    check(pymic2_library_load(device, opt->kernel_path, &library), "loading the empty kernel");
    check(pymic2_kernel_find(library, "empty_kernel", &kernel), "finding empty_kernel");

    for (int r = 0; r < repetitions / 10; r++) { /* wakes the stream's worker and the caches */
        check(pymic2_kernel_invoke(stream, kernel, 0, NULL, NULL), "pymic2_kernel_invoke");
        check(pymic2_stream_sync(stream), "pymic2_stream_sync");
    }
    double *samples = checked_malloc(sizeof(double) * (size_t)repetitions);
    for (int r = 0; r < repetitions; r++) {
        double t0 = now_us();
        check(pymic2_kernel_invoke(stream, kernel, 0, NULL, NULL), "pymic2_kernel_invoke");
        check(pymic2_stream_sync(stream), "pymic2_stream_sync");
        samples[r] = now_us() - t0;
    }
    summary s = summarise(samples, repetitions);
    csv_row(csv, "invoke_empty_sync", 0, repetitions, s, 0);
    printf("invoke: empty kernel, invoke + sync, %d repetitions: median %.2f us "
           "(p10 %.2f, p90 %.2f); %s (<= %.1f us)\n",
           repetitions, s.median_us, s.p10_us, s.p90_us,
           verdict(s.median_us <= TARGET_INVOKE_US), TARGET_INVOKE_US);
    free(samples);
    check(pymic2_library_unload(library), "pymic2_library_unload");
}

/* ---------------------------------------------------------------- transfers */

/* Enough repetitions for a stable median, about 1 GiB moved per size, at least 5. */
static int transfer_repetitions(size_t nbytes, int quick)
{
    size_t budget = quick ? ((size_t)64 << 20) : ((size_t)1 << 30);
    size_t r = budget / nbytes;
    int cap = quick ? 100 : 1000;
    return r < 5 ? 5 : r > (size_t)cap ? cap : (int)r;
}

static void bench_transfers(pymic2_device *device, pymic2_stream *stream, const options *opt,
                            FILE *csv)
{
    const size_t max_bytes = sizeof(double) << opt->max_log2;
    /* One set of buffers at the largest size serves every size, so that each is touched
     * (page-faulted) once, before timing, and memcpy and the transfers use the same memory. */
    char *host_src = host_buffer(max_bytes);
    char *host_dst = host_buffer(max_bytes);
    memset(host_src, 1, max_bytes);
    memset(host_dst, 2, max_bytes);
    pymic2_buffer *buffer;
    check(pymic2_buffer_alloc(device, max_bytes, 0, &buffer), "allocating the device buffer");
    check(pymic2_memcpy_h2d(stream, buffer, 0, host_src, max_bytes), "first-touch h2d");
    check(pymic2_stream_sync(stream), "pymic2_stream_sync");

    const int max_repetitions = transfer_repetitions(1, opt->quick);
    double *memcpy_us = checked_malloc(sizeof(double) * (size_t)max_repetitions);
    double *h2d_us = checked_malloc(sizeof(double) * (size_t)max_repetitions);
    double *d2h_us = checked_malloc(sizeof(double) * (size_t)max_repetitions);
    double *two_thread_us = checked_malloc(sizeof(double) * (size_t)max_repetitions);
    double worst_ratio[2] = {1e300, 1e300}; /* h2d, d2h over sizes >= 1 MiB */

    printf("transfers: median bandwidth in GB/s (1e9 bytes/s), ratio to memcpy; memcpy on two "
           "threads from 16 MiB\n");
    printf("  %12s %6s %9s %9s %6s %9s %6s %9s %6s\n", "bytes", "reps", "memcpy", "h2d",
           "ratio", "d2h", "ratio", "memcpy2T", "ratio");
    for (int log2 = 0; log2 <= opt->max_log2; log2++) {
        size_t nbytes = sizeof(double) << log2;
        int repetitions = transfer_repetitions(nbytes, opt->quick);
        for (int r = -1; r < repetitions; r++) { /* r = -1: an untimed warm-up round */
            double t0 = now_us();
            memcpy(host_dst, host_src, nbytes);
            double t1 = now_us();
            check(pymic2_memcpy_h2d(stream, buffer, 0, host_src, nbytes), "pymic2_memcpy_h2d");
            check(pymic2_stream_sync(stream), "pymic2_stream_sync");
            double t2 = now_us();
            check(pymic2_memcpy_d2h(stream, host_dst, buffer, 0, nbytes), "pymic2_memcpy_d2h");
            check(pymic2_stream_sync(stream), "pymic2_stream_sync");
            double t3 = now_us();
            if (nbytes >= TWO_THREAD_MEMCPY_MIN_BYTES)
                two_thread_memcpy(host_dst, host_src, nbytes);
            double t4 = now_us();
            if (r >= 0) {
                memcpy_us[r] = t1 - t0;
                h2d_us[r] = t2 - t1;
                d2h_us[r] = t3 - t2;
                two_thread_us[r] = t4 - t3;
            }
        }
        /* The copies must have moved the bytes, or the timings mean nothing. */
        if (memcmp(host_dst, host_src, nbytes) != 0) {
            fprintf(stderr, "bench_runtime: h2d + d2h of %zu bytes did not return the data\n",
                    nbytes);
            exit(EXIT_FAILURE);
        }
        summary base = summarise(memcpy_us, repetitions);
        summary h2d = summarise(h2d_us, repetitions);
        summary d2h = summarise(d2h_us, repetitions);
        csv_row(csv, "memcpy", nbytes, repetitions, base, base.median_us);
        csv_row(csv, "h2d", nbytes, repetitions, h2d, base.median_us);
        csv_row(csv, "d2h", nbytes, repetitions, d2h, base.median_us);
        double base_gbps = (double)nbytes / (base.median_us * 1e3);
        double h2d_gbps = (double)nbytes / (h2d.median_us * 1e3);
        double d2h_gbps = (double)nbytes / (d2h.median_us * 1e3);
        printf("  %12zu %6d %9.2f %9.2f %6.2f %9.2f %6.2f", nbytes, repetitions, base_gbps,
               h2d_gbps, h2d_gbps / base_gbps, d2h_gbps, d2h_gbps / base_gbps);
        if (nbytes >= TWO_THREAD_MEMCPY_MIN_BYTES) {
            summary two = summarise(two_thread_us, repetitions);
            csv_row(csv, "memcpy_2threads", nbytes, repetitions, two, base.median_us);
            double two_gbps = (double)nbytes / (two.median_us * 1e3);
            printf(" %9.2f %6.2f", two_gbps, two_gbps / base_gbps);
        }
        printf("\n");
        fflush(stdout);
        if (nbytes >= TARGET_TRANSFER_MIN_BYTES) {
            double ratios[2] = {h2d_gbps / base_gbps, d2h_gbps / base_gbps};
            for (int d = 0; d < 2; d++)
                if (ratios[d] < worst_ratio[d])
                    worst_ratio[d] = ratios[d];
        }
    }
    if (max_bytes >= TARGET_TRANSFER_MIN_BYTES)
        printf("transfers >= 1 MiB: lowest ratio to memcpy h2d %.2fx, d2h %.2fx; %s "
               "(>= %.1fx)\n",
               worst_ratio[0], worst_ratio[1],
               verdict(worst_ratio[0] >= TARGET_TRANSFER_RATIO &&
                       worst_ratio[1] >= TARGET_TRANSFER_RATIO),
               TARGET_TRANSFER_RATIO);
    check(pymic2_buffer_release(buffer), "pymic2_buffer_release");
    check(pymic2_pool_free_all_blocks(device), "pymic2_pool_free_all_blocks");
    free(memcpy_us);
    free(h2d_us);
    free(d2h_us);
    free(two_thread_us);
    free(host_src);
    free(host_dst);
}

/* ---------------------------------------------------------------- main */

/* Other processes on the machine slow every figure down; say how busy it was. */
static void report_load(void)
{
    double load[1];
    if (getloadavg(load, 1) == 1)
        printf("load average (1 min) at start: %.2f%s\n", load[0],
               load[0] > 0.5 ? " -- other work is running, figures will be pessimistic" : "");
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: bench_runtime [--max-log2 N] [--csv PATH] [--kernel PATH]\n"
            "                     [--device SELECTOR] [--quick]\n"
            "  --max-log2 N   largest transfer is 2^N doubles (0..30, default %d)\n"
            "  --csv PATH     results file (default %s)\n"
            "  --kernel PATH  library with empty_kernel (default %s)\n"
            "  --device SEL   device selector (default: PYMIC2_DEVICE, else host:0)\n"
            "  --quick        fewer repetitions: a smoke run, not a measurement\n",
            DEFAULT_MAX_LOG2, DEFAULT_CSV, PYMIC2_BENCH_EMPTY_KERNEL);
}

static void parse_options(int argc, char **argv, options *opt)
{
    *opt = (options){DEFAULT_MAX_LOG2, DEFAULT_CSV, PYMIC2_BENCH_EMPTY_KERNEL, NULL, 0};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            exit(EXIT_SUCCESS);
        } else if (strcmp(arg, "--quick") == 0) {
            opt->quick = 1;
            continue;
        }
        if (value == NULL) {
            fprintf(stderr, "bench_runtime: unknown option or missing value: %s\n", arg);
            usage(stderr);
            exit(EXIT_FAILURE);
        }
        if (strcmp(arg, "--max-log2") == 0) {
            char *end;
            long n = strtol(value, &end, 10);
            if (*end != '\0' || n < 0 || n > 30) {
                fprintf(stderr, "bench_runtime: --max-log2 takes 0..30, not %s\n", value);
                exit(EXIT_FAILURE);
            }
            opt->max_log2 = (int)n;
        } else if (strcmp(arg, "--csv") == 0) {
            opt->csv_path = value;
        } else if (strcmp(arg, "--kernel") == 0) {
            opt->kernel_path = value;
        } else if (strcmp(arg, "--device") == 0) {
            opt->device_selector = value;
        } else {
            fprintf(stderr, "bench_runtime: unknown option: %s\n", arg);
            usage(stderr);
            exit(EXIT_FAILURE);
        }
        i++;
    }
}

/* Creates the parent directories of path (like mkdir -p on its dirname). */
static void make_parent_directories(const char *path)
{
    char *copy = strdup(path);
    for (char *slash = strchr(copy + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "bench_runtime: cannot create %s: %s\n", copy, strerror(errno));
            exit(EXIT_FAILURE);
        }
        *slash = '/';
    }
    free(copy);
}

int main(int argc, char **argv)
{
    options opt;
    parse_options(argc, argv, &opt);

    pymic2_device *device;
    if (opt.device_selector)
        check(pymic2_device_find(opt.device_selector, &device), "pymic2_device_find");
    else
        check(pymic2_device_default(&device), "pymic2_device_default");
    pymic2_device_info info;
    check(pymic2_device_get_info(device, &info), "pymic2_device_get_info");
    pymic2_stream *stream;
    check(pymic2_stream_default(device, &stream), "pymic2_stream_default");

    make_parent_directories(opt.csv_path);
    FILE *csv = fopen(opt.csv_path, "w");
    if (csv == NULL) {
        fprintf(stderr, "bench_runtime: cannot write %s: %s\n", opt.csv_path, strerror(errno));
        return EXIT_FAILURE;
    }
    fprintf(csv, "benchmark,bytes,repetitions,median_us,p10_us,p90_us,gbytes_per_s,"
                 "baseline_gbytes_per_s,ratio_vs_baseline\n");

    printf("device %s (%s), %d threads%s\n", info.name, info.description, info.num_threads,
           opt.quick ? "; --quick: a smoke run, not a measurement" : "");
    report_load();
    bench_pool(device, &opt, csv);
    bench_invoke(device, stream, &opt, csv);
    bench_transfers(device, stream, &opt, csv);

    if (fclose(csv) != 0) {
        fprintf(stderr, "bench_runtime: cannot write %s: %s\n", opt.csv_path, strerror(errno));
        return EXIT_FAILURE;
    }
    printf("results: %s\n", opt.csv_path);
    return EXIT_SUCCESS;
}
