/* The start of every generated kernel source: the C names the op rows use (T, W and the
 * pymic2__ helpers come from the generator and the other preludes), and the integer helpers
 * of src/ops/op_table.h in OpenCL C (same semantics, documented there). */
typedef char int8_t;
typedef uchar uint8_t;
typedef short int16_t;
typedef ushort uint16_t;
typedef int int32_t;
typedef uint uint32_t;
typedef long int64_t;
typedef ulong uint64_t;
#define INT8_MIN CHAR_MIN
#define INT8_MAX CHAR_MAX
#define UINT8_MAX UCHAR_MAX
#define INT16_MIN SHRT_MIN
#define INT16_MAX SHRT_MAX
#define UINT16_MAX USHRT_MAX
#define INT32_MIN INT_MIN
#define INT32_MAX INT_MAX
#define INT64_MIN LONG_MIN
#define INT64_MAX LONG_MAX
#define UINT32_MAX UINT_MAX
#define UINT64_MAX ULONG_MAX
/* no fused multiply-adds: round as the host does */
#pragma OPENCL FP_CONTRACT OFF
#ifdef PYMIC2_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double pymic2__widest;
#else
typedef float pymic2__widest;
#endif
ulong pymic2__ipow(ulong base, ulong exponent)
{
    ulong result = 1;
    while (exponent) {
        if (exponent & 1)
            result *= base;
        base *= base;
        exponent >>= 1;
    }
    return result;
}
long pymic2__float_to_i64(pymic2__widest value)
{
    return value >= -0x1p63f && value < 0x1p63f ? (long)value : LONG_MIN;
}
ulong pymic2__float_to_u64(pymic2__widest value)
{
    if (value >= 0x1p63f)
        return value < 0x1p64f ? (ulong)value : 0;
    return (ulong)pymic2__float_to_i64(value);
}
int pymic2__float_to_i32(pymic2__widest value)
{
    return value >= -0x1p31f && value < 0x1p31f ? (int)value : INT_MIN;
}
long pymic2__floor_divide_int(long a, long b)
{
    if (b == 0)
        return 0;
    if (b == -1)
        return (long)(0 - (ulong)a);
    long quotient = a / b;
    return quotient - (a % b != 0 && (a < 0) != (b < 0));
}
long pymic2__remainder_int(long a, long b)
{
    if (b == 0 || b == -1)
        return 0;
    long remainder = a % b;
    return remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder;
}
ulong pymic2__gcd_u64(ulong a, ulong b)
{
    while (b != 0) {
        const ulong rest = a % b;
        a = b;
        b = rest;
    }
    return a;
}
ulong pymic2__lcm_u64(ulong a, ulong b)
{
    const ulong divisor = pymic2__gcd_u64(a, b);
    return divisor == 0 ? 0 : a / divisor * b;
}
#define pymic2__popcount(x) popcount((ulong)(x))
