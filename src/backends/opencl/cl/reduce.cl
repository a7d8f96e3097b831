/*
 * Reductions over the merged dimensions of the input. The generator defines before this
 * text: TI, ACC and TO (input, accumulator and output types in memory), TOC (the output's
 * compute type), LOAD_IN(p, i) and STORE_OUT(p, i, v) (element access, see define_access),
 * NARROW(VALUE) (an accumulator value in TOC: a conversion, as vector types cannot be cast),
 * pymic2_round_out(x) (an accumulator rounded to the output's precision), LIFT(VALUE) (an
 * input element as an accumulator value), IDENTITY, KEPT and REDUCED (the kept and reduced
 * dimension counts: kernel arguments), GROUP (the work-group size of
 * pymic2_reduce_partial), pymic2_combine(a, b), PYMIC2_ARG (argmax/argmin: the index
 * travels with the value, -1 for none yet; then IS_NAN(x) and BETTER(v, w) too),
 * PYMIC2_CUMULATIVE (a scan, kernel pymic2_scan), SEGMENTED and PYMIC2_ROUND_EACH_STEP (see
 * where they are used).
 */
#if PYMIC2_ARG
/* the first extremum, or the first NaN: does (v, i) beat (best, at)? */
bool pymic2_arg_beats(ACC v, long i, ACC best, long at)
{
    if (at < 0)
        return i >= 0;
    if (i < 0)
        return false;
    if (IS_NAN(best))
        return IS_NAN(v) && i < at;
    if (IS_NAN(v))
        return true;
    return BETTER(v, best) || (v == best && i < at);
}
#endif
/*
 * Geometry (longs): kept shape[KEPT], kept input strides[KEPT], output strides[KEPT],
 * reduced shape[REDUCED], reduced input strides[REDUCED]; strides in elements.
 */
long kept_offset(__global const long *g, int kept, long m, long *out_at)
{
    long at = 0, o = 0;
    for (int d = KEPT - 1; d >= 0; d--) {
        const long j = m % g[d];
        m /= g[d];
        at += j * g[KEPT + d];
        o += j * g[2 * KEPT + d];
    }
    *out_at = o;
    return at;
}
long reduced_offset(__global const long *g, int kept, int reduced, long r)
{
    long at = 0;
    for (int d = REDUCED - 1; d >= 0; d--) {
        const long j = r % g[3 * KEPT + d];
        r /= g[3 * KEPT + d];
        at += j * g[3 * KEPT + REDUCED + d];
    }
    return at;
}
#if PYMIC2_CUMULATIVE
/* one work-item per line along the (single) reduced dimension */
__kernel void pymic2_scan(__global const TI *in, long in_offset, __global TO *out,
        long out_offset, long lines, long length, __global const long *g, int kept,
        int reduced, long out_stride)
{
    const long m = get_global_id(0);
    if (m >= lines)
        return;
    long o;
    const long at = in_offset + kept_offset(g, kept, m, &o);
    const long step = g[3 * KEPT + REDUCED];
    o += out_offset;
    ACC acc = LIFT(LOAD_IN(in, at)); /* the first element as is: -0.0 stays */
    STORE_OUT(out, o, NARROW(acc));
    for (long r = 1; r < length; r++) {
        /* each step rounded to the output, as NumPy's accumulate (float16 in float) */
        acc = pymic2_round_out(pymic2_combine(acc, LIFT(LOAD_IN(in, at + r * step))));
        STORE_OUT(out, o + r * out_stride, NARROW(acc));
    }
}
#else
/* FOLD_INTO(a, a_at, v, i): accumulator a (at index a_at) takes element v (at index i) */
#if PYMIC2_ARG
#define FOLD_INTO(a, a_at, v, i) if (pymic2_arg_beats((v), (i), a, a_at)) { a = (v); a_at = (i); }
#define WRITE_OUT(o) STORE_OUT(out, o, acc_at)
#else
#define FOLD_INTO(a, a_at, v, i) a = pymic2_combine(a, (v));
#define WRITE_OUT(o) STORE_OUT(out, o, NARROW(acc))
#endif
#define FOLD(v, i) FOLD_INTO(acc, acc_at, v, i)
/*
 * Pass 1: work-group (m, chunk) folds the elements [chunk * per_chunk, ...) of output m,
 * then a tree in local memory. With one chunk it writes the output; else
 * partial[m * chunks + chunk]. On CPU devices (SEGMENTED) a work-group's items run in turn
 * on one core: each item then folds a contiguous segment (one pass over memory, four
 * independent accumulators); on GPUs items run side by side and work-item j takes every
 * GROUP-th element (coalesced loads).
 */
__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void pymic2_reduce_partial(__global const TI *in, long in_offset, __global TO *out,
        long out_offset, long length, long chunks, long per_chunk, __global const long *g,
        int kept, int reduced, __global ACC *partial
#if PYMIC2_ARG
        , __global long *partial_index
#endif
        )
{
    __local ACC values[GROUP];
    __local long indices[GROUP];
    const int j = get_local_id(0);
    const long group = get_group_id(0);
    const long m = group / chunks, chunk = group % chunks;
    long o;
    const long base = in_offset + kept_offset(g, kept, m, &o);
    const long begin = chunk * per_chunk;
    const long end = min(begin + per_chunk, length);
    ACC acc = IDENTITY;
    long acc_at = -1;
    if (REDUCED == 1 && SEGMENTED) {
        const long step = g[3 * KEPT + 1];
        const long size = (end - begin + GROUP - 1) / GROUP;
        const long first = min(begin + j * size, end), last = min(first + size, end);
        ACC acc2 = IDENTITY, acc3 = IDENTITY, acc4 = IDENTITY;
        long acc2_at = -1, acc3_at = -1, acc4_at = -1;
        long r = first;
        for (; r + 3 < last; r += 4) {
            const ACC v1 = LIFT(LOAD_IN(in, base + r * step));
            const ACC v2 = LIFT(LOAD_IN(in, base + (r + 1) * step));
            const ACC v3 = LIFT(LOAD_IN(in, base + (r + 2) * step));
            const ACC v4 = LIFT(LOAD_IN(in, base + (r + 3) * step));
            FOLD_INTO(acc, acc_at, v1, r);
            FOLD_INTO(acc2, acc2_at, v2, r + 1);
            FOLD_INTO(acc3, acc3_at, v3, r + 2);
            FOLD_INTO(acc4, acc4_at, v4, r + 3);
        }
        for (; r < last; r++) {
            const ACC v = LIFT(LOAD_IN(in, base + r * step));
            FOLD(v, r);
        }
        FOLD(acc2, acc2_at);
        FOLD(acc3, acc3_at);
        FOLD(acc4, acc4_at);
    } else if (REDUCED == 1) {
        const long step = g[3 * KEPT + 1];
        for (long r = begin + j; r < end; r += GROUP) {
            const ACC v = LIFT(LOAD_IN(in, base + r * step));
            FOLD(v, r);
        }
    } else {
        for (long r = begin + j; r < end; r += GROUP) {
            const ACC v = LIFT(LOAD_IN(in, base + reduced_offset(g, kept, reduced, r)));
            FOLD(v, r);
        }
    }
    values[j] = acc;
    indices[j] = acc_at;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int width = GROUP / 2; width > 0; width /= 2) {
        if (j < width) {
            acc = values[j];
            acc_at = indices[j];
            const ACC v = values[j + width];
            const long i = indices[j + width];
            FOLD(v, i);
            values[j] = acc;
            indices[j] = acc_at;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (j == 0) {
        acc = values[0];
        acc_at = indices[0];
        if (chunks == 1) {
            WRITE_OUT(out_offset + o);
        } else {
            partial[m * chunks + chunk] = acc;
#if PYMIC2_ARG
            partial_index[m * chunks + chunk] = acc_at;
#endif
        }
    }
}
/* Pass 2: one work-item per output folds its chunks in order. */
__kernel void pymic2_reduce_final(__global TO *out, long out_offset, long outputs,
        long chunks, __global const long *g, int kept, int reduced,
        __global const ACC *partial
#if PYMIC2_ARG
        , __global const long *partial_index
#endif
        )
{
    const long m = get_global_id(0);
    if (m >= outputs)
        return;
    long o;
    kept_offset(g, kept, m, &o);
    ACC acc = IDENTITY;
    long acc_at = -1;
    for (long c = 0; c < chunks; c++) {
        const ACC v = partial[m * chunks + c];
#if PYMIC2_ARG
        const long i = partial_index[m * chunks + c];
#else
        const long i = c;
#endif
        FOLD(v, i);
    }
    WRITE_OUT(out_offset + o);
}
/* Columns: one work-item per output, sequential over its elements (the kept dimension
 * is the contiguous one, so neighbouring work-items read neighbouring elements). */
__kernel void pymic2_reduce_columns(__global const TI *in, long in_offset,
        __global TO *out, long out_offset, long outputs, long length,
        __global const long *g, int kept, int reduced)
{
    const long m = get_global_id(0);
    if (m >= outputs)
        return;
    long o;
    const long base = in_offset + kept_offset(g, kept, m, &o);
    ACC acc = IDENTITY;
    long acc_at = -1;
    for (long r = 0; r < length; r++) {
        const ACC v = LIFT(LOAD_IN(in, base + reduced_offset(g, kept, reduced, r)));
        FOLD(v, r);
#if PYMIC2_ROUND_EACH_STEP
        /* a sequential column sum rounds each step to the output dtype, as NumPy's own
         * axis-0 loop does (a float32 sum of two floats computed in float64 and rounded
         * is the float32 sum exactly): the results stay NumPy's bit for bit */
        acc = pymic2_round_out(acc);
#endif
    }
    WRITE_OUT(out_offset + o);
}
#endif
