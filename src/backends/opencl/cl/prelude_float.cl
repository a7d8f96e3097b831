/* Float-class helpers of src/ops/op_table.h in OpenCL C, written for the T of the kernel
 * (float or double; PYMIC2_T_IS_DOUBLE says which). */
T pymic2__divmod(T a, T b, T *modulus)
{
    T mod = fmod(a, b);
    if (b == 0) {
        *modulus = mod;
        return a / b;
    }
    T div = (a - mod) / b;
    if (mod != 0) {
        if ((b < 0) != (mod < 0)) {
            mod += b;
            div -= 1;
        }
    } else {
        mod = copysign((T)0, b);
    }
    T floordiv;
    if (div != 0) {
        floordiv = floor(div);
        if (div - floordiv > (T)0.5)
            floordiv += 1;
    } else {
        floordiv = copysign((T)0, a / b);
    }
    *modulus = mod;
    return floordiv;
}
T pymic2__floor_divide_float(T a, T b)
{
    T mod;
    return pymic2__divmod(a, b, &mod);
}
T pymic2__remainder_float(T a, T b)
{
    T mod;
    pymic2__divmod(a, b, &mod);
    return mod;
}
T pymic2__maximum(T a, T b) { return a >= b || a != a ? a : b; }
T pymic2__minimum(T a, T b) { return a <= b || a != a ? a : b; }
#define pymic2__fabs fabs
#define pymic2__pow pow
#define pymic2__sqrt sqrt
/* float64 exp: PoCL 3.1's is a scalar call (about 3 ns); this straight-line version
 * vectorises across work-items. x = n ln2 + r (Cody-Waite, n by the 1.5 * 2^52
 * rounding trick, |r| <= ln2 / 2), e^r by its Taylor polynomial to r^12, 2^n as two
 * factors so that subnormal and overflowing results round once. Within 2 ulp of
 * glibc's (3 without fused multiply-adds, which the file's FP_CONTRACT OFF would
 * forbid: the function allows them for itself); NaN, +-inf, overflow and underflow
 * as C's exp. */
#if PYMIC2_T_IS_DOUBLE
double pymic2__exp(double x)
{
    /* fused polynomial steps: faster, and within 2 ulp */
#pragma OPENCL FP_CONTRACT ON
    const double shifter = 6755399441055744.0;
    double clamped = x < -746.0 ? -746.0 : x;
    clamped = clamped > 710.0 ? 710.0 : clamped;
    const double shifted = clamped * 1.4426950408889634 + shifter;
    const double n = shifted - shifter;
    const long k = as_long(shifted) - as_long(shifter);
    double r = clamped - n * 6.93147180369123816490e-01;
    r = r - n * 1.90821492927058770002e-10;
    double p = 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    const long k1 = k >> 1;
    const double y = p * as_double((k1 + 1023) << 52) * as_double((k - k1 + 1023) << 52);
    return x != x ? x : y;
}
#else
#define pymic2__exp exp
#endif
#define pymic2__expm1 expm1
#define pymic2__log log
#define pymic2__log1p log1p
/* PoCL 3.1's float tanh stays 1 ulp below 1 for every large |x|, infinity too; from
 * |x| = 10, where NumPy's (and glibc's) float32 result is +-1, return that */
#if PYMIC2_T_IS_DOUBLE
#define pymic2__tanh tanh
#else
float pymic2__tanh(float x) { return fabs(x) >= 10.0f ? copysign(1.0f, x) : tanh(x); }
#endif
/* NumPy's math ufuncs: OpenCL C's built-ins of the same name */
#define pymic2__sin sin
#define pymic2__cos cos
#define pymic2__tan tan
#define pymic2__asin asin
#define pymic2__acos acos
#define pymic2__atan atan
#define pymic2__atan2 atan2
#define pymic2__hypot hypot
#define pymic2__sinh sinh
#define pymic2__cosh cosh
#define pymic2__asinh asinh
#define pymic2__acosh acosh
#define pymic2__atanh atanh
#define pymic2__exp2 exp2
#define pymic2__log2 log2
#define pymic2__log10 log10
#define pymic2__cbrt cbrt
#define pymic2__floor floor
#define pymic2__ceil ceil
#define pymic2__trunc trunc
#define pymic2__rint rint
#define pymic2__fmod fmod
#define pymic2__nextafter nextafter
#define pymic2__ldexp(x, n) ldexp(x, (int)clamp(n, (T)-1e5, (T)1e5))
#define pymic2__signbit signbit
/* logaddexp, logaddexp2 and spacing as loops.c's (NumPy's rules, and the rounding error of
 * a - b put back: documented there) */
T pymic2__difference_error(T a, T b, T difference)
{
    const T shifted = difference - a;
    const T error = (a - (difference - shifted)) - (b + shifted);
    return difference - difference == 0 ? (difference > 0 ? -error : error) : 0;
}
T pymic2__logaddexp(T a, T b)
{
    const T difference = a - b;
    const T t = pymic2__exp(-fabs(difference));
    const T sum = (difference > 0 ? a : b) +
                  (log1p(t) + pymic2__difference_error(a, b, difference) * t / (1 + t));
    return a == b ? a + (T)0.693147180559945309417232121458176568
                  : difference != difference ? difference : sum;
}
T pymic2__logaddexp2(T a, T b)
{
    const T difference = a - b;
    const T t = exp2(-fabs(difference));
    const T sum = (difference > 0 ? a : b) +
                  ((T)1.442695040888963407359924681001892137 * log1p(t) +
                   pymic2__difference_error(a, b, difference) * t / (1 + t));
    return a == b ? a + 1 : difference != difference ? difference : sum;
}
T pymic2__spacing(T a)
{
    const T away = a < 0 ? -(T)INFINITY : (T)INFINITY;
    return a == away ? (T)NAN : nextafter(a, away) - a;
}
