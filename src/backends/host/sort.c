/*
 * sort.c - the SORT family (pymic2_sort) on a host device.
 *
 * Every dtype sorts by an unsigned key that orders as NumPy does: integers with the sign bit
 * flipped; IEEE floats (any width, so float16 too) with negative values' bits inverted and
 * positive values' sign bit set, -0.0 given +0.0's key and every NaN the largest key; complex
 * numbers by the pair (real key, imaginary key), those with a NaN part last (COMPLEX_KEY).
 * The elements themselves move (the key is recomputed from them), so -0.0 and NaN payloads
 * keep their bits and equal keys keep their order.
 *
 * A row is copied into a contiguous buffer, sorted there and written back. Short rows use an
 * insertion sort; longer ones a radix sort on 8-bit digits that skips the digits all
 * elements share (small integers, floats of one sign and exponent range): a range that fits
 * in the cache is LSD-sorted there, a longer one is first split by its highest varying digit
 * (MSD, stable) and each bucket sorted the same way (sort_range), so a long row costs one
 * pass over memory, the rest in the cache. Many rows are split over the team, one row per
 * thread at a time; a long row is split by the whole team: each thread counts the digits of
 * its chunk, the counts' prefix sums (digit-major, chunk-minor) give each chunk's output
 * positions, the chunks scatter in parallel (stable, like the serial sort), then the team
 * sorts the buckets. PYMIC2_SORT_RUNS finds the runs of a sorted array in chunks likewise:
 * count, then write from each chunk's first slot. PYMIC2_SORT_SELECT (partition) runs an
 * introselect per row (SELECT_IMPL), the rows split over the team like a sort's.
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
/* A range at most this many bytes (both buffers, positions too) is LSD-sorted at once: it
 * stays in the cache (L2) for all its passes. */
#define CACHE_BYTES ((size_t)1024 * 1024)
/* Ranges longer than this choose a selection's pivot by Tukey's ninther. */
#define NINTHER_ROW 128
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

/* A complex number's (hi, lo) key words from its parts' keys re and im: (re, im) without
 * NaN; NumPy puts the numbers with NaN after all others, in the classes R + nanj, nan + Rj,
 * nan + nanj, each ordered by its non-NaN part, so their hi words are key(+inf) + 1,
 * key(+inf) + 2 and the NaN key (all ones), above every non-NaN real part's. */
#define COMPLEX_KEY(U, re, im, INF, hi, lo)                                                 \
    do {                                                                                    \
        const int re_nan_ = (re) == (U)~(U)0, im_nan_ = (im) == (U)~(U)0;                   \
        (hi) = re_nan_ == im_nan_ ? (re) : (U)((INF) + (im_nan_ ? 1 : 2));                  \
        (lo) = im_nan_ && !re_nan_ ? (re) : (im);                                           \
    } while (0)

static inline uint64_t key_c64(bits32x2 e)
{
    const uint32_t re = key_f32(e.re), im = key_f32(e.im);
    uint32_t hi, lo;
    COMPLEX_KEY(uint32_t, re, im, key_f32(0x7F800000u), hi, lo);
    return (uint64_t)hi << 32 | lo;
}
static inline key128 key_c128(bits64x2 e)
{
    const uint64_t re = key_f64(e.re), im = key_f64(e.im);
    key128 key;
    COMPLEX_KEY(uint64_t, re, im, key_f64(UINT64_C(0x7FF0000000000000)), key.hi, key.lo);
    return key;
}

#define KEY_U(e) (e)
#define KEY_S8(e) ((uint8_t)((e) ^ 0x80u))
#define KEY_S16(e) ((uint16_t)((e) ^ 0x8000u))
#define KEY_S32(e) ((e) ^ 0x80000000u)
#define KEY_S64(e) ((e) ^ UINT64_C(0x8000000000000000))
#define KEY_F16(e) key_f16(e)
#define KEY_F32(e) key_f32(e)
#define KEY_F64(e) key_f64(e)
#define KEY_C64(e) key_c64(e)
#define KEY_C128(e) key_c128(e)

#define DIGIT_SCALAR(k, p) ((unsigned)((k) >> (8 * (p))) & (RADIX - 1))
#define DIGIT_128(k, p) ((unsigned)((p) < 8 ? (k).lo >> (8 * (p)) : (k).hi >> (8 * ((p) - 8))) \
                         & (RADIX - 1))
#define LESS_SCALAR(a, b) ((a) < (b))
#define LESS_128(a, b) ((a).hi < (b).hi || ((a).hi == (b).hi && (a).lo < (b).lo))
/* Whether a key is a NaN's (complex: of a number with a NaN part, see COMPLEX_KEY). */
#define NAN_NONE(k) 0
#define NAN_ALL_ONES(k) ((k) == (__typeof__(k))~(__typeof__(k))0)
#define NAN_C64(k) ((k) >> 32 > key_f32(0x7F800000u))
#define NAN_C128(k) ((k).hi > key_f64(UINT64_C(0x7FF0000000000000)))

/* One dtype's sort, through its element type. */
typedef struct sort_impl {
    size_t size;
    int passes;
    /* Sorts a[0, n) (with its positions ia, or ia NULL) using b and ib; 1 if the result ended
     * in b and ib, 0 if in a and ia. */
    int (*sort_buffer)(void *a, void *b, int64_t *ia, int64_t *ib, int64_t n);
    /* Adds the digit counts of every pass over a[begin, end) into count[passes][RADIX]. */
    void (*count_all)(const void *a, int64_t begin, int64_t end, int64_t *count);
    unsigned (*digit)(const void *a, int p); /* pass p's digit of a[0] */
    /* Moves src[begin, end) (and isrc, if not NULL) to dst at offset[digit]++. */
    void (*scatter)(const void *src, const int64_t *isrc, void *dst, int64_t *idst,
                    int64_t begin, int64_t end, int p, int64_t *offset);
    /* dst[begin, end) = the row's elements; the row's elements = src[begin, end). */
    void (*gather)(const char *row, int64_t stride, int64_t begin, int64_t end, void *dst);
    void (*put)(char *row, int64_t stride, int64_t begin, int64_t end, const void *src);
    /* Writes the insertion points of keys[begin, end) (see pymic2_sort_desc). */
    void (*search)(const pymic2_sort_desc *desc, int64_t begin, int64_t end);
    /* The number of runs of sorted[begin, end) (elements step bytes apart) that start
     * there; their starts to out + at * out_step, ... if out is not NULL (PYMIC2_SORT_RUNS). */
    int64_t (*runs)(const char *sorted, int64_t step, int64_t begin, int64_t end,
                    int equal_nan, char *out, int64_t out_step, int64_t at);
    /* Partitions a[0, n) (with its positions ia, or ia NULL) at the increasing positions
     * kth[0, count), radix-sorting a range after depth bad partitions (b, ib: scratch). */
    void (*select)(void *a, int64_t *ia, void *b, int64_t *ib, int64_t n, const int64_t *kth,
                   int64_t count, int depth);
} sort_impl;

/*
 * Introselect of a[lo, hi) (and its positions ia, if not NULL) at the increasing positions
 * kth[k0, k1): a Hoare partition around a median-of-3 pivot (ninther for longer ranges),
 * then the side holding fewer positions recursively and the other in the loop, so a sequence
 * of positions partitions each subrange once. Short ranges are insertion-sorted; after
 * `depth` partitions (bad pivots) the range is radix-sorted with b and ib as scratch. Hoare's
 * scheme stops on keys equal to the pivot, so duplicates split evenly.
 */
#define SELECT_IMPL(S, E, K, KEY, LESS)                                                     \
    static inline void swap_##S(E *a, int64_t *ia, int64_t i, int64_t j)                    \
    {                                                                                       \
        const E t = a[i];                                                                   \
        a[i] = a[j];                                                                        \
        a[j] = t;                                                                           \
        if (ia != NULL) {                                                                   \
            const int64_t u = ia[i];                                                        \
            ia[i] = ia[j];                                                                  \
            ia[j] = u;                                                                      \
        }                                                                                   \
    }                                                                                       \
    static inline int64_t median3_##S(const E *a, int64_t i, int64_t j, int64_t k)          \
    {                                                                                       \
        const K x = KEY(a[i]), y = KEY(a[j]), z = KEY(a[k]);                                \
        if (LESS(x, y))                                                                     \
            return LESS(y, z) ? j : LESS(x, z) ? k : i;                                     \
        return LESS(x, z) ? i : LESS(y, z) ? k : j;                                         \
    }                                                                                       \
    static int64_t pivot_##S(const E *a, int64_t lo, int64_t hi)                            \
    {                                                                                       \
        const int64_t mid = lo + (hi - lo) / 2, last = hi - 1;                              \
        if (hi - lo <= NINTHER_ROW)                                                         \
            return median3_##S(a, lo, mid, last);                                           \
        const int64_t s = (hi - lo) / 8;                                                    \
        return median3_##S(a, median3_##S(a, lo, lo + s, lo + 2 * s),                       \
                           median3_##S(a, mid - s, mid, mid + s),                           \
                           median3_##S(a, last - 2 * s, last - s, last));                   \
    }                                                                                       \
    /* [lo, j] holds keys <= the pivot's, [j + 1, hi) keys >= it; lo <= j < hi - 1. */     \
    static int64_t partition_##S(E *a, int64_t *ia, int64_t lo, int64_t hi, int64_t pivot)  \
    {                                                                                       \
        swap_##S(a, ia, lo, pivot); /* a[lo] stops both scans: no bounds checks */          \
        const K p = KEY(a[lo]);                                                             \
        int64_t i = lo - 1, j = hi;                                                         \
        for (;;) {                                                                          \
            do                                                                              \
                i++;                                                                        \
            while (LESS(KEY(a[i]), p));                                                     \
            do                                                                              \
                j--;                                                                        \
            while (LESS(p, KEY(a[j])));                                                     \
            if (i >= j)                                                                     \
                return j;                                                                   \
            swap_##S(a, ia, i, j);                                                          \
        }                                                                                   \
    }                                                                                       \
    static void select_##S(E *a, int64_t *ia, E *b, int64_t *ib, int64_t lo, int64_t hi,    \
                           const int64_t *kth, int64_t k0, int64_t k1, int depth)           \
    {                                                                                       \
        while (k0 < k1) {                                                                   \
            const int64_t n = hi - lo;                                                      \
            if (n <= SMALL_ROW) {                                                           \
                insertion_##S(a + lo, ia != NULL ? ia + lo : NULL, n);                      \
                return;                                                                     \
            }                                                                               \
            if (depth-- == 0) {                                                             \
                if (sort_buffer_##S(a + lo, b + lo, ia != NULL ? ia + lo : NULL,            \
                                    ib != NULL ? ib + lo : NULL, n)) {                      \
                    memcpy(a + lo, b + lo, (size_t)n * sizeof *a);                          \
                    if (ia != NULL)                                                         \
                        memcpy(ia + lo, ib + lo, (size_t)n * sizeof *ia);                   \
                }                                                                           \
                return;                                                                     \
            }                                                                               \
            const int64_t j = partition_##S(a, ia, lo, hi, pivot_##S(a, lo, hi));           \
            int64_t split = k0; /* kth[k0, split) lie in [lo, j] */                         \
            while (split < k1 && kth[split] <= j)                                           \
                split++;                                                                    \
            if (split - k0 < k1 - split) {                                                  \
                select_##S(a, ia, b, ib, lo, j + 1, kth, k0, split, depth);                 \
                lo = j + 1, k0 = split;                                                     \
            } else {                                                                        \
                select_##S(a, ia, b, ib, j + 1, hi, kth, split, k1, depth);                 \
                hi = j + 1, k1 = split;                                                     \
            }                                                                               \
        }                                                                                   \
    }                                                                                       \
    static void select_range_##S(void *a, int64_t *ia, void *b, int64_t *ib, int64_t n,     \
                                 const int64_t *kth, int64_t count, int depth)              \
    {                                                                                       \
        select_##S(a, ia, b, ib, 0, n, kth, 0, count, depth);                               \
    }

#define SORT_IMPL(S, E, K, PASSES, KEY, DIGIT, LESS, NAN)                                  \
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
    static int64_t runs_##S(const char *sorted, int64_t step, int64_t begin, int64_t end,   \
                            int equal_nan, char *out, int64_t out_step, int64_t at)         \
    {                                                                                       \
        E element;                                                                          \
        K before;                                                                           \
        memcpy(&element, sorted + (begin > 0 ? begin - 1 : 0) * step, sizeof element);    \
        before = KEY(element);                                                              \
        int64_t count = 0;                                                                  \
        for (int64_t i = begin; i < end; i++) {                                             \
            memcpy(&element, sorted + i * step, sizeof element);                            \
            const K key = KEY(element);                                                     \
            const bool starts = i == 0 || (NAN(key) ? !equal_nan || !NAN(before)            \
                                                    : LESS(before, key));                   \
            if (starts && out != NULL)                                                      \
                memcpy(out + (at + count) * out_step, &i, sizeof i);                        \
            count += starts;                                                                \
            before = key;                                                                   \
        }                                                                                   \
        return count;                                                                       \
    }                                                                                       \
    SELECT_IMPL(S, E, K, KEY, LESS)                                                         \
    static const sort_impl impl_##S = {sizeof(E), PASSES, sort_buffer_##S, count_all_##S,   \
                                       digit_##S, scatter_##S, gather_##S, put_##S,         \
                                       search_##S, runs_##S, select_range_##S};

SORT_IMPL(u8, uint8_t, uint8_t, 1, KEY_U, DIGIT_SCALAR, LESS_SCALAR, NAN_NONE)
SORT_IMPL(s8, uint8_t, uint8_t, 1, KEY_S8, DIGIT_SCALAR, LESS_SCALAR, NAN_NONE)
SORT_IMPL(u16, uint16_t, uint16_t, 2, KEY_U, DIGIT_SCALAR, LESS_SCALAR, NAN_NONE)
SORT_IMPL(s16, uint16_t, uint16_t, 2, KEY_S16, DIGIT_SCALAR, LESS_SCALAR, NAN_NONE)
SORT_IMPL(f16, uint16_t, uint16_t, 2, KEY_F16, DIGIT_SCALAR, LESS_SCALAR, NAN_ALL_ONES)
SORT_IMPL(u32, uint32_t, uint32_t, 4, KEY_U, DIGIT_SCALAR, LESS_SCALAR, NAN_NONE)
SORT_IMPL(s32, uint32_t, uint32_t, 4, KEY_S32, DIGIT_SCALAR, LESS_SCALAR, NAN_NONE)
SORT_IMPL(f32, uint32_t, uint32_t, 4, KEY_F32, DIGIT_SCALAR, LESS_SCALAR, NAN_ALL_ONES)
SORT_IMPL(u64, uint64_t, uint64_t, 8, KEY_U, DIGIT_SCALAR, LESS_SCALAR, NAN_NONE)
SORT_IMPL(s64, uint64_t, uint64_t, 8, KEY_S64, DIGIT_SCALAR, LESS_SCALAR, NAN_NONE)
SORT_IMPL(f64, uint64_t, uint64_t, 8, KEY_F64, DIGIT_SCALAR, LESS_SCALAR, NAN_ALL_ONES)
SORT_IMPL(c64, bits32x2, uint64_t, 8, KEY_C64, DIGIT_SCALAR, LESS_SCALAR, NAN_C64)
SORT_IMPL(c128, bits64x2, key128, 16, KEY_C128, DIGIT_128, LESS_128, NAN_C128)
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
    if (stride == (int64_t)sizeof *positions) {
        memcpy(row + begin * stride, positions + begin,
               (size_t)(end - begin) * sizeof *positions);
        return;
    }
    for (int64_t i = begin; i < end; i++)
        memcpy(row + i * stride, positions + i, sizeof *positions);
}

/* ------------------------------------------------------------ one row: MSD, then LSD */

/* Where a row's sorted ranges go: the row's elements (unless keep_values) and, if
 * index_row, positions. */
typedef struct sink {
    const sort_impl *impl;
    char *row, *index_row;
    int64_t step, index_step;
    bool keep_values;
} sink;

static void sink_put(const sink *out, const char *values, const int64_t *positions,
                     int64_t begin, int64_t end)
{
    if (!out->keep_values)
        out->impl->put(out->row, out->step, begin, end, values);
    if (out->index_row != NULL)
        put_positions(out->index_row, out->index_step, begin, end, positions);
}

/* The highest pass whose digit is not the same for all n elements counted in count
 * (passes x RADIX), first the element whose digits are `first`; -1 if none. */
static int top_pass(const sort_impl *impl, const int64_t *count, const void *first, int64_t n)
{
    for (int p = impl->passes - 1; p >= 0; p--)
        if (count[p * RADIX + impl->digit(first, p)] != n)
            return p;
    return -1;
}

/* Bucket starts (RADIX + 1 of them, from begin) of pass p's digits counted in count. */
static void bucket_starts(const int64_t *count, int p, int64_t begin, int64_t *starts)
{
    starts[0] = begin;
    for (int d = 0; d < RADIX; d++)
        starts[d + 1] = starts[d] + count[p * RADIX + d];
}

/*
 * Sorts a[begin, end) (and its positions ia, if not NULL) into out, with b and ib as the
 * other buffer (the same ranges). A range that fits in the cache is LSD-sorted there; a
 * longer one is split by its highest varying digit into b (MSD, stable) and each bucket is
 * sorted the same way with the buffers' roles swapped, so every pass after the first over a
 * long row runs in the cache.
 */
static void sort_range(const sink *out, char *a, char *b, int64_t *ia, int64_t *ib,
                       int64_t begin, int64_t end)
{
    const sort_impl *impl = out->impl;
    const size_t size = impl->size;
    const int64_t n = end - begin;
    const size_t bytes_each = 2 * size + (ia != NULL ? 2 * sizeof(int64_t) : 0);
    if ((size_t)n * bytes_each <= CACHE_BYTES) {
        const int in_b = impl->sort_buffer(a + begin * size, b + begin * size,
                                           ia != NULL ? ia + begin : NULL,
                                           ib != NULL ? ib + begin : NULL, n);
        sink_put(out, in_b ? b : a, in_b ? ib : ia, begin, end);
        return;
    }
    int64_t count[16 * RADIX], starts[RADIX + 1];
    memset(count, 0, (size_t)impl->passes * RADIX * sizeof *count);
    impl->count_all(a, begin, end, count);
    const int p = top_pass(impl, count, a + begin * size, n);
    if (p < 0) { /* all keys equal */
        sink_put(out, a, ia, begin, end);
        return;
    }
    bucket_starts(count, p, begin, starts);
    int64_t offset[RADIX];
    memcpy(offset, starts, sizeof offset);
    impl->scatter(a, ia, b, ib, begin, end, p, offset);
    for (int d = 0; d < RADIX; d++)
        if (starts[d + 1] > starts[d])
            sort_range(out, b, a, ib, ia, starts[d], starts[d + 1]);
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
    char *a = mine, *b = mine + plan->part;
    const bool positions = desc->indices.buffer != NULL;
    int64_t *ia = positions ? (int64_t *)(mine + 2 * plan->part) : NULL;
    int64_t *ib = positions ? (int64_t *)(mine + 2 * plan->part + plan->index_part) : NULL;
    char *values = pymic2__host_address(desc->values.buffer, 0);
    sink out = {.impl = plan->impl, .step = desc->values.strides[desc->values.ndim - 1],
                .keep_values = desc->keep_values != 0};
    if (positions)
        out.index_step = desc->indices.strides[desc->indices.ndim - 1];
    for (int64_t r = begin; r < end; r++) {
        out.row = values + row_offset(&desc->values, r);
        plan->impl->gather(out.row, out.step, 0, n, a);
        for (int64_t i = 0; positions && i < n; i++)
            ia[i] = i;
        if (positions)
            out.index_row = pymic2__host_address(desc->indices.buffer, 0) +
                            row_offset(&desc->indices, r);
        sort_range(&out, a, b, ia, ib, 0, n);
    }
}

/* ------------------------------------------------------------ one long row, whole team */

typedef struct long_plan {
    sink out;
    int64_t n;
    int chunks, pass;
    char *src, *dst;
    int64_t *isrc, *idst;
    int64_t *counts;  /* chunks x passes x RADIX: every pass's digits of the unsorted chunks */
    int64_t *offsets; /* chunks x RADIX: the MSD pass's next output position per digit */
    int64_t *total;   /* passes x RADIX: the row's digit counts */
    int64_t starts[RADIX + 1]; /* the MSD pass's buckets */
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
    const sort_impl *impl = plan->out.impl;
    int64_t begin, end;
    chunk_range(plan, chunk, &begin, &end);
    impl->gather(plan->out.row, plan->out.step, begin, end, plan->src);
    for (int64_t i = begin; plan->isrc != NULL && i < end; i++)
        plan->isrc[i] = i;
    impl->count_all(plan->src, begin, end, plan->counts + chunk * impl->passes * RADIX);
}

static void long_scatter(void *context, int64_t chunk, int64_t next, int member)
{
    (void)next, (void)member;
    long_plan *plan = context;
    int64_t begin, end;
    chunk_range(plan, chunk, &begin, &end);
    plan->out.impl->scatter(plan->src, plan->isrc, plan->dst, plan->idst, begin, end,
                            plan->pass, plan->offsets + chunk * RADIX);
}

/* Sorts the MSD buckets that start in [from, to) (pieces of the row's elements, not of
 * buckets, balance skewed digits). */
static void long_buckets(void *context, int64_t from, int64_t to, int member)
{
    (void)member;
    long_plan *plan = context;
    for (int d = 0; d < RADIX; d++)
        if (plan->starts[d] >= from && plan->starts[d] < to &&
            plan->starts[d + 1] > plan->starts[d])
            sort_range(&plan->out, plan->dst, plan->src, plan->idst, plan->isrc,
                       plan->starts[d], plan->starts[d + 1]);
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

/* The first pass, on the team: chunks count every digit, then scatter by the highest
 * varying one; then the team sorts the buckets (sort_range), each in the cache if the
 * digit spreads the keys. */
static void sort_long_row(pymic2__team *team, long_plan *plan)
{
    const sort_impl *impl = plan->out.impl;
    const int chunks = plan->chunks, passes = impl->passes;
    memset(plan->counts, 0, (size_t)chunks * passes * RADIX * sizeof *plan->counts);
    pymic2__team_parallel_for_pieces(team, chunks, chunks, long_load, plan);
    int64_t *total = plan->total;
    memset(total, 0, (size_t)passes * RADIX * sizeof *total);
    for (int c = 0; c < chunks; c++)
        for (int i = 0; i < passes * RADIX; i++)
            total[i] += plan->counts[(size_t)c * passes * RADIX + i];
    plan->pass = top_pass(impl, total, plan->src, plan->n);
    if (plan->pass < 0) { /* all keys equal */
        sink_put(&plan->out, plan->src, plan->isrc, 0, plan->n);
        return;
    }
    bucket_starts(total, plan->pass, 0, plan->starts);
    for (int c = 0; c < chunks; c++)
        memcpy(plan->offsets + c * RADIX, plan->counts + (c * passes + plan->pass) * RADIX,
               RADIX * sizeof *plan->offsets);
    chunk_offsets(plan);
    pymic2__team_parallel_for_pieces(team, chunks, chunks, long_scatter, plan);
    pymic2__team_parallel_for_pieces(team, plan->n, 4 * chunks, long_buckets, plan);
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
    const size_t count_bytes = ((size_t)chunks * (impl->passes + 1) + impl->passes) * RADIX *
                               sizeof(int64_t);
    const size_t bytes = 2 * part + 2 * index_part + count_bytes;
    char *scratch = malloc(bytes);
    if (scratch == NULL)
        return no_memory(stream->device, bytes);
    for (int64_t r = 0; r < rows; r++) {
        long_plan plan = {.n = n, .chunks = chunks, .src = scratch, .dst = scratch + part};
        plan.out.impl = impl;
        plan.out.keep_values = desc->keep_values != 0;
        plan.out.row = pymic2__host_address(desc->values.buffer, 0) +
                       row_offset(&desc->values, r);
        plan.out.step = desc->values.strides[desc->values.ndim - 1];
        if (positions) {
            plan.out.index_row = pymic2__host_address(desc->indices.buffer, 0) +
                                 row_offset(&desc->indices, r);
            plan.out.index_step = desc->indices.strides[desc->indices.ndim - 1];
            plan.isrc = (int64_t *)(scratch + 2 * part);
            plan.idst = (int64_t *)(scratch + 2 * part + index_part);
        }
        plan.counts = (int64_t *)(scratch + 2 * part + 2 * index_part);
        plan.offsets = plan.counts + (size_t)chunks * impl->passes * RADIX;
        plan.total = plan.offsets + (size_t)chunks * RADIX;
        sort_long_row(team, &plan);
    }
    free(scratch);
    return PYMIC2_OK;
}

/* The rows of an operand: the product of every dimension but the last. */
static int64_t row_count(const pymic2_operand *values)
{
    int64_t rows = 1;
    for (int d = 0; d < values->ndim - 1; d++)
        rows *= values->shape[d];
    return rows;
}

static int sort_rows_op(pymic2_stream *stream, const pymic2_sort_desc *desc,
                        const sort_impl *impl)
{
    pymic2__team *team = pymic2__host_of(stream->device)->team;
    const int members = pymic2__team_size(team);
    const pymic2_operand *values = &desc->values;
    const int64_t n = values->shape[values->ndim - 1], rows = row_count(values);
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

/* ------------------------------------------------------------ selection (partition) */

typedef struct select_plan {
    rows_plan rows; /* the rows, scratch as for a sort (b, ib for the fallback) */
    const int64_t *kth;
    int64_t count;
    int depth;
} select_plan;

/* Partitions rows [begin, end) one at a time: a contiguous row the op writes in place, any
 * other through the member's scratch (positions likewise). */
static void select_rows(void *context, int64_t begin, int64_t end, int member)
{
    const select_plan *plan = context;
    const pymic2_sort_desc *desc = plan->rows.desc;
    const sort_impl *impl = plan->rows.impl;
    const int64_t n = plan->rows.n;
    char *mine = plan->rows.scratch + (size_t)member * plan->rows.member_bytes;
    const bool positions = desc->indices.buffer != NULL;
    const int64_t step = desc->values.strides[desc->values.ndim - 1];
    const int64_t index_step = positions ? desc->indices.strides[desc->indices.ndim - 1] : 0;
    const bool in_place = !desc->keep_values && step == (int64_t)impl->size;
    const bool index_in_place = index_step == (int64_t)sizeof(int64_t);
    for (int64_t r = begin; r < end; r++) {
        char *row = pymic2__host_address(desc->values.buffer, 0) + row_offset(&desc->values, r);
        char *a = in_place ? row : mine;
        int64_t *ia = NULL;
        char *index_row = NULL;
        if (!in_place)
            impl->gather(row, step, 0, n, a);
        if (positions) {
            index_row = pymic2__host_address(desc->indices.buffer, 0) +
                        row_offset(&desc->indices, r);
            ia = index_in_place ? (int64_t *)index_row
                                : (int64_t *)(mine + 2 * plan->rows.part);
            for (int64_t i = 0; i < n; i++)
                ia[i] = i;
        }
        impl->select(a, ia, mine + plan->rows.part,
                     positions ? (int64_t *)(mine + 2 * plan->rows.part +
                                             plan->rows.index_part) : NULL,
                     n, plan->kth, plan->count, plan->depth);
        if (!in_place && !desc->keep_values)
            impl->put(row, step, 0, n, a);
        if (positions && !index_in_place)
            put_positions(index_row, index_step, 0, n, ia);
    }
}

/* The positions to select (desc->keys) as a host array, checked: increasing, in [0, n). */
static int read_positions(pymic2_device *device, const pymic2_sort_desc *desc, int64_t n,
                          int64_t **kth)
{
    const pymic2_operand *keys = &desc->keys;
    const int64_t count = keys->shape[0];
    *kth = malloc((size_t)count * sizeof **kth);
    if (*kth == NULL)
        return no_memory(device, (size_t)count * sizeof **kth);
    const char *base = pymic2__host_address(keys->buffer, 0) + keys->offset;
    for (int64_t i = 0; i < count; i++) {
        memcpy(*kth + i, base + i * keys->strides[0], sizeof **kth);
        if ((*kth)[i] < 0 || (*kth)[i] >= n || (i > 0 && (*kth)[i] <= (*kth)[i - 1])) {
            const int64_t k = (*kth)[i];
            free(*kth);
            *kth = NULL;
            return pymic2__error(PYMIC2_EINVAL, "%s: sort: position %" PRId64 " to select "
                                 "(%" PRId64 " of %" PRId64 ") is out of [0, %" PRId64 ") or "
                                 "not above the one before", device->name, k, i, count, n);
        }
    }
    return PYMIC2_OK;
}

/* numpy.partition of every row: introselect per row, the rows split over the team. */
static int select_rows_op(pymic2_stream *stream, const pymic2_sort_desc *desc,
                          const sort_impl *impl)
{
    pymic2__team *team = pymic2__host_of(stream->device)->team;
    const int members = pymic2__team_size(team);
    const pymic2_operand *values = &desc->values;
    const int64_t n = values->shape[values->ndim - 1], rows = row_count(values);
    int64_t *kth;
    int status = read_positions(stream->device, desc, n, &kth);
    if (status != PYMIC2_OK || rows == 0 || n <= 1) {
        free(kth);
        return status;
    }
    select_plan plan = {.rows = {.impl = impl, .desc = desc, .n = n}, .kth = kth};
    plan.count = desc->keys.shape[0];
    for (int64_t m = n; m > 1; m >>= 1) /* 2 log2(n) partitions before sorting instead */
        plan.depth += 2;
    plan.rows.part = ALIGNED((size_t)n * impl->size);
    plan.rows.index_part = desc->indices.buffer != NULL
                               ? ALIGNED((size_t)n * sizeof(int64_t)) : 0;
    plan.rows.member_bytes = 2 * plan.rows.part + 2 * plan.rows.index_part;
    plan.rows.scratch = malloc(plan.rows.member_bytes * (size_t)members);
    if (plan.rows.scratch == NULL)
        status = no_memory(stream->device, plan.rows.member_bytes * (size_t)members);
    else
        pymic2__team_parallel_for(team, rows, n >= PIECE_ELEMENTS ? 1 : PIECE_ELEMENTS / n,
                                  select_rows, &plan);
    free(plan.rows.scratch);
    free(kth);
    return status;
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

/* ------------------------------------------------------------ runs (unique's starts) */

typedef struct runs_plan {
    const sort_impl *impl;
    const pymic2_sort_desc *desc;
    int chunks;
    int64_t *at; /* per chunk: its runs' count, then the first output slot */
} runs_plan;

static void runs_chunk(const runs_plan *plan, int64_t chunk, bool write)
{
    const pymic2_sort_desc *desc = plan->desc;
    const int64_t n = desc->values.shape[0];
    const char *sorted = pymic2__host_address(desc->values.buffer, 0) + desc->values.offset;
    char *out = pymic2__host_address(desc->indices.buffer, 0) + desc->indices.offset;
    const int64_t found = plan->impl->runs(sorted, desc->values.strides[0],
                                           n * chunk / plan->chunks,
                                           n * (chunk + 1) / plan->chunks, desc->equal_nan,
                                           write ? out : NULL, desc->indices.strides[0],
                                           plan->at[chunk]);
    if (!write)
        plan->at[chunk] = found;
}

static void runs_count(void *context, int64_t chunk, int64_t next, int member)
{
    (void)next, (void)member;
    runs_chunk(context, chunk, false);
}

static void runs_write(void *context, int64_t chunk, int64_t next, int member)
{
    (void)next, (void)member;
    runs_chunk(context, chunk, true);
}

/* Counts each chunk's runs, then each chunk writes its starts from its first slot. */
static int runs_op(pymic2_stream *stream, const pymic2_sort_desc *desc, const sort_impl *impl)
{
    pymic2__team *team = pymic2__host_of(stream->device)->team;
    const int64_t n = desc->values.shape[0];
    runs_plan plan = {impl, desc, n >= PIECE_ELEMENTS ? 4 * pymic2__team_size(team) : 1,
                      NULL};
    plan.at = calloc((size_t)plan.chunks, sizeof *plan.at);
    if (plan.at == NULL)
        return no_memory(stream->device, (size_t)plan.chunks * sizeof *plan.at);
    int64_t total = 0;
    if (n > 0) {
        pymic2__team_parallel_for_pieces(team, plan.chunks, plan.chunks, runs_count, &plan);
        for (int c = 0; c < plan.chunks; c++) {
            const int64_t count = plan.at[c];
            plan.at[c] = total;
            total += count;
        }
        pymic2__team_parallel_for_pieces(team, plan.chunks, plan.chunks, runs_write, &plan);
    }
    memcpy(pymic2__host_address(desc->indices.buffer, 0) + desc->indices.offset +
               n * desc->indices.strides[0], &total, sizeof total);
    free(plan.at);
    return PYMIC2_OK;
}

/* The family's slot: one validated sort, search or runs. */
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
    if (desc->op == PYMIC2_SORT_RUNS)
        return runs_op(stream, desc, impl);
    const int64_t n = desc->values.shape[desc->values.ndim - 1];
    if (n == 1 && desc->indices.buffer != NULL)
        zero_positions(desc);
    return desc->op == PYMIC2_SORT_SELECT ? select_rows_op(stream, desc, impl)
                                          : sort_rows_op(stream, desc, impl);
}
