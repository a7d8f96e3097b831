/* sort.cl - the SORT family's kernels (ocl_sort.c): one program for every dtype.
 *
 * Elements are read as raw bits (uchar ... ulong, uint2 or ulong2 for complex), so no kernel
 * needs fp64. The key orders as NumPy sorts (the host's keys, src/backends/host/sort.c):
 * integers with the sign bit flipped, IEEE floats of any width with negative values' bits
 * inverted and positive values' sign bit set, -0.0 with +0.0's key, NaN the largest key;
 * complex numbers by (real key, imaginary key). A sort sorts (key, position) pairs, so equal
 * keys keep their order (stable) whatever the network does.
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

/* A key is two words (hi, then lo: a complex number's imaginary part's key, else 0). */
ulong pymic2_sort_hi(ulong re, int kind, int width)
{
    if (kind == 1)
        return re ^ ((ulong)1 << (width - 1));
    return kind >= 2 ? pymic2_float_key(re, width) : re;
}

ulong pymic2_sort_lo(ulong im, int kind, int width)
{
    return kind == 3 ? pymic2_float_key(im, width) : 0;
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
        hi[g] = pymic2_sort_hi(RE(v), kind, width);                                           \
        lo[g] = pymic2_sort_lo(IM(v), kind, width);                                           \
    } else {                                                                                  \
        hi[g] = ~(ulong)0;                                                                    \
        lo[g] = ~(ulong)0;                                                                    \
    }                                                                                         \
    positions[g] = i;                                                                         \
}                                                                                             \
__kernel void pymic2_sort_store_##S(__global UT *x, __global const long *starts, long step,  \
    __global long *out, __global const long *out_starts, long out_step, int with_positions,  \
    long n, long padded, long rows, __global const long *positions,                          \
    __global const UT *copy)                                                                  \
{                                                                                             \
    const long g = get_global_id(0);                                                          \
    if (g >= rows * n)                                                                        \
        return;                                                                               \
    const long r = g / n, i = g % n;                                                          \
    const long from = positions[r * padded + i];                                              \
    x[starts[r] + i * step] = copy[r * n + from];                                             \
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
    const ulong khi = pymic2_sort_hi(RE(v), kind, width);                                     \
    const ulong klo = pymic2_sort_lo(IM(v), kind, width);                                     \
    long low = 0, high = n;                                                                   \
    while (low < high) {                                                                      \
        const long middle = low + (high - low) / 2;                                           \
        const UT w = sorted[sorted_offset + middle * sorted_step];                            \
        const ulong thi = pymic2_sort_hi(RE(w), kind, width);                                 \
        const ulong tlo = pymic2_sort_lo(IM(w), kind, width);                                 \
        /* left: past every element below the key; right: past every one not above it */    \
        const int past = right ? !pymic2_sort_before(khi, klo, 0, thi, tlo, 0)                \
                               : pymic2_sort_before(thi, tlo, 0, khi, klo, 0);                \
        if (past)                                                                             \
            low = middle + 1;                                                                 \
        else                                                                                  \
            high = middle;                                                                    \
    }                                                                                         \
    out[out_offset + g * out_step] = low;                                                     \
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
