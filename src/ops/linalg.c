/*
 * linalg.c - pymic2_linalg: validates a factorisation or decomposition of a stack of matrices
 * (LU, solve, Cholesky, QR, SVD, eigen) and enqueues it as a PYMIC2__CMD_LINALG command.
 */
#include "../core/core.h"

#include <inttypes.h>
#include <stdio.h>

static const char *const op_names[] = {"lu", "solve", "cholesky", "qr", "svd", "eigh", "eig"};

/* An output's expected dtype, matrix dimensions (0, 1 or 2 of them after the batch) and role. */
typedef struct expected {
    pymic2_dtype dtype;
    int dims;
    int64_t rows, cols;
    const char *role;
} expected;

static pymic2_dtype real_of(pymic2_dtype dtype)
{
    return dtype == PYMIC2_COMPLEX64 ? PYMIC2_FLOAT32
           : dtype == PYMIC2_COMPLEX128 ? PYMIC2_FLOAT64 : dtype;
}

static pymic2_dtype complex_of(pymic2_dtype dtype)
{
    return dtype == PYMIC2_FLOAT32 ? PYMIC2_COMPLEX64
           : dtype == PYMIC2_FLOAT64 ? PYMIC2_COMPLEX128 : dtype;
}

/* The outputs an op writes (their count is returned) given a's matrix size m x n. */
static int expected_outputs(const pymic2_linalg_desc *desc, int64_t m, int64_t n,
                            expected *out)
{
    const pymic2_dtype t = desc->a.dtype, r = real_of(t);
    const int64_t k = m < n ? m : n;
    switch (desc->op) {
    case PYMIC2_LINALG_LU:
        out[0] = (expected){t, 2, n, n, "the factors"};
        out[1] = (expected){PYMIC2_INT64, 1, n, 0, "the pivots"};
        return 2;
    case PYMIC2_LINALG_SOLVE:
        out[0] = (expected){t, 2, n, desc->b.shape[desc->b.ndim - 1], "the solution"};
        return 1;
    case PYMIC2_LINALG_CHOLESKY:
        out[0] = (expected){t, 2, n, n, "the factor"};
        return 1;
    case PYMIC2_LINALG_QR:
        if (desc->raw) {
            out[0] = (expected){t, 2, n, m, "h"};
            out[1] = (expected){t, 1, k, 0, "tau"};
            return 2;
        }
        out[0] = (expected){t, 2, m, desc->complete ? m : k, "q"};
        out[1] = (expected){t, 2, desc->complete ? m : k, n, "r"};
        if (!desc->compute_uv)
            out[0].dims = -1; /* not written */
        return 2;
    case PYMIC2_LINALG_SVD:
        out[0] = (expected){r, 1, k, 0, "the singular values"};
        out[1] = (expected){t, 2, m, desc->complete ? m : k, "u"};
        out[2] = (expected){t, 2, desc->complete ? n : k, n, "vh"};
        return desc->compute_uv ? 3 : 1;
    case PYMIC2_LINALG_EIGH:
        out[0] = (expected){r, 1, n, 0, "the eigenvalues"};
        out[1] = (expected){t, 2, n, n, "the eigenvectors"};
        return desc->compute_uv ? 2 : 1;
    case PYMIC2_LINALG_EIG:
        out[0] = (expected){complex_of(t), 1, n, 0, "the eigenvalues"};
        out[1] = (expected){complex_of(t), 2, n, n, "the eigenvectors"};
        return desc->compute_uv ? 2 : 1;
    }
    return 0;
}

/* An array operand of a's batch dimensions plus `dims` matrix ones of the given sizes. */
static int check_operand(const char *device, const char *what, const pymic2_operand *a,
                         const pymic2_operand *operand, const expected *e, int written)
{
    const int batch = a->ndim - 2;
    if (operand->buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: %s is a scalar; it must be an array",
                             device, what, e->role);
    if (operand->dtype != e->dtype)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s: %s is %s; it must be %s", device, what,
                             e->role, pymic2_dtype_name(operand->dtype),
                             pymic2_dtype_name(e->dtype));
    int64_t shape[PYMIC2_MAX_DIMS];
    for (int d = 0; d < batch; d++)
        shape[d] = a->shape[d];
    shape[batch] = e->rows;
    shape[batch + 1] = e->cols;
    if (!pymic2__same_shape(operand->ndim, operand->shape, batch + e->dims, shape))
        return pymic2__error(PYMIC2_ESHAPE, "%s: %s: %s has the wrong shape for a's (%d "
                             "dimensions, expected %d)", device, what, e->role, operand->ndim,
                             batch + e->dims);
    for (int d = 0; written && d < operand->ndim; d++)
        if (operand->shape[d] > 1 && operand->strides[d] == 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: %s: %s has stride 0 in dimension %d, so "
                                 "it would write elements repeatedly", device, what, e->role,
                                 d);
    return PYMIC2_OK;
}

static int check_input(const char *device, const char *what, const pymic2_linalg_desc *desc)
{
    const pymic2_operand *a = &desc->a;
    if (a->buffer == NULL || a->ndim < 2 || a->ndim > PYMIC2_MAX_DIMS)
        return pymic2__error(PYMIC2_ESHAPE, "%s: %s: a must be an array of at least 2 "
                             "dimensions", device, what);
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] < 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: %s: a has negative dimension %d", device,
                                 what, d);
    const pymic2_dtype t = a->dtype;
    if (t != PYMIC2_FLOAT32 && t != PYMIC2_FLOAT64 && t != PYMIC2_COMPLEX64 &&
        t != PYMIC2_COMPLEX128)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s: a is %s; linear algebra takes float32, "
                             "float64, complex64 or complex128", device, what,
                             pymic2_dtype_name(t));
    const int64_t m = a->shape[a->ndim - 2], n = a->shape[a->ndim - 1];
    const bool square = desc->op != PYMIC2_LINALG_QR && desc->op != PYMIC2_LINALG_SVD;
    if (square && m != n)
        return pymic2__error(PYMIC2_ESHAPE, "%s: %s: Last 2 dimensions of the array must be "
                             "square", device, what);
    if (desc->op != PYMIC2_LINALG_SOLVE)
        return PYMIC2_OK;
    const pymic2_operand *b = &desc->b;
    if (b->buffer == NULL || b->ndim != a->ndim)
        return pymic2__error(PYMIC2_ESHAPE, "%s: %s: b must be an array of a's %d dimensions",
                             device, what, a->ndim);
    expected e = {t, 2, n, b->shape[b->ndim - 1], "b"};
    return check_operand(device, what, a, b, &e, 0);
}

int pymic2_linalg(pymic2_stream *stream, const pymic2_linalg_desc *desc)
{
    if (stream == NULL || desc == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_linalg: %s is NULL",
                             stream == NULL ? "stream" : "desc");
    const char *device = stream->device->name;
    if ((unsigned)desc->op > PYMIC2_LINALG_EIG)
        return pymic2__error(PYMIC2_EINVAL, "%s: linalg: op %d is not a pymic2_linalg_op",
                             device, (int)desc->op);
    const char *what = op_names[desc->op];
    int status = check_input(device, what, desc);
    if (status != PYMIC2_OK)
        return status;
    if ((desc->a.dtype == PYMIC2_FLOAT64 || desc->a.dtype == PYMIC2_COMPLEX128) &&
        !stream->device->info.supports_fp64)
        return pymic2__error(PYMIC2_ENOTSUP, "%s: %s: the device has no float64 arithmetic",
                             device, what);
    expected outs[PYMIC2_LINALG_OUTPUTS];
    const int64_t m = desc->a.shape[desc->a.ndim - 2], n = desc->a.shape[desc->a.ndim - 1];
    const int count = expected_outputs(desc, m, n, outs);
    for (int i = 0; i < count && status == PYMIC2_OK; i++)
        if (outs[i].dims >= 0)
            status = check_operand(device, what, &desc->a, &desc->out[i], &outs[i], 1);
    if (status == PYMIC2_OK)
        status = pymic2__check_operand_memory(stream, "linalg: a", &desc->a);
    if (status == PYMIC2_OK && desc->op == PYMIC2_LINALG_SOLVE)
        status = pymic2__check_operand_memory(stream, "linalg: b", &desc->b);
    for (int i = 0; i < count && status == PYMIC2_OK; i++)
        if (outs[i].dims >= 0)
            status = pymic2__check_operand_memory(stream, "linalg: an output", &desc->out[i]);
    if (status != PYMIC2_OK)
        return status;

    pymic2__command *command =
        pymic2__command_new_from(stream, PYMIC2__CMD_LINALG, desc, sizeof *desc);
    if (command == NULL)
        return PYMIC2_ENOMEM;
    for (int i = count; i < PYMIC2_LINALG_OUTPUTS; i++)
        command->u.linalg.out[i].buffer = NULL;
    pymic2__command_use_buffer(command, desc->a.buffer);
    if (desc->op == PYMIC2_LINALG_SOLVE)
        pymic2__command_use_buffer(command, desc->b.buffer);
    for (int i = 0; i < count; i++)
        if (outs[i].dims >= 0)
            pymic2__command_use_buffer(command, desc->out[i].buffer);
        else
            command->u.linalg.out[i].buffer = NULL;
    return pymic2__command_submit(command);
}
