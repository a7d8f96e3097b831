/*
 * test_transfer.c - copies: round trips of many sizes and offsets (against the source
 * bytes), device to device, overlapping moves (against memmove), and the checks.
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
    /* small, odd, page-crossing, parallel (>= 128 KiB) and streaming (>= 4 MiB) sizes */
    const size_t sizes[] = {1, 511, 4097, (128u << 10) + 3, (1u << 20) + 5, (9u << 20) + 77};
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

int main(void)
{
    CHECK_OK(pymic2_device_find("host:0", &device));
    CHECK_OK(pymic2_stream_default(device, &stream));
    test_round_trips();
    test_overlapping_move();
    test_checks();
    pymic2_pool_stats stats;
    CHECK_OK(pymic2_pool_get_stats(device, &stats));
    CHECK(stats.used_bytes == 0);
    return CHECK_DONE();
}
