/*
 * pool.c - the caching device-memory pool (one per device) and the buffer handles.
 *
 * The pool takes raw chunks from the backend and carves blocks out of them. Every block of
 * a chunk is on the chunk's address-ordered list, so a freed block merges with free
 * neighbours at once. Free blocks are also kept in one array sorted by (size, chunk,
 * offset): best fit is a binary search, and a block is found again for removal the same
 * way. A live block *is* its buffer handle (the buffer is the block's first member), so
 * releasing a buffer needs no lookup.
 *
 * The pool never grows an array or allocates a block record on the free path: allocation
 * reserves what a later free could need, so freeing (which can run on a stream's worker
 * thread) cannot fail.
 */
#include "core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GRANULE ((size_t)512)            /* every block size is a multiple of this */
#define SMALL_LIMIT ((size_t)1 << 20)    /* requests below this share chunks of ... */
#define SMALL_CHUNK ((size_t)2 << 20)    /* ... this size (also the large-chunk rounding) */
#define MAX_ALIGNMENT ((size_t)4096)     /* backends return chunks aligned at least this */
#define DEFAULT_ALIGNMENT ((size_t)64)

typedef struct pymic2__block pymic2__block;

struct pymic2__block {
    pymic2_buffer buffer; /* first, so that a buffer handle converts back to its block */
    pymic2__chunk *chunk;
    size_t offset;        /* from the chunk's start; a multiple of GRANULE */
    size_t size;          /* a multiple of GRANULE */
    bool is_free;
    pymic2__block *prev, *next; /* neighbours in the chunk, by address; spare list: next */
};

struct pymic2__chunk {
    void *handle;
    size_t size;
    pymic2__block *first;
    pymic2__chunk *prev, *next;
};

struct pymic2__pool {
    pymic2_device *device;
    pthread_mutex_t lock;
    pymic2__chunk *chunks;
    pymic2__block **free_blocks; /* sorted by (size, chunk, offset) */
    size_t n_free_blocks;
    size_t free_capacity;  /* kept >= n_blocks so that frees never grow the array */
    size_t n_blocks;       /* block records in chunks, free or live */
    pymic2__block *spare;  /* recycled block records */
    size_t n_spare;
    size_t used_bytes, total_bytes, peak_bytes, limit_bytes, n_allocations;
};

static size_t round_up(size_t value, size_t multiple)
{
    return (value + multiple - 1) / multiple * multiple;
}

/* -1, 0, 1 like strcmp, by (size, chunk, offset). */
static int compare_blocks(const pymic2__block *a, size_t size, const pymic2__chunk *chunk,
                          size_t offset)
{
    if (a->size != size)
        return a->size < size ? -1 : 1;
    if (a->chunk != chunk)
        return (uintptr_t)a->chunk < (uintptr_t)chunk ? -1 : 1;
    if (a->offset != offset)
        return a->offset < offset ? -1 : 1;
    return 0;
}

/* The first index whose block is not less than (size, chunk, offset). */
static size_t lower_bound(const pymic2__pool *pool, size_t size, const pymic2__chunk *chunk,
                          size_t offset)
{
    size_t low = 0, high = pool->n_free_blocks;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (compare_blocks(pool->free_blocks[middle], size, chunk, offset) < 0)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

static void insert_free(pymic2__pool *pool, pymic2__block *block)
{
    size_t at = lower_bound(pool, block->size, block->chunk, block->offset);
    memmove(&pool->free_blocks[at + 1], &pool->free_blocks[at],
            (pool->n_free_blocks - at) * sizeof *pool->free_blocks);
    pool->free_blocks[at] = block;
    pool->n_free_blocks++;
    block->is_free = true;
}

static void remove_free(pymic2__pool *pool, pymic2__block *block)
{
    size_t at = lower_bound(pool, block->size, block->chunk, block->offset);
    memmove(&pool->free_blocks[at], &pool->free_blocks[at + 1],
            (pool->n_free_blocks - at - 1) * sizeof *pool->free_blocks);
    pool->n_free_blocks--;
    block->is_free = false;
}

/* Block records come from the spare list, which reserve_records filled beforehand. */
static pymic2__block *take_record(pymic2__pool *pool)
{
    pymic2__block *block = pool->spare;
    pool->spare = block->next;
    pool->n_spare--;
    pool->n_blocks++;
    memset(block, 0, sizeof *block);
    return block;
}

static void recycle_record(pymic2__pool *pool, pymic2__block *block)
{
    block->next = pool->spare;
    pool->spare = block;
    pool->n_spare++;
    pool->n_blocks--;
}

/* An allocation adds at most three records (a chunk's first block and two splits). */
static int reserve_records(pymic2__pool *pool)
{
    const size_t needed = 3;
    while (pool->n_spare < needed) {
        pymic2__block *block = malloc(sizeof *block);
        if (block == NULL)
            return pymic2__error(PYMIC2_ENOMEM, "%s: cannot allocate the pool's block records",
                                 pool->device->name);
        block->next = pool->spare;
        pool->spare = block;
        pool->n_spare++;
    }
    if (pool->free_capacity < pool->n_blocks + needed) {
        size_t capacity = (pool->n_blocks + needed) * 2;
        pymic2__block **grown = realloc(pool->free_blocks, capacity * sizeof *grown);
        if (grown == NULL)
            return pymic2__error(PYMIC2_ENOMEM, "%s: cannot grow the pool's free list to %zu",
                                 pool->device->name, capacity);
        pool->free_blocks = grown;
        pool->free_capacity = capacity;
    }
    return PYMIC2_OK;
}

/* Cuts block at `at` bytes; returns the new block holding the rest (not yet in any list). */
static pymic2__block *split(pymic2__pool *pool, pymic2__block *block, size_t at)
{
    pymic2__block *rest = take_record(pool);
    rest->chunk = block->chunk;
    rest->offset = block->offset + at;
    rest->size = block->size - at;
    rest->prev = block;
    rest->next = block->next;
    if (block->next != NULL)
        block->next->prev = rest;
    block->next = rest;
    block->size = at;
    return rest;
}

/* Best fit: the smallest free block that holds size bytes at the alignment. */
static pymic2__block *find_fit(const pymic2__pool *pool, size_t size, size_t alignment)
{
    for (size_t i = lower_bound(pool, size, NULL, 0); i < pool->n_free_blocks; i++) {
        pymic2__block *block = pool->free_blocks[i];
        size_t padding = round_up(block->offset, alignment) - block->offset;
        if (block->size >= padding + size)
            return block;
    }
    return NULL;
}

/* Gives every chunk that is one free block back to the backend. */
static void release_free_chunks(pymic2__pool *pool)
{
    pymic2__chunk *chunk = pool->chunks;
    while (chunk != NULL) {
        pymic2__chunk *next = chunk->next;
        pymic2__block *block = chunk->first;
        if (block->is_free && block->size == chunk->size) {
            remove_free(pool, block);
            recycle_record(pool, block);
            if (chunk->prev != NULL)
                chunk->prev->next = chunk->next;
            else
                pool->chunks = chunk->next;
            if (chunk->next != NULL)
                chunk->next->prev = chunk->prev;
            pool->device->ops->mem_free(pool->device, chunk->handle, chunk->size);
            pool->total_bytes -= chunk->size;
            free(chunk);
        }
        chunk = next;
    }
}

/* The limit may have been lowered below what the pool holds already. */
static bool fits_limit(const pymic2__pool *pool, size_t chunk_size)
{
    return pool->limit_bytes == 0 || (pool->total_bytes <= pool->limit_bytes &&
                                      chunk_size <= pool->limit_bytes - pool->total_bytes);
}

/* Adds a chunk of chunk_size bytes as one free block, within the limit. */
static int grow(pymic2__pool *pool, size_t chunk_size)
{
    if (!fits_limit(pool, chunk_size))
        return pymic2__error(PYMIC2_ENOMEM, "the pool limit would be passed");
    pymic2__chunk *chunk = calloc(1, sizeof *chunk);
    if (chunk == NULL)
        return pymic2__error(PYMIC2_ENOMEM, "cannot allocate a chunk record");
    int status = pool->device->ops->mem_alloc(pool->device, chunk_size, &chunk->handle);
    if (status != PYMIC2_OK) {
        free(chunk);
        return status;
    }
    chunk->size = chunk_size;
    chunk->next = pool->chunks;
    if (pool->chunks != NULL)
        pool->chunks->prev = chunk;
    pool->chunks = chunk;
    pymic2__block *block = take_record(pool);
    block->chunk = chunk;
    block->size = chunk_size;
    chunk->first = block;
    insert_free(pool, block);
    pool->total_bytes += chunk_size;
    pool->n_allocations++;
    return PYMIC2_OK;
}

/* Small requests share a chunk; a large one gets its own, unless the limit forbids it. */
static size_t chunk_size_for(const pymic2__pool *pool, size_t size)
{
    size_t chunk = size < SMALL_LIMIT ? SMALL_CHUNK : round_up(size, SMALL_CHUNK);
    if (!fits_limit(pool, chunk))
        chunk = size;
    return chunk;
}

int pymic2__pool_create(pymic2_device *device, pymic2__pool **pool)
{
    pymic2__pool *made = calloc(1, sizeof *made);
    if (made == NULL)
        return pymic2__error(PYMIC2_ESYSTEM, "%s: cannot allocate the memory pool",
                             device->name);
    made->device = device;
    pthread_mutex_init(&made->lock, NULL);
    *pool = made;
    return PYMIC2_OK;
}

void pymic2__pool_destroy(pymic2__pool *pool)
{
    while (pool->chunks != NULL) {
        pymic2__chunk *chunk = pool->chunks;
        pool->chunks = chunk->next;
        for (pymic2__block *block = chunk->first; block != NULL;) {
            pymic2__block *next = block->next;
            free(block);
            block = next;
        }
        pool->device->ops->mem_free(pool->device, chunk->handle, chunk->size);
        free(chunk);
    }
    while (pool->spare != NULL) {
        pymic2__block *next = pool->spare->next;
        free(pool->spare);
        pool->spare = next;
    }
    free(pool->free_blocks);
    pthread_mutex_destroy(&pool->lock);
    free(pool);
}

int pymic2__pool_alloc(pymic2__pool *pool, size_t nbytes, size_t alignment,
                       pymic2_buffer **buffer)
{
    const char *name = pool->device->name;
    if (alignment == 0)
        alignment = DEFAULT_ALIGNMENT;
    if ((alignment & (alignment - 1)) != 0 || alignment > MAX_ALIGNMENT)
        return pymic2__error(PYMIC2_EINVAL,
                             "%s: alignment %zu is not a power of two no larger than %zu", name,
                             alignment, MAX_ALIGNMENT);
    if (nbytes > SIZE_MAX / 2)
        return pymic2__error(PYMIC2_ENOMEM, "%s: cannot allocate %zu bytes", name, nbytes);
    size_t size = round_up(nbytes == 0 ? 1 : nbytes, GRANULE);

    pthread_mutex_lock(&pool->lock);
    int status = reserve_records(pool);
    if (status != PYMIC2_OK) {
        pthread_mutex_unlock(&pool->lock);
        return status;
    }
    pymic2__block *block = find_fit(pool, size, alignment);
    if (block == NULL) {
        /* a fresh chunk starts at offset 0, which every alignment accepts */
        status = grow(pool, chunk_size_for(pool, size));
        if (status != PYMIC2_OK) {
            release_free_chunks(pool);
            status = grow(pool, chunk_size_for(pool, size));
        }
        if (status != PYMIC2_OK) {
            char cause[512];
            snprintf(cause, sizeof cause, "%s", pymic2_last_error());
            status = pymic2__error(
                PYMIC2_ENOMEM,
                "%s: cannot allocate %zu bytes (%zu after rounding): %zu bytes in use, "
                "%zu cached, limit %zu%s (%s)",
                name, nbytes, size, pool->used_bytes, pool->total_bytes - pool->used_bytes,
                pool->limit_bytes, pool->limit_bytes ? "" : " (none)", cause);
            pthread_mutex_unlock(&pool->lock);
            return status;
        }
        block = find_fit(pool, size, alignment);
    }
    remove_free(pool, block);
    size_t padding = round_up(block->offset, alignment) - block->offset;
    if (padding != 0) {
        pymic2__block *aligned = split(pool, block, padding);
        insert_free(pool, block);
        block = aligned;
    }
    if (block->size > size)
        insert_free(pool, split(pool, block, size));
    block->is_free = false;
    pool->used_bytes += size;
    if (pool->used_bytes > pool->peak_bytes)
        pool->peak_bytes = pool->used_bytes;
    pthread_mutex_unlock(&pool->lock);

    pymic2_buffer *made = &block->buffer;
    atomic_init(&made->refcount, 1);
    atomic_flag_clear(&made->last_use_lock);
    made->last_stream = NULL;
    made->last_sequence = 0;
    made->device = pool->device;
    made->chunk = block->chunk;
    made->chunk_handle = block->chunk->handle;
    made->offset = block->offset;
    made->size = nbytes;
    made->block_size = size;
    *buffer = made;
    return PYMIC2_OK;
}

void pymic2__pool_free(pymic2__pool *pool, pymic2_buffer *buffer)
{
    pymic2__block *block = (pymic2__block *)buffer;
    pthread_mutex_lock(&pool->lock);
    pool->used_bytes -= block->size;
    pymic2__block *next = block->next;
    if (next != NULL && next->is_free) {
        remove_free(pool, next);
        block->size += next->size;
        block->next = next->next;
        if (next->next != NULL)
            next->next->prev = block;
        recycle_record(pool, next);
    }
    pymic2__block *prev = block->prev;
    if (prev != NULL && prev->is_free) {
        remove_free(pool, prev);
        prev->size += block->size;
        prev->next = block->next;
        if (block->next != NULL)
            block->next->prev = prev;
        recycle_record(pool, block);
        block = prev;
    }
    insert_free(pool, block);
    pthread_mutex_unlock(&pool->lock);
}

/* ---------------------------------------------------------------- public API */

int pymic2_buffer_alloc(pymic2_device *device, size_t nbytes, size_t alignment,
                        pymic2_buffer **buffer)
{
    if (device == NULL || buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_buffer_alloc: %s is NULL",
                             device == NULL ? "device" : "buffer");
    return pymic2__pool_alloc(device->pool, nbytes, alignment, buffer);
}

int pymic2_buffer_retain(pymic2_buffer *buffer)
{
    if (buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_buffer_retain: buffer is NULL");
    int count = atomic_load(&buffer->refcount);
    do {
        if (count <= 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: retain of a buffer that was released",
                                 buffer->device->name);
    } while (!atomic_compare_exchange_weak(&buffer->refcount, &count, count + 1));
    return PYMIC2_OK;
}

int pymic2_buffer_release(pymic2_buffer *buffer)
{
    if (buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_buffer_release: buffer is NULL");
    int count = atomic_load(&buffer->refcount);
    do {
        if (count <= 0)
            return pymic2__error(PYMIC2_EINVAL,
                                 "%s: release of a %zu-byte buffer that was already released",
                                 buffer->device->name, buffer->size);
    } while (!atomic_compare_exchange_weak(&buffer->refcount, &count, count - 1));
    if (count == 1) {
        pymic2__buffer_forget_use(buffer);
        pymic2__pool_free(buffer->device->pool, buffer);
    }
    return PYMIC2_OK;
}

size_t pymic2_buffer_size(const pymic2_buffer *buffer)
{
    return buffer == NULL ? 0 : buffer->size;
}

pymic2_device *pymic2_buffer_device(const pymic2_buffer *buffer)
{
    return buffer == NULL ? NULL : buffer->device;
}

int pymic2_buffer_device_address(const pymic2_buffer *buffer, uintptr_t *address)
{
    if (buffer == NULL || address == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_buffer_device_address: %s is NULL",
                             buffer == NULL ? "buffer" : "address");
    pymic2_device *device = buffer->device;
    if (device->ops->mem_address == NULL)
        return pymic2__error(PYMIC2_ENOTSUP, "%s: buffers have no device address",
                             device->name);
    return device->ops->mem_address(device, buffer->chunk_handle, buffer->offset, address);
}

int pymic2_pool_get_stats(pymic2_device *device, pymic2_pool_stats *stats)
{
    if (device == NULL || stats == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_pool_get_stats: %s is NULL",
                             device == NULL ? "device" : "stats");
    pymic2__pool *pool = device->pool;
    pthread_mutex_lock(&pool->lock);
    stats->used_bytes = pool->used_bytes;
    stats->cached_bytes = pool->total_bytes - pool->used_bytes;
    stats->peak_bytes = pool->peak_bytes;
    stats->limit_bytes = pool->limit_bytes;
    stats->n_free_blocks = pool->n_free_blocks;
    stats->n_allocations = pool->n_allocations;
    pthread_mutex_unlock(&pool->lock);
    return PYMIC2_OK;
}

int pymic2_pool_free_all_blocks(pymic2_device *device)
{
    if (device == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_pool_free_all_blocks: device is NULL");
    pthread_mutex_lock(&device->pool->lock);
    release_free_chunks(device->pool);
    pthread_mutex_unlock(&device->pool->lock);
    return PYMIC2_OK;
}

int pymic2_pool_set_limit(pymic2_device *device, size_t limit_bytes)
{
    if (device == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_pool_set_limit: device is NULL");
    pthread_mutex_lock(&device->pool->lock);
    device->pool->limit_bytes = limit_bytes;
    pthread_mutex_unlock(&device->pool->lock);
    return PYMIC2_OK;
}
