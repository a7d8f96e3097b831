/* GEMM of complex64 and complex128 (pymic2_gemm): VECTOR complex numbers of a row of B or C
 * are one real vector of twice the width (RV), real parts in .even, imaginary parts in .odd;
 * the generator defines R (the real type: float or double, with fp64 enabled for double),
 * ROWS, VECTOR and WIDE. */
#define CAT(a, b) CAT2(a, b)
#define CAT2(a, b) a##b
#define CT CAT(R, 2)
#define HV CAT(R, VECTOR)
#define RV CAT(R, WIDE)
CT cmul(CT a, CT b)
{
    return (CT)(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}
__kernel void pymic2_gemm(long M, long N, long K, __global const CT *A, long a_off,
        long a_rs, long a_cs, __global const CT *B, long b_off, long b_rs, long b_cs,
        __global CT *C, long c_off, long c_rs, long c_cs, CT alpha, CT beta, int read_c)
{
    const long j0 = get_global_id(0) * VECTOR, i0 = get_global_id(1) * ROWS;
    if (i0 >= M || j0 >= N)
        return;
    if (i0 + ROWS <= M && j0 + VECTOR <= N && b_cs == 1 && c_cs == 1) {
        HV re[ROWS], im[ROWS];
        for (int r = 0; r < ROWS; r++)
            re[r] = im[r] = 0;
        __global const CT *a = A + a_off + i0 * a_rs;
        __global const R *b = (__global const R *)(B + b_off + j0);
        for (long k = 0; k < K; k++) {
            const RV bv = CAT(vload, WIDE)(0, b + 2 * k * b_rs);
            const HV b_re = bv.even, b_im = bv.odd;
            #pragma unroll
            for (int r = 0; r < ROWS; r++) {
                const CT av = a[r * a_rs + k * a_cs];
                re[r] = fma((HV)(av.x), b_re, re[r]);
                re[r] = fma((HV)(-av.y), b_im, re[r]);
                im[r] = fma((HV)(av.x), b_im, im[r]);
                im[r] = fma((HV)(av.y), b_re, im[r]);
            }
        }
        __global R *c = (__global R *)(C + c_off + i0 * c_rs + j0);
        #pragma unroll
        for (int r = 0; r < ROWS; r++) {
            HV out_re = alpha.x * re[r] - alpha.y * im[r];
            HV out_im = alpha.x * im[r] + alpha.y * re[r];
            if (read_c) {
                const RV old = CAT(vload, WIDE)(0, c + 2 * r * c_rs);
                out_re += beta.x * old.even - beta.y * old.odd;
                out_im += beta.x * old.odd + beta.y * old.even;
            }
            RV result;
            result.even = out_re;
            result.odd = out_im;
            CAT(vstore, WIDE)(result, 0, c + 2 * r * c_rs);
        }
        return;
    }
    for (long i = i0; i < min(i0 + ROWS, M); i++)
        for (long j = j0; j < min(j0 + VECTOR, N); j++) {
            CT acc = 0;
            for (long k = 0; k < K; k++)
                acc += cmul(A[a_off + i * a_rs + k * a_cs], B[b_off + k * b_rs + j * b_cs]);
            __global CT *c = &C[c_off + i * c_rs + j * c_cs];
            *c = read_c ? cmul(alpha, acc) + cmul(beta, *c) : cmul(alpha, acc);
        }
}
