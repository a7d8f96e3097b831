/*
 * test_random.c - pymic2_random: the Philox-4x32-10 block function against published known
 * answers, then every distribution and dtype against the documented formulas evaluated here
 * (bit for bit), on contiguous, strided and reversed outputs big enough for the team's
 * parallel path, the counter continuation, and the errors. meson runs it with
 * PYMIC2_NUM_THREADS=1 and 2: both must match the same serial reference.
 */
#include "check.h"

#include <math.h>
#include <stdint.h>

static pymic2_device *device;
static pymic2_stream *stream;

/* Known answers of Philox-4x32-10 (the Random123 distribution's test vectors). */
static void test_known_answers(void)
{
    static const struct {
        uint32_t counter[4], key[2], out[4];
    } vectors[] = {
        {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
        {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
         {0xffffffff, 0xffffffff},
         {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
        {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
         {0xa4093822, 0x299f31d0},
         {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    };
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        uint32_t out[4];
        pymic2_philox4x32_10(vectors[i].counter, vectors[i].key, out);
        CHECK(memcmp(out, vectors[i].out, sizeof out) == 0);
    }
}

/* The value pymic2.h documents for flat element i, as a double (exact for every dtype). */
static double expected(const pymic2_random_desc *desc, uint64_t i)
{
    int per_block =
        desc->distribution == PYMIC2_RANDOM_UNIFORM && desc->out.dtype == PYMIC2_FLOAT32 ? 4 : 2;
    uint64_t block = desc->counter + i / (uint64_t)per_block;
    int lane = (int)(i % (uint64_t)per_block);
    const uint32_t counter[4] = {(uint32_t)block, (uint32_t)(block >> 32), 0, 0};
    const uint32_t key[2] = {(uint32_t)desc->seed, (uint32_t)(desc->seed >> 32)};
    uint32_t w[4];
    pymic2_philox4x32_10(counter, key, w);
    uint64_t x[2] = {(uint64_t)w[1] << 32 | w[0], (uint64_t)w[3] << 32 | w[2]};
    switch (desc->distribution) {
    case PYMIC2_RANDOM_UNIFORM:
        if (per_block == 4) {
            float a = (float)desc->a, b = (float)desc->b;
            return (float)(a + (b - a) * ((float)(w[lane] >> 8) / 16777216.0f));
        } else {
            double value = desc->a + (desc->b - desc->a) * ((double)(x[lane] >> 11) / 9007199254740992.0);
            return value;
        }
    case PYMIC2_RANDOM_NORMAL: {
        double u1 = (double)((x[0] >> 11) + 1) / 9007199254740992.0;
        double u2 = (double)(x[1] >> 11) / 9007199254740992.0;
        double r = sqrt(-2.0 * log(u1)), angle = 6.283185307179586 * u2;
        double z = desc->a + desc->b * (lane == 0 ? r * cos(angle) : r * sin(angle));
        return desc->out.dtype == PYMIC2_FLOAT32 ? (double)(float)z : z;
    }
    default: {
        uint64_t range = (uint64_t)desc->high - (uint64_t)desc->low;
        uint64_t offset = (uint64_t)(((unsigned __int128)x[lane] * range) >> 64);
        return (double)(int64_t)((uint64_t)desc->low + offset);
    }
    }
}

static double read_value(pymic2_dtype dtype, const char *p)
{
    switch (dtype) {
    case PYMIC2_INT8: return *(const int8_t *)p;
    case PYMIC2_UINT8: return *(const uint8_t *)p;
    case PYMIC2_INT32: return *(const int32_t *)p;
    case PYMIC2_INT64: return (double)*(const int64_t *)p;
    case PYMIC2_FLOAT32: return *(const float *)p;
    default: return *(const double *)p;
    }
}

/*
 * rows x cols elements; layout 0: C order, 1: every other column of a wider array,
 * 2: the transpose of a C-order (cols, rows) array with reversed rows.
 */
static void check_layout(pymic2_random_distribution distribution, pymic2_dtype dtype,
                         int layout, double a, double b, int64_t low, int64_t high)
{
    const int64_t rows = 301, cols = 257;
    int64_t item = (int64_t)pymic2_dtype_size(dtype);
    size_t nbytes = (size_t)(rows * cols * item * 2);
    pymic2_buffer *buffer;
    CHECK_OK(pymic2_buffer_alloc(device, nbytes, 0, &buffer));
    pymic2_random_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.distribution = distribution;
    desc.seed = 0x0123456789abcdefULL;
    desc.counter = 1000;
    desc.a = a, desc.b = b, desc.low = low, desc.high = high;
    desc.out.buffer = buffer;
    desc.out.dtype = dtype;
    desc.out.ndim = 2;
    desc.out.shape[0] = rows, desc.out.shape[1] = cols;
    if (layout == 0) {
        desc.out.strides[0] = cols * item, desc.out.strides[1] = item;
    } else if (layout == 1) {
        desc.out.strides[0] = 2 * cols * item, desc.out.strides[1] = 2 * item;
    } else {
        desc.out.offset = (rows - 1) * item;
        desc.out.strides[0] = -item, desc.out.strides[1] = rows * item;
    }
    uint64_t next = 0;
    CHECK_OK(pymic2_random(stream, &desc, &next));
    int per_block = distribution == PYMIC2_RANDOM_UNIFORM && dtype == PYMIC2_FLOAT32 ? 4 : 2;
    CHECK(next == desc.counter + (uint64_t)((rows * cols + per_block - 1) / per_block));
    char *host = malloc(nbytes);
    CHECK_OK(pymic2_memcpy_d2h(stream, host, buffer, 0, nbytes));
    CHECK_OK(pymic2_stream_sync(stream));
    int64_t wrong = 0;
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++) {
            const char *at = host + desc.out.offset + r * desc.out.strides[0] +
                             c * desc.out.strides[1];
            double want = expected(&desc, (uint64_t)(r * cols + c));
            double got = read_value(dtype, at);
            if (got != want)
                wrong++;
            if (distribution == PYMIC2_RANDOM_INTEGERS && (got < (double)low || got >= (double)high))
                wrong++;
            if (distribution == PYMIC2_RANDOM_UNIFORM && (got < a || got >= b))
                wrong++;
        }
    char what[128];
    snprintf(what, sizeof what, "distribution %d of %s, layout %d: %lld wrong elements",
             (int)distribution, pymic2_dtype_name(dtype), layout, (long long)wrong);
    check__report(wrong == 0, __FILE__, __LINE__, what);
    free(host);
    pymic2_buffer_release(buffer);
}

static void test_distributions(void)
{
    for (int layout = 0; layout < 3; layout++) {
        check_layout(PYMIC2_RANDOM_UNIFORM, PYMIC2_FLOAT32, layout, -2.0, 3.0, 0, 0);
        check_layout(PYMIC2_RANDOM_UNIFORM, PYMIC2_FLOAT64, layout, 0.0, 1.0, 0, 0);
        check_layout(PYMIC2_RANDOM_NORMAL, PYMIC2_FLOAT32, layout, 1.0, 2.0, 0, 0);
        check_layout(PYMIC2_RANDOM_NORMAL, PYMIC2_FLOAT64, layout, -3.0, 0.5, 0, 0);
        check_layout(PYMIC2_RANDOM_INTEGERS, PYMIC2_INT8, layout, 0, 0, -128, 128);
        check_layout(PYMIC2_RANDOM_INTEGERS, PYMIC2_UINT8, layout, 0, 0, 3, 10);
        check_layout(PYMIC2_RANDOM_INTEGERS, PYMIC2_INT32, layout, 0, 0, -5, 1000000);
        check_layout(PYMIC2_RANDOM_INTEGERS, PYMIC2_INT64, layout, 0, 0, INT64_MIN, INT64_MAX);
    }
}

/* Two calls chained by next_counter give the numbers of one call of both sizes. */
static void test_continuation(void)
{
    pymic2_buffer *buffer;
    CHECK_OK(pymic2_buffer_alloc(device, 3 * 1000 * 8, 0, &buffer));
    pymic2_random_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.distribution = PYMIC2_RANDOM_NORMAL;
    desc.seed = 7;
    desc.b = 1.0;
    int64_t shape[1] = {1000};
    CHECK_OK(pymic2_operand_contiguous(&desc.out, buffer, 0, PYMIC2_FLOAT64, 1, shape));
    uint64_t next;
    CHECK_OK(pymic2_random(stream, &desc, &next));
    desc.counter = next;
    desc.out.offset = 8000;
    CHECK_OK(pymic2_random(stream, &desc, &next));
    desc.counter = 0;
    desc.out.offset = 16000;
    desc.out.shape[0] = 1000; /* the 2000-element call, written in two halves of it */
    CHECK_OK(pymic2_random(stream, &desc, NULL));
    double host[3000];
    CHECK_OK(pymic2_memcpy_d2h(stream, host, buffer, 0, sizeof host));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(memcmp(host, host + 2000, 1000 * sizeof(double)) == 0);
    pymic2_random_desc whole = desc;
    whole.out.shape[0] = 2000;
    int same = 1;
    for (int i = 0; i < 2000; i++)
        same &= host[i] == expected(&whole, (uint64_t)i);
    CHECK(same);
    pymic2_buffer_release(buffer);
}

static void test_errors(void)
{
    pymic2_buffer *buffer;
    CHECK_OK(pymic2_buffer_alloc(device, 64, 0, &buffer));
    pymic2_random_desc desc, e;
    memset(&desc, 0, sizeof desc);
    int64_t shape[1] = {8};
    CHECK_OK(pymic2_operand_contiguous(&desc.out, buffer, 0, PYMIC2_FLOAT64, 1, shape));
    desc.b = 1.0;
    e = desc;
    e.out.dtype = PYMIC2_INT32;
    CHECK_STATUS(pymic2_random(stream, &e, NULL), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("must be float32 or float64");
    e = desc;
    e.distribution = PYMIC2_RANDOM_NORMAL;
    e.b = -1.0;
    CHECK_STATUS(pymic2_random(stream, &e, NULL), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("scale < 0");
    e = desc;
    e.a = NAN;
    CHECK_STATUS(pymic2_random(stream, &e, NULL), PYMIC2_EINVAL);
    e = desc;
    e.distribution = PYMIC2_RANDOM_INTEGERS;
    e.out.dtype = PYMIC2_INT8;
    e.low = 0, e.high = 0;
    CHECK_STATUS(pymic2_random(stream, &e, NULL), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("low >= high");
    e.high = 300;
    CHECK_STATUS(pymic2_random(stream, &e, NULL), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("does not fit in int8");
    e.out.dtype = PYMIC2_FLOAT64;
    e.high = 3;
    CHECK_STATUS(pymic2_random(stream, &e, NULL), PYMIC2_EDTYPE);
    e = desc;
    e.out.shape[0] = 9;
    CHECK_STATUS(pymic2_random(stream, &e, NULL), PYMIC2_ERANGE);
    e = desc;
    e.out.strides[0] = 0;
    CHECK_STATUS(pymic2_random(stream, &e, NULL), PYMIC2_EINVAL);
    e = desc;
    e.counter = UINT64_MAX - 2;
    CHECK_STATUS(pymic2_random(stream, &e, NULL), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("reseed");
    e = desc;
    e.distribution = (pymic2_random_distribution)9;
    CHECK_STATUS(pymic2_random(stream, &e, NULL), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_random(NULL, &desc, NULL), PYMIC2_EINVAL);
    CHECK_OK(pymic2_stream_sync(stream));
    pymic2_buffer_release(buffer);
}

int main(void)
{
    CHECK_OK(pymic2_device_default(&device));
    CHECK_OK(pymic2_stream_default(device, &stream));
    test_known_answers();
    test_distributions();
    test_continuation();
    test_errors();
    return CHECK_DONE();
}
