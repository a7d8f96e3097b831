/*
 * pymic2_ops.h - the list of built-in ops (included by pymic2.h).
 *
 * Each row: XX(NAME, name, ninputs). COPY converts between dtypes and, given a scalar input,
 * fills. What an op computes, per dtype, is written once in src/ops/ (one row per op), and
 * every backend generates its loops or kernel source from that.
 */
#ifndef PYMIC2_OPS_H
#define PYMIC2_OPS_H

#define PYMIC2_OP_TABLE(XX)        \
    XX(COPY, copy, 1)             \
    XX(NEGATIVE, negative, 1)     \
    XX(ABSOLUTE, absolute, 1)     \
    XX(ADD, add, 2)               \
    XX(SUBTRACT, subtract, 2)     \
    XX(MULTIPLY, multiply, 2)     \
    XX(POWER, power, 2)

typedef enum pymic2_op {
#define PYMIC2__OP_ENUM(NAME, name, ninputs) PYMIC2_OP_##NAME,
    PYMIC2_OP_TABLE(PYMIC2__OP_ENUM)
#undef PYMIC2__OP_ENUM
    PYMIC2_NUM_OPS
} pymic2_op;

#endif /* PYMIC2_OPS_H */
