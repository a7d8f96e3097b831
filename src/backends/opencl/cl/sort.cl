/* sort.cl - the SORT family's kernels (ocl_sort.c): one program for every dtype.
 *
 * Elements are read as raw bits (uchar ... ulong, uint2 or ulong2 for complex), so no kernel
 * needs fp64. The key orders as NumPy sorts (the host's keys, src/backends/host/sort.c):
 * integers with the sign bit flipped, IEEE floats of any width with negative values' bits
 * inverted and positive values' sign bit set, -0.0 with +0.0's key, NaN the largest key;
 * complex numbers by (real key, imaginary key), those with NaN last (pymic2_sort_hi). A
 * sort sorts (key, position) pairs, so equal keys keep their order (stable) whatever the
 * network does.
 *
 * kind: 0 unsigned or bool, 1 signed, 2 float, 3 complex; width: bits of the (part's) type.
 */
ulong pymic2_float_key(ulong bits, int width)
{
    const ulong sign = (ulong)1 << (width - 1);
    const ulong mask = width == 64 ? ~(ulong)0 : (sign << 1) - 1;
    const ulong inf = width == 16 ? 0x7C00UL : width == 32 ? 0x7F800000UL
                                             : 0x7FF0000000000000UL;
    const ulong magnitude = bits & (sign - 1);
    if (magnitude > inf)
        return mask;
    if (magnitude == 0)
        return sign;
    return (bits & sign) != 0 ? ~bits & mask : bits | sign;
}

/* A key is two words (hi, then lo: 0 but for complex numbers). A complex number without
 * NaN is (real key, imaginary key); NumPy puts those with NaN after all others, in the
 * classes R + nanj, nan + Rj, nan + nanj, each ordered by its non-NaN part: their hi words
 * are key(+inf) + 1, key(+inf) + 2 and the NaN key, above every non-NaN real part's. */
ulong pymic2_sort_hi(ulong re, ulong im, int kind, int width)
{
    if (kind == 1)
        return re ^ ((ulong)1 << (width - 1));
    if (kind < 2)
        return re;
    const ulong key = pymic2_float_key(re, width);
    if (kind == 2)
        return key;
    const ulong nan = pymic2_float_key(~(ulong)0, width);
    const ulong inf = pymic2_float_key(width == 32 ? 0x7F800000UL : 0x7FF0000000000000UL,
                                       width);
    const int re_nan = key == nan, im_nan = pymic2_float_key(im, width) == nan;
    return re_nan == im_nan ? key : im_nan ? inf + 1 : inf + 2;
}

ulong pymic2_sort_lo(ulong re, ulong im, int kind, int width)
{
    if (kind != 3)
        return 0;
    const ulong key = pymic2_float_key(im, width);
    const ulong nan = pymic2_float_key(~(ulong)0, width);
    return key == nan && pymic2_float_key(re, width) != nan ? pymic2_float_key(re, width)
                                                            : key;
}

/* Whether a key (its hi word) is a NaN's (complex: of a number with a NaN part). */
int pymic2_sort_nan(ulong hi, int kind, int width)
{
    if (kind == 2)
        return hi == pymic2_float_key(~(ulong)0, width);
    return kind == 3 && hi > pymic2_float_key(width == 32 ? 0x7F800000UL
                                                          : 0x7FF0000000000000UL, width);
}

/* (key, position) a before b */
int pymic2_sort_before(ulong ahi, ulong alo, long ia, ulong bhi, ulong blo, long ib)
{
    if (ahi != bhi)
        return ahi < bhi;
    if (alo != blo)
        return alo < blo;
    return ia < ib;
}

/* Row r of `rows` rows of n elements starts at element starts[r] of x, elements `step`
 * apart. The sort runs on rows of `padded` (a power of two) pairs: past n, the largest key
 * and positions >= n, so the padding sorts last. */
#define PYMIC2_SORT_KERNELS(S, UT, RE, IM)                                                    \
__kernel void pymic2_sort_load_##S(__global const UT *x, __global const long *starts,         \
    long step, long n, long padded, long rows, int kind, int width,                          \
    __global ulong *hi, __global ulong *lo, __global long *positions, __global UT *copy)      \
{                                                                                             \
    const long g = get_global_id(0);                                                          \
    if (g >= rows * padded)                                                                   \
        return;                                                                               \
    const long r = g / padded, i = g % padded;                                                \
    if (i < n) {                                                                              \
        const UT v = x[starts[r] + i * step];                                                 \
        copy[r * n + i] = v;                                                                  \
        hi[g] = pymic2_sort_hi(RE(v), IM(v), kind, width);                                    \
        lo[g] = pymic2_sort_lo(RE(v), IM(v), kind, width);                                    \
    } else {                                                                                  \
        hi[g] = ~(ulong)0;                                                                    \
        lo[g] = ~(ulong)0;                                                                    \
    }                                                                                         \
    positions[g] = i;                                                                         \
}                                                                                             \
__kernel void pymic2_sort_store_##S(__global UT *x, __global const long *starts, long step,  \
    __global long *out, __global const long *out_starts, long out_step, int with_positions,  \
    int keep_values, long n, long padded, long rows, __global const long *positions,         \
    __global const UT *copy)                                                                  \
{                                                                                             \
    const long g = get_global_id(0);                                                          \
    if (g >= rows * n)                                                                        \
        return;                                                                               \
    const long r = g / n, i = g % n;                                                          \
    const long from = positions[r * padded + i];                                              \
    if (!keep_values)                                                                         \
        x[starts[r] + i * step] = copy[r * n + from];                                         \
    if (with_positions)                                                                       \
        out[out_starts[r] + i * out_step] = from;                                             \
}                                                                                             \
__kernel void pymic2_search_##S(__global const UT *sorted, long sorted_offset,               \
    long sorted_step, long n, __global const UT *keys, long keys_offset, long keys_step,      \
    long count, int right, int kind, int width, __global long *out, long out_offset,         \
    long out_step)                                                                            \
{                                                                                             \
    const long g = get_global_id(0);                                                          \
    if (g >= count)                                                                           \
        return;                                                                               \
    const UT v = keys[keys_offset + g * keys_step];                                           \
    const ulong khi = pymic2_sort_hi(RE(v), IM(v), kind, width);                              \
    const ulong klo = pymic2_sort_lo(RE(v), IM(v), kind, width);                              \
    long low = 0, high = n;                                                                   \
    while (low < high) {                                                                      \
        const long middle = low + (high - low) / 2;                                           \
        const UT w = sorted[sorted_offset + middle * sorted_step];                            \
        const ulong thi = pymic2_sort_hi(RE(w), IM(w), kind, width);                          \
        const ulong tlo = pymic2_sort_lo(RE(w), IM(w), kind, width);                          \
        /* left: past every element below the key; right: past every one not above it */    \
        const int past = right ? !pymic2_sort_before(khi, klo, 0, thi, tlo, 0)                \
                               : pymic2_sort_before(thi, tlo, 0, khi, klo, 0);                \
        if (past)                                                                             \
            low = middle + 1;                                                                 \
        else                                                                                  \
            high = middle;                                                                    \
    }                                                                                         \
    out[out_offset + g * out_step] = low;                                                     \
}                                                                                             \
/* The runs of equal elements that start in piece g of `pieces` of the sorted 1-d array       \
 * (PYMIC2_SORT_RUNS): counted, or written from slot `at` of out. */                          \
long pymic2_runs_piece_##S(__global const UT *sorted, long offset, long step, long n,         \
    int kind, int width, int equal_nan, long g, long pieces, __global long *out,             \
    long out_offset, long out_step, long at)                                                  \
{                                                                                             \
    const long begin = n * g / pieces, end = n * (g + 1) / pieces;                            \
    if (begin >= end)                                                                         \
        return 0;                                                                             \
    UT v = sorted[offset + (begin > 0 ? begin - 1 : 0) * step];                               \
    ulong hi = pymic2_sort_hi(RE(v), IM(v), kind, width);                                     \
    ulong lo = pymic2_sort_lo(RE(v), IM(v), kind, width);                                     \
    long count = 0;                                                                           \
    for (long i = begin; i < end; i++) {                                                      \
        v = sorted[offset + i * step];                                                        \
        const ulong khi = pymic2_sort_hi(RE(v), IM(v), kind, width);                          \
        const ulong klo = pymic2_sort_lo(RE(v), IM(v), kind, width);                          \
        const int starts = i == 0 || (pymic2_sort_nan(khi, kind, width)                       \
                                      ? !equal_nan || !pymic2_sort_nan(hi, kind, width)       \
                                      : pymic2_sort_before(hi, lo, 0, khi, klo, 0));          \
        if (starts && out != 0)                                                               \
            out[out_offset + (at + count) * out_step] = i;                                    \
        count += starts;                                                                      \
        hi = khi;                                                                             \
        lo = klo;                                                                             \
    }                                                                                         \
    return count;                                                                             \
}                                                                                             \
__kernel void pymic2_runs_count_##S(__global const UT *sorted, long offset, long step,       \
    long n, int kind, int width, int equal_nan, long pieces, __global long *counts)           \
{                                                                                             \
    const long g = get_global_id(0);                                                          \
    if (g < pieces)                                                                           \
        counts[g] = pymic2_runs_piece_##S(sorted, offset, step, n, kind, width, equal_nan,   \
                                          g, pieces, 0, 0, 0, 0);                             \
}                                                                                             \
__kernel void pymic2_runs_write_##S(__global const UT *sorted, long offset, long step,       \
    long n, int kind, int width, int equal_nan, long pieces, __global const long *counts,    \
    __global long *out, long out_offset, long out_step)                                       \
{                                                                                             \
    const long g = get_global_id(0);                                                          \
    if (g >= pieces)                                                                          \
        return;                                                                               \
    long at = 0;                                                                              \
    for (long h = 0; h < g; h++)                                                              \
        at += counts[h];                                                                      \
    pymic2_runs_piece_##S(sorted, offset, step, n, kind, width, equal_nan, g, pieces, out,   \
                          out_offset, out_step, at);                                          \
    if (g == pieces - 1)                                                                      \
        out[out_offset + n * out_step] = at + counts[g];                                      \
}

#define PYMIC2_BITS(v) ((ulong)(v))
#define PYMIC2_NONE(v) ((ulong)0)
#define PYMIC2_PART_X(v) ((ulong)(v).x)
#define PYMIC2_PART_Y(v) ((ulong)(v).y)
PYMIC2_SORT_KERNELS(1, uchar, PYMIC2_BITS, PYMIC2_NONE)
PYMIC2_SORT_KERNELS(2, ushort, PYMIC2_BITS, PYMIC2_NONE)
PYMIC2_SORT_KERNELS(4, uint, PYMIC2_BITS, PYMIC2_NONE)
PYMIC2_SORT_KERNELS(8, ulong, PYMIC2_BITS, PYMIC2_NONE)
PYMIC2_SORT_KERNELS(c8, uint2, PYMIC2_PART_X, PYMIC2_PART_Y)
PYMIC2_SORT_KERNELS(c16, ulong2, PYMIC2_PART_X, PYMIC2_PART_Y)

/* One step (k, j) of the bitonic network over every row's padded pairs: pair t of a row
 * compares elements i and i + j, ascending where bit k of i is clear. */
__kernel void pymic2_sort_step(__global ulong *hi, __global ulong *lo, __global long *positions,
                               long padded, long rows, long k, long j)
{
    const long g = get_global_id(0);
    const long pairs = padded / 2;
    if (g >= rows * pairs)
        return;
    const long r = g / pairs, t = g % pairs;
    const long i = r * padded + 2 * j * (t / j) + t % j, l = i + j;
    const ulong ahi = hi[i], alo = lo[i], bhi = hi[l], blo = lo[l];
    const long ia = positions[i], ib = positions[l];
    const int ascending = ((i - r * padded) & k) == 0;
    if (pymic2_sort_before(bhi, blo, ib, ahi, alo, ia) == ascending) {
        hi[i] = bhi;
        hi[l] = ahi;
        lo[i] = blo;
        lo[l] = alo;
        positions[i] = ib;
        positions[l] = ia;
    }
}

/* A chunked LSD radix sort of one row's (key, position) pairs, for devices whose work-items
 * run in turn (CPUs): work-item g of `chunks` handles pairs [n * g / chunks, n * (g + 1) /
 * chunks) serially, like a thread of the host's sort. Digit `pass` of `bits` bits (at most
 * 11) of a key: the lo word's first lo_passes digits, then the hi word's. */
#define PYMIC2_RADIX_MAX 2048

uint pymic2_radix_digit(ulong hi, ulong lo, int pass, int lo_passes, int bits)
{
    const ulong mask = ((ulong)1 << bits) - 1;
    return pass < lo_passes ? (uint)((lo >> (bits * pass)) & mask)
                            : (uint)((hi >> (bits * (pass - lo_passes))) & mask);
}

/* counts[d * chunks + g]: pairs of chunk g whose digit is d. */
__kernel void pymic2_radix_count(__global const ulong *hi, __global const ulong *lo, long n,
                                 long chunks, int pass, int lo_passes, int bits,
                                 __global long *counts)
{
    const long g = get_global_id(0);
    if (g >= chunks)
        return;
    const int radix = 1 << bits;
    long histogram[PYMIC2_RADIX_MAX];
    for (int d = 0; d < radix; d++)
        histogram[d] = 0;
    const long end = n * (g + 1) / chunks;
    for (long i = n * g / chunks; i < end; i++)
        histogram[pymic2_radix_digit(hi[i], lo_passes ? lo[i] : 0, pass, lo_passes, bits)]++;
    for (int d = 0; d < radix; d++)
        counts[d * chunks + g] = histogram[d];
}

/* The counts' exclusive prefix sums in place, digit-major so that equal digits keep the
 * chunks' order (stable); trivial[0]: whether one digit holds all n pairs. One work-item. */
__kernel void pymic2_radix_scan(__global long *counts, long chunks, long n, int bits,
                                __global int *trivial)
{
    if (get_global_id(0) != 0)
        return;
    long sum = 0;
    int all = 0;
    for (int d = 0; d < 1 << bits; d++) {
        const long before = sum;
        for (long g = 0; g < chunks; g++) {
            const long count = counts[d * chunks + g];
            counts[d * chunks + g] = sum;
            sum += count;
        }
        all |= sum - before == n;
    }
    trivial[0] = all;
}

/* Chunk g's pairs to their digit's next slots (a trivial pass copies them in place). */
__kernel void pymic2_radix_scatter(__global const ulong *hi, __global const ulong *lo,
                                   __global const long *positions, __global ulong *hi_out,
                                   __global ulong *lo_out, __global long *positions_out,
                                   long n, long chunks, int pass, int lo_passes, int bits,
                                   __global const long *counts, __global const int *trivial)
{
    const long g = get_global_id(0);
    if (g >= chunks)
        return;
    const long begin = n * g / chunks, end = n * (g + 1) / chunks;
    if (trivial[0]) {
        for (long i = begin; i < end; i++) {
            hi_out[i] = hi[i];
            if (lo_passes)
                lo_out[i] = lo[i];
            positions_out[i] = positions[i];
        }
        return;
    }
    long offset[PYMIC2_RADIX_MAX];
    for (int d = 0; d < 1 << bits; d++)
        offset[d] = counts[d * chunks + g];
    for (long i = begin; i < end; i++) {
        const ulong h = hi[i], l = lo_passes ? lo[i] : 0;
        const long at = offset[pymic2_radix_digit(h, l, pass, lo_passes, bits)]++;
        hi_out[at] = h;
        if (lo_passes)
            lo_out[at] = l;
        positions_out[at] = positions[i];
    }
}
