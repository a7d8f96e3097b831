/*
 * dtypes.c - sizes, names, kinds and classes of the dtypes, from PYMIC2_DTYPE_TABLE, and
 * NumPy 2's type promotion (the one place the project's promotion rule lives; the Python
 * module calls it through _core.result_type).
 */
#include "op_table.h"

#include "../core/core.h"

#include <stdio.h>
#include <string.h>

typedef struct pymic2__dtype_info {
    size_t size;
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
                           lowest, highest, ...)                                               \
    [PYMIC2_##NAME] = {sizeof(ctype), #name, PYMIC2__CLASS_##CLASS, PYMIC2_##REAL,             \
                       (real_ctype)-1 < (real_ctype)1, PYMIC2__LIMIT_##CLASS(lowest),          \
                       PYMIC2__LIMIT_##CLASS(highest)},
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

/* A strong type with a weak scalar of a kind (NEP 50): the type if the scalar's kind is not
 * above its own; else the scalar's kind at the type's precision where NumPy has one (a
 * float with a complex scalar), else the default of the scalar's kind. */
static pymic2_type promote_weak(pymic2_type strong, char weak_kind)
{
    if (kind_rank(weak_kind) <= kind_rank(strong.kind) && strong.kind != 'b')
        return strong;
    if (weak_kind == 'c' && strong.kind == 'f')
        return (pymic2_type){'c', strong.size * 2 < 8 ? 8 : strong.size * 2};
    return default_type(weak_kind);
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

int pymic2_promote_types(pymic2_type a, pymic2_type b, pymic2_type *result)
{
    if (!valid_type(a) || !valid_type(b))
        return pymic2__error(PYMIC2_EINVAL, "type promotion: no NumPy numeric type of kind "
                             "'%c' and size %d", valid_type(a) ? b.kind : a.kind,
                             valid_type(a) ? b.size : a.size);
    if (a.size == 0 && b.size == 0) /* two weak scalars: the higher kind, still weak */
        *result = kind_rank(a.kind) >= kind_rank(b.kind) ? a : b;
    else if (a.size == 0)
        *result = promote_weak(b, a.kind);
    else if (b.size == 0)
        *result = promote_weak(a, b.kind);
    else
        *result = promote_strong(a, b);
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
static bool holds(pymic2_dtype dtype, pymic2_type type)
{
    const pymic2_type target = pymic2_dtype_type(dtype);
    if (target.kind == type.kind)
        return target.size >= type.size;
    return target.kind == 'i' && type.kind == 'u' && target.size > type.size;
}

int pymic2_dtype_for_type(pymic2_type type, pymic2_dtype *dtype)
{
    if (!valid_type(type))
        return pymic2__error(PYMIC2_EINVAL, "type promotion: no NumPy numeric type of kind "
                             "'%c' and size %d", type.kind, type.size);
    if (type.size == 0)
        type = default_type(type.kind);
    int best = -1;
    for (int d = 0; d < PYMIC2_NUM_DTYPES; d++)
        if (holds((pymic2_dtype)d, type) &&
            (best < 0 || dtype_infos[d].size < dtype_infos[best].size))
            best = d;
    if (best < 0)
        return pymic2__error(PYMIC2_EDTYPE, "no dtype of pyMIC2 holds the values of NumPy's "
                             "%s%d", type.kind == 'i'   ? "int"
                                     : type.kind == 'u' ? "uint"
                                     : type.kind == 'f' ? "float"
                                                        : "complex",
                             8 * type.size);
    *dtype = (pymic2_dtype)best;
    return PYMIC2_OK;
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
