/* fft.cl - the FFT family's kernels (ocl_fft.c), built once per precision (FFT_DOUBLE:
 * double, else float). Data between kernels is rows of complex numbers (CT) in temporaries;
 * twiddles are computed once per transform (pymic2_fft_twiddles, pymic2_fft_roots) with cospi
 * and sinpi of exact fractions.
 *
 * A transform is: pymic2_fft_load (the rows of the operand, made the forward transform's
 * input as on the host: conjugated for an inverse, real rows as pairs, half spectra unpacked),
 * one pymic2_fft_pass_<radix> per factor of the length (Stockham autosort, one work-item per
 * butterfly and row), or Bluestein's convolution around passes of a power of two, then
 * pymic2_fft_store (scaled, conjugated back, real spectra packed).
 */
#ifdef FFT_DOUBLE
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double FT;
typedef double2 CT;
#else
typedef float FT;
typedef float2 CT;
#endif

#define MAX_RADIX 61

CT cmul(CT a, CT b) { return (CT)(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x); }
CT conjc(CT a) { return (CT)(a.x, -a.y); }

/* exp(-2 pi i num / den) */
CT root(long num, long den)
{
    const FT x = (FT)(2 * (num % den)) / (FT)den;
    return (CT)(cospi(x), -sinpi(x));
}

/* exp(-i pi k^2 / n) */
CT chirp(long k, long n)
{
    return root((long)((ulong)k * (ulong)k % (ulong)(2 * n)), 2 * n);
}

/* Twiddle tables, computed once per transform for every row: a pass's w^(t k) for k < l,
 * t = 1 .. R - 1 at [offset + k (R - 1) + t - 1], or roots exp(-2 pi i k / den), k < count. */
__kernel void pymic2_fft_twiddles(__global CT *tw, long offset, long l, int R)
{
    const long e = get_global_id(0);
    if (e < l * (R - 1))
        tw[offset + e] = root((e % (R - 1) + 1) * (e / (R - 1)), l * R);
}

__kernel void pymic2_fft_roots(__global CT *tw, long count, long den)
{
    const long k = get_global_id(0);
    if (k < count)
        tw[k] = root(k, den);
}

/* kind: 0 C2C, 1 R2C, 2 C2R. starts: each row's first element, in elements of in's dtype. */
__kernel void pymic2_fft_load(__global const FT *in, __global const long *starts, long step,
                              int kind, int inverse, long n, long h, long rows,
                              __global CT *work, __global const CT *roots)
{
    const long i = get_global_id(0), r = get_global_id(1);
    if (i >= h || r >= rows)
        return;
    const long s = starts[r], hn = n / 2;
    CT v;
    if (kind == 0) {
        v = vload2(0, in + 2 * (s + i * step));
        if (inverse)
            v.y = -v.y;
    } else if (kind == 1) {
        v = n % 2 == 0 ? (CT)(in[s + 2 * i * step], in[s + (2 * i + 1) * step])
                       : (CT)(in[s + i * step], 0);
    } else if (n % 2 == 1) { /* the conjugated Hermitian spectrum */
        const long k = i <= hn ? i : n - i;
        v = vload2(0, in + 2 * (s + k * step));
        if (k == 0)
            v.y = 0;
        if (i <= hn)
            v.y = -v.y;
    } else { /* conj(E + i O), E = X_i + conj(X_(h-i)), O = (X_i - conj(X_(h-i))) w^-i */
        CT x = vload2(0, in + 2 * (s + i * step)), y = vload2(0, in + 2 * (s + (hn - i) * step));
        if (i == 0)
            x.y = 0, y.y = 0;
        y.y = -y.y;
        const CT e = x + y, o = cmul(x - y, conjc(roots[i]));
        v = (CT)(e.x - o.y, -(e.y + o.x));
    }
    work[r * h + i] = v;
}

/* The forward radix-4 DFT of x[0], x[s], x[2 s], x[3 s], in place. */
void dft4(CT *x, int s)
{
    const CT a = x[0] + x[2 * s], b = x[0] - x[2 * s], c = x[s] + x[3 * s];
    const CT d = (CT)(x[s].y - x[3 * s].y, x[3 * s].x - x[s].x); /* -i (x1 - x3) */
    x[0] = a + c, x[s] = b + d, x[2 * s] = a - c, x[3 * s] = b - d;
}

/* The forward radix-8 DFT of x[0 .. 7], in place: radix 4 on the even and the odd elements,
 * joined by w8^k. */
void dft8(CT *x)
{
    dft4(x, 2);
    dft4(x + 1, 2);
    const FT h = (FT)0.70710678118654752440;
    const CT t[4] = {x[1], (CT)(x[3].x + x[3].y, x[3].y - x[3].x) * h, (CT)(x[5].y, -x[5].x),
                     (CT)(x[7].y - x[7].x, -(x[7].x + x[7].y)) * h};
    const CT e[4] = {x[0], x[2], x[4], x[6]};
    for (int k = 0; k < 4; k++)
        x[k] = e[k] + t[k], x[k + 4] = e[k] - t[k];
}

/* One Stockham pass of radix R over rows of n: butterfly j = b l + k reads j + t n / R,
 * twiddles by w^(t k) (w = exp(-2 pi i / (l R))) and writes b l R + k + t l. */
#define PASS(NAME, RADIX)                                                                   \
__kernel void NAME(__global const CT *src, __global CT *dst, long n, int radix, long l,    \
                   long rows, __global const CT *tw, long tw_offset)                        \
{                                                                                           \
    const int R = RADIX > 0 ? RADIX : radix;                                                \
    const long j = get_global_id(0), r = get_global_id(1), q = n / R;                       \
    if (j >= q || r >= rows)                                                                \
        return;                                                                             \
    src += r * n, dst += r * n;                                                             \
    const long k = j % l, o = (j / l) * l * R + k;                                          \
    CT x[RADIX > 4 ? RADIX : RADIX > 0 ? 4 : MAX_RADIX];                                    \
    const long w = tw_offset + k * (R - 1) - 1; /* tw[w + t]: w^(t k) */                    \
    for (int t = 0; t < R; t++)                                                             \
        x[t] = t == 0 || k == 0 ? src[j + t * q] : cmul(src[j + t * q], tw[w + t]);         \
    if (R == 2) {                                                                           \
        dst[o] = x[0] + x[1], dst[o + l] = x[0] - x[1];                                     \
    } else if (R == 4) {                                                                    \
        const CT a = x[0] + x[2], b = x[0] - x[2], c = x[1] + x[3];                         \
        const CT d = (CT)(x[1].y - x[3].y, x[3].x - x[1].x);                                \
        dst[o] = a + c, dst[o + l] = b + d, dst[o + 2 * l] = a - c, dst[o + 3 * l] = b - d; \
    } else if (R == 8) {                                                                    \
        dft8(x);                                                                            \
        for (int u = 0; u < 8; u++)                                                         \
            dst[o + u * l] = x[u];                                                          \
    } else {                                                                                \
        for (int u = 0; u < R; u++) {                                                       \
            CT y = x[0];                                                                    \
            for (int t = 1; t < R; t++)                                                     \
                y += cmul(x[t], root(t * u % R, R));                                        \
            dst[o + u * l] = y;                                                             \
        }                                                                                   \
    }                                                                                       \
}

PASS(pymic2_fft_pass_2, 2)
PASS(pymic2_fft_pass_3, 3)
PASS(pymic2_fft_pass_4, 4)
PASS(pymic2_fft_pass_5, 5)
PASS(pymic2_fft_pass_7, 7)
PASS(pymic2_fft_pass_8, 8)
PASS(pymic2_fft_pass_any, 0)

/* Bluestein: a = x w (zero-padded to m), the filter conj(w) wrapped to m, the product of the
 * transforms conjugated and divided by m, and X = conj(the transform of that) w. */
__kernel void pymic2_fft_chirp_in(__global const CT *work, __global CT *a, long n, long m,
                                  long rows)
{
    const long j = get_global_id(0), r = get_global_id(1);
    if (j < m && r < rows)
        a[r * m + j] = j < n ? cmul(work[r * n + j], chirp(j, n)) : (CT)(0, 0);
}

__kernel void pymic2_fft_filter(__global CT *f, long n, long m)
{
    const long j = get_global_id(0);
    if (j >= m)
        return;
    const long k = j < n ? j : m - j;
    f[j] = k < n ? conjc(chirp(k, n)) : (CT)(0, 0);
}

__kernel void pymic2_fft_convolve(__global CT *a, __global const CT *f, long m, long rows)
{
    const long j = get_global_id(0), r = get_global_id(1);
    if (j < m && r < rows)
        a[r * m + j] = conjc(cmul(a[r * m + j], f[j])) / (FT)m;
}

__kernel void pymic2_fft_chirp_out(__global const CT *a, __global CT *work, long n, long m,
                                   long rows)
{
    const long k = get_global_id(0), r = get_global_id(1);
    if (k < n && r < rows)
        work[r * n + k] = cmul(conjc(a[r * m + k]), chirp(k, n));
}

/* count outputs per row: C2C n, R2C n / 2 + 1, C2R h (pairs, even n) or n. */
__kernel void pymic2_fft_store(__global const CT *work, __global FT *out,
                               __global const long *starts, long step, int kind, int inverse,
                               long n, long h, FT scale, long count, long rows,
                               __global const CT *roots)
{
    const long k = get_global_id(0), r = get_global_id(1);
    if (k >= count || r >= rows)
        return;
    const long s = starts[r];
    const __global CT *z = work + r * h;
    if (kind == 0) {
        CT v = z[k] * scale;
        if (inverse)
            v.y = -v.y;
        vstore2(v, 0, out + 2 * (s + k * step));
    } else if (kind == 1) {
        CT v = z[k < h ? k : 0];
        if (n % 2 == 0) { /* X_k = E + w^k O from the pairs' spectrum */
            const CT zk = z[k == h ? 0 : k], zc = conjc(z[k == 0 ? 0 : h - k]);
            const CT e = (zk + zc) / (FT)2, o = (CT)(zk.y - zc.y, zc.x - zk.x) / (FT)2;
            v = e + cmul(roots[k], o);
        }
        vstore2(v * scale, 0, out + 2 * (s + k * step));
    } else if (n % 2 == 0) {
        out[s + 2 * k * step] = z[k].x * scale;
        out[s + (2 * k + 1) * step] = -z[k].y * scale;
    } else
        out[s + k * step] = z[k].x * scale;
}
