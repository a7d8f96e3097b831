/* fft.cl - the FFT family's kernels (ocl_fft.c), built once per precision (FFT_DOUBLE:
 * double, else float). Data between kernels is rows of complex numbers (CT) in temporaries;
 * twiddles are computed once per transform (pymic2_fft_twiddles, pymic2_fft_roots) with cospi
 * and sinpi of exact fractions.
 *
 * On CPU devices a row of at most LOCAL_MAX points is transformed in local memory, 8 rows per
 * work-item in vector registers (the programs of one length each, LOCAL_LEN): pymic2_fft_rows
 * loads them from the operand (conjugated for an inverse, real rows as pairs, half spectra
 * unpacked, as on the host), runs every Stockham pass and stores the results (scaled,
 * conjugated back, real spectra packed): one read and one write of the data. Longer rows go
 * through temporaries: pymic2_fft_load, then the four-step transform (pymic2_fft_strided on
 * columns, twiddled, then on rows), or Bluestein's convolution around it, then
 * pymic2_fft_store; a complex-to-complex four-step transform reads and writes the operand in
 * its two steps instead. Other devices, and lengths with no split into two local lengths, run one
 * pymic2_fft_pass_<radix> launch per factor (one work-item per butterfly and row).
 */
#ifdef FFT_DOUBLE
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double FT;
typedef double2 CT;
typedef double8 RV;
typedef double16 CV;
#define convert_RV convert_double8
#else
typedef float FT;
typedef float2 CT;
typedef float8 RV;
typedef float16 CV;
#define convert_RV convert_float8
#endif

/* The butterflies' complex type VC: one number (CT, .lo real, .hi imaginary), or, in the
 * programs of local lengths, 8 rows' numbers side by side (CV: .lo the 8 real parts, .hi the
 * 8 imaginary parts), so that the same code runs 8 rows in vector registers. */
#ifdef LOCAL_LEN
typedef CV VC;
#define ROWS_PER_ITEM 8
#else
typedef CT VC;
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

/* a times the one number w */
VC cmul_one(VC a, CT w) { return (VC)(a.lo * w.x - a.hi * w.y, a.lo * w.y + a.hi * w.x); }

/* The operand's numbers that input element i of the row at s is made of (kind: 0 C2C, 1 R2C,
 * 2 C2R; step: the operand's element step, in elements of its dtype): *x and, for an even
 * C2R, *y = X_(n/2 - i). */
void read_input(__global const FT *in, long s, long step, int kind, long n, long i, CT *x,
                CT *y)
{
    const long hn = n / 2;
    if (kind == 1)
        *x = n % 2 == 0 ? (CT)(in[s + 2 * i * step], in[s + (2 * i + 1) * step])
                        : (CT)(in[s + i * step], 0);
    else if (kind == 0 || n % 2 == 0)
        *x = vload2(0, in + 2 * (s + i * step));
    else /* the Hermitian spectrum's element */
        *x = vload2(0, in + 2 * (s + (i <= hn ? i : n - i) * step));
    if (kind == 2 && n % 2 == 0)
        *y = vload2(0, in + 2 * (s + (hn - i) * step));
}

/* Input element i of the forward transform from read_input's x and y: conjugated for an
 * inverse, real rows as pairs, half spectra unpacked (the same in every lane). */
VC input_value(int kind, int inverse, long n, long i, VC x, VC y, __global const CT *roots)
{
    const long hn = n / 2;
    const VC zero = (VC)(0);
    if (kind == 0)
        return inverse ? (VC)(x.lo, -x.hi) : x;
    if (kind == 1)
        return x;
    if (n % 2 == 1) { /* the conjugated Hermitian spectrum */
        if (i == 0)
            x.hi = zero.hi;
        else if (i <= hn)
            x.hi = -x.hi;
        return x;
    }
    /* conj(E + i O), E = X_i + conj(X_(h-i)), O = (X_i - conj(X_(h-i))) w^-i */
    if (i == 0)
        x.hi = zero.hi, y.hi = zero.hi;
    y.hi = -y.hi;
    const VC e = x + y, o = cmul_one(x - y, conjc(roots[i]));
    return (VC)(e.lo - o.hi, -(e.hi + o.lo));
}

/* Output k (unscaled) from the forward transform's zk = z[k < h ? k : 0] and zc = z[k == 0 ?
 * 0 : h - k] (used by an even R2C): conjugated back for an inverse, real spectra packed; a
 * C2R's real outputs are the real and imaginary parts (even n) or the real part. */
VC output_value(int kind, int inverse, long n, long k, VC zk, VC zc, __global const CT *roots)
{
    if (kind == 0)
        return inverse ? (VC)(zk.lo, -zk.hi) : zk;
    if (kind == 2)
        return (VC)(zk.lo, -zk.hi);
    if (n % 2 == 1)
        return zk;
    /* X_k = E + w^k O from the pairs' spectrum */
    zc = (VC)(zc.lo, -zc.hi);
    const VC e = (zk + zc) / (FT)2, o = (VC)(zk.hi - zc.hi, zc.lo - zk.lo) / (FT)2;
    return e + cmul_one(o, roots[k]);
}

/* Writes output k of the row at s (count per row: C2C n, R2C n / 2 + 1, C2R h pairs of reals
 * for even n, else n reals). */
void write_output(__global FT *out, long s, long step, int kind, long n, long k, CT v)
{
    if (kind != 2)
        vstore2(v, 0, out + 2 * (s + k * step));
    else if (n % 2 == 0)
        out[s + 2 * k * step] = v.x, out[s + (2 * k + 1) * step] = v.y;
    else
        out[s + k * step] = v.x;
}

/* The forward radix-4 DFT of x[0], x[s], x[2 s], x[3 s], in place. */
void dft4(VC *x, int s)
{
    const VC a = x[0] + x[2 * s], b = x[0] - x[2 * s], c = x[s] + x[3 * s];
    const VC d = (VC)(x[s].hi - x[3 * s].hi, x[3 * s].lo - x[s].lo); /* -i (x1 - x3) */
    x[0] = a + c, x[s] = b + d, x[2 * s] = a - c, x[3 * s] = b - d;
}

/* The forward radix-8 DFT of x[0 .. 7], in place: radix 4 on the even and the odd elements,
 * joined by w8^k. */
void dft8(VC *x)
{
    dft4(x, 2);
    dft4(x + 1, 2);
    const FT h = (FT)0.70710678118654752440;
    const VC t[4] = {x[1], (VC)(x[3].lo + x[3].hi, x[3].hi - x[3].lo) * h,
                     (VC)(x[5].hi, -x[5].lo), (VC)(x[7].hi - x[7].lo, -(x[7].lo + x[7].hi)) * h};
    const VC e[4] = {x[0], x[2], x[4], x[6]};
    for (int k = 0; k < 4; k++)
        x[k] = e[k] + t[k], x[k + 4] = e[k] - t[k];
}

/* The forward DFT of x[0 .. R - 1] in place: R = 2, 4, 8 or a prime up to MAX_RADIX. */
void dft(VC *x, int R)
{
    if (R == 2) {
        const VC a = x[0];
        x[0] = a + x[1], x[1] = a - x[1];
    } else if (R == 4) {
        dft4(x, 1);
    } else if (R == 8) {
        dft8(x);
    } else {
        VC y[MAX_RADIX];
        for (int u = 0; u < R; u++) {
            y[u] = x[0];
            for (int t = 1; t < R; t++)
                y[u] += cmul_one(x[t], root(t * u % R, R));
        }
        for (int u = 0; u < R; u++)
            x[u] = y[u];
    }
}

#ifdef LOCAL_LEN
/* The program of one local length, LOCAL_LEN, for CPU devices (ocl_fft.c): a work-item
 * transforms 8 rows at once in vector registers, its rows' numbers in local memory (one
 * work-item per group: the group's local memory is its scratch, reused hot by the next
 * group on the same core). LOCAL_PASSES is LOCAL_PASS(R, L, OFFSET) for each Stockham pass
 * (radix, butterfly span, twiddle offset; compile-time constants, as the global passes). */
#define LOCAL_PASS(R, L, OFFSET)                                                            \
    for (long j = 0; j < LOCAL_LEN / (R); j++) {                                            \
        const long k = j % (L), o = (j / (L)) * (L) * (R) + k;                              \
        const long w = (OFFSET) + k * ((R) - 1) - 1;                                        \
        VC x[R];                                                                            \
        for (int t = 0; t < (R); t++)                                                       \
            x[t] = t == 0 || k == 0 ? a[j + t * (LOCAL_LEN / (R))]                          \
                                    : cmul_one(a[j + t * (LOCAL_LEN / (R))], tw[w + t]);    \
        dft(x, R);                                                                          \
        for (int u = 0; u < (R); u++)                                                       \
            b[o + u * (L)] = x[u];                                                          \
    }                                                                                       \
    {                                                                                       \
        __local VC *swap = a;                                                               \
        a = b, b = swap;                                                                    \
    }

/* Every pass of the rows in a (b: a second buffer); returns the buffer holding the result. */
__local VC *local_passes(__local VC *a, __local VC *b, __global const CT *tw)
{
    LOCAL_PASSES
    return a;
}

/* a times b, lane by lane */
VC cmul_lanes(VC a, VC b) { return (VC)(a.lo * b.lo - a.hi * b.hi, a.lo * b.hi + a.hi * b.lo); }

/* The 8 lanes' numbers as one VC */
VC lanes_join(const FT *re, const FT *im) { return (VC)(vload8(0, re), vload8(0, im)); }

/* Whole transforms of rows of LOCAL_LEN points, 8 rows per work-item (the last work-item's
 * missing rows repeat its last row, not stored): the operand's rows into local memory, every
 * pass there, the results out (the arguments of pymic2_fft_load and pymic2_fft_store). */
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void pymic2_fft_rows(__global const FT *in, __global const long *starts_in, long step_in,
                     __global FT *out, __global const long *starts_out, long step_out, int kind,
                     int inverse, long n, long h, FT scale, long count, long rows,
                     __global const CT *roots, __global const CT *tw)
{
    __local VC a[LOCAL_LEN], b[LOCAL_LEN];
    const long first = get_global_id(0) * ROWS_PER_ITEM;
    long s_in[ROWS_PER_ITEM], s_out[ROWS_PER_ITEM];
    for (int v = 0; v < ROWS_PER_ITEM; v++) {
        const long r = first + v < rows ? first + v : rows - 1;
        s_in[v] = starts_in[r], s_out[v] = starts_out[r];
    }
    FT xr[ROWS_PER_ITEM], xi[ROWS_PER_ITEM], yr[ROWS_PER_ITEM], yi[ROWS_PER_ITEM];
    for (long i = 0; i < h; i++) {
        for (int v = 0; v < ROWS_PER_ITEM; v++) {
            CT x, y = (CT)(0, 0);
            read_input(in, s_in[v], step_in, kind, n, i, &x, &y);
            xr[v] = x.x, xi[v] = x.y, yr[v] = y.x, yi[v] = y.y;
        }
        a[i] = input_value(kind, inverse, n, i, lanes_join(xr, xi), lanes_join(yr, yi), roots);
    }
    __local const VC *z = local_passes(a, b, tw);
    const int used = rows - first < ROWS_PER_ITEM ? (int)(rows - first) : ROWS_PER_ITEM;
    for (long k = 0; k < count; k++) {
        const VC zk = z[k < h ? k : 0], zc = z[k == 0 ? 0 : h - k];
        const VC v = output_value(kind, inverse, n, k, zk, zc, roots) * scale;
        vstore8(v.lo, 0, xr), vstore8(v.hi, 0, xi);
        for (int lane = 0; lane < used; lane++)
            write_output(out, s_out[lane], step_out, kind, n, k, (CT)(xr[lane], xi[lane]));
    }
}

/* exp(-2 pi i num / den) in each lane */
VC roots_of(long8 num, long den)
{
    const RV x = convert_RV(2 * (num % den)) / (FT)den;
    return (VC)(cospi(x), -sinpi(x));
}

/* The block's first element: starts[block] (an operand's rows), or block * block_step when
 * starts is NULL (a temporary) */
long block_start(__global const long *starts, long block, long block_step)
{
    return starts ? starts[block] : block * block_step;
}

/* Transforms of LOCAL_LEN points, 8 per work-item: transform g < count is row g % sub of
 * block g / sub; its element i is at block_start + (row * row_in + i * step_in) * unit_in of
 * src (conjugated with conj_in), and its result k goes to block_start + (row * row_out + k *
 * step_out) * unit_out of dst, multiplied by exp(-2 pi i row k / twiddle_n) when twiddle_n >
 * 0 (the four-step transform's twiddles, as a table of 64 powers times a root at every 64th
 * k), scaled and conjugated with conj_out. Temporaries have unit 1 and no starts; an
 * operand's rows (C2C four-step: its first step reads, its second writes the operand) have
 * their starts and element step. Indexes count complex numbers. */
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void pymic2_fft_strided(__global const FT *src, __global const long *starts_in, long unit_in,
                        int conj_in, __global FT *dst, __global const long *starts_out,
                        long unit_out, int conj_out, FT scale, long count, long sub,
                        long block_step, long row_in, long step_in, long row_out, long step_out,
                        long twiddle_n, __global const CT *tw)
{
    __local VC a[LOCAL_LEN], b[LOCAL_LEN];
    const long first = get_global_id(0) * ROWS_PER_ITEM;
    const long si = step_in * unit_in, so = step_out * unit_out;
    long in[ROWS_PER_ITEM], out[ROWS_PER_ITEM], row[ROWS_PER_ITEM];
    for (int v = 0; v < ROWS_PER_ITEM; v++) {
        const long g = first + v < count ? first + v : count - 1;
        row[v] = g % sub;
        in[v] = block_start(starts_in, g / sub, block_step) + row[v] * row_in * unit_in;
        out[v] = block_start(starts_out, g / sub, block_step) + row[v] * row_out * unit_out;
    }
    FT re[ROWS_PER_ITEM], im[ROWS_PER_ITEM];
    for (long i = 0; i < LOCAL_LEN; i++) {
        for (int v = 0; v < ROWS_PER_ITEM; v++) {
            const CT c = vload2(in[v] + i * si, src);
            re[v] = c.x, im[v] = conj_in ? -c.y : c.y;
        }
        a[i] = lanes_join(re, im);
    }
    __local const VC *z = local_passes(a, b, tw);
    const int used = count - first < ROWS_PER_ITEM ? (int)(count - first) : ROWS_PER_ITEM;
    const long8 rows = (long8)(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7]);
    VC powers[64], base = (VC)((RV)1, (RV)0);
    for (int t = 0; t < 64; t++)
        powers[t] = twiddle_n > 0 ? roots_of(rows * t, twiddle_n) : base;
    for (long k = 0; k < LOCAL_LEN; k++) {
        VC y = z[k];
        if (twiddle_n > 0) {
            if (k % 64 == 0)
                base = roots_of(rows * k, twiddle_n);
            y = cmul_lanes(cmul_lanes(y, powers[k % 64]), base);
        }
        y *= scale;
        vstore8(y.lo, 0, re), vstore8(conj_out ? -y.hi : y.hi, 0, im);
        for (int v = 0; v < used; v++)
            vstore2((CT)(re[v], im[v]), out[v] + k * so, dst);
    }
}
#else
/* The program of every other kernel, one per precision. */
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

__kernel void pymic2_fft_load(__global const FT *in, __global const long *starts, long step,
                              int kind, int inverse, long n, long h, long rows,
                              __global CT *work, __global const CT *roots)
{
    const long i = get_global_id(0), r = get_global_id(1);
    if (i >= h || r >= rows)
        return;
    CT x, y = (CT)(0, 0);
    read_input(in, starts[r], step, kind, n, i, &x, &y);
    work[r * h + i] = input_value(kind, inverse, n, i, x, y, roots);
}

__kernel void pymic2_fft_store(__global const CT *work, __global FT *out,
                               __global const long *starts, long step, int kind, int inverse,
                               long n, long h, FT scale, long count, long rows,
                               __global const CT *roots)
{
    const long k = get_global_id(0), r = get_global_id(1);
    if (k >= count || r >= rows)
        return;
    const __global CT *z = work + r * h;
    const CT zk = z[k < h ? k : 0], zc = kind == 1 ? z[k == 0 ? 0 : h - k] : zk;
    const CT v = output_value(kind, inverse, n, k, zk, zc, roots) * scale;
    write_output(out, starts[r], step, kind, n, k, v);
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
    CT x[RADIX > 0 ? RADIX : MAX_RADIX];                                                    \
    const long w = tw_offset + k * (R - 1) - 1; /* tw[w + t]: w^(t k) */                    \
    for (int t = 0; t < R; t++)                                                             \
        x[t] = t == 0 || k == 0 ? src[j + t * q] : cmul(src[j + t * q], tw[w + t]);         \
    dft(x, R);                                                                              \
    for (int u = 0; u < R; u++)                                                             \
        dst[o + u * l] = x[u];                                                              \
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
#endif
