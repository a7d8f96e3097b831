/*
 * host_ops.c - runs a validated built-in op on a host device.
 *
 * The op's operands all have the output's shape (pymic2_op_launch padded and broadcast the
 * inputs with stride 0). We drop size-1 dimensions, order the rest so that the output's
 * smallest stride is innermost, merge neighbours that are contiguous for every operand
 * (a C-contiguous op becomes one long row), and then walk the rows with the op's inner loop
 * (loops.c). The flattened element range is split over the device's team in pieces of at
 * least PIECE_BYTES of output, so small ops stay on the calling thread, and not at all
 * when the loop's measured cost says the whole op is over in less than SPLIT_MIN_NS.
 *
 * Large outputs (PYMIC2__HOST_STREAMING_MIN bytes and more, contiguous along the inner
 * dimension) bypass the cache: the loop writes STREAM_BUFFER_BYTES at a time into a buffer
 * that stays in L1, and non-temporal stores move it out, so memory carries 24 bytes per
 * float64 element of a + b, not 32 (the output line is not read before it is written).
 * The buffer is small so that the stores overlap the next pass's loads: measured on this
 * Zen 4 VM with two threads, a + b ran at 52 GB/s through 256-512 byte buffers (as fast as
 * AVX-512 streaming stores in the loop itself), 42-46 GB/s through 1-2 KiB, 36 GB/s
 * through 16 KiB and with ordinary stores.
 *
 * Ops that read more than the caches hold prefetch their contiguous inputs (prefetch.h):
 * rows then also go in passes of at most PREFETCH_PASS_BYTES per input, each pass asking
 * for the lines PYMIC2__PREFETCH_DISTANCE ahead of it.
 *
 * Aliasing: the output may be exactly an input (a += b): each element is read before it is
 * written at the same place. Partial overlap (the output a shifted view of an input) gives
 * unspecified results; callers copy such an input first, as NumPy does.
 */
#include "host_ops.h"

#include "host_internal.h"
#include "loops.h"
#include "prefetch.h"

#include "../../core/spin.h"
#include "../../ops/op_table.h"

/* Work per thread at least this many output bytes: below it, waking threads costs more
 * than it saves. */
#define PIECE_BYTES (32 * 1024)
/* An op predicted to take less than this on one thread runs on one thread (see loop_cost_ps):
 * a spinning helper joins in about a microsecond, a sleeping one 20-50 us after its
 * wake-up, and handing out the pieces and waiting for the last one add a few more. */
#define SPLIT_MIN_NS 16000
/* Pieces of fewer elements are not timed: clock reads and call overhead would dominate. */
#define COST_MIN_ELEMENTS 4096
#define STREAM_BUFFER_BYTES 512
/* Inputs of ops that read at least PYMIC2__PREFETCH_MIN bytes are prefetched ahead
 * (prefetch.h), a pass of at most PREFETCH_PASS_BYTES per input at a time. */
#define PREFETCH_PASS_BYTES 1024

/* Measured cost of each (op, input dtype) loop in picoseconds per element, 0 until measured:
 * a running average of the time a piece took on its thread per element (a piece's own time:
 * a region's also holds the helpers' wake-up, which would make an op that was split once
 * look too costly ever to run alone). Per element a float64 arctan costs 30-50 times a + b,
 * so one byte threshold for the family would either split cheap ops that are over before a
 * helper joins or keep costly ones on one thread. The choice decides only who runs which
 * elements, never a result. */
static _Atomic uint32_t loop_cost_ps[PYMIC2_NUM_OPS][PYMIC2_NUM_DTYPES];

typedef struct op_plan {
    pymic2__loop_fn loop;
    int iota; /* arange: the loop gets the index of its first element in args[noperands] */
    int streaming; /* the output goes through a buffer and non-temporal stores */
    unsigned prefetch; /* bit k: prefetch input k ahead (it is read in order, from memory) */
    int64_t pass;      /* elements per pass along a row; 0: whole rows at once */
    int noperands;
    int ndim; /* >= 1 */
    int64_t shape[PYMIC2_MAX_DIMS];
    int64_t strides[PYMIC2_MAX_DIMS][PYMIC2_MAX_OPERANDS]; /* [dim][operand], bytes */
    char *base[PYMIC2_MAX_OPERANDS];                       /* element [0, 0, ...] */
    pymic2_scalar stored[PYMIC2_MAX_OPERANDS]; /* scalar operands as elements in memory */
    pymic2__loop_state state;
    _Atomic uint32_t piece_cost_ps; /* a piece's time per element (see loop_cost_ps), or 0 */
} op_plan;

static int64_t magnitude(int64_t value)
{
    return value < 0 ? -value : value;
}

/* A row shorter than this is run along its longer outer neighbour instead. */
#define SHORT_ROW 5

/* A short innermost dimension makes the loop run a few elements per call (repeat(x, c, -1)
 * copies into an output whose innermost axis is the c repetitions): when the next
 * dimension is at least 4 times longer, it goes inside, with strided access. repeat of
 * 2048x1024 float64 along the last axis, c = 2, 3, 4: 28, 33, 40 ms before, 3.3, 6.5,
 * 22 ms after (NumPy 5.4, 11.6, 14.7 ms). From c = 8 the strided rows are slower than
 * the short ones (68 ms against 35 ms). */
static void swap_short_row(op_plan *plan)
{
    const int inner = plan->ndim - 1;
    if (inner < 1 || plan->shape[inner] >= SHORT_ROW ||
        plan->shape[inner - 1] < 4 * plan->shape[inner])
        return;
    const int64_t shape = plan->shape[inner];
    plan->shape[inner] = plan->shape[inner - 1];
    plan->shape[inner - 1] = shape;
    for (int k = 0; k < plan->noperands; k++) {
        const int64_t stride = plan->strides[inner][k];
        plan->strides[inner][k] = plan->strides[inner - 1][k];
        plan->strides[inner - 1][k] = stride;
    }
}

/* Size-1 dimensions out, the output's largest stride first, contiguous neighbours merged. */
static void simplify_dimensions(op_plan *plan, int output)
{
    int ndim = 0;
    for (int d = 0; d < plan->ndim; d++) {
        if (plan->shape[d] == 1)
            continue;
        plan->shape[ndim] = plan->shape[d];
        for (int k = 0; k < plan->noperands; k++)
            plan->strides[ndim][k] = plan->strides[d][k];
        ndim++;
    }

    /* insertion sort: stable, so C order survives when the output is C-ordered */
    for (int d = 1; d < ndim; d++) {
        int64_t shape = plan->shape[d];
        int64_t strides[PYMIC2_MAX_OPERANDS];
        for (int k = 0; k < plan->noperands; k++)
            strides[k] = plan->strides[d][k];
        int e = d;
        while (e > 0 && magnitude(plan->strides[e - 1][output]) < magnitude(strides[output])) {
            plan->shape[e] = plan->shape[e - 1];
            for (int k = 0; k < plan->noperands; k++)
                plan->strides[e][k] = plan->strides[e - 1][k];
            e--;
        }
        plan->shape[e] = shape;
        for (int k = 0; k < plan->noperands; k++)
            plan->strides[e][k] = strides[k];
    }

    /* merge dimension d into the (inner) one kept last, from the inside out */
    int kept = ndim - 1;
    for (int d = ndim - 2; d >= 0; d--) {
        int mergeable = 1;
        for (int k = 0; k < plan->noperands; k++)
            if (plan->strides[d][k] != plan->strides[kept][k] * plan->shape[kept])
                mergeable = 0;
        if (mergeable) {
            plan->shape[kept] *= plan->shape[d];
            continue;
        }
        kept--;
        plan->shape[kept] = plan->shape[d];
        for (int k = 0; k < plan->noperands; k++)
            plan->strides[kept][k] = plan->strides[d][k];
    }
    /* the kept dimensions are [kept, ndim); move them to the front */
    int nkept = ndim > 0 ? ndim - kept : 0;
    for (int d = 0; d < nkept; d++) {
        plan->shape[d] = plan->shape[kept + d];
        for (int k = 0; k < plan->noperands; k++)
            plan->strides[d][k] = plan->strides[kept + d][k];
    }
    if (nkept == 0) { /* every dimension was 1: one element */
        plan->shape[0] = 1;
        for (int k = 0; k < plan->noperands; k++)
            plan->strides[0][k] = 0;
        nkept = 1;
    }
    plan->ndim = nkept;
    swap_short_row(plan);
}

/* Runs the loop over n elements of a row at args (steps as the loop takes them); first is
 * the flattened index of the row's first element (for arange). Long rows go in passes of
 * plan->pass elements, each prefetching its inputs' lines ahead and, when streaming,
 * writing into the L1 buffer that non-temporal stores then move out. */
static void run_row(op_plan *plan, char **args, int64_t n, const int64_t *steps, int64_t first)
{
    const int output = plan->noperands - 1;
    if (plan->iota) /* arange is 1-D, so the flattened index is the element's index */
        args[plan->noperands] = (char *)&first;
    if (plan->pass == 0) {
        plan->loop(args, n, steps, &plan->state);
        return;
    }
    _Alignas(64) char buffer[STREAM_BUFFER_BYTES];
    const int64_t size = steps[output];
    char *out = args[output];
    char *pass_args[PYMIC2_MAX_OPERANDS + 1];
    for (int64_t done = 0; done < n; done += plan->pass) {
        const int64_t count = n - done < plan->pass ? n - done : plan->pass;
        for (int k = 0; k < output; k++) {
            pass_args[k] = args[k] + done * steps[k];
            if (plan->prefetch & (1u << k))
                pymic2__prefetch_ahead(pass_args[k], count * steps[k]);
        }
        pass_args[output] = plan->streaming ? buffer : out + done * size;
        int64_t pass_first = first + done;
        pass_args[plan->noperands] = (char *)&pass_first;
        plan->loop(pass_args, count, steps, &plan->state);
        if (plan->streaming)
            pymic2__host_stream_store(out + done * size, buffer, (size_t)(count * size));
    }
}

/* Whether rows go in passes (plan->pass), for streaming stores of a large output and for
 * prefetching inputs that are read in order and do not fit the caches. */
static void plan_passes(op_plan *plan, int64_t total, int64_t out_size)
{
    const int output = plan->noperands - 1;
    const int64_t *inner_strides = plan->strides[plan->ndim - 1];
    plan->streaming = inner_strides[output] == out_size &&
                      (size_t)(total * out_size) >= PYMIC2__HOST_STREAMING_MIN;
    plan->pass = plan->streaming ? STREAM_BUFFER_BYTES / out_size : 0;
    plan->prefetch = 0;
    int64_t widest_step = 0, read_bytes = 0;
    for (int k = 0; k < output; k++)
        if (inner_strides[k] > 0 && inner_strides[k] <= 64) { /* every line is read */
            plan->prefetch |= 1u << k;
            read_bytes += total * inner_strides[k];
            widest_step = inner_strides[k] > widest_step ? inner_strides[k] : widest_step;
        }
    if (read_bytes < PYMIC2__PREFETCH_MIN) {
        plan->prefetch = 0;
        return;
    }
    const int64_t pass = PREFETCH_PASS_BYTES / widest_step;
    plan->pass = plan->pass == 0 || pass < plan->pass ? pass : plan->pass;
}

/* Runs flattened elements [begin, end): row by row along the innermost dimension. */
static void run_range(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    op_plan *plan = context;
    const int64_t count = end - begin;
    const uint64_t start = count >= COST_MIN_ELEMENTS ? pymic2__now_ns() : 0;
    const int inner = plan->ndim - 1;
    const int64_t row_length = plan->shape[inner];
    int64_t steps[PYMIC2_MAX_OPERANDS];
    char *row[PYMIC2_MAX_OPERANDS];
    int64_t index[PYMIC2_MAX_DIMS];

    for (int k = 0; k < plan->noperands; k++) {
        steps[k] = plan->strides[inner][k];
        row[k] = plan->base[k];
    }
    int64_t column = begin % row_length;
    int64_t rest = begin / row_length;
    for (int d = inner - 1; d >= 0; d--) {
        index[d] = rest % plan->shape[d];
        rest /= plan->shape[d];
        for (int k = 0; k < plan->noperands; k++)
            row[k] += index[d] * plan->strides[d][k];
    }

    while (begin < end) {
        int64_t n = row_length - column < end - begin ? row_length - column : end - begin;
        char *args[PYMIC2_MAX_OPERANDS + 1];
        for (int k = 0; k < plan->noperands; k++)
            args[k] = row[k] + column * steps[k];
        run_row(plan, args, n, steps, begin);
        begin += n;
        column = 0;
        if (begin == end)
            break;
        /* next row: odometer over the outer dimensions */
        for (int d = inner - 1; d >= 0; d--) {
            for (int k = 0; k < plan->noperands; k++)
                row[k] += plan->strides[d][k];
            if (++index[d] < plan->shape[d])
                break;
            for (int k = 0; k < plan->noperands; k++)
                row[k] -= plan->shape[d] * plan->strides[d][k];
            index[d] = 0;
        }
    }
    if (plan->streaming) /* visible before the piece reports done */
        pymic2__host_stream_fence();
    if (start != 0) {
        uint64_t sample = (pymic2__now_ns() - start) * 1000 / (uint64_t)count;
        atomic_store_explicit(&plan->piece_cost_ps, sample < UINT32_MAX ? (uint32_t)sample + 1
                                                                        : UINT32_MAX,
                              memory_order_relaxed);
    }
}

/* The smallest piece of an elementwise op of `total` elements: its whole when its measured
 * cost says it is over before a helper would join, else PIECE_BYTES of output. */
static int64_t min_piece_of(pymic2_op op, pymic2_dtype input, int64_t total, int64_t out_size)
{
    uint64_t cost = atomic_load_explicit(&loop_cost_ps[op][input], memory_order_relaxed);
    if (total > 0 && cost != 0 && (uint64_t)total * cost < (uint64_t)SPLIT_MIN_NS * 1000)
        return total;
    int64_t min_piece = PIECE_BYTES / out_size;
    return min_piece > 0 ? min_piece : 1;
}

/* Folds a piece's cost per element (0: not timed) into the loop's running average. */
static void note_cost(pymic2_op op, pymic2_dtype input, uint64_t sample)
{
    if (sample == 0)
        return;
    _Atomic uint32_t *cost = &loop_cost_ps[op][input];
    uint64_t old = atomic_load_explicit(cost, memory_order_relaxed);
    uint64_t next = old == 0 ? sample : (3 * old + sample) / 4;
    atomic_store_explicit(cost, (uint32_t)(next < UINT32_MAX ? (next > 0 ? next : 1) : UINT32_MAX),
                          memory_order_relaxed);
}

static int64_t element_count(const pymic2_operand *operand)
{
    int64_t total = 1;
    for (int d = 0; d < operand->ndim; d++)
        total *= operand->shape[d];
    return total;
}

bool pymic2__host_op_runs_alone(const pymic2_op_desc *desc)
{
    if (desc->reduction != PYMIC2_REDUCE_NONE)
        return pymic2__host_reduce_runs_alone(desc);
    if ((int)desc->op < 0 || (int)desc->op >= PYMIC2_NUM_OPS)
        return false;
    const pymic2__op_info *info = pymic2__op_get_info(desc->op);
    const pymic2_operand *out = &desc->operands[info->ninputs];
    const int64_t total = element_count(out);
    const int64_t out_size = (int64_t)pymic2_dtype_size(out->dtype);
    return total / min_piece_of(desc->op, desc->operands[info->dtype_input].dtype, total,
                                out_size) < 2;
}

/* The OP family's slot. */
int pymic2__host_op(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    (void)launch;
    return pymic2__host_run_op(pymic2__host_of(stream->device)->team, &command->u.op);
}

int pymic2__host_run_op(pymic2__team *team, const pymic2_op_desc *desc)
{
    if (desc->reduction != PYMIC2_REDUCE_NONE)
        return pymic2__host_run_reduce(team, desc);
    if ((int)desc->op < 0 || (int)desc->op >= PYMIC2_NUM_OPS)
        return pymic2__error(PYMIC2_EINVAL, "host: op %d is not a built-in op", (int)desc->op);
    const pymic2__op_info *info = pymic2__op_get_info(desc->op);
    const int output = info->ninputs;
    const pymic2_operand *out = &desc->operands[output];
    if (desc->noperands != info->ninputs + 1 || out->buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "host: %s: not a validated op (%d operands)",
                             info->name, desc->noperands);
    const char *device = out->buffer->device->name;

    op_plan plan_storage; /* the team reads it while this thread waits in parallel_for */
    op_plan *plan = &plan_storage;
    const pymic2_dtype input = desc->operands[info->dtype_input].dtype;
    plan->loop = pymic2__host_loop_find(desc->op, input, out->dtype);
    if (plan->loop == NULL)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s has no loop from %s to %s", device,
                             info->name, pymic2_dtype_name(input), pymic2_dtype_name(out->dtype));
    plan->iota = info->rule == PYMIC2__OUT_IOTA;
    plan->noperands = desc->noperands;
    plan->ndim = out->ndim;
    atomic_init(&plan->state.invalid, 0);
    const int64_t total = element_count(out);
    for (int d = 0; d < out->ndim; d++) {
        plan->shape[d] = out->shape[d];
        for (int k = 0; k < plan->noperands; k++)
            plan->strides[d][k] = desc->operands[k].buffer ? desc->operands[k].strides[d] : 0;
    }
    for (int k = 0; k < plan->noperands; k++) {
        const pymic2_operand *operand = &desc->operands[k];
        /* a scalar is read as an element, with stride 0; loops never write their inputs */
        if (operand->buffer == NULL)
            pymic2__scalar_store(operand->dtype, operand->value, &plan->stored[k]);
        plan->base[k] = operand->buffer
                            ? pymic2__host_address(operand->buffer, 0) + operand->offset
                            : (char *)&plan->stored[k];
    }

    if (total == 0)
        return PYMIC2_OK;
    simplify_dimensions(plan, output);
    const int64_t out_size = (int64_t)pymic2_dtype_size(out->dtype);
    plan_passes(plan, total, out_size);
    atomic_init(&plan->piece_cost_ps, 0);
    if (team != NULL)
        pymic2__team_parallel_for(team, total, min_piece_of(desc->op, input, total, out_size),
                                  run_range, plan);
    else
        run_range(plan, 0, total, 0);
    note_cost(desc->op, input, atomic_load(&plan->piece_cost_ps));
    if (atomic_load(&plan->state.invalid))
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: " PYMIC2__NEGATIVE_POWER_MESSAGE, device,
                             info->name);
    return PYMIC2_OK;
}
