/*
 * reduce.c - runs a validated reduction (sum, max, argmax, cumsum, ...) on a host device
 * with the kernels of reduce_loops.c.
 *
 * Two plans, chosen by where the input's smallest stride is:
 *   - "runs": that dimension is reduced (sum(axis=-1) of a C-order array, or everything).
 *     Each output element folds its elements run by run along it. Many outputs are split
 *     over the team; few outputs (a full reduction) split their runs instead and combine
 *     one partial per thread, in order.
 *   - "rows": that dimension is kept (sum(axis=0) of a C-order matrix). Each piece of work
 *     is a block of at most BLOCK output columns: a row of accumulators that every reduced
 *     input row is folded into while streaming (several rows per pass), so memory is read
 *     contiguously and never walked down a column. A single block (a matrix up to BLOCK
 *     wide) is split by rows instead: each thread folds a range of whole rows into its own
 *     accumulators, combined in order at the end. cumsum/cumprod use the same loop and write
 *     the row after each step; along the contiguous axis they scan line by line instead.
 */
#include "host_ops.h"

#include "host_internal.h"
#include "loops.h"
#include "prefetch.h"

#include "../../ops/op_table.h"

#include <stdlib.h>
#include <string.h>

/* Work per thread at least this many input bytes (as for elementwise ops). */
#define PIECE_BYTES (32 * 1024)
/* From this many input bytes per thread, sleeping helpers are woken even when the work is a
 * few large items (a full reduction's two halves, sum(axis=0)'s column blocks): a helper
 * joins 20-50 us after its wake-up, about the time one thread reads 1 MiB. */
#define WAKE_PIECE_BYTES ((int64_t)2 << 20)
/* Output columns per accumulator row: 4096 x (16-byte value + 8-byte index) stays in L2.
 * Wide enough that sum(axis=0) of an up to 4096-wide matrix reads whole rows: 1024-column
 * blocks of a 2048-wide one (8 KiB read, 8 KiB skipped) ran at 0.75-0.8x the speed. */
#define BLOCK 4096

typedef struct dim {
    int64_t size;
    int64_t in;  /* input stride, bytes */
    int64_t out; /* output stride, bytes (0 for a reduced dimension) */
} dim;

/* One thread's result of part of a "runs" reduction with few outputs. */
typedef struct partial {
    int64_t begin; /* first item, to combine the partials in order */
    int64_t index; /* argmax/argmin */
    int used;
    _Alignas(16) unsigned char value[16];
} partial;

typedef struct reduce_plan {
    const pymic2__reduce_kernels *kernels;
    /* kernels->fold, or fold_far when the input is too big for the caches (prefetch.h) */
    void (*fold)(void *acc, const char *in, int64_t n, int64_t step);
    int arg, cumulative;
    size_t in_size, acc_size;
    const char *in;
    char *out;
    int nkept, nred;
    dim kept[PYMIC2_MAX_DIMS]; /* output dimensions walked in C order (rows: not `row`) */
    dim red[PYMIC2_MAX_DIMS];  /* reduced dimensions, innermost last */
    int64_t outer_runs;        /* runs: product of red[0 .. nred-2] */
    /* runs with few outputs: which output, and how many chunks each run is cut into */
    const char *target_in;
    int64_t chunks;
    partial *partials;
    /* rows */
    dim row;
    int64_t rows;          /* reduced rows: product of red[].size */
    int64_t parts;         /* ranges the reduced rows are cut into (1: whole) */
    int64_t block, nblocks;
    char *scratch; /* a slot per member (per part when parts > 1), see slot_accs */
} reduce_plan;

static int64_t magnitude(int64_t value)
{
    return value < 0 ? -value : value;
}

/* Insertion sort by decreasing input stride (stable). */
static void sort_by_stride(dim *dims, int n)
{
    for (int d = 1; d < n; d++) {
        dim key = dims[d];
        int e = d;
        while (e > 0 && magnitude(dims[e - 1].in) < magnitude(key.in)) {
            dims[e] = dims[e - 1];
            e--;
        }
        dims[e] = key;
    }
}

/* Merges neighbours that are one dimension in memory for input and output. */
static int merge_dims(dim *dims, int n)
{
    int kept = 0;
    for (int d = 0; d < n; d++) {
        if (kept > 0 && dims[kept - 1].in == dims[d].in * dims[d].size &&
            dims[kept - 1].out == dims[d].out * dims[d].size) {
            dims[kept - 1] = (dim){dims[kept - 1].size * dims[d].size, dims[d].in, dims[d].out};
            continue;
        }
        dims[kept++] = dims[d];
    }
    return kept;
}

/* Offsets of element q (C order) of dims[0..n). */
static void locate(const dim *dims, int n, int64_t q, int64_t *in, int64_t *out)
{
    *in = *out = 0;
    for (int d = n - 1; d >= 0; d--) {
        int64_t i = q % dims[d].size;
        q /= dims[d].size;
        *in += i * dims[d].in;
        *out += i * dims[d].out;
    }
}

static void store(char *out, int64_t stride, const void *values, int64_t n, size_t size)
{
    if (stride == (int64_t)size) {
        memcpy(out, values, (size_t)n * size);
        return;
    }
    for (int64_t j = 0; j < n; j++)
        memcpy(out + j * stride, (const char *)values + (size_t)j * size, size);
}

/* Runs fn on items [0, items) of item_bytes input each, over the team if there is one. */
static void run_parallel(pymic2__team *team, int64_t items, int64_t item_bytes,
                         pymic2__range_fn fn, void *plan)
{
    if (team == NULL) {
        fn(plan, 0, items, 0);
        return;
    }
    int64_t size = pymic2__team_size(team);
    int64_t piece_bytes = (items + size - 1) / size * item_bytes;
    if (items > 1 && piece_bytes >= WAKE_PIECE_BYTES) {
        pymic2__team_parallel_for_large(team, items, fn, plan);
        return;
    }
    int64_t min_piece = PIECE_BYTES / (item_bytes > 0 ? item_bytes : 1);
    pymic2__team_parallel_for(team, items, min_piece > 0 ? min_piece : 1, fn, plan);
}

/* ---------------------------------------------------------------- runs */

/* Folds items [begin, end) of the reduced space at `in` into *value (and *index): item i is
 * chunk i % chunks of run i / chunks. Returns 0 if the range was empty. */
static int fold_items(const reduce_plan *plan, const char *in, int64_t begin, int64_t end,
                      void *value, int64_t *index)
{
    const pymic2__reduce_kernels *k = plan->kernels;
    const dim *inner = &plan->red[plan->nred - 1];
    const int64_t length = inner->size, chunks = plan->chunks;
    _Alignas(16) unsigned char part[16];
    int64_t part_index = 0;
    int have = 0;
    for (int64_t item = begin; item < end; item++) {
        int64_t run = item / chunks, chunk = item % chunks;
        int64_t first = length * chunk / chunks, last = length * (chunk + 1) / chunks;
        if (first == last)
            continue;
        int64_t offset, unused;
        locate(plan->red, plan->nred - 1, run, &offset, &unused);
        const char *start = in + offset + first * inner->in;
        if (plan->arg) {
            /* the reduced dimensions are in C order: run * length + position is the index */
            k->arg_fold(have ? part : value, have ? &part_index : index, start, last - first,
                        inner->in, run * length + first);
            if (have)
                k->arg_merge(value, index, part, part_index);
        } else {
            plan->fold(have ? part : value, start, last - first, inner->in);
            if (have)
                k->combine(value, part);
        }
        have = 1;
    }
    return have;
}

static void write_result(const reduce_plan *plan, char *out, const void *value, int64_t index)
{
    if (plan->arg)
        memcpy(out, &index, sizeof index);
    else
        plan->kernels->emit(out, 0, value, 1);
}

/* n results at out, stride bytes apart: accumulators, or argmax's indices. */
static void store_results(const reduce_plan *plan, char *out, int64_t stride, const void *accs,
                          const int64_t *indices, int64_t n)
{
    if (plan->arg)
        store(out, stride, indices, n, sizeof *indices);
    else
        plan->kernels->emit(out, stride, accs, n);
}

/* Many outputs: each thread reduces whole output elements [begin, end). */
static void run_outputs(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    const reduce_plan *plan = context;
    const int64_t items = plan->outer_runs * plan->chunks;
    for (int64_t q = begin; q < end; q++) {
        int64_t in_offset, out_offset;
        locate(plan->kept, plan->nkept, q, &in_offset, &out_offset);
        _Alignas(16) unsigned char value[16];
        int64_t index = 0;
        fold_items(plan, plan->in + in_offset, 0, items, value, &index);
        write_result(plan, plan->out + out_offset, value, index);
    }
}

/* Few outputs: each thread folds a range of one output's items into its partial. */
static void run_items(void *context, int64_t begin, int64_t end, int member)
{
    const reduce_plan *plan = context;
    partial *mine = &plan->partials[member];
    mine->begin = begin;
    mine->used = fold_items(plan, plan->target_in, begin, end, mine->value, &mine->index);
}

static void run_runs(reduce_plan *plan, pymic2__team *team, int team_size)
{
    const int64_t length = plan->red[plan->nred - 1].size;
    int64_t outputs = 1, runs = 1;
    for (int d = 0; d < plan->nkept; d++)
        outputs *= plan->kept[d].size;
    for (int d = 0; d + 1 < plan->nred; d++)
        runs *= plan->red[d].size;
    plan->outer_runs = runs;
    const int64_t per_output = runs * length * (int64_t)plan->in_size;
    plan->chunks = 1;
    if (team == NULL || outputs >= team_size || per_output < 2 * PIECE_BYTES) {
        plan->chunks = 1;
        run_parallel(team, outputs, per_output, run_outputs, plan);
        return;
    }
    /* a run shorter than a piece stays whole; a long one is cut so every thread gets work */
    plan->chunks = runs >= team_size ? 1 : team_size;
    const int64_t items = runs * plan->chunks;
    const int64_t item_bytes = length / plan->chunks * (int64_t)plan->in_size;
    for (int64_t q = 0; q < outputs; q++) {
        int64_t in_offset, out_offset;
        locate(plan->kept, plan->nkept, q, &in_offset, &out_offset);
        plan->target_in = plan->in + in_offset;
        for (int m = 0; m < team_size; m++)
            plan->partials[m].used = 0;
        run_parallel(team, items, item_bytes, run_items, plan);
        /* combine in the order of the items, so that results do not depend on timing */
        _Alignas(16) unsigned char value[16];
        int64_t index = 0;
        int have = 0;
        for (;;) {
            partial *next = NULL;
            for (int m = 0; m < team_size; m++)
                if (plan->partials[m].used && (next == NULL || plan->partials[m].begin < next->begin))
                    next = &plan->partials[m];
            if (next == NULL)
                break;
            next->used = 0;
            if (!have) {
                memcpy(value, next->value, plan->acc_size);
                index = next->index;
            } else if (plan->arg) {
                plan->kernels->arg_merge(value, &index, next->value, next->index);
            } else {
                plan->kernels->combine(value, next->value);
            }
            have = 1;
        }
        write_result(plan, plan->out + out_offset, value, index);
    }
}

/* ---------------------------------------------------------------- rows */

/* Scratch slot i (a member's, or a part's): block accumulators, then block indices. */
static size_t accs_bytes(const reduce_plan *plan)
{
    return ((size_t)plan->block * plan->acc_size + 63) / 64 * 64;
}

static size_t slot_bytes(const reduce_plan *plan)
{
    return accs_bytes(plan) + ((size_t)plan->block * sizeof(int64_t) + 63) / 64 * 64;
}

static char *slot_accs(const reduce_plan *plan, int64_t slot)
{
    return plan->scratch + (size_t)slot * slot_bytes(plan);
}

static int64_t *slot_indices(const reduce_plan *plan, const char *accs)
{
    return (int64_t *)(accs + accs_bytes(plan));
}

/* Folds reduced rows [first_row, last_row) of a column block of n columns at `in` into accs
 * (and indices); a cumulative reduction stores the running row after every step at `out`. */
static void fold_row_range(const reduce_plan *plan, const char *in, char *out, int64_t n,
                           int64_t first_row, int64_t last_row, char *accs, int64_t *indices)
{
    const pymic2__reduce_kernels *k = plan->kernels;
    const dim *row = &plan->row;
    for (int64_t r = first_row; r < last_row;) {
        int64_t red_in, red_out, count = 1;
        locate(plan->red, plan->nred, r, &red_in, &red_out);
        if (r == first_row) {
            k->lift(accs, in + red_in, n, row->in);
            for (int64_t j = 0; plan->arg && j < n; j++)
                indices[j] = first_row;
        } else {
            /* more than one row, so there is a reduced dimension: consecutive rows of the
             * innermost one go to the kernel together (one at a time for cumsum, whose
             * running value of every step is an output row) */
            const dim *inner = &plan->red[plan->nred - 1];
            count = plan->cumulative ? 1 : inner->size - r % inner->size;
            if (count > last_row - r)
                count = last_row - r;
            if (plan->arg)
                k->arg_fold_rows(accs, indices, in + red_in, n, row->in, r, count, inner->in);
            else
                k->fold_rows(accs, in + red_in, n, row->in, count, inner->in);
        }
        if (plan->cumulative)
            plan->kernels->emit(out + red_out, row->out, accs, n);
        r += count;
    }
}

/* Item i: part i % parts of the reduced rows, for column block (i / parts) % nblocks of kept
 * element i / parts / nblocks. A single part is stored; several are combined by plan_rows. */
static void run_rows(void *context, int64_t begin, int64_t end, int member)
{
    const reduce_plan *plan = context;
    const dim *row = &plan->row;
    for (int64_t item = begin; item < end; item++) {
        int64_t part = item % plan->parts, rest = item / plan->parts;
        int64_t q = rest / plan->nblocks, first = rest % plan->nblocks * plan->block;
        int64_t n = row->size - first < plan->block ? row->size - first : plan->block;
        int64_t in_offset, out_offset;
        locate(plan->kept, plan->nkept, q, &in_offset, &out_offset);
        const char *in = plan->in + in_offset + first * row->in;
        char *out = plan->out + out_offset + first * row->out;
        /* several parts each keep their own accumulators until plan_rows combines them */
        char *accs = slot_accs(plan, plan->parts > 1 ? part : member);
        int64_t *indices = slot_indices(plan, accs);
        fold_row_range(plan, in, out, n, plan->rows * part / plan->parts,
                       plan->rows * (part + 1) / plan->parts, accs, indices);
        if (plan->parts == 1 && !plan->cumulative)
            store_results(plan, out, row->out, accs, indices, n);
    }
}

/* parts > 1: part p's accumulators into part 0's, in order (so results do not depend on
 * which thread ran what), then the output row. */
static void combine_parts(const reduce_plan *plan)
{
    const pymic2__reduce_kernels *k = plan->kernels;
    char *accs = slot_accs(plan, 0);
    int64_t *indices = slot_indices(plan, accs);
    const int64_t n = plan->row.size;
    for (int64_t part = 1; part < plan->parts; part++) {
        const char *other = slot_accs(plan, part);
        const int64_t *other_indices = slot_indices(plan, other);
        for (int64_t j = 0; j < n; j++) {
            if (plan->arg)
                k->arg_merge(accs + j * plan->acc_size, &indices[j], other + j * plan->acc_size,
                             other_indices[j]);
            else
                k->combine(accs + j * plan->acc_size, other + j * plan->acc_size);
        }
    }
    store_results(plan, plan->out, plan->row.out, accs, indices, n);
}

static int plan_rows(reduce_plan *plan, pymic2__team *team, int team_size)
{
    int64_t outputs = 1;
    plan->rows = 1;
    for (int d = 0; d < plan->nkept; d++)
        outputs *= plan->kept[d].size;
    for (int d = 0; d < plan->nred; d++)
        plan->rows *= plan->red[d].size;
    int64_t m = plan->row.size;
    int64_t nblocks = (m + BLOCK - 1) / BLOCK;
    plan->parts = 1;
    if (outputs * nblocks < team_size) {
        if (!plan->cumulative && outputs * nblocks == 1 && plan->rows >= 2 * team_size &&
            plan->rows * m * (int64_t)plan->in_size >= 2 * PIECE_BYTES) {
            /* one block of whole rows (sum(axis=0) of a matrix): each thread folds a range
             * of rows, reading memory in long contiguous stretches */
            plan->parts = team_size;
        } else {
            /* narrower blocks, down to 64 columns */
            int64_t wanted = (team_size + outputs - 1) / outputs;
            int64_t most = (m + 63) / 64;
            nblocks = wanted < most ? wanted : most;
            if (nblocks < 1)
                nblocks = 1;
        }
    }
    plan->block = (m + nblocks - 1) / nblocks;
    plan->nblocks = (m + plan->block - 1) / plan->block;
    size_t scratch_size = (size_t)team_size * slot_bytes(plan);
    plan->scratch = aligned_alloc(64, scratch_size);
    if (plan->scratch == NULL)
        return pymic2__error(PYMIC2_ENOMEM, "host: %zu bytes for reduction rows", scratch_size);
    const int64_t items = outputs * plan->nblocks * plan->parts;
    run_parallel(team, items, plan->rows / plan->parts * plan->block * (int64_t)plan->in_size,
                 run_rows, plan);
    if (plan->parts > 1)
        combine_parts(plan);
    free(plan->scratch);
    return PYMIC2_OK;
}

/* ---------------------------------------------------------------- cumulative lines */

/* cumsum along the contiguous axis: each line [begin, end) scanned element by element. */
static void run_lines(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    const reduce_plan *plan = context;
    const pymic2__reduce_kernels *k = plan->kernels;
    const dim *axis = &plan->red[0];
    for (int64_t q = begin; q < end; q++) {
        int64_t in_offset, out_offset;
        locate(plan->kept, plan->nkept, q, &in_offset, &out_offset);
        const char *in = plan->in + in_offset;
        char *out = plan->out + out_offset;
        _Alignas(16) unsigned char acc[16], next[16];
        k->lift(acc, in, 1, axis->in);
        k->emit(out, 0, acc, 1);
        for (int64_t i = 1; i < axis->size; i++) {
            k->lift(next, in + i * axis->in, 1, axis->in);
            k->combine(acc, next);
            k->emit(out + i * axis->out, 0, acc, 1);
        }
    }
}

/* ---------------------------------------------------------------- entry */

bool pymic2__host_reduce_runs_alone(const pymic2_op_desc *desc)
{
    /* less than one piece of input: run_parallel keeps it on one thread, whatever the plan */
    const pymic2_operand *in = &desc->operands[0];
    int64_t bytes = (int64_t)pymic2_dtype_size(in->dtype);
    for (int d = 0; d < in->ndim; d++)
        bytes *= in->shape[d];
    return bytes < PIECE_BYTES;
}

/* An empty reduction: every output element is the identity (validation made sure of one). */
static void fill_identity(const reduce_plan *plan, const pymic2_operand *out)
{
    dim dims[PYMIC2_MAX_DIMS];
    int64_t total = 1;
    for (int d = 0; d < out->ndim; d++) {
        dims[d] = (dim){out->shape[d], out->strides[d], out->strides[d]};
        total *= out->shape[d];
    }
    if (total == 0 || plan->kernels->identity == NULL) /* max of an empty array into () */
        return;
    _Alignas(16) unsigned char value[16];
    plan->kernels->identity(value);
    for (int64_t q = 0; q < total; q++) {
        int64_t offset, unused;
        locate(dims, out->ndim, q, &offset, &unused);
        plan->kernels->emit(plan->out + offset, 0, value, 1);
    }
}

int pymic2__host_run_reduce(pymic2__team *team, const pymic2_op_desc *desc)
{
    const pymic2_operand *in = &desc->operands[0], *out = &desc->operands[1];
    const pymic2__reduce_info *info = pymic2__reduce_get_info(desc->reduction);
    const char *device = out->buffer->device->name;
    reduce_plan plan_storage; /* the team reads it while this thread waits */
    reduce_plan *plan = &plan_storage;
    memset(plan, 0, sizeof *plan);
    plan->kernels = pymic2__host_reduce_find(desc->reduction, in->dtype);
    if (plan->kernels == NULL)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s has no kernel for %s", device, info->name,
                             pymic2_dtype_name(in->dtype));
    plan->arg = info->arg;
    plan->cumulative = info->cumulative;
    plan->in_size = pymic2_dtype_size(in->dtype);
    plan->acc_size = plan->kernels->acc_size;
    plan->in = pymic2__host_address(in->buffer, 0) + in->offset;
    plan->out = pymic2__host_address(out->buffer, 0) + out->offset;

    /* input dimensions with their output strides; keepdims outputs match dimension by
     * dimension, others skip the reduced ones */
    const int keepdims = out->ndim == in->ndim;
    int64_t total = 1;
    dim all[PYMIC2_MAX_DIMS] = {{0, 0, 0}};
    int out_d = 0;
    for (int d = 0; d < in->ndim; d++) {
        int reduced = desc->axes >> d & 1;
        int64_t out_stride = 0;
        if (plan->cumulative || !reduced || keepdims)
            out_stride = reduced && !plan->cumulative ? 0 : out->strides[out_d];
        if (plan->cumulative || !reduced || keepdims)
            out_d++;
        all[d] = (dim){in->shape[d], in->strides[d], out_stride};
        total *= in->shape[d];
    }
    plan->fold = total * (int64_t)plan->in_size >= PYMIC2__PREFETCH_MIN ? plan->kernels->fold_far
                                                                         : plan->kernels->fold;
    if (total == 0) {
        if (!plan->cumulative)
            fill_identity(plan, out);
        return PYMIC2_OK;
    }

    /* split into kept and reduced dimensions, dropping size 1; find the smallest stride */
    int axis_is_inner = 0, inner = -1;
    for (int d = 0; d < in->ndim; d++)
        if (all[d].size > 1 && (inner < 0 || magnitude(all[d].in) < magnitude(all[inner].in)))
            inner = d;
    int team_size = team != NULL ? pymic2__team_size(team) : 1;
    if (plan->cumulative) {
        int axis = __builtin_ctz(desc->axes);
        axis_is_inner = inner < 0 || inner == axis || all[axis].size == 1;
        if (axis_is_inner) {
            plan->red[0] = all[axis];
            plan->nred = 1;
            for (int d = 0; d < in->ndim; d++)
                if (d != axis && all[d].size > 1)
                    plan->kept[plan->nkept++] = all[d];
            run_parallel(team, total / all[axis].size, all[axis].size * (int64_t)plan->in_size,
                         run_lines, plan);
            return PYMIC2_OK;
        }
        plan->row = all[inner];
        plan->red[plan->nred++] = all[axis];
        for (int d = 0; d < in->ndim; d++)
            if (d != axis && d != inner && all[d].size > 1)
                plan->kept[plan->nkept++] = all[d];
        return plan_rows(plan, team, team_size);
    }

    int inner_reduced = inner < 0 || (desc->axes >> inner & 1);
    for (int d = 0; d < in->ndim; d++) {
        if (all[d].size == 1 || (!inner_reduced && d == inner))
            continue;
        if (desc->axes >> d & 1)
            plan->red[plan->nred++] = all[d];
        else
            plan->kept[plan->nkept++] = all[d];
    }
    /* argmax's index counts in C order, so its reduced dimensions keep their order */
    if (!plan->arg)
        sort_by_stride(plan->red, plan->nred);
    plan->nred = merge_dims(plan->red, plan->nred);
    sort_by_stride(plan->kept, plan->nkept);
    plan->nkept = merge_dims(plan->kept, plan->nkept);
    if (!inner_reduced) {
        plan->row = all[inner];
        return plan_rows(plan, team, team_size);
    }
    if (plan->nred == 0) /* every reduced dimension has size 1: a run of one element */
        plan->red[plan->nred++] = (dim){1, 0, 0};
    plan->partials = calloc((size_t)team_size, sizeof(partial));
    if (plan->partials == NULL)
        return pymic2__error(PYMIC2_ENOMEM, "%s: %s: no memory for %d partial results", device,
                             info->name, team_size);
    run_runs(plan, team_size > 1 ? team : NULL, team_size);
    free(plan->partials);
    return PYMIC2_OK;
}
