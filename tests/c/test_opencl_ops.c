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

#include <complex.h>
#include <math.h>

/* The C text of a row's expression for a class, to find in the generated source. */
#define TEXT_1(expression) #expression
#define TEXT_0(reason) NULL
#define ROW_TEXT(RULE, bo, be, io, ie, fo, fe, co, ce) \
    {TEXT_##bo(be), TEXT_##io(ie), TEXT_##fo(fe), TEXT_##co(ce)},
#define OP_TEXT(NAME, lname, n) PYMIC2__CALL(ROW_TEXT, PYMIC2__OP_ROW_##NAME)
#include "../../src/backends/opencl/ocl_row_names.h"
static const char *const row_text[PYMIC2_NUM_OPS][PYMIC2__NUM_CLASSES] = {
    PYMIC2_OP_TABLE(OP_TEXT)};

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
        for (int dtype = 0; dtype < PYMIC2_NUM_DTYPES; dtype++) {
            pymic2__dtype_class class = pymic2__dtype_class_of((pymic2_dtype)dtype);
            pymic2__ocl_elementwise_key key;
            memset(&key, 0, sizeof key);
            key.op = (pymic2_op)op;
            key.input = (pymic2_dtype)dtype;
            key.output = output_of(key.op, key.input);
            key.fp64 = true;
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
            /* one program: every layout with every input a scalar or an array */
            for (int layout = 0; layout < PYMIC2__OCL_NUM_LAYOUTS; layout++)
                for (unsigned scalars = 0; scalars < 1u << info->ninputs; scalars++) {
                    char signature[96];
                    snprintf(signature, sizeof signature, "__kernel void %s(",
                             pymic2__ocl_elementwise_kernel_name(layout, scalars));
                    CHECK(strstr(source, signature) != NULL);
                }
            /* a sample compiles: one dtype per class per op */
            const bool sample = dtype == PYMIC2_BOOL || dtype == PYMIC2_INT8 ||
                                dtype == PYMIC2_FLOAT64 || dtype == PYMIC2_COMPLEX128;
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

    /* float64 and complex128 without fp64 are refused with clear messages */
    pymic2__ocl_elementwise_key key;
    memset(&key, 0, sizeof key);
    key.op = PYMIC2_OP_ADD;
    key.input = key.output = PYMIC2_COMPLEX128;
    char *source = NULL;
    CHECK_STATUS(pymic2__ocl_source_elementwise("opencl:9", &key, &source), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("opencl:9");
    CHECK_MESSAGE_HAS("has no float64 support (cl_khr_fp64), which complex128 needs");
    key.input = key.output = PYMIC2_FLOAT64;
    CHECK_STATUS(pymic2__ocl_source_elementwise("opencl:9", &key, &source), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("opencl:9");
    CHECK_MESSAGE_HAS("has no float64 support (cl_khr_fp64)");
    /* every conversion to and from complex64 and complex128 generates and compiles;
     * complex64's without fp64 where the other dtype needs none (float2 code only) */
    static const pymic2_dtype complex_dtypes[] = {PYMIC2_COMPLEX64, PYMIC2_COMPLEX128};
    for (int c = 0; c < 2; c++)
        for (int dtype = 0; dtype < PYMIC2_NUM_DTYPES; dtype++)
            for (int direction = 0; direction < 2; direction++) {
                memset(&key, 0, sizeof key);
                key.op = PYMIC2_OP_COPY;
                key.input = direction ? (pymic2_dtype)dtype : complex_dtypes[c];
                key.output = direction ? complex_dtypes[c] : (pymic2_dtype)dtype;
                key.fp64 = pymic2__dtype_needs_fp64(key.input) ||
                           pymic2__dtype_needs_fp64(key.output);
                CHECK_OK(pymic2__ocl_source_elementwise("test", &key, &source));
                if (device != NULL) {
                    cl_program program;
                    CHECK_OK(pymic2__ocl_program_get(device, source, NULL, &program));
                }
                free(source);
            }
    /* complex64 needs no fp64: every op it takes generates and compiles without it */
    for (int op = 0; op < PYMIC2_NUM_OPS; op++) {
        if (pymic2__op_get_info((pymic2_op)op)->rejects[PYMIC2__CLASS_COMPLEX] != NULL)
            continue;
        memset(&key, 0, sizeof key);
        key.op = (pymic2_op)op;
        key.input = PYMIC2_COMPLEX64;
        key.output = output_of(key.op, key.input);
        CHECK_OK(pymic2__ocl_source_elementwise("test", &key, &source));
        if (device != NULL) {
            cl_program program;
            CHECK_OK(pymic2__ocl_program_get(device, source, NULL, &program));
        }
        free(source);
    }

    /* every reduction of every dtype generates (or is refused as on the host), and a sample
     * compiles */
    for (int reduction = 1; reduction < PYMIC2_NUM_REDUCTIONS; reduction++)
        for (int dtype = 0; dtype < PYMIC2_NUM_DTYPES; dtype++) {
            pymic2__ocl_reduce_key rkey;
            memset(&rkey, 0, sizeof rkey);
            rkey.reduction = (pymic2_reduction)reduction;
            rkey.input = (pymic2_dtype)dtype;
            rkey.fp64 = true;
            const char *why =
                pymic2__op_get_info(pymic2__reduce_get_info(rkey.reduction)->op)
                    ->rejects[pymic2__dtype_class_of(rkey.input)];
            int status = pymic2__ocl_source_reduce("test", &rkey, &source);
            const pymic2__reduce_info *info = pymic2__reduce_get_info(rkey.reduction);
            /* a reduction combining by a refused op is refused (argmax of complex too) */
            if (why != NULL && (info->out == PYMIC2__REDUCE_OUT_SAME || info->arg)) {
                CHECK_STATUS(status, PYMIC2_EDTYPE);
                continue;
            }
            CHECK_OK(status);
            if (status != PYMIC2_OK)
                continue;
            if (device != NULL && (dtype == PYMIC2_FLOAT64 || dtype == PYMIC2_COMPLEX128)) {
                cl_program program;
                CHECK_OK(pymic2__ocl_program_get(device, source, NULL, &program));
            }
            free(source);
            if (dtype != PYMIC2_COMPLEX64)
                continue;
            /* complex64: with fp64 (sums accumulate in complex128) and without */
            for (int fp64 = 0; fp64 < 2; fp64++) {
                rkey.fp64 = fp64;
                CHECK_OK(pymic2__ocl_source_reduce("test", &rkey, &source));
                if (device != NULL) {
                    cl_program program;
                    CHECK_OK(pymic2__ocl_program_get(device, source, NULL, &program));
                }
                free(source);
            }
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

/* out = op(a[, b]) on a device for n complex128 inputs; the output has out_dtype. */
static void run_complex(pymic2_device *device, pymic2_op op, const double _Complex *a,
                        const double _Complex *b, int n, pymic2_dtype out_dtype, void *out)
{
    pymic2_stream *stream;
    CHECK_OK(pymic2_stream_default(device, &stream));
    const int ninputs = b != NULL ? 2 : 1;
    const double _Complex *inputs[2] = {a, b};
    pymic2_buffer *buffers[3];
    pymic2_op_desc desc = {.op = op, .noperands = ninputs + 1};
    const int64_t shape[1] = {n};
    const size_t out_bytes = (size_t)n * pymic2_dtype_size(out_dtype);
    for (int k = 0; k <= ninputs; k++) {
        const size_t bytes = k < ninputs ? (size_t)n * sizeof *a : out_bytes;
        CHECK_OK(pymic2_buffer_alloc(device, bytes, 0, &buffers[k]));
        if (k < ninputs)
            CHECK_OK(pymic2_memcpy_h2d(stream, buffers[k], 0, inputs[k], bytes));
        CHECK_OK(pymic2_operand_contiguous(&desc.operands[k], buffers[k], 0,
                                           k < ninputs ? PYMIC2_COMPLEX128 : out_dtype, 1,
                                           shape));
    }
    CHECK_OK(pymic2_op_launch(stream, &desc));
    CHECK_OK(pymic2_memcpy_d2h(stream, out, buffers[ninputs], 0, out_bytes));
    CHECK_OK(pymic2_stream_sync(stream));
    for (int k = 0; k <= ninputs; k++)
        pymic2_buffer_release(buffers[k]);
}

/* Both NaN, or equal (with the sign of zero), or within rtol of each other. */
static bool close_part(double got, double want, double rtol)
{
    if (isnan(want) || isnan(got))
        return isnan(want) && isnan(got);
    if (want == 0 || isinf(want))
        return got == want && signbit(got) == signbit(want);
    return fabs(got - want) <= rtol * fabs(want);
}

static bool close_complex(double _Complex got, double _Complex want, double rtol)
{
    /* a part that is tiny next to the other is compared against the magnitude */
    const double scale = cabs(want);
    if (isfinite(scale) && scale > 0 && creal(want) != 0 && cimag(want) != 0)
        return cabs(got - want) <= rtol * scale;
    return close_part(creal(got), creal(want), rtol) &&
           close_part(cimag(got), cimag(want), rtol);
}

/*
 * complex128 on the device against C99's complex arithmetic on the host (an independent
 * implementation: glibc): every pair of parts from {0, -0, 1.5, -2, inf, -inf, NaN}.
 * Division of finite numbers and by zero (NumPy's rule: each part over +0, whatever the
 * zero's sign), multiplication, sqrt/exp/log/tanh where C99 Annex G fixes the result,
 * absolute value, equality and the reductions of a complex array.
 */
static void test_complex(pymic2_device *cl)
{
    static const double parts[] = {0.0, -0.0, 1.5, -2.0, HUGE_VAL, -HUGE_VAL, NAN};
    enum { P = sizeof parts / sizeof parts[0], N = P * P, PAIRS = N * N };
    static double _Complex values[N], a[PAIRS], b[PAIRS], out[PAIRS];
    static uint8_t truth[PAIRS];
    static double magnitude[N];
    for (int i = 0; i < N; i++)
        values[i] = CMPLX(parts[i / P], parts[i % P]);
    for (int i = 0; i < PAIRS; i++) {
        a[i] = values[i / N];
        b[i] = values[i % N];
    }

    run_complex(cl, PYMIC2_OP_DIVIDE, a, b, PAIRS, PYMIC2_COMPLEX128, out);
    int checked = 0, bad = 0;
    for (int i = 0; i < PAIRS; i++) {
        const double _Complex x = a[i], y = b[i];
        if (creal(y) == 0 && cimag(y) == 0) {
            bad += !close_part(creal(out[i]), creal(x) / 0.0, 0) ||
                   !close_part(cimag(out[i]), cimag(x) / 0.0, 0);
            checked++;
        } else if (isfinite(creal(x)) && isfinite(cimag(x)) && isfinite(creal(y)) &&
                   isfinite(cimag(y))) {
            bad += !close_complex(out[i], x / y, 1e-15);
            checked++;
        } else if (isfinite(creal(x)) && isfinite(cimag(x)) && isinf(cabs(y)) &&
                   !isnan(creal(y)) && !isnan(cimag(y)) && (isfinite(creal(y)) ||
                                                           isfinite(cimag(y)))) {
            /* finite over infinite (one part): zero */
            bad += creal(out[i]) != 0 || cimag(out[i]) != 0;
            checked++;
        }
    }
    CHECK(checked > PAIRS / 4);
    CHECK(bad == 0);

    run_complex(cl, PYMIC2_OP_MULTIPLY, a, b, PAIRS, PYMIC2_COMPLEX128, out);
    bad = 0;
    for (int i = 0; i < PAIRS; i++) /* the textbook formula (NumPy's) on finite parts */
        if (isfinite(cabs(a[i])) && isfinite(cabs(b[i])))
            bad += !close_complex(out[i], a[i] * b[i], 1e-15);
    CHECK(bad == 0);

    run_complex(cl, PYMIC2_OP_EQUAL, a, b, PAIRS, PYMIC2_BOOL, truth);
    bad = 0;
    for (int i = 0; i < PAIRS; i++)
        bad += truth[i] != (a[i] == b[i]);
    CHECK(bad == 0);

    run_complex(cl, PYMIC2_OP_ABSOLUTE, values, NULL, N, PYMIC2_FLOAT64, magnitude);
    bad = 0;
    for (int i = 0; i < N; i++)
        bad += !close_part(magnitude[i], cabs(values[i]), 1e-15);
    CHECK(bad == 0);

    /* Annex G fixes these results except for some signs of zero and of an infinite or NaN
     * imaginary part; close_part compares NaN as NaN, zero and infinity with their signs */
    const struct {
        pymic2_op op;
        double _Complex (*reference)(double _Complex);
    } functions[] = {{PYMIC2_OP_SQRT, csqrt}, {PYMIC2_OP_EXP, cexp}, {PYMIC2_OP_LOG, clog},
                     {PYMIC2_OP_TANH, ctanh}};
    for (size_t f = 0; f < sizeof functions / sizeof functions[0]; f++) {
        run_complex(cl, functions[f].op, values, NULL, N, PYMIC2_COMPLEX128, out);
        bad = 0;
        for (int i = 0; i < N; i++) {
            const double _Complex want = functions[f].reference(values[i]);
            int same = close_complex(out[i], want, 1e-14);
            if (!same && (!isfinite(creal(values[i])) || !isfinite(cimag(values[i])))) {
                /* the unspecified signs: compare magnitudes and NaN-ness */
                same = close_part(fabs(creal(out[i])), fabs(creal(want)), 1e-14) &&
                       close_part(fabs(cimag(out[i])), fabs(cimag(want)), 1e-14);
            }
            if (!same)
                fprintf(stderr, "op %d of (%g, %g): (%g, %g), C99 (%g, %g)\n",
                        (int)functions[f].op, creal(values[i]), cimag(values[i]),
                        creal(out[i]), cimag(out[i]), creal(want), cimag(want));
            bad += !same;
        }
        CHECK(bad == 0);
    }
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
    pymic2_buffer_release(db);
    pymic2_buffer_release(de);
    pymic2_buffer_release(dout);
}

/* One index launch on opencl:0 whose index is out of bounds, over the 12 doubles of `array`
 * (and `out`): the call returns at once, the sync fails with the host's IndexError message,
 * nothing was written, and the stream is clean afterwards. */
/* After the failed command the array is as before, and so is out but for its first `zeroed`
 * elements: a gather's result, which it fills with zeros as on the host. */
static void check_bad_index(pymic2_stream *stream, const pymic2_index_desc *desc,
                            pymic2_buffer *array, pymic2_buffer *out, int zeroed,
                            const char *message)
{
    double before[12], after[12], out_before[12], out_after[12];
    for (int i = 0; i < 12; i++) {
        before[i] = i + 0.5;
        out_before[i] = -1.0 - i;
    }
    CHECK_OK(pymic2_memcpy_h2d(stream, array, 0, before, sizeof before));
    CHECK_OK(pymic2_memcpy_h2d(stream, out, 0, out_before, sizeof out_before));
    CHECK_OK(pymic2_index_launch(stream, desc));
    CHECK_STATUS(pymic2_stream_sync(stream), PYMIC2_EASYNC);
    CHECK(pymic2_last_async_status() == PYMIC2_EINDEX);
    CHECK_MESSAGE_HAS(message);
    CHECK_OK(pymic2_stream_sync(stream)); /* reported once */
    CHECK_OK(pymic2_memcpy_d2h(stream, after, array, 0, sizeof after));
    CHECK_OK(pymic2_memcpy_d2h(stream, out_after, out, 0, sizeof out_after));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(memcmp(before, after, sizeof after) == 0); /* nothing written */
    for (int i = 0; i < zeroed; i++)
        out_before[i] = 0.0;
    CHECK(memcmp(out_before, out_after, sizeof out_after) == 0);
}

/* Out-of-bounds indices: found by the device's check, reported at the next sync. */
static void test_index_errors(pymic2_device *cl)
{
    pymic2_stream *stream;
    CHECK_OK(pymic2_stream_default(cl, &stream));
    const int64_t indices[3] = {1, 5, -9};
    pymic2_buffer *index, *array, *out;
    CHECK_OK(pymic2_buffer_alloc(cl, sizeof indices, 0, &index));
    CHECK_OK(pymic2_buffer_alloc(cl, 12 * sizeof(double), 0, &array));
    CHECK_OK(pymic2_buffer_alloc(cl, 12 * sizeof(double), 0, &out));
    CHECK_OK(pymic2_memcpy_h2d(stream, index, 0, indices, sizeof indices));
    const int64_t shape[2] = {3, 4}, all[1] = {3}, last_two[1] = {2}, last[1] = {1};
    const int64_t no_rows[2] = {0, 4}, none_gathered[2] = {0, 1};
    pymic2_index_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.nindices = 1;

    desc.mode = PYMIC2_INDEX_GATHER; /* out = array[indices] */
    CHECK_OK(pymic2_operand_contiguous(&desc.array, array, 0, PYMIC2_FLOAT64, 2, shape));
    CHECK_OK(pymic2_operand_contiguous(&desc.indices[0], index, 0, PYMIC2_INT64, 1, all));
    CHECK_OK(pymic2_operand_contiguous(&desc.values, out, 0, PYMIC2_FLOAT64, 2, shape));
    check_bad_index(stream, &desc, array, out, 12,
                    "opencl:0: gather: index 5 is out of bounds for axis 0 with size 3");

    desc.mode = PYMIC2_INDEX_SCATTER; /* array[:, indices[1:]] = 2.0 */
    desc.axis = 1;
    CHECK_OK(pymic2_operand_contiguous(&desc.indices[0], index, 8, PYMIC2_INT64, 1, last_two));
    pymic2_operand_scalar(&desc.values, PYMIC2_FLOAT64, (pymic2_scalar){.f64 = 2.0});
    check_bad_index(stream, &desc, array, out, 0,
                    "opencl:0: scatter: index 5 is out of bounds for axis 1 with size 4");
    desc.mode = PYMIC2_INDEX_SCATTER_ADD; /* array[:, indices[2:]] += 2.0 */
    CHECK_OK(pymic2_operand_contiguous(&desc.indices[0], index, 16, PYMIC2_INT64, 1, last));
    check_bad_index(stream, &desc, array, out, 0,
                    "opencl:0: scatter_add: index -9 is out of bounds for axis 1 with size 4");

    /* nothing to move (no rows), but the index is still checked, as on the host */
    desc.mode = PYMIC2_INDEX_GATHER;
    CHECK_OK(pymic2_operand_contiguous(&desc.array, array, 0, PYMIC2_FLOAT64, 2, no_rows));
    CHECK_OK(pymic2_operand_contiguous(&desc.values, out, 0, PYMIC2_FLOAT64, 2,
                                       none_gathered));
    check_bad_index(stream, &desc, array, out, 0,
                    "opencl:0: gather: index -9 is out of bounds for axis 1 with size 4");
    pymic2_buffer_release(index);
    pymic2_buffer_release(array);
    pymic2_buffer_release(out);
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
        test_complex(cl);
        test_device_errors(cl);
        test_index_errors(cl);
    }
    return CHECK_DONE();
}
