/*
 * dtypes.c - sizes, names, kinds and classes of the dtypes, from PYMIC2_DTYPE_TABLE, and
 * NumPy 2's type promotion (the one place the project's promotion rule lives; the Python
 * module calls it through _core.result_type).
 */
#include "op_table.h"

#include "../core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pymic2__dtype_info {
    size_t size;
    size_t compute_size; /* of the compute type: float16's 4 */
    const char *name;
    pymic2__dtype_class dtype_class;
    pymic2_dtype real;
    int is_signed; /* (T)-1 < (T)1: -1 wraps to the top of an unsigned T */
    int64_t lowest, highest; /* integers only */
} pymic2__dtype_info;

/* Integer limits as int64, uint64's highest clamped to INT64_MAX (the other classes'
 * columns are not integers: 0 here). */
#define PYMIC2__LIMIT_BOOL(value) (value)
#define PYMIC2__LIMIT_INT(value) ((value) > INT64_MAX ? INT64_MAX : (int64_t)(value))
#define PYMIC2__LIMIT_FLOAT(value) 0
#define PYMIC2__LIMIT_COMPLEX(value) 0
#define PYMIC2__DTYPE_INFO(context, NAME, name, ctype, CLASS, wrap, REAL, real_ctype, member,  \
                           lowest, highest, opencl, dlpack, compute)                           \
    [PYMIC2_##NAME] = {sizeof(ctype), sizeof(compute), #name, PYMIC2__CLASS_##CLASS,            \
                       PYMIC2_##REAL, (real_ctype)-1 < (real_ctype)1,                          \
                       PYMIC2__LIMIT_##CLASS(lowest), PYMIC2__LIMIT_##CLASS(highest)},
static const pymic2__dtype_info dtype_infos[PYMIC2_NUM_DTYPES] = {
    PYMIC2_DTYPE_TABLE(PYMIC2__DTYPE_INFO, ~)};
#undef PYMIC2__DTYPE_INFO
#undef PYMIC2__LIMIT_BOOL
#undef PYMIC2__LIMIT_INT
#undef PYMIC2__LIMIT_FLOAT
#undef PYMIC2__LIMIT_COMPLEX

static int dtype_valid(pymic2_dtype dtype)
{
    /* the enum may be unsigned or signed; compare as an int */
    return (int)dtype >= 0 && (int)dtype < PYMIC2_NUM_DTYPES;
}

size_t pymic2_dtype_size(pymic2_dtype dtype)
{
    return dtype_valid(dtype) ? dtype_infos[dtype].size : 0;
}

const char *pymic2_dtype_name(pymic2_dtype dtype)
{
    return dtype_valid(dtype) ? dtype_infos[dtype].name : NULL;
}

char pymic2_dtype_kind(pymic2_dtype dtype)
{
    if (!dtype_valid(dtype))
        return 0;
    switch (dtype_infos[dtype].dtype_class) {
    case PYMIC2__CLASS_BOOL: return 'b';
    case PYMIC2__CLASS_INT: return dtype_infos[dtype].is_signed ? 'i' : 'u';
    case PYMIC2__CLASS_FLOAT: return 'f';
    default: return 'c';
    }
}

pymic2__dtype_class pymic2__dtype_class_of(pymic2_dtype dtype)
{
    return dtype_infos[dtype].dtype_class;
}

pymic2_dtype pymic2__dtype_real(pymic2_dtype dtype)
{
    return dtype_infos[dtype].real;
}

bool pymic2__dtype_needs_fp64(pymic2_dtype dtype)
{
    const pymic2__dtype_info *info = &dtype_infos[dtype];
    return info->dtype_class >= PYMIC2__CLASS_FLOAT &&
           dtype_infos[info->real].size == sizeof(double);
}

pymic2_dtype pymic2__dtype_compute(pymic2_dtype dtype)
{
    const pymic2__dtype_info *info = &dtype_infos[dtype];
    for (int d = 0; d < PYMIC2_NUM_DTYPES && info->compute_size != info->size; d++)
        if (dtype_infos[d].dtype_class == info->dtype_class &&
            dtype_infos[d].size == info->compute_size)
            return (pymic2_dtype)d;
    return dtype;
}

size_t pymic2__dtype_compute_size(pymic2_dtype dtype)
{
    return dtype_infos[dtype].compute_size;
}

/* A scalar's value stored as an element: converted from the compute type (exactly: the
 * scalar holds a value of the dtype), complex parts as they are. */
#define PYMIC2__STORE_BOOL(ctype, member) ctype stored = (ctype)value.member
#define PYMIC2__STORE_INT PYMIC2__STORE_BOOL
#define PYMIC2__STORE_FLOAT PYMIC2__STORE_BOOL
#define PYMIC2__STORE_COMPLEX(ctype, member)                                                  \
    ctype stored;                                                                             \
    memcpy(&stored, value.member, sizeof stored)
void pymic2__scalar_store(pymic2_dtype dtype, pymic2_scalar value, void *element)
{
    switch (dtype) {
#define PYMIC2__STORE_CASE(context, NAME, name, ctype, CLASS, wrap, REAL, real_ctype, member,  \
                           ...)                                                                \
    case PYMIC2_##NAME: {                                                                      \
        PYMIC2__STORE_##CLASS(ctype, member);                                                  \
        memcpy(element, &stored, sizeof stored);                                               \
        return;                                                                                \
    }
        PYMIC2_DTYPE_TABLE(PYMIC2__STORE_CASE, ~)
#undef PYMIC2__STORE_CASE
    default: return;
    }
}
#undef PYMIC2__STORE_BOOL
#undef PYMIC2__STORE_INT
#undef PYMIC2__STORE_FLOAT
#undef PYMIC2__STORE_COMPLEX

bool pymic2__dtype_int_limits(pymic2_dtype dtype, int64_t *lowest, int64_t *highest)
{
    if (!dtype_valid(dtype) || dtype_infos[dtype].dtype_class != PYMIC2__CLASS_INT)
        return false;
    *lowest = dtype_infos[dtype].lowest;
    *highest = dtype_infos[dtype].highest;
    return true;
}

/* A real scalar's value as a double: the sign survives the conversion. */
#define PYMIC2__REAL_VALUE_BOOL(ctype, member) 0.0
#define PYMIC2__REAL_VALUE_INT(ctype, member) (double)value.member
#define PYMIC2__REAL_VALUE_FLOAT(ctype, member) (double)value.member
#define PYMIC2__REAL_VALUE_COMPLEX(ctype, member) 0.0
bool pymic2__scalar_is_negative(pymic2_dtype dtype, pymic2_scalar value)
{
    switch (dtype) {
#define PYMIC2__NEGATIVE_CASE(context, NAME, name, ctype, CLASS, wrap, REAL, real_ctype, member, \
                              ...)                                                             \
    case PYMIC2_##NAME: return PYMIC2__REAL_VALUE_##CLASS(ctype, member) < 0;
        PYMIC2_DTYPE_TABLE(PYMIC2__NEGATIVE_CASE, ~)
#undef PYMIC2__NEGATIVE_CASE
    default: return false;
    }
}
#undef PYMIC2__REAL_VALUE_BOOL
#undef PYMIC2__REAL_VALUE_INT
#undef PYMIC2__REAL_VALUE_FLOAT
#undef PYMIC2__REAL_VALUE_COMPLEX

void pymic2__dtype_names_of_class(pymic2__dtype_class dtype_class, char *text, size_t size)
{
    int count = 0, written = 0;
    for (int d = 0; d < PYMIC2_NUM_DTYPES; d++)
        count += dtype_infos[d].dtype_class == dtype_class;
    size_t used = 0;
    text[0] = '\0';
    for (int d = 0; d < PYMIC2_NUM_DTYPES && used < size; d++) {
        if (dtype_infos[d].dtype_class != dtype_class)
            continue;
        written++;
        const char *separator = written == 1 ? "" : written == count ? " or " : ", ";
        used += (size_t)snprintf(text + used, size - used, "%s%s", separator,
                                 dtype_infos[d].name);
    }
}

/* ---------------------------------------------------------------- promotion (NEP 50) */

/* Kinds in NumPy's order: a higher kind can hold the values of the lower ones' category. */
static int kind_rank(char kind)
{
    switch (kind) {
    case 'b': return 0;
    case 'u':
    case 'i': return 1;
    case 'f': return 2;
    case 'c': return 3;
    default: return -1;
    }
}

static bool valid_type(pymic2_type type)
{
    if (kind_rank(type.kind) < 0)
        return false;
    if (type.size == 0) /* a weak Python scalar: int, float or complex */
        return type.kind != 'b' && type.kind != 'u';
    if (type.kind == 'b')
        return type.size == 1;
    const int smallest = type.kind == 'f' ? 2 : type.kind == 'c' ? 8 : 1;
    return type.size >= smallest && type.size <= 32 && (type.size & (type.size - 1)) == 0;
}

/* The size of the smallest float holding every value of an integer of `size` bytes
 * (NumPy's: int8 -> float16, int16 -> float32, wider -> float64). */
static int float_size_for_int(int size)
{
    return size == 1 ? 2 : size == 2 ? 4 : 8;
}

/* NumPy's default dtype of a weak Python scalar's kind. */
static pymic2_type default_type(char kind)
{
    return (pymic2_type){kind, kind == 'c' ? 16 : 8};
}

static bool same_type(pymic2_type a, pymic2_type b)
{
    return a.kind == b.kind && a.size == b.size;
}

/* NumPy's type number of a strong type: the order in which its DTypes take over promotion
 * (the higher one answers; float16, numbered after every other, answers for all). */
static int type_number(pymic2_type type)
{
    const int log_size = __builtin_ctz((unsigned)type.size);
    switch (type.kind) {
    case 'b': return 0;
    case 'i': return 1 + 2 * log_size; /* int8 1, int16 3, int32 5, int64 7 */
    case 'u': return 2 + 2 * log_size;
    case 'f': return type.size == 2 ? 23 : 9 + log_size; /* float32 11, float64 12 */
    default: return 11 + log_size;                       /* complex64 14, complex128 15 */
    }
}

static pymic2_type promote_strong(pymic2_type a, pymic2_type b)
{
    if (kind_rank(a.kind) > kind_rank(b.kind) || (a.kind == 'i' && b.kind == 'u')) {
        pymic2_type swap = a;
        a = b;
        b = swap;
    }
    /* now a's kind is not above b's; u before i */
    const int larger = a.size > b.size ? a.size : b.size;
    if (a.kind == b.kind || a.kind == 'b')
        return a.kind == 'b' ? b : (pymic2_type){b.kind, larger};
    if (a.kind == 'u' && b.kind == 'i') /* a signed type with room for the unsigned one */
        return b.size > a.size ? b : a.size < 8 ? (pymic2_type){'i', 2 * a.size}
                                                : (pymic2_type){'f', 8};
    /* a is an integer below a float or complex b, or a float below a complex b */
    const int a_float = a.kind == 'f' ? a.size : float_size_for_int(a.size);
    const int needed = b.kind == 'c' ? 2 * a_float : a_float;
    return (pymic2_type){b.kind, b.size > needed ? b.size : needed};
}

/*
 * One side of NumPy's common DType of a and b (the __common_dtype__ of its numeric DTypes and
 * of the abstract ones of Python scalars, NEP 50): false where NumPy's says NotImplemented and
 * lets b answer. A strong type answers for the lower-numbered ones and for the weak scalars
 * of its kind or below (a float with a complex scalar: the complex of its precision); a weak
 * scalar for bool and, above int, the integers (as NumPy's default dtype of its kind) and for
 * the weak scalars of lower kinds.
 */
static bool common_type(pymic2_type a, pymic2_type b, pymic2_type *result)
{
    if (a.size == 0 && b.size == 0) {
        *result = a;
        return kind_rank(a.kind) >= kind_rank(b.kind);
    }
    if (a.size == 0) {
        *result = default_type(a.kind);
        return b.kind == 'b' || (a.kind != 'i' && (b.kind == 'i' || b.kind == 'u'));
    }
    if (b.size == 0) {
        if (a.kind == 'b')
            return false;
        if (b.kind == 'c' && a.kind == 'f') {
            *result = (pymic2_type){'c', a.size * 2 < 8 ? 8 : a.size * 2};
            return true;
        }
        *result = a;
        return kind_rank(b.kind) <= kind_rank(a.kind);
    }
    if (type_number(a) < type_number(b))
        return false;
    *result = promote_strong(a, b);
    return true;
}

/* NumPy's PyArray_CommonDType: a's answer, else b's (one of them always answers here). */
static pymic2_type common_either(pymic2_type a, pymic2_type b)
{
    pymic2_type result = a;
    if (!same_type(a, b) && !common_type(a, b, &result))
        common_type(b, a, &result);
    return result;
}

int pymic2_promote_types(pymic2_type a, pymic2_type b, pymic2_type *result)
{
    if (!valid_type(a) || !valid_type(b))
        return pymic2__error(PYMIC2_EINVAL, "type promotion: no NumPy numeric type of kind "
                             "'%c' and size %d", valid_type(a) ? b.kind : a.kind,
                             valid_type(a) ? b.size : a.size);
    *result = common_either(a, b);
    return PYMIC2_OK;
}

/* NumPy's reduce_dtypes_to_most_knowledgeable: pairs from both ends, each pair's answering
 * side moved to the lower half and a type that cannot change the result cleared (size -1),
 * until types[0] is the main type. Returns whether the last pair had a common type (in
 * *last). */
static bool reduce_to_main(pymic2_type *types, int length, pymic2_type *last)
{
    for (;;) {
        const int half = length / 2;
        bool answered = false;
        for (int low = 0; low < half; low++) {
            const int high = length - 1 - low;
            *last = types[low];
            answered = same_type(types[low], types[high]) ||
                       common_type(types[low], types[high], last);
            if (!answered) {
                pymic2_type swap = types[low];
                types[low] = types[high];
                types[high] = swap;
            } else if (same_type(*last, types[low])) {
                types[high].size = -1;
            }
        }
        if (length == 2)
            return answered;
        length -= half;
    }
}

int pymic2_promote_sequence(int n, const pymic2_type *types, pymic2_type *result)
{
    if (n < 1 || types == NULL)
        return pymic2__error(PYMIC2_EINVAL, "type promotion: %d types", n);
    for (int i = 0; i < n; i++)
        if (!valid_type(types[i]))
            return pymic2__error(PYMIC2_EINVAL, "type promotion: no NumPy numeric type of "
                                 "kind '%c' and size %d", types[i].kind, types[i].size);
    if (n == 1) {
        *result = types[0];
        return PYMIC2_OK;
    }
    pymic2_type *sorted = malloc((size_t)n * sizeof *sorted);
    if (sorted == NULL)
        return pymic2__error(PYMIC2_ENOMEM, "type promotion: no memory for %d types", n);
    memcpy(sorted, types, (size_t)n * sizeof *sorted);
    /* the main type promotes every other, the results fold with one another (NumPy's
     * PyArray_PromoteDTypeSequence; for builtin DTypes the main one answers for all) */
    pymic2_type common;
    const bool answered = reduce_to_main(sorted, n, &common);
    bool have = answered;
    for (int i = answered ? 2 : 1; i < n; i++) {
        if (sorted[i].size < 0)
            continue;
        pymic2_type promotion = sorted[0];
        common_type(sorted[0], sorted[i], &promotion);
        common = have ? common_either(common, promotion) : promotion;
        have = true;
    }
    free(sorted);
    *result = common;
    return PYMIC2_OK;
}

pymic2_type pymic2_dtype_type(pymic2_dtype dtype)
{
    if (!dtype_valid(dtype))
        return (pymic2_type){0, 0};
    return (pymic2_type){pymic2_dtype_kind(dtype), (int)dtype_infos[dtype].size};
}

/* Whether every value of type fits dtype (by kind and size, as NumPy's safe casts between
 * equal kinds and from unsigned to wider signed integers). */
int pymic2_dtype_for_type(pymic2_type type, pymic2_dtype *dtype)
{
    if (!valid_type(type))
        return pymic2__error(PYMIC2_EINVAL, "type promotion: no NumPy numeric type of kind "
                             "'%c' and size %d", type.kind, type.size);
    if (type.size == 0)
        type = default_type(type.kind);
    for (int d = 0; d < PYMIC2_NUM_DTYPES; d++) {
        const pymic2_type row = pymic2_dtype_type((pymic2_dtype)d);
        if (row.kind == type.kind && row.size == type.size) {
            *dtype = (pymic2_dtype)d;
            return PYMIC2_OK;
        }
    }
    return pymic2__error(PYMIC2_EDTYPE, "no dtype of pyMIC2 holds the values of NumPy's "
                         "%s%d", type.kind == 'i'   ? "int"
                                 : type.kind == 'u' ? "uint"
                                 : type.kind == 'f' ? "float"
                                                    : "complex",
                         8 * type.size);
}

int pymic2_dtype_promote(pymic2_dtype a, pymic2_dtype b, pymic2_dtype *result)
{
    if (!dtype_valid(a) || !dtype_valid(b))
        return pymic2__error(PYMIC2_EINVAL, "type promotion: unknown dtype code %d",
                             dtype_valid(a) ? (int)b : (int)a);
    pymic2_type promoted;
    int status = pymic2_promote_types(pymic2_dtype_type(a), pymic2_dtype_type(b), &promoted);
    return status < 0 ? status : pymic2_dtype_for_type(promoted, result);
}
