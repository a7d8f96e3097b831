/*
 * vector_log.c - the float64 log of the host's loops (vector_log.h): the scalar function and
 * its vector versions under the x86-64 vector-function ABI names that gcc's vectoriser calls
 * (loops.c compiled for AVX-512 calls the 8- and 4-lane versions, for AVX2 the 4- and 2-lane
 * ones, for the x86-64 baseline the 2-lane one). Why our own: glibc's libmvec log is the
 * bottleneck of the LOG op, and its vector versions are up to 1.56 ulp off (measured here).
 *
 * All versions are within 0.53 ulp (tests/c/test_math_log.c). Measured against libmvec on
 * one Zen 4 core, data in L1 or streamed from memory: 8 lanes (AVX-512) 1.4x its speed;
 * 4 lanes (AVX2) 0.82-0.9x (the table rows come through scalar loads; a division-based
 * kernel was slower still, and AVX2 lacks the instructions that make the 8-lane kernel
 * cheap). The scalar function (remainders, strided elements) and the 2-lane version are
 * glibc's scalar log, within 0.52 ulp: SSE2 has no fused multiply-add for the exact r below.
 *
 * The method. x = 2^e m, m in [1, 2); c ~ 1/m with few bits, so that r = m c - 1 is exact
 * in one fused multiply-add and small; log(x) = e ln2 - log(c) + log1p(r), -log(c) from a
 * table as hi + lo (hi and ln2's hi part are multiples of 2^-42, so w = e LN2_HI + hi is
 * exact). Next to 1 the terms cancel exactly: x = 1 + d has e = 0 and c = 1 (w = 0),
 * x = 1 - d has e = -1 and c = 1/2, whose table entry is LN2_HI, LN2_LO (w = 0 again).
 * w + r is carried with its rounding error (Fast2Sum, valid as |w| >= |r| whenever w != 0,
 * checked by the generator), log1p(r) - r = r^2 P(r), the low parts are added last.
 *  - 8 lanes: vgetmantpd, vgetexppd give m and e (subnormals too); c = vrcp14pd(m) rounded
 *    to a multiple of 1/32 (vrndscalepd), |r| <= 2^-5 + 2^-14, P of degree 8; -log(c) for
 *    c = 16/32 .. 31/32 sits in two registers (vpermt2pd), c = 1 gets 0 by a zero mask.
 *    Zero, negative, infinite, NaN (and subnormal) inputs take vfixupimmpd afterwards.
 *  - 4 lanes: m and e from the bits; the top 7 bits of m's mantissa pick a row (c, hi, lo)
 *    of a 128-row table, c has 8 fraction bits, |r| <= 2^-7, P of degree 6 (Estrin's
 *    scheme: shorter latency, measured 9 % faster than Horner's here). Vectors with a
 *    zero, negative, subnormal, infinite or NaN lane go to the scalar function.
 *
 * The constants come from this script (mpmath 1.3, python3 log_constants.py):
 * # Constants of vector_log.c (mpmath, 50 digits); prints them as C.
 * import mpmath as mp
 * mp.mp.dps = 50
 * def split(v):  # hi: a multiple of 2^-42, so e * hi_ln2 + hi is exact for |e| <= 1075
 *     h = mp.nint(v * 2**42) / 2**42
 *     return float(h), float(v - h)
 * def fit(R, degree):  # P(r) ~ (log1p(r) - r) / r^2 on [-R, R]: least squares, Chebyshev nodes
 *     n = 400
 *     nodes = [R * mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n) for k in range(n)]
 *     A = mp.matrix(n, degree + 1); b = mp.matrix(n, 1)
 *     for i, r in enumerate(nodes):
 *         for j in range(degree + 1): A[i, j] = r**j
 *         b[i] = (mp.log1p(r) - r) / (r * r)
 *     p = [float(v) for v in mp.lu_solve(A.T * A, A.T * b)]
 *     p[0] = -0.5
 *     err = max(abs(sum(mp.mpf(p[j]) * r**j for j in range(degree + 1)) - (mp.log1p(r) - r) / r**2)
 *               for r in [R * (2 * mp.mpf(k) / 4001 - 1) for k in range(4002)] if r != 0)
 *     return p, err
 * ln2_hi, ln2_lo = split(mp.log(2))
 * print("#define LN2_HI %s\n#define LN2_LO %s" % (ln2_hi.hex(), ln2_lo.hex()))
 * # AVX-512: c = (16 + j) / 32, j = 0 .. 15; |r| <= 2^-5 + 2^-14 (vrcp14pd's error)
 * p8, err8 = fit(mp.mpf(2)**-5 + mp.mpf(2)**-13, 8)
 * print("// max error %s" % mp.nstr(err8, 3))
 * for k, v in enumerate(p8): print("#define P8_%d %s" % (k, v.hex()))
 * hi, lo = zip(*(split(-mp.log(mp.mpf(16 + j) / 32)) for j in range(16)))
 * print("LOG_C_HI", ", ".join(v.hex() for v in hi)); print("LOG_C_LO", ", ".join(v.hex() for v in lo))
 * # AVX2: cell j of m in [1, 2) is [1 + j/128, 1 + (j+1)/128); c_j = 1/midpoint rounded to
 * # 8 fraction bits (exactly 1 for j = 0 and 1/2 for j = 127, where log(x) is near 0)
 * p6, err6 = fit(mp.mpf(2)**-7, 6)
 * print("// max error %s" % mp.nstr(err6, 3))
 * for k, v in enumerate(p6): print("#define P6_%d %s" % (k, v.hex()))
 * for j in range(128):
 *     m0 = 1 + mp.mpf(j) / 128; m1 = m0 + mp.mpf(1) / 128
 *     c = 1 if j == 0 else mp.mpf(1) / 2 if j == 127 else mp.nint(512 / (m0 + m1)) / 256
 *     r = max(abs(m0 * c - 1), abs(m1 * c - 1))
 *     assert r <= mp.mpf(2)**-7  # r = m c - 1 is then exact, and within P6's range
 *     h, l = split(-mp.log(c))
 *     for e in (-1, 0):  # Fast2Sum of w = e ln2 + h and r needs |w| >= |r| where w != 0
 *         w = e * mp.mpf(ln2_hi) + mp.mpf(h)
 *         assert w == 0 or abs(w) >= r
 *     print("    {%s, %s, %s}," % (float(c).hex(), h.hex(), l.hex()))
 */
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

/* Not vector_log.h: with its simd declaration in sight, gcc would make vector clones of
 * the scalar definition below under the names defined here by hand. */
double pymic2__log_f64(double x);

double pymic2__log_f64(double x)
{
    return log(x);
}

#if defined(__x86_64__) && defined(__GLIBC__)
__m128d _ZGVbN2v_pymic2__log_f64(__m128d x);
__attribute__((target("avx2,fma"))) __m256d _ZGVdN4v_pymic2__log_f64(__m256d x);
__attribute__((target("avx512f,avx512dq"))) __m512d _ZGVeN8v_pymic2__log_f64(__m512d x);

__m128d _ZGVbN2v_pymic2__log_f64(__m128d x)
{
    return _mm_set_pd(log(_mm_cvtsd_f64(_mm_unpackhi_pd(x, x))), log(_mm_cvtsd_f64(x)));
}

#define LN2_HI 0x1.62e42fefa3800p-1
#define LN2_LO 0x1.ef35793c76730p-45

/* ---------------------------------------------------------------- 4 lanes: AVX2 + FMA */

#define P6_0 -0x1.0000000000000p-1
#define P6_1 0x1.5555555555587p-2
#define P6_2 -0x1.0000000000066p-2
#define P6_3 0x1.9999998d278cbp-3
#define P6_4 -0x1.5555554554f15p-3
#define P6_5 0x1.249882224f733p-3
#define P6_6 -0x1.0006668466e42p-3

/* Row j: c_j, -log(c_j) as hi, lo, and padding (rows of 32 bytes, two aligned loads). */
static const double LOG_ROWS[128][4] __attribute__((aligned(32))) = {
    {0x1.0000000000000p+0, 0x0.0p+0, 0x0.0p+0, 0},
    {0x1.fa00000000000p-1, 0x1.82448a3880000p-7, 0x1.4554412c584e0p-44, 0},
    {0x1.f600000000000p-1, 0x1.432a925980000p-6, 0x1.98139928637fep-47, 0},
    {0x1.f200000000000p-1, 0x1.c63d2ec150000p-6, -0x1.5439ce030a687p-44, 0},
    {0x1.ee00000000000p-1, 0x1.252f32f8d0000p-5, 0x1.83e9ae021b67bp-45, 0},
    {0x1.ea00000000000p-1, 0x1.67c94f2d48000p-5, 0x1.dac20827cca0cp-44, 0},
    {0x1.e800000000000p-1, 0x1.894aa149f8000p-5, 0x1.9a19a8be97661p-44, 0},
    {0x1.e400000000000p-1, 0x1.ccb73cddd8000p-5, 0x1.965c36e09f5fep-44, 0},
    {0x1.e000000000000p-1, 0x1.08598b59e4000p-4, -0x1.7e5dd7009902cp-46, 0},
    {0x1.dc00000000000p-1, 0x1.2aa04a4470000p-4, 0x1.7a48ba8b1cb41p-44, 0},
    {0x1.da00000000000p-1, 0x1.3bdf5a7d20000p-4, -0x1.19bd0ad125895p-44, 0},
    {0x1.d600000000000p-1, 0x1.5e95a4d978000p-4, 0x1.1cb7ce1d17171p-44, 0},
    {0x1.d200000000000p-1, 0x1.8197e2f410000p-4, -0x1.c0fe460d20041p-44, 0},
    {0x1.d000000000000p-1, 0x1.9335e5d594000p-4, 0x1.3115c3abd47dap-45, 0},
    {0x1.cc00000000000p-1, 0x1.b6ac88dad4000p-4, 0x1.b1bdff50225c7p-44, 0},
    {0x1.c800000000000p-1, 0x1.da72763844000p-4, 0x1.a89401fa71733p-46, 0},
    {0x1.c600000000000p-1, 0x1.ec739830a0000p-4, 0x1.11fcba80cdd10p-44, 0},
    {0x1.c200000000000p-1, 0x1.08598b59e4000p-3, -0x1.7e5dd7009902cp-45, 0},
    {0x1.c000000000000p-1, 0x1.1178e8227e000p-3, 0x1.1ef78ce2d07f2p-45, 0},
    {0x1.bc00000000000p-1, 0x1.23d712a49c000p-3, 0x1.00d238fd3df5cp-46, 0},
    {0x1.ba00000000000p-1, 0x1.2d1610c868000p-3, 0x1.39d6ccb81b4a1p-47, 0},
    {0x1.b600000000000p-1, 0x1.3fb45a5992000p-3, 0x1.19713c0cae559p-44, 0},
    {0x1.b400000000000p-1, 0x1.4913d8333c000p-3, -0x1.53e43558124c4p-44, 0},
    {0x1.b000000000000p-1, 0x1.5bf406b544000p-3, -0x1.27023eb68981cp-46, 0},
    {0x1.ae00000000000p-1, 0x1.6574ebe8c2000p-3, -0x1.98c1d34f0f462p-44, 0},
    {0x1.aa00000000000p-1, 0x1.7898d85444000p-3, 0x1.8e67be3dbaf3fp-44, 0},
    {0x1.a800000000000p-1, 0x1.823c16551a000p-3, 0x1.e0ddb9a631e83p-46, 0},
    {0x1.a600000000000p-1, 0x1.8beafeb390000p-3, -0x1.73d54aae92cd1p-47, 0},
    {0x1.a200000000000p-1, 0x1.9f6c40708a000p-3, -0x1.337d94bcd3f43p-44, 0},
    {0x1.a000000000000p-1, 0x1.a93ed3c8ae000p-3, -0x1.8724350562169p-45, 0},
    {0x1.9e00000000000p-1, 0x1.b31d8575bc000p-3, 0x1.c794e562a63cbp-44, 0},
    {0x1.9a00000000000p-1, 0x1.c6ffbc6f00000p-3, 0x1.ee138d3a69d43p-44, 0},
    {0x1.9800000000000p-1, 0x1.d1037f2656000p-3, -0x1.84a7e75b6f6e4p-47, 0},
    {0x1.9600000000000p-1, 0x1.db13db0d48000p-3, 0x1.2806a847527e6p-44, 0},
    {0x1.9400000000000p-1, 0x1.e530effe72000p-3, -0x1.fdbdbb13f7c18p-44, 0},
    {0x1.9000000000000p-1, 0x1.f991c6cb3c000p-3, -0x1.90d04cd7cc834p-44, 0},
    {0x1.8e00000000000p-1, 0x1.01eae5626c000p-2, 0x1.a43dcfade85aep-44, 0},
    {0x1.8c00000000000p-1, 0x1.07138604d6000p-2, -0x1.e76324e912b17p-44, 0},
    {0x1.8a00000000000p-1, 0x1.0c42d67616000p-2, 0x1.7188b163ceae9p-45, 0},
    {0x1.8800000000000p-1, 0x1.1178e8227e000p-2, 0x1.1ef78ce2d07f2p-44, 0},
    {0x1.8400000000000p-1, 0x1.1bf99635a7000p-2, -0x1.1ac89575c2125p-44, 0},
    {0x1.8200000000000p-1, 0x1.214456d0ec000p-2, -0x1.caf0428b728a3p-44, 0},
    {0x1.8000000000000p-1, 0x1.269621134e000p-2, -0x1.1b61f10522625p-44, 0},
    {0x1.7e00000000000p-1, 0x1.2bef07cdc9000p-2, 0x1.a9cfa4a5004f4p-45, 0},
    {0x1.7c00000000000p-1, 0x1.314f1e1d36000p-2, -0x1.8e27ad3213cb8p-45, 0},
    {0x1.7a00000000000p-1, 0x1.36b6776be1000p-2, 0x1.16ecdb0f177c8p-46, 0},
    {0x1.7800000000000p-1, 0x1.3c25277333000p-2, 0x1.83b54b606bd5cp-46, 0},
    {0x1.7600000000000p-1, 0x1.419b423d5f000p-2, -0x1.ce379226de3ecp-44, 0},
    {0x1.7400000000000p-1, 0x1.4718dc271c000p-2, 0x1.06c18fb4c14c5p-44, 0},
    {0x1.7200000000000p-1, 0x1.4c9e09e173000p-2, -0x1.e20891b0ad8a4p-45, 0},
    {0x1.7000000000000p-1, 0x1.522ae0738a000p-2, 0x1.ebe708164c759p-45, 0},
    {0x1.6e00000000000p-1, 0x1.57bf753c8d000p-2, 0x1.fadedee5d40efp-46, 0},
    {0x1.6c00000000000p-1, 0x1.5d5bddf596000p-2, -0x1.a0b2a08a465dcp-47, 0},
    {0x1.6a00000000000p-1, 0x1.630030b3ab000p-2, -0x1.db623e731ae00p-45, 0},
    {0x1.6800000000000p-1, 0x1.68ac83e9c7000p-2, -0x1.7af966c548a30p-44, 0},
    {0x1.6600000000000p-1, 0x1.6e60ee6af2000p-2, -0x1.a37a6a0f7749ep-44, 0},
    {0x1.6400000000000p-1, 0x1.741d876c68000p-2, -0x1.13a7b5b11cfa7p-44, 0},
    {0x1.6200000000000p-1, 0x1.79e26687d0000p-2, -0x1.309c168817444p-44, 0},
    {0x1.6000000000000p-1, 0x1.7fafa3bd81000p-2, 0x1.46fb79bf6d4cbp-44, 0},
    {0x1.5e00000000000p-1, 0x1.85855776dd000p-2, -0x1.015486666443bp-44, 0},
    {0x1.5c00000000000p-1, 0x1.8b639a88b3000p-2, -0x1.05ae1e5e70470p-45, 0},
    {0x1.5a00000000000p-1, 0x1.914a8635bf000p-2, 0x1.a2652b44673e1p-44, 0},
    {0x1.5800000000000p-1, 0x1.973a343135000p-2, 0x1.ab73b16bf4984p-44, 0},
    {0x1.5600000000000p-1, 0x1.9d32bea15f000p-2, -0x1.6279e10d0c0b0p-45, 0},
    {0x1.5400000000000p-1, 0x1.a334402250000p-2, -0x1.61cdd40314305p-44, 0},
    {0x1.5200000000000p-1, 0x1.a93ed3c8ae000p-2, -0x1.8724350562169p-44, 0},
    {0x1.5000000000000p-1, 0x1.af5295248d000p-2, -0x1.17cc552774458p-45, 0},
    {0x1.5000000000000p-1, 0x1.af5295248d000p-2, -0x1.17cc552774458p-45, 0},
    {0x1.4e00000000000p-1, 0x1.b56fa04463000p-2, -0x1.bdab6b49ef99bp-44, 0},
    {0x1.4c00000000000p-1, 0x1.bb9611b80e000p-2, 0x1.7d85bf40a666dp-45, 0},
    {0x1.4a00000000000p-1, 0x1.c1c60693fa000p-2, 0x1.cec807fe8e180p-45, 0},
    {0x1.4800000000000p-1, 0x1.c7ff9c7455000p-2, 0x1.324911f56db29p-44, 0},
    {0x1.4600000000000p-1, 0x1.ce42f18064000p-2, 0x1.d0d0798270b2ap-44, 0},
    {0x1.4600000000000p-1, 0x1.ce42f18064000p-2, 0x1.d0d0798270b2ap-44, 0},
    {0x1.4400000000000p-1, 0x1.d490246df0000p-2, -0x1.652280b2c4c2cp-44, 0},
    {0x1.4200000000000p-1, 0x1.dae75484c9000p-2, 0x1.856f4a7c8e7a6p-44, 0},
    {0x1.4000000000000p-1, 0x1.e148a1a272000p-2, 0x1.b36537e3375b2p-44, 0},
    {0x1.3e00000000000p-1, 0x1.e7b42c3ddb000p-2, -0x1.465505372bd08p-45, 0},
    {0x1.3e00000000000p-1, 0x1.e7b42c3ddb000p-2, -0x1.465505372bd08p-45, 0},
    {0x1.3c00000000000p-1, 0x1.ee2a156b41000p-2, 0x1.f27f45a470251p-45, 0},
    {0x1.3a00000000000p-1, 0x1.f4aa7ee032000p-2, -0x1.b4c86a43fad5dp-44, 0},
    {0x1.3800000000000p-1, 0x1.fb358af7a5000p-2, -0x1.def40b87d36d9p-44, 0},
    {0x1.3800000000000p-1, 0x1.fb358af7a5000p-2, -0x1.def40b87d36d9p-44, 0},
    {0x1.3600000000000p-1, 0x1.00e5ae5b20800p-1, -0x1.53ba3b1727b1cp-47, 0},
    {0x1.3400000000000p-1, 0x1.04360be760000p-1, 0x1.d6774030d58c4p-44, 0},
    {0x1.3200000000000p-1, 0x1.078bf0533c800p-1, -0x1.4bf6edf090501p-44, 0},
    {0x1.3200000000000p-1, 0x1.078bf0533c800p-1, -0x1.4bf6edf090501p-44, 0},
    {0x1.3000000000000p-1, 0x1.0ae76e2d05800p-1, -0x1.82de51de06076p-44, 0},
    {0x1.2e00000000000p-1, 0x1.0e4898611d000p-1, -0x1.8f599fe1ffa30p-44, 0},
    {0x1.2e00000000000p-1, 0x1.0e4898611d000p-1, -0x1.8f599fe1ffa30p-44, 0},
    {0x1.2c00000000000p-1, 0x1.11af823c75800p-1, 0x1.53cdc223111a7p-44, 0},
    {0x1.2a00000000000p-1, 0x1.151c3f6f29800p-1, -0x1.edd97a293ae49p-45, 0},
    {0x1.2a00000000000p-1, 0x1.151c3f6f29800p-1, -0x1.edd97a293ae49p-45, 0},
    {0x1.2800000000000p-1, 0x1.188ee40f24000p-1, -0x1.accec41d52e6cp-44, 0},
    {0x1.2600000000000p-1, 0x1.1c07849ae6000p-1, 0x1.cacdeed70e667p-51, 0},
    {0x1.2600000000000p-1, 0x1.1c07849ae6000p-1, 0x1.cacdeed70e667p-51, 0},
    {0x1.2400000000000p-1, 0x1.1f8635fc61800p-1, -0x1.a7242c9fe81d3p-45, 0},
    {0x1.2200000000000p-1, 0x1.230b0d8bec000p-1, -0x1.b40fe646de661p-44, 0},
    {0x1.2200000000000p-1, 0x1.230b0d8bec000p-1, -0x1.b40fe646de661p-44, 0},
    {0x1.2000000000000p-1, 0x1.269621134d800p-1, 0x1.c93c1df5bb3b6p-44, 0},
    {0x1.1e00000000000p-1, 0x1.2a2786d0ec000p-1, 0x1.06d2be797882dp-45, 0},
    {0x1.1e00000000000p-1, 0x1.2a2786d0ec000p-1, 0x1.06d2be797882dp-45, 0},
    {0x1.1c00000000000p-1, 0x1.2dbf557b0e000p-1, -0x1.7a6e507b9dc11p-46, 0},
    {0x1.1c00000000000p-1, 0x1.2dbf557b0e000p-1, -0x1.7a6e507b9dc11p-46, 0},
    {0x1.1a00000000000p-1, 0x1.315da44340800p-1, -0x1.74e93c5a0ed9cp-45, 0},
    {0x1.1800000000000p-1, 0x1.35028ad9d9000p-1, -0x1.bd1f01ab60655p-44, 0},
    {0x1.1800000000000p-1, 0x1.35028ad9d9000p-1, -0x1.bd1f01ab60655p-44, 0},
    {0x1.1600000000000p-1, 0x1.38ae217197800p-1, -0x1.18b7abb5569a4p-45, 0},
    {0x1.1600000000000p-1, 0x1.38ae217197800p-1, -0x1.18b7abb5569a4p-45, 0},
    {0x1.1400000000000p-1, 0x1.3c6080c36c000p-1, -0x1.2b7367cfe13c2p-47, 0},
    {0x1.1200000000000p-1, 0x1.4019c2125c800p-1, 0x1.498c367879c5ap-44, 0},
    {0x1.1200000000000p-1, 0x1.4019c2125c800p-1, 0x1.498c367879c5ap-44, 0},
    {0x1.1000000000000p-1, 0x1.43d9ff2f92000p-1, 0x1.e267b0b7efae1p-44, 0},
    {0x1.1000000000000p-1, 0x1.43d9ff2f92000p-1, 0x1.e267b0b7efae1p-44, 0},
    {0x1.0e00000000000p-1, 0x1.47a1527e8a000p-1, 0x1.69a4a83594fabp-44, 0},
    {0x1.0e00000000000p-1, 0x1.47a1527e8a000p-1, 0x1.69a4a83594fabp-44, 0},
    {0x1.0c00000000000p-1, 0x1.4b6fd6f971000p-1, -0x1.f047750959d5fp-44, 0},
    {0x1.0a00000000000p-1, 0x1.4f45a835a5000p-1, -0x1.e6c516d93b8fbp-45, 0},
    {0x1.0a00000000000p-1, 0x1.4f45a835a5000p-1, -0x1.e6c516d93b8fbp-45, 0},
    {0x1.0800000000000p-1, 0x1.5322e26867800p-1, 0x1.5ccc45d257531p-47, 0},
    {0x1.0800000000000p-1, 0x1.5322e26867800p-1, 0x1.5ccc45d257531p-47, 0},
    {0x1.0600000000000p-1, 0x1.5707a26bb9000p-1, -0x1.cccfe80199f84p-44, 0},
    {0x1.0600000000000p-1, 0x1.5707a26bb9000p-1, -0x1.cccfe80199f84p-44, 0},
    {0x1.0400000000000p-1, 0x1.5af405c364800p-1, 0x1.dfa63ac10c9fbp-45, 0},
    {0x1.0400000000000p-1, 0x1.5af405c364800p-1, 0x1.dfa63ac10c9fbp-45, 0},
    {0x1.0200000000000p-1, 0x1.5ee82aa241800p-1, 0x1.202380cda46bep-45, 0},
    {0x1.0200000000000p-1, 0x1.5ee82aa241800p-1, 0x1.202380cda46bep-45, 0},
    {0x1.0000000000000p-1, 0x1.62e42fefa3800p-1, 0x1.ef35793c76730p-45, 0},
};

#define SPLAT4(value) _mm256_set1_pd(value)
#define SPLAT4_INT(value) _mm256_set1_epi64x(value)

__attribute__((target("avx2,fma"))) __m256d _ZGVdN4v_pymic2__log_f64(__m256d x)
{
    const __m256d normal = _mm256_and_pd(_mm256_cmp_pd(x, SPLAT4(0x1p-1022), _CMP_GE_OQ),
                                         _mm256_cmp_pd(x, SPLAT4(0x1.fffffffffffffp1023),
                                                       _CMP_LE_OQ));
    if (__builtin_expect(_mm256_movemask_pd(normal) != 0xf, 0)) {
        double lanes[4] __attribute__((aligned(32)));
        _mm256_store_pd(lanes, x);
        for (int k = 0; k < 4; k++)
            lanes[k] = log(lanes[k]);
        return _mm256_load_pd(lanes);
    }
    const __m256i bits = _mm256_castpd_si256(x);
    const __m256d m = _mm256_castsi256_pd(_mm256_or_si256(
        _mm256_and_si256(bits, SPLAT4_INT(0x000fffffffffffffLL)), SPLAT4_INT(0x3ff0000000000000LL)));
    /* e + 2^52 + 1023 as a double: the biased exponent in 2^52's low mantissa bits */
    const __m256d e = _mm256_sub_pd(
        _mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(bits, 52),
                                            SPLAT4_INT(0x4330000000000000LL))),
        SPLAT4(0x1p52 + 1023));
    /* byte offsets of the rows: the top 7 mantissa bits times 32 */
    const __m256i offsets = _mm256_and_si256(_mm256_srli_epi64(bits, 40), SPLAT4_INT(127 << 5));
    const __m128i offsets01 = _mm256_castsi256_si128(offsets);
    const __m128i offsets23 = _mm256_extracti128_si256(offsets, 1);
    const char *table = (const char *)LOG_ROWS;
    const double *row0 = (const double *)(table + _mm_cvtsi128_si64(offsets01));
    const double *row1 = (const double *)(table + _mm_extract_epi64(offsets01, 1));
    const double *row2 = (const double *)(table + _mm_cvtsi128_si64(offsets23));
    const double *row3 = (const double *)(table + _mm_extract_epi64(offsets23, 1));
    /* (c, hi) of lanes 0 | 2 and 1 | 3, (lo, 0) likewise; unpacking gives c, hi, lo */
    const __m256d head02 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_load_pd(row0)),
                                                _mm_load_pd(row2), 1);
    const __m256d head13 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_load_pd(row1)),
                                                _mm_load_pd(row3), 1);
    const __m256d tail02 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_load_pd(row0 + 2)),
                                                _mm_load_pd(row2 + 2), 1);
    const __m256d tail13 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_load_pd(row1 + 2)),
                                                _mm_load_pd(row3 + 2), 1);
    const __m256d c = _mm256_unpacklo_pd(head02, head13);
    const __m256d log_c_hi = _mm256_unpackhi_pd(head02, head13);
    const __m256d log_c_lo = _mm256_unpacklo_pd(tail02, tail13);
    const __m256d r = _mm256_fmsub_pd(m, c, SPLAT4(1.0)); /* exact */
    const __m256d r2 = _mm256_mul_pd(r, r);
    const __m256d r4 = _mm256_mul_pd(r2, r2);
    const __m256d p01 = _mm256_fmadd_pd(SPLAT4(P6_1), r, SPLAT4(P6_0));
    const __m256d p23 = _mm256_fmadd_pd(SPLAT4(P6_3), r, SPLAT4(P6_2));
    const __m256d p45 = _mm256_fmadd_pd(SPLAT4(P6_5), r, SPLAT4(P6_4));
    const __m256d p = _mm256_fmadd_pd(_mm256_fmadd_pd(SPLAT4(P6_6), r2, p45), r4,
                                      _mm256_fmadd_pd(p23, r2, p01));
    const __m256d w = _mm256_fmadd_pd(e, SPLAT4(LN2_HI), log_c_hi); /* exact */
    const __m256d hi = _mm256_add_pd(w, r);
    const __m256d hi_error = _mm256_add_pd(_mm256_sub_pd(w, hi), r);
    const __m256d lo = _mm256_add_pd(_mm256_fmadd_pd(e, SPLAT4(LN2_LO), log_c_lo), hi_error);
    return _mm256_add_pd(hi, _mm256_fmadd_pd(r2, p, lo));
}

/* ---------------------------------------------------------------- 8 lanes: AVX-512 */

#define P8_0 -0x1.0000000000000p-1
#define P8_1 0x1.555555555551fp-2
#define P8_2 -0x1.ffffffffffeecp-3
#define P8_3 0x1.9999999affa2dp-3
#define P8_4 -0x1.55555557786e5p-3
#define P8_5 0x1.24923529fb9b2p-3
#define P8_6 -0x1.ffffd08304ee4p-4
#define P8_7 0x1.c7efceb3833f5p-4
#define P8_8 -0x1.9a70e72372c3ep-4

/* -log(c) for c = (16 + j) / 32, j the top 4 bits of c's mantissa, as hi + lo */
static const double LOG_C_HI[16] __attribute__((aligned(64))) = {
    0x1.62e42fefa3800p-1, 0x1.43d9ff2f92000p-1, 0x1.269621134d800p-1, 0x1.0ae76e2d05800p-1,
    0x1.e148a1a272000p-2, 0x1.af5295248d000p-2, 0x1.7fafa3bd81000p-2, 0x1.522ae0738a000p-2,
    0x1.269621134e000p-2, 0x1.f991c6cb3c000p-3, 0x1.a93ed3c8ae000p-3, 0x1.5bf406b544000p-3,
    0x1.1178e8227e000p-3, 0x1.9335e5d594000p-4, 0x1.08598b59e4000p-4, 0x1.0415d89e78000p-5,
};
static const double LOG_C_LO[16] __attribute__((aligned(64))) = {
    0x1.ef35793c76730p-45, 0x1.e267b0b7efae1p-44, 0x1.c93c1df5bb3b6p-44, -0x1.82de51de06076p-44,
    0x1.b36537e3375b2p-44, -0x1.17cc552774458p-45, 0x1.46fb79bf6d4cbp-44, 0x1.ebe708164c759p-45,
    -0x1.1b61f10522625p-44, -0x1.90d04cd7cc834p-44, -0x1.8724350562169p-45, -0x1.27023eb68981cp-46,
    0x1.1ef78ce2d07f2p-45, 0x1.3115c3abd47dap-45, -0x1.7e5dd7009902cp-46, -0x1.dddc7f461c516p-44,
};

/* vfixupimmpd's answer per class of x, 4 bits each from QNaN up: QNaN -> x, SNaN -> quiet x,
 * +-0 -> -inf, +1 -> +0, -inf -> NaN, +inf -> +inf, negative -> NaN, positive -> computed */
#define LOG_FIXUP 0x03538421
/* vfpclasspd: QNaN, +-0, +-inf, subnormal, negative, SNaN */
#define SPECIAL_CLASSES 0xff

#define SPLAT8(value) _mm512_set1_pd(value)

__attribute__((target("avx512f,avx512dq"))) __m512d _ZGVeN8v_pymic2__log_f64(__m512d x)
{
    const __m512d m = _mm512_getmant_pd(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src);
    const __m512d e = _mm512_getexp_pd(x);
    const __m512d c = _mm512_roundscale_pd(_mm512_rcp14_pd(m),
                                           (5 << 4) | _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512i c_bits = _mm512_castpd_si512(c);
    /* vpermt2pd reads the low 4 bits: c's top mantissa bits (c = 1 reads 0, masked) */
    const __m512i index = _mm512_srli_epi64(c_bits, 48);
    const __mmask8 below_one = _mm512_testn_epi64_mask(c_bits, _mm512_set1_epi64(1LL << 52));
    const __m512d log_c_hi = _mm512_maskz_permutex2var_pd(
        below_one, _mm512_load_pd(LOG_C_HI), index, _mm512_load_pd(LOG_C_HI + 8));
    const __m512d log_c_lo = _mm512_maskz_permutex2var_pd(
        below_one, _mm512_load_pd(LOG_C_LO), index, _mm512_load_pd(LOG_C_LO + 8));
    const __m512d r = _mm512_fmsub_pd(m, c, SPLAT8(1.0)); /* exact */
    const __m512d r2 = _mm512_mul_pd(r, r);
    __m512d p = _mm512_fmadd_pd(SPLAT8(P8_8), r, SPLAT8(P8_7));
    p = _mm512_fmadd_pd(p, r, SPLAT8(P8_6));
    p = _mm512_fmadd_pd(p, r, SPLAT8(P8_5));
    p = _mm512_fmadd_pd(p, r, SPLAT8(P8_4));
    p = _mm512_fmadd_pd(p, r, SPLAT8(P8_3));
    p = _mm512_fmadd_pd(p, r, SPLAT8(P8_2));
    p = _mm512_fmadd_pd(p, r, SPLAT8(P8_1));
    p = _mm512_fmadd_pd(p, r, SPLAT8(P8_0));
    const __m512d w = _mm512_fmadd_pd(e, SPLAT8(LN2_HI), log_c_hi); /* exact */
    const __m512d hi = _mm512_add_pd(w, r);
    const __m512d hi_error = _mm512_add_pd(_mm512_sub_pd(w, hi), r);
    const __m512d lo = _mm512_add_pd(_mm512_fmadd_pd(e, SPLAT8(LN2_LO), log_c_lo), hi_error);
    const __m512d y = _mm512_add_pd(hi, _mm512_fmadd_pd(r2, p, lo));
    /* a branch rather than an unconditional fixup: measured 5-10 % faster */
    if (__builtin_expect(_mm512_fpclass_pd_mask(x, SPECIAL_CLASSES) != 0, 0))
        return _mm512_fixupimm_pd(y, x, _mm512_set1_epi64(LOG_FIXUP), 0);
    return y;
}
#endif
