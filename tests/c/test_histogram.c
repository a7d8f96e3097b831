/*
 * test_histogram.c - pymic2_histogram's argument checks (each refusal names the problem and
 * leaves the stream usable), then one count per rule, a weighted 2-d histogram, the range of
 * integers and a membership bitmap with its lookups, whose results are checked here.
 * Runs on the default device, or on the device named by its argument.
 */
#include "check.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static pymic2_device *device;
static pymic2_stream *stream;

static void test_refusals(pymic2_buffer *values, pymic2_buffer *counts)
{
    const int64_t n = 4, bins = 3;
    pymic2_histogram_desc desc;
    memset(&desc, 0, sizeof desc);
    CHECK_STATUS(pymic2_histogram(NULL, &desc), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_histogram(stream, NULL), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_histogram(stream, &desc), PYMIC2_EINVAL); /* no axes */
    desc.naxes = 1;
    desc.nbins[0] = bins;
    CHECK_OK(pymic2_operand_contiguous(&desc.values, values, 0, PYMIC2_FLOAT64, 1, &n));
    CHECK_OK(pymic2_operand_contiguous(&desc.counts, counts, 0, PYMIC2_INT64, 1, &bins));
    CHECK_STATUS(pymic2_histogram(stream, &desc), PYMIC2_EDTYPE); /* integer bins of floats */
    CHECK_MESSAGE_HAS("integer bins");
    desc.rules[0] = PYMIC2_BIN_EDGES; /* without edges */
    CHECK_STATUS(pymic2_histogram(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("edges");
    desc.rules[0] = (pymic2_bin_rule)9;
    CHECK_STATUS(pymic2_histogram(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("not INTEGER, EVEN or EDGES");
    desc.rules[0] = PYMIC2_BIN_INTEGER;
    CHECK_OK(pymic2_operand_contiguous(&desc.values, values, 0, PYMIC2_COMPLEX128, 1, &n));
    CHECK_STATUS(pymic2_histogram(stream, &desc), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("real");
    CHECK_OK(pymic2_operand_contiguous(&desc.values, values, 0, PYMIC2_INT64, 1, &n));
    desc.nbins[0] = 0;
    CHECK_STATUS(pymic2_histogram(stream, &desc), PYMIC2_EINVAL);
    desc.nbins[0] = 2; /* counts of 3 elements for 2 bins */
    CHECK_STATUS(pymic2_histogram(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("contiguous int64 array of 2");
    desc.nbins[0] = bins; /* weights of the wrong length, then float64 counts missing */
    CHECK_OK(pymic2_operand_contiguous(&desc.weights, values, 0, PYMIC2_FLOAT64, 1, &bins));
    CHECK_STATUS(pymic2_histogram(stream, &desc), PYMIC2_ESHAPE);
    CHECK_OK(pymic2_operand_contiguous(&desc.weights, values, 0, PYMIC2_FLOAT64, 1, &n));
    CHECK_STATUS(pymic2_histogram(stream, &desc), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("float64");
    CHECK_OK(pymic2_stream_sync(stream));
}

/* Four values through each rule, then (value, value) pairs with weights in 2-d. */
static void test_results(pymic2_buffer *values, pymic2_buffer *edges, pymic2_buffer *counts)
{
    const double x[4] = {0.0, 2.0, 1.0, NAN}, e[4] = {0.0, 1.0, 2.0, 9.0};
    const int64_t ix[4] = {2, 0, 2, 7}, n = 4, three = 3, nine = 9;
    pymic2_histogram_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.naxes = 1;
    desc.nbins[0] = 3;
    CHECK_OK(pymic2_memcpy_h2d(stream, values, 0, ix, sizeof ix));
    CHECK_OK(pymic2_operand_contiguous(&desc.values, values, 0, PYMIC2_INT64, 1, &n));
    CHECK_OK(pymic2_operand_contiguous(&desc.counts, counts, 0, PYMIC2_INT64, 1, &three));
    CHECK_OK(pymic2_histogram(stream, &desc));
    int64_t got[9];
    CHECK_OK(pymic2_memcpy_d2h(stream, got, counts, 0, 3 * sizeof *got));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(got[0] == 1 && got[1] == 0 && got[2] == 2); /* 7 is dropped */

    /* edges 0, 1, 2 (even) and 0, 1, 9 (searched): 2.0 is on the last edge, NaN dropped */
    CHECK_OK(pymic2_memcpy_h2d(stream, values, 0, x, sizeof x));
    CHECK_OK(pymic2_memcpy_h2d(stream, edges, 0, e, sizeof e));
    CHECK_OK(pymic2_operand_contiguous(&desc.values, values, 0, PYMIC2_FLOAT64, 1, &n));
    desc.nbins[0] = 2;
    CHECK_OK(pymic2_operand_contiguous(&desc.counts, counts, 0, PYMIC2_INT64, 1, desc.nbins));
    for (int rule = PYMIC2_BIN_EVEN; rule <= PYMIC2_BIN_EDGES; rule++) {
        desc.rules[0] = (pymic2_bin_rule)rule;
        const int64_t nedges = 3;
        CHECK_OK(pymic2_operand_contiguous(&desc.edges, edges, rule == PYMIC2_BIN_EVEN ? 0 : 8,
                                           PYMIC2_FLOAT64, 1, &nedges));
        CHECK_OK(pymic2_histogram(stream, &desc));
        CHECK_OK(pymic2_memcpy_d2h(stream, got, counts, 0, 2 * sizeof *got));
        CHECK_OK(pymic2_stream_sync(stream));
        if (rule == PYMIC2_BIN_EVEN)
            CHECK(got[0] == 1 && got[1] == 2); /* [0, 1) and [1, 2] */
        else
            CHECK(got[0] == 1 && got[1] == 1); /* edges 1, 2, 9: [1, 2) and [2, 9] */
    }

    /* 2-d: the (x, x) pairs of a (4, 2) view with stride 0 between axes, weighted by x */
    const int64_t pairs[2] = {4, 2}, nedges = 8;
    desc.naxes = 2;
    desc.rules[0] = desc.rules[1] = PYMIC2_BIN_EDGES;
    desc.nbins[0] = desc.nbins[1] = 3;
    const double both[8] = {0.0, 1.0, 2.0, 9.0, 0.0, 1.0, 2.0, 9.0};
    CHECK_OK(pymic2_memcpy_h2d(stream, edges, 0, both, sizeof both));
    CHECK_OK(pymic2_operand_contiguous(&desc.edges, edges, 0, PYMIC2_FLOAT64, 1, &nedges));
    CHECK_OK(pymic2_operand_contiguous(&desc.values, values, 0, PYMIC2_FLOAT64, 2, pairs));
    desc.values.strides[0] = 8;
    desc.values.strides[1] = 0;
    CHECK_OK(pymic2_memcpy_h2d(stream, values, 4 * 8, x, 3 * sizeof *x)); /* weights 0, 2, 1 */
    CHECK_OK(pymic2_operand_contiguous(&desc.weights, values, 4 * 8, PYMIC2_FLOAT64, 1, &n));
    CHECK_OK(pymic2_operand_contiguous(&desc.counts, counts, 0, PYMIC2_FLOAT64, 1, &nine));
    CHECK_OK(pymic2_histogram(stream, &desc));
    double sums[9];
    CHECK_OK(pymic2_memcpy_d2h(stream, sums, counts, 0, sizeof sums));
    CHECK_OK(pymic2_stream_sync(stream));
    /* (0,0) weight x[4]=0, (2,2) weight x[5]=2, (1,1) weight x[6]=1, (NaN, NaN) dropped */
    for (int b = 0; b < 9; b++)
        CHECK(sums[b] == (b == 8 ? 2.0 : b == 4 ? 1.0 : 0.0));
}

/* RANGE of {2, 0, 2, 7}; MARK of them from low 0 into 40 bins (two words), MEMBER of the
 * keys {7, 1, 39, 40} in it; a float range and a bitmap of the wrong length refused. */
static void test_range_and_membership(pymic2_buffer *values, pymic2_buffer *found,
                                      pymic2_buffer *counts)
{
    const int64_t ix[8] = {2, 0, 2, 7, 7, 1, 39, 40}, n = 4, two = 2;
    pymic2_histogram_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.op = PYMIC2_HISTOGRAM_RANGE;
    CHECK_OK(pymic2_memcpy_h2d(stream, values, 0, ix, sizeof ix));
    CHECK_OK(pymic2_operand_contiguous(&desc.values, values, 0, PYMIC2_FLOAT64, 1, &n));
    CHECK_OK(pymic2_operand_contiguous(&desc.counts, counts, 0, PYMIC2_FLOAT64, 1, &two));
    CHECK_STATUS(pymic2_histogram(stream, &desc), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("bool or integer");
    CHECK_OK(pymic2_operand_contiguous(&desc.values, values, 0, PYMIC2_INT64, 1, &n));
    CHECK_OK(pymic2_operand_contiguous(&desc.counts, counts, 0, PYMIC2_INT64, 1, &two));
    CHECK_OK(pymic2_histogram(stream, &desc));
    int64_t range[2];
    CHECK_OK(pymic2_memcpy_d2h(stream, range, counts, 0, sizeof range));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(range[0] == 0 && range[1] == 7);

    desc.op = PYMIC2_HISTOGRAM_MARK;
    desc.naxes = 1;
    desc.nbins[0] = 40;
    CHECK_OK(pymic2_operand_contiguous(&desc.counts, counts, 0, PYMIC2_UINT32, 1, &n));
    CHECK_STATUS(pymic2_histogram(stream, &desc), PYMIC2_EINVAL); /* 4 words, not 2 */
    CHECK_MESSAGE_HAS("contiguous uint32 array of 2");
    CHECK_OK(pymic2_operand_contiguous(&desc.counts, counts, 0, PYMIC2_UINT32, 1, &two));
    CHECK_OK(pymic2_histogram(stream, &desc));
    desc.op = PYMIC2_HISTOGRAM_MEMBER;
    CHECK_OK(pymic2_operand_contiguous(&desc.values, values, 4 * 8, PYMIC2_INT64, 1, &n));
    CHECK_OK(pymic2_operand_contiguous(&desc.found, found, 0, PYMIC2_BOOL, 1, &n));
    CHECK_OK(pymic2_histogram(stream, &desc));
    uint32_t words[2];
    uint8_t in[4];
    CHECK_OK(pymic2_memcpy_d2h(stream, words, counts, 0, sizeof words));
    CHECK_OK(pymic2_memcpy_d2h(stream, in, found, 0, sizeof in));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(words[0] == ((1u << 0) | (1u << 2) | (1u << 7)) && words[1] == 0);
    CHECK(in[0] == 1 && in[1] == 0 && in[2] == 0 && in[3] == 0); /* 40: past the bins */
}

int main(int argc, char **argv)
{
    if (!check_device_from_args(argc, argv, &device))
        return 77;
    CHECK_OK(pymic2_stream_default(device, &stream));
    pymic2_buffer *values = NULL, *edges = NULL, *counts = NULL;
    CHECK_OK(pymic2_buffer_alloc(device, 8 * sizeof(double), 0, &values));
    CHECK_OK(pymic2_buffer_alloc(device, 8 * sizeof(double), 0, &edges));
    CHECK_OK(pymic2_buffer_alloc(device, 9 * sizeof(double), 0, &counts));
    test_refusals(values, counts);
    test_results(values, edges, counts);
    test_range_and_membership(values, edges, counts);
    pymic2_buffer_release(values);
    pymic2_buffer_release(edges);
    pymic2_buffer_release(counts);
    return CHECK_DONE();
}
