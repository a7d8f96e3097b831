/*
 * test_devices.c - the registry: count, names, selectors, info, the default device. Built
 * twice: plainly (one host device) and with EXPECT_HOST_DEVICES=2, run under
 * PYMIC2_HOST_DEVICES=2, where it also checks work on two devices and cross-device errors.
 */
#include "check.h"

#include <stdlib.h>

#ifndef EXPECT_HOST_DEVICES
#define EXPECT_HOST_DEVICES 1
#endif

static void test_registry(void)
{
    int count = 0;
    CHECK_OK(pymic2_init());
    CHECK_OK(pymic2_init()); /* idempotent */
    CHECK_OK(pymic2_device_count(&count));
    CHECK(count == EXPECT_HOST_DEVICES);
    for (int i = 0; i < count; i++) {
        pymic2_device *device, *found;
        pymic2_device_info info;
        char name[32], index_text[16];
        CHECK_OK(pymic2_device_get(i, &device));
        CHECK_OK(pymic2_device_get_info(device, &info));
        snprintf(name, sizeof name, "host:%d", i);
        CHECK(strcmp(info.name, name) == 0);
        CHECK(strcmp(info.backend, "host") == 0);
        CHECK(info.index == i && info.backend_index == i);
        CHECK(info.num_threads >= 1);
        CHECK(info.memory_bytes > 0);
        CHECK(info.supports_fp64 == 1);
        CHECK(strlen(info.description) > 0);
        CHECK_OK(pymic2_device_find(name, &found));
        CHECK(found == device);
        snprintf(index_text, sizeof index_text, "%d", i);
        CHECK_OK(pymic2_device_find(index_text, &found));
        CHECK(found == device);
        pymic2_stream *stream;
        CHECK_OK(pymic2_stream_default(device, &stream));
        CHECK(pymic2_stream_device(stream) == device);
    }
    pymic2_device *first, *found;
    CHECK_OK(pymic2_device_get(0, &first));
    CHECK_OK(pymic2_device_find("host", &found));
    CHECK(found == first);
    CHECK_OK(pymic2_device_default(&found));
    CHECK(found == first);
}

static void test_bad_selectors(void)
{
    pymic2_device *device;
    const char *bad[] = {"opencl:0", "host:7", "99", "", "host:", "host:x", "-1", "gpu"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_STATUS(pymic2_device_find(bad[i], &device), PYMIC2_ENODEV);
        char quoted[64];
        snprintf(quoted, sizeof quoted, "\"%s\"", bad[i]);
        CHECK_MESSAGE_HAS(quoted);
        CHECK_MESSAGE_HAS("devices: host:0 (0)");
    }
    CHECK_STATUS(pymic2_device_get(-1, &device), PYMIC2_ENODEV);
    CHECK_STATUS(pymic2_device_get(EXPECT_HOST_DEVICES, &device), PYMIC2_ENODEV);
    CHECK_MESSAGE_HAS("no device with index");
    CHECK_STATUS(pymic2_device_find(NULL, &device), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_device_count(NULL), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_device_get_info(NULL, NULL), PYMIC2_EINVAL);

    setenv("PYMIC2_DEVICE", "opencl:3", 1);
    CHECK_STATUS(pymic2_device_default(&device), PYMIC2_ENODEV);
    CHECK_MESSAGE_HAS("PYMIC2_DEVICE: no device matches \"opencl:3\"");
    unsetenv("PYMIC2_DEVICE");
}

#if EXPECT_HOST_DEVICES >= 2
/* Both devices work at once; handles of one device are refused on the other. */
static void test_two_devices(void)
{
    pymic2_device *d0, *d1, *found;
    pymic2_stream *s0, *s1;
    CHECK_OK(pymic2_device_find("host:0", &d0));
    CHECK_OK(pymic2_device_find("host:1", &d1));
    CHECK(d0 != d1);
    setenv("PYMIC2_DEVICE", "host:1", 1);
    CHECK_OK(pymic2_device_default(&found));
    CHECK(found == d1);
    unsetenv("PYMIC2_DEVICE");
    CHECK_OK(pymic2_stream_default(d0, &s0));
    CHECK_OK(pymic2_stream_default(d1, &s1));

    enum { N = 1 << 18 };
    static double source[N], back0[N], back1[N];
    for (int i = 0; i < N; i++)
        source[i] = i * 0.5;
    pymic2_buffer *b0, *b1;
    CHECK_OK(pymic2_buffer_alloc(d0, sizeof source, 0, &b0));
    CHECK_OK(pymic2_buffer_alloc(d1, sizeof source, 0, &b1));
    CHECK(pymic2_buffer_device(b1) == d1);
    CHECK_OK(pymic2_memcpy_h2d(s0, b0, 0, source, sizeof source));
    CHECK_OK(pymic2_memcpy_h2d(s1, b1, 0, source, sizeof source));
    CHECK_OK(pymic2_memcpy_d2h(s0, back0, b0, 0, sizeof source));
    CHECK_OK(pymic2_memcpy_d2h(s1, back1, b1, 0, sizeof source));
    CHECK_OK(pymic2_stream_sync(s0));
    CHECK_OK(pymic2_stream_sync(s1));
    CHECK(memcmp(back0, source, sizeof source) == 0);
    CHECK(memcmp(back1, source, sizeof source) == 0);
    /* separate pools */
    pymic2_pool_stats stats0, stats1;
    CHECK_OK(pymic2_pool_get_stats(d0, &stats0));
    CHECK_OK(pymic2_pool_get_stats(d1, &stats1));
    CHECK(stats0.used_bytes == sizeof source && stats1.used_bytes == sizeof source);

    CHECK_STATUS(pymic2_memcpy_h2d(s0, b1, 0, source, 8), PYMIC2_EDEVICE);
    CHECK_MESSAGE_HAS("the buffer is on host:1 but the stream is on host:0");
    CHECK_STATUS(pymic2_memcpy_d2d(s0, b0, 0, b1, 0, 8), PYMIC2_EDEVICE);
    CHECK_STATUS(pymic2_memcpy_d2h(s1, back0, b0, 0, 8), PYMIC2_EDEVICE);

    pymic2_library *library;
    pymic2_kernel *scale;
    CHECK_OK(pymic2_library_load(d1, check_kernels_path(), &library));
    CHECK_OK(pymic2_kernel_find(library, "scale", &scale));
    CHECK_STATUS(pymic2_kernel_invoke(s0, scale, 0, NULL, NULL), PYMIC2_EDEVICE);
    CHECK_MESSAGE_HAS("kernel scale was loaded on host:1 but the stream is on host:0");
    pymic2_kernel_arg arg = {.kind = PYMIC2_ARG_BUFFER, .buffer = b0};
    CHECK_STATUS(pymic2_kernel_invoke(s1, scale, 1, &arg, NULL), PYMIC2_EDEVICE);
    CHECK_MESSAGE_HAS("argument 0");

    pymic2_event *event;
    CHECK_OK(pymic2_event_create(d1, &event));
    CHECK_STATUS(pymic2_event_record(event, s0), PYMIC2_EDEVICE);
    CHECK_MESSAGE_HAS("event of host:1 cannot be recorded on a stream of host:0");
    /* waiting across devices is allowed: the host devices share one clock and memory */
    CHECK_OK(pymic2_event_record(event, s1));
    CHECK_OK(pymic2_stream_wait_event(s0, event));
    CHECK_OK(pymic2_stream_sync(s0));
    CHECK_OK(pymic2_event_query(event));
    CHECK_OK(pymic2_event_destroy(event));
    CHECK_OK(pymic2_library_unload(library));
    CHECK_OK(pymic2_buffer_release(b0));
    CHECK_OK(pymic2_buffer_release(b1));
}
#endif

int main(void)
{
    /* the host registry alone; test_opencl.c checks OpenCL devices after the host ones */
    setenv("PYMIC2_OPENCL", "0", 1);
    test_registry();
    test_bad_selectors();
#if EXPECT_HOST_DEVICES >= 2
    test_two_devices();
#else
    printf("skip: two-device checks need PYMIC2_HOST_DEVICES=2 (the devices_two test)\n");
#endif
    return CHECK_DONE();
}
