/*
 * random.c - pymic2_random: validates a request for random numbers and enqueues it as a
 * PYMIC2__CMD_RANDOM command; pymic2_philox4x32_10, the block function on the host.
 */
#include "philox.h"

#include "../core/core.h"
#include "op_table.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

void pymic2_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4])
{
    if (counter == NULL || key == NULL || out == NULL) /* void: nothing to report */
        return;
    pymic2__philox(counter, key, out);
}

/* Elements per Philox block (see pymic2.h). */
static uint64_t elements_per_block(const pymic2_random_desc *desc)
{
    if (desc->distribution == PYMIC2_RANDOM_UNIFORM && desc->out.dtype == PYMIC2_FLOAT32)
        return 4;
    return 2;
}

/* The integer range [low, high) must be non-empty and inside the output dtype. */
static int check_integer_range(const char *device, const pymic2_random_desc *desc)
{
    int64_t lowest, highest;
    if (!pymic2__dtype_int_limits(desc->out.dtype, &lowest, &highest)) {
        char names[256];
        pymic2__dtype_names_of_class(PYMIC2__CLASS_INT, names, sizeof names);
        return pymic2__error(PYMIC2_EDTYPE, "%s: random integers: the output is %s; it must be "
                             "%s", device, pymic2_dtype_name(desc->out.dtype), names);
    }
    if (desc->low >= desc->high)
        return pymic2__error(PYMIC2_EINVAL, "%s: random integers: low >= high (low %" PRId64
                             ", high %" PRId64 ")", device, desc->low, desc->high);
    if (desc->low < lowest || desc->high - 1 > highest)
        return pymic2__error(PYMIC2_EINVAL, "%s: random integers: [%" PRId64 ", %" PRId64 ") "
                             "does not fit in %s", device, desc->low, desc->high,
                             pymic2_dtype_name(desc->out.dtype));
    return PYMIC2_OK;
}

static int check_parameters(const pymic2_device *dev, const pymic2_random_desc *desc)
{
    const char *device = dev->name;
    pymic2_dtype dtype = desc->out.dtype;
    switch (desc->distribution) {
    case PYMIC2_RANDOM_UNIFORM:
    case PYMIC2_RANDOM_NORMAL: {
        const char *name = desc->distribution == PYMIC2_RANDOM_UNIFORM ? "uniform" : "normal";
        /* NumPy's Generator makes these two only (float16: "Unsupported dtype") */
        if (dtype != PYMIC2_FLOAT32 && dtype != PYMIC2_FLOAT64)
            return pymic2__error(PYMIC2_EDTYPE, "%s: random %s: the output is %s; it must be "
                                 "float32 or float64 (as for NumPy's Generator)", device, name,
                                 pymic2_dtype_name(dtype));
        if (pymic2__dtype_needs_fp64(dtype) && !dev->info.supports_fp64)
            return pymic2__error(PYMIC2_ENOTSUP, "%s: random %s: the device has no %s "
                                 "arithmetic", device, name, pymic2_dtype_name(dtype));
        if (!isfinite(desc->a) || !isfinite(desc->b))
            return pymic2__error(PYMIC2_EINVAL, "%s: random %s: parameters %g and %g must be "
                                 "finite", device, name, desc->a, desc->b);
        if (desc->distribution == PYMIC2_RANDOM_NORMAL && desc->b < 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: random normal: scale < 0 (%g)", device,
                                 desc->b);
        return PYMIC2_OK;
    }
    case PYMIC2_RANDOM_INTEGERS:
        return check_integer_range(device, desc);
    }
    return pymic2__error(PYMIC2_EINVAL, "%s: random distribution %d is not a "
                         "pymic2_random_distribution", device, (int)desc->distribution);
}

int pymic2_random(pymic2_stream *stream, const pymic2_random_desc *desc, uint64_t *next_counter)
{
    if (stream == NULL || desc == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_random: %s is NULL",
                             stream == NULL ? "stream" : "desc");
    const char *device = stream->device->name;
    const pymic2_operand *out = &desc->out;
    if (out->buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: random: the output is a scalar; it must be an "
                             "array in a buffer", device);
    if ((int)out->dtype < 0 || (int)out->dtype >= PYMIC2_NUM_DTYPES)
        return pymic2__error(PYMIC2_EDTYPE, "%s: random: the output has dtype %d, which is not "
                             "a pymic2_dtype", device, (int)out->dtype);
    if (out->ndim < 0 || out->ndim > PYMIC2_MAX_DIMS)
        return pymic2__error(PYMIC2_EINVAL, "%s: random: the output has ndim %d, not 0..%d",
                             device, out->ndim, PYMIC2_MAX_DIMS);
    uint64_t count = 1;
    for (int d = 0; d < out->ndim; d++) {
        if (out->shape[d] < 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: random: the output has negative dimension "
                                 "%d: %" PRId64, device, d, out->shape[d]);
        if (out->shape[d] > 1 && out->strides[d] == 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: random: the output has stride 0 in "
                                 "dimension %d (size %" PRId64 "), so it would write elements "
                                 "repeatedly", device, d, out->shape[d]);
        count *= (uint64_t)out->shape[d]; /* bounded by the buffer: checked below */
    }
    int status = check_parameters(stream->device, desc);
    if (status == PYMIC2_OK)
        status = pymic2__check_operand_memory(stream, "random: the output", out);
    if (status != PYMIC2_OK)
        return status;
    uint64_t per_block = elements_per_block(desc);
    uint64_t blocks = count / per_block + (count % per_block != 0);
    if (blocks > UINT64_MAX - desc->counter)
        return pymic2__error(PYMIC2_EINVAL, "%s: random: counter %" PRIu64 " plus %" PRIu64
                             " blocks passes 2^64; reseed the generator", device, desc->counter,
                             blocks);

    pymic2__command *command =
        pymic2__command_new_from(stream, PYMIC2__CMD_RANDOM, desc, sizeof *desc);
    if (command == NULL)
        return PYMIC2_ENOMEM;
    pymic2__command_use_buffer(command, out->buffer);
    status = pymic2__command_submit(command);
    if (status == PYMIC2_OK && next_counter != NULL)
        *next_counter = desc->counter + blocks;
    return status;
}
