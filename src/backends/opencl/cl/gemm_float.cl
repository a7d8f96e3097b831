/* GEMM of float32 and float64 (pymic2_gemm): the generator defines T, ROWS and VECTOR. */
#define VT CAT(T, VECTOR)
#define CAT(a, b) CAT2(a, b)
#define CAT2(a, b) a##b
__kernel void pymic2_gemm(long M, long N, long K, __global const T *A, long a_off,
        long a_rs, long a_cs, __global const T *B, long b_off, long b_rs, long b_cs,
        __global T *C, long c_off, long c_rs, long c_cs, T alpha, T beta, int read_c)
{
    const long j0 = get_global_id(0) * VECTOR, i0 = get_global_id(1) * ROWS;
    if (i0 >= M || j0 >= N)
        return;
    if (i0 + ROWS <= M && j0 + VECTOR <= N && b_cs == 1 && c_cs == 1) {
        VT acc[ROWS];
        for (int r = 0; r < ROWS; r++)
            acc[r] = 0;
        __global const T *a = A + a_off + i0 * a_rs;
        __global const T *b = B + b_off + j0;
        for (long k = 0; k < K; k++) {
            const VT bv = CAT(vload, VECTOR)(0, b + k * b_rs);
            #pragma unroll
            for (int r = 0; r < ROWS; r++)
                acc[r] = fma((VT)(a[r * a_rs + k * a_cs]), bv, acc[r]);
        }
        __global T *c = C + c_off + i0 * c_rs + j0;
        #pragma unroll
        for (int r = 0; r < ROWS; r++) {
            VT result = alpha * acc[r];
            if (read_c)
                result += beta * CAT(vload, VECTOR)(0, c + r * c_rs);
            CAT(vstore, VECTOR)(result, 0, c + r * c_rs);
        }
        return;
    }
    for (long i = i0; i < min(i0 + ROWS, M); i++)
        for (long j = j0; j < min(j0 + VECTOR, N); j++) {
            T acc = 0;
            for (long k = 0; k < K; k++)
                acc = fma(A[a_off + i * a_rs + k * a_cs], B[b_off + k * b_rs + j * b_cs],
                        acc);
            __global T *c = &C[c_off + i * c_rs + j * c_cs];
            *c = read_c ? alpha * acc + beta * *c : alpha * acc;
        }
}
