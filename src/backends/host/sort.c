/*
 * sort.c - the SORT family (pymic2_sort) on a host device.
 *
 * Every dtype sorts by an unsigned key that orders as NumPy does: integers with the sign bit
 * flipped; IEEE floats (any width, so float16 too) with negative values' bits inverted and
 * positive values' sign bit set, -0.0 given +0.0's key and every NaN the largest key; complex
 * numbers by the pair (real key, imaginary key), which is NumPy's order with NaN parts last.
 * The elements themselves move (the key is recomputed from them), so -0.0 and NaN payloads
 * keep their bits and equal keys keep their order.
 *
 * A row is copied into a contiguous buffer, sorted there and copied back. Short rows use an
 * insertion sort; longer ones an LSD radix sort on 8-bit digits that skips the digits all
 * elements share (small integers, floats of one sign and exponent range). Many rows are split
 * over the team, one row per thread at a time; a long row is sorted by the whole team: each
 * thread counts the digits of its chunk, the counts' prefix sums (digit-major, chunk-minor)
 * give each chunk's output positions, and the chunks scatter in parallel: stable, like the
 * serial sort.
 */
#include "host_internal.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define RADIX 256
/* Rows at most this long are insertion-sorted. */
#define SMALL_ROW 24
/* A row at least this long is sorted by the whole team. */
#define PARALLEL_ROW ((int64_t)1 << 16)
/* Rows per piece at least this many elements' worth. */
#define PIECE_ELEMENTS (16 * 1024)
/* Buffer parts start on cache lines. */
#define ALIGNED(bytes) (((bytes) + 63) & ~(size_t)63)

typedef struct bits64x2 {
    uint64_t re, im;
} bits64x2;
typedef struct bits32x2 {
    uint32_t re, im;
} bits32x2;
typedef struct key128 {
    uint64_t hi, lo; /* the real part's key, then the imaginary part's */
} key128;

/* An IEEE float's key from its bits (U: the unsigned type of its width). */
#define FLOAT_KEY(U, bits, SIGN, INF)                                                       \
    ((U)((bits) & (U)~(U)(SIGN)) > (U)(INF)    ? (U)~(U)0                                  \
     : (U)((bits) & (U)~(U)(SIGN)) == 0        ? (U)(SIGN)                                 \
     : ((bits) & (U)(SIGN)) != 0               ? (U)~(bits)                                \
                                               : (U)((bits) | (U)(SIGN)))

static inline uint16_t key_f16(uint16_t b) { return FLOAT_KEY(uint16_t, b, 0x8000u, 0x7C00u); }
static inline uint32_t key_f32(uint32_t b)
{
    return FLOAT_KEY(uint32_t, b, 0x80000000u, 0x7F800000u);
}
static inline uint64_t key_f64(uint64_t b)
{
    return FLOAT_KEY(uint64_t, b, UINT64_C(0x8000000000000000), UINT64_C(0x7FF0000000000000));
}

#define KEY_U(e) (e)
#define KEY_S8(e) ((uint8_t)((e) ^ 0x80u))
#define KEY_S16(e) ((uint16_t)((e) ^ 0x8000u))
#define KEY_S32(e) ((e) ^ 0x80000000u)
#define KEY_S64(e) ((e) ^ UINT64_C(0x8000000000000000))
#define KEY_F16(e) key_f16(e)
#define KEY_F32(e) key_f32(e)
#define KEY_F64(e) key_f64(e)
#define KEY_C64(e) ((uint64_t)key_f32((e).re) << 32 | key_f32((e).im))
#define KEY_C128(e) ((key128){key_f64((e).re), key_f64((e).im)})

#define DIGIT_SCALAR(k, p) ((unsigned)((k) >> (8 * (p))) & (RADIX - 1))
#define DIGIT_128(k, p) ((unsigned)((p) < 8 ? (k).lo >> (8 * (p)) : (k).hi >> (8 * ((p) - 8))) \
                         & (RADIX - 1))
#define LESS_SCALAR(a, b) ((a) < (b))
#define LESS_128(a, b) ((a).hi < (b).hi || ((a).hi == (b).hi && (a).lo < (b).lo))

/* One dtype's sort, through its element type. */
typedef struct sort_impl {
    size_t size;
    int passes;
    /* Sorts a[0, n) (with its positions ia, or ia NULL) using b and ib; 1 if the result ended
     * in b and ib, 0 if in a and ia. */
    int (*sort_buffer)(void *a, void *b, int64_t *ia, int64_t *ib, int64_t n);
    /* Adds the digit counts of every pass over a[begin, end) into count[passes][RADIX]. */
    void (*count_all)(const void *a, int64_t begin, int64_t end, int64_t *count);
    /* Adds pass p's digit counts over a[begin, end) into count[RADIX]. */
    void (*count_pass)(const void *a, int64_t begin, int64_t end, int p, int64_t *count);
    unsigned (*digit)(const void *a, int p); /* pass p's digit of a[0] */
    /* Moves src[begin, end) (and isrc, if not NULL) to dst at offset[digit]++. */
    void (*scatter)(const void *src, const int64_t *isrc, void *dst, int64_t *idst,
                    int64_t begin, int64_t end, int p, int64_t *offset);
    /* dst[begin, end) = the row's elements; the row's elements = src[begin, end). */
    void (*gather)(const char *row, int64_t stride, int64_t begin, int64_t end, void *dst);
    void (*put)(char *row, int64_t stride, int64_t begin, int64_t end, const void *src);
    /* Writes the insertion points of keys[begin, end) (see pymic2_sort_desc). */
    void (*search)(const pymic2_sort_desc *desc, int64_t begin, int64_t end);
} sort_impl;

#define SORT_IMPL(S, E, K, PASSES, KEY, DIGIT, LESS)                                       \
    static void insertion_##S(E *a, int64_t *ia, int64_t n)                                 \
    {                                                                                       \
        for (int64_t i = 1; i < n; i++) {                                                   \
            const E value = a[i];                                                           \
            const K key = KEY(value);                                                       \
            const int64_t position = ia != NULL ? ia[i] : 0;                                \
            int64_t j = i;                                                                  \
            for (; j > 0 && LESS(key, KEY(a[j - 1])); j--) {                                \
                a[j] = a[j - 1];                                                            \
                if (ia != NULL)                                                             \
                    ia[j] = ia[j - 1];                                                      \
            }                                                                               \
            a[j] = value;                                                                   \
            if (ia != NULL)                                                                 \
                ia[j] = position;                                                           \
        }                                                                                   \
    }                                                                                       \
    static void count_all_##S(const void *a_, int64_t begin, int64_t end, int64_t *count)   \
    {                                                                                       \
        const E *a = a_;                                                                    \
        for (int64_t i = begin; i < end; i++) {                                             \
            const K key = KEY(a[i]);                                                        \
            for (int p = 0; p < PASSES; p++)                                                \
                count[p * RADIX + DIGIT(key, p)]++;                                         \
        }                                                                                   \
    }                                                                                       \
    static void count_pass_##S(const void *a_, int64_t begin, int64_t end, int p,           \
                               int64_t *count)                                              \
    {                                                                                       \
        const E *a = a_;                                                                    \
        for (int64_t i = begin; i < end; i++)                                               \
            count[DIGIT(KEY(a[i]), p)]++;                                                   \
    }                                                                                       \
    static unsigned digit_##S(const void *a, int p)                                         \
    {                                                                                       \
        return DIGIT(KEY(*(const E *)a), p);                                                \
    }                                                                                       \
    static void scatter_##S(const void *src_, const int64_t *isrc, void *dst_, int64_t *idst, \
                            int64_t begin, int64_t end, int p, int64_t *offset)             \
    {                                                                                       \
        const E *src = src_;                                                                \
        E *dst = dst_;                                                                      \
        if (isrc == NULL) {                                                                 \
            for (int64_t i = begin; i < end; i++)                                           \
                dst[offset[DIGIT(KEY(src[i]), p)]++] = src[i];                              \
            return;                                                                         \
        }                                                                                   \
        for (int64_t i = begin; i < end; i++) {                                             \
            const int64_t at = offset[DIGIT(KEY(src[i]), p)]++;                             \
            dst[at] = src[i];                                                               \
            idst[at] = isrc[i];                                                             \
        }                                                                                   \
    }                                                                                       \
    static int sort_buffer_##S(void *a_, void *b_, int64_t *ia, int64_t *ib, int64_t n)     \
    {                                                                                       \
        E *a = a_, *b = b_;                                                                 \
        if (n <= SMALL_ROW) {                                                               \
            insertion_##S(a, ia, n);                                                        \
            return 0;                                                                       \
        }                                                                                   \
        int64_t count[PASSES * RADIX];                                                      \
        memset(count, 0, sizeof count);                                                     \
        count_all_##S(a, 0, n, count);                                                      \
        int in_b = 0;                                                                       \
        for (int p = 0; p < PASSES; p++) {                                                  \
            E *src = in_b ? b : a, *dst = in_b ? a : b;                                     \
            int64_t *isrc = in_b ? ib : ia, *idst = in_b ? ia : ib;                         \
            if (count[p * RADIX + digit_##S(src, p)] == n)                                  \
                continue; /* every element has this digit */                                \
            int64_t offset[RADIX], sum = 0;                                                 \
            for (int d = 0; d < RADIX; d++) {                                               \
                offset[d] = sum;                                                            \
                sum += count[p * RADIX + d];                                                \
            }                                                                               \
            scatter_##S(src, isrc, dst, idst, 0, n, p, offset);                             \
            in_b = !in_b;                                                                   \
        }                                                                                   \
        return in_b;                                                                        \
    }                                                                                       \
    static void gather_##S(const char *row, int64_t stride, int64_t begin, int64_t end,     \
                           void *dst_)                                                      \
    {                                                                                       \
        E *dst = dst_;                                                                      \
        if (stride == (int64_t)sizeof(E)) {                                                 \
            memcpy(dst + begin, row + begin * stride, (size_t)(end - begin) * sizeof(E));  \
            return;                                                                         \
        }                                                                                   \
        for (int64_t i = begin; i < end; i++)                                               \
            memcpy(dst + i, row + i * stride, sizeof(E));                                   \
    }                                                                                       \
    static void put_##S(char *row, int64_t stride, int64_t begin, int64_t end,              \
                        const void *src_)                                                   \
    {                                                                                       \
        const E *src = src_;                                                                \
        if (stride == (int64_t)sizeof(E)) {                                                 \
            memcpy(row + begin * stride, src + begin, (size_t)(end - begin) * sizeof(E));  \
            return;                                                                         \
        }                                                                                   \
        for (int64_t i = begin; i < end; i++)                                               \
            memcpy(row + i * stride, src + i, sizeof(E));                                   \
    }                                                                                       \
    static void search_##S(const pymic2_sort_desc *desc, int64_t begin, int64_t end)        \
    {                                                                                       \
        const char *sorted = pymic2__host_address(desc->values.buffer, 0) +                 \
                             desc->values.offset;                                           \
        const char *keys = pymic2__host_address(desc->keys.buffer, 0) + desc->keys.offset;  \
        char *out = pymic2__host_address(desc->indices.buffer, 0) + desc->indices.offset;   \
        const int64_t n = desc->values.shape[0], step = desc->values.strides[0];            \
        for (int64_t i = begin; i < end; i++) {                                             \
            E element;                                                                      \
            memcpy(&element, keys + i * desc->keys.strides[0], sizeof element);             \
            const K key = KEY(element);                                                     \
            int64_t low = 0, high = n;                                                      \
            while (low < high) {                                                            \
                const int64_t middle = low + (high - low) / 2;                              \
                memcpy(&element, sorted + middle * step, sizeof element);                   \
                const K there = KEY(element);                                               \
                if (desc->right ? !LESS(key, there) : LESS(there, key))                     \
                    low = middle + 1;                                                       \
                else                                                                        \
                    high = middle;                                                          \
            }                                                                               \
            memcpy(out + i * desc->indices.strides[0], &low, sizeof low);                   \
        }                                                                                   \
    }                                                                                       \
    static const sort_impl impl_##S = {sizeof(E), PASSES, sort_buffer_##S, count_all_##S,   \
                                       count_pass_##S, digit_##S, scatter_##S, gather_##S,  \
                                       put_##S, search_##S};

SORT_IMPL(u8, uint8_t, uint8_t, 1, KEY_U, DIGIT_SCALAR, LESS_SCALAR)
SORT_IMPL(s8, uint8_t, uint8_t, 1, KEY_S8, DIGIT_SCALAR, LESS_SCALAR)
SORT_IMPL(u16, uint16_t, uint16_t, 2, KEY_U, DIGIT_SCALAR, LESS_SCALAR)
SORT_IMPL(s16, uint16_t, uint16_t, 2, KEY_S16, DIGIT_SCALAR, LESS_SCALAR)
SORT_IMPL(f16, uint16_t, uint16_t, 2, KEY_F16, DIGIT_SCALAR, LESS_SCALAR)
SORT_IMPL(u32, uint32_t, uint32_t, 4, KEY_U, DIGIT_SCALAR, LESS_SCALAR)
SORT_IMPL(s32, uint32_t, uint32_t, 4, KEY_S32, DIGIT_SCALAR, LESS_SCALAR)
SORT_IMPL(f32, uint32_t, uint32_t, 4, KEY_F32, DIGIT_SCALAR, LESS_SCALAR)
SORT_IMPL(u64, uint64_t, uint64_t, 8, KEY_U, DIGIT_SCALAR, LESS_SCALAR)
SORT_IMPL(s64, uint64_t, uint64_t, 8, KEY_S64, DIGIT_SCALAR, LESS_SCALAR)
SORT_IMPL(f64, uint64_t, uint64_t, 8, KEY_F64, DIGIT_SCALAR, LESS_SCALAR)
SORT_IMPL(c64, bits32x2, uint64_t, 8, KEY_C64, DIGIT_SCALAR, LESS_SCALAR)
SORT_IMPL(c128, bits64x2, key128, 16, KEY_C128, DIGIT_128, LESS_128)
#undef SORT_IMPL

/* The sort of a dtype, from its kind and size (so a new row of the dtype table of a known
 * kind and width needs nothing here); NULL if there is none. */
static const sort_impl *impl_of(pymic2_dtype dtype)
{
    const size_t size = pymic2_dtype_size(dtype);
    switch (pymic2_dtype_kind(dtype)) {
    case 'b':
    case 'u':
        return size == 1 ? &impl_u8 : size == 2 ? &impl_u16 : size == 4 ? &impl_u32
             : size == 8 ? &impl_u64 : NULL;
    case 'i':
        return size == 1 ? &impl_s8 : size == 2 ? &impl_s16 : size == 4 ? &impl_s32
             : size == 8 ? &impl_s64 : NULL;
    case 'f':
        return size == 2 ? &impl_f16 : size == 4 ? &impl_f32 : size == 8 ? &impl_f64 : NULL;
    case 'c':
        return size == 8 ? &impl_c64 : size == 16 ? &impl_c128 : NULL;
    }
    return NULL;
}

/* Byte offset of row r (the last dimension is the row) from the operand's buffer start. */
static int64_t row_offset(const pymic2_operand *operand, int64_t row)
{
    int64_t offset = (int64_t)operand->offset;
    for (int d = operand->ndim - 2; d >= 0; d--) {
        offset += row % operand->shape[d] * operand->strides[d];
        row /= operand->shape[d];
    }
    return offset;
}

static void put_positions(char *row, int64_t stride, int64_t begin, int64_t end,
                          const int64_t *positions)
{
    for (int64_t i = begin; i < end; i++)
        memcpy(row + i * stride, positions + i, sizeof *positions);
}

/* ------------------------------------------------------------ many rows, one per thread */

typedef struct rows_plan {
    const sort_impl *impl;
    const pymic2_sort_desc *desc;
    int64_t n;
    char *scratch; /* per member: a, b (n elements each), then ia, ib (n positions each) */
    size_t part, index_part, member_bytes;
} rows_plan;

static void sort_rows(void *context, int64_t begin, int64_t end, int member)
{
    const rows_plan *plan = context;
    const pymic2_sort_desc *desc = plan->desc;
    const int64_t n = plan->n;
    char *mine = plan->scratch + (size_t)member * plan->member_bytes;
    void *a = mine, *b = mine + plan->part;
    const bool positions = desc->indices.buffer != NULL;
    int64_t *ia = positions ? (int64_t *)(mine + 2 * plan->part) : NULL;
    int64_t *ib = positions ? (int64_t *)(mine + 2 * plan->part + plan->index_part) : NULL;
    char *values = pymic2__host_address(desc->values.buffer, 0);
    const int64_t step = desc->values.strides[desc->values.ndim - 1];
    for (int64_t r = begin; r < end; r++) {
        char *row = values + row_offset(&desc->values, r);
        plan->impl->gather(row, step, 0, n, a);
        for (int64_t i = 0; positions && i < n; i++)
            ia[i] = i;
        const int in_b = plan->impl->sort_buffer(a, b, ia, ib, n);
        plan->impl->put(row, step, 0, n, in_b ? b : a);
        if (positions)
            put_positions(pymic2__host_address(desc->indices.buffer, 0) +
                              row_offset(&desc->indices, r),
                          desc->indices.strides[desc->indices.ndim - 1], 0, n,
                          in_b ? ib : ia);
    }
}

/* ------------------------------------------------------------ one long row, whole team */

typedef struct long_plan {
    const sort_impl *impl;
    char *row, *index_row;
    int64_t step, index_step, n;
    int chunks, pass;
    void *src, *dst;
    int64_t *isrc, *idst;
    int64_t *counts;  /* chunks x passes x RADIX: every pass's digits of the unsorted chunks */
    int64_t *offsets; /* chunks x RADIX: this pass's next output position per digit */
} long_plan;

static void chunk_range(const long_plan *plan, int64_t chunk, int64_t *begin, int64_t *end)
{
    *begin = plan->n * chunk / plan->chunks;
    *end = plan->n * (chunk + 1) / plan->chunks;
}

static void long_load(void *context, int64_t chunk, int64_t next, int member)
{
    (void)next, (void)member;
    long_plan *plan = context;
    int64_t begin, end;
    chunk_range(plan, chunk, &begin, &end);
    plan->impl->gather(plan->row, plan->step, begin, end, plan->src);
    for (int64_t i = begin; plan->isrc != NULL && i < end; i++)
        plan->isrc[i] = i;
    plan->impl->count_all(plan->src, begin, end,
                          plan->counts + chunk * plan->impl->passes * RADIX);
}

static void long_count(void *context, int64_t chunk, int64_t next, int member)
{
    (void)next, (void)member;
    long_plan *plan = context;
    int64_t begin, end;
    chunk_range(plan, chunk, &begin, &end);
    int64_t *count = plan->offsets + chunk * RADIX;
    memset(count, 0, RADIX * sizeof *count);
    plan->impl->count_pass(plan->src, begin, end, plan->pass, count);
}

static void long_scatter(void *context, int64_t chunk, int64_t next, int member)
{
    (void)next, (void)member;
    long_plan *plan = context;
    int64_t begin, end;
    chunk_range(plan, chunk, &begin, &end);
    plan->impl->scatter(plan->src, plan->isrc, plan->dst, plan->idst, begin, end, plan->pass,
                        plan->offsets + chunk * RADIX);
}

static void long_store(void *context, int64_t chunk, int64_t next, int member)
{
    (void)next, (void)member;
    long_plan *plan = context;
    int64_t begin, end;
    chunk_range(plan, chunk, &begin, &end);
    plan->impl->put(plan->row, plan->step, begin, end, plan->src);
    if (plan->isrc != NULL)
        put_positions(plan->index_row, plan->index_step, begin, end, plan->isrc);
}

/* Turns offsets (each chunk's digit counts) into output positions: digit-major, so equal
 * digits keep the chunks' order (stable). */
static void chunk_offsets(long_plan *plan)
{
    int64_t sum = 0;
    for (int d = 0; d < RADIX; d++)
        for (int c = 0; c < plan->chunks; c++) {
            const int64_t count = plan->offsets[c * RADIX + d];
            plan->offsets[c * RADIX + d] = sum;
            sum += count;
        }
}

static void sort_long_row(pymic2__team *team, long_plan *plan)
{
    const int chunks = plan->chunks, passes = plan->impl->passes;
    memset(plan->counts, 0, (size_t)chunks * passes * RADIX * sizeof *plan->counts);
    pymic2__team_parallel_for_pieces(team, chunks, chunks, long_load, plan);
    bool moved = false;
    for (int p = 0; p < passes; p++) {
        int64_t *count = plan->counts;
        int64_t total = 0;
        const unsigned first = plan->impl->digit(plan->src, p);
        for (int c = 0; c < chunks; c++)
            total += count[(c * passes + p) * RADIX + first];
        if (total == plan->n)
            continue; /* every element has this digit */
        plan->pass = p;
        if (moved) {
            pymic2__team_parallel_for_pieces(team, chunks, chunks, long_count, plan);
        } else { /* the chunks still hold what long_load counted */
            for (int c = 0; c < chunks; c++)
                memcpy(plan->offsets + c * RADIX, count + (c * passes + p) * RADIX,
                       RADIX * sizeof *count);
        }
        chunk_offsets(plan);
        pymic2__team_parallel_for_pieces(team, chunks, chunks, long_scatter, plan);
        void *swap = plan->src;
        plan->src = plan->dst;
        plan->dst = swap;
        int64_t *iswap = plan->isrc;
        plan->isrc = plan->idst;
        plan->idst = iswap;
        moved = true;
    }
    pymic2__team_parallel_for_pieces(team, chunks, chunks, long_store, plan);
}

/* ------------------------------------------------------------ the ops */

static int no_memory(pymic2_device *device, size_t bytes)
{
    return pymic2__error(PYMIC2_ENOMEM, "%s: sort: no host memory for %zu bytes of scratch",
                         device->name, bytes);
}

static int sort_long_rows(pymic2_stream *stream, const pymic2_sort_desc *desc,
                          const sort_impl *impl, int64_t rows, int64_t n, int chunks)
{
    pymic2__team *team = pymic2__host_of(stream->device)->team;
    const bool positions = desc->indices.buffer != NULL;
    const size_t part = ALIGNED((size_t)n * impl->size);
    const size_t index_part = positions ? ALIGNED((size_t)n * sizeof(int64_t)) : 0;
    const size_t count_bytes = (size_t)chunks * ((size_t)impl->passes + 1) * RADIX *
                               sizeof(int64_t);
    const size_t bytes = 2 * part + 2 * index_part + count_bytes;
    char *scratch = malloc(bytes);
    if (scratch == NULL)
        return no_memory(stream->device, bytes);
    for (int64_t r = 0; r < rows; r++) {
        long_plan plan = {.impl = impl, .n = n, .chunks = chunks, .src = scratch,
                          .dst = scratch + part};
        plan.row = pymic2__host_address(desc->values.buffer, 0) + row_offset(&desc->values, r);
        plan.step = desc->values.strides[desc->values.ndim - 1];
        if (positions) {
            plan.index_row = pymic2__host_address(desc->indices.buffer, 0) +
                             row_offset(&desc->indices, r);
            plan.index_step = desc->indices.strides[desc->indices.ndim - 1];
            plan.isrc = (int64_t *)(scratch + 2 * part);
            plan.idst = (int64_t *)(scratch + 2 * part + index_part);
        }
        plan.counts = (int64_t *)(scratch + 2 * part + 2 * index_part);
        plan.offsets = plan.counts + (size_t)chunks * impl->passes * RADIX;
        sort_long_row(team, &plan);
    }
    free(scratch);
    return PYMIC2_OK;
}

static int sort_rows_op(pymic2_stream *stream, const pymic2_sort_desc *desc,
                        const sort_impl *impl)
{
    pymic2__team *team = pymic2__host_of(stream->device)->team;
    const int members = pymic2__team_size(team);
    const pymic2_operand *values = &desc->values;
    const int64_t n = values->shape[values->ndim - 1];
    int64_t rows = 1;
    for (int d = 0; d < values->ndim - 1; d++)
        rows *= values->shape[d];
    if (rows == 0 || n <= 1)
        return PYMIC2_OK; /* (a row of one: its only position, 0, is written below) */
    if (n >= PARALLEL_ROW && members > 1 && rows < members)
        return sort_long_rows(stream, desc, impl, rows, n, members);

    rows_plan plan = {.impl = impl, .desc = desc, .n = n};
    plan.part = ALIGNED((size_t)n * impl->size);
    plan.index_part = desc->indices.buffer != NULL ? ALIGNED((size_t)n * sizeof(int64_t)) : 0;
    plan.member_bytes = 2 * plan.part + 2 * plan.index_part;
    plan.scratch = malloc(plan.member_bytes * (size_t)members);
    if (plan.scratch == NULL)
        return no_memory(stream->device, plan.member_bytes * (size_t)members);
    pymic2__team_parallel_for(team, rows, n >= PIECE_ELEMENTS ? 1 : PIECE_ELEMENTS / n,
                              sort_rows, &plan);
    free(plan.scratch);
    return PYMIC2_OK;
}

/* A row of one element is sorted; its position is 0. */
static void zero_positions(const pymic2_sort_desc *desc)
{
    const pymic2_operand *indices = &desc->indices;
    int64_t count = 1;
    for (int d = 0; d < indices->ndim; d++)
        count *= indices->shape[d];
    const int64_t zero = 0;
    char *base = pymic2__host_address(indices->buffer, 0);
    for (int64_t r = 0; r < count; r++)
        memcpy(base + row_offset(indices, r), &zero, sizeof zero);
}

typedef struct search_plan {
    const sort_impl *impl;
    const pymic2_sort_desc *desc;
} search_plan;

static void search_range(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    const search_plan *plan = context;
    plan->impl->search(plan->desc, begin, end);
}

/* The family's slot: one validated sort or search. */
int pymic2__host_sort(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    (void)launch;
    const pymic2_sort_desc *desc = &command->u.sort;
    const sort_impl *impl = impl_of(desc->values.dtype);
    if (impl == NULL)
        return pymic2__error(PYMIC2_ENOTSUP, "%s: sort: %s has no sort order on this device",
                             stream->device->name, pymic2_dtype_name(desc->values.dtype));
    if (desc->op == PYMIC2_SORT_SEARCH) {
        search_plan plan = {impl, desc};
        if (desc->keys.shape[0] > 0)
            pymic2__team_parallel_for(pymic2__host_of(stream->device)->team,
                                      desc->keys.shape[0], 4096, search_range, &plan);
        return PYMIC2_OK;
    }
    const int64_t n = desc->values.shape[desc->values.ndim - 1];
    if (n == 1 && desc->indices.buffer != NULL)
        zero_positions(desc);
    return sort_rows_op(stream, desc, impl);
}
