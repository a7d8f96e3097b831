/*
 * test_library.c - user kernel libraries: loading, finding, every argument kind, 0..16
 * arguments, invoke validation, unloading while invocations are pending.
 */
#include "check.h"

#include <complex.h>
#include <dlfcn.h>

static pymic2_device *device;
static pymic2_stream *stream;
static pymic2_library *library;

static pymic2_kernel *find(const char *name)
{
    pymic2_kernel *kernel = NULL;
    CHECK_OK(pymic2_kernel_find(library, name, &kernel));
    return kernel;
}

static void test_load_and_find(void)
{
    pymic2_library *missing;
    CHECK_STATUS(pymic2_library_load(device, "/nonexistent/libnothing.so", &missing),
                 PYMIC2_ENOLIB);
    CHECK_MESSAGE_HAS("host:0: cannot load library /nonexistent/libnothing.so");
    CHECK_MESSAGE_HAS("No such file");
    /* a file that is not a shared object */
    CHECK_STATUS(pymic2_library_load(device, "/etc/hostname", &missing), PYMIC2_ENOLIB);
    CHECK_MESSAGE_HAS("/etc/hostname");
    CHECK_STATUS(pymic2_library_load(NULL, "x", &missing), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_library_load(device, NULL, &missing), PYMIC2_EINVAL);

    pymic2_kernel *kernel, *again;
    CHECK_STATUS(pymic2_kernel_find(library, "no_such_kernel", &kernel), PYMIC2_ENOKERNEL);
    CHECK_MESSAGE_HAS("no kernel no_such_kernel in library");
    CHECK_MESSAGE_HAS(check_kernels_path());
    CHECK_OK(pymic2_kernel_find(library, "scale", &kernel));
    CHECK_OK(pymic2_kernel_find(library, "scale", &again));
    CHECK(kernel == again);
    CHECK(strcmp(pymic2_kernel_name(kernel), "scale") == 0);
    CHECK(pymic2_library_device(library) == device);
    /* pyMIC's kernel pointer: the function's address in the loaded library */
    uintptr_t address = 0;
    CHECK_OK(pymic2_kernel_address(kernel, &address));
    void *handle = dlopen(check_kernels_path(), RTLD_NOW | RTLD_NOLOAD);
    CHECK(handle != NULL);
    CHECK(address != 0 && address == (uintptr_t)dlsym(handle, "scale"));
    dlclose(handle);
    CHECK_STATUS(pymic2_kernel_address(NULL, &address), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_kernel_address(kernel, NULL), PYMIC2_EINVAL);
}

static void test_argument_kinds(void)
{
    pymic2_buffer *out;
    CHECK_OK(pymic2_buffer_alloc(device, 4 * sizeof(double), 0, &out));
    pymic2_kernel_arg args[4] = {
        {.kind = PYMIC2_ARG_BUFFER, .buffer = out, .offset = sizeof(double)},
        {.kind = PYMIC2_ARG_INT64, .value.i64 = 40},
        {.kind = PYMIC2_ARG_FLOAT64, .value.f64 = 1.5},
        {.kind = PYMIC2_ARG_COMPLEX128, .value.c128 = {0.25, -3.0}},
    };
    CHECK_OK(pymic2_kernel_invoke(stream, find("combine_scalars"), 4, args, NULL));
    args[1].value.i64 = 1000; /* the command copied the scalars at enqueue time */
    double result[4] = {0};
    CHECK_OK(pymic2_memcpy_d2h(stream, result, out, 0, sizeof result));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(result[1] == 40 + 1.5 + 0.25 && result[2] == -3.0);

    /* NULL arrives as NULL, a buffer as non-NULL */
    pymic2_kernel_arg null_args[2] = {{.kind = PYMIC2_ARG_BUFFER, .buffer = out},
                                      {.kind = PYMIC2_ARG_NULL}};
    int64_t flag = -1;
    CHECK_OK(pymic2_kernel_invoke(stream, find("is_null"), 2, null_args, NULL));
    CHECK_OK(pymic2_memcpy_d2h(stream, &flag, out, 0, sizeof flag));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(flag == 1);
    null_args[1] = null_args[0];
    CHECK_OK(pymic2_kernel_invoke(stream, find("is_null"), 2, null_args, NULL));
    CHECK_OK(pymic2_memcpy_d2h(stream, &flag, out, 0, sizeof flag));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(flag == 0);

    /* 16 arguments, each in its place; some NULL */
    pymic2_kernel_arg many[16];
    many[0] = (pymic2_kernel_arg){.kind = PYMIC2_ARG_BUFFER, .buffer = out};
    int64_t expect = 0;
    for (int k = 1; k < 16; k++) {
        if (k % 5 == 0) {
            many[k] = (pymic2_kernel_arg){.kind = PYMIC2_ARG_NULL};
        } else {
            many[k] = (pymic2_kernel_arg){.kind = PYMIC2_ARG_INT64, .value.i64 = 100 + k * k};
            expect += k * (100 + k * k);
        }
    }
    int64_t sum = 0;
    CHECK_OK(pymic2_kernel_invoke(stream, find("weighted_sum16"), 16, many, NULL));
    CHECK_OK(pymic2_memcpy_d2h(stream, &sum, out, 0, sizeof sum));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(sum == expect);

    /* zero arguments, and a launch configuration (ignored by host kernels) */
    pymic2_launch_config config = {.work_dim = 1, .global_size = {64}};
    CHECK_OK(pymic2_kernel_invoke(stream, find("empty"), 0, NULL, &config));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK_OK(pymic2_buffer_release(out));
}

static void test_invoke_checks(void)
{
    pymic2_kernel *scale = find("scale");
    pymic2_buffer *x, *released;
    CHECK_OK(pymic2_buffer_alloc(device, 64, 0, &x));
    pymic2_kernel_arg args[17];
    for (int k = 0; k < 17; k++)
        args[k] = (pymic2_kernel_arg){.kind = PYMIC2_ARG_NULL};
    CHECK_STATUS(pymic2_kernel_invoke(stream, scale, 17, args, NULL), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("kernel scale: 17 arguments, the limit is 16");
    CHECK_STATUS(pymic2_kernel_invoke(stream, scale, -1, args, NULL), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_kernel_invoke(stream, scale, 2, NULL, NULL), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_kernel_invoke(NULL, scale, 0, NULL, NULL), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_kernel_invoke(stream, NULL, 0, NULL, NULL), PYMIC2_EINVAL);
    args[0] = (pymic2_kernel_arg){.kind = PYMIC2_ARG_BUFFER, .buffer = x, .offset = 65};
    CHECK_STATUS(pymic2_kernel_invoke(stream, scale, 1, args, NULL), PYMIC2_ERANGE);
    CHECK_MESSAGE_HAS("kernel scale argument 0");
    CHECK_MESSAGE_HAS("offset 65");
    args[0].buffer = NULL;
    CHECK_STATUS(pymic2_kernel_invoke(stream, scale, 1, args, NULL), PYMIC2_EINVAL);
    CHECK_OK(pymic2_buffer_alloc(device, 64, 0, &released));
    CHECK_OK(pymic2_buffer_release(released));
    args[0] = (pymic2_kernel_arg){.kind = PYMIC2_ARG_BUFFER, .buffer = released};
    CHECK_STATUS(pymic2_kernel_invoke(stream, scale, 1, args, NULL), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("was released");
    args[0] = (pymic2_kernel_arg){.kind = (pymic2_arg_kind)42};
    CHECK_STATUS(pymic2_kernel_invoke(stream, scale, 1, args, NULL), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("unknown kind 42");
    pymic2_launch_config config = {.work_dim = 4};
    CHECK_STATUS(pymic2_kernel_invoke(stream, scale, 0, NULL, &config), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("work_dim 4");
    config = (pymic2_launch_config){.work_dim = 2, .global_size = {8, 0}};
    CHECK_STATUS(pymic2_kernel_invoke(stream, scale, 0, NULL, &config), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("global_size[1] is 0");
    CHECK_OK(pymic2_buffer_release(x));
    uint64_t enqueued, completed;
    CHECK_OK(pymic2_stream_progress(stream, &enqueued, &completed));
    CHECK(enqueued == completed); /* nothing invalid was enqueued */
}

/* Unload waits for invocations still queued; a second library loads independently. */
static void test_unload_waits(void)
{
    pymic2_library *second;
    pymic2_kernel *sleep_us;
    CHECK_OK(pymic2_library_load(device, check_kernels_path(), &second));
    CHECK_OK(pymic2_kernel_find(second, "sleep_us", &sleep_us));
    pymic2_kernel_arg arg = {.kind = PYMIC2_ARG_INT64, .value.i64 = 150000};
    CHECK_OK(pymic2_kernel_invoke(stream, sleep_us, 1, &arg, NULL));
    CHECK_OK(pymic2_kernel_invoke(stream, sleep_us, 1, &arg, NULL));
    CHECK_STATUS(pymic2_stream_query(stream), PYMIC2_ENOTREADY);
    CHECK_OK(pymic2_library_unload(second));
    uint64_t enqueued, completed;
    CHECK_OK(pymic2_stream_progress(stream, &enqueued, &completed));
    CHECK(completed + 1 >= enqueued); /* both sleeps ran (finish may still be bookkeeping) */
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK_STATUS(pymic2_library_unload(NULL), PYMIC2_EINVAL);
}

int main(void)
{
    CHECK_OK(pymic2_device_find("host:0", &device));
    CHECK_OK(pymic2_stream_default(device, &stream));
    CHECK_OK(pymic2_library_load(device, check_kernels_path(), &library));
    test_load_and_find();
    test_argument_kinds();
    test_invoke_checks();
    test_unload_waits();
    CHECK_OK(pymic2_library_unload(library));
    pymic2_pool_stats stats;
    CHECK_OK(pymic2_pool_get_stats(device, &stats));
    CHECK(stats.used_bytes == 0);
    return CHECK_DONE();
}
