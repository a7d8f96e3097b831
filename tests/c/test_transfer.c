/*
 * test_transfer.c - copies: round trips of many sizes and offsets (against the source
 * bytes), device to device, overlapping moves (against memmove), copies that run on the
 * calling thread (idle stream) or queue behind pending work, and the checks.
 */
#include "check.h"

#include <stdint.h>

static pymic2_device *device;
static pymic2_stream *stream;

static void fill(unsigned char *bytes, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        bytes[i] = (unsigned char)((i * 2654435761u + seed) >> 7);
}

static void test_round_trips(void)
{
    /* small, odd, page-crossing, parallel (>= 128 KiB) sizes, and streaming ones (>= 16 MiB,
     * in more pieces than threads: memory.c) */
    const size_t sizes[] = {1, 511, 4097, (128u << 10) + 3, (1u << 20) + 5, (9u << 20) + 77,
                            (17u << 20) + 77};
    const size_t offsets[] = {0, 1, 4095};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        for (size_t o = 0; o < 3; o++) {
            size_t n = sizes[s], offset = offsets[o];
            unsigned char *source = malloc(n + 64), *back = malloc(n + 64);
            fill(source, n + 64, (unsigned)(s * 3 + o));
            memset(back, 0xEE, n + 64);
            pymic2_buffer *a, *b;
            CHECK_OK(pymic2_buffer_alloc(device, n + offset, 0, &a));
            CHECK_OK(pymic2_buffer_alloc(device, n + 2 * offset, 0, &b));
            /* unaligned host addresses too: source + o */
            CHECK_OK(pymic2_memcpy_h2d(stream, a, offset, source + o, n));
            CHECK_OK(pymic2_memcpy_d2d(stream, b, 2 * offset, a, offset, n));
            CHECK_OK(pymic2_memcpy_d2h(stream, back + o, b, 2 * offset, n));
            CHECK_OK(pymic2_buffer_release(a)); /* the pending commands hold them */
            CHECK_OK(pymic2_buffer_release(b));
            CHECK_OK(pymic2_stream_sync(stream));
            CHECK(memcmp(back + o, source + o, n) == 0);
            CHECK(back[o + n] == 0xEE); /* nothing written past the end */
            free(source);
            free(back);
        }
    }
}

static void test_overlapping_move(void)
{
    const size_t n = 3u << 20; /* parallel size: overlapping must still act like memmove */
    unsigned char *expect = malloc(n), *got = malloc(n);
    CHECK(expect != NULL && got != NULL);
    if (expect == NULL || got == NULL)
        return;
    fill(expect, n, 9);
    pymic2_buffer *buffer;
    CHECK_OK(pymic2_buffer_alloc(device, n, 0, &buffer));
    CHECK_OK(pymic2_memcpy_h2d(stream, buffer, 0, expect, n));
    CHECK_OK(pymic2_stream_sync(stream)); /* the copy reads expect, which changes below */
    CHECK_OK(pymic2_memcpy_d2d(stream, buffer, 1000, buffer, 0, n - 1000));
    memmove(expect + 1000, expect, n - 1000);
    CHECK_OK(pymic2_memcpy_d2d(stream, buffer, 0, buffer, 7, n - 7));
    memmove(expect, expect + 7, n - 7);
    CHECK_OK(pymic2_memcpy_d2h(stream, got, buffer, 0, n));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(memcmp(got, expect, n) == 0);
    CHECK_OK(pymic2_buffer_release(buffer));
    free(expect);
    free(got);
}

static void test_checks(void)
{
    pymic2_buffer *buffer, *released;
    char host[8192];
    CHECK_OK(pymic2_buffer_alloc(device, 4096, 0, &buffer));
    CHECK_STATUS(pymic2_memcpy_h2d(stream, buffer, 1024, host, 4096), PYMIC2_ERANGE);
    CHECK_MESSAGE_HAS("host:0: copy to the device: 4096 bytes at offset 1024 pass the end of "
                      "a 4096-byte buffer");
    CHECK_STATUS(pymic2_memcpy_d2h(stream, host, buffer, 4097, 0), PYMIC2_ERANGE);
    CHECK_MESSAGE_HAS("offset 4097");
    CHECK_STATUS(pymic2_memcpy_d2h(stream, host, buffer, SIZE_MAX, 2), PYMIC2_ERANGE);
    CHECK_STATUS(pymic2_memcpy_d2h(stream, host, buffer, 2, SIZE_MAX), PYMIC2_ERANGE);
    CHECK_STATUS(pymic2_memcpy_d2d(stream, buffer, 0, buffer, 1, 4096), PYMIC2_ERANGE);
    CHECK_MESSAGE_HAS("copy source");
    CHECK_STATUS(pymic2_memcpy_h2d(stream, buffer, 0, NULL, 16), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("host source is NULL");
    CHECK_STATUS(pymic2_memcpy_d2h(stream, NULL, buffer, 0, 16), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("host destination is NULL");
    CHECK_STATUS(pymic2_memcpy_h2d(NULL, buffer, 0, host, 16), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_memcpy_h2d(stream, NULL, 0, host, 16), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("buffer is NULL");
    /* nbytes == 0 succeeds without a command, even with a NULL host pointer */
    uint64_t before, after;
    CHECK_OK(pymic2_stream_progress(stream, &before, NULL));
    CHECK_OK(pymic2_memcpy_h2d(stream, buffer, 4096, NULL, 0));
    CHECK_OK(pymic2_memcpy_d2h(stream, NULL, buffer, 0, 0));
    CHECK_OK(pymic2_memcpy_d2d(stream, buffer, 4096, buffer, 0, 0));
    CHECK_OK(pymic2_stream_progress(stream, &after, NULL));
    CHECK(after == before);
    /* a released buffer (its record stays in the pool while the pool holds the block) */
    CHECK_OK(pymic2_buffer_alloc(device, 512, 0, &released));
    CHECK_OK(pymic2_buffer_release(released));
    CHECK_STATUS(pymic2_memcpy_h2d(stream, released, 0, host, 16), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("was released");
    CHECK_OK(pymic2_buffer_release(buffer));
    CHECK_OK(pymic2_stream_sync(stream));
}

/*
 * The host backend runs a copy to an idle stream on the calling thread, so it is done when
 * the call returns; behind pending work it must queue and keep stream order. The oracle:
 * a kernel that scales the buffer between the copies, which a copy overtaking it misses.
 */
static void test_inline_and_queued(void)
{
    pymic2_library *library;
    pymic2_kernel *sleep_us, *scale;
    CHECK_OK(pymic2_library_load(device, check_kernels_path(), &library));
    CHECK_OK(pymic2_kernel_find(library, "sleep_us", &sleep_us));
    CHECK_OK(pymic2_kernel_find(library, "scale", &scale));
    enum { N = 300000 }; /* 2.4 MB: a parallel copy */
    double *x = malloc(N * sizeof *x), *back = malloc(N * sizeof *back);
    for (int i = 0; i < N; i++)
        x[i] = i * 0.5 - 7.0;
    pymic2_buffer *buffer;
    pymic2_event *event;
    CHECK_OK(pymic2_buffer_alloc(device, N * sizeof *x, 0, &buffer));
    CHECK_OK(pymic2_event_create(device, &event));
    CHECK_OK(pymic2_stream_sync(stream));

    CHECK_OK(pymic2_memcpy_h2d(stream, buffer, 0, x, N * sizeof *x));
    CHECK_OK(pymic2_stream_query(stream)); /* idle stream: ran before the call returned */

    pymic2_kernel_arg wait = {.kind = PYMIC2_ARG_INT64, .value.i64 = 30000};
    pymic2_kernel_arg args[3] = {{.kind = PYMIC2_ARG_BUFFER, .buffer = buffer},
                                 {.kind = PYMIC2_ARG_INT64, .value.i64 = N},
                                 {.kind = PYMIC2_ARG_FLOAT64, .value.f64 = -3.0}};
    CHECK_OK(pymic2_kernel_invoke(stream, sleep_us, 1, &wait, NULL));
    CHECK_OK(pymic2_kernel_invoke(stream, scale, 3, args, NULL));
    memset(back, 0, N * sizeof *back);
    CHECK_OK(pymic2_memcpy_d2h(stream, back, buffer, 0, N * sizeof *back));
    CHECK_OK(pymic2_event_record(event, stream));
    /* queued behind the sleeping kernel: neither the copy nor the event is done yet */
    CHECK_STATUS(pymic2_stream_query(stream), PYMIC2_ENOTREADY);
    CHECK(back[1] == 0.0);
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK_OK(pymic2_event_query(event));
    bool scaled = true;
    for (int i = 0; i < N; i++)
        scaled = scaled && back[i] == x[i] * -3.0;
    CHECK(scaled);

    /* queued copies that sync then runs on this thread, between kernels, keep their order;
     * a queued copy to the device read its source at the call: x may change at once */
    double *source = malloc(N * sizeof *source);
    memcpy(source, x, N * sizeof *x);
    CHECK_OK(pymic2_kernel_invoke(stream, sleep_us, 1, &wait, NULL));
    CHECK_OK(pymic2_memcpy_h2d(stream, buffer, 0, source, N * sizeof *source));
    memset(source, 0, N * sizeof *source);
    free(source);
    CHECK_OK(pymic2_kernel_invoke(stream, scale, 3, args, NULL));
    CHECK_OK(pymic2_kernel_invoke(stream, scale, 3, args, NULL));
    CHECK_OK(pymic2_memcpy_d2h(stream, back, buffer, 0, N * sizeof *back));
    CHECK_OK(pymic2_stream_sync(stream));
    bool twice = true;
    for (int i = 0; i < N; i++)
        twice = twice && back[i] == x[i] * 9.0;
    CHECK(twice);

    CHECK_OK(pymic2_event_destroy(event));
    CHECK_OK(pymic2_buffer_release(buffer));
    CHECK_OK(pymic2_library_unload(library));
    free(x);
    free(back);
}

int main(void)
{
    CHECK_OK(pymic2_device_find("host:0", &device));
    CHECK_OK(pymic2_stream_default(device, &stream));
    test_round_trips();
    test_overlapping_move();
    test_inline_and_queued();
    test_checks();
    pymic2_pool_stats stats;
    CHECK_OK(pymic2_pool_get_stats(device, &stats));
    CHECK(stats.used_bytes == 0);
    return CHECK_DONE();
}
