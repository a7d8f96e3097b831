/*
 * loops.c - the host's inner loops, generated from the op rows and the dtype table of
 * src/ops/op_table.h: one function per (op, input dtype, output dtype) the rows accept,
 * each with a contiguous body that gcc vectorises, bodies for a broadcast (stride 0)
 * input, and a strided body. Strided elements are moved with memcpy, so any alignment and
 * any stride (negative, or not a multiple of the element size) are safe.
 */
#include "loops.h"

#include "../../ops/op_table.h"
#include "vector_math.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* One integer expression serves signed and unsigned types, so `a < 0` is constant for the
 * unsigned ones; that is intended. */
#pragma GCC diagnostic ignored "-Wtype-limits"
/* These loops are where the ops spend their time: vectorise them in -O2 builds as well
 * (gcc's -O2 only vectorises loops that need no alias or remainder checks). */
#pragma GCC optimize("tree-vectorize")

/*
 * This file is compiled once per SIMD target (meson: -march and -DPYMIC2__SIMD_TARGET=name);
 * loops_dispatch.c picks one at run time. Vector math is glibc's libmvec, except the float64
 * exp and log with AVX-512 (vector_exp.c, vector_log.c): declaring the functions `simd` lets gcc's vectoriser call
 * their 2/4/8-lane versions (SSE2, AVX2, AVX-512) in the contiguous loops; with
 * -fno-math-errno the calls have no side effects.
 */
#ifndef PYMIC2__SIMD_TARGET
#error "compile loops.c through meson, which defines PYMIC2__SIMD_TARGET"
#endif
#if defined(__x86_64__) && defined(__GLIBC__)
#define PYMIC2__VECTOR_MATH __attribute__((simd("notinbranch")))
/* float64 exp and log: ours with AVX-512 (vector_exp.c, vector_log.c: 1.3-1.6x libmvec's
 * speed there), libmvec's elsewhere (faster with AVX2 than a table kernel of ours) */
PYMIC2__VECTOR_MATH double exp(double); /* logaddexp's, below */
#if !(defined(__AVX512F__) && defined(__AVX512DQ__))
PYMIC2__VECTOR_MATH double log(double);
#endif
PYMIC2__VECTOR_MATH float expf(float);
PYMIC2__VECTOR_MATH double expm1(double);
PYMIC2__VECTOR_MATH float expm1f(float);
PYMIC2__VECTOR_MATH float logf(float);
PYMIC2__VECTOR_MATH double log1p(double);
PYMIC2__VECTOR_MATH float log1pf(float);
PYMIC2__VECTOR_MATH double tanh(double);
PYMIC2__VECTOR_MATH float tanhf(float);
/* NumPy's math ufuncs: every function libmvec (glibc 2.35+) has a vector version of */
#define PYMIC2__VECTOR_MATH_1(name)               \
    PYMIC2__VECTOR_MATH double name(double);     \
    PYMIC2__VECTOR_MATH float name##f(float);
#define PYMIC2__VECTOR_MATH_2(name)                      \
    PYMIC2__VECTOR_MATH double name(double, double);    \
    PYMIC2__VECTOR_MATH float name##f(float, float);
PYMIC2__VECTOR_MATH_1(sin)
PYMIC2__VECTOR_MATH_1(cos)
PYMIC2__VECTOR_MATH_1(tan)
PYMIC2__VECTOR_MATH_1(asin)
PYMIC2__VECTOR_MATH_1(acos)
PYMIC2__VECTOR_MATH_1(atan)
PYMIC2__VECTOR_MATH_2(atan2)
PYMIC2__VECTOR_MATH_2(hypot)
PYMIC2__VECTOR_MATH_1(sinh)
PYMIC2__VECTOR_MATH_1(cosh)
PYMIC2__VECTOR_MATH_1(asinh)
PYMIC2__VECTOR_MATH_1(acosh)
PYMIC2__VECTOR_MATH_1(atanh)
PYMIC2__VECTOR_MATH_1(exp2)
PYMIC2__VECTOR_MATH_1(log2)
PYMIC2__VECTOR_MATH_1(log10)
PYMIC2__VECTOR_MATH_1(cbrt)
#undef PYMIC2__VECTOR_MATH_1
#undef PYMIC2__VECTOR_MATH_2
#endif

/* The rows' type-generic math for C (see op_table.h). */
#define pymic2__fabs(x) _Generic((x), float: fabsf, default: fabs)(x)
#define pymic2__pow(x, y) _Generic((x), float: powf, default: pow)(x, y)
#define pymic2__sqrt(x) _Generic((x), float: sqrtf, default: sqrt)(x)
#define pymic2__expm1(x) _Generic((x), float: expm1f, default: expm1)(x)
#if defined(__AVX512F__) && defined(__AVX512DQ__)
#define pymic2__exp(x) _Generic((x), float: expf, default: pymic2__exp_f64)(x)
#define pymic2__log(x) _Generic((x), float: logf, default: pymic2__log_f64)(x)
#else
#define pymic2__exp(x) _Generic((x), float: expf, default: exp)(x)
#define pymic2__log(x) _Generic((x), float: logf, default: log)(x)
#endif
#define pymic2__log1p(x) _Generic((x), float: log1pf, default: log1p)(x)
#define pymic2__tanh(x) _Generic((x), float: tanhf, default: tanh)(x)
/* C's function `name` for double, `name`f for float (and T's narrower floats, through double) */
#define PYMIC2__MATH_1(name, x) _Generic((x), float: name##f, default: name)(x)
#define PYMIC2__MATH_2(name, x, y) _Generic((x), float: name##f, default: name)(x, y)
#define pymic2__sin(x) PYMIC2__MATH_1(sin, x)
#define pymic2__cos(x) PYMIC2__MATH_1(cos, x)
#define pymic2__tan(x) PYMIC2__MATH_1(tan, x)
#define pymic2__asin(x) PYMIC2__MATH_1(asin, x)
#define pymic2__acos(x) PYMIC2__MATH_1(acos, x)
#define pymic2__atan(x) PYMIC2__MATH_1(atan, x)
#define pymic2__atan2(x, y) PYMIC2__MATH_2(atan2, x, y)
#define pymic2__hypot(x, y) PYMIC2__MATH_2(hypot, x, y)
#define pymic2__sinh(x) PYMIC2__MATH_1(sinh, x)
#define pymic2__cosh(x) PYMIC2__MATH_1(cosh, x)
#define pymic2__asinh(x) PYMIC2__MATH_1(asinh, x)
#define pymic2__acosh(x) PYMIC2__MATH_1(acosh, x)
#define pymic2__atanh(x) PYMIC2__MATH_1(atanh, x)
#define pymic2__exp2(x) PYMIC2__MATH_1(exp2, x)
#define pymic2__log2(x) PYMIC2__MATH_1(log2, x)
#define pymic2__log10(x) PYMIC2__MATH_1(log10, x)
#define pymic2__cbrt(x) PYMIC2__MATH_1(cbrt, x)
#define pymic2__rint(x) PYMIC2__MATH_1(rint, x)
#define pymic2__ldexp(x, n) \
    _Generic((x), float: ldexpf, default: ldexp)(x, (int)fmax(fmin(n, 1e5), -1e5))
#define pymic2__fmod(x, y) PYMIC2__MATH_2(fmod, x, y)
#define pymic2__popcount(x) __builtin_popcountll(x)

/*
 * NumPy's npy_logaddexp, npy_logaddexp2 and npy_spacing, as selects rather than branches so
 * that the loops vectorise (exp, exp2 and log1p are vector calls):
 *   logaddexp(a, b) = max(a, b) + log1p(t), t = exp(-|a - b|); a == b gives a + ln 2 (equal
 *     infinities without NaN), NaN stays NaN; logaddexp2 likewise in base 2 (a + 1 for
 *     a == b). Beyond NumPy, the rounding error e of a - b (Knuth's two-sum) is put back:
 *     it scales t by exp(-+e), which moves log1p(t) by -+e t / (1 + t); without it a tiny
 *     max(a, b) next to a large |a - b| was up to 6 ulp off (NumPy's too). exp is libm's
 *     (libmvec's), not our AVX-512 one: gcc 12 sinks the call under the a == b select, and
 *     if-converts such calls only for its built-in functions (ours left the loop scalar).
 *   nextafter(a, b) as C's, by one step of a's bits (selects again: C's is a call per
 *     element, slower than NumPy's single thread even on two); spacing(a) = the distance to
 *     the next value away from zero (+0.0 and -0.0 upwards); NaN for +-inf.
 *   floor from rint (which gcc vectorises; C's floor it leaves scalar under
 *     -ftrapping-math): rint(a), one lower where it rounded up; ceil(a) = -floor(-a),
 *     trunc(a) = floor(|a|) with a's sign; signbit from the bits.
 */
#define PYMIC2__FLOAT_HELPERS(T, U, suffix, tiniest)                                           \
    static inline T pymic2__nextafter_##suffix(T a, T b)                                     \
    {                                                                                        \
        U bits;                                                                              \
        memcpy(&bits, &a, sizeof bits);                                                      \
        bits = (b > a) == (a > 0) ? bits + 1 : bits - 1; /* away from zero, or towards */   \
        T next;                                                                              \
        memcpy(&next, &bits, sizeof next);                                                   \
        return a != a || b != b ? a + b                                                      \
               : a == b         ? b                                                          \
               : a == 0         ? PYMIC2__MATH_2(copysign, tiniest, b)                       \
                                : next;                                                      \
    }                                                                                        \
    static inline T pymic2__difference_error_##suffix(T a, T b, T difference)                \
    {                                                                                        \
        const T shifted = difference - a;                                                    \
        const T error = (a - (difference - shifted)) - (b + shifted);                        \
        /* +-inf or NaN: nothing to correct (and inf - inf would make NaN) */                \
        return difference - difference == 0 ? (difference > 0 ? -error : error) : 0;        \
    }                                                                                        \
    static inline T pymic2__logaddexp_##suffix(T a, T b)                                     \
    {                                                                                        \
        const T difference = a - b;                                                          \
        const T t = PYMIC2__MATH_1(exp, -pymic2__fabs(difference));                          \
        const T sum = (difference > 0 ? a : b) +                                             \
                      (pymic2__log1p(t) +                                                    \
                       pymic2__difference_error_##suffix(a, b, difference) * t / (1 + t));   \
        return a == b ? a + (T)0.693147180559945309417232121458176568                       \
                      : difference != difference ? difference : sum;                         \
    }                                                                                        \
    static inline T pymic2__logaddexp2_##suffix(T a, T b)                                    \
    {                                                                                        \
        const T difference = a - b;                                                          \
        const T t = pymic2__exp2(-pymic2__fabs(difference));                                 \
        const T sum = (difference > 0 ? a : b) +                                             \
                      ((T)1.442695040888963407359924681001892137 * pymic2__log1p(t) +        \
                       pymic2__difference_error_##suffix(a, b, difference) * t / (1 + t));   \
        return a == b ? a + 1 : difference != difference ? difference : sum;                 \
    }                                                                                        \
    static inline T pymic2__spacing_##suffix(T a)                                            \
    {                                                                                        \
        U bits;                                                                              \
        memcpy(&bits, &a, sizeof bits);                                                      \
        bits += 1; /* one step away from zero, whatever the sign */                          \
        T next;                                                                              \
        memcpy(&next, &bits, sizeof next);                                                   \
        return a == 0 ? tiniest : a - a == 0 ? next - a : (T)NAN;                            \
    }                                                                                        \
    static inline T pymic2__floor_##suffix(T a)                                              \
    {                                                                                        \
        const T nearest = PYMIC2__MATH_1(rint, a);                                           \
        return nearest > a ? nearest - 1 : nearest;                                          \
    }                                                                                        \
    static inline T pymic2__ceil_##suffix(T a)                                               \
    {                                                                                        \
        return -pymic2__floor_##suffix(-a); /* -0.0 for (-1, 0), which rint + 1 is not */     \
    }                                                                                        \
    static inline T pymic2__trunc_##suffix(T a)                                              \
    {                                                                                        \
        return PYMIC2__MATH_2(copysign, pymic2__floor_##suffix(pymic2__fabs(a)), a);         \
    }                                                                                        \
    static inline int pymic2__signbit_##suffix(T a)                                          \
    {                                                                                        \
        U bits;                                                                              \
        memcpy(&bits, &a, sizeof bits);                                                      \
        return (int)(bits >> (sizeof bits * 8 - 1));                                         \
    }
PYMIC2__FLOAT_HELPERS(float, uint32_t, f32, 0x1p-149f)
PYMIC2__FLOAT_HELPERS(double, uint64_t, f64, 0x1p-1074)
#undef PYMIC2__FLOAT_HELPERS
#define pymic2__nextafter(x, y) \
    _Generic((x), float: pymic2__nextafter_f32, default: pymic2__nextafter_f64)(x, y)
#define pymic2__floor(x) _Generic((x), float: pymic2__floor_f32, default: pymic2__floor_f64)(x)
#define pymic2__ceil(x) _Generic((x), float: pymic2__ceil_f32, default: pymic2__ceil_f64)(x)
#define pymic2__trunc(x) _Generic((x), float: pymic2__trunc_f32, default: pymic2__trunc_f64)(x)
#define pymic2__signbit(x) \
    _Generic((x), float: pymic2__signbit_f32, default: pymic2__signbit_f64)(x)
#define pymic2__logaddexp(x, y) \
    _Generic((x), float: pymic2__logaddexp_f32, default: pymic2__logaddexp_f64)(x, y)
#define pymic2__logaddexp2(x, y) \
    _Generic((x), float: pymic2__logaddexp2_f32, default: pymic2__logaddexp2_f64)(x, y)
#define pymic2__spacing(x) \
    _Generic((x), float: pymic2__spacing_f32, default: pymic2__spacing_f64)(x)

#define PYMIC2__ALIGNED(pointer, type) ((uintptr_t)(pointer) % _Alignof(type) == 0)
/* An element stored as S at pointer, as the compute type T (float16: exactly, in float). */
#define PYMIC2__LOAD(S, T, name, pointer)                                                     \
    S name##_stored;                                                                          \
    memcpy(&name##_stored, (pointer), sizeof name##_stored);                                  \
    const T name = (T)name##_stored

/*
 * Storage types that compute in a wider type (float16 in float): gcc converts _Float16 one
 * element at a time and then vectorises nothing of the loop (exp of float16 ran 8x slower
 * than in blocks). So contiguous loops with such an input or output run in blocks: inputs
 * widened with F16C/AVX-512's conversions into arrays of the compute type, the row's
 * expression vectorised over them, the results narrowed the same way (round to nearest even,
 * as C's conversion).
 */
#define PYMIC2__BLOCK 256
#define PYMIC2__IS_HALF(type) _Generic((type)0, _Float16: 1, default: 0)

static inline void pymic2__widen_half(void *out, const void *in, int64_t n)
{
    float *y = out;
    const _Float16 *x = in;
    int64_t j = 0;
#if defined(__AVX512F__)
    for (; j + 16 <= n; j += 16)
        _mm512_storeu_ps(y + j, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(x + j))));
#elif defined(__F16C__)
    for (; j + 8 <= n; j += 8)
        _mm256_storeu_ps(y + j, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + j))));
#endif
    for (; j < n; j++)
        y[j] = x[j];
}

static inline void pymic2__narrow_half(void *out, const void *in, int64_t n)
{
    _Float16 *y = out;
    const float *x = in;
    int64_t j = 0;
#if defined(__AVX512F__)
    for (; j + 16 <= n; j += 16)
        _mm256_storeu_si256((__m256i *)(y + j),
                            _mm512_cvtps_ph(_mm512_loadu_ps(x + j), _MM_FROUND_TO_NEAREST_INT));
#elif defined(__F16C__)
    for (; j + 8 <= n; j += 8)
        _mm_storeu_si128((__m128i *)(y + j),
                         _mm256_cvtps_ph(_mm256_loadu_ps(x + j), _MM_FROUND_TO_NEAREST_INT));
#endif
    for (; j < n; j++)
        y[j] = (_Float16)x[j];
}

/* out[j] = in[j] as T for j < m (in: S elements) */
#define PYMIC2__WIDEN(S, T, out, in, m)                                                       \
    do {                                                                                      \
        if (PYMIC2__IS_HALF(S))                                                               \
            pymic2__widen_half((out), (in), (m));                                             \
        else                                                                                  \
            for (int64_t j_ = 0; j_ < (m); j_++)                                              \
                (out)[j_] = (T)(in)[j_];                                                      \
    } while (0)
/* out[j] = in[j] as TO for j < m (in: TOC values) */
#define PYMIC2__NARROW(TO, out, in, m)                                                        \
    do {                                                                                      \
        if (PYMIC2__IS_HALF(TO))                                                              \
            pymic2__narrow_half((out), (in), (m));                                            \
        else                                                                                  \
            for (int64_t j_ = 0; j_ < (m); j_++)                                              \
                (out)[j_] = (TO)(in)[j_];                                                     \
    } while (0)
/* Whether a loop from (storage TI, compute TC) to (storage TO, compute TOC) runs its
 * contiguous case in blocks: an input or the output differs from its compute type, and a
 * narrowed output gets a TC value through TOC with one rounding (not from double or
 * complex: float64 -> float16 rounds once, directly; integers reach float16 through float
 * exactly or past its range). A constant: the other loops compile as before. */
#define PYMIC2__BLOCKED(TI, TC, TO, TOC)                                                      \
    ((sizeof(TI) != sizeof(TC) || sizeof(TO) != sizeof(TOC)) &&                               \
     (sizeof(TO) == sizeof(TOC) || sizeof(TC) <= sizeof(TOC) || (TC)0.5 == 0))
/* block[j] for j < m: the input's elements i0 + j, or (step 0) its one element, which
 * fills the block once */
#define PYMIC2__BLOCK_FILL(S, T, block, in, step, i0, m)                                      \
    do {                                                                                      \
        if ((step) != 0) {                                                                    \
            PYMIC2__WIDEN(S, T, block, (const S *)(in) + (i0), m);                            \
        } else if ((i0) == 0) {                                                               \
            PYMIC2__LOAD(S, T, value_, in);                                                   \
            for (int j_ = 0; j_ < PYMIC2__BLOCK; j_++)                                        \
                (block)[j_] = value_;                                                         \
        }                                                                                     \
    } while (0)
/* The blocked loop: the body (the arguments after TOC: a statement filling the input
 * blocks and computing results[j] for j < m) runs per block of PYMIC2__BLOCK elements */
#define PYMIC2__BLOCKS(TO, TOC, ...)                                                          \
    do {                                                                                      \
        TOC results[PYMIC2__BLOCK];                                                           \
        for (int64_t i0 = 0; i0 < n; i0 += PYMIC2__BLOCK) {                                   \
            const int64_t m = n - i0 < PYMIC2__BLOCK ? n - i0 : PYMIC2__BLOCK;                \
            __VA_ARGS__;                                                                      \
            PYMIC2__NARROW(TO, (TO *)out + i0, results, m);                                   \
        }                                                                                     \
    } while (0)

/* The declarations every loop body shares; T and W are what the row expressions use: T is
 * the input's compute type (TC), TI the type it is stored as. */
#define PYMIC2__LOOP_PROLOGUE(TC, WRAP)                \
    typedef TC T __attribute__((unused));              \
    typedef WRAP W __attribute__((unused));            \
    int invalid = 0

#define PYMIC2__LOOP_EPILOGUE(data)                                                          \
    do {                                                                                     \
        if (invalid)                                                                         \
            atomic_store_explicit(&((pymic2__loop_state *)(data))->invalid, 1,               \
                                  memory_order_relaxed);                                     \
    } while (0)

/* A leaf's arguments: op and dtypes (for the table of loops), the function's name, the
 * input's storage and compute types, the output's, the wrap type, the conversion into the
 * output and the row's expression. */
#define PYMIC2__DEFINE_1(NAME, DT, OUT, fname, TI, TC, TO, TOC, WRAP, CONVERT, expr)           \
    static void fname(char **args, int64_t n, const int64_t *steps, void *data)                 \
    {                                                                                           \
        PYMIC2__LOOP_PROLOGUE(TC, WRAP);                                                        \
        char *in = args[0], *out = args[1];                                                     \
        const int out_contiguous = steps[1] == sizeof(TO) && PYMIC2__ALIGNED(out, TO);          \
        const int in_contiguous = steps[0] == sizeof(TI) && PYMIC2__ALIGNED(in, TI);            \
        if (PYMIC2__BLOCKED(TI, TC, TO, TOC) && out_contiguous && in_contiguous) {              \
            T a_block[PYMIC2__BLOCK];                                                           \
            PYMIC2__BLOCKS(TO, TOC, {                                                           \
                PYMIC2__BLOCK_FILL(TI, T, a_block, in, steps[0], i0, m);                        \
                for (int64_t j = 0; j < m; j++) {                                               \
                    const T a = a_block[j];                                                     \
                    results[j] = CONVERT(TOC, expr);                                            \
                }                                                                               \
            });                                                                                 \
        } else if (out_contiguous && in_contiguous) {                                           \
            const TI *x = (const TI *)in;                                                       \
            TO *y = (TO *)out;                                                                  \
            for (int64_t i = 0; i < n; i++) {                                                   \
                const T a = x[i];                                                               \
                y[i] = CONVERT(TO, expr);                                                       \
            }                                                                                   \
        } else if (steps[0] == 0 && out_contiguous) {                                           \
            PYMIC2__LOAD(TI, T, a, in);                                                         \
            const TO value = CONVERT(TO, expr);                                                 \
            TO *y = (TO *)out;                                                                  \
            for (int64_t i = 0; i < n; i++)                                                     \
                y[i] = value;                                                                   \
        } else {                                                                                \
            for (int64_t i = 0; i < n; i++) {                                                   \
                PYMIC2__LOAD(TI, T, a, in + i * steps[0]);                                      \
                const TO result = CONVERT(TO, expr);                                            \
                memcpy(out + i * steps[1], &result, sizeof result);                             \
            }                                                                                   \
        }                                                                                       \
        PYMIC2__LOOP_EPILOGUE(data);                                                            \
    }

#define PYMIC2__DEFINE_2(NAME, DT, OUT, fname, TI, TC, TO, TOC, WRAP, CONVERT, expr)           \
    static void fname(char **args, int64_t n, const int64_t *steps, void *data)                 \
    {                                                                                           \
        PYMIC2__LOOP_PROLOGUE(TC, WRAP);                                                        \
        char *in0 = args[0], *in1 = args[1], *out = args[2];                                    \
        const int out_contiguous = steps[2] == sizeof(TO) && PYMIC2__ALIGNED(out, TO);          \
        const int in0_contiguous = steps[0] == sizeof(TI) && PYMIC2__ALIGNED(in0, TI);          \
        const int in1_contiguous = steps[1] == sizeof(TI) && PYMIC2__ALIGNED(in1, TI);          \
        TO *y = (TO *)out;                                                                      \
        if (PYMIC2__BLOCKED(TI, TC, TO, TOC) && out_contiguous &&                               \
            (in0_contiguous || steps[0] == 0) && (in1_contiguous || steps[1] == 0)) {           \
            T a_block[PYMIC2__BLOCK], b_block[PYMIC2__BLOCK];                                   \
            PYMIC2__BLOCKS(TO, TOC, {                                                           \
                PYMIC2__BLOCK_FILL(TI, T, a_block, in0, steps[0], i0, m);                       \
                PYMIC2__BLOCK_FILL(TI, T, b_block, in1, steps[1], i0, m);                       \
                for (int64_t j = 0; j < m; j++) {                                               \
                    const T a = a_block[j], b = b_block[j];                                     \
                    results[j] = CONVERT(TOC, expr);                                            \
                }                                                                               \
            });                                                                                 \
        } else if (out_contiguous && in0_contiguous && in1_contiguous) {                        \
            const TI *x0 = (const TI *)in0, *x1 = (const TI *)in1;                              \
            for (int64_t i = 0; i < n; i++) {                                                   \
                const T a = x0[i], b = x1[i];                                                   \
                y[i] = CONVERT(TO, expr);                                                       \
            }                                                                                   \
        } else if (out_contiguous && steps[0] == 0 && in1_contiguous) {                         \
            PYMIC2__LOAD(TI, T, a, in0);                                                        \
            const TI *x1 = (const TI *)in1;                                                     \
            for (int64_t i = 0; i < n; i++) {                                                   \
                const T b = x1[i];                                                              \
                y[i] = CONVERT(TO, expr);                                                       \
            }                                                                                   \
        } else if (out_contiguous && in0_contiguous && steps[1] == 0) {                         \
            PYMIC2__LOAD(TI, T, b, in1);                                                        \
            const TI *x0 = (const TI *)in0;                                                     \
            for (int64_t i = 0; i < n; i++) {                                                   \
                const T a = x0[i];                                                              \
                y[i] = CONVERT(TO, expr);                                                       \
            }                                                                                   \
        } else {                                                                                \
            for (int64_t i = 0; i < n; i++) {                                                   \
                PYMIC2__LOAD(TI, T, a, in0 + i * steps[0]);                                     \
                PYMIC2__LOAD(TI, T, b, in1 + i * steps[1]);                                     \
                const TO result = CONVERT(TO, expr);                                            \
                memcpy(out + i * steps[2], &result, sizeof result);                             \
            }                                                                                   \
        }                                                                                       \
        PYMIC2__LOOP_EPILOGUE(data);                                                            \
    }

/* Three inputs a, b, c; TA and TAC are a's storage and compute types (where's condition:
 * bool; clip: TI and TC, as b's and c's). */
#define PYMIC2__DEFINE_TERNARY(NAME, DT, OUT, fname, TI, TC, TO, TOC, WRAP, CONVERT, expr, TA,  \
                               TAC)                                                             \
    static void fname(char **args, int64_t n, const int64_t *steps, void *data)                 \
    {                                                                                           \
        PYMIC2__LOOP_PROLOGUE(TC, WRAP);                                                        \
        char *in0 = args[0], *in1 = args[1], *in2 = args[2], *out = args[3];                    \
        const int out_contiguous = steps[3] == sizeof(TO) && PYMIC2__ALIGNED(out, TO);          \
        const int in0_contiguous = steps[0] == sizeof(TA) && PYMIC2__ALIGNED(in0, TA);          \
        const int in1_contiguous = steps[1] == sizeof(TI) && PYMIC2__ALIGNED(in1, TI);          \
        const int in2_contiguous = steps[2] == sizeof(TI) && PYMIC2__ALIGNED(in2, TI);          \
        TO *y = (TO *)out;                                                                      \
        if (PYMIC2__BLOCKED(TI, TC, TO, TOC) && out_contiguous &&                               \
            (in0_contiguous || steps[0] == 0) && (in1_contiguous || steps[1] == 0) &&           \
            (in2_contiguous || steps[2] == 0)) {                                                \
            TAC a_block[PYMIC2__BLOCK];                                                         \
            T b_block[PYMIC2__BLOCK], c_block[PYMIC2__BLOCK];                                   \
            PYMIC2__BLOCKS(TO, TOC, {                                                           \
                PYMIC2__BLOCK_FILL(TA, TAC, a_block, in0, steps[0], i0, m);                     \
                PYMIC2__BLOCK_FILL(TI, T, b_block, in1, steps[1], i0, m);                       \
                PYMIC2__BLOCK_FILL(TI, T, c_block, in2, steps[2], i0, m);                       \
                for (int64_t j = 0; j < m; j++) {                                               \
                    const TAC a = a_block[j];                                                   \
                    const T b = b_block[j], c = c_block[j];                                     \
                    results[j] = CONVERT(TOC, expr);                                            \
                }                                                                               \
            });                                                                                 \
        } else if (out_contiguous && in0_contiguous && in1_contiguous && in2_contiguous) {      \
            const TA *x0 = (const TA *)in0;                                                     \
            const TI *x1 = (const TI *)in1, *x2 = (const TI *)in2;                              \
            for (int64_t i = 0; i < n; i++) {                                                   \
                const TAC a = x0[i];                                                            \
                const T b = x1[i], c = x2[i];                                                   \
                y[i] = CONVERT(TO, expr);                                                       \
            }                                                                                   \
        } else if (out_contiguous && in0_contiguous && steps[1] == 0 && steps[2] == 0) {        \
            const TA *x0 = (const TA *)in0;                                                     \
            PYMIC2__LOAD(TI, T, b, in1);                                                        \
            PYMIC2__LOAD(TI, T, c, in2);                                                        \
            for (int64_t i = 0; i < n; i++) {                                                   \
                const TAC a = x0[i];                                                            \
                y[i] = CONVERT(TO, expr);                                                       \
            }                                                                                   \
        } else {                                                                                \
            for (int64_t i = 0; i < n; i++) {                                                   \
                PYMIC2__LOAD(TA, TAC, a, in0 + i * steps[0]);                                   \
                PYMIC2__LOAD(TI, T, b, in1 + i * steps[1]);                                     \
                PYMIC2__LOAD(TI, T, c, in2 + i * steps[2]);                                     \
                const TO result = CONVERT(TO, expr);                                            \
                memcpy(out + i * steps[3], &result, sizeof result);                             \
            }                                                                                   \
        }                                                                                       \
        PYMIC2__LOOP_EPILOGUE(data);                                                            \
    }
#define PYMIC2__DEFINE_3(NAME, DT, OUT, fname, TI, TC, TO, TOC, WRAP, CONVERT, expr) \
    PYMIC2__DEFINE_TERNARY(NAME, DT, OUT, fname, TI, TC, TO, TOC, WRAP, CONVERT, expr, TI, TC)
#define PYMIC2__DEFINE_SELECT(NAME, DT, OUT, fname, TI, TC, TO, TOC, WRAP, CONVERT, expr)      \
    PYMIC2__DEFINE_TERNARY(NAME, DT, OUT, fname, TI, TC, TO, TOC, WRAP, CONVERT, expr, uint8_t, \
                           uint8_t)

/* arange: a = start, b = step (scalars), out; args[3] points to the int64_t index of the
 * first element (host_ops.c passes it, as the loop cannot know where its piece starts). */
#define PYMIC2__DEFINE_IOTA(NAME, DT, OUT, fname, TI, TC, TO, TOC, WRAP, CONVERT, expr)        \
    static void fname(char **args, int64_t n, const int64_t *steps, void *data)                 \
    {                                                                                           \
        PYMIC2__LOOP_PROLOGUE(TC, WRAP);                                                        \
        PYMIC2__LOAD(TI, T, a, args[0]);                                                        \
        PYMIC2__LOAD(TI, T, b, args[1]);                                                        \
        PYMIC2__LOAD(int64_t, int64_t, first, args[3]);                                         \
        char *out = args[2];                                                                    \
        if (steps[2] == sizeof(TO) && PYMIC2__ALIGNED(out, TO)) {                               \
            TO *y = (TO *)out;                                                                  \
            for (int64_t i = 0; i < n; i++) {                                                   \
                const int64_t index = first + i;                                                \
                y[i] = CONVERT(TO, expr);                                                       \
            }                                                                                   \
        } else {                                                                                \
            for (int64_t i = 0; i < n; i++) {                                                   \
                const int64_t index = first + i;                                                \
                const TO result = CONVERT(TO, expr);                                            \
                memcpy(out + i * steps[2], &result, sizeof result);                             \
            }                                                                                   \
        }                                                                                       \
        PYMIC2__LOOP_EPILOGUE(data);                                                            \
    }

#define PYMIC2__ENTRY_1(NAME, DT, OUT, fname, ...) \
    [PYMIC2_OP_##NAME][PYMIC2_##DT][PYMIC2_##OUT] = fname,
#define PYMIC2__ENTRY_2 PYMIC2__ENTRY_1
#define PYMIC2__ENTRY_3 PYMIC2__ENTRY_1
#define PYMIC2__ENTRY_SELECT PYMIC2__ENTRY_1
#define PYMIC2__ENTRY_IOTA PYMIC2__ENTRY_1

/*
 * The generator: for each op of PYMIC2_OP_TABLE, its row; for each input dtype, the row's
 * column for the dtype's class; if accepted, the loop(s) for the output rule. MODE is
 * DEFINE (emit the functions) or ENTRY (emit the table's initialisers).
 */
#define PYMIC2__GEN_LEAF(MODE, n, ...) PYMIC2__##MODE##_##n(__VA_ARGS__)
#define PYMIC2__GEN_OP(MODE, NAME, lname, n) \
    PYMIC2__CALL(PYMIC2__GEN_ROW, MODE, NAME, lname, n, PYMIC2__OP_ROW_##NAME)
#define PYMIC2__GEN_DEFINE(NAME, lname, n) PYMIC2__GEN_OP(DEFINE, NAME, lname, n)
#define PYMIC2__GEN_ENTRY(NAME, lname, n) PYMIC2__GEN_OP(ENTRY, NAME, lname, n)
#define PYMIC2__GEN_ROW(MODE, NAME, lname, n, RULE, ...) \
    PYMIC2_DTYPE_TABLE(PYMIC2__GEN_INPUT, (MODE, NAME, lname, n, RULE, __VA_ARGS__))

/* A macro is not expanded inside its own expansion, so each level has its own CALL. */
#define PYMIC2__GEN_CALL_2(macro, ...) macro(__VA_ARGS__)
#define PYMIC2__GEN_CALL_3(macro, ...) macro(__VA_ARGS__)
#define PYMIC2__GEN_INPUT(row, DT, dname, ctype, CLASS, wrap, REAL, real_ctype, member, lowest, \
                          highest, opencl, dlpack, compute)                                     \
    PYMIC2__GEN_CALL_2(PYMIC2__GEN_ACCEPTED, PYMIC2__GEN_PICK_##CLASS row, DT, dname, ctype,     \
                       CLASS, wrap, REAL, real_ctype, compute)
#define PYMIC2__GEN_PICK_BOOL(MODE, NAME, lname, n, RULE, bo, be, io, ie, fo, fe, co, ce) \
    MODE, NAME, lname, n, RULE, bo, be
#define PYMIC2__GEN_PICK_INT(MODE, NAME, lname, n, RULE, bo, be, io, ie, fo, fe, co, ce) \
    MODE, NAME, lname, n, RULE, io, ie
#define PYMIC2__GEN_PICK_FLOAT(MODE, NAME, lname, n, RULE, bo, be, io, ie, fo, fe, co, ce) \
    MODE, NAME, lname, n, RULE, fo, fe
#define PYMIC2__GEN_PICK_COMPLEX(MODE, NAME, lname, n, RULE, bo, be, io, ie, fo, fe, co, ce) \
    MODE, NAME, lname, n, RULE, co, ce

#define PYMIC2__GEN_ACCEPTED(MODE, NAME, lname, n, RULE, accepted, expr, ...) \
    PYMIC2__GEN_IF_##accepted(MODE, NAME, lname, n, RULE, expr, __VA_ARGS__)
#define PYMIC2__GEN_IF_0(...)
#define PYMIC2__GEN_IF_1(MODE, NAME, lname, n, RULE, ...) \
    PYMIC2__GEN_RULE_##RULE(MODE, NAME, lname, n, __VA_ARGS__)

#define PYMIC2__GEN_RULE_SAME(MODE, NAME, lname, n, expr, DT, dname, ctype, CLASS, wrap, REAL, \
                              real_ctype, compute)                                             \
    PYMIC2__GEN_LEAF(MODE, n, NAME, DT, DT, pymic2__loop_##lname##_##dname, ctype, compute,     \
                     ctype, compute, wrap, PYMIC2__CONVERT_C, expr)
#define PYMIC2__GEN_RULE_BOOL(MODE, NAME, lname, n, expr, DT, dname, ctype, CLASS, wrap, REAL, \
                              real_ctype, compute)                                             \
    PYMIC2__GEN_LEAF(MODE, n, NAME, DT, BOOL, pymic2__loop_##lname##_##dname, ctype, compute,   \
                     uint8_t, uint8_t, wrap, PYMIC2__CONVERT_TO_BOOL, expr)
#define PYMIC2__GEN_RULE_UINT8(MODE, NAME, lname, n, expr, DT, dname, ctype, CLASS, wrap,      \
                               REAL, real_ctype, compute)                                     \
    PYMIC2__GEN_LEAF(MODE, n, NAME, DT, UINT8, pymic2__loop_##lname##_##dname, ctype, compute,  \
                     uint8_t, uint8_t, wrap, PYMIC2__CONVERT_C, expr)
#define PYMIC2__GEN_RULE_SELECT(MODE, NAME, lname, n, expr, DT, dname, ctype, CLASS, wrap,      \
                                REAL, real_ctype, compute)                                     \
    PYMIC2__GEN_LEAF(MODE, SELECT, NAME, DT, DT, pymic2__loop_##lname##_##dname, ctype,         \
                     compute, ctype, compute, wrap, PYMIC2__CONVERT_C, expr)
#define PYMIC2__GEN_RULE_IOTA(MODE, NAME, lname, n, expr, DT, dname, ctype, CLASS, wrap, REAL, \
                              real_ctype, compute)                                             \
    PYMIC2__GEN_LEAF(MODE, IOTA, NAME, DT, DT, pymic2__loop_##lname##_##dname, ctype, compute,  \
                     ctype, compute, wrap, PYMIC2__CONVERT_C, expr)
/* The real counterpart's compute type: a real dtype is its own counterpart; a complex one's
 * real part computes in its real type. */
#define PYMIC2__REAL_COMPUTE_BOOL(compute, real_ctype) compute
#define PYMIC2__REAL_COMPUTE_INT(compute, real_ctype) compute
#define PYMIC2__REAL_COMPUTE_FLOAT(compute, real_ctype) compute
#define PYMIC2__REAL_COMPUTE_COMPLEX(compute, real_ctype) real_ctype
#define PYMIC2__GEN_RULE_REAL(MODE, NAME, lname, n, expr, DT, dname, ctype, CLASS, wrap, REAL, \
                              real_ctype, compute)                                             \
    PYMIC2__GEN_LEAF(MODE, n, NAME, DT, REAL, pymic2__loop_##lname##_##dname, ctype, compute,   \
                     real_ctype, PYMIC2__REAL_COMPUTE_##CLASS(compute, real_ctype), wrap,      \
                     PYMIC2__CONVERT_C, expr)

/* ANY: a loop per output dtype, i.e. the dtype table inside its own expansion. The
 * preprocessor does not expand a macro within itself either, so the inner walk is deferred
 * (named through GEN_TABLE_LATER, after an empty expansion) until the one extra scan of
 * PYMIC2__EXPAND around the whole generation. */
#define PYMIC2__EMPTY()
#define PYMIC2__DEFER(macro) macro PYMIC2__EMPTY()
#define PYMIC2__EXPAND(...) __VA_ARGS__
#define PYMIC2__UNPAREN(...) __VA_ARGS__
#define PYMIC2__GEN_TABLE_LATER() PYMIC2_DTYPE_TABLE
#define PYMIC2__GEN_RULE_ANY(MODE, NAME, lname, n, expr, DT, dname, ctype, CLASS, wrap, REAL, \
                             real_ctype, compute)                                             \
    PYMIC2__DEFER(PYMIC2__GEN_TABLE_LATER)()(PYMIC2__GEN_OUTPUT,                              \
                                             (MODE, NAME, lname, n, expr, DT, dname, ctype,   \
                                              CLASS, wrap, compute))
#define PYMIC2__GEN_OUTPUT(from, DT2, dname2, ctype2, CLASS2, wrap2, REAL2, real_ctype2,       \
                           member2, lowest2, highest2, opencl2, dlpack2, compute2)             \
    PYMIC2__GEN_CALL_3(PYMIC2__GEN_CONVERSION, PYMIC2__UNPAREN from, DT2, dname2, ctype2, CLASS2, \
                       compute2)
#define PYMIC2__GEN_CONVERSION(MODE, NAME, lname, n, expr, DT, dname, ctype, CLASS, wrap,      \
                               compute, DT2, dname2, ctype2, CLASS2, compute2)                 \
    PYMIC2__GEN_LEAF(MODE, n, NAME, DT, DT2, pymic2__loop_##lname##_##dname##_##dname2, ctype, \
                     compute, ctype2, compute2, wrap, PYMIC2__CONVERT_##CLASS##_##CLASS2, expr)

PYMIC2__EXPAND(PYMIC2_OP_TABLE(PYMIC2__GEN_DEFINE))

static const pymic2__loop_fn loops[PYMIC2_NUM_OPS][PYMIC2_NUM_DTYPES][PYMIC2_NUM_DTYPES] = {
    PYMIC2__EXPAND(PYMIC2_OP_TABLE(PYMIC2__GEN_ENTRY))};

pymic2__loop_fn PYMIC2__SIMD_NAME(pymic2__host_loop_find)(pymic2_op op, pymic2_dtype input,
                                                        pymic2_dtype output)
{
    if ((int)op < 0 || (int)op >= PYMIC2_NUM_OPS || (int)input < 0 ||
        (int)input >= PYMIC2_NUM_DTYPES || (int)output < 0 || (int)output >= PYMIC2_NUM_DTYPES)
        return NULL;
    return loops[op][input][output];
}
