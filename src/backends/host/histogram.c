/*
 * histogram.c - the HISTOGRAM family on a host device (pymic2_histogram: bincount, histogram,
 * histogramdd in one pass; isin's bitmap and lookups; the range of integers).
 *
 * The positions are cut into pieces whose number depends on n and the bins only (never on
 * the thread count); each piece counts into its own zeroed copy of the bins, in cache, with
 * no atomics, and the copies are added bin by bin in piece order afterwards. So weighted
 * sums come out the same on any team. A bin is found by arithmetic for evenly spaced edges
 * (NumPy's, corrected against the two edges next to it) or by binary search.
 */
#include "host_internal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Positions per piece at least: below it, a piece's zeroing and merge cost more. */
#define PIECE_VALUES (64 * 1024)
#define MAX_PIECES 16
/* Bytes of all pieces' copies at most: beyond that, fewer pieces (one: no copy). */
#define SCRATCH_BYTES ((int64_t)8 << 20)
/* Bins per merge piece at least. */
#define MERGE_BINS (16 * 1024)

typedef struct histogram_plan histogram_plan;
typedef void (*count_fn)(const histogram_plan *plan, int64_t begin, int64_t end, char *out);

struct histogram_plan {
    const pymic2_histogram_desc *desc;
    const char *values;          /* element [0, 0] */
    int64_t row_step, axis_step; /* bytes between positions, between axes */
    const double *edges[PYMIC2_MAX_HISTOGRAM_AXES]; /* EVEN, EDGES: the axis's first edge */
    double scales[PYMIC2_MAX_HISTOGRAM_AXES];       /* EVEN: bins per unit */
    const char *weights;         /* NULL: counting */
    int64_t weight_step;
    int64_t n, bins;
    int npieces;
    char *scratch;               /* piece k's bins at k * bins elements */
    char *counts;
    char *found; /* MEMBER: the output */
    int64_t itemsize; /* of a value */
    /* COUNT: into a copy of the bins; MEMBER: into found; MARK: into the bitmap (counts);
     * RANGE: the least and greatest value into out */
    count_fn count;
};

/* NumPy's bin for evenly spaced edges e[0..nbins]: scaled (scale = nbins / (e[nbins] -
 * e[0])) and truncated, then moved by one where the exact edges say so, as NumPy's; -1
 * outside [e[0], e[nbins]] and for NaN. NumPy divides by the width where this multiplies by
 * its inverse: the estimates may differ by one, which the edges correct alike. */
static inline int64_t even_bin(const double *e, int64_t nbins, double scale, double x)
{
    if (!(x >= e[0] && x <= e[nbins]))
        return -1;
    const double f = (x - e[0]) * scale; /* NaN only for equal edges: then the last bin */
    int64_t b = f < (double)nbins ? (int64_t)f : nbins - 1;
    if (x < e[b])
        b--;
    else if (b != nbins - 1 && x >= e[b + 1])
        b++;
    return b;
}

/* The last b with e[b] <= x (the last bin for the last edge); -1 outside and for NaN. A
 * branch-free search: the comparisons of random values would mispredict half the time. */
static inline int64_t search_bin(const double *e, int64_t nbins, double x)
{
    if (!(x >= e[0] && x <= e[nbins]))
        return -1;
    const double *base = e;
    int64_t length = nbins + 1; /* the answer is in base[0, length) */
    while (length > 1) {
        const int64_t half = length / 2;
        base = base[half] <= x ? base + half : base;
        length -= half;
    }
    const int64_t b = base - e;
    return b < nbins ? b : nbins - 1;
}

/* value - low if in 0..nbins-1 (computed where it cannot overflow), else -1. */
static inline int64_t integer_bin(int64_t value, int64_t low, int64_t nbins)
{
    const uint64_t b = (uint64_t)value - (uint64_t)low;
    return value >= low && b < (uint64_t)nbins ? (int64_t)b : -1;
}

/* The integer bin of an element v of an integer dtype: a uint64 above int64's range is past
 * every bin (the launcher keeps low + nbins - 1 inside it). Only bool and integer values
 * come here, so the conversions never see a float. */
#define INTEGER_BIN(v, low, nbins)                                                            \
    ((v) > 0 && (uint64_t)(v) > (uint64_t)INT64_MAX ? -1 : integer_bin((int64_t)(v), low, nbins))

/* One axis's bin of an element v (of the dtype being counted); -1: dropped. */
#define AXIS_BIN(plan, a, v)                                                                  \
    ((plan)->desc->rules[a] == PYMIC2_BIN_INTEGER                                             \
         ? INTEGER_BIN(v, (plan)->desc->low, (plan)->desc->nbins[a])                          \
     : (plan)->desc->rules[a] == PYMIC2_BIN_EVEN                                              \
         ? even_bin((plan)->edges[a], (plan)->desc->nbins[a], (plan)->scales[a], (double)(v))  \
         : search_bin((plan)->edges[a], (plan)->desc->nbins[a], (double)(v)))

static inline double load_weight(const histogram_plan *plan, int64_t i)
{
    double w;
    memcpy(&w, plan->weights + i * plan->weight_step, sizeof w);
    return w;
}

/* Counting into few bins, consecutive positions often hit the same bin, and each increment
 * then waits for the previous one's store to its counter: SPREAD_WAYS interleaved copies of
 * the counts (on the stack) keep that many chains going, added up at the end. bincount of
 * 1e6 values into 10 bins: 0.72x NumPy with one copy (quiet machine). */
#define SPREAD_WAYS 4
#define SPREAD_BINS 512

static void add_spread(char *out, int64_t (*spread)[SPREAD_BINS], int64_t bins)
{
    int64_t *counts = (int64_t *)out;
    for (int64_t b = 0; b < bins; b++) {
        int64_t sum = 0;
        for (int way = 0; way < SPREAD_WAYS; way++)
            sum += spread[way][b];
        counts[b] += sum;
    }
}

/* A loop over positions [begin, end) with `bin` computed by BIN (-1: dropped), adding one
 * or the position's weight into `out` (zeroed by the caller). */
#define COUNT_LOOP(BIN)                                                                       \
    do {                                                                                      \
        if (plan->weights != NULL) {                                                          \
            double *sums = (double *)out;                                                     \
            for (int64_t i = begin; i < end; i++) {                                           \
                const int64_t bin = BIN;                                                      \
                if (bin >= 0)                                                                 \
                    sums[bin] += load_weight(plan, i);                                        \
            }                                                                                 \
        } else if (plan->bins <= SPREAD_BINS) {                                               \
            int64_t spread[SPREAD_WAYS][SPREAD_BINS];                                         \
            for (int way = 0; way < SPREAD_WAYS; way++) /* the bins in use only */            \
                memset(spread[way], 0, (size_t)plan->bins * sizeof spread[way][0]);           \
            int64_t first = begin;                                                            \
            for (; first + SPREAD_WAYS <= end; first += SPREAD_WAYS)                          \
                for (int way = 0; way < SPREAD_WAYS; way++) {                                 \
                    const int64_t i = first + way;                                            \
                    const int64_t bin = BIN;                                                  \
                    if (bin >= 0)                                                             \
                        spread[way][bin]++;                                                   \
                }                                                                             \
            for (int64_t i = first; i < end; i++) {                                           \
                const int64_t bin = BIN;                                                      \
                if (bin >= 0)                                                                 \
                    spread[0][bin]++;                                                         \
            }                                                                                 \
            add_spread(out, spread, plan->bins);                                              \
        } else {                                                                              \
            int64_t *counts = (int64_t *)out;                                                 \
            for (int64_t i = begin; i < end; i++) {                                           \
                const int64_t bin = BIN;                                                      \
                if (bin >= 0)                                                                 \
                    counts[bin]++;                                                            \
            }                                                                                 \
        }                                                                                     \
    } while (0)

/* The real dtypes' rows (the launcher refuses complex values). */
#define REAL_BOOL(...) __VA_ARGS__
#define REAL_INT(...) __VA_ARGS__
#define REAL_FLOAT(...) __VA_ARGS__
#define REAL_COMPLEX(...)
#define IF_REAL(CLASS, ...) REAL_##CLASS(__VA_ARGS__)

/* The bool and integer dtypes' rows (RANGE, MARK, MEMBER take those only). */
#define INTEGER_BOOL(...) __VA_ARGS__
#define INTEGER_INT(...) __VA_ARGS__
#define INTEGER_FLOAT(...)
#define INTEGER_COMPLEX(...)
#define IF_INTEGER(CLASS, ...) INTEGER_##CLASS(__VA_ARGS__)

/* Bit b of a MARK bitmap. */
#define BITMAP_WORD(b) ((b) >> 5)
#define BITMAP_BIT(b) ((uint32_t)1 << ((b) & 31))

/* Per value dtype: one axis (the rule hoisted out of the loop), or several; and for bool and
 * integers the range, marking and membership. */
#define COUNT_FUNCTIONS(context, NAME, name, ctype, CLASS, ...)                              \
    IF_REAL(CLASS, REAL_FUNCTIONS(NAME, ctype))                                               \
    IF_INTEGER(CLASS, INTEGER_FUNCTIONS(NAME, ctype))
#define REAL_FUNCTIONS(NAME, ctype)                                                           \
    static inline ctype value_##NAME(const histogram_plan *plan, int64_t i, int a)           \
    {                                                                                         \
        ctype v;                                                                              \
        memcpy(&v, plan->values + i * plan->row_step + a * plan->axis_step, sizeof v);        \
        return v;                                                                             \
    }                                                                                         \
    static inline int64_t bins_##NAME(const histogram_plan *plan, int64_t i)                  \
    {                                                                                         \
        int64_t bin = 0;                                                                      \
        for (int a = 0; a < plan->desc->naxes; a++) {                                         \
            const int64_t b = AXIS_BIN(plan, a, value_##NAME(plan, i, a));                    \
            if (b < 0)                                                                        \
                return -1;                                                                    \
            bin = bin * plan->desc->nbins[a] + b;                                             \
        }                                                                                     \
        return bin;                                                                           \
    }                                                                                         \
    static void count_##NAME(const histogram_plan *plan, int64_t begin, int64_t end,         \
                             char *out)                                                       \
    {                                                                                         \
        const int64_t nbins = plan->desc->nbins[0];                                           \
        const double *e = plan->edges[0];                                                     \
        if (plan->desc->naxes > 1)                                                            \
            COUNT_LOOP(bins_##NAME(plan, i));                                                 \
        else if (plan->desc->rules[0] == PYMIC2_BIN_INTEGER)                                  \
            COUNT_LOOP(INTEGER_BIN(value_##NAME(plan, i, 0), plan->desc->low, nbins));        \
        else if (plan->desc->rules[0] == PYMIC2_BIN_EVEN)                                     \
            COUNT_LOOP(even_bin(e, nbins, plan->scales[0], (double)value_##NAME(plan, i, 0))); \
        else                                                                                  \
            COUNT_LOOP(search_bin(e, nbins, (double)value_##NAME(plan, i, 0)));               \
    }
/* The least and greatest of [begin, end) into out: contiguous values by a loop compiled
 * for AVX-512 and AVX2 too (vector min and max; x86-64's baseline has none for 64-bit
 * integers, and its scalar loop was several times slower); MARK sets a bin's bit only if clear (the atomic is the slow part);
 * MEMBER tests the bit. */
#if defined(__x86_64__)
#define RANGE_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define RANGE_CLONES
#endif
#define RANGE_LOOP(ctype, step)                                                               \
    for (int64_t i = begin; i < end; i++) {                                                   \
        ctype v;                                                                              \
        memcpy(&v, values + i * (step), sizeof v);                                            \
        low = v < low ? v : low;                                                              \
        high = v > high ? v : high;                                                           \
    }                                                                                         \
    memcpy(out, &low, sizeof low);                                                            \
    memcpy(out + sizeof low, &high, sizeof high);
#define INTEGER_FUNCTIONS(NAME, ctype)                                                        \
    static RANGE_CLONES void range_contiguous_##NAME(const char *values, int64_t begin,      \
                                                     int64_t end, char *out)                 \
    {                                                                                         \
        ctype low, high;                                                                      \
        memcpy(&low, values + begin * (int64_t)sizeof low, sizeof low);                       \
        high = low;                                                                           \
        RANGE_LOOP(ctype, (int64_t)sizeof(ctype))                                             \
    }                                                                                         \
    static void range_##NAME(const histogram_plan *plan, int64_t begin, int64_t end,         \
                             char *out)                                                       \
    {                                                                                         \
        if (plan->row_step == (int64_t)sizeof(ctype)) {                                       \
            range_contiguous_##NAME(plan->values, begin, end, out);                           \
            return;                                                                           \
        }                                                                                     \
        const char *values = plan->values;                                                    \
        ctype low = value_##NAME(plan, begin, 0), high = low;                                 \
        RANGE_LOOP(ctype, plan->row_step)                                                     \
    }                                                                                         \
    static void mark_##NAME(const histogram_plan *plan, int64_t begin, int64_t end,          \
                            char *out)                                                        \
    {                                                                                         \
        uint32_t *words = (uint32_t *)out;                                                    \
        const int64_t nbins = plan->desc->nbins[0];                                           \
        for (int64_t i = begin; i < end; i++) {                                               \
            const int64_t b = INTEGER_BIN(value_##NAME(plan, i, 0), plan->desc->low, nbins);  \
            if (b >= 0 && !(__atomic_load_n(&words[BITMAP_WORD(b)], __ATOMIC_RELAXED) &       \
                            BITMAP_BIT(b)))                                                   \
                __atomic_fetch_or(&words[BITMAP_WORD(b)], BITMAP_BIT(b), __ATOMIC_RELAXED);   \
        }                                                                                     \
    }                                                                                         \
    static void member_##NAME(const histogram_plan *plan, int64_t begin, int64_t end,        \
                              char *out)                                                      \
    {                                                                                         \
        const uint32_t *words = (const uint32_t *)plan->counts;                               \
        const int64_t nbins = plan->desc->nbins[0];                                           \
        const bool invert = plan->desc->invert != 0;                                          \
        for (int64_t i = begin; i < end; i++) {                                               \
            const int64_t b = INTEGER_BIN(value_##NAME(plan, i, 0), plan->desc->low, nbins);  \
            out[i] = (uint8_t)((b >= 0 && (words[BITMAP_WORD(b)] & BITMAP_BIT(b))) != invert);\
        }                                                                                     \
    }
PYMIC2_DTYPE_TABLE(COUNT_FUNCTIONS, ~)

#define COUNT_ENTRY(context, NAME, name, ctype, CLASS, ...)                                   \
    IF_REAL(CLASS, [PYMIC2_##NAME] = count_##NAME,)
static const count_fn count_functions[PYMIC2_NUM_DTYPES] = {
    PYMIC2_DTYPE_TABLE(COUNT_ENTRY, ~)};
#define MEMBER_ENTRY(context, NAME, name, ctype, CLASS, ...)                                  \
    IF_INTEGER(CLASS, [PYMIC2_##NAME] = member_##NAME,)
static const count_fn member_functions[PYMIC2_NUM_DTYPES] = {
    PYMIC2_DTYPE_TABLE(MEMBER_ENTRY, ~)};
#define MARK_ENTRY(context, NAME, name, ctype, CLASS, ...)                                    \
    IF_INTEGER(CLASS, [PYMIC2_##NAME] = mark_##NAME,)
static const count_fn mark_functions[PYMIC2_NUM_DTYPES] = {PYMIC2_DTYPE_TABLE(MARK_ENTRY, ~)};
#define RANGE_ENTRY(context, NAME, name, ctype, CLASS, ...)                                   \
    IF_INTEGER(CLASS, [PYMIC2_##NAME] = range_##NAME,)
static const count_fn range_functions[PYMIC2_NUM_DTYPES] = {
    PYMIC2_DTYPE_TABLE(RANGE_ENTRY, ~)};

/* MEMBER over positions [begin, end) (the keys) into found; MARK into the bitmap. */
static void member_range(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    const histogram_plan *plan = context;
    plan->count(plan, begin, end, plan->desc->op == PYMIC2_HISTOGRAM_MARK ? plan->counts
                                                                         : plan->found);
}

/* RANGE of piece `member` into its pair in the scratch. */
static void range_piece(void *context, int64_t begin, int64_t end, int member)
{
    const histogram_plan *plan = context;
    plan->count(plan, begin, end, plan->scratch + (int64_t)member * 2 * plan->itemsize);
}

/* RANGE: each piece's least and greatest, then theirs (the pairs are values too). */
static void range_over_team(pymic2__team *team, histogram_plan *plan)
{
    char pairs[MAX_PIECES * 2 * sizeof(int64_t)];
    plan->scratch = pairs;
    pymic2__team_parallel_for_pieces(team, plan->n, plan->npieces, range_piece, plan);
    histogram_plan of_pairs = *plan;
    of_pairs.values = pairs;
    of_pairs.row_step = plan->itemsize;
    plan->count(&of_pairs, 0, 2 * (int64_t)plan->npieces, plan->counts);
}

/* Piece `member` of the positions into its zeroed copy of the bins. */
static void count_piece(void *context, int64_t begin, int64_t end, int member)
{
    const histogram_plan *plan = context;
    char *own = plan->scratch + (int64_t)member * plan->bins * 8;
    memset(own, 0, (size_t)(plan->bins * 8));
    plan->count(plan, begin, end, own);
}

/* counts[b] = the pieces' copies of bin b added in piece order, for b in [begin, end). */
static void merge_bins(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    const histogram_plan *plan = context;
    const int64_t stride = plan->bins;
    if (plan->weights != NULL) {
        const double *copies = (const double *)plan->scratch;
        double *sums = (double *)plan->counts;
        for (int64_t b = begin; b < end; b++) {
            double sum = copies[b];
            for (int k = 1; k < plan->npieces; k++)
                sum += copies[k * stride + b];
            sums[b] = sum;
        }
    } else {
        const int64_t *copies = (const int64_t *)plan->scratch;
        int64_t *counts = (int64_t *)plan->counts;
        for (int64_t b = begin; b < end; b++) {
            int64_t sum = copies[b];
            for (int k = 1; k < plan->npieces; k++)
                sum += copies[k * stride + b];
            counts[b] = sum;
        }
    }
}

/* The plan of a validated descriptor (without its pieces). */
static histogram_plan plan_histogram(const pymic2_histogram_desc *desc)
{
    const pymic2_operand *values = &desc->values;
    histogram_plan plan = {
        .desc = desc,
        .values = pymic2__host_address(values->buffer, 0) + values->offset,
        .row_step = values->strides[0],
        .axis_step = values->ndim == 2 ? values->strides[1] : 0,
        .n = values->shape[0],
        .bins = desc->counts.shape[0],
        .counts = pymic2__host_address(desc->counts.buffer, 0) + desc->counts.offset,
        .count = count_functions[values->dtype],
    };
    const double *edges = desc->edges.buffer == NULL
                              ? NULL
                              : (const double *)(pymic2__host_address(desc->edges.buffer, 0) +
                                                 desc->edges.offset); /* contiguous */
    for (int a = 0; a < desc->naxes; a++)
        if (desc->rules[a] != PYMIC2_BIN_INTEGER) {
            plan.edges[a] = edges;
            plan.scales[a] = (double)desc->nbins[a] / (edges[desc->nbins[a]] - edges[0]);
            edges += desc->nbins[a] + 1;
        }
    plan.itemsize = (int64_t)pymic2_dtype_size(values->dtype);
    if (desc->op == PYMIC2_HISTOGRAM_MEMBER) {
        plan.found = pymic2__host_address(desc->found.buffer, 0) + desc->found.offset;
        plan.count = member_functions[values->dtype];
    } else if (desc->op == PYMIC2_HISTOGRAM_MARK) {
        plan.count = mark_functions[values->dtype];
    } else if (desc->op == PYMIC2_HISTOGRAM_RANGE) {
        plan.count = range_functions[values->dtype];
    }
    if (desc->weights.buffer != NULL) {
        plan.weights = pymic2__host_address(desc->weights.buffer, 0) + desc->weights.offset;
        plan.weight_step = desc->weights.strides[0];
    }
    int64_t pieces = plan.n / PIECE_VALUES;
    pieces = pieces < MAX_PIECES ? pieces : MAX_PIECES;
    pieces = pieces < SCRATCH_BYTES / (plan.bins * 8) ? pieces : SCRATCH_BYTES / (plan.bins * 8);
    plan.npieces = pieces > 1 ? (int)pieces : 1;
    return plan;
}

int pymic2__host_histogram(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    (void)launch;
    const pymic2_histogram_desc *desc = &command->u.histogram;
    histogram_plan plan = plan_histogram(desc);
    pymic2__team *team = pymic2__host_of(stream->device)->team;
    if (desc->op == PYMIC2_HISTOGRAM_RANGE) {
        range_over_team(team, &plan);
        return PYMIC2_OK;
    }
    if (desc->op == PYMIC2_HISTOGRAM_MARK)
        memset(plan.counts, 0, (size_t)(plan.bins * 4));
    if (desc->op != PYMIC2_HISTOGRAM_COUNT) {
        pymic2__team_parallel_for(team, plan.n, PIECE_VALUES, member_range, &plan);
        return PYMIC2_OK;
    }
    if (plan.npieces == 1) { /* few positions or many bins: straight into the counts */
        memset(plan.counts, 0, (size_t)(plan.bins * 8));
        plan.count(&plan, 0, plan.n, plan.counts);
        return PYMIC2_OK;
    }
    plan.scratch = malloc((size_t)(plan.npieces * plan.bins * 8));
    if (plan.scratch == NULL)
        return pymic2__error(PYMIC2_ENOMEM, "%s: histogram: out of host memory for %d copies "
                             "of %lld bins", stream->device->name, plan.npieces,
                             (long long)plan.bins);
    pymic2__team_parallel_for_pieces(team, plan.n, plan.npieces, count_piece, &plan);
    pymic2__team_parallel_for(team, plan.bins, MERGE_BINS, merge_bins, &plan);
    free(plan.scratch);
    return PYMIC2_OK;
}
