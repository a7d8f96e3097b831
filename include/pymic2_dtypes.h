/*
 * pymic2_dtypes.h - the dtype table (included by pymic2.h).
 *
 * One row per dtype; every listing of dtypes in pyMIC2 (the enum, the scalar union, the host
 * loops, the OpenCL kernel source, DLPack codes, the Python module's dtype codes and type
 * promotion) is generated from it. Adding a dtype is adding a row here plus its kernels.
 *
 * XX(context, NAME, name, ctype, CLASS, wrap, REAL, real_ctype, member, lowest, highest,
 *    opencl, dlpack, compute); context is passed through for generators that need more
 *    than the row.
 *   NAME, name   the enum's PYMIC2_<NAME>; NumPy's name ("float64")
 *   ctype        the C type of an element in memory (float16: GCC's _Float16, which this
 *                header's own listings do not name: they use compute, so that any C compiler
 *                takes the header)
 *   CLASS        BOOL, INT, FLOAT or COMPLEX: ops write their element function once per
 *                class (NumPy's kind is 'b', 'i'/'u' by ctype's sign, 'f', 'c')
 *   wrap         integer arithmetic runs in this unsigned type (at least as wide as int, so
 *                no promotion back to signed int) and is truncated, which is how NumPy's
 *                integers overflow; void for the other classes, so a misplaced use fails
 *   REAL         the real counterpart (complex128 -> FLOAT64; the others themselves) and
 *   real_ctype   its C type
 *   member       the pymic2_scalar member holding a value, in the compute type (float16's
 *                f16 is a float holding a float16 value; complex: real_ctype member[2])
 *   lowest, highest  the smallest and largest value (the identities of maximum and minimum):
 *                <stdint.h> names or -INFINITY/INFINITY (<math.h>); complex numbers are not
 *                ordered (0, 0)
 *   opencl       the OpenCL C type in memory (complex: real part in .x, imaginary in .y, the
 *                layout of C's double _Complex; float16: half, which OpenCL 1.2 only loads
 *                and stores, with vload_half and vstore_half_rte)
 *   dlpack       DLPack's type code (kDLInt 0, kDLUInt 1, kDLFloat 2, kDLComplex 5,
 *                kDLBool 6); its bits are 8 * sizeof(ctype)
 *   compute      the C type arithmetic on an element runs in: ctype itself, except for a
 *                storage type such as float16, which computes in float as NumPy does (each
 *                input converted exactly, the op in float, the result rounded once); OpenCL
 *                kernels compute in the same type (complex: the opencl type)
 * Bool is stored as one byte; any nonzero byte reads as true, ops write 0 or 1.
 * Rows that are a subset by nature (GEMM through BLAS: FLOAT and COMPLEX) select by column.
 */
#ifndef PYMIC2_DTYPES_H
#define PYMIC2_DTYPES_H

#include <stddef.h>
#include <stdint.h>

/* clang-format off */
#define PYMIC2_DTYPE_TABLE(XX, context)                                                         \
    XX(context, BOOL, bool, uint8_t, BOOL, void, BOOL, uint8_t, b, 0, 1, uchar, 6, uint8_t)     \
    XX(context, INT8, int8, int8_t, INT, uint32_t, INT8, int8_t, i8, INT8_MIN, INT8_MAX,        \
       char, 0, int8_t)                                                                        \
    XX(context, UINT8, uint8, uint8_t, INT, uint32_t, UINT8, uint8_t, u8, 0, UINT8_MAX,         \
       uchar, 1, uint8_t)                                                                      \
    XX(context, INT16, int16, int16_t, INT, uint32_t, INT16, int16_t, i16, INT16_MIN,           \
       INT16_MAX, short, 0, int16_t)                                                           \
    XX(context, UINT16, uint16, uint16_t, INT, uint32_t, UINT16, uint16_t, u16, 0, UINT16_MAX,  \
       ushort, 1, uint16_t)                                                                    \
    XX(context, INT32, int32, int32_t, INT, uint32_t, INT32, int32_t, i32, INT32_MIN,           \
       INT32_MAX, int, 0, int32_t)                                                             \
    XX(context, UINT32, uint32, uint32_t, INT, uint32_t, UINT32, uint32_t, u32, 0, UINT32_MAX,  \
       uint, 1, uint32_t)                                                                      \
    XX(context, INT64, int64, int64_t, INT, uint64_t, INT64, int64_t, i64, INT64_MIN,           \
       INT64_MAX, long, 0, int64_t)                                                            \
    XX(context, UINT64, uint64, uint64_t, INT, uint64_t, UINT64, uint64_t, u64, 0, UINT64_MAX,  \
       ulong, 1, uint64_t)                                                                     \
    XX(context, FLOAT16, float16, _Float16, FLOAT, void, FLOAT16, _Float16, f16, -INFINITY,     \
       INFINITY, half, 2, float)                                                               \
    XX(context, FLOAT32, float32, float, FLOAT, void, FLOAT32, float, f32, -INFINITY,           \
       INFINITY, float, 2, float)                                                              \
    XX(context, FLOAT64, float64, double, FLOAT, void, FLOAT64, double, f64, -INFINITY,        \
       INFINITY, double, 2, double)                                                            \
    XX(context, COMPLEX64, complex64, float _Complex, COMPLEX, void, FLOAT32, float, c64, 0, 0, \
       float2, 5, float _Complex)                                                              \
    XX(context, COMPLEX128, complex128, double _Complex, COMPLEX, void, FLOAT64, double, c128,  \
       0, 0, double2, 5, double _Complex)
/* clang-format on */

typedef enum pymic2_dtype {
#define PYMIC2__DTYPE_ENUM(context, NAME, ...) PYMIC2_##NAME,
    PYMIC2_DTYPE_TABLE(PYMIC2__DTYPE_ENUM, ~)
#undef PYMIC2__DTYPE_ENUM
    PYMIC2_NUM_DTYPES
} pymic2_dtype;

/* A scalar of any supported dtype: the member named in its row, in the row's compute type. */
typedef union pymic2_scalar {
#define PYMIC2__SCALAR_BOOL(ctype, real_ctype, member) ctype member;
#define PYMIC2__SCALAR_INT(ctype, real_ctype, member) ctype member;
#define PYMIC2__SCALAR_FLOAT(ctype, real_ctype, member) ctype member;
#define PYMIC2__SCALAR_COMPLEX(ctype, real_ctype, member) real_ctype member[2]; /* re, im */
#define PYMIC2__SCALAR_MEMBER(context, NAME, name, ctype, CLASS, wrap, REAL, real_ctype, member, \
                              lowest, highest, opencl, dlpack, compute)                        \
    PYMIC2__SCALAR_##CLASS(compute, real_ctype, member)
    PYMIC2_DTYPE_TABLE(PYMIC2__SCALAR_MEMBER, ~)
#undef PYMIC2__SCALAR_MEMBER
#undef PYMIC2__SCALAR_BOOL
#undef PYMIC2__SCALAR_INT
#undef PYMIC2__SCALAR_FLOAT
#undef PYMIC2__SCALAR_COMPLEX
} pymic2_scalar;

/* Bytes per element; 0 for a value outside the enum. */
size_t pymic2_dtype_size(pymic2_dtype dtype);
/* NumPy's name for the type ("float64"); NULL for a value outside the enum. */
const char *pymic2_dtype_name(pymic2_dtype dtype);
/* NumPy's kind: 'b' bool, 'i' signed and 'u' unsigned integer, 'f' float, 'c' complex;
 * 0 for a value outside the enum. */
char pymic2_dtype_kind(pymic2_dtype dtype);

/*
 * Type promotion: NumPy 2's rules (NEP 50), written once. A type is what promotion sees of a
 * NumPy dtype, in the table or not (float16, float128 ...): its kind ("biufc") and size in
 * bytes; size 0 is a weak Python scalar (int 'i', float 'f', complex 'c'; a Python bool is
 * simply bool), which takes the other operand's dtype when that is of its kind or above.
 */
typedef struct pymic2_type {
    char kind;
    int size;
} pymic2_type;

/* The type of a dtype of the table ({0, 0} for a value outside the enum). */
pymic2_type pymic2_dtype_type(pymic2_dtype dtype);
/* NumPy's result type of a and b (numpy.result_type); weak only if both are. EINVAL for a
 * kind outside "biufc" or a size that is not one of NumPy's. */
int pymic2_promote_types(pymic2_type a, pymic2_type b, pymic2_type *result);
/* NumPy's result type of n >= 1 types (numpy.result_type of several operands): not a left
 * fold of pymic2_promote_types, but NumPy's PyArray_PromoteDTypeSequence, in which the
 * type that takes over promotion (float16 above all, then complex, float, integer) promotes
 * each other one: float16, int8 and uint8 give float16, where folding int8 and uint8 first
 * gives int16 and then float32. EINVAL as pymic2_promote_types, ENOMEM. */
int pymic2_promote_sequence(int n, const pymic2_type *types, pymic2_type *result);
/* The dtype of the table for a type: the type itself (every NumPy numeric dtype has a row);
 * a weak scalar's is NumPy's default (int64, float64, complex128). EDTYPE for a type without
 * a row (float128). */
int pymic2_dtype_for_type(pymic2_type type, pymic2_dtype *dtype);
/* pymic2_dtype_for_type(pymic2_promote_types(a, b)) for two dtypes of the table. */
int pymic2_dtype_promote(pymic2_dtype a, pymic2_dtype b, pymic2_dtype *result);

#endif /* PYMIC2_DTYPES_H */
