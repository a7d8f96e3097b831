/* GEMM of integers and bool (pymic2_gemm): integers wrap in ACC; bool is OR of ANDs (any
 * nonzero byte is true). The generator defines T, ACC, ACCUMULATE and COMBINE. */
__kernel void pymic2_gemm(long M, long N, long K, __global const T *A, long a_off,
        long a_rs, long a_cs, __global const T *B, long b_off, long b_rs, long b_cs,
        __global T *C, long c_off, long c_rs, long c_cs, T alpha, T beta, int read_c)
{
    const long j = get_global_id(0), i = get_global_id(1);
    if (i >= M || j >= N)
        return;
    ACC acc = 0;
    for (long k = 0; k < K; k++)
        ACCUMULATE(acc, (ACC)A[a_off + i * a_rs + k * a_cs],
                (ACC)B[b_off + k * b_rs + j * b_cs]);
    __global T *c = &C[c_off + i * c_rs + j * c_cs];
    const ACC old = read_c ? (ACC)*c : 0;
    *c = COMBINE(acc, old);
}
