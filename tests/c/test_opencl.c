/*
 * test_opencl.c - the OpenCL backend's runtime: discovery after the host devices, the pool
 * on cl_mem chunks, out-of-memory, copies with offsets (against the source bytes and
 * memmove), two streams ordered by an event, user kernels from .cl sources (results against
 * values computed here; build failures, missing kernels, bad launches) and the program disk
 * cache across processes (loads, corrupt files rebuilt). Exits 77 (skipped) when no OpenCL
 * device exists.
 */
#include "check.h"

#include <dirent.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

static pymic2_device *device;
static pymic2_stream *stream;
static char work_dir[] = "/tmp/pymic2_test_opencl_XXXXXX";
static char cache_dir[64];

static const char *kernel_source =
    "__kernel void scale(__global double *x, double factor, long n)\n"
    "{\n"
    "    size_t i = get_global_id(0);\n"
    "    if (i < (size_t)n) x[i] = x[i] * factor + (double)get_local_size(0);\n"
    "}\n"
    "__kernel void fill_index(__global long *out, long width)\n"
    "{\n"
    "    out[get_global_id(1) * width + get_global_id(0)] =\n"
    "        (long)(get_global_id(1) * 1000 + get_global_id(0));\n"
    "}\n"
    "__kernel void is_null(__global long *flag, __global double *maybe)\n"
    "{\n"
    "    flag[0] = maybe == 0 ? 1 : 2;\n"
    "}\n";

static void write_file(const char *path, const char *text)
{
    FILE *file = fopen(path, "w");
    CHECK(file != NULL);
    if (file == NULL)
        return;
    fputs(text, file);
    fclose(file);
}

static void fill(unsigned char *bytes, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        bytes[i] = (unsigned char)((i * 2654435761u + seed) >> 7);
}

/* ---------------------------------------------------------------- devices and memory */

static void test_registry(int host_devices)
{
    pymic2_device_info info;
    CHECK_OK(pymic2_device_get_info(device, &info));
    CHECK(strcmp(info.name, "opencl:0") == 0);
    CHECK(strcmp(info.backend, "opencl") == 0);
    CHECK(info.index == host_devices); /* after every host device */
    CHECK(info.backend_index == 0);
    CHECK(info.num_threads >= 1);
    CHECK(info.memory_bytes > 0);
    CHECK(strstr(info.description, "driver") != NULL);
    uintptr_t address;
    pymic2_buffer *buffer;
    CHECK_OK(pymic2_buffer_alloc(device, 64, 0, &buffer));
    CHECK_STATUS(pymic2_buffer_device_address(buffer, &address), PYMIC2_ENOTSUP);
    CHECK_MESSAGE_HAS("opencl:0");
    CHECK_OK(pymic2_buffer_release(buffer));
}

static void test_pool_reuse_and_oom(void)
{
    pymic2_pool_stats before, after;
    pymic2_buffer *buffer;
    CHECK_OK(pymic2_buffer_alloc(device, 3u << 20, 0, &buffer));
    CHECK_OK(pymic2_buffer_release(buffer));
    CHECK_OK(pymic2_pool_get_stats(device, &before));
    CHECK_OK(pymic2_buffer_alloc(device, 3u << 20, 0, &buffer));
    CHECK_OK(pymic2_pool_get_stats(device, &after));
    CHECK(after.n_allocations == before.n_allocations); /* the cached block came back */
    CHECK_OK(pymic2_buffer_release(buffer));
    CHECK_OK(pymic2_pool_free_all_blocks(device));
    CHECK_OK(pymic2_pool_get_stats(device, &after));
    CHECK(after.cached_bytes == 0);

    pymic2_device_info info;
    CHECK_OK(pymic2_device_get_info(device, &info));
    /* more than the whole device: larger than CL_DEVICE_MAX_MEM_ALLOC_SIZE too */
    CHECK_STATUS(pymic2_buffer_alloc(device, info.memory_bytes + 4096, 0, &buffer),
                 PYMIC2_ENOMEM);
    CHECK_MESSAGE_HAS("opencl:0");
    CHECK_MESSAGE_HAS("CL_DEVICE_MAX_MEM_ALLOC_SIZE");
    CHECK_OK(pymic2_buffer_alloc(device, 4096, 0, &buffer)); /* still usable */
    CHECK_OK(pymic2_buffer_release(buffer));
}

static void test_copies(void)
{
    const size_t sizes[] = {1, 777, (1u << 20) + 5};
    const size_t offsets[] = {0, 1, 4095};
    for (size_t s = 0; s < 3; s++) {
        for (size_t o = 0; o < 3; o++) {
            size_t n = sizes[s], offset = offsets[o];
            unsigned char *source = malloc(n), *back = malloc(n + 1);
            fill(source, n, (unsigned)(s * 3 + o));
            memset(back, 0xEE, n + 1);
            pymic2_buffer *a, *b;
            CHECK_OK(pymic2_buffer_alloc(device, n + offset, 0, &a));
            CHECK_OK(pymic2_buffer_alloc(device, n + 2 * offset, 0, &b));
            CHECK_OK(pymic2_memcpy_h2d(stream, a, offset, source, n));
            CHECK_OK(pymic2_memcpy_d2d(stream, b, 2 * offset, a, offset, n));
            CHECK_OK(pymic2_memcpy_d2h(stream, back, b, 2 * offset, n));
            CHECK_OK(pymic2_buffer_release(a)); /* the pending commands hold them */
            CHECK_OK(pymic2_buffer_release(b));
            CHECK_OK(pymic2_stream_sync(stream));
            CHECK(memcmp(back, source, n) == 0);
            CHECK(back[n] == 0xEE);
            free(source);
            free(back);
        }
    }
    /* overlapping copies inside one buffer act like memmove, both directions */
    const size_t n = 1u << 16;
    unsigned char *expect = malloc(n), *got = malloc(n);
    fill(expect, n, 5);
    pymic2_buffer *buffer;
    CHECK_OK(pymic2_buffer_alloc(device, n, 0, &buffer));
    CHECK_OK(pymic2_memcpy_h2d(stream, buffer, 0, expect, n));
    CHECK_OK(pymic2_memcpy_d2d(stream, buffer, 100, buffer, 0, n - 100));
    CHECK_OK(pymic2_memcpy_d2d(stream, buffer, 0, buffer, 7, n - 7));
    CHECK_OK(pymic2_memcpy_d2h(stream, got, buffer, 0, n));
    CHECK_OK(pymic2_stream_sync(stream));
    memmove(expect + 100, expect, n - 100);
    memmove(expect, expect + 7, n - 7);
    CHECK(memcmp(expect, got, n) == 0);
    /* zero bytes and out-of-range copies */
    CHECK_OK(pymic2_memcpy_h2d(stream, buffer, n, expect, 0));
    CHECK_STATUS(pymic2_memcpy_h2d(stream, buffer, 1024, expect, n), PYMIC2_ERANGE);
    CHECK_MESSAGE_HAS("opencl:0");
    CHECK_STATUS(pymic2_memcpy_d2h(stream, got, buffer, n - 1, 2), PYMIC2_ERANGE);
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK_OK(pymic2_buffer_release(buffer));
    free(expect);
    free(got);
}

/* A copy to the device has read its source when the call returns, idle stream or busy. */
static void test_copy_source_reuse(void)
{
    const size_t n = 1u << 20, big = 64u << 20;
    unsigned char *source = malloc(n), *expect = malloc(n), *back = malloc(n);
    pymic2_buffer *target, *busy_a, *busy_b;
    CHECK_OK(pymic2_buffer_alloc(device, n, 0, &target));
    CHECK_OK(pymic2_buffer_alloc(device, big, 0, &busy_a));
    CHECK_OK(pymic2_buffer_alloc(device, big, 0, &busy_b));
    for (int busy = 0; busy < 2; busy++) {
        fill(source, n, 20 + (unsigned)busy);
        memcpy(expect, source, n);
        CHECK_OK(pymic2_stream_sync(stream));
        if (busy) /* a long device copy ahead of it */
            CHECK_OK(pymic2_memcpy_d2d(stream, busy_b, 0, busy_a, 0, big));
        CHECK_OK(pymic2_memcpy_h2d(stream, target, 0, source, n));
        memset(source, 0, n);
        CHECK_OK(pymic2_memcpy_d2h(stream, back, target, 0, n));
        CHECK_OK(pymic2_stream_sync(stream));
        CHECK(memcmp(back, expect, n) == 0);
    }
    CHECK_OK(pymic2_buffer_release(target));
    CHECK_OK(pymic2_buffer_release(busy_a));
    CHECK_OK(pymic2_buffer_release(busy_b));
    free(source);
    free(expect);
    free(back);
}

/* Stream 2 copies what stream 1 wrote, ordered only by an event. */
static void test_two_streams(void)
{
    const size_t n = 8u << 20;
    unsigned char *source = malloc(n), *back = malloc(n);
    fill(source, n, 11);
    pymic2_stream *second;
    pymic2_event *written, *start, *end;
    pymic2_buffer *a, *b;
    CHECK_OK(pymic2_stream_create(device, &second));
    CHECK_OK(pymic2_event_create(device, &written));
    CHECK_OK(pymic2_event_create(device, &start));
    CHECK_OK(pymic2_event_create(device, &end));
    CHECK_OK(pymic2_buffer_alloc(device, n, 0, &a));
    CHECK_OK(pymic2_buffer_alloc(device, n, 0, &b));
    for (int round = 0; round < 3; round++) {
        source[0] = (unsigned char)round;
        CHECK_OK(pymic2_event_record(start, stream));
        CHECK_OK(pymic2_memcpy_h2d(stream, a, 0, source, n));
        CHECK_OK(pymic2_event_record(written, stream));
        CHECK_OK(pymic2_stream_wait_event(second, written));
        CHECK_OK(pymic2_memcpy_d2d(second, b, 0, a, 0, n));
        CHECK_OK(pymic2_memcpy_d2h(second, back, b, 0, n));
        CHECK_OK(pymic2_event_record(end, second));
        CHECK_OK(pymic2_stream_sync(second));
        CHECK(memcmp(back, source, n) == 0);
        double ms = -1;
        CHECK_OK(pymic2_event_elapsed_ms(start, end, &ms));
        CHECK(ms >= 0);
        CHECK_OK(pymic2_stream_sync(stream));
    }
    CHECK_OK(pymic2_buffer_release(a));
    CHECK_OK(pymic2_buffer_release(b));
    CHECK_OK(pymic2_event_destroy(written));
    CHECK_OK(pymic2_event_destroy(start));
    CHECK_OK(pymic2_event_destroy(end));
    CHECK_OK(pymic2_stream_destroy(second));
    free(source);
    free(back);
}

/* ---------------------------------------------------------------- user kernels */

static pymic2_kernel_arg buffer_arg(pymic2_buffer *buffer, size_t offset)
{
    return (pymic2_kernel_arg){.kind = PYMIC2_ARG_BUFFER, .buffer = buffer, .offset = offset};
}

static void test_invoke(const char *path)
{
    pymic2_library *library;
    pymic2_kernel *scale, *fill_index, *is_null, *again;
    CHECK_OK(pymic2_library_load(device, path, &library));
    CHECK_OK(pymic2_kernel_find(library, "scale", &scale));
    CHECK_OK(pymic2_kernel_find(library, "scale", &again));
    CHECK(again == scale);
    CHECK_OK(pymic2_kernel_find(library, "fill_index", &fill_index));
    CHECK_OK(pymic2_kernel_find(library, "is_null", &is_null));
    uintptr_t address;
    CHECK_STATUS(pymic2_kernel_address(scale, &address), PYMIC2_ENOTSUP); /* no code address */
    CHECK_MESSAGE_HAS("has no device address");
    CHECK_STATUS(pymic2_kernel_find(library, "absent", &again), PYMIC2_ENOKERNEL);
    CHECK_MESSAGE_HAS("absent");
    CHECK_MESSAGE_HAS(path);

    /* 1-D with a local size, on a slice that starts 4096 bytes into the buffer */
    enum { N = 1000, SKIP = 512 };
    double values[N + SKIP], back[N + SKIP];
    for (int i = 0; i < N + SKIP; i++)
        values[i] = i * 0.5 - 3;
    pymic2_buffer *x;
    CHECK_OK(pymic2_buffer_alloc(device, sizeof values, 0, &x));
    CHECK_OK(pymic2_memcpy_h2d(stream, x, 0, values, sizeof values));
    pymic2_kernel_arg args[3] = {buffer_arg(x, SKIP * sizeof(double)),
                                 {.kind = PYMIC2_ARG_FLOAT64, .value.f64 = 3.0},
                                 {.kind = PYMIC2_ARG_INT64, .value.i64 = N}};
    pymic2_launch_config config = {.work_dim = 1, .global_size = {1024}, .local_size = {8}};
    CHECK_OK(pymic2_kernel_invoke(stream, scale, 3, args, &config));
    CHECK_OK(pymic2_memcpy_d2h(stream, back, x, 0, sizeof back));
    CHECK_OK(pymic2_stream_sync(stream));
    int wrong = 0;
    for (int i = 0; i < N + SKIP; i++)
        wrong += back[i] != (i < SKIP ? values[i] : values[i] * 3.0 + 8.0);
    CHECK(wrong == 0);

    /* 2-D, the backend choosing the local size */
    enum { W = 37, H = 5 };
    int64_t grid[W * H];
    pymic2_buffer *out;
    CHECK_OK(pymic2_buffer_alloc(device, sizeof grid, 0, &out));
    pymic2_kernel_arg grid_args[2] = {buffer_arg(out, 0),
                                      {.kind = PYMIC2_ARG_INT64, .value.i64 = W}};
    pymic2_launch_config grid_config = {.work_dim = 2, .global_size = {W, H}};
    CHECK_OK(pymic2_kernel_invoke(stream, fill_index, 2, grid_args, &grid_config));
    CHECK_OK(pymic2_memcpy_d2h(stream, grid, out, 0, sizeof grid));
    CHECK_OK(pymic2_stream_sync(stream));
    wrong = 0;
    for (int y = 0; y < H; y++)
        for (int x0 = 0; x0 < W; x0++)
            wrong += grid[y * W + x0] != y * 1000 + x0;
    CHECK(wrong == 0);

    /* None passes a NULL pointer */
    pymic2_kernel_arg null_args[2] = {buffer_arg(out, 0), {.kind = PYMIC2_ARG_NULL}};
    pymic2_launch_config one = {.work_dim = 1, .global_size = {1}};
    CHECK_OK(pymic2_kernel_invoke(stream, is_null, 2, null_args, &one));
    CHECK_OK(pymic2_memcpy_d2h(stream, grid, out, 0, sizeof(int64_t)));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(grid[0] == 1);

    /* launch errors are reported when the command is enqueued */
    CHECK_STATUS(pymic2_kernel_invoke(stream, scale, 3, args, NULL), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("global_size");
    CHECK_STATUS(pymic2_kernel_invoke(stream, scale, 2, args, &config), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("takes 3 arguments, 2 given");
    pymic2_kernel_arg int_for_double[3] = {args[0], args[2], args[2]};
    CHECK_OK(pymic2_kernel_invoke(stream, scale, 3, int_for_double, &config)); /* same size */
    pymic2_kernel_arg complex_arg[3] = {args[0], {.kind = PYMIC2_ARG_COMPLEX128}, args[2]};
    CHECK_STATUS(pymic2_kernel_invoke(stream, scale, 3, complex_arg, &config), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("argument 1 (passed as double2)");
    pymic2_launch_config huge_group = {.work_dim = 1, .global_size = {1u << 20},
                                       .local_size = {1u << 20}};
    CHECK_STATUS(pymic2_kernel_invoke(stream, scale, 3, args, &huge_group), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("launch of kernel scale");
    pymic2_kernel_arg misaligned[3] = {buffer_arg(x, 8), args[1], args[2]};
    CHECK_STATUS(pymic2_kernel_invoke(stream, scale, 3, misaligned, &config), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("base alignment");
    CHECK_OK(pymic2_stream_sync(stream));

    CHECK_OK(pymic2_buffer_release(x));
    CHECK_OK(pymic2_buffer_release(out));
    CHECK_OK(pymic2_library_unload(library));
}

static void test_library_errors(void)
{
    char path[128];
    pymic2_library *library;
    snprintf(path, sizeof path, "%s/broken.cl", work_dir);
    write_file(path, "__kernel void broken(__global int *x) { x[0] = undeclared_name; }\n");
    CHECK_STATUS(pymic2_library_load(device, path, &library), PYMIC2_EBUILD);
    CHECK_MESSAGE_HAS(path);
    CHECK_MESSAGE_HAS("undeclared_name"); /* the compiler's log */
    CHECK_MESSAGE_HAS("opencl:0");
    snprintf(path, sizeof path, "%s/missing.cl", work_dir);
    CHECK_STATUS(pymic2_library_load(device, path, &library), PYMIC2_ENOLIB);
    CHECK_MESSAGE_HAS("missing.cl");
    /* a shared object is not a source: refused by name, not fed to the compiler */
    CHECK_STATUS(pymic2_library_load(device, check_kernels_path(), &library), PYMIC2_ENOLIB);
    CHECK_MESSAGE_HAS("not an OpenCL C source");
}

/* ---------------------------------------------------------------- disk cache */

static int cache_files(void)
{
    int n = 0;
    DIR *dir = opendir(cache_dir);
    if (dir == NULL)
        return -1;
    for (struct dirent *entry; (entry = readdir(dir)) != NULL;)
        n += strstr(entry->d_name, ".clbin") != NULL;
    closedir(dir);
    return n;
}

/* Runs this program as "child" (loads the library, prints its build statistics). */
static void run_child(const char *path, pymic2_build_stats *stats)
{
    char command[1024];
    snprintf(command, sizeof command, "/proc/%ld/exe --child %s", (long)getpid(), path);
    FILE *pipe = popen(command, "r");
    CHECK(pipe != NULL);
    if (pipe == NULL)
        return;
    unsigned long long builds = 99, loads = 99;
    double ms = -1;
    CHECK(fscanf(pipe, "builds %llu loads %llu ms %lf", &builds, &loads, &ms) == 3);
    CHECK(pclose(pipe) == 0);
    stats->builds = builds;
    stats->disk_loads = loads;
    stats->build_ms = ms;
}

static int child_main(const char *path)
{
    pymic2_device *opencl;
    pymic2_library *library;
    pymic2_build_stats stats;
    if (pymic2_device_find("opencl:0", &opencl) != 0 ||
        pymic2_library_load(opencl, path, &library) != 0 || pymic2_build_stats_get(&stats) != 0) {
        fprintf(stderr, "child: %s\n", pymic2_last_error());
        return 1;
    }
    printf("builds %llu loads %llu ms %f\n", (unsigned long long)stats.builds,
           (unsigned long long)stats.disk_loads, stats.build_ms);
    return pymic2_library_unload(library) == 0 ? 0 : 1;
}

static void test_disk_cache(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/cached.cl", work_dir);
    write_file(path, "__kernel void only_here(__global float *x) { x[0] = 41.0f; }\n");
    pymic2_build_stats stats = {0};
    int files_before = cache_files(); /* kernels.cl of test_invoke is there already */
    CHECK(files_before >= 1);
    run_child(path, &stats);
    CHECK(stats.builds == 1 && stats.disk_loads == 0); /* first: compiled and stored */
    CHECK(cache_files() == files_before + 1);
    run_child(path, &stats);
    /* second process: from disk, linked without compiling */
    CHECK(stats.builds == 0 && stats.disk_loads == 1);

    /* garble the stored binary: the next process rebuilds and rewrites it */
    DIR *dir = opendir(cache_dir);
    for (struct dirent *entry; dir != NULL && (entry = readdir(dir)) != NULL;) {
        if (strstr(entry->d_name, ".clbin") == NULL)
            continue;
        char file_path[1024];
        snprintf(file_path, sizeof file_path, "%s/%s", cache_dir, entry->d_name);
        FILE *file = fopen(file_path, "r+b");
        CHECK(file != NULL);
        if (file != NULL) {
            fseek(file, -16, SEEK_END);
            fwrite("garbage-garbage!", 1, 16, file);
            fclose(file);
        }
    }
    if (dir != NULL)
        closedir(dir);
    run_child(path, &stats);
    CHECK(stats.builds == 1 && stats.disk_loads == 0);
    run_child(path, &stats);
    CHECK(stats.builds == 0 && stats.disk_loads == 1);

    /* an unusable directory costs build time only */
    setenv("PYMIC2_CACHE_DIR", "/proc/no_such_place", 1);
    run_child(path, &stats);
    CHECK(stats.builds == 1 && stats.disk_loads == 0);
    setenv("PYMIC2_CACHE_DIR", cache_dir, 1);
}

static void remove_tree(const char *path)
{
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", path);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", path);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--child") == 0)
        return child_main(argv[2]);
    if (mkdtemp(work_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(cache_dir, sizeof cache_dir, "%s/cache", work_dir);
    setenv("PYMIC2_CACHE_DIR", cache_dir, 1);
    int count = 0, host_devices = 0;
    CHECK_OK(pymic2_device_count(&count));
    for (int i = 0; i < count; i++) {
        pymic2_device *candidate;
        pymic2_device_info info;
        CHECK_OK(pymic2_device_get(i, &candidate));
        CHECK_OK(pymic2_device_get_info(candidate, &info));
        host_devices += strcmp(info.backend, "host") == 0;
    }
    if (pymic2_device_find("opencl:0", &device) != PYMIC2_OK) {
        printf("skipped: no OpenCL device (%s)\n", pymic2_last_error());
        remove_tree(work_dir);
        return 77;
    }
    CHECK_OK(pymic2_stream_default(device, &stream));
    char path[512];
    snprintf(path, sizeof path, "%s/kernels.cl", work_dir);
    write_file(path, kernel_source);
    test_registry(host_devices);
    test_pool_reuse_and_oom();
    test_copies();
    test_copy_source_reuse();
    test_two_streams();
    test_invoke(path);
    test_library_errors();
    test_disk_cache();
    remove_tree(work_dir);
    return CHECK_DONE();
}
