/*
 * gemm.c - pymic2_gemm: validates a matrix product, broadcasts its batch dimensions and
 * enqueues it as a PYMIC2__CMD_GEMM command.
 *
 * After validation a, b and c have c's ndim: batch dimensions that a or b lack or have as 1
 * get c's size and stride 0, so a backend walks one batch index over all three.
 */
#include "../core/core.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* NumPy's name for matmul's core dimensions, quoted in its shape messages. */
#define MATMUL_SIGNATURE "(n?,k),(k,m?)->(n?,m?)"

enum { SHAPE_TEXT = PYMIC2_MAX_DIMS * 21 + 4 };

/* A shape with its batch dimensions written as "newaxis" (NumPy's "remapped" form). */
static void format_remapped(char *text, size_t size, const pymic2_operand *operand)
{
    size_t used = (size_t)snprintf(text, size, "(");
    for (int d = 0; d < operand->ndim - 2 && used < size; d++)
        used += (size_t)snprintf(text + used, size - used, "%" PRId64 ",", operand->shape[d]);
    if (used < size)
        snprintf(text + used, size - used, "newaxis,newaxis)");
}

static int check_operand(const char *device, const char *name, const pymic2_operand *operand)
{
    if (operand->buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: matmul: %s has no buffer; gemm operands are "
                             "arrays in device buffers, not scalars", device, name);
    if ((int)operand->dtype < 0 || (int)operand->dtype >= PYMIC2_NUM_DTYPES)
        return pymic2__error(PYMIC2_EDTYPE, "%s: matmul: %s has dtype %d, which is not a "
                             "pymic2_dtype", device, name, (int)operand->dtype);
    if (operand->ndim < 2 || operand->ndim > PYMIC2_MAX_DIMS)
        return pymic2__error(PYMIC2_EINVAL, "%s: matmul: %s has ndim %d, but gemm needs 2..%d "
                             "(a vector is a (1,k) or (k,1) matrix)", device, name,
                             operand->ndim, PYMIC2_MAX_DIMS);
    for (int d = 0; d < operand->ndim; d++)
        if (operand->shape[d] < 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: matmul: %s has negative dimension %d: "
                                 "%" PRId64, device, name, d, operand->shape[d]);
    return PYMIC2_OK;
}

static int check_dtypes(const char *device, const pymic2_gemm_desc *desc)
{
    if (desc->a.dtype == desc->b.dtype && desc->a.dtype == desc->c.dtype)
        return PYMIC2_OK;
    return pymic2__error(PYMIC2_EDTYPE, "%s: matmul: a is %s, b is %s and c is %s, but gemm "
                         "takes one dtype for all three (cast first)", device,
                         pymic2_dtype_name(desc->a.dtype), pymic2_dtype_name(desc->b.dtype),
                         pymic2_dtype_name(desc->c.dtype));
}

/* (m, k) @ (k, n) -> (m, n), in NumPy's words when a size differs. */
static int check_core_dims(const char *device, const pymic2_gemm_desc *desc)
{
    const pymic2_operand *a = &desc->a, *b = &desc->b, *c = &desc->c;
    int64_t m = a->shape[a->ndim - 2], k = a->shape[a->ndim - 1], n = b->shape[b->ndim - 1];
    const char *which = NULL;
    int core = 0;
    int64_t got = 0, want = 0;
    if (b->shape[b->ndim - 2] != k)
        which = "Input operand 1", core = 0, got = b->shape[b->ndim - 2], want = k;
    else if (c->shape[c->ndim - 2] != m)
        which = "Output operand 0", core = 0, got = c->shape[c->ndim - 2], want = m;
    else if (c->shape[c->ndim - 1] != n)
        which = "Output operand 0", core = 1, got = c->shape[c->ndim - 1], want = n;
    if (which == NULL)
        return PYMIC2_OK;
    return pymic2__error(PYMIC2_ESHAPE, "%s: matmul: %s has a mismatch in its core dimension "
                         "%d, with gufunc signature " MATMUL_SIGNATURE " (size %" PRId64
                         " is different from %" PRId64 ")", device, which, core, got, want);
}

/* The batch dimensions of a and b broadcast together to exactly c's. */
static int check_batch_dims(const char *device, const pymic2_gemm_desc *desc)
{
    const pymic2_operand *a = &desc->a, *b = &desc->b, *c = &desc->c;
    int nbatch = 0;
    int64_t full[PYMIC2_MAX_DIMS];
    pymic2_broadcast_shape(&nbatch, full, a->ndim - 2, a->shape); /* into (): no conflict */
    if (!pymic2_broadcast_shape(&nbatch, full, b->ndim - 2, b->shape)) {
        char ta[SHAPE_TEXT], tb[SHAPE_TEXT], ra[SHAPE_TEXT], rb[SHAPE_TEXT];
        pymic2__format_shape(ta, sizeof ta, a->ndim, a->shape);
        pymic2__format_shape(tb, sizeof tb, b->ndim, b->shape);
        format_remapped(ra, sizeof ra, a);
        format_remapped(rb, sizeof rb, b);
        return pymic2__error(PYMIC2_ESHAPE, "%s: matmul: operands could not be broadcast "
                             "together with remapped shapes [original->remapped]: %s->%s "
                             "%s->%s", device, ta, ra, tb, rb);
    }
    if (pymic2__same_shape(nbatch, full, c->ndim - 2, c->shape))
        return PYMIC2_OK;
    full[nbatch] = a->shape[a->ndim - 2];
    full[nbatch + 1] = b->shape[b->ndim - 1];
    char out[SHAPE_TEXT], want[SHAPE_TEXT];
    pymic2__format_shape(out, sizeof out, c->ndim, c->shape);
    pymic2__format_shape(want, sizeof want, nbatch + 2, full);
    return pymic2__error(PYMIC2_ESHAPE, "%s: matmul: non-broadcastable output operand with "
                         "shape %s doesn't match the broadcast shape %s", device, out, want);
}

/* Live buffer on the stream's device; every byte the view addresses lies inside it. */
static int check_memory(pymic2_stream *stream, const char *name, const pymic2_operand *operand)
{
    char what[32];
    snprintf(what, sizeof what, "matmul: %s", name);
    return pymic2__check_operand_memory(stream, what, operand);
}

/*
 * c's elements must not share memory: written concurrently, shared elements would race.
 * Sufficient test: sorted by |stride|, each dimension steps past everything the smaller
 * ones reach.
 */
static int check_output_disjoint(const char *device, const pymic2_operand *c)
{
    int64_t stride[PYMIC2_MAX_DIMS], extent[PYMIC2_MAX_DIMS];
    int count = 0;
    for (int d = 0; d < c->ndim; d++) {
        if (c->shape[d] == 0)
            return PYMIC2_OK;
        if (c->shape[d] == 1)
            continue;
        int64_t s = c->strides[d] < 0 ? -c->strides[d] : c->strides[d];
        int i = count++;
        for (; i > 0 && stride[i - 1] > s; i--) {
            stride[i] = stride[i - 1];
            extent[i] = extent[i - 1];
        }
        stride[i] = s;
        extent[i] = c->shape[d];
    }
    int64_t reach = (int64_t)pymic2_dtype_size(c->dtype); /* bytes past the lowest element */
    for (int i = 0; i < count; i++) {
        if (stride[i] < reach) {
            char shape[SHAPE_TEXT], strides[SHAPE_TEXT];
            pymic2__format_shape(shape, sizeof shape, c->ndim, c->shape);
            pymic2__format_shape(strides, sizeof strides, c->ndim, c->strides);
            return pymic2__error(PYMIC2_EINVAL, "%s: matmul: the output c (shape %s, byte "
                                 "strides %s) has elements that share memory, so they would be "
                                 "written more than once", device, shape, strides);
        }
        reach = stride[i] * (extent[i] - 1) + reach; /* bounded: check_memory passed */
    }
    return PYMIC2_OK;
}

/* The operand with c's batch dimensions (missing or size-1 ones get stride 0) and its own
 * matrix dimensions. */
static void broadcast_batch(pymic2_operand *operand, const pymic2_operand *c)
{
    int64_t shape[PYMIC2_MAX_DIMS];
    memcpy(shape, c->shape, (size_t)(c->ndim - 2) * sizeof shape[0]);
    shape[c->ndim - 2] = operand->shape[operand->ndim - 2];
    shape[c->ndim - 1] = operand->shape[operand->ndim - 1];
    pymic2__operand_broadcast(operand, c->ndim, shape);
}

int pymic2_gemm(pymic2_stream *stream, const pymic2_gemm_desc *desc)
{
    if (stream == NULL || desc == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_gemm: %s is NULL",
                             stream == NULL ? "stream" : "desc");
    const char *device = stream->device->name;
    const pymic2_operand *operands[3] = {&desc->a, &desc->b, &desc->c};
    static const char *const names[3] = {"a", "b", "c"};
    int status = PYMIC2_OK;
    for (int i = 0; i < 3 && status == PYMIC2_OK; i++)
        status = check_operand(device, names[i], operands[i]);
    if (status == PYMIC2_OK)
        status = check_dtypes(device, desc);
    if (status == PYMIC2_OK)
        status = check_core_dims(device, desc);
    if (status == PYMIC2_OK)
        status = check_batch_dims(device, desc);
    for (int i = 0; i < 3 && status == PYMIC2_OK; i++)
        status = check_memory(stream, names[i], operands[i]);
    if (status == PYMIC2_OK)
        status = check_output_disjoint(device, &desc->c);
    if (status != PYMIC2_OK)
        return status;

    pymic2__command *command = pymic2__command_new(stream, PYMIC2__CMD_GEMM);
    if (command == NULL)
        return PYMIC2_ENOMEM;
    pymic2_gemm_desc *gemm = &command->u.gemm;
    *gemm = *desc;
    broadcast_batch(&gemm->a, &gemm->c);
    broadcast_batch(&gemm->b, &gemm->c);
    pymic2__command_use_buffer(command, gemm->a.buffer);
    pymic2__command_use_buffer(command, gemm->b.buffer);
    pymic2__command_use_buffer(command, gemm->c.buffer);
    return pymic2__command_submit(command);
}
