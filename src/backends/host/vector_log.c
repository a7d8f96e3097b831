/*
 * vector_log.c - the float64 log of the host's loops (vector_math.h) for AVX-512: the scalar
 * function and its vector versions under the x86-64 vector-function ABI names that gcc's
 * vectoriser calls (loops.c compiled for AVX-512 calls the 8-lane version for its vectors
 * and the 4-lane one for a remainder). Why our own: glibc's libmvec log is the bottleneck of
 * the LOG op, and its vector versions are up to 1.56 ulp off (measured here). Ours is within
 * 0.53 ulp (tests/c/test_math_log.c) and, on one Zen 4 core with data in L1 or streamed from
 * memory, 1.4x the speed of libmvec's AVX-512 log. With AVX2 only, a 128-row table read
 * through scalar loads made a kernel of this kind 0.82-0.9x libmvec's speed, so loops.c
 * keeps libmvec's log for the AVX2 and baseline targets. The scalar function, the 2- and the
 * 4-lane versions are glibc's scalar log, lane by lane (vector_lanes.h; within 0.52 ulp).
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
 */
#include <stdint.h>

#if defined(__x86_64__) && defined(__GLIBC__)
#include "vector_lanes.h"

PYMIC2__SCALAR_AND_NARROW_VERSIONS(pymic2__log_f64, log)
__attribute__((target("avx512f,avx512dq"))) __m512d _ZGVeN8v_pymic2__log_f64(__m512d x);

#define LN2_HI 0x1.62e42fefa3800p-1
#define LN2_LO 0x1.ef35793c76730p-45

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
