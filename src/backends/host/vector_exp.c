/*
 * vector_exp.c - the float64 exp of the host's loops (vector_math.h) for AVX-512, beside
 * vector_log.c and for the same reasons: libmvec's exp limited the EXP op to 70-80 % of the
 * memory bandwidth that ops reaching memory get. Ours is within 0.55 ulp (against glibc's
 * expl, tests/c/test_math.c) and 1.3-1.6x the speed of libmvec's AVX-512 exp on one Zen 4
 * core with data in L1. The scalar function and the 2- and 4-lane versions are glibc's exp,
 * lane by lane (vector_lanes.h).
 *
 * The method. x = (16 k + j) ln2/16 + r with kj = 16 k + j = round(x 16/ln2), j = kj mod 16,
 * |r| <= ln2/32; exp(x) = 2^k 2^(j/16) exp(r). r = x - kj ln2/16 in two fused multiply-adds
 * (the first is exact: its result is smaller than x and a multiple of x's or the constant's
 * last place); 2^(j/16) as hi + lo from a 16-entry table in two registers (vpermt2pd reads
 * j from the low 4 bits of kj as an integer); exp(r) - 1 = r + r^2 Q(r), Q of degree 5;
 * then y = hi + (hi (exp(r) - 1) + lo) and vscalefpd multiplies by 2^floor(kj/16) = 2^k.
 * Lanes with |x| > 708 (results near overflow or subnormal), infinities and NaNs take
 * glibc's scalar exp.
 *
 * The constants come from this script (mpmath 1.3):
 * import mpmath as mp
 * mp.mp.dps = 50
 * R = mp.log(2) / 32
 * n, degree = 400, 5  # Q(r) ~ (expm1(r) - r) / r^2 on [-R, R]: least squares, Chebyshev nodes
 * nodes = [R * mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n) for k in range(n)]
 * A = mp.matrix(n, degree + 1); b = mp.matrix(n, 1)
 * for i, r in enumerate(nodes):
 *     for j in range(degree + 1): A[i, j] = r**j
 *     b[i] = (mp.expm1(r) - r) / (r * r)
 * for k, v in enumerate(mp.lu_solve(A.T * A, A.T * b)): print("#define Q_%d %s" % (k, float(v).hex()))
 * # (its error in expm1(r): 4e-20; degree 4: 2.8e-17)
 * step = mp.log(2) / 16; hi = mp.nint(step * 2**44) / 2**44
 * print(float(16 / mp.log(2)).hex(), float(hi).hex(), float(step - hi).hex())
 * t = [mp.mpf(2) ** (mp.mpf(j) / 16) for j in range(16)]
 * print([float(v).hex() for v in t], [float(v - mp.mpf(float(v))).hex() for v in t])
 */
#include <stdint.h>

#if defined(__x86_64__) && defined(__GLIBC__)
#include "vector_lanes.h"

PYMIC2__SCALAR_AND_NARROW_VERSIONS(pymic2__exp_f64, exp)
__attribute__((target("avx512f,avx512dq"))) __m512d _ZGVeN8v_pymic2__exp_f64(__m512d x);

#define INV_LN2_16 0x1.71547652b82fep+4
#define LN2_16_HI 0x1.62e42fefa4000p-5
#define LN2_16_LO -0x1.8432a1b0e2634p-47

#define Q_0 0x1.0000000000001p-1
#define Q_1 0x1.5555555555556p-3
#define Q_2 0x1.55555554e9467p-5
#define Q_3 0x1.11111110c65c2p-7
#define Q_4 0x1.6c17ed4cc8c81p-10
#define Q_5 0x1.a01b389c08cecp-13

/* 2^(j/16) as hi + lo */
static const double EXP2_HI[16] __attribute__((aligned(64))) = {
    0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0, 0x1.2387a6e756238p+0,
    0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0,
    0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
    0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0,
};
static const double EXP2_LO[16] __attribute__((aligned(64))) = {
    0x0.0p+0,               0x1.8a62e4adc610bp-54,  -0x1.19041b9d78a76p-55, 0x1.9b07eb6c70573p-54,
    0x1.6f46ad23182e4p-55,  0x1.ada0911f09ebcp-55,  0x1.d4397afec42e2p-56,  0x1.6324c054647adp-54,
    -0x1.bdd3413b26456p-54, -0x1.41577ee04992fp-55, 0x1.6e9f156864b27p-54,  0x1.c7c46b071f2bep-56,
    0x1.7a1cd345dcc81p-54,  0x1.11065895048ddp-55,  0x1.2ed02d75b3707p-55,  -0x1.e9c23179c2893p-54,
};

/* Beyond this |x| the result is near overflow or below the normal range: scalar exp. */
#define FAST_LIMIT 708.0

#define SPLAT8(value) _mm512_set1_pd(value)

__attribute__((target("avx512f,avx512dq"))) __m512d _ZGVeN8v_pymic2__exp_f64(__m512d x)
{
    const __m512d kj = _mm512_roundscale_pd(_mm512_mul_pd(x, SPLAT8(INV_LN2_16)),
                                            _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512d r_hi = _mm512_fnmadd_pd(kj, SPLAT8(LN2_16_HI), x); /* exact */
    const __m512d r = _mm512_fnmadd_pd(kj, SPLAT8(LN2_16_LO), r_hi);
    const __m512i j = _mm512_cvtpd_epi64(kj);
    const __m512d t_hi =
        _mm512_permutex2var_pd(_mm512_load_pd(EXP2_HI), j, _mm512_load_pd(EXP2_HI + 8));
    const __m512d t_lo =
        _mm512_permutex2var_pd(_mm512_load_pd(EXP2_LO), j, _mm512_load_pd(EXP2_LO + 8));
    __m512d q = _mm512_fmadd_pd(SPLAT8(Q_5), r, SPLAT8(Q_4));
    q = _mm512_fmadd_pd(q, r, SPLAT8(Q_3));
    q = _mm512_fmadd_pd(q, r, SPLAT8(Q_2));
    q = _mm512_fmadd_pd(q, r, SPLAT8(Q_1));
    q = _mm512_fmadd_pd(q, r, SPLAT8(Q_0));
    const __m512d expm1_r = _mm512_fmadd_pd(_mm512_mul_pd(r, r), q, r);
    const __m512d y = _mm512_add_pd(t_hi, _mm512_fmadd_pd(t_hi, expm1_r, t_lo));
    __m512d result = _mm512_scalef_pd(y, _mm512_mul_pd(kj, SPLAT8(1.0 / 16)));
    const __mmask8 fast =
        _mm512_cmp_pd_mask(_mm512_abs_pd(x), SPLAT8(FAST_LIMIT), _CMP_LE_OQ);
    if (__builtin_expect(fast != 0xff, 0)) {
        double in[8] __attribute__((aligned(64))), out[8] __attribute__((aligned(64)));
        _mm512_store_pd(in, x);
        _mm512_store_pd(out, result);
        for (int k = 0; k < 8; k++)
            if (!(fast >> k & 1))
                out[k] = exp(in[k]);
        result = _mm512_load_pd(out);
    }
    return result;
}
#endif
