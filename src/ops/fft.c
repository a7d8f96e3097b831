/*
 * fft.c - pymic2_fft: validates a batch of discrete Fourier transforms along the last
 * dimension (complex to complex, real to half spectrum, half spectrum to real) and enqueues it
 * as a PYMIC2__CMD_FFT command.
 */
#include "../core/core.h"

#include <inttypes.h>
#include <stdio.h>

int pymic2__fft_radix(int64_t rest)
{
    if (rest % 8 == 0)
        return 8;
    if (rest % 4 == 0)
        return 4;
    for (int p = 2; p <= PYMIC2__FFT_MAX_RADIX; p++)
        if (rest % p == 0)
            return p;
    return 0;
}

int64_t pymic2__fft_bluestein_length(int64_t n)
{
    int64_t rest = n;
    for (int r; rest > 1 && (r = pymic2__fft_radix(rest)) > 0;)
        rest /= r;
    if (rest == 1)
        return 0;
    int64_t m = 1;
    while (m < 2 * n - 1)
        m *= 2;
    return m;
}

static int check_array(const char *device, const char *role, const pymic2_operand *operand)
{
    if (operand->buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: fft: %s is a scalar; it must be an array",
                             device, role);
    if (operand->ndim < 1 || operand->ndim > PYMIC2_MAX_DIMS)
        return pymic2__error(PYMIC2_ESHAPE, "%s: fft: %s has %d dimensions; it must have at "
                             "least 1", device, role, operand->ndim);
    for (int d = 0; d < operand->ndim; d++)
        if (operand->shape[d] < 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: fft: %s has negative dimension %d: "
                                 "%" PRId64, device, role, d, operand->shape[d]);
    return PYMIC2_OK;
}

/* The dtypes the kind takes: (in, out) = (complex, same), (float, its complex), (complex,
 * its real). */
static int check_dtypes(const char *device, const pymic2_fft_desc *desc)
{
    const pymic2_dtype in = desc->in.dtype, out = desc->out.dtype;
    const pymic2_dtype c = desc->kind == PYMIC2_FFT_R2C ? out : in;
    const pymic2_dtype r = desc->kind == PYMIC2_FFT_C2C ? out
                           : desc->kind == PYMIC2_FFT_R2C ? in : out;
    const int ok = desc->kind == PYMIC2_FFT_C2C
                       ? in == out && (in == PYMIC2_COMPLEX64 || in == PYMIC2_COMPLEX128)
                       : (c == PYMIC2_COMPLEX64 && r == PYMIC2_FLOAT32) ||
                             (c == PYMIC2_COMPLEX128 && r == PYMIC2_FLOAT64);
    if (!ok)
        return pymic2__error(PYMIC2_EDTYPE, "%s: fft: a %s transform of %s into %s is not "
                             "supported (complex64/complex128 and their float32/float64)",
                             device,
                             desc->kind == PYMIC2_FFT_C2C   ? "complex"
                             : desc->kind == PYMIC2_FFT_R2C ? "real-to-complex"
                                                            : "complex-to-real",
                             pymic2_dtype_name(in), pymic2_dtype_name(out));
    return PYMIC2_OK;
}

/* Same batch dimensions; last dimensions n and n (C2C), n and n / 2 + 1 (R2C) or n / 2 + 1
 * and n (C2R), n >= 1; out has no stride 0 where it has more than one element. */
static int check_shapes(const char *device, const pymic2_fft_desc *desc)
{
    const pymic2_operand *in = &desc->in, *out = &desc->out;
    const int last = in->ndim - 1;
    if (out->ndim != in->ndim || !pymic2__same_shape(last, in->shape, last, out->shape))
        return pymic2__error(PYMIC2_ESHAPE, "%s: fft: the input and the output have "
                             "different batch shapes", device);
    const int64_t n = desc->kind == PYMIC2_FFT_C2R ? out->shape[last] : in->shape[last];
    const int64_t other = desc->kind == PYMIC2_FFT_C2C ? n : n / 2 + 1;
    const int64_t have = desc->kind == PYMIC2_FFT_C2R ? in->shape[last] : out->shape[last];
    if (n < 1)
        return pymic2__error(PYMIC2_EINVAL, "%s: fft: invalid number of data points (%" PRId64
                             ")", device, n);
    if (have != other)
        return pymic2__error(PYMIC2_ESHAPE, "%s: fft: a transform of length %" PRId64 " has "
                             "%" PRId64 " %s elements, not %" PRId64, device, n, other,
                             desc->kind == PYMIC2_FFT_C2R ? "input" : "output", have);
    for (int d = 0; d < out->ndim; d++)
        if (out->shape[d] > 1 && out->strides[d] == 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: fft: the output has stride 0 in "
                                 "dimension %d", device, d);
    return PYMIC2_OK;
}

static int check_apart(pymic2_stream *stream, const pymic2_fft_desc *desc)
{
    int status = pymic2__check_operand_memory(stream, "fft: the input", &desc->in);
    if (status == PYMIC2_OK)
        status = pymic2__check_operand_memory(stream, "fft: the output", &desc->out);
    if (status != PYMIC2_OK || desc->in.buffer != desc->out.buffer)
        return status;
    int64_t a0, a1, b0, b1;
    pymic2__operand_extent(&desc->in, &a0, &a1);
    pymic2__operand_extent(&desc->out, &b0, &b1);
    if (a0 < b1 && b0 < a1)
        return pymic2__error(PYMIC2_EINVAL, "%s: fft: the output overlaps the input",
                             stream->device->name);
    return PYMIC2_OK;
}

int pymic2_fft(pymic2_stream *stream, const pymic2_fft_desc *desc)
{
    if (stream == NULL || desc == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_fft: %s is NULL",
                             stream == NULL ? "stream" : "desc");
    const char *device = stream->device->name;
    if (desc->kind != PYMIC2_FFT_C2C && desc->kind != PYMIC2_FFT_R2C &&
        desc->kind != PYMIC2_FFT_C2R)
        return pymic2__error(PYMIC2_EINVAL, "%s: fft: kind %d is not C2C, R2C or C2R", device,
                             (int)desc->kind);
    int status = check_array(device, "the input", &desc->in);
    if (status == PYMIC2_OK)
        status = check_array(device, "the output", &desc->out);
    if (status == PYMIC2_OK)
        status = check_dtypes(device, desc);
    if (status == PYMIC2_OK)
        status = check_shapes(device, desc);
    if (status == PYMIC2_OK)
        status = check_apart(stream, desc);
    if (status != PYMIC2_OK)
        return status;

    pymic2__command *command =
        pymic2__command_new_from(stream, PYMIC2__CMD_FFT, desc, sizeof *desc);
    if (command == NULL)
        return PYMIC2_ENOMEM;
    pymic2__command_use_buffer(command, desc->in.buffer);
    pymic2__command_use_buffer(command, desc->out.buffer);
    return pymic2__command_submit(command);
}
