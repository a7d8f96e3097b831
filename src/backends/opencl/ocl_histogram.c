/*
 * ocl_histogram.c - the HISTOGRAM family (pymic2_histogram) on OpenCL devices: counting;
 * isin's bitmap (pymic2_histogram_mark: cleared, then an atomic or per value) and its lookups
 * (pymic2_histogram_member, one work-item per key); the range of integers
 * (pymic2_histogram_range: each piece's least and greatest, then those of the pieces').
 *
 * As on the host: the positions are cut into pieces whose number depends on n and the bins
 * only; pymic2_histogram_count runs one work-item per piece, which zeroes its own copy of the
 * bins in a scratch buffer and counts its positions into it serially, and
 * pymic2_histogram_merge adds the copies bin by bin in piece order (one work-item per bin).
 * No atomics, so weighted sums are the same on any device, and on a CPU device (PoCL), whose
 * work-items run in turn, a piece's copy stays in its core's cache like a host thread's.
 * (A GPU would rather count in work-group local memory with local atomics; PoCL runs those
 * as locked memory operations, so this file does not.) One program per value dtype and,
 * for one axis, its rule (a constant, so the loop has no branch on it).
 */
#include "ocl_ops.h"

#include "../../ops/op_table.h"

#include <inttypes.h>
#include <string.h>

#define MAX_PIECES 64
#define PIECE_VALUES (16 * 1024)
#define SCRATCH_BYTES ((int64_t)16 << 20)

typedef struct histogram_key {
    pymic2_dtype dtype;
    int rule; /* one axis: its rule; several: -1 */
} histogram_key;

/* The program: STORED, VALUE (what LOAD gives: float for half) and LOAD for the values'
 * dtype, RULE (-1: read per axis from the geometry: rule, bins, first edge of each axis). */
static const char *const histogram_template =
    "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n"
    "typedef %s STORED;\n"
    "typedef %s VALUE;\n"
    "#define LOAD(p, i) %s\n"
    "#define RULE %d\n"
    "#define WIDE_UNSIGNED %d\n"
    "#define HALF %d\n"
    "long integer_bin(long v, long low, long nbins)\n"
    "{\n"
    "    const ulong b = (ulong)v - (ulong)low;\n"
    "    return v >= low && b < (ulong)nbins ? (long)b : -1;\n"
    "}\n"
    "long integer_bin_of(VALUE v, long low, long nbins)\n"
    "{\n"
    "    if (WIDE_UNSIGNED && (ulong)v > (ulong)LONG_MAX) return -1;\n"
    "    return integer_bin((long)v, low, nbins);\n"
    "}\n"
    "long even_bin(__global const double *e, long nbins, double x)\n"
    "{\n"
    "    const double first = e[0], last = e[nbins];\n"
    "    if (!(x >= first && x <= last)) return -1;\n"
    "    const double f = (x - first) / (last - first) * (double)nbins;\n"
    "    long b = f < (double)nbins ? (long)f : nbins - 1;\n"
    "    if (x < e[b]) b--;\n"
    "    else if (b != nbins - 1 && x >= e[b + 1]) b++;\n"
    "    return b;\n"
    "}\n"
    "long search_bin(__global const double *e, long nbins, double x)\n"
    "{\n"
    "    if (!(x >= e[0] && x <= e[nbins])) return -1;\n"
    "    long base = 0, length = nbins + 1;\n"
    "    while (length > 1) {\n"
    "        const long step = length / 2;\n"
    "        base = e[base + step] <= x ? base + step : base;\n"
    "        length -= step;\n"
    "    }\n"
    "    return base < nbins ? base : nbins - 1;\n"
    "}\n"
    "long axis_bin(int rule, long low, long nbins, __global const double *e,\n"
    "              __global const STORED *v, long at)\n"
    "{\n"
    "    if (rule == 0) return integer_bin_of(LOAD(v, at), low, nbins);\n"
    "    const double x = (double)LOAD(v, at);\n"
    "    return rule == 1 ? even_bin(e, nbins, x) : search_bin(e, nbins, x);\n"
    "}\n"
    "long bin_of(int naxes, __global const long *geometry, long low,\n"
    "            __global const double *edges, __global const STORED *values, long at,\n"
    "            long axis_step)\n"
    "{\n"
    "    if (RULE >= 0) return axis_bin(RULE, low, geometry[1], edges, values, at);\n"
    "    long bin = 0;\n"
    "    for (int a = 0; a < naxes; a++) {\n"
    "        const long nbins = geometry[3 * a + 1];\n"
    "        const long b = axis_bin((int)geometry[3 * a], low, nbins,\n"
    "                                edges + geometry[3 * a + 2], values, at + a * axis_step);\n"
    "        if (b < 0) return -1;\n"
    "        bin = bin * nbins + b;\n"
    "    }\n"
    "    return bin;\n"
    "}\n"
    "__kernel void pymic2_histogram_count(\n"
    "    __global const STORED *values, long values_at, long row_step, long axis_step,\n"
    "    int naxes, __global const long *geometry, long low, __global const double *edges,\n"
    "    long edges_at,\n"
    "    __global const double *weights, long weights_at, long weight_step, int weighted,\n"
    "    long n, long piece, long bins, __global long *out, long out_at)\n"
    "{\n"
    "    const long g = get_global_id(0);\n"
    "    const long begin = g * piece, end = min(n, begin + piece);\n"
    "    __global long *counts = out + out_at + g * bins;\n"
    "    __global double *sums = (__global double *)counts;\n"
    "    for (long b = 0; b < bins; b++) counts[b] = 0;\n"
    "    values += values_at;\n"
    "    edges += edges_at;\n"
    "    weights += weights_at;\n"
    "    for (long i = begin; i < end; i++) {\n"
    "        const long bin = bin_of(naxes, geometry, low, edges, values, i * row_step,\n"
    "                                axis_step);\n"
    "        if (bin < 0) continue;\n"
    "        if (weighted) sums[bin] += weights[i * weight_step];\n"
    "        else counts[bin]++;\n"
    "    }\n"
    "}\n"
    "__kernel void pymic2_histogram_merge(__global const long *scratch, int pieces, long bins,\n"
    "                                     int weighted, __global long *out, long out_at)\n"
    "{\n"
    "    const long b = get_global_id(0);\n"
    "    if (b >= bins) return;\n"
    "    if (weighted) {\n"
    "        __global const double *copies = (__global const double *)scratch;\n"
    "        double sum = copies[b];\n"
    "        for (int k = 1; k < pieces; k++) sum += copies[k * bins + b];\n"
    "        ((__global double *)out)[out_at + b] = sum;\n"
    "    } else {\n"
    "        long sum = scratch[b];\n"
    "        for (int k = 1; k < pieces; k++) sum += scratch[k * bins + b];\n"
    "        out[out_at + b] = sum;\n"
    "    }\n"
    "}\n"
    "__kernel void pymic2_histogram_member(__global const STORED *values, long values_at,\n"
    "    long step, long low, long nbins, __global const uint *words, long words_at,\n"
    "    int invert, long n, __global uchar *found, long found_at)\n"
    "{\n"
    "    const long i = get_global_id(0);\n"
    "    if (i >= n) return;\n"
    "    const long b = integer_bin_of(LOAD(values + values_at, i * step), low, nbins);\n"
    "    found[found_at + i] = (b >= 0 && (words[words_at + (b >> 5)] >> (b & 31)) & 1)\n"
    "                          != invert;\n"
    "}\n"
    "__kernel void pymic2_histogram_clear(__global uint *words, long words_at, long nwords)\n"
    "{\n"
    "    const long w = get_global_id(0);\n"
    "    if (w < nwords) words[words_at + w] = 0;\n"
    "}\n"
    "__kernel void pymic2_histogram_mark(__global const STORED *values, long values_at,\n"
    "    long step, long low, long nbins, __global uint *words, long words_at, long n)\n"
    "{\n"
    "    const long i = get_global_id(0);\n"
    "    if (i >= n) return;\n"
    "    const long b = integer_bin_of(LOAD(values + values_at, i * step), low, nbins);\n"
    "    if (b >= 0) atomic_or(words + words_at + (b >> 5), 1u << (b & 31));\n"
    "}\n"
    "#if !HALF\n" /* bool and integers only: no half variables */
    "__kernel void pymic2_histogram_range(__global const STORED *values, long values_at,\n"
    "    long step, long n, long piece, __global STORED *out, long out_at)\n"
    "{\n"
    "    const long g = get_global_id(0);\n"
    "    const long begin = g * piece, end = min(n, begin + piece);\n"
    "    values += values_at;\n"
    "    STORED low = values[begin * step], high = low;\n"
    "    for (long i = begin + 1; i < end; i++) {\n"
    "        const STORED v = values[i * step];\n"
    "        low = v < low ? v : low;\n"
    "        high = v > high ? v : high;\n"
    "    }\n"
    "    out[out_at + 2 * g] = low;\n"
    "    out[out_at + 2 * g + 1] = high;\n"
    "}\n"
    "#endif\n";

static int source_histogram(pymic2_device *device, const void *key, char **source)
{
    const histogram_key *k = key;
    const bool half = k->dtype == PYMIC2_FLOAT16;
    return pymic2__ocl_source_printf(device->name, source, histogram_template,
                                     pymic2__ocl_type_name(k->dtype),
                                     pymic2__ocl_type_name(pymic2__dtype_compute(k->dtype)),
                                     half ? "vload_half((i), (p))" : "((p)[i])", k->rule,
                                     k->dtype == PYMIC2_UINT64, half);
}

/* Per axis (rule, bins, offset of its first edge), as the kernel reads them. */
static int histogram_geometry(pymic2_device *device, const pymic2_histogram_desc *desc,
                              cl_mem *geometry)
{
    int64_t g[3 * PYMIC2_MAX_HISTOGRAM_AXES];
    int64_t edge_at = 0;
    for (int a = 0; a < desc->naxes; a++) {
        g[3 * a] = desc->rules[a];
        g[3 * a + 1] = desc->nbins[a];
        g[3 * a + 2] = edge_at;
        edge_at += desc->rules[a] == PYMIC2_BIN_INTEGER ? 0 : desc->nbins[a] + 1;
    }
    return pymic2__ocl_temporary(device, (size_t)desc->naxes * 3 * 8, g, geometry);
}

/* What both kernels of one command share. */
typedef struct histogram_launch {
    pymic2_stream *stream;
    const pymic2_histogram_desc *desc;
    histogram_key key;
    int64_t n, bins, piece, values_at, edges_at, weights_at, counts_at;
    int pieces;
    cl_mem geometry, scratch;
} histogram_launch;

/* The element offsets of every operand, and the pieces. */
static int histogram_plan(histogram_launch *l)
{
    pymic2_device *device = l->stream->device;
    const pymic2_histogram_desc *desc = l->desc;
    int status = pymic2__ocl_element_offset(device, "histogram", &desc->values, &l->values_at);
    if (status == PYMIC2_OK)
        status = pymic2__ocl_element_offset(device, "histogram", &desc->counts, &l->counts_at);
    if (status == PYMIC2_OK && desc->edges.buffer != NULL)
        status = pymic2__ocl_element_offset(device, "histogram", &desc->edges, &l->edges_at);
    if (status == PYMIC2_OK && desc->weights.buffer != NULL)
        status = pymic2__ocl_element_offset(device, "histogram", &desc->weights,
                                            &l->weights_at);
    l->n = desc->values.shape[0];
    l->bins = desc->counts.shape[0];
    int64_t pieces = l->n / PIECE_VALUES;
    pieces = pieces < MAX_PIECES ? pieces : MAX_PIECES;
    pieces = pieces < SCRATCH_BYTES / (l->bins * 8) ? pieces : SCRATCH_BYTES / (l->bins * 8);
    l->pieces = pieces > 1 ? (int)pieces : 1;
    l->piece = (l->n + l->pieces - 1) / l->pieces;
    return status;
}

/* pymic2_histogram_count into the scratch (several pieces) or straight into the counts. */
static int launch_count(const histogram_launch *l, cl_event *done)
{
    const pymic2_histogram_desc *desc = l->desc;
    pymic2__ocl_kernel *kernel;
    int status = pymic2__ocl_kernel_get(l->stream->device, PYMIC2__OCL_KIND_HISTOGRAM, &l->key,
                                        sizeof l->key, "pymic2_histogram_count",
                                        source_histogram, &kernel);
    if (status != PYMIC2_OK)
        return status;
    const size_t itemsize = pymic2_dtype_size(desc->values.dtype);
    const cl_int naxes = desc->naxes, weighted = desc->weights.buffer != NULL;
    cl_mem values = pymic2__ocl_mem_of(desc->values.buffer);
    pymic2__ocl_args args;
    pymic2__ocl_args_begin(&args, kernel);
    pymic2__ocl_arg_mem(&args, values);
    pymic2__ocl_arg_long(&args, l->values_at);
    pymic2__ocl_arg_long(&args, desc->values.strides[0] / (int64_t)itemsize);
    pymic2__ocl_arg_long(&args, desc->values.ndim == 2 ? desc->values.strides[1] /
                                                             (int64_t)itemsize : 0);
    pymic2__ocl_arg(&args, sizeof naxes, &naxes);
    pymic2__ocl_arg_mem(&args, l->geometry);
    pymic2__ocl_arg_long(&args, desc->low);
    /* absent operands: any valid buffer, never read */
    pymic2__ocl_arg_mem(&args, desc->edges.buffer ? pymic2__ocl_mem_of(desc->edges.buffer)
                                                  : l->geometry);
    pymic2__ocl_arg_long(&args, l->edges_at);
    pymic2__ocl_arg_mem(&args, weighted ? pymic2__ocl_mem_of(desc->weights.buffer)
                                        : l->geometry);
    pymic2__ocl_arg_long(&args, l->weights_at);
    pymic2__ocl_arg_long(&args, weighted ? desc->weights.strides[0] / 8 : 0);
    pymic2__ocl_arg(&args, sizeof weighted, &weighted);
    pymic2__ocl_arg_long(&args, l->n);
    pymic2__ocl_arg_long(&args, l->piece);
    pymic2__ocl_arg_long(&args, l->bins);
    pymic2__ocl_arg_mem(&args, l->scratch ? l->scratch
                                          : pymic2__ocl_mem_of(desc->counts.buffer));
    pymic2__ocl_arg_long(&args, l->scratch ? 0 : l->counts_at);
    return pymic2__ocl_args_launch(&args, l->stream, "histogram", (size_t)l->pieces, 1, done);
}

/* pymic2_histogram_merge: the pieces' copies into the counts. */
static int launch_merge(const histogram_launch *l, cl_event *done)
{
    pymic2__ocl_kernel *kernel;
    int status = pymic2__ocl_kernel_get(l->stream->device, PYMIC2__OCL_KIND_HISTOGRAM, &l->key,
                                        sizeof l->key, "pymic2_histogram_merge",
                                        source_histogram, &kernel);
    if (status != PYMIC2_OK)
        return status;
    const cl_int pieces = l->pieces, weighted = l->desc->weights.buffer != NULL;
    pymic2__ocl_args args;
    pymic2__ocl_args_begin(&args, kernel);
    pymic2__ocl_arg_mem(&args, l->scratch);
    pymic2__ocl_arg(&args, sizeof pieces, &pieces);
    pymic2__ocl_arg_long(&args, l->bins);
    pymic2__ocl_arg(&args, sizeof weighted, &weighted);
    pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(l->desc->counts.buffer));
    pymic2__ocl_arg_long(&args, l->counts_at);
    return pymic2__ocl_args_launch(&args, l->stream, "histogram", (size_t)l->bins, 64, done);
}

/* Kernel `name` of the command's program with its first three arguments (the values, their
 * element offset and step) set. */
static int begin_values(const histogram_launch *l, const char *name, pymic2__ocl_args *args)
{
    const pymic2_histogram_desc *desc = l->desc;
    pymic2__ocl_kernel *kernel;
    int status = pymic2__ocl_kernel_get(l->stream->device, PYMIC2__OCL_KIND_HISTOGRAM, &l->key,
                                        sizeof l->key, name, source_histogram, &kernel);
    if (status != PYMIC2_OK)
        return status;
    pymic2__ocl_args_begin(args, kernel);
    pymic2__ocl_arg_mem(args, pymic2__ocl_mem_of(desc->values.buffer));
    pymic2__ocl_arg_long(args, l->values_at);
    pymic2__ocl_arg_long(args, desc->values.strides[0] /
                                   (int64_t)pymic2_dtype_size(desc->values.dtype));
    return PYMIC2_OK;
}

/* pymic2_histogram_member: one work-item per key. */
static int launch_member(const histogram_launch *l, cl_event *done)
{
    const pymic2_histogram_desc *desc = l->desc;
    pymic2__ocl_args args;
    int64_t found_at;
    int status = pymic2__ocl_element_offset(l->stream->device, "isin", &desc->found, &found_at);
    if (status == PYMIC2_OK)
        status = begin_values(l, "pymic2_histogram_member", &args);
    if (status != PYMIC2_OK)
        return status;
    const cl_int invert = desc->invert != 0;
    pymic2__ocl_arg_long(&args, desc->low);
    pymic2__ocl_arg_long(&args, desc->nbins[0]);
    pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(desc->counts.buffer));
    pymic2__ocl_arg_long(&args, l->counts_at);
    pymic2__ocl_arg(&args, sizeof invert, &invert);
    pymic2__ocl_arg_long(&args, l->n);
    pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(desc->found.buffer));
    pymic2__ocl_arg_long(&args, found_at);
    return pymic2__ocl_args_launch(&args, l->stream, "isin", (size_t)(l->n > 0 ? l->n : 1), 64,
                                   done);
}

/* pymic2_histogram_clear over the bitmap, then pymic2_histogram_mark: one work-item per
 * word, then per value. */
static int launch_mark(const histogram_launch *l, cl_event *done)
{
    const pymic2_histogram_desc *desc = l->desc;
    cl_mem words = pymic2__ocl_mem_of(desc->counts.buffer);
    pymic2__ocl_kernel *clear;
    int status = pymic2__ocl_kernel_get(l->stream->device, PYMIC2__OCL_KIND_HISTOGRAM, &l->key,
                                        sizeof l->key, "pymic2_histogram_clear",
                                        source_histogram, &clear);
    if (status != PYMIC2_OK)
        return status;
    pymic2__ocl_args args;
    pymic2__ocl_args_begin(&args, clear);
    pymic2__ocl_arg_mem(&args, words);
    pymic2__ocl_arg_long(&args, l->counts_at);
    pymic2__ocl_arg_long(&args, l->bins);
    cl_event cleared;
    status = pymic2__ocl_args_launch(&args, l->stream, "isin", (size_t)l->bins, 64, &cleared);
    if (status != PYMIC2_OK)
        return status;
    clReleaseEvent(cleared); /* the queue runs in order */
    status = begin_values(l, "pymic2_histogram_mark", &args);
    if (status != PYMIC2_OK)
        return status;
    pymic2__ocl_arg_long(&args, desc->low);
    pymic2__ocl_arg_long(&args, desc->nbins[0]);
    pymic2__ocl_arg_mem(&args, words);
    pymic2__ocl_arg_long(&args, l->counts_at);
    pymic2__ocl_arg_long(&args, l->n);
    return pymic2__ocl_args_launch(&args, l->stream, "isin", (size_t)(l->n > 0 ? l->n : 1), 64,
                                   done);
}

/* pymic2_histogram_range of `pieces` pieces of `piece` values from `values` (a values
 * operand's buffer, at element `at` by `step`) into out at out_at. */
static int launch_range(const histogram_launch *l, cl_mem values, int64_t at, int64_t step,
                        int64_t n, int64_t pieces, cl_mem out, int64_t out_at, cl_event *done)
{
    pymic2__ocl_kernel *kernel;
    int status = pymic2__ocl_kernel_get(l->stream->device, PYMIC2__OCL_KIND_HISTOGRAM, &l->key,
                                        sizeof l->key, "pymic2_histogram_range",
                                        source_histogram, &kernel);
    if (status != PYMIC2_OK)
        return status;
    pymic2__ocl_args args;
    pymic2__ocl_args_begin(&args, kernel);
    pymic2__ocl_arg_mem(&args, values);
    pymic2__ocl_arg_long(&args, at);
    pymic2__ocl_arg_long(&args, step);
    pymic2__ocl_arg_long(&args, n);
    pymic2__ocl_arg_long(&args, (n + pieces - 1) / pieces);
    pymic2__ocl_arg_mem(&args, out);
    pymic2__ocl_arg_long(&args, out_at);
    return pymic2__ocl_args_launch(&args, l->stream, "histogram", (size_t)pieces, 1, done);
}

/* RANGE: the pieces' pairs into a scratch buffer, then their range into the counts. */
static int launch_ranges(histogram_launch *l, cl_event *done)
{
    const pymic2_histogram_desc *desc = l->desc;
    const int64_t itemsize = (int64_t)pymic2_dtype_size(desc->values.dtype);
    cl_mem values = pymic2__ocl_mem_of(desc->values.buffer),
           counts = pymic2__ocl_mem_of(desc->counts.buffer);
    const int64_t step = desc->values.strides[0] / itemsize;
    if (l->pieces == 1)
        return launch_range(l, values, l->values_at, step, l->n, 1, counts, l->counts_at, done);
    int status = pymic2__ocl_temporary(l->stream->device, (size_t)(2 * l->pieces * itemsize),
                                       NULL, &l->scratch);
    cl_event ranged;
    if (status == PYMIC2_OK)
        status = launch_range(l, values, l->values_at, step, l->n, l->pieces, l->scratch, 0,
                              &ranged);
    if (status != PYMIC2_OK)
        return status;
    clReleaseEvent(ranged); /* the queue runs in order */
    return launch_range(l, l->scratch, 0, 1, 2 * (int64_t)l->pieces, 1, counts, l->counts_at,
                        done);
}

/* The HISTOGRAM family's slot. */
int pymic2__ocl_histogram(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    const pymic2_histogram_desc *desc = &command->u.histogram;
    cl_event *done = &((pymic2__ocl_launch *)launch)->done;
    pymic2_device *device = stream->device;
    if (!pymic2__ocl_fp64(device))
        return pymic2__error(PYMIC2_ENOTSUP, "%s: histogram: the device has no float64 "
                             "support (cl_khr_fp64), which the bins are computed in",
                             device->name);
    histogram_launch l;
    memset(&l, 0, sizeof l);
    l.stream = stream;
    l.desc = desc;
    l.key.dtype = desc->values.dtype;
    l.key.rule = desc->naxes <= 1 ? (int)desc->rules[0] : -1; /* RANGE: no axes */
    int status = histogram_plan(&l);
    if (status == PYMIC2_OK && desc->op == PYMIC2_HISTOGRAM_MEMBER)
        return launch_member(&l, done);
    if (status == PYMIC2_OK && desc->op == PYMIC2_HISTOGRAM_MARK)
        return launch_mark(&l, done);
    if (status == PYMIC2_OK && desc->op == PYMIC2_HISTOGRAM_RANGE) {
        status = launch_ranges(&l, done);
        if (l.scratch)
            clReleaseMemObject(l.scratch);
        return status;
    }
    if (status == PYMIC2_OK)
        status = histogram_geometry(device, desc, &l.geometry);
    if (status == PYMIC2_OK && l.pieces > 1)
        status = pymic2__ocl_temporary(device, (size_t)(l.pieces * l.bins * 8), NULL,
                                       &l.scratch);
    if (status == PYMIC2_OK) {
        cl_event counted;
        status = launch_count(&l, l.pieces > 1 ? &counted : done);
        if (status == PYMIC2_OK && l.pieces > 1) {
            clReleaseEvent(counted);
            status = launch_merge(&l, done);
        }
    }
    if (l.scratch)
        clReleaseMemObject(l.scratch);
    if (l.geometry)
        clReleaseMemObject(l.geometry);
    return status;
}
