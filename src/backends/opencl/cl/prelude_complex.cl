/*
 * complex128 as double2 (real part .x, imaginary .y): op_table.h's pymic2__c* helpers with
 * NumPy's semantics: textbook multiplication,
         Smith's division (by zero: each part over +0),
 * NumPy's power (small integral exponents by squaring, 0 ** b), and the special values of
 * C99 Annex G for sqrt, exp, log and tanh. Needs cl_khr_fp64.
 * The functions compute the finite case unconditionally and then overwrite special inputs'
 * results by plain assignments: PoCL vectorises straight-line code across work-items, but
 * not calls inside branches (a branchy csqrt ran 3.5x slower). PoCL 3.1's double hypot,
 * sin, cos, log and atan2 are scalar calls (15-50 ns each, exp and sqrt 3 and 1 ns): |a| is
 * big * sqrt(1 + (small / big)^2), exp takes sincos.
 */
double pymic2__creal(double2 a) { return a.x; }
double pymic2__cimag(double2 a) { return a.y; }
double2 pymic2__cfrom_real(double re) { return (double2)(re, 0.0); }
int pymic2__cnonzero(double2 a) { return a.x != 0 || a.y != 0; }
int pymic2__cequal(double2 a, double2 b) { return a.x == b.x && a.y == b.y; }
/* C99's hypot: infinite if a part is (NaN or not), else NaN if a part is */
double pymic2__cabs(double2 a)
{
    const double ax = fabs(a.x), ay = fabs(a.y);
    const double big = ax > ay ? ax : ay, small = ax > ay ? ay : ax;
    const double ratio = small / big;
    double magnitude = big * sqrt(1.0 + ratio * ratio);
    if (big == 0) /* 0 / 0; small is 0 or NaN */
        magnitude = small;
    if (isinf(ax) || isinf(ay))
        magnitude = INFINITY;
    return magnitude;
}
double2 pymic2__cmul(double2 a, double2 b)
{
    return (double2)(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}
/* Smith's: the ratio of b's smaller part to its larger one (NaN: as if the imaginary
 * part were larger) */
double2 pymic2__cdiv(double2 a, double2 b)
{
    const double abs_re = fabs(b.x), abs_im = fabs(b.y);
    const bool real_larger = abs_re >= abs_im;
    const double larger = real_larger ? b.x : b.y, smaller = real_larger ? b.y : b.x;
    const double ratio = smaller / larger, scale = 1.0 / (larger + smaller * ratio);
    double2 quotient = real_larger
        ? (double2)((a.x + a.y * ratio) * scale, (a.y - a.x * ratio) * scale)
        : (double2)((a.x * ratio + a.y) * scale, (a.y * ratio - a.x) * scale);
    if (abs_re == 0 && abs_im == 0)
        quotient = (double2)(a.x / abs_re, a.y / abs_re);
    return quotient;
}
/* a / |a|; an infinite part gives its unit whatever the other (NaN too) unless both are
 * infinite (NaN), as NumPy 2 */
double2 pymic2__csign(double2 a)
{
    const double magnitude = pymic2__cabs(a);
    double2 sign = a / magnitude;
    if (magnitude == 0)
        sign = (double2)(0.0, 0.0);
    if (isinf(a.y))
        sign = (double2)(0.0, copysign(1.0, a.y));
    if (isinf(a.x))
        sign = (double2)(isinf(a.y) ? NAN : copysign(1.0, a.x), isinf(a.y) ? NAN : 0.0);
    return sign;
}
/* the principal root: real part >= 0, imaginary part of a's imaginary sign (the cut on
 * the negative real axis); scaled so that |a| neither overflows nor loses subnormal bits */
double2 pymic2__csqrt(double2 a)
{
    const double x = a.x, y = a.y;
    double ax = fabs(x), ay = fabs(y), pre = 1.0, post = 1.0;
    if (ax > 0x1p1020 || ay > 0x1p1020) {
        pre = 0x1p-4;
        post = 0x1p2;
    }
    if (ax < 0x1p-1020 && ay < 0x1p-1020) {
        pre = 0x1p600;
        post = 0x1p-300;
    }
    ax *= pre;
    ay *= pre;
    const double scaled_root = sqrt(0.5 * (ax + pymic2__cabs((double2)(ax, ay))));
    const double root = scaled_root * post, other = ay / (2.0 * scaled_root) * post;
    double re = x >= 0 ? root : other, im = copysign(x >= 0 ? other : root, y);
    if (x == 0 && y == 0) {
        re = 0.0;
        im = y;
    }
    if (isnan(y))
        re = im = y;
    if (isinf(x)) {
        re = x > 0 ? x : isnan(y) ? y : 0.0;
        im = x < 0 ? copysign((double)INFINITY, y) : isnan(y) ? y : copysign(0.0, y);
    }
    if (isnan(x))
        re = im = x;
    if (isinf(y)) {
        re = INFINITY;
        im = y;
    }
    return (double2)(re, im);
}
/* exp(x) (cos y + i sin y); where exp(x) overflows but the product may not, the two
 * halves of exp(x) multiply in turn */
double2 pymic2__cexp(double2 a)
{
    const double x = a.x, y = a.y;
    const bool high = x > 709.0;
    const double e = exp(high ? 0.5 * x : x), rest = high ? e : 1.0;
    double c;
    const double s = sincos(y, &c); /* on PoCL as fast as one of sin and cos */
    double re = e * c * rest, im = e * s * rest;
    if (y == 0) /* exp of a real number, the zero's sign kept (x = NaN too) */
        im = y;
    if (isinf(x) && !isfinite(y)) {
        re = x < 0 ? 0.0 : x;
        im = x < 0 ? copysign(0.0, y) : NAN;
    }
    return (double2)(re, im);
}
/* log |a| + i arg a; near |a| = 1, log1p keeps the small real part's digits; tiny parts
 * are scaled out of the subnormal range, where |a| would lose bits */
double2 pymic2__clog(double2 a)
{
    const bool tiny = fabs(a.x) < 0x1p-1000 && fabs(a.y) < 0x1p-1000;
    const double ax = fabs(a.x) * (tiny ? 0x1p600 : 1.0);
    const double ay = fabs(a.y) * (tiny ? 0x1p600 : 1.0);
    const double big = ax > ay ? ax : ay, small = ax > ay ? ay : ax;
    const double near_one = 0.5 * log1p((big - 1.0) * (big + 1.0) + small * small);
    double re = log(pymic2__cabs((double2)(ax, ay))) - (tiny ? 600.0 * M_LN2 : 0.0);
    if (big >= 0.5 && big <= 2.0 && !isnan(small))
        re = near_one;
    return (double2)(re, atan2(a.y, a.x));
}
/* Kahan's formula: with t = tan y, b = 1 + t^2, s = sinh x, rho = sqrt(1 + s^2),
 * tanh a = (b rho s + i t) / (1 + b s^2); beyond |x| = 22 the real part is +-1 and the
 * imaginary one 4 sin y cos y exp(-2|x|), where t / b = sin y cos y */
double2 pymic2__ctanh(double2 a)
{
    const double x = a.x, y = a.y;
    const double t = tan(y), b = 1.0 + t * t, s = sinh(x), rho = sqrt(1.0 + s * s);
    const double d = 1.0 + b * s * s;
    double re = b * rho * s / d, im = t / d;
    const double far_im = 4.0 * (t / b) * exp(-2.0 * fabs(x));
    if (fabs(x) > 22.0) {
        re = copysign(1.0, x);
        im = far_im;
    }
    if (!isfinite(y)) { /* finite x */
        re = x == 0 ? x : NAN;
        im = NAN;
    }
    if (isinf(x)) {
        re = copysign(1.0, x);
        im = isfinite(y) ? copysign(0.0, t / b) : copysign(0.0, y);
    }
    if (isnan(x)) {
        re = x;
        im = y == 0 ? y : x;
    }
    return (double2)(re, im);
}
/* NumPy's order: a ** 0 is 1 (NaN too); 0 ** b is 0 for Re b > 0, else NaN; integral
 * exponents 1 to 3 multiply a directly (no 1 * a that turns an infinite part into NaN),
 * others within 100 square from 1 and divide for negative ones; the rest exp(b log a) */
double2 pymic2__cpow(double2 a, double2 b)
{
    const double n = b.x;
    if (n == 0 && b.y == 0)
        return (double2)(1.0, 0.0);
    if (a.x == 0 && a.y == 0)
        return n > 0 ? (double2)(0.0, 0.0) : (double2)(NAN, NAN);
/* range first: converting NaN or a huge value to int is undefined */
    if (b.y == 0 && n > -100 && n < 100 && n == (double)(int)n) {
        if (n == 1)
            return a;
        if (n == 2)
            return pymic2__cmul(a, a);
        if (n == 3)
            return pymic2__cmul(a, pymic2__cmul(a, a));
        uint m = (uint)abs((int)n);
        double2 result = (double2)(1.0, 0.0), base = a;
        while (m) {
            if (m & 1)
                result = pymic2__cmul(result, base);
            base = pymic2__cmul(base, base);
            m >>= 1;
        }
        return n < 0 ? pymic2__cdiv((double2)(1.0, 0.0), result) : result;
    }
    return pymic2__cexp(pymic2__cmul(b, pymic2__clog(a)));
}
