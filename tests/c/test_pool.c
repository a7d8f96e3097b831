/*
 * test_pool.c - the caching memory pool: reuse, statistics, split and merge, best fit,
 * alignment, the limit and ENOMEM, free_all_blocks, reference counts, threads.
 */
#include "check.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static pymic2_device *device;

static uintptr_t address_of(pymic2_buffer *buffer)
{
    uintptr_t address = 0;
    pymic2_buffer_device_address(buffer, &address);
    return address;
}

static pymic2_pool_stats stats(void)
{
    pymic2_pool_stats s = {0};
    CHECK_OK(pymic2_pool_get_stats(device, &s));
    return s;
}

static void test_reuse_and_stats(void)
{
    pymic2_buffer *a, *b;
    CHECK_OK(pymic2_buffer_alloc(device, 1000, 0, &a));
    CHECK(pymic2_buffer_size(a) == 1000);
    CHECK(pymic2_buffer_device(a) == device);
    pymic2_pool_stats s = stats();
    CHECK(s.used_bytes == 1024); /* rounded to 512 */
    CHECK(s.n_allocations == 1);
    CHECK(s.used_bytes + s.cached_bytes == 2u << 20); /* small requests share a 2 MiB chunk */
    CHECK(s.peak_bytes == 1024);
    uintptr_t first = address_of(a);
    CHECK_OK(pymic2_buffer_release(a));
    s = stats();
    CHECK(s.used_bytes == 0);
    CHECK(s.cached_bytes == 2u << 20);
    CHECK(s.n_free_blocks == 1); /* merged back into one block */
    CHECK_OK(pymic2_buffer_alloc(device, 700, 0, &b));
    CHECK(address_of(b) == first);
    CHECK(stats().n_allocations == 1);
    CHECK_OK(pymic2_buffer_release(b));

    /* zero bytes still gives a distinct, releasable buffer */
    CHECK_OK(pymic2_buffer_alloc(device, 0, 0, &a));
    CHECK(stats().used_bytes == 512);
    CHECK_OK(pymic2_buffer_release(a));
}

static void test_split_merge_best_fit(void)
{
    pymic2_buffer *a, *sep1, *b, *sep2, *c;
    CHECK_OK(pymic2_buffer_alloc(device, 8192, 0, &a));
    CHECK_OK(pymic2_buffer_alloc(device, 512, 0, &sep1));
    CHECK_OK(pymic2_buffer_alloc(device, 4096, 0, &b));
    CHECK_OK(pymic2_buffer_alloc(device, 512, 0, &sep2));
    CHECK(address_of(sep1) == address_of(a) + 8192); /* carved in address order */
    CHECK(address_of(b) == address_of(sep1) + 512);
    size_t free_before = stats().n_free_blocks;
    uintptr_t hole_big = address_of(a), hole_small = address_of(b);
    CHECK_OK(pymic2_buffer_release(a));
    CHECK_OK(pymic2_buffer_release(b));
    CHECK(stats().n_free_blocks == free_before + 2);
    /* best fit: 4096 goes to the 4096-byte hole, 3000 (-> 3072) to the 8192 one */
    CHECK_OK(pymic2_buffer_alloc(device, 4096, 0, &c));
    CHECK(address_of(c) == hole_small);
    CHECK_OK(pymic2_buffer_alloc(device, 3000, 0, &b));
    CHECK(address_of(b) == hole_big);
    CHECK_OK(pymic2_buffer_release(b));
    CHECK_OK(pymic2_buffer_release(c));
    /* releasing the separators merges everything into one block again */
    CHECK_OK(pymic2_buffer_release(sep1));
    CHECK_OK(pymic2_buffer_release(sep2));
    pymic2_pool_stats s = stats();
    CHECK(s.used_bytes == 0);
    CHECK(s.n_free_blocks == 1);
}

static void test_alignment(void)
{
    pymic2_buffer *pad, *aligned;
    for (size_t alignment = 1; alignment <= 4096; alignment *= 2) {
        CHECK_OK(pymic2_buffer_alloc(device, 100, 0, &pad)); /* moves the next free offset */
        CHECK_OK(pymic2_buffer_alloc(device, 100, alignment, &aligned));
        CHECK(address_of(aligned) % (alignment < 64 ? 64 : alignment) == 0);
        CHECK_OK(pymic2_buffer_release(pad));
        CHECK_OK(pymic2_buffer_release(aligned));
    }
    CHECK(stats().used_bytes == 0);
    CHECK(stats().n_free_blocks == 1);
    CHECK_STATUS(pymic2_buffer_alloc(device, 100, 3, &aligned), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("alignment 3 is not a power of two");
    CHECK_STATUS(pymic2_buffer_alloc(device, 100, 8192, &aligned), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("8192");
}

static void test_limit_and_enomem(void)
{
    pymic2_buffer *a, *b;
    CHECK_OK(pymic2_pool_free_all_blocks(device));
    CHECK_OK(pymic2_pool_set_limit(device, 4u << 20));
    CHECK(stats().limit_bytes == 4u << 20);
    CHECK_OK(pymic2_buffer_alloc(device, 3u << 20, 0, &a));
    CHECK_STATUS(pymic2_buffer_alloc(device, 2u << 20, 0, &b), PYMIC2_ENOMEM);
    CHECK_MESSAGE_HAS("host:0: cannot allocate 2097152 bytes");
    CHECK_MESSAGE_HAS("3145728 bytes in use");
    CHECK_MESSAGE_HAS("limit 4194304");
    CHECK(stats().used_bytes == 3u << 20);
    /* a small one still fits beside it (its chunk shrinks to fit the limit) */
    CHECK_OK(pymic2_buffer_alloc(device, 1000, 0, &b));
    CHECK_OK(pymic2_buffer_release(b));
    CHECK_OK(pymic2_buffer_release(a));
    CHECK(stats().used_bytes == 0);
    /* the cache holds 3 MiB + 1 KiB; a 4 MiB request frees it and retries */
    CHECK_OK(pymic2_buffer_alloc(device, 4u << 20, 0, &a));
    CHECK_OK(pymic2_buffer_release(a));
    CHECK_STATUS(pymic2_buffer_alloc(device, (4u << 20) + 1, 0, &a), PYMIC2_ENOMEM);
    CHECK(stats().used_bytes == 0);
    /* a limit below what the pool holds already: the cache still serves, nothing grows */
    CHECK_OK(pymic2_buffer_alloc(device, 1u << 20, 0, &a));
    CHECK(stats().used_bytes + stats().cached_bytes == 2u << 20);
    CHECK_OK(pymic2_pool_set_limit(device, 1u << 20));
    CHECK_OK(pymic2_buffer_alloc(device, 1u << 20, 0, &b));
    CHECK_OK(pymic2_buffer_release(b));
    CHECK_STATUS(pymic2_buffer_alloc(device, 2u << 20, 0, &b), PYMIC2_ENOMEM);
    CHECK_OK(pymic2_buffer_release(a));
    CHECK_OK(pymic2_pool_set_limit(device, 0));

    /* the backend refuses (far more than the address space): ENOMEM, nothing held */
    size_t before = stats().n_allocations;
    CHECK_STATUS(pymic2_buffer_alloc(device, SIZE_MAX / 4, 0, &a), PYMIC2_ENOMEM);
    CHECK_MESSAGE_HAS("host:0");
    CHECK(stats().used_bytes == 0);
    CHECK(stats().n_allocations == before);
    CHECK_STATUS(pymic2_buffer_alloc(device, SIZE_MAX, 0, &a), PYMIC2_ENOMEM);
}

static void test_free_all_blocks(void)
{
    pymic2_buffer *a, *b;
    CHECK_OK(pymic2_pool_free_all_blocks(device));
    CHECK_OK(pymic2_buffer_alloc(device, 1000, 0, &b)); /* first, so it gets its own chunk */
    CHECK_OK(pymic2_buffer_alloc(device, 5u << 20, 0, &a));
    CHECK_OK(pymic2_buffer_release(a));
    pymic2_pool_stats s = stats();
    CHECK(s.cached_bytes >= 5u << 20);
    CHECK_OK(pymic2_pool_free_all_blocks(device));
    s = stats();
    /* only the chunk with a live block stays */
    CHECK(s.used_bytes == 1024);
    CHECK(s.cached_bytes == (2u << 20) - 1024);
    CHECK(s.n_free_blocks == 1);
    CHECK_OK(pymic2_buffer_release(b));
    CHECK_OK(pymic2_pool_free_all_blocks(device));
    s = stats();
    CHECK(s.cached_bytes == 0 && s.used_bytes == 0 && s.n_free_blocks == 0);
    CHECK(s.peak_bytes >= 5u << 20);
}

static void test_refcount(void)
{
    pymic2_buffer *a;
    CHECK_OK(pymic2_buffer_alloc(device, 512, 0, &a));
    CHECK_OK(pymic2_buffer_retain(a));
    CHECK_OK(pymic2_buffer_release(a));
    CHECK(stats().used_bytes == 512);
    CHECK_OK(pymic2_buffer_release(a));
    CHECK(stats().used_bytes == 0);
    /* the block record stays in the pool, so a second release is caught */
    CHECK_STATUS(pymic2_buffer_release(a), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("already released");
    CHECK_STATUS(pymic2_buffer_retain(a), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_buffer_release(NULL), PYMIC2_EINVAL);
}

/* The byte a thread writes into its slot's buffer. */
static unsigned char seed_tag(int slot, void *argument)
{
    return (unsigned char)(slot * 16 + (int)(uintptr_t)argument);
}

/* Threads allocate, fill, verify and release: blocks must never overlap. */
static void *churn(void *argument)
{
    unsigned seed = (unsigned)(uintptr_t)argument;
    long bad = 0;
    pymic2_buffer *held[8] = {0};
    for (int round = 0; round < 3000; round++) {
        int slot = rand_r(&seed) % 8;
        if (held[slot] != NULL) {
            unsigned char *bytes;
            pymic2_buffer_device_address(held[slot], (uintptr_t *)&bytes);
            for (size_t i = 0; i < pymic2_buffer_size(held[slot]); i++)
                bad += bytes[i] != (unsigned char)(seed_tag(slot, argument));
            pymic2_buffer_release(held[slot]);
            held[slot] = NULL;
        } else {
            size_t size = 1 + (size_t)(rand_r(&seed) % 20000);
            if (pymic2_buffer_alloc(device, size, 0, &held[slot]) != PYMIC2_OK) {
                bad++;
                continue;
            }
            unsigned char *bytes;
            pymic2_buffer_device_address(held[slot], (uintptr_t *)&bytes);
            memset(bytes, seed_tag(slot, argument), size);
        }
    }
    for (int slot = 0; slot < 8; slot++)
        if (held[slot] != NULL)
            pymic2_buffer_release(held[slot]);
    return (void *)bad;
}

static void test_threads(void)
{
    pthread_t threads[4];
    for (uintptr_t t = 0; t < 4; t++)
        pthread_create(&threads[t], NULL, churn, (void *)(t + 1));
    long bad = 0;
    for (int t = 0; t < 4; t++) {
        void *result;
        pthread_join(threads[t], &result);
        bad += (long)result;
    }
    CHECK(bad == 0);
    CHECK(stats().used_bytes == 0);
}

/* Reusing a cached size should cost well under a microsecond (printed, not checked:
 * sanitizers and loaded machines make timing checks flaky). */
static void report_reuse_time(void)
{
    pymic2_buffer *a;
    CHECK_OK(pymic2_buffer_alloc(device, 4096, 0, &a));
    CHECK_OK(pymic2_buffer_release(a));
    const int rounds = 200000;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < rounds; i++) {
        pymic2_buffer_alloc(device, 4096, 0, &a);
        pymic2_buffer_release(a);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
                rounds;
    printf("alloc+release of a cached 4 KiB block: %.0f ns\n", ns);
}

int main(void)
{
    CHECK_OK(pymic2_device_find("host:0", &device));
    test_reuse_and_stats();
    test_split_merge_best_fit();
    test_alignment();
    test_limit_and_enomem();
    test_free_all_blocks();
    test_refcount();
    test_threads();
    report_reuse_time();
    return CHECK_DONE();
}
