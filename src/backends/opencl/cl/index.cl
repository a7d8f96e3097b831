/*
 * Gathers and scatters through NINDICES index arrays, for the element type ELEMENT. The
 * generator defines before this text: ELEMENT (the compute type) and STORED (the type in
 * memory), LOAD(p, i) and STORE(p, i, v) (element access: see define_access), NINDICES,
 * pymic2_add (the add row for scatter-add), INDEX_PARAMS and INDEX_ARGS (each index array
 * and its offset, as parameters and as arguments) and read_index(j, at INDEX_PARAMS).
 *
 * Geometry (longs), dimensions split as the result O + S + N (see pymic2_index_desc):
 *   O: shape, array strides, values strides      (n_outer each)
 *   S: shape, values strides, then per index array its strides   (n_select each)
 *   N: shape, array strides, values strides      (n_inner each)
 *   per index array: the indexed axis's size and array stride
 * Strides and offsets in elements.
 */
#define O_SHAPE(d) g[d]
#define O_ARRAY(d) g[n_outer + (d)]
#define O_VALUES(d) g[2 * n_outer + (d)]
#define S_BASE (3 * n_outer)
#define S_SHAPE(d) g[S_BASE + (d)]
#define S_VALUES(d) g[S_BASE + n_select + (d)]
#define S_INDEX(j, d) g[S_BASE + (2 + (j)) * n_select + (d)]
#define N_BASE (S_BASE + (2 + NINDICES) * n_select)
#define N_SHAPE(d) g[N_BASE + (d)]
#define N_ARRAY(d) g[N_BASE + n_inner + (d)]
#define N_VALUES(d) g[N_BASE + 2 * n_inner + (d)]
#define AXIS_SIZE(j) g[N_BASE + 3 * n_inner + 2 * (j)]
#define AXIS_STRIDE(j) g[N_BASE + 3 * n_inner + 2 * (j) + 1]
/* the array and values offsets of selection s (its index arrays read) */
void select_offsets(__global const long *g, int n_outer, int n_select, int n_inner, long s,
        long *array_at, long *values_at INDEX_PARAMS)
{
    long index_at[NINDICES] = {0};
    long v = 0;
    for (int d = n_select - 1; d >= 0; d--) {
        const long i = s % S_SHAPE(d);
        s /= S_SHAPE(d);
        v += i * S_VALUES(d);
        for (int j = 0; j < NINDICES; j++)
            index_at[j] += i * S_INDEX(j, d);
    }
    long a = 0;
    for (int j = 0; j < NINDICES; j++) {
        long position = read_index(j, index_at[j] INDEX_ARGS);
        if (position < 0)
            position += AXIS_SIZE(j);
        a += position * AXIS_STRIDE(j);
    }
    *array_at = a;
    *values_at = v;
}
/* the offsets of (outer o, inner n) */
void outer_inner_offsets(__global const long *g, int n_outer, int n_select, int n_inner,
        long o, long n, long *array_at, long *values_at)
{
    long a = 0, v = 0;
    for (int d = n_inner - 1; d >= 0; d--) {
        const long i = n % N_SHAPE(d);
        n /= N_SHAPE(d);
        a += i * N_ARRAY(d);
        v += i * N_VALUES(d);
    }
    for (int d = n_outer - 1; d >= 0; d--) {
        const long i = o % O_SHAPE(d);
        o /= O_SHAPE(d);
        a += i * O_ARRAY(d);
        v += i * O_VALUES(d);
    }
    *array_at = a;
    *values_at = v;
}
/* the positions in the index arrays of selection s */
void index_positions(__global const long *g, int n_outer, int n_select, int n_inner,
        long s, long *index_at)
{
    for (int j = 0; j < NINDICES; j++)
        index_at[j] = 0;
    for (int d = n_select - 1; d >= 0; d--) {
        const long i = s % S_SHAPE(d);
        s /= S_SHAPE(d);
        for (int j = 0; j < NINDICES; j++)
            index_at[j] += i * S_INDEX(j, d);
    }
}
/* the first selection (C order) with an index out of bounds, by atomic_min into
 * check[0] (see the CHECK_ layout in ocl_ops_index.c) */
__kernel void pymic2_index_check(long selections, __global const long *g, int n_outer,
        int n_select, int n_inner, __global int *check INDEX_PARAMS)
{
    const long s = get_global_id(0);
    if (s >= selections)
        return;
    long index_at[NINDICES];
    index_positions(g, n_outer, n_select, n_inner, s, index_at);
    for (int j = 0; j < NINDICES; j++) {
        const long position = read_index(j, index_at[j] INDEX_ARGS);
        if (position < -AXIS_SIZE(j) || position >= AXIS_SIZE(j))
            atomic_min(check, (int)s);
    }
}
/* Whether the check found a bad index: then no element moves (a gather writes
 * zeros), and work-item 0 records
 * which index array held which value at the first bad selection, for the report
 * (the host reads the check buffer without running anything on the queue). */
int index_check_failed(__global int *check, __global const long *g, int n_outer,
        int n_select, int n_inner, long e INDEX_PARAMS)
{
    const int bad = check[0];
    if (bad == INT_MAX)
        return 0;
    if (e != 0)
        return 1;
    long index_at[NINDICES];
    index_positions(g, n_outer, n_select, n_inner, bad, index_at);
    for (int j = 0; j < NINDICES; j++) {
        const long position = read_index(j, index_at[j] INDEX_ARGS);
        if (position < -AXIS_SIZE(j) || position >= AXIS_SIZE(j)) {
            check[1] = j;
            check[2] = (int)(uint)(ulong)position;
            check[3] = (int)(uint)((ulong)position >> 32);
            break;
        }
    }
    return 1;
}
/* gather: one work-item per result element (o, s, n); after a bad index the
 * result is all zeros, as on the host (nothing is read from array) */
__kernel void pymic2_gather(__global const STORED *array, long array_offset,
        __global STORED *values, long values_offset, long selections, long inners,
        long total, __global int *check, __global const long *g, int n_outer, int n_select,
        int n_inner INDEX_PARAMS)
{
    const long e = get_global_id(0);
    const int failed = index_check_failed(check, g, n_outer, n_select, n_inner,
            e INDEX_ARGS);
    if (e >= total)
        return;
    const long n = e % inners, s = e / inners % selections;
    const long o = e / inners / selections;
    long a0, v0, a1, v1;
    outer_inner_offsets(g, n_outer, n_select, n_inner, o, n, &a0, &v0);
    select_offsets(g, n_outer, n_select, n_inner, s, &a1, &v1 INDEX_ARGS);
    if (failed)
        STORE(values, values_offset + v0 + v1, (ELEMENT)0);
    else
        STORE(values, values_offset + v0 + v1, LOAD(array, array_offset + a0 + a1));
}
/* scatters: one work-item per (o, n), the selections in C order (the last write
 * wins, every add counts, as on the host) */
__kernel void pymic2_scatter(__global STORED *array, long array_offset,
        __global const STORED *values, long values_offset, ELEMENT scalar,
        int from_scalar, int add, long selections, long inners, long total,
        __global int *check, __global const long *g, int n_outer, int n_select,
        int n_inner INDEX_PARAMS)
{
    const long e = get_global_id(0);
    if (index_check_failed(check, g, n_outer, n_select, n_inner,
            e INDEX_ARGS) || e >= total)
        return;
    long a0, v0, a1, v1;
    outer_inner_offsets(g, n_outer, n_select, n_inner, e / inners, e % inners, &a0, &v0);
    for (long s = 0; s < selections; s++) {
        select_offsets(g, n_outer, n_select, n_inner, s, &a1, &v1 INDEX_ARGS);
        const ELEMENT value = from_scalar ? scalar : LOAD(values, values_offset + v0 + v1);
        const long target = array_offset + a0 + a1;
        STORE(array, target, add ? pymic2_add(LOAD(array, target), value) : value);
    }
}
