/*
 * loops.h - the host's inner loops for built-in ops and reductions, generated from
 * src/ops/op_table.h and compiled once per SIMD target (loops.c, reduce_loops.c with
 * -DPYMIC2__SIMD_TARGET=<name>); loops_dispatch.c picks the target at run time.
 *
 * Elementwise: one signature for every op and dtype (NumPy's lesson): args are the inputs
 * then the output, n the element count, steps the byte strides (0 broadcasts a value), data
 * a pymic2__loop_state. A loop picks a contiguous (vectorised), scalar-input or strided body
 * itself; any alignment and any stride are accepted.
 */
#ifndef PYMIC2_HOST_LOOPS_H
#define PYMIC2_HOST_LOOPS_H

#include "pymic2.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*pymic2__loop_fn)(char **args, int64_t n, const int64_t *steps, void *data);

/* Shared by the threads running one op. */
typedef struct pymic2__loop_state {
    atomic_int invalid; /* set when an element's inputs are not allowed (x ** -1 on ints) */
} pymic2__loop_state;

/*
 * A reduction's kernels for one input dtype. "acc" values have the accumulator type (the
 * output dtype's compute type, float for float16; for argmax/argmin the input's, with int64
 * indices beside), which emit turns into output elements. Elements are read at `in`, `step`
 * bytes apart (any alignment). Rows of accumulators are contiguous and aligned. Every fold
 * starts from values made by lift (there is no identity for max).
 */
typedef struct pymic2__reduce_kernels {
    size_t acc_size;
    /* accs[j] = lift(in[j]) for j < n */
    void (*lift)(void *accs, const char *in, int64_t n, int64_t step);
    /* *acc = the fold of n >= 1 elements (pairwise/blocked; not combined with *acc) */
    void (*fold)(void *acc, const char *in, int64_t n, int64_t step);
    /* the same result, for inputs read from memory: contiguous ones are prefetched ahead */
    void (*fold_far)(void *acc, const char *in, int64_t n, int64_t step);
    /* accs[j] = combine(accs[j], lift(row r's in[j])) for j < n, r = 0 .. rows-1 in order:
     * input rows (row r at in + r * row_step) into a row of accumulators, several per pass
     * so the accumulators are loaded and stored once per group of rows */
    void (*fold_rows)(void *accs, const char *in, int64_t n, int64_t step, int64_t rows,
                      int64_t row_step);
    /* *acc = combine(*acc, *other) */
    void (*combine)(void *acc, const void *other);
    /* output element j at out + j * stride = accs[j], for j < n (not argmax/argmin) */
    void (*emit)(char *out, int64_t stride, const void *accs, int64_t n);
    /* *acc = the identity (sum 0, prod 1, all true ...); NULL when there is none */
    void (*identity)(void *acc);
    /* argmax/argmin: the first extremum (or first NaN) of n >= 1 elements into *best and
     * *index (base + its position) */
    void (*arg_fold)(void *best, int64_t *index, const char *in, int64_t n, int64_t step,
                     int64_t base);
    /* argmax/argmin: best[j], index[j] = in[j], row + r when row r's in[j] is better, for
     * j < n, r = 0 .. rows-1 in order (rows as for fold_rows) */
    void (*arg_fold_rows)(void *best, int64_t *index, const char *in, int64_t n, int64_t step,
                          int64_t row, int64_t rows, int64_t row_step);
    /* argmax/argmin: merge (other, other_index) into (best, index): better, or as good
     * with a smaller index */
    void (*arg_merge)(void *best, int64_t *index, const void *other, int64_t other_index);
} pymic2__reduce_kernels;

/* Per-target names: pymic2__host_loop_find_avx2 ... */
#define PYMIC2__SIMD_CONCAT(name, target) name##_##target
#define PYMIC2__SIMD_EXPAND(name, target) PYMIC2__SIMD_CONCAT(name, target)
#define PYMIC2__SIMD_NAME(name) PYMIC2__SIMD_EXPAND(name, PYMIC2__SIMD_TARGET)

/* The selected target's loop for op from input dtype to output dtype, or NULL if none. */
pymic2__loop_fn pymic2__host_loop_find(pymic2_op op, pymic2_dtype input, pymic2_dtype output);
/* The selected target's kernels of a reduction for an input dtype, or NULL if none. */
const pymic2__reduce_kernels *pymic2__host_reduce_find(pymic2_reduction reduction,
                                                       pymic2_dtype input);

/* Selects a target by name ("baseline", "avx2", "avx512"): ENOTSUP if this CPU or build
 * cannot run it, EINVAL for an unknown name. For tests; not safe while ops run. */
int pymic2__host_simd_select(const char *name);

#endif /* PYMIC2_HOST_LOOPS_H */
