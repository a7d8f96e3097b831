/*
 * op_table.c - the validation view of the op rows: name, arity, output rule and which
 * dtype classes each op rejects (and why).
 */
#include "op_table.h"

#include "../core/core.h"

#include <stddef.h>

/* A class column arrives expanded, as `1, expression` or `0, reason`: keep the reason. */
#define PYMIC2__REJECT_1(expression) NULL
#define PYMIC2__REJECT_0(reason) reason

#define PYMIC2__OP_INFO_ROW(NAME, lname, n, RULE, bool_ok, bool_what, int_ok, int_what,      \
                            float_ok, float_what, complex_ok, complex_what)                \
    {                                                                                      \
        .name = #lname,                                                                    \
        .ninputs = n,                                                                      \
        .dtype_input = PYMIC2__OUT_##RULE == PYMIC2__OUT_SELECT,                           \
        .rule = PYMIC2__OUT_##RULE,                                                        \
        .rejects = {                                                                       \
            [PYMIC2__CLASS_BOOL] = PYMIC2__REJECT_##bool_ok(bool_what),                    \
            [PYMIC2__CLASS_INT] = PYMIC2__REJECT_##int_ok(int_what),                       \
            [PYMIC2__CLASS_FLOAT] = PYMIC2__REJECT_##float_ok(float_what),                 \
            [PYMIC2__CLASS_COMPLEX] = PYMIC2__REJECT_##complex_ok(complex_what),           \
        },                                                                                 \
        .rejects_narrow =                                                                  \
            PYMIC2_OP_##NAME == PYMIC2_OP_BIAS_RELU || PYMIC2_OP_##NAME == PYMIC2_OP_RELU_GRAD \
                ? PYMIC2__REJECT_##bool_ok(bool_what)                                      \
            : PYMIC2_OP_##NAME == PYMIC2_OP_NEXTAFTER || PYMIC2_OP_##NAME == PYMIC2_OP_SPACING \
                ? #lname " steps in float16's own precision, which the device does not "   \
                  "compute yet: cast the input to float32 first"                           \
                : NULL,                                                                    \
    },
#define PYMIC2__OP_INFO(NAME, lname, n) \
    [PYMIC2_OP_##NAME] = PYMIC2__CALL(PYMIC2__OP_INFO_ROW, NAME, lname, n, PYMIC2__OP_ROW_##NAME)
static const pymic2__op_info op_infos[PYMIC2_NUM_OPS] = {PYMIC2_OP_TABLE(PYMIC2__OP_INFO)};
#undef PYMIC2__OP_INFO
#undef PYMIC2__OP_INFO_ROW

const pymic2__op_info *pymic2__op_get_info(pymic2_op op)
{
    return &op_infos[op];
}

pymic2_dtype pymic2__op_out_dtype(const pymic2__op_info *info, pymic2_dtype input)
{
    switch (info->rule) {
    case PYMIC2__OUT_REAL: return pymic2__dtype_real(input);
    case PYMIC2__OUT_BOOL: return PYMIC2_BOOL;
    case PYMIC2__OUT_UINT8: return PYMIC2_UINT8;
    default: return input; /* SAME, SELECT, IOTA; ANY: the caller's choice */
    }
}

int pymic2_op_result_dtype(pymic2_op op, pymic2_dtype input, pymic2_dtype *output)
{
    if ((int)op < 0 || (int)op >= PYMIC2_NUM_OPS || pymic2_dtype_size(input) == 0)
        return pymic2__error(PYMIC2_EINVAL, "op result dtype: unknown op %d or dtype %d",
                             (int)op, (int)input);
    *output = pymic2__op_out_dtype(&op_infos[op], input);
    return PYMIC2_OK;
}

#define PYMIC2__REDUCE_INFO(NAME, lname, OP, OUT)                                          \
    [PYMIC2_REDUCE_##NAME] = {                                                             \
        .name = #lname,                                                                    \
        .op = PYMIC2_OP_##OP,                                                              \
        .out = PYMIC2__REDUCE_OUT_##OUT,                                                   \
        .has_identity = PYMIC2_REDUCE_##NAME != PYMIC2_REDUCE_MAX &&                       \
                        PYMIC2_REDUCE_##NAME != PYMIC2_REDUCE_MIN &&                       \
                        PYMIC2_REDUCE_##NAME != PYMIC2_REDUCE_ARGMAX &&                    \
                        PYMIC2_REDUCE_##NAME != PYMIC2_REDUCE_ARGMIN,                      \
        .arg = PYMIC2_REDUCE_##NAME == PYMIC2_REDUCE_ARGMAX ||                             \
               PYMIC2_REDUCE_##NAME == PYMIC2_REDUCE_ARGMIN,                               \
        .cumulative = PYMIC2_REDUCE_##NAME == PYMIC2_REDUCE_CUMSUM ||                      \
                      PYMIC2_REDUCE_##NAME == PYMIC2_REDUCE_CUMPROD,                       \
    },
static const pymic2__reduce_info reduce_infos[PYMIC2_NUM_REDUCTIONS] = {
    PYMIC2_REDUCTION_TABLE(PYMIC2__REDUCE_INFO)};
#undef PYMIC2__REDUCE_INFO

const pymic2__reduce_info *pymic2__reduce_get_info(pymic2_reduction reduction)
{
    return &reduce_infos[reduction];
}
