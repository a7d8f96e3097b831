/*
 * dtypes.c - sizes, names and classes of the dtypes, from PYMIC2__DTYPE_TABLE.
 */
#include "op_table.h"

typedef struct pymic2__dtype_info {
    size_t size;
    const char *name;
    pymic2__dtype_class dtype_class;
    pymic2_dtype real;
} pymic2__dtype_info;

static const pymic2__dtype_info dtype_infos[PYMIC2_NUM_DTYPES] = {
#define PYMIC2__DTYPE_INFO(context, NAME, name, ctype, CLASS, wrap, REAL, real_ctype) \
    [PYMIC2_##NAME] = {sizeof(ctype), #name, PYMIC2__CLASS_##CLASS, PYMIC2_##REAL},
    PYMIC2__DTYPE_TABLE(PYMIC2__DTYPE_INFO, ~)
#undef PYMIC2__DTYPE_INFO
};

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

pymic2__dtype_class pymic2__dtype_class_of(pymic2_dtype dtype)
{
    return dtype_infos[dtype].dtype_class;
}

pymic2_dtype pymic2__dtype_real(pymic2_dtype dtype)
{
    return dtype_infos[dtype].real;
}
