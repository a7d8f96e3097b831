/*
 * random.c - pymic2_random on a host device: element i of the output (C order) is computed
 * from Philox block counter + i / K alone, so the team may split the elements anywhere and the
 * numbers do not depend on the thread count.
 */
#include "host_internal.h"

#include "../../ops/philox.h"

#include <math.h>
#include <string.h>

/* Elements per team member at least. */
#define PIECE_ELEMENTS (16 * 1024)

typedef struct random_plan {
    const pymic2_random_desc *desc;
    char *base; /* element [0, ...] */
    int64_t itemsize;
    int per_block; /* K */
    int ndim;
    int64_t shape[PYMIC2_MAX_DIMS], strides[PYMIC2_MAX_DIMS];
} random_plan;

/* The K values of one block, as doubles or as int64 (INTEGERS). */
typedef union block_values {
    double real[4];
    int64_t integer[4];
} block_values;

static void compute_block(const random_plan *plan, uint64_t block, block_values *values)
{
    const pymic2_random_desc *desc = plan->desc;
    uint32_t w[4];
    pymic2__philox_block(desc->seed, block, w);
    const uint64_t x0 = pymic2__philox_u64(w[0], w[1]), x1 = pymic2__philox_u64(w[2], w[3]);
    switch (desc->distribution) {
    case PYMIC2_RANDOM_UNIFORM:
        if (plan->per_block == 4) {
            for (int k = 0; k < 4; k++) /* float32: 24-bit uniforms, scaled in float */
                values->real[k] = (float)desc->a +
                                  ((float)desc->b - (float)desc->a) * pymic2__philox_unit_f32(w[k]);
        } else {
            values->real[0] = desc->a + (desc->b - desc->a) * pymic2__philox_unit(x0);
            values->real[1] = desc->a + (desc->b - desc->a) * pymic2__philox_unit(x1);
        }
        return;
    case PYMIC2_RANDOM_NORMAL: { /* Box-Muller: both halves of the pair */
        const double radius = sqrt(-2.0 * log(pymic2__philox_unit_open0(x0)));
        const double angle = 6.283185307179586 * pymic2__philox_unit(x1);
        values->real[0] = desc->a + desc->b * (radius * cos(angle));
        values->real[1] = desc->a + desc->b * (radius * sin(angle));
        return;
    }
    case PYMIC2_RANDOM_INTEGERS: { /* multiply-high maps 64 bits onto [0, range) */
        const uint64_t range = (uint64_t)desc->high - (uint64_t)desc->low;
        values->integer[0] =
            (int64_t)((uint64_t)desc->low + (uint64_t)(((unsigned __int128)x0 * range) >> 64));
        values->integer[1] =
            (int64_t)((uint64_t)desc->low + (uint64_t)(((unsigned __int128)x1 * range) >> 64));
        return;
    }
    }
}

static void store(const random_plan *plan, char *at, const block_values *values, int lane)
{
    /* the dtype table's float rows take real values, its integer rows integers */
    switch (plan->desc->out.dtype) {
#define STORE(ctype, member)                                                             \
    {                                                                                    \
        ctype value = (ctype)values->member[lane];                                       \
        memcpy(at, &value, sizeof value);                                                \
        return;                                                                          \
    }
#define STORE_CASE(context, NAME, name, ctype, CLASS, ...) STORE_##CLASS##_CASE(NAME, ctype)
#define STORE_BOOL_CASE(NAME, ctype)
#define STORE_INT_CASE(NAME, ctype) case PYMIC2_##NAME: STORE(ctype, integer)
#define STORE_FLOAT_CASE(NAME, ctype) case PYMIC2_##NAME: STORE(ctype, real)
#define STORE_COMPLEX_CASE(NAME, ctype)
        PYMIC2_DTYPE_TABLE(STORE_CASE, ~)
#undef STORE_CASE
#undef STORE_BOOL_CASE
#undef STORE_INT_CASE
#undef STORE_FLOAT_CASE
#undef STORE_COMPLEX_CASE
#undef STORE
    default: /* validation admits no other dtype */
        return;
    }
}

static void random_range(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    const random_plan *plan = context;
    int64_t index[PYMIC2_MAX_DIMS];
    int64_t offset = 0, rest = begin;
    for (int d = plan->ndim - 1; d >= 0; d--) {
        index[d] = rest % plan->shape[d];
        rest /= plan->shape[d];
        offset += index[d] * plan->strides[d];
    }
    block_values values;
    uint64_t current = UINT64_MAX; /* no block computed yet */
    for (int64_t i = begin; i < end; i++) {
        uint64_t block = plan->desc->counter + (uint64_t)i / (uint64_t)plan->per_block;
        if (block != current || i == begin) {
            compute_block(plan, block, &values);
            current = block;
        }
        store(plan, plan->base + offset, &values, (int)((uint64_t)i % (uint64_t)plan->per_block));
        for (int d = plan->ndim - 1; d >= 0; d--) { /* next element in C order */
            offset += plan->strides[d];
            if (++index[d] < plan->shape[d])
                break;
            offset -= plan->shape[d] * plan->strides[d];
            index[d] = 0;
        }
    }
}

/* The RANDOM family's slot. */
int pymic2__host_random(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    (void)launch;
    pymic2__team *team = pymic2__host_of(stream->device)->team;
    const pymic2_random_desc *desc = &command->u.random;
    random_plan plan = {.desc = desc, .ndim = desc->out.ndim};
    plan.base = pymic2__host_address(desc->out.buffer, 0) + desc->out.offset;
    plan.itemsize = (int64_t)pymic2_dtype_size(desc->out.dtype);
    plan.per_block =
        desc->distribution == PYMIC2_RANDOM_UNIFORM && desc->out.dtype == PYMIC2_FLOAT32 ? 4 : 2;
    int64_t count = 1;
    for (int d = 0; d < plan.ndim; d++) {
        plan.shape[d] = desc->out.shape[d];
        plan.strides[d] = desc->out.strides[d];
        count *= plan.shape[d];
    }
    if (count > 0)
        pymic2__team_parallel_for(team, count, PIECE_ELEMENTS, random_range, &plan);
    return PYMIC2_OK;
}
