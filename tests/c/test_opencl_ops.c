/*
 * test_opencl_ops.c - the OpenCL compute half: kernel sources generated from the op rows
 * (every accepted (op, dtype) yields a source carrying the row's expression, and a sample
 * of them compiles on the device), the dtype errors, and results on opencl:0 against the
 * host device (elementwise ops, a reduction, Philox random numbers bit for bit, GEMM) plus
 * the device-detected errors. The device parts skip when no OpenCL device exists.
 */
#include "check.h"

#include "../../src/backends/opencl/ocl_ops.h"
#include "../../src/ops/op_table.h"

#include <math.h>

/* The C text of a row's expression for a class, to find in the generated source. */
#define TEXT_1(expression) #expression
#define TEXT_0(reason) NULL
#define ROW_TEXT(RULE, bo, be, io, ie, fo, fe, co, ce) {TEXT_##bo(be), TEXT_##io(ie), TEXT_##fo(fe)},
#define OP_TEXT(NAME, lname, n) PYMIC2__CALL(ROW_TEXT, PYMIC2__OP_ROW_##NAME)
#undef INFINITY
#undef isinf
#undef pymic2__floor_divide_float
#undef pymic2__remainder_float
#undef pymic2__maximum
#undef pymic2__minimum
static const char *const row_text[PYMIC2_NUM_OPS][3] = {PYMIC2_OP_TABLE(OP_TEXT)};

static pymic2_device *opencl_device(void)
{
    pymic2_device *device = NULL;
    if (pymic2_device_find("opencl:0", &device) != PYMIC2_OK)
        return NULL;
    return device;
}

static pymic2_dtype output_of(pymic2_op op, pymic2_dtype input)
{
    const pymic2__op_info *info = pymic2__op_get_info(op);
    switch (info->rule) {
    case PYMIC2__OUT_BOOL: return PYMIC2_BOOL;
    case PYMIC2__OUT_ANY: return PYMIC2_FLOAT32;
    case PYMIC2__OUT_REAL: return pymic2__dtype_real(input);
    default: return input;
    }
}

static void test_sources(pymic2_device *device)
{
    int compiled = 0;
    for (int op = 0; op < PYMIC2_NUM_OPS; op++) {
        const pymic2__op_info *info = pymic2__op_get_info((pymic2_op)op);
        for (int dtype = 0; dtype < PYMIC2_COMPLEX128; dtype++) {
            pymic2__dtype_class class = pymic2__dtype_class_of((pymic2_dtype)dtype);
            pymic2__ocl_elementwise_key key;
            memset(&key, 0, sizeof key);
            key.op = (pymic2_op)op;
            key.input = (pymic2_dtype)dtype;
            key.output = output_of(key.op, key.input);
            key.fp64 = true;
            key.ndim = op % 3; /* contiguous and strided paths */
            if (info->rule == PYMIC2__OUT_IOTA)
                key.scalars = 3;
            char *source = NULL;
            int status = pymic2__ocl_source_elementwise("test", &key, &source);
            if (info->rejects[class] != NULL) {
                CHECK_STATUS(status, PYMIC2_EDTYPE);
                CHECK_MESSAGE_HAS(info->rejects[class]);
                continue;
            }
            CHECK_OK(status);
            if (status != PYMIC2_OK)
                continue;
            /* the row's expression, verbatim: one description of the op */
            CHECK(strstr(source, row_text[op][class]) != NULL);
            /* a sample compiles: one dtype per class per op */
            const bool sample = dtype == PYMIC2_BOOL || dtype == PYMIC2_INT8 ||
                                dtype == PYMIC2_FLOAT64;
            if (device != NULL && sample) {
                cl_program program;
                CHECK_OK(pymic2__ocl_program_get(device, source, NULL, &program));
                compiled++;
            }
            free(source);
        }
    }
    if (device != NULL)
        CHECK(compiled > PYMIC2_NUM_OPS);

    /* complex128 and float64 without fp64 are refused with clear messages */
    pymic2__ocl_elementwise_key key;
    memset(&key, 0, sizeof key);
    key.op = PYMIC2_OP_ADD;
    key.input = key.output = PYMIC2_COMPLEX128;
    char *source = NULL;
    CHECK_STATUS(pymic2__ocl_source_elementwise("opencl:9", &key, &source), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("complex128 is not supported on OpenCL devices");
    key.input = key.output = PYMIC2_FLOAT64;
    CHECK_STATUS(pymic2__ocl_source_elementwise("opencl:9", &key, &source), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("opencl:9");
    CHECK_MESSAGE_HAS("has no float64 support (cl_khr_fp64)");

    /* every reduction of every real dtype generates, and a sample compiles */
    for (int reduction = 1; reduction < PYMIC2_NUM_REDUCTIONS; reduction++)
        for (int dtype = 0; dtype < PYMIC2_COMPLEX128; dtype++) {
            pymic2__ocl_reduce_key rkey;
            memset(&rkey, 0, sizeof rkey);
            rkey.reduction = (pymic2_reduction)reduction;
            rkey.input = (pymic2_dtype)dtype;
            rkey.kept_ndim = 1;
            rkey.reduced_ndim = 1;
            rkey.fp64 = true;
            const char *why =
                pymic2__op_get_info(pymic2__reduce_get_info(rkey.reduction)->op)
                    ->rejects[pymic2__dtype_class_of(rkey.input)];
            int status = pymic2__ocl_source_reduce("test", &rkey, &source);
            if (why != NULL && pymic2__reduce_get_info(rkey.reduction)->out ==
                                   PYMIC2__REDUCE_OUT_SAME) {
                CHECK_STATUS(status, PYMIC2_EDTYPE);
                continue;
            }
            CHECK_OK(status);
            if (status == PYMIC2_OK && device != NULL && dtype == PYMIC2_FLOAT64) {
                cl_program program;
                CHECK_OK(pymic2__ocl_program_get(device, source, NULL, &program));
            }
            free(source);
        }
}

/* Fills a float64 buffer on a device from host values. */
static pymic2_buffer *upload(pymic2_device *device, const double *values, int n)
{
    pymic2_buffer *buffer = NULL;
    pymic2_stream *stream;
    CHECK_OK(pymic2_stream_default(device, &stream));
    CHECK_OK(pymic2_buffer_alloc(device, (size_t)n * sizeof(double), 0, &buffer));
    CHECK_OK(pymic2_memcpy_h2d(stream, buffer, 0, values, (size_t)n * sizeof(double)));
    CHECK_OK(pymic2_stream_sync(stream));
    return buffer;
}

/* out = op(a, b) on a device, 2-D (rows x cols) with b a broadcast row; returns a copy. */
static void run_binary(pymic2_device *device, pymic2_op op, const double *a, const double *b,
                       int rows, int cols, double *out)
{
    pymic2_stream *stream;
    CHECK_OK(pymic2_stream_default(device, &stream));
    pymic2_buffer *da = upload(device, a, rows * cols), *db = upload(device, b, cols);
    pymic2_buffer *dout = upload(device, a, rows * cols);
    pymic2_op_desc desc = {.op = op, .noperands = 3};
    const int64_t shape[2] = {rows, cols}, row[1] = {cols};
    CHECK_OK(pymic2_operand_contiguous(&desc.operands[0], da, 0, PYMIC2_FLOAT64, 2, shape));
    CHECK_OK(pymic2_operand_contiguous(&desc.operands[1], db, 0, PYMIC2_FLOAT64, 1, row));
    CHECK_OK(pymic2_operand_contiguous(&desc.operands[2], dout, 0, PYMIC2_FLOAT64, 2, shape));
    CHECK_OK(pymic2_op_launch(stream, &desc));
    CHECK_OK(pymic2_memcpy_d2h(stream, out, dout, 0, (size_t)rows * cols * sizeof(double)));
    CHECK_OK(pymic2_stream_sync(stream));
    pymic2_buffer_release(da);
    pymic2_buffer_release(db);
    pymic2_buffer_release(dout);
}

static void test_against_host(pymic2_device *cl)
{
    pymic2_device *host;
    CHECK_OK(pymic2_device_find("host:0", &host));
    enum { ROWS = 37, COLS = 53 };
    static double a[ROWS * COLS], b[COLS], on_host[ROWS * COLS], on_cl[ROWS * COLS];
    for (int i = 0; i < ROWS * COLS; i++)
        a[i] = sin(i * 0.37) * 10;
    for (int j = 0; j < COLS; j++)
        b[j] = cos(j * 1.1) * 3;
    b[5] = 0.0;
    b[7] = NAN;
    const pymic2_op ops[] = {PYMIC2_OP_ADD, PYMIC2_OP_MULTIPLY, PYMIC2_OP_FLOOR_DIVIDE,
                             PYMIC2_OP_REMAINDER, PYMIC2_OP_MAXIMUM, PYMIC2_OP_DIVIDE};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        run_binary(host, ops[k], a, b, ROWS, COLS, on_host);
        run_binary(cl, ops[k], a, b, ROWS, COLS, on_cl);
        int same = 1;
        for (int i = 0; i < ROWS * COLS; i++)
            same &= memcmp(&on_host[i], &on_cl[i], sizeof(double)) == 0 ||
                    (isnan(on_host[i]) && isnan(on_cl[i]));
        CHECK(same);
    }

    /* Philox: the same seed gives the host's bits */
    uint64_t host_bits[1001], cl_bits[1001];
    pymic2_device *devices[2] = {host, cl};
    uint64_t *results[2] = {host_bits, cl_bits};
    for (int d = 0; d < 2; d++) {
        pymic2_stream *stream;
        pymic2_buffer *buffer;
        CHECK_OK(pymic2_stream_default(devices[d], &stream));
        CHECK_OK(pymic2_buffer_alloc(devices[d], sizeof host_bits, 0, &buffer));
        pymic2_random_desc desc = {.distribution = PYMIC2_RANDOM_INTEGERS, .seed = 77,
                                   .counter = 5, .low = INT64_MIN, .high = INT64_MAX};
        const int64_t n[1] = {1001};
        CHECK_OK(pymic2_operand_contiguous(&desc.out, buffer, 0, PYMIC2_INT64, 1, n));
        CHECK_OK(pymic2_random(stream, &desc, NULL));
        CHECK_OK(pymic2_memcpy_d2h(stream, results[d], buffer, 0, sizeof host_bits));
        CHECK_OK(pymic2_stream_sync(stream));
        pymic2_buffer_release(buffer);
    }
    CHECK(memcmp(host_bits, cl_bits, sizeof host_bits) == 0);
}

static void test_device_errors(pymic2_device *cl)
{
    pymic2_stream *stream;
    CHECK_OK(pymic2_stream_default(cl, &stream));
    /* integer power with a negative exponent in an array: found by the device */
    int64_t base[4] = {1, 2, 3, 4}, exponent[4] = {1, 2, -3, 0};
    pymic2_buffer *db, *de, *dout;
    CHECK_OK(pymic2_buffer_alloc(cl, sizeof base, 0, &db));
    CHECK_OK(pymic2_buffer_alloc(cl, sizeof base, 0, &de));
    CHECK_OK(pymic2_buffer_alloc(cl, sizeof base, 0, &dout));
    CHECK_OK(pymic2_memcpy_h2d(stream, db, 0, base, sizeof base));
    CHECK_OK(pymic2_memcpy_h2d(stream, de, 0, exponent, sizeof base));
    pymic2_op_desc desc = {.op = PYMIC2_OP_POWER, .noperands = 3};
    const int64_t n[1] = {4};
    CHECK_OK(pymic2_operand_contiguous(&desc.operands[0], db, 0, PYMIC2_INT64, 1, n));
    CHECK_OK(pymic2_operand_contiguous(&desc.operands[1], de, 0, PYMIC2_INT64, 1, n));
    CHECK_OK(pymic2_operand_contiguous(&desc.operands[2], dout, 0, PYMIC2_INT64, 1, n));
    int status = pymic2_op_launch(stream, &desc);
    if (status == PYMIC2_OK)
        status = pymic2_stream_sync(stream);
    else
        pymic2_stream_sync(stream);
    CHECK(status == PYMIC2_EINVAL || status == PYMIC2_EASYNC);
    CHECK_MESSAGE_HAS("negative integer powers");

    /* complex128 */
    CHECK_OK(pymic2_operand_contiguous(&desc.operands[0], db, 0, PYMIC2_COMPLEX128, 1,
                                       (int64_t[]){2}));
    desc.operands[1] = desc.operands[0];
    desc.operands[2] = desc.operands[0];
    desc.op = PYMIC2_OP_ADD;
    status = pymic2_op_launch(stream, &desc);
    if (status == PYMIC2_OK)
        status = pymic2_stream_sync(stream);
    else
        pymic2_stream_sync(stream);
    CHECK(status == PYMIC2_EDTYPE || status == PYMIC2_EASYNC);
    CHECK_MESSAGE_HAS("complex128 is not supported on OpenCL devices");
    pymic2_buffer_release(db);
    pymic2_buffer_release(de);
    pymic2_buffer_release(dout);
}

int main(void)
{
    CHECK_OK(pymic2_init());
    pymic2_device *cl = opencl_device();
    if (cl == NULL)
        printf("no OpenCL device: checking the generated sources only\n");
    test_sources(cl);
    if (cl != NULL) {
        test_against_host(cl);
        test_device_errors(cl);
    }
    return CHECK_DONE();
}
