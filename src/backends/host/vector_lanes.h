/*
 * vector_lanes.h - for vector_log.c and vector_exp.c: the parts of a vector-ABI function
 * family that are not worth a kernel of their own. The scalar function is glibc's, and the
 * 2- and 4-lane versions (SSE2 loops, AVX2 loops and the AVX-512 loops' remainders) call it
 * lane by lane. Those files do not include vector_math.h: with its simd declaration in
 * sight, gcc would make vector clones of the scalar definition under the names they define
 * by hand.
 */
#ifndef PYMIC2_HOST_VECTOR_LANES_H
#define PYMIC2_HOST_VECTOR_LANES_H

#include <immintrin.h>
#include <math.h>

#define PYMIC2__SCALAR_AND_NARROW_VERSIONS(name, scalar)                                \
    double name(double x);                                                            \
    double name(double x)                                                             \
    {                                                                                 \
        return scalar(x);                                                             \
    }                                                                                 \
    __m128d _ZGVbN2v_##name(__m128d x);                                               \
    __m128d _ZGVbN2v_##name(__m128d x)                                                \
    {                                                                                 \
        return _mm_set_pd(scalar(_mm_cvtsd_f64(_mm_unpackhi_pd(x, x))),               \
                          scalar(_mm_cvtsd_f64(x)));                                  \
    }                                                                                 \
    __attribute__((target("avx2"))) __m256d _ZGVdN4v_##name(__m256d x);               \
    __attribute__((target("avx2"))) __m256d _ZGVdN4v_##name(__m256d x)                \
    {                                                                                 \
        double lanes[4] __attribute__((aligned(32)));                                 \
        _mm256_store_pd(lanes, x);                                                    \
        for (int k = 0; k < 4; k++)                                                   \
            lanes[k] = scalar(lanes[k]);                                              \
        return _mm256_load_pd(lanes);                                                 \
    }

#endif /* PYMIC2_HOST_VECTOR_LANES_H */
