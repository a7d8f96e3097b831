/*
 * index.c - gathers and scatters by integer index arrays on a host device.
 *
 * Two passes. The first (parallel over the index positions s) resolves each s to the linear
 * position p of the element it selects among the indexed dimensions and to that element's
 * byte offset, and finds the first out-of-bounds index; if there is one, nothing moves (a
 * gather fills its result with zeros instead, so that it is deterministic). The second moves
 * the blocks of the trailing dimensions N:
 *   - a gather writes distinct outputs, so it splits the (o, s) pairs over the team;
 *   - a scatter may reach one destination from several s. It splits the destinations
 *     (o, p) over the team instead: every member scans all s of its o and handles the ones
 *     whose destination it owns, in increasing s. So no two threads write one element, the
 *     last s wins for SCATTER and SCATTER_ADD adds in s order, whatever the thread count.
 */
#include "host_internal.h"

#include "../../ops/op_table.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Elements moved per team member at least: below it, waking threads costs more. */
#define PIECE_ELEMENTS (16 * 1024)
/* Integer scatter-adds into at most this many bytes of destinations sum per member. */
#define PRIVATE_SUMS_BYTES (1024 * 1024)

enum { MAX_WALKED = PYMIC2_MAX_INDEX_ARRAYS + 1 };

/* Byte offsets of several operands while walking a shape in C order. */
typedef struct walker {
    int ndim, noperands;
    int64_t shape[PYMIC2_MAX_DIMS];
    int64_t strides[MAX_WALKED][PYMIC2_MAX_DIMS];
    int64_t index[PYMIC2_MAX_DIMS];
    int64_t offset[MAX_WALKED];
} walker;

static void walker_seek(walker *w, int64_t flat)
{
    for (int k = 0; k < w->noperands; k++)
        w->offset[k] = 0;
    for (int d = w->ndim - 1; d >= 0; d--) {
        w->index[d] = flat % w->shape[d];
        flat /= w->shape[d];
        for (int k = 0; k < w->noperands; k++)
            w->offset[k] += w->index[d] * w->strides[k][d];
    }
}

static void walker_next(walker *w)
{
    for (int d = w->ndim - 1; d >= 0; d--) {
        for (int k = 0; k < w->noperands; k++)
            w->offset[k] += w->strides[k][d];
        if (++w->index[d] < w->shape[d])
            return;
        for (int k = 0; k < w->noperands; k++)
            w->offset[k] -= w->shape[d] * w->strides[k][d];
        w->index[d] = 0;
    }
}

/* dst[i * dst_step] += src[i * src_step] for i < n, in one dtype. */
typedef void (*add_row_fn)(char *dst, int64_t dst_step, const char *src, int64_t src_step,
                           int64_t n);

/* a + b by class, in the compute type T; integers wrap like NumPy's, bool adds as OR. */
#define ADD_BOOL(T, W, a, b) ((T)(((a) | (b)) != 0))
#define ADD_INT(T, W, a, b) ((T)((W)(a) + (W)(b)))
#define ADD_FLOAT(T, W, a, b) ((a) + (b))
#define ADD_COMPLEX ADD_FLOAT

/* elements stored as ctype, added in compute (float16 in float, rounded once) */
#define DEFINE_ADD_ROW(context, NAME, name, ctype, CLASS, wrap, REAL, real, member, lowest,  \
                       highest, opencl, dlpack, compute)                                    \
    static void add_row_##name(char *dst, int64_t dst_step, const char *src,            \
                               int64_t src_step, int64_t n)                             \
    {                                                                                   \
        for (int64_t i = 0; i < n; i++) {                                               \
            ctype a, b;                                                                 \
            memcpy(&a, dst + i * dst_step, sizeof a);                                   \
            memcpy(&b, src + i * src_step, sizeof b);                                   \
            const ctype sum = (ctype)ADD_##CLASS(compute, wrap, (compute)a, (compute)b); \
            memcpy(dst + i * dst_step, &sum, sizeof sum);                               \
        }                                                                               \
    }
PYMIC2_DTYPE_TABLE(DEFINE_ADD_ROW, )
#undef DEFINE_ADD_ROW

#define ADD_ROW_ENTRY(context, NAME, name, ctype, CLASS, wrap, REAL, real, ...) \
    [PYMIC2_##NAME] = add_row_##name,
static const add_row_fn add_rows[PYMIC2_NUM_DTYPES] = {PYMIC2_DTYPE_TABLE(ADD_ROW_ENTRY, )};
#undef ADD_ROW_ENTRY

/*
 * Scatter-add of single elements (bincount's shape: one index array of one dimension, no
 * trailing dimensions), for index positions s in [first, last): values[s] (values_step bytes
 * apart; 0 for one value) is added at element p = index[s] (negative from the end) when p
 * is in [low, high). A tight loop per dtype that reads the indices itself: the generic
 * path resolved every s into two int64 arrays first and paid a walker step and an indirect
 * call per element (bincount of 2^24 values: 780 ms, this loop about 30).
 */
typedef struct element_access {
    char *array;
    int64_t array_step; /* bytes between elements p and p + 1 */
    const char *index;
    int64_t index_step;
    pymic2_dtype index_dtype;
    int64_t size; /* of the indexed axis */
    char *values; /* a gather's result, a scatter's source */
    int64_t values_step;
} element_access;

typedef int64_t (*scatter_add_fn)(const element_access *e, int64_t first, int64_t last,
                                  int64_t low, int64_t high);

/* ... and returns the first s whose index is out of bounds (INT64_MAX if none). */
#define DEFINE_SCATTER_ADD(context, NAME, name, ctype, CLASS, wrap, REAL, real, member,      \
                           lowest, highest, opencl, dlpack, compute)                          \
    static int64_t scatter_add_##name(const element_access *e, int64_t first, int64_t last,  \
                                      int64_t low, int64_t high)                              \
    {                                                                                         \
        int64_t first_bad = INT64_MAX;                                                        \
        for (int64_t s = first; s < last; s++) {                                              \
            int64_t p = pymic2__host_load_index(e->index + s * e->index_step, e->index_dtype); \
            p += p < 0 ? e->size : 0;                                                         \
            if (p < low || p >= high) {                                                       \
                if ((p < 0 || p >= e->size) && first_bad == INT64_MAX)                        \
                    first_bad = s;                                                            \
                continue;                                                                     \
            }                                                                                 \
            char *at = e->array + p * e->array_step;                                          \
            ctype a, b;                                                                       \
            memcpy(&a, at, sizeof a);                                                         \
            memcpy(&b, e->values + s * e->values_step, sizeof b);                             \
            const ctype sum = (ctype)ADD_##CLASS(compute, wrap, (compute)a, (compute)b);     \
            memcpy(at, &sum, sizeof sum);                                                     \
        }                                                                                     \
        return first_bad;                                                                     \
    }
PYMIC2_DTYPE_TABLE(DEFINE_SCATTER_ADD, )
#undef DEFINE_SCATTER_ADD

#define SCATTER_ADD_ENTRY(context, NAME, name, ...) [PYMIC2_##NAME] = scatter_add_##name,
static const scatter_add_fn scatter_adds[PYMIC2_NUM_DTYPES] = {
    PYMIC2_DTYPE_TABLE(SCATTER_ADD_ENTRY, )};
#undef SCATTER_ADD_ENTRY

enum { ARRAY = 0, VALUES = 1 }; /* operand slots of the outer walker and the inner block */

typedef struct index_plan {
    pymic2_index_mode mode;
    int64_t itemsize;
    char *array, *values;      /* element [0, ...]; values may be `stored` */
    pymic2_scalar stored;      /* a scalar values operand as an element */
    add_row_fn add_row;
    /* O: array and values strides */
    walker outer;
    int64_t outer_count;
    /* S: the index arrays' strides (slots 0..nindices-1) and the values' (slot nindices) */
    walker select;
    int64_t select_count;
    int nindices;
    char *index_base[PYMIC2_MAX_INDEX_ARRAYS];
    pymic2_dtype index_dtype[PYMIC2_MAX_INDEX_ARRAYS];
    int64_t axis_size[PYMIC2_MAX_INDEX_ARRAYS];
    int64_t axis_stride[PYMIC2_MAX_INDEX_ARRAYS];
    int64_t positions; /* P: product of axis_size */
    /* N: merged trailing dimensions, array and values strides */
    int inner_ndim;
    int64_t inner_shape[PYMIC2_MAX_DIMS];
    int64_t inner_strides[2][PYMIC2_MAX_DIMS];
    int64_t inner_count;
    /* pass 1 */
    int64_t *position;    /* per s: p */
    int64_t *byte_offset; /* per s: bytes from element [o, 0, ..., 0, n] to [o, i(s), n] */
    atomic_int_fast64_t first_bad; /* smallest s with an out-of-bounds index; INT64_MAX none */
} index_plan;

static int64_t read_index(const index_plan *plan, int j, int64_t offset)
{
    return pymic2__host_load_index(plan->index_base[j] + offset, plan->index_dtype[j]);
}

static void lower_first_bad(index_plan *plan, int64_t s)
{
    int_fast64_t seen = atomic_load(&plan->first_bad);
    while (s < seen && !atomic_compare_exchange_weak(&plan->first_bad, &seen, s)) {
    }
}

/* Pass 1 over index positions [begin, end). */
static void resolve_range(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    index_plan *plan = context;
    walker w = plan->select;
    walker_seek(&w, begin);
    for (int64_t s = begin; s < end; s++, walker_next(&w)) {
        int64_t position = 0, bytes = 0;
        for (int j = 0; j < plan->nindices; j++) {
            int64_t value = read_index(plan, j, w.offset[j]), size = plan->axis_size[j];
            if (value < 0)
                value += size;
            if (value < 0 || value >= size) {
                lower_first_bad(plan, s); /* later s of this range cannot be first */
                return;
            }
            position = position * size + value;
            bytes += value * plan->axis_stride[j];
        }
        plan->position[s] = position;
        plan->byte_offset[s] = bytes;
    }
}

static void copy_row(const index_plan *plan, char *dst, int64_t dst_step, const char *src,
                     int64_t src_step, int64_t n)
{
    const int64_t size = plan->itemsize;
    if (dst_step == size && src_step == size) {
        memcpy(dst, src, (size_t)(n * size));
        return;
    }
    switch (size) { /* fixed sizes let the compiler turn memcpy into one move */
#define COPY_ELEMENTS(bytes)                                                   \
    case bytes:                                                                \
        for (int64_t i = 0; i < n; i++)                                        \
            memcpy(dst + i * dst_step, src + i * src_step, bytes);             \
        return;
        COPY_ELEMENTS(1)
        COPY_ELEMENTS(4)
        COPY_ELEMENTS(8)
        COPY_ELEMENTS(16)
#undef COPY_ELEMENTS
    default:
        for (int64_t i = 0; i < n; i++)
            memcpy(dst + i * dst_step, src + i * src_step, (size_t)size);
    }
}

/* One block of the trailing dimensions: dst (strides of slot dk) from src (slot sk). */
static void move_block(const index_plan *plan, char *dst, int dk, const char *src, int sk)
{
    const int nd = plan->inner_ndim;
    if (nd == 0) {
        if (plan->mode == PYMIC2_INDEX_SCATTER_ADD)
            plan->add_row(dst, 0, src, 0, 1);
        else
            copy_row(plan, dst, 0, src, 0, 1);
        return;
    }
    const int last = nd - 1;
    const int64_t n = plan->inner_shape[last];
    const int64_t dst_step = plan->inner_strides[dk][last];
    const int64_t src_step = plan->inner_strides[sk][last];
    int64_t index[PYMIC2_MAX_DIMS] = {0};
    for (;;) {
        if (plan->mode == PYMIC2_INDEX_SCATTER_ADD)
            plan->add_row(dst, dst_step, src, src_step, n);
        else
            copy_row(plan, dst, dst_step, src, src_step, n);
        int d = last - 1;
        for (; d >= 0; d--) {
            dst += plan->inner_strides[dk][d];
            src += plan->inner_strides[sk][d];
            if (++index[d] < plan->inner_shape[d])
                break;
            dst -= plan->inner_shape[d] * plan->inner_strides[dk][d];
            src -= plan->inner_shape[d] * plan->inner_strides[sk][d];
            index[d] = 0;
        }
        if (d < 0)
            return;
    }
}

/* Gather over flattened (o, s) pairs [begin, end). */
static void gather_range(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    const index_plan *plan = context;
    walker outer = plan->outer, select = plan->select;
    const int values_slot = plan->nindices;
    int64_t s = begin % plan->select_count;
    walker_seek(&outer, begin / plan->select_count);
    walker_seek(&select, s);
    for (int64_t pair = begin; pair < end; pair++) {
        const char *src = plan->array + outer.offset[ARRAY] + plan->byte_offset[s];
        char *dst = plan->values + outer.offset[VALUES] + select.offset[values_slot];
        move_block(plan, dst, VALUES, src, ARRAY);
        if (++s == plan->select_count) {
            s = 0;
            walker_seek(&select, 0);
            walker_next(&outer);
        } else {
            walker_next(&select);
        }
    }
}

/* Scatter into the destinations (o, p) with o * P + p in [begin, end). */
static void scatter_range(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    const index_plan *plan = context;
    walker outer = plan->outer, select = plan->select;
    const int values_slot = plan->nindices;
    const int64_t first_o = begin / plan->positions, last_o = (end - 1) / plan->positions;
    walker_seek(&outer, first_o);
    for (int64_t o = first_o; o <= last_o; o++, walker_next(&outer)) {
        const int64_t low = o * plan->positions;
        walker_seek(&select, 0);
        for (int64_t s = 0; s < plan->select_count; s++, walker_next(&select)) {
            int64_t key = low + plan->position[s];
            if (key < begin || key >= end)
                continue;
            char *dst = plan->array + outer.offset[ARRAY] + plan->byte_offset[s];
            const char *src = plan->values + outer.offset[VALUES] + select.offset[values_slot];
            move_block(plan, dst, ARRAY, src, VALUES);
        }
    }
}

/* The element scatter-add's state, shared by the team. */
typedef struct element_plan {
    element_access scatter; /* the arrays (gather too) */
    scatter_add_fn add;
    int64_t count; /* index positions s */
    char *private_sums; /* integer dtypes: member k's sums at k * size elements */
    pymic2_scalar stored; /* a scalar values operand as an element */
    int64_t itemsize;
    atomic_int_fast64_t first_bad; /* smallest s with an out-of-bounds index; INT64_MAX none */
} element_plan;

/* Lowers the plan's first out-of-bounds position to s. */
static void lower_bad(element_plan *plan, int64_t s)
{
    int_fast64_t seen = atomic_load(&plan->first_bad);
    while (s < seen && !atomic_compare_exchange_weak(&plan->first_bad, &seen, s)) {
    }
}

/* Finds the first out-of-bounds index among s in [begin, end). */
static void check_element_indices(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    element_plan *plan = context;
    const element_access *e = &plan->scatter;
    for (int64_t s = begin; s < end; s++) {
        const int64_t p = pymic2__host_load_index(e->index + s * e->index_step, e->index_dtype);
        if (p < -e->size || p >= e->size) {
            lower_bad(plan, s);
            return; /* later s of this range cannot be first */
        }
    }
}

/* Every member owns the destinations [begin, end) and scans all s, so each element still
 * sums in s order. */
static void scatter_add_owned(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    const element_plan *plan = context;
    plan->add(&plan->scatter, 0, plan->count, begin, end); /* indices checked before */
}

/* Integer sums do not depend on the order: member k adds its share of s into its own
 * zeroed copy of the destinations, merged afterwards. */
static void scatter_add_private(void *context, int64_t begin, int64_t end, int member)
{
    element_plan *plan = context;
    element_access own = plan->scatter;
    own.array = plan->private_sums + (int64_t)member * own.size * plan->itemsize;
    own.array_step = plan->itemsize;
    lower_bad(plan, plan->add(&own, begin, end, 0, own.size));
}


/* The element plan of a validated descriptor of that shape (is_element_access). */
static element_plan plan_elements(const pymic2_index_desc *desc)
{
    const pymic2_operand *array = &desc->array, *index = &desc->indices[0];
    const pymic2_operand *values = &desc->values;
    element_plan plan = {
        .scatter = {
            .array = pymic2__host_address(array->buffer, 0) + array->offset,
            .array_step = array->strides[0],
            .index = pymic2__host_address(index->buffer, 0) + index->offset,
            .index_step = index->ndim == 1 ? index->strides[0] : 0,
            .index_dtype = index->dtype,
            .size = array->shape[0],
            .values = values->buffer ? pymic2__host_address(values->buffer, 0) + values->offset
                                     : NULL, /* a scalar: plan->stored, below */
            .values_step = values->buffer && values->ndim == 1 ? values->strides[0] : 0,
        },
        .add = scatter_adds[array->dtype],
        .count = index->ndim == 1 ? index->shape[0] : 1,
        .itemsize = (int64_t)pymic2_dtype_size(array->dtype),
    };
    return plan;
}

/* A scalar values operand as a stored element (float16: its bits, not the float the
 * descriptor holds). */
static void plan_scalar_values(element_plan *plan, const pymic2_index_desc *desc)
{
    if (desc->values.buffer != NULL)
        return;
    pymic2__scalar_store(desc->values.dtype, desc->values.value, &plan->stored);
    plan->scatter.values = (char *)&plan->stored;
}

/* EINDEX naming the plan's first out-of-bounds index, if it found one. */
static int report_bad_element(element_plan *plan, const char *device, const char *mode)
{
    const int64_t bad = atomic_load(&plan->first_bad);
    if (bad == INT64_MAX)
        return PYMIC2_OK;
    const element_access *e = &plan->scatter;
    return pymic2__error(PYMIC2_EINDEX, "%s: %s: index %" PRId64 " is out of bounds for axis "
                         "0 with size %" PRId64, device, mode,
                         pymic2__host_load_index(e->index + bad * e->index_step, e->index_dtype),
                         e->size);
}

/* Checks every index first (in parallel): EINDEX for the first bad one. */
static int check_elements(element_plan *plan, pymic2__team *team, const char *device,
                          const char *mode)
{
    pymic2__team_parallel_for(team, plan->count, PIECE_ELEMENTS, check_element_indices, plan);
    return report_bad_element(plan, device, mode);
}

/* Whether integer sums go through per-member copies (then allocated): worth it when there
 * are many more additions than destinations, and the copies are small. */
static bool use_private_sums(element_plan *plan, pymic2__team *team, pymic2_dtype dtype)
{
    const int members = pymic2__team_size(team);
    const int64_t size = plan->scatter.size;
    const int64_t private_bytes = members * size * plan->itemsize;
    const pymic2__dtype_class class = pymic2__dtype_class_of(dtype);
    return (class == PYMIC2__CLASS_INT || class == PYMIC2__CLASS_BOOL) && members > 1 &&
           size * 4 <= plan->count && private_bytes <= PRIVATE_SUMS_BYTES &&
           (plan->private_sums = calloc(1, (size_t)private_bytes)) != NULL;
}

/* Integer sums into per-member copies, merged unless an index was out of bounds (found by
 * the adding pass itself: no separate check pass). */
static int scatter_add_private_sums(element_plan *plan, pymic2__team *team, pymic2_dtype dtype,
                                    const char *device)
{
    const int64_t size = plan->scatter.size;
    pymic2__team_parallel_for(team, plan->count, PIECE_ELEMENTS, scatter_add_private, plan);
    const int status = report_bad_element(plan, device, "scatter_add");
    for (int k = 0; k < pymic2__team_size(team) && status == PYMIC2_OK; k++)
        add_rows[dtype](plan->scatter.array, plan->scatter.array_step,
                        plan->private_sums + k * size * plan->itemsize, plan->itemsize, size);
    free(plan->private_sums);
    return status;
}

/* Adds in s order per destination, each member owning a range of them. */
static void scatter_add_in_order(element_plan *plan, pymic2__team *team)
{
    const int64_t size = plan->scatter.size;
    if (plan->count >= PIECE_ELEMENTS && size >= pymic2__team_size(team))
        pymic2__team_parallel_for_large(team, size, scatter_add_owned, plan);
    else
        scatter_add_owned(plan, 0, size, 0);
}

/* Gathers result element s for s in [begin, end) (indices checked; a bad one reads 0). */
static void gather_elements(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    const element_plan *plan = context;
    const element_access *e = &plan->scatter;
    static const char zero[16]; /* the largest element, complex128 */
    const bool failed = atomic_load(&plan->first_bad) != INT64_MAX;
    switch (plan->itemsize) { /* fixed sizes let the compiler turn memcpy into one move */
#define GATHER_ELEMENTS(bytes)                                                                \
    case bytes:                                                                               \
        for (int64_t s = begin; s < end; s++) {                                               \
            int64_t p = pymic2__host_load_index(e->index + s * e->index_step, e->index_dtype); \
            p += p < 0 ? e->size : 0;                                                         \
            memcpy(e->values + s * e->values_step, failed ? zero : e->array + p * e->array_step, \
                   bytes);                                                                    \
        }                                                                                     \
        return;
        GATHER_ELEMENTS(1)
        GATHER_ELEMENTS(2)
        GATHER_ELEMENTS(4)
        GATHER_ELEMENTS(8)
        GATHER_ELEMENTS(16)
#undef GATHER_ELEMENTS
    }
}

/* Whether a validated descriptor reads or adds single elements of a 1-D array through one
 * index array of at most one dimension (take of a vector, bincount): element loops run it
 * without the general path's per-position arrays. */
static bool is_element_access(const pymic2_index_desc *desc)
{
    return desc->mode != PYMIC2_INDEX_SCATTER && desc->nindices == 1 && desc->axis == 0 &&
           desc->array.ndim == 1 && desc->indices[0].ndim <= 1;
}

/* Runs an element access; after an out-of-bounds index a scatter-add adds nothing and a
 * gather writes zeros. */
static int access_elements(const pymic2_index_desc *desc, pymic2__team *team,
                           const char *device)
{
    element_plan plan = plan_elements(desc);
    plan_scalar_values(&plan, desc);
    atomic_init(&plan.first_bad, INT64_MAX);
    if (desc->mode == PYMIC2_INDEX_GATHER) {
        const int status = check_elements(&plan, team, device, "gather");
        pymic2__team_parallel_for(team, plan.count, PIECE_ELEMENTS, gather_elements, &plan);
        return status;
    }
    if (use_private_sums(&plan, team, desc->array.dtype))
        return scatter_add_private_sums(&plan, team, desc->array.dtype, device);
    const int status = check_elements(&plan, team, device, "scatter_add");
    if (status == PYMIC2_OK)
        scatter_add_in_order(&plan, team);
    return status;
}

/* Trailing dimensions without size-1 ones, neighbours contiguous in both operands merged. */
static void plan_inner(index_plan *plan, const pymic2_index_desc *desc, int result_ndim)
{
    const pymic2_operand *array = &desc->array, *values = &desc->values;
    const int first = desc->axis + desc->nindices;
    const int shift = result_ndim - array->ndim; /* values' dimension for array's d */
    int nd = 0;
    plan->inner_count = 1;
    for (int d = first; d < array->ndim; d++) {
        int64_t size = array->shape[d];
        plan->inner_count *= size;
        if (size == 1)
            continue;
        int64_t sa = array->strides[d], sv = values->strides[d + shift];
        if (nd > 0 && plan->inner_strides[ARRAY][nd - 1] == sa * size &&
            plan->inner_strides[VALUES][nd - 1] == sv * size) {
            plan->inner_shape[nd - 1] *= size;
            plan->inner_strides[ARRAY][nd - 1] = sa;
            plan->inner_strides[VALUES][nd - 1] = sv;
            continue;
        }
        plan->inner_shape[nd] = size;
        plan->inner_strides[ARRAY][nd] = sa;
        plan->inner_strides[VALUES][nd] = sv;
        nd++;
    }
    plan->inner_ndim = nd;
}

static void plan_operands(index_plan *plan, const pymic2_index_desc *desc)
{
    const pymic2_operand *array = &desc->array, *values = &desc->values;
    const pymic2_operand *first = &desc->indices[0];
    plan->mode = desc->mode;
    plan->itemsize = (int64_t)pymic2_dtype_size(array->dtype);
    plan->array = pymic2__host_address(array->buffer, 0) + array->offset;
    if (values->buffer == NULL)
        pymic2__scalar_store(values->dtype, values->value, &plan->stored);
    plan->values = values->buffer ? pymic2__host_address(values->buffer, 0) + values->offset
                                  : (char *)&plan->stored;
    plan->add_row = add_rows[array->dtype];

    walker *outer = &plan->outer;
    outer->ndim = desc->axis;
    outer->noperands = 2;
    plan->outer_count = 1;
    for (int d = 0; d < desc->axis; d++) {
        outer->shape[d] = array->shape[d];
        outer->strides[ARRAY][d] = array->strides[d];
        outer->strides[VALUES][d] = values->strides[d];
        plan->outer_count *= array->shape[d];
    }

    walker *select = &plan->select;
    plan->nindices = desc->nindices;
    select->ndim = first->ndim;
    select->noperands = desc->nindices + 1;
    plan->select_count = 1;
    for (int d = 0; d < first->ndim; d++) {
        select->shape[d] = first->shape[d];
        for (int j = 0; j < desc->nindices; j++)
            select->strides[j][d] = desc->indices[j].strides[d];
        select->strides[desc->nindices][d] = values->strides[desc->axis + d];
        plan->select_count *= first->shape[d];
    }
    plan->positions = 1;
    for (int j = 0; j < desc->nindices; j++) {
        const pymic2_operand *index = &desc->indices[j];
        plan->index_base[j] = pymic2__host_address(index->buffer, 0) + index->offset;
        plan->index_dtype[j] = index->dtype;
        plan->axis_size[j] = array->shape[desc->axis + j];
        plan->axis_stride[j] = array->strides[desc->axis + j];
        plan->positions *= plan->axis_size[j];
    }
    plan_inner(plan, desc, values->ndim);
}

/* NumPy's message for the first out-of-bounds index (found again serially: it is rare). */
static int report_bad_index(const index_plan *plan, const pymic2_index_desc *desc, int64_t s)
{
    const char *device = desc->array.buffer->device->name;
    static const char *const modes[] = {"gather", "scatter", "scatter_add"};
    walker w = plan->select;
    walker_seek(&w, s);
    for (int j = 0; j < plan->nindices; j++) {
        int64_t value = read_index(plan, j, w.offset[j]), size = plan->axis_size[j];
        if (value < -size || value >= size)
            return pymic2__error(PYMIC2_EINDEX, "%s: %s: index %" PRId64 " is out of bounds "
                                 "for axis %d with size %" PRId64, device, modes[desc->mode],
                                 value, desc->axis + j, size);
    }
    return pymic2__error(PYMIC2_EBACKEND, "%s: %s: index position %" PRId64 " was out of "
                         "bounds but is not on a second look; was it modified concurrently?",
                         device, modes[desc->mode], s);
}

/* After a bad index a gather writes zeros: the second pass then copies one zero element,
 * every stride of the source 0. */
static void plan_zero_source(index_plan *plan)
{
    static const char zero[16]; /* the largest element, complex128 */
    plan->array = (char *)zero; /* only read */
    for (int d = 0; d < plan->outer.ndim; d++)
        plan->outer.strides[ARRAY][d] = 0;
    for (int d = 0; d < plan->inner_ndim; d++)
        plan->inner_strides[ARRAY][d] = 0;
    memset(plan->byte_offset, 0, (size_t)plan->select_count * sizeof(int64_t));
}

/* The INDEX family's slot: a validated gather or scatter (pymic2_index_launch). */
int pymic2__host_index(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    (void)launch;
    pymic2__team *team = pymic2__host_of(stream->device)->team;
    const pymic2_index_desc *desc = &command->u.index;
    const char *device = desc->array.buffer->device->name;
    if (is_element_access(desc))
        return access_elements(desc, team, device);
    index_plan *plan = calloc(1, sizeof *plan); /* big (walkers); the team reads it */
    if (plan == NULL)
        return pymic2__error(PYMIC2_ENOMEM, "%s: no host memory for an index plan", device);
    plan_operands(plan, desc);
    int status = PYMIC2_OK;
    const int64_t count = plan->select_count;
    if (count > 0) {
        plan->position = malloc(2 * (size_t)count * sizeof(int64_t));
        if (plan->position == NULL) {
            free(plan);
            return pymic2__error(PYMIC2_ENOMEM, "%s: no host memory to resolve %" PRId64
                                 " indices", device, count);
        }
        plan->byte_offset = plan->position + count;
        atomic_init(&plan->first_bad, INT64_MAX);
        pymic2__team_parallel_for(team, count, PIECE_ELEMENTS, resolve_range, plan);
        int64_t bad = atomic_load(&plan->first_bad);
        if (bad != INT64_MAX) {
            status = report_bad_index(plan, desc, bad);
            if (desc->mode == PYMIC2_INDEX_GATHER)
                plan_zero_source(plan);
        }
    }
    const int64_t moved = plan->outer_count * count * plan->inner_count;
    const bool gather = desc->mode == PYMIC2_INDEX_GATHER;
    if ((status == PYMIC2_OK || gather) && moved > 0) {
        int64_t pieces = moved / PIECE_ELEMENTS > 0 ? moved / PIECE_ELEMENTS : 1;
        if (gather) {
            int64_t n = plan->outer_count * count;
            pymic2__team_parallel_for(team, n, (n + pieces - 1) / pieces, gather_range, plan);
        } else {
            int64_t n = plan->outer_count * plan->positions;
            pymic2__team_parallel_for(team, n, (n + pieces - 1) / pieces, scatter_range, plan);
        }
    }
    free(plan->position);
    free(plan);
    return status;
}
