/*
 * test_sort.c - pymic2_sort's argument checks (each refusal names the problem and leaves
 * the stream usable), then one stable argsort, one search and one runs whose results are
 * checked here.
 * Runs on the default device, or on the device named by its argument.
 */
#include "check.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static pymic2_device *device;
static pymic2_stream *stream;

static void test_refusals(pymic2_buffer *values, pymic2_buffer *positions)
{
    const int64_t shape[2] = {2, 3}, other[2] = {3, 2};
    pymic2_sort_desc desc;
    memset(&desc, 0, sizeof desc);
    CHECK_STATUS(pymic2_sort(NULL, &desc), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_sort(stream, NULL), PYMIC2_EINVAL);
    /* values a scalar */
    pymic2_operand_scalar(&desc.values, PYMIC2_FLOAT64, (pymic2_scalar){.f64 = 1});
    CHECK_STATUS(pymic2_sort(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("scalar");
    CHECK_OK(pymic2_operand_contiguous(&desc.values, values, 0, PYMIC2_FLOAT64, 2, shape));
    desc.op = (pymic2_sort_op)7;
    CHECK_STATUS(pymic2_sort(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("not ROWS, SEARCH, RUNS or SELECT");
    desc.op = PYMIC2_SORT_ROWS;
    desc.keep_values = 1; /* without indices: nothing to write */
    CHECK_STATUS(pymic2_sort(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("keep_values");
    desc.keep_values = 0;
    /* indices of another dtype, then another shape */
    CHECK_OK(pymic2_operand_contiguous(&desc.indices, positions, 0, PYMIC2_INT32, 2, shape));
    CHECK_STATUS(pymic2_sort(stream, &desc), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("int64");
    CHECK_OK(pymic2_operand_contiguous(&desc.indices, positions, 0, PYMIC2_INT64, 2, other));
    CHECK_STATUS(pymic2_sort(stream, &desc), PYMIC2_ESHAPE);
    /* a written operand with stride 0 */
    CHECK_OK(pymic2_operand_contiguous(&desc.indices, positions, 0, PYMIC2_INT64, 2, shape));
    desc.values.strides[1] = 0;
    CHECK_STATUS(pymic2_sort(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("stride 0");
    /* past the buffer's end */
    CHECK_OK(pymic2_operand_contiguous(&desc.values, values, 8, PYMIC2_FLOAT64, 2, shape));
    CHECK(pymic2_sort(stream, &desc) < 0);
    /* a search: 2-d keys, then keys of another dtype */
    memset(&desc, 0, sizeof desc);
    desc.op = PYMIC2_SORT_SEARCH;
    CHECK_OK(pymic2_operand_contiguous(&desc.values, values, 0, PYMIC2_FLOAT64, 1, shape + 1));
    CHECK_OK(pymic2_operand_contiguous(&desc.keys, values, 0, PYMIC2_FLOAT64, 2, shape));
    CHECK_OK(pymic2_operand_contiguous(&desc.indices, positions, 0, PYMIC2_INT64, 2, shape));
    CHECK_STATUS(pymic2_sort(stream, &desc), PYMIC2_ESHAPE);
    CHECK_OK(pymic2_operand_contiguous(&desc.keys, values, 0, PYMIC2_FLOAT32, 1, shape + 1));
    CHECK_OK(pymic2_operand_contiguous(&desc.indices, positions, 0, PYMIC2_INT64, 1, shape + 1));
    CHECK_STATUS(pymic2_sort(stream, &desc), PYMIC2_EDTYPE);
    /* runs: starts as long as the values instead of one longer */
    memset(&desc, 0, sizeof desc);
    desc.op = PYMIC2_SORT_RUNS;
    CHECK_OK(pymic2_operand_contiguous(&desc.values, values, 0, PYMIC2_FLOAT64, 1, shape + 1));
    CHECK_OK(pymic2_operand_contiguous(&desc.indices, positions, 0, PYMIC2_INT64, 1, shape + 1));
    CHECK_STATUS(pymic2_sort(stream, &desc), PYMIC2_ESHAPE);
    CHECK_MESSAGE_HAS("one more");
    /* a selection: positions of another dtype, then none */
    memset(&desc, 0, sizeof desc);
    desc.op = PYMIC2_SORT_SELECT;
    CHECK_OK(pymic2_operand_contiguous(&desc.values, values, 0, PYMIC2_FLOAT64, 2, shape));
    CHECK_OK(pymic2_operand_contiguous(&desc.keys, positions, 0, PYMIC2_INT32, 1, shape + 1));
    CHECK_STATUS(pymic2_sort(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("positions to select");
    const int64_t none = 0;
    CHECK_OK(pymic2_operand_contiguous(&desc.keys, positions, 0, PYMIC2_INT64, 1, &none));
    CHECK_STATUS(pymic2_sort(stream, &desc), PYMIC2_EINVAL);
    CHECK_OK(pymic2_stream_sync(stream));
}

/* A stable argsort of two rows with NaN, -0.0 and ties, then searches of both sides. */
static void test_results(pymic2_buffer *values, pymic2_buffer *positions)
{
    const double x[6] = {NAN, 0.0, -1.0, -0.0, 0.0, -INFINITY};
    const int64_t shape[2] = {2, 3}, flat = 6;
    CHECK_OK(pymic2_memcpy_h2d(stream, values, 0, x, sizeof x));
    pymic2_sort_desc desc;
    memset(&desc, 0, sizeof desc);
    CHECK_OK(pymic2_operand_contiguous(&desc.values, values, 0, PYMIC2_FLOAT64, 2, shape));
    CHECK_OK(pymic2_operand_contiguous(&desc.indices, positions, 0, PYMIC2_INT64, 2, shape));
    CHECK_OK(pymic2_sort(stream, &desc));
    double sorted[6];
    int64_t order[6];
    CHECK_OK(pymic2_memcpy_d2h(stream, sorted, values, 0, sizeof sorted));
    CHECK_OK(pymic2_memcpy_d2h(stream, order, positions, 0, sizeof order));
    CHECK_OK(pymic2_stream_sync(stream));
    const int64_t want[6] = {2, 1, 0, 2, 0, 1}; /* row 1: -inf, -0.0, 0.0 (ties stay) */
    for (int i = 0; i < 6; i++)
        CHECK(order[i] == want[i]);
    CHECK(sorted[0] == -1.0 && sorted[1] == 0.0 && isnan(sorted[2]));
    CHECK(signbit(sorted[4]) && !signbit(sorted[5]));

    /* search the sorted row 1 for every sorted element */
    memset(&desc, 0, sizeof desc);
    desc.op = PYMIC2_SORT_SEARCH;
    CHECK_OK(pymic2_operand_contiguous(&desc.values, values, 3 * 8, PYMIC2_FLOAT64, 1,
                                       shape + 1));
    CHECK_OK(pymic2_operand_contiguous(&desc.keys, values, 0, PYMIC2_FLOAT64, 1, &flat));
    CHECK_OK(pymic2_operand_contiguous(&desc.indices, positions, 0, PYMIC2_INT64, 1, &flat));
    for (int right = 0; right < 2; right++) {
        desc.right = right;
        CHECK_OK(pymic2_sort(stream, &desc));
        CHECK_OK(pymic2_memcpy_d2h(stream, order, positions, 0, sizeof order));
        CHECK_OK(pymic2_stream_sync(stream));
        /* keys -1.0, 0.0, NaN, -inf, -0.0, 0.0 into -inf, -0.0, 0.0 */
        const int64_t left_want[6] = {1, 1, 3, 0, 1, 1}, right_want[6] = {1, 3, 3, 1, 3, 3};
        for (int i = 0; i < 6; i++)
            CHECK(order[i] == (right ? right_want[i] : left_want[i]));
    }

    /* the runs of -1.0, 0.0, NaN, -inf, -0.0, 0.0 read as sorted: -0.0 equals 0.0 */
    memset(&desc, 0, sizeof desc);
    desc.op = PYMIC2_SORT_RUNS;
    CHECK_OK(pymic2_operand_contiguous(&desc.values, values, 3 * 8, PYMIC2_FLOAT64, 1,
                                       shape + 1));
    CHECK_OK(pymic2_operand_contiguous(&desc.indices, positions, 0, PYMIC2_INT64, 1,
                                       (const int64_t[]){4}));
    CHECK_OK(pymic2_sort(stream, &desc));
    CHECK_OK(pymic2_memcpy_d2h(stream, order, positions, 0, 4 * sizeof *order));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(order[0] == 0 && order[1] == 1 && order[3] == 2); /* -inf | -0.0, 0.0: 2 runs */
}

int main(int argc, char **argv)
{
    if (!check_device_from_args(argc, argv, &device))
        return 77;
    CHECK_OK(pymic2_stream_default(device, &stream));
    pymic2_buffer *values = NULL, *positions = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, 6 * sizeof(double), 0, &values));
    CHECK_OK(pymic2_buffer_alloc(device, 6 * sizeof(int64_t), 0, &positions));
    test_refusals(values, positions);
    test_results(values, positions);
    pymic2_buffer_release(values);
    pymic2_buffer_release(positions);
    return CHECK_DONE();
}
