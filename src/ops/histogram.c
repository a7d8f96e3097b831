/*
 * histogram.c - pymic2_histogram: validates a histogram (bincount, histogram, histogramdd:
 * the bins of every position's values, counted or weighted), a membership bitmap and the
 * test against it (isin) or the range of integer values (bincount's and isin's bounds), and
 * enqueues it as a PYMIC2__CMD_HISTOGRAM command.
 */
#include "../core/core.h"

#include <inttypes.h>

/* A float64 1-d array of `length` elements; `role` names it in messages. */
static int check_vector(const char *device, const char *role, const pymic2_operand *operand,
                        int64_t length)
{
    if (operand->buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: histogram: %s is a scalar; it must be an "
                             "array", device, role);
    if (operand->dtype != PYMIC2_FLOAT64)
        return pymic2__error(PYMIC2_EDTYPE, "%s: histogram: %s are %s; they must be float64",
                             device, role, pymic2_dtype_name(operand->dtype));
    if (operand->ndim != 1 || operand->shape[0] != length)
        return pymic2__error(PYMIC2_ESHAPE, "%s: histogram: %s must be 1-d with %" PRId64
                             " elements", device, role, length);
    return PYMIC2_OK;
}

/* The values: real, (n, naxes) or 1-d for one axis; *n receives n. */
static int check_values(const char *device, const pymic2_histogram_desc *desc, int64_t *n)
{
    const pymic2_operand *values = &desc->values;
    if (values->buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: histogram: the values are a scalar; they "
                             "must be an array", device);
    if (pymic2_dtype_size(values->dtype) == 0 || pymic2_dtype_kind(values->dtype) == 'c')
        return pymic2__error(PYMIC2_EDTYPE, "%s: histogram: the values must be real, not %s",
                             device, pymic2_dtype_name(values->dtype));
    const bool one_axis = values->ndim == 1 && desc->naxes == 1;
    if (!one_axis && (values->ndim != 2 || values->shape[1] != desc->naxes))
        return pymic2__error(PYMIC2_ESHAPE, "%s: histogram: the values must have shape (n, "
                             "%d)%s", device, desc->naxes, desc->naxes == 1 ? " or (n,)" : "");
    if (values->shape[0] < 0)
        return pymic2__error(PYMIC2_EINVAL, "%s: histogram: negative number of values",
                             device);
    *n = values->shape[0];
    return PYMIC2_OK;
}

/* The axes' rules and bin counts; *bins receives the product of the bin counts and *nedges
 * the edges the EVEN and EDGES axes take. */
static int check_axes(const char *device, const pymic2_histogram_desc *desc, int64_t *bins,
                      int64_t *nedges)
{
    if (desc->naxes < 1 || desc->naxes > PYMIC2_MAX_HISTOGRAM_AXES)
        return pymic2__error(PYMIC2_EINVAL, "%s: histogram: %d axes; between 1 and %d", device,
                             desc->naxes, PYMIC2_MAX_HISTOGRAM_AXES);
    const pymic2_dtype dtype = desc->values.dtype;
    const bool integer = pymic2_dtype_kind(dtype) != 'f';
    *bins = 1;
    *nedges = 0;
    for (int a = 0; a < desc->naxes; a++) {
        const int64_t nbins = desc->nbins[a];
        if (nbins < 1 || nbins > INT64_MAX / *bins)
            return pymic2__error(nbins < 1 ? PYMIC2_EINVAL : PYMIC2_ESHAPE, "%s: histogram: "
                                 "axis %d has %" PRId64 " bins; at least 1, and the product "
                                 "of all must fit int64", device, a, nbins);
        *bins *= nbins;
        if (desc->rules[a] == PYMIC2_BIN_INTEGER) {
            if (!integer)
                return pymic2__error(PYMIC2_EDTYPE, "%s: histogram: integer bins of %s "
                                     "values", device, pymic2_dtype_name(dtype));
            if (desc->low > 0 && nbins - 1 > INT64_MAX - desc->low)
                return pymic2__error(PYMIC2_EINVAL, "%s: histogram: integer bins from %" PRId64
                                     " past int64's largest value", device, desc->low);
        } else if (desc->rules[a] == PYMIC2_BIN_EVEN || desc->rules[a] == PYMIC2_BIN_EDGES) {
            *nedges += nbins + 1;
        } else {
            return pymic2__error(PYMIC2_EINVAL, "%s: histogram: axis %d's rule %d is not "
                                 "INTEGER, EVEN or EDGES", device, a, (int)desc->rules[a]);
        }
    }
    return PYMIC2_OK;
}

/* A contiguous 1-d array of `length` elements of dtype `want`; `role` names it. */
static int check_contiguous(const char *device, const char *role, const pymic2_operand *operand,
                            pymic2_dtype want, int64_t length)
{
    if (operand->buffer == NULL || operand->dtype != want || operand->ndim != 1 ||
        operand->shape[0] != length ||
        (length > 1 && operand->strides[0] != (int64_t)pymic2_dtype_size(want)))
        return pymic2__error(PYMIC2_EINVAL, "%s: histogram: %s must be a contiguous %s array "
                             "of %" PRId64 " elements", device, role, pymic2_dtype_name(want),
                             length);
    return PYMIC2_OK;
}

/* MARK and MEMBER: one INTEGER axis over 1-d values, no weights; the bitmap in counts
 * (MARK's output, MEMBER's input), MEMBER's output in found. */
static int check_bitmap(const char *device, const pymic2_histogram_desc *desc, int64_t n)
{
    if (desc->naxes != 1 || desc->rules[0] != PYMIC2_BIN_INTEGER || desc->values.ndim != 1 ||
        desc->weights.buffer != NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: histogram: marking and membership take 1-d "
                             "values, one integer axis and no weights", device);
    int status = check_contiguous(device, "the bitmap", &desc->counts, PYMIC2_UINT32,
                                  desc->nbins[0] / 32 + (desc->nbins[0] % 32 != 0));
    if (status == PYMIC2_OK && desc->op == PYMIC2_HISTOGRAM_MEMBER)
        status = check_contiguous(device, "found", &desc->found, PYMIC2_BOOL, n);
    return status;
}

/* RANGE: 1-d bool or integer values, at least one; their least and greatest in counts. */
static int check_range(const char *device, const pymic2_histogram_desc *desc)
{
    const pymic2_operand *values = &desc->values;
    const char kind = pymic2_dtype_kind(values->dtype);
    if (values->buffer == NULL || values->ndim != 1 || values->shape[0] < 1 ||
        desc->weights.buffer != NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: histogram: the range takes 1-d values, at "
                             "least one, and no weights", device);
    if (kind != 'b' && kind != 'i' && kind != 'u')
        return pymic2__error(PYMIC2_EDTYPE, "%s: histogram: the range of %s values; bool or "
                             "integer only", device, pymic2_dtype_name(values->dtype));
    return check_contiguous(device, "the range", &desc->counts, values->dtype, 2);
}

static int check_histogram(const char *device, const pymic2_histogram_desc *desc)
{
    int64_t n, bins, nedges;
    if (desc->op == PYMIC2_HISTOGRAM_RANGE)
        return check_range(device, desc);
    if (desc->op != PYMIC2_HISTOGRAM_COUNT && desc->op != PYMIC2_HISTOGRAM_MEMBER &&
        desc->op != PYMIC2_HISTOGRAM_MARK)
        return pymic2__error(PYMIC2_EINVAL, "%s: histogram: op %d is not COUNT, MEMBER, RANGE "
                             "or MARK", device, (int)desc->op);
    int status = check_axes(device, desc, &bins, &nedges);
    if (status == PYMIC2_OK)
        status = check_values(device, desc, &n);
    if (status == PYMIC2_OK && desc->op != PYMIC2_HISTOGRAM_COUNT)
        return check_bitmap(device, desc, n);
    if (status == PYMIC2_OK && nedges > 0)
        status = check_vector(device, "the edges", &desc->edges, nedges);
    if (status == PYMIC2_OK && nedges > 0 && desc->edges.strides[0] != 8)
        return pymic2__error(PYMIC2_EINVAL, "%s: histogram: the edges must be contiguous",
                             device);
    if (status == PYMIC2_OK && desc->weights.buffer != NULL)
        status = check_vector(device, "the weights", &desc->weights, n);
    if (status != PYMIC2_OK)
        return status;
    return check_contiguous(device, "the counts", &desc->counts,
                            desc->weights.buffer != NULL ? PYMIC2_FLOAT64 : PYMIC2_INT64, bins);
}

int pymic2_histogram(pymic2_stream *stream, const pymic2_histogram_desc *desc)
{
    if (stream == NULL || desc == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_histogram: %s is NULL",
                             stream == NULL ? "stream" : "desc");
    int status = check_histogram(stream->device->name, desc);
    const pymic2_operand *operands[] = {&desc->values, &desc->edges, &desc->weights,
                                        &desc->counts, &desc->found};
    static const char *const roles[] = {"histogram: values", "histogram: edges",
                                        "histogram: weights", "histogram: counts",
                                        "histogram: found"};
    for (int k = 0; k < 5 && status == PYMIC2_OK; k++)
        if (operands[k]->buffer != NULL)
            status = pymic2__check_operand_memory(stream, roles[k], operands[k]);
    if (status != PYMIC2_OK)
        return status;

    pymic2__command *command =
        pymic2__command_new_from(stream, PYMIC2__CMD_HISTOGRAM, desc, sizeof *desc);
    if (command == NULL)
        return PYMIC2_ENOMEM;
    for (int k = 0; k < 5; k++)
        if (operands[k]->buffer != NULL)
            pymic2__command_use_buffer(command, operands[k]->buffer);
    return pymic2__command_submit(command);
}
