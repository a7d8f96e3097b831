/*
 * Complex numbers as OpenCL vectors (real part .x, imaginary .y: the layout of C's
 * float _Complex and double _Complex): op_table.h's pymic2__c* helpers with NumPy's
 * semantics: textbook multiplication, Smith's division (by zero: each part over +0),
 * NumPy's power (small integral exponents by squaring, 0 ** b), and the special values of
 * C99 Annex G for sqrt, exp, log and tanh. Written once for the one complex type a kernel
 * computes in: the generator defines PYMIC2_COMPLEX_DOUBLE 1 for complex128 (double2, needs
 * cl_khr_fp64), 0 for complex64 (float2). Constants are cast to pymic2__real (or integers)
 * so that complex64 stays in float where the device has fp64 too.
 * The functions compute the finite case unconditionally and then overwrite special inputs'
 * results by plain assignments: PoCL vectorises straight-line code across work-items, but
 * not calls inside branches (a branchy csqrt ran 3.5x slower). PoCL 3.1's double hypot,
 * sin, cos, log and atan2 are scalar calls (15-50 ns each, exp and sqrt 3 and 1 ns): |a| is
 * big * sqrt(1 + (small / big)^2), exp takes sincos.
 */
#if PYMIC2_COMPLEX_DOUBLE
typedef double pymic2__real;
typedef double2 pymic2__complex;
/* csqrt and clog: parts beyond HUGE are scaled down (|a| + |x| and |a| must not overflow);
 * csqrt: both below TINY up (subnormal bits); clog: both parts below LOG_TINY scale up by
 * LOG_UP = 2^LOG_SCALE; cexp: exp(x) overflows beyond EXP_HIGH */
#define PYMIC2__C_HUGE 0x1p1020
#define PYMIC2__C_TINY 0x1p-1020
#define PYMIC2__C_TINY_PRE 0x1p600
#define PYMIC2__C_TINY_POST 0x1p-300
#define PYMIC2__C_LOG_TINY 0x1p-1000
#define PYMIC2__C_LOG_UP 0x1p600
#define PYMIC2__C_LOG_SCALE 600
#define PYMIC2__C_EXP_HIGH 709
#define PYMIC2__C_LN2 M_LN2
#define PYMIC2__C_LOG2E M_LOG2E
#define PYMIC2__C_LOG10E M_LOG10E
#define PYMIC2__C_PI_2 M_PI_2
/* casinh, cacos ... and catanh: beyond INVERSE_HUGE |z| dominates (A is |z|, atanh is
 * 1 / z + i pi / 2) and squares of parts would soon overflow */
#define PYMIC2__C_INVERSE_HUGE 0x1p500
#else
typedef float pymic2__real;
typedef float2 pymic2__complex;
#define PYMIC2__C_HUGE 0x1p124f
#define PYMIC2__C_TINY 0x1p-124f
#define PYMIC2__C_TINY_PRE 0x1p64f
#define PYMIC2__C_TINY_POST 0x1p-32f
#define PYMIC2__C_LOG_TINY 0x1p-100f
#define PYMIC2__C_LOG_UP 0x1p60f
#define PYMIC2__C_LOG_SCALE 60
#define PYMIC2__C_EXP_HIGH 88
#define PYMIC2__C_LN2 M_LN2_F
#define PYMIC2__C_LOG2E M_LOG2E_F
#define PYMIC2__C_LOG10E M_LOG10E_F
#define PYMIC2__C_PI_2 M_PI_2_F
#define PYMIC2__C_INVERSE_HUGE 0x1p30f
#endif
pymic2__real pymic2__creal(pymic2__complex a) { return a.x; }
pymic2__real pymic2__cimag(pymic2__complex a) { return a.y; }
pymic2__complex pymic2__cfrom_real(pymic2__real re) { return (pymic2__complex)(re, 0); }
int pymic2__cnonzero(pymic2__complex a) { return a.x != 0 || a.y != 0; }
int pymic2__cequal(pymic2__complex a, pymic2__complex b) { return a.x == b.x && a.y == b.y; }
/* C99's hypot: infinite if a part is (NaN or not), else NaN if a part is */
pymic2__real pymic2__cabs(pymic2__complex a)
{
    const pymic2__real ax = fabs(a.x), ay = fabs(a.y);
    const pymic2__real big = ax > ay ? ax : ay, small = ax > ay ? ay : ax;
    const pymic2__real ratio = small / big;
    pymic2__real magnitude = big * sqrt(1 + ratio * ratio);
    if (big == 0) /* 0 / 0; small is 0 or NaN */
        magnitude = small;
    if (isinf(ax) || isinf(ay))
        magnitude = INFINITY;
    return magnitude;
}
pymic2__complex pymic2__cmul(pymic2__complex a, pymic2__complex b)
{
    return (pymic2__complex)(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}
/* Smith's: the ratio of b's smaller part to its larger one (NaN: as if the imaginary
 * part were larger) */
pymic2__complex pymic2__cdiv(pymic2__complex a, pymic2__complex b)
{
    const pymic2__real abs_re = fabs(b.x), abs_im = fabs(b.y);
    const bool real_larger = abs_re >= abs_im;
    const pymic2__real larger = real_larger ? b.x : b.y, smaller = real_larger ? b.y : b.x;
    const pymic2__real ratio = smaller / larger, scale = 1 / (larger + smaller * ratio);
    pymic2__complex quotient = real_larger
        ? (pymic2__complex)((a.x + a.y * ratio) * scale, (a.y - a.x * ratio) * scale)
        : (pymic2__complex)((a.x * ratio + a.y) * scale, (a.y * ratio - a.x) * scale);
    if (abs_re == 0 && abs_im == 0)
        quotient = (pymic2__complex)(a.x / abs_re, a.y / abs_re);
    return quotient;
}
/* a / |a|; an infinite part gives its unit whatever the other (NaN too) unless both are
 * infinite (NaN), as NumPy 2 */
pymic2__complex pymic2__csign(pymic2__complex a)
{
    const pymic2__real magnitude = pymic2__cabs(a), one = 1;
    pymic2__complex sign = a / magnitude;
    if (magnitude == 0)
        sign = (pymic2__complex)(0, 0);
    if (isinf(a.y))
        sign = (pymic2__complex)(0, copysign(one, a.y));
    if (isinf(a.x))
        sign = (pymic2__complex)(isinf(a.y) ? NAN : copysign(one, a.x), isinf(a.y) ? NAN : 0);
    return sign;
}
/* the principal root: real part >= 0, imaginary part of a's imaginary sign (the cut on
 * the negative real axis); scaled so that |a| neither overflows nor loses subnormal bits */
pymic2__complex pymic2__csqrt(pymic2__complex a)
{
    const pymic2__real x = a.x, y = a.y, zero = 0;
    pymic2__real ax = fabs(x), ay = fabs(y), pre = 1, post = 1;
    if (ax > PYMIC2__C_HUGE || ay > PYMIC2__C_HUGE) {
        pre = (pymic2__real)0x1p-4f;
        post = 4;
    }
    if (ax < PYMIC2__C_TINY && ay < PYMIC2__C_TINY) {
        pre = PYMIC2__C_TINY_PRE;
        post = PYMIC2__C_TINY_POST;
    }
    ax *= pre;
    ay *= pre;
    const pymic2__real scaled_root =
        sqrt((ax + pymic2__cabs((pymic2__complex)(ax, ay))) / 2);
    const pymic2__real root = scaled_root * post, other = ay / (2 * scaled_root) * post;
    pymic2__real re = x >= 0 ? root : other, im = copysign(x >= 0 ? other : root, y);
    if (x == 0 && y == 0) {
        re = 0;
        im = y;
    }
    if (isnan(y))
        re = im = y;
    if (isinf(x)) {
        re = x > 0 ? x : isnan(y) ? y : zero;
        im = x < 0 ? copysign((pymic2__real)INFINITY, y) : isnan(y) ? y : copysign(zero, y);
    }
    if (isnan(x))
        re = im = x;
    if (isinf(y)) {
        re = INFINITY;
        im = y;
    }
    return (pymic2__complex)(re, im);
}
/* exp(x) (cos y + i sin y); where exp(x) overflows but the product may not, the two
 * halves of exp(x) multiply in turn */
pymic2__complex pymic2__cexp(pymic2__complex a)
{
    const pymic2__real x = a.x, y = a.y, zero = 0;
    const bool high = x > PYMIC2__C_EXP_HIGH;
    const pymic2__real e = exp(high ? x / 2 : x), rest = high ? e : 1;
    pymic2__real c;
    const pymic2__real s = sincos(y, &c); /* on PoCL as fast as one of sin and cos */
    pymic2__real re = e * c * rest, im = e * s * rest;
    if (y == 0) /* exp of a real number, the zero's sign kept (x = NaN too) */
        im = y;
    if (isinf(x) && !isfinite(y)) {
        re = x < 0 ? zero : x;
        im = x < 0 ? copysign(zero, y) : NAN;
    }
    return (pymic2__complex)(re, im);
}
/* log |a| + i arg a; near |a| = 1, log1p keeps the small real part's digits; tiny parts
 * are scaled out of the subnormal range, where |a| would lose bits, huge ones down by 4,
 * where |a| would overflow (|-3e38 - 3e38i| in float) */
pymic2__complex pymic2__clog(pymic2__complex a)
{
    const bool tiny = fabs(a.x) < PYMIC2__C_LOG_TINY && fabs(a.y) < PYMIC2__C_LOG_TINY;
    const bool huge = fabs(a.x) > PYMIC2__C_HUGE || fabs(a.y) > PYMIC2__C_HUGE;
    const pymic2__real scale = tiny ? PYMIC2__C_LOG_UP : huge ? (pymic2__real)0.25f : 1;
    const pymic2__real ax = fabs(a.x) * scale, ay = fabs(a.y) * scale;
    const pymic2__real big = ax > ay ? ax : ay, small = ax > ay ? ay : ax;
    const pymic2__real near_one = log1p((big - 1) * (big + 1) + small * small) / 2;
    const pymic2__real scaled_by = tiny ? -PYMIC2__C_LOG_SCALE : huge ? 2 : 0; /* log2 */
    pymic2__real re = log(pymic2__cabs((pymic2__complex)(ax, ay))) +
                      scaled_by * (pymic2__real)PYMIC2__C_LN2;
    if (big >= (pymic2__real)0.5f && big <= 2 && !isnan(small))
        re = near_one;
    return (pymic2__complex)(re, atan2(a.y, a.x));
}
/* Kahan's formula: with t = tan y, b = 1 + t^2, s = sinh x, rho = sqrt(1 + s^2),
 * tanh a = (b rho s + i t) / (1 + b s^2); beyond |x| = 22 the real part is +-1 and the
 * imaginary one 4 sin y cos y exp(-2|x|), where t / b = sin y cos y (22 serves both types:
 * b s^2 stays finite in float there too) */
pymic2__complex pymic2__ctanh(pymic2__complex a)
{
    const pymic2__real x = a.x, y = a.y, zero = 0, one = 1;
    const pymic2__real t = tan(y), b = 1 + t * t, s = sinh(x), rho = sqrt(1 + s * s);
    const pymic2__real d = 1 + b * s * s;
    pymic2__real re = b * rho * s / d, im = t / d;
    const pymic2__real far_im = 4 * (t / b) * exp(-2 * fabs(x));
    if (fabs(x) > 22) {
        re = copysign(one, x);
        im = far_im;
    }
    if (!isfinite(y)) { /* finite x */
        re = x == 0 ? x : NAN;
        im = NAN;
    }
    if (isinf(x)) {
        re = copysign(one, x);
        im = isfinite(y) ? copysign(zero, t / b) : copysign(zero, y);
    }
    if (isnan(x)) {
        re = x;
        im = y == 0 ? y : x;
    }
    return (pymic2__complex)(re, im);
}
/* NumPy's order: a ** 0 is 1 (NaN too); 0 ** b is 0 for Re b > 0, else NaN; integral
 * exponents 1 to 3 multiply a directly (no 1 * a that turns an infinite part into NaN),
 * others within 100 square from 1 and divide for negative ones; the rest exp(b log a) */
pymic2__complex pymic2__cpow(pymic2__complex a, pymic2__complex b)
{
    const pymic2__real n = b.x;
    if (n == 0 && b.y == 0)
        return (pymic2__complex)(1, 0);
    if (a.x == 0 && a.y == 0)
        return n > 0 ? (pymic2__complex)(0, 0) : (pymic2__complex)(NAN, NAN);
/* range first: converting NaN or a huge value to int is undefined */
    if (b.y == 0 && n > -100 && n < 100 && n == (pymic2__real)(int)n) {
        if (n == 1)
            return a;
        if (n == 2)
            return pymic2__cmul(a, a);
        if (n == 3)
            return pymic2__cmul(a, pymic2__cmul(a, a));
        uint m = (uint)abs((int)n);
        pymic2__complex result = (pymic2__complex)(1, 0), base = a;
        while (m) {
            if (m & 1)
                result = pymic2__cmul(result, base);
            base = pymic2__cmul(base, base);
            m >>= 1;
        }
        return n < 0 ? pymic2__cdiv((pymic2__complex)(1, 0), result) : result;
    }
    return pymic2__cexp(pymic2__cmul(b, pymic2__clog(a)));
}
pymic2__complex pymic2__cconj(pymic2__complex a) { return (pymic2__complex)(a.x, -a.y); }
/* NumPy's own formulas (npy's nc_*): exp of the parts times ln 2; log's parts times
 * log2(e) or log10(e); expm1(x) cos y - 2 sin^2(y / 2) + i exp(x) sin y; log |1 + a| +
 * i arg(1 + a) (no log1p: NumPy's loses a tiny real part the same way); rint of each part */
pymic2__complex pymic2__cexp2(pymic2__complex a)
{
    return pymic2__cexp(a * (pymic2__real)PYMIC2__C_LN2);
}
pymic2__complex pymic2__clog2(pymic2__complex a)
{
    return pymic2__clog(a) * (pymic2__real)PYMIC2__C_LOG2E;
}
pymic2__complex pymic2__clog10(pymic2__complex a)
{
    return pymic2__clog(a) * (pymic2__real)PYMIC2__C_LOG10E;
}
pymic2__complex pymic2__cexpm1(pymic2__complex a)
{
    const pymic2__real half_sin = sin(a.y / 2);
    return (pymic2__complex)(expm1(a.x) * cos(a.y) - 2 * half_sin * half_sin,
                             exp(a.x) * sin(a.y));
}
pymic2__complex pymic2__clog1p(pymic2__complex a)
{
    const pymic2__complex b = (pymic2__complex)(a.x + 1, a.y);
    return (pymic2__complex)(log(pymic2__cabs(b)), atan2(b.y, b.x));
}
pymic2__complex pymic2__crint(pymic2__complex a) { return rint(a); }
/* sinh x cos y + i cosh x sin y (cosh: the parts swapped) with C99's special values (as
 * glibc's, which NumPy calls); beyond EXP_HIGH sinh and cosh are +-exp(|x|) / 2, taken in
 * two halves as in cexp, so that a product with a small cos or sin stays finite */
pymic2__complex pymic2__csinh_or_ccosh(pymic2__complex a, bool cosine)
{
    const pymic2__real x = a.x, y = a.y, one = 1;
    pymic2__real c;
    const pymic2__real s = sincos(y, &c), root = exp(fabs(x) / 2); /* of exp(|x|) */
    pymic2__real sh = sinh(x), ch = cosh(x);
    if (fabs(x) > PYMIC2__C_EXP_HIGH) {
        ch = root;
        sh = copysign(root, x);
    }
    const pymic2__real rest = fabs(x) > PYMIC2__C_EXP_HIGH ? root / 2 : 1;
    pymic2__real re = (cosine ? ch : sh) * (rest * c), im = (cosine ? sh : ch) * (rest * s);
    if (y == 0) /* cosh: the sign of sinh x * y, a NaN's as +0 */
        im = cosine && signbit(x) && !isnan(x) ? -y : y;
    if (!isfinite(y)) { /* finite x: NaN, but a zero x keeps sinh's 0 (cosh's imaginary) */
        re = x == 0 && !cosine ? x : NAN;
        im = x == 0 && cosine ? 0 : NAN;
    }
    if (isinf(x) && !isfinite(y)) { /* glibc's +inf, where C99 leaves the sign open */
        re = INFINITY;
        im = NAN;
    }
    return (pymic2__complex)(re, im);
}
pymic2__complex pymic2__csinh(pymic2__complex a) { return pymic2__csinh_or_ccosh(a, false); }
pymic2__complex pymic2__ccosh(pymic2__complex a) { return pymic2__csinh_or_ccosh(a, true); }
/* sin a = -i sinh(i a), cos a = cosh(i a), tan a = -i tanh(i a) (C99's definitions) */
pymic2__complex pymic2__csin(pymic2__complex a)
{
    const pymic2__complex w = pymic2__csinh((pymic2__complex)(-a.y, a.x));
    pymic2__real im = -w.x;
    if (isinf(a.y) && !isfinite(a.x)) /* glibc's +inf, as sinh's */
        im = INFINITY;
    return (pymic2__complex)(w.y, im);
}
pymic2__complex pymic2__ccos(pymic2__complex a)
{
    return pymic2__ccosh((pymic2__complex)(-a.y, a.x));
}
pymic2__complex pymic2__ctan(pymic2__complex a)
{
    const pymic2__complex w = pymic2__ctanh((pymic2__complex)(-a.y, a.x));
    return (pymic2__complex)(w.y, -w.x);
}
/* For x, y >= 0: |Re asinh(x + iy)| = acosh A, A = (|z + i| + |z - i|) / 2, and the c of
 * Im asinh = atan2(y, c), c = sqrt((A - y)(A + y)) (Hull, Fairgrieve and Tang's
 * decomposition): A - 1 and A - y are written as sums of nonnegative terms, so neither
 * cancels, and for y < 1 A - 1 = x^2 q with x factored out of the root (no underflow of
 * tiny x's square). Beyond INVERSE_HUGE, Re is log 2|z| and c is x. */
pymic2__real pymic2__casinh_parts(pymic2__real x, pymic2__real y, pymic2__real *c)
{
    const pymic2__real r = pymic2__cabs((pymic2__complex)(x, y + 1));
    const pymic2__real s = pymic2__cabs((pymic2__complex)(x, y - 1));
    const pymic2__real big_a = (r + s) / 2, x_r = x * (x / (r + y + 1));
    const pymic2__real q = (1 / (r + y + 1) + 1 / (s + (1 - y))) / 2;
    const pymic2__real x_s = s + (y - 1) > 0 ? x * (x / (s + (y - 1))) : 0;
    const pymic2__real a_minus_1 = y < 1 ? x * x * q : (x_r + s + (y - 1)) / 2;
    const pymic2__real root = y < 1 ? x * sqrt(q * (big_a + 1)) : sqrt(a_minus_1 * (big_a + 1));
    const pymic2__real a_minus_y = (x_r + (y < 1 ? s + (1 - y) : x_s)) / 2;
    pymic2__real re = log1p(a_minus_1 + root);
    if (big_a >= (pymic2__real)1.5f)
        re = log(big_a + sqrt((big_a - 1) * (big_a + 1)));
    *c = sqrt(a_minus_y * (big_a + y));
    if (x > PYMIC2__C_INVERSE_HUGE || y > PYMIC2__C_INVERSE_HUGE) {
        re = pymic2__clog((pymic2__complex)(x, y)).x + (pymic2__real)PYMIC2__C_LN2;
        *c = x;
    }
    return re;
}
pymic2__complex pymic2__casinh(pymic2__complex a)
{
    pymic2__real c;
    const pymic2__real re = pymic2__casinh_parts(fabs(a.x), fabs(a.y), &c);
    pymic2__real im = atan2(fabs(a.y), c);
    if (a.y == 0) /* NaN + 0i too */
        im = 0;
    return (pymic2__complex)(copysign(re, a.x), copysign(im, a.y));
}
/* asin a = -i asinh(i a) */
pymic2__complex pymic2__casin(pymic2__complex a)
{
    const pymic2__complex w = pymic2__casinh((pymic2__complex)(-a.y, a.x));
    return (pymic2__complex)(w.y, -w.x);
}
/* acos a = pi / 2 - asin a, with the real part atan2(c, x) of asin's parts (no
 * cancellation near x = 1); acosh a = +-i acos a, the sign making Re >= 0 */
pymic2__real pymic2__cacos_parts(pymic2__complex a, pymic2__real *acosh_part)
{
    pymic2__real c;
    *acosh_part = pymic2__casinh_parts(fabs(a.y), fabs(a.x), &c);
    pymic2__real re = atan2(c, a.x);
    if (a.x == 0) /* NaN imaginary part too */
        re = (pymic2__real)PYMIC2__C_PI_2;
    return re;
}
pymic2__complex pymic2__cacos(pymic2__complex a)
{
    pymic2__real acosh_part;
    const pymic2__real re = pymic2__cacos_parts(a, &acosh_part);
    return (pymic2__complex)(re, copysign(acosh_part, -a.y));
}
pymic2__complex pymic2__cacosh(pymic2__complex a)
{
    pymic2__real acosh_part;
    const pymic2__real im = pymic2__cacos_parts(a, &acosh_part);
    return (pymic2__complex)(acosh_part, copysign(im, a.y));
}
/* atanh(x + iy) = log1p(4x / d) / 4 + i atan2(2y, (1 - x)(1 + x) - y^2) / 2 with
 * d = (1 - x)^2 + y^2, for x, y >= 0 (then the signs of a); where 4x / d > 1 (near 1 + 0i,
 * where d may underflow) the real part is log(|1 + z| / |1 - z|) / 2 of scaled moduli;
 * beyond INVERSE_HUGE Re 1 / z + i pi / 2 */
pymic2__complex pymic2__catanh(pymic2__complex a)
{
    const pymic2__real x = fabs(a.x), y = fabs(a.y), one_minus = 1 - x;
    const pymic2__real d = one_minus * one_minus + y * y;
    pymic2__real re = log1p(4 * x / d) / 4;
    if (4 * x > d)
        re = (log(pymic2__cabs((pymic2__complex)(1 + x, y))) -
              log(pymic2__cabs((pymic2__complex)(one_minus, y)))) / 2;
    pymic2__real im = atan2(2 * y, one_minus * (1 + x) - y * y) / 2;
    const pymic2__real big = fmax(x, y), ratio = fmin(x, y) / big;
    if (x > PYMIC2__C_INVERSE_HUGE || y > PYMIC2__C_INVERSE_HUGE) {
        re = x / big / (big * (1 + ratio * ratio));
        im = (pymic2__real)PYMIC2__C_PI_2;
    }
    if (isinf(x) || isinf(y) || x == 0)
        re = 0;
    if (isnan(y)) { /* NaN unless x is 0 or infinite */
        re = x == 0 || isinf(x) ? 0 : y;
        im = y;
    }
    if (isnan(x) && !isinf(y))
        im = x;
    return (pymic2__complex)(copysign(re, a.x), copysign(im, a.y));
}
/* atan a = -i atanh(i a) */
pymic2__complex pymic2__catan(pymic2__complex a)
{
    const pymic2__complex w = pymic2__catanh((pymic2__complex)(-a.y, a.x));
    return (pymic2__complex)(w.y, -w.x);
}
