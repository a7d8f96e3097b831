/*
 * ocl_fft.c - the FFT family (pymic2_fft) on OpenCL devices: our own Stockham kernels
 * (cl/fft.cl), one program per precision, for the plan the host uses (pymic2__fft_radix:
 * radix 8 first, then 4, then the smallest prime up to PYMIC2__FFT_MAX_RADIX; other lengths by
 * Bluestein's convolution of pymic2__fft_bluestein_length points). A row that fits the
 * device's local memory is one work-group's, from the operand to the result in one launch;
 * longer rows run as two such launches (the four-step transform) between temporaries, or
 * as one launch per pass when the length does not split into two local lengths.
 * complex128 needs cl_khr_fp64.
 *
 * Measured on PoCL (2 cores, `python -m pymic2.bench fft --device opencl:0`), one launch per
 * pass before: fft 2^20 complex128 36.5 ms, rfft2 2048^2 88.6 ms, 1024 rows of rfft 1024
 * 6.1 ms (NumPy: 22.8, 37.7, 2.8 ms); in local memory: 14.9, 23.3, 1.7 ms.
 */
#include "ocl_ops.h"

#include "ocl_cl_fft.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROUP 64
/* The longest row transformed in local memory (two buffers of ROWS_PER_ITEM rows), if the
 * device's local memory holds it. */
#define LOCAL_MAX 4096
#define ROWS_PER_ITEM 8 /* as fft.cl's */

/* A program: the general kernels (local_len 0) or those of one local length. */
typedef struct fft_key {
    int fp64;
    int64_t local_len;
} fft_key;

/* The source of a key's program; a local length's passes are unrolled with their radices,
 * spans and twiddle offsets as constants (as the twiddle table lays them out). */
static int source_fft(pymic2_device *device, const void *key_, char **source)
{
    const fft_key *key = key_;
    char passes[16 * 48] = "", *end = passes;
    for (int64_t rest = key->local_len, l = 1, offset = 0, r; rest > 1;
         rest /= r, offset += l * (r - 1), l *= r) {
        r = pymic2__fft_radix(rest);
        end += snprintf(end, sizeof passes - (size_t)(end - passes),
                        " LOCAL_PASS(%d, %" PRId64 ", %" PRId64 ")", (int)r, l, offset);
    }
    char local[sizeof passes + 120] = "";
    if (key->local_len > 0)
        snprintf(local, sizeof local,
                 "#define LOCAL_LEN %" PRId64 "\n#define LOCAL_PASSES%s\n", key->local_len,
                 passes);
    return pymic2__ocl_source_printf(device->name, source, "%s%s%s",
                                     key->fp64 ? "#define FFT_DOUBLE 1\n" : "", local,
                                     pymic2__ocl_cl_fft);
}

/* One transform's state: the precision, the batch and the temporaries. */
typedef struct fft_job {
    pymic2_stream *stream;
    int fp64;
    int64_t rows, n, h; /* h: the complex length transformed (n / 2 for an even real n) */
    cl_mem starts_in, starts_out, a, b, big_a, big_b, filter, filter_b;
    cl_mem roots; /* R2C, C2R: exp(-2 pi i k / n), k <= n / 2 (else a placeholder) */
} fft_job;

/* Begins the arguments of kernel `name` of the job's program for local_len (0: the general
 * program). */
static int begin_in(fft_job *job, int64_t local_len, const char *name, pymic2__ocl_args *args)
{
    fft_key key;
    memset(&key, 0, sizeof key);
    key.fp64 = job->fp64;
    key.local_len = local_len;
    pymic2__ocl_kernel *kernel;
    int status = pymic2__ocl_kernel_get(job->stream->device, PYMIC2__OCL_KIND_FFT, &key,
                                        sizeof key, name, source_fft, &kernel);
    if (status == PYMIC2_OK)
        pymic2__ocl_args_begin(args, kernel);
    return status;
}

static int begin(fft_job *job, const char *name, pymic2__ocl_args *args)
{
    return begin_in(job, 0, name, args);
}

/* Enqueues the kernel; done (NULL: released) gets the event. */
static int enqueue(fft_job *job, pymic2__ocl_args *args, const char *what,
                   const size_t global[2], const size_t local[2], cl_event *done)
{
    cl_event event;
    int status = pymic2__ocl_args_launch_2d(args, job->stream, what, global, local, &event);
    if (status == PYMIC2_OK) {
        if (done != NULL)
            *done = event;
        else
            clReleaseEvent(event);
    }
    return status;
}

/* Launches width x rows work-items, one per element. */
static int launch(fft_job *job, pymic2__ocl_args *args, const char *what, int64_t width,
                  int64_t rows, cl_event *done)
{
    const size_t global[2] = {(size_t)width, (size_t)rows}, local[2] = {GROUP, 1};
    return enqueue(job, args, what, global, local, done);
}

/* Launches the work-items of rows transforms in local memory, ROWS_PER_ITEM each. */
static int launch_local(fft_job *job, pymic2__ocl_args *args, const char *what, int64_t rows,
                        cl_event *done)
{
    const size_t global[2] = {(size_t)((rows + ROWS_PER_ITEM - 1) / ROWS_PER_ITEM), 1};
    const size_t local[2] = {1, 1};
    return enqueue(job, args, what, global, local, done);
}

static int temporary(fft_job *job, int64_t elements, cl_mem *mem);

static const char *pass_name(int radix)
{
    switch (radix) {
    case 2: return "pymic2_fft_pass_2";
    case 3: return "pymic2_fft_pass_3";
    case 4: return "pymic2_fft_pass_4";
    case 5: return "pymic2_fft_pass_5";
    case 7: return "pymic2_fft_pass_7";
    case 8: return "pymic2_fft_pass_8";
    default: return "pymic2_fft_pass_any";
    }
}

/* The twiddles of every pass of len into *tw (stage after stage, as the passes read them). */
static int twiddles(fft_job *job, int64_t len, cl_mem *tw)
{
    int64_t total = 1;
    for (int64_t rest = len, l = 1, r; rest > 1; rest /= r, l *= r)
        total += l * ((r = pymic2__fft_radix(rest)) - 1);
    int status = temporary(job, total, tw);
    for (int64_t rest = len, l = 1, offset = 0; rest > 1 && status == PYMIC2_OK;) {
        const cl_int radix = pymic2__fft_radix(rest);
        pymic2__ocl_args args;
        status = begin(job, "pymic2_fft_twiddles", &args);
        if (status != PYMIC2_OK)
            break;
        pymic2__ocl_arg_mem(&args, *tw);
        pymic2__ocl_arg_long(&args, offset);
        pymic2__ocl_arg_long(&args, l);
        pymic2__ocl_arg(&args, sizeof radix, &radix);
        status = launch(job, &args, "fft (twiddles)", l * (radix - 1), 1, NULL);
        offset += l * (radix - 1), rest /= radix, l *= radix;
    }
    return status;
}

/* The forward transform of rows of len (a smooth length) in *x, one launch per pass
 * ping-ponging with *y; the result ends in *x (the two are swapped as needed). */
static int global_passes(fft_job *job, cl_mem *x, cl_mem *y, int64_t len, int64_t rows)
{
    cl_mem tw = NULL;
    int status = twiddles(job, len, &tw);
    for (int64_t rest = len, l = 1, offset = 0; rest > 1 && status == PYMIC2_OK;) {
        const int radix = pymic2__fft_radix(rest);
        const cl_int r = radix;
        pymic2__ocl_args args;
        status = begin(job, pass_name(radix), &args);
        if (status != PYMIC2_OK)
            break;
        pymic2__ocl_arg_mem(&args, *x);
        pymic2__ocl_arg_mem(&args, *y);
        pymic2__ocl_arg_long(&args, len);
        pymic2__ocl_arg(&args, sizeof r, &r);
        pymic2__ocl_arg_long(&args, l);
        pymic2__ocl_arg_long(&args, rows);
        pymic2__ocl_arg_mem(&args, tw);
        pymic2__ocl_arg_long(&args, offset);
        status = launch(job, &args, "fft (pass)", len / radix, rows, NULL);
        cl_mem t = *x;
        *x = *y, *y = t;
        offset += l * (radix - 1), rest /= radix, l *= radix;
    }
    if (tw != NULL)
        clReleaseMemObject(tw);
    return status;
}

/* Whether the device transforms rows of len in local memory: a CPU device (GPUs run one
 * launch per pass; a work-group-per-row design for them is not measured here) whose local
 * memory holds two buffers of ROWS_PER_ITEM rows. */
static int fits_locally(const fft_job *job, int64_t len)
{
    const pymic2__ocl_device *ocl = pymic2__ocl_device_of(job->stream->device);
    const cl_ulong bytes = (cl_ulong)len * 2 * ROWS_PER_ITEM * (job->fp64 ? 16 : 8);
    return ocl->runs_items_in_turn && len <= LOCAL_MAX && bytes <= ocl->local_mem_size;
}

/* Where a local transform's rows are: row g % sub of block g / sub starts at the block's
 * start + row * row_in in the source (row_out in the destination), elements step_in
 * (step_out) apart; the result is multiplied by exp(-2 pi i row k / twiddle_n) if twiddle_n >
 * 0. */
typedef struct row_layout {
    int64_t sub, block_step, row_in, step_in, row_out, step_out, twiddle_n;
} row_layout;

/* A local transform's source or destination: a temporary (starts NULL: block b starts at b *
 * block_step, unit 1) or an operand (its rows' starts, its element step as the unit), read
 * or written conjugated with conj. */
typedef struct fft_end {
    cl_mem mem, starts;
    int64_t unit;
    cl_int conj;
} fft_end;

static fft_end temporary_end(cl_mem mem)
{
    const fft_end end = {mem, NULL, 1, 0};
    return end;
}

/* Appends a real number in the job's precision. */
static void real_argument(const fft_job *job, pymic2__ocl_args *args, double value)
{
    const cl_double value64 = value;
    const cl_float value32 = (cl_float)value;
    if (job->fp64)
        pymic2__ocl_arg(args, sizeof value64, &value64);
    else
        pymic2__ocl_arg(args, sizeof value32, &value32);
}

/* Transforms groups rows of len (fits_locally) from *in to *out laid out as *layout, the
 * results scaled; done as in launch(). */
static int local_rows(fft_job *job, const fft_end *in, const fft_end *out, double scale,
                      int64_t len, int64_t groups, const row_layout *layout, cl_event *done)
{
    cl_mem tw = NULL;
    int status = twiddles(job, len, &tw);
    pymic2__ocl_args args;
    if (status == PYMIC2_OK)
        status = begin_in(job, len, "pymic2_fft_strided", &args);
    if (status == PYMIC2_OK) {
        const fft_end *ends[2] = {in, out};
        for (int e = 0; e < 2; e++) {
            pymic2__ocl_arg_mem(&args, ends[e]->mem);
            pymic2__ocl_arg_mem(&args, ends[e]->starts);
            pymic2__ocl_arg_long(&args, ends[e]->unit);
            pymic2__ocl_arg(&args, sizeof ends[e]->conj, &ends[e]->conj);
        }
        real_argument(job, &args, scale);
        const int64_t geometry[] = {groups,           layout->sub,     layout->block_step,
                                    layout->row_in,   layout->step_in, layout->row_out,
                                    layout->step_out, layout->twiddle_n};
        for (size_t g = 0; g < sizeof geometry / sizeof *geometry; g++)
            pymic2__ocl_arg_long(&args, geometry[g]);
        pymic2__ocl_arg_mem(&args, tw);
        status = launch_local(job, &args, "fft (rows in local memory)", groups, done);
    }
    if (tw != NULL)
        clReleaseMemObject(tw);
    return status;
}

/* The factor n1 of len = n1 n2 nearest its square root with both factors local lengths, or
 * 0 if there is none. */
static int64_t four_step_split(const fft_job *job, int64_t len)
{
    int64_t best = 0;
    for (int64_t n1 = 1; n1 <= LOCAL_MAX && n1 * n1 <= len; n1++)
        if (len % n1 == 0 && fits_locally(job, n1) && fits_locally(job, len / n1))
            best = n1;
    return best;
}

/* The four-step transform of rows of len = n1 n2 (four_step_split) from *in to *out through
 * the temporary y (as large): len viewed as n1 x n2, the n2 columns' transforms, twiddled,
 * written as rows of y, then the n1 columns of y transformed, X[k1 + n1 k2] at column k1,
 * row k2 of the result; scaled at the end. */
static int four_step(fft_job *job, const fft_end *in, const fft_end *out, double scale,
                     cl_mem y, int64_t len, int64_t n1, int64_t rows, cl_event *done)
{
    const int64_t n2 = len / n1;
    const row_layout columns = {n2, len, 1, n2, n1, 1, len};
    const row_layout rows_of_y = {n1, len, 1, n1, 1, n1, 0};
    const fft_end middle = temporary_end(y);
    int status = local_rows(job, in, &middle, 1, n1, rows * n2, &columns, NULL);
    return status == PYMIC2_OK
               ? local_rows(job, &middle, out, scale, n2, rows * n1, &rows_of_y, done)
               : status;
}

/* The forward transform of rows of len (a smooth length) in *x (*y: a temporary as large);
 * the result ends in *x. In local memory when the row fits, else by the four-step transform
 * or, when len has no split into two local lengths, one launch per pass. */
static int transform(fft_job *job, cl_mem *x, cl_mem *y, int64_t len, int64_t rows)
{
    const fft_end in_x = temporary_end(*x);
    if (fits_locally(job, len)) {
        const row_layout in_place = {1, len, 0, 1, 0, 1, 0};
        return local_rows(job, &in_x, &in_x, 1, len, rows, &in_place, NULL);
    }
    const int64_t n1 = four_step_split(job, len);
    return n1 > 0 ? four_step(job, &in_x, &in_x, 1, *y, len, n1, rows, NULL)
                  : global_passes(job, x, y, len, rows);
}

static int temporary(fft_job *job, int64_t elements, cl_mem *mem)
{
    const size_t size = (size_t)elements * (job->fp64 ? 16 : 8);
    return pymic2__ocl_temporary(job->stream->device, size, NULL, mem);
}

/* A kernel of (source, destination, n, m, rows) arguments over width x rows. */
static int chirp(fft_job *job, const char *name, cl_mem from, cl_mem to, int64_t m,
                 int64_t width)
{
    pymic2__ocl_args args;
    int status = begin(job, name, &args);
    if (status != PYMIC2_OK)
        return status;
    pymic2__ocl_arg_mem(&args, from);
    pymic2__ocl_arg_mem(&args, to);
    pymic2__ocl_arg_long(&args, job->h);
    pymic2__ocl_arg_long(&args, m);
    pymic2__ocl_arg_long(&args, job->rows);
    return launch(job, &args, "fft (Bluestein)", width, job->rows, NULL);
}

/* The filter's transform, in job->filter. */
static int filter(fft_job *job, int64_t m)
{
    pymic2__ocl_args args;
    int status = temporary(job, m, &job->filter);
    if (status == PYMIC2_OK)
        status = temporary(job, m, &job->filter_b);
    if (status == PYMIC2_OK)
        status = begin(job, "pymic2_fft_filter", &args);
    if (status != PYMIC2_OK)
        return status;
    pymic2__ocl_arg_mem(&args, job->filter);
    pymic2__ocl_arg_long(&args, job->h);
    pymic2__ocl_arg_long(&args, m);
    status = launch(job, &args, "fft (Bluestein)", m, 1, NULL);
    return status == PYMIC2_OK ? transform(job, &job->filter, &job->filter_b, m, 1) : status;
}

/* Bluestein's convolution of the rows in job->a, m points (a power of two). */
static int bluestein(fft_job *job, int64_t m)
{
    int status = temporary(job, job->rows * m, &job->big_a);
    if (status == PYMIC2_OK)
        status = temporary(job, job->rows * m, &job->big_b);
    if (status == PYMIC2_OK)
        status = chirp(job, "pymic2_fft_chirp_in", job->a, job->big_a, m, m);
    if (status == PYMIC2_OK)
        status = transform(job, &job->big_a, &job->big_b, m, job->rows);
    if (status == PYMIC2_OK)
        status = filter(job, m);
    pymic2__ocl_args args;
    if (status == PYMIC2_OK)
        status = begin(job, "pymic2_fft_convolve", &args);
    if (status != PYMIC2_OK)
        return status;
    pymic2__ocl_arg_mem(&args, job->big_a);
    pymic2__ocl_arg_mem(&args, job->filter);
    pymic2__ocl_arg_long(&args, m);
    pymic2__ocl_arg_long(&args, job->rows);
    status = launch(job, &args, "fft (Bluestein)", m, job->rows, NULL);
    if (status == PYMIC2_OK)
        status = transform(job, &job->big_a, &job->big_b, m, job->rows);
    return status == PYMIC2_OK
               ? chirp(job, "pymic2_fft_chirp_out", job->big_a, job->a, m, job->h)
               : status;
}

/* An operand's step along its rows, in elements of its dtype. */
static int64_t element_step(const pymic2_operand *operand)
{
    return operand->strides[operand->ndim - 1] / (int64_t)pymic2_dtype_size(operand->dtype);
}

/* Outputs per row: C2C n, R2C n / 2 + 1, C2R h (pairs, even n) or n. */
static int64_t output_count(const fft_job *job, const pymic2_fft_desc *desc)
{
    return desc->kind == PYMIC2_FFT_C2C   ? job->n
           : desc->kind == PYMIC2_FFT_R2C ? job->n / 2 + 1
                                          : job->h;
}

/* Appends the transform's kind, direction and lengths. */
static void kind_arguments(const fft_job *job, const pymic2_fft_desc *desc,
                           pymic2__ocl_args *args)
{
    const cl_int kind = (cl_int)desc->kind, inverse = desc->inverse != 0;
    pymic2__ocl_arg(args, sizeof kind, &kind);
    pymic2__ocl_arg(args, sizeof inverse, &inverse);
    pymic2__ocl_arg_long(args, job->n);
    pymic2__ocl_arg_long(args, job->h);
}

/* pymic2_fft_load or pymic2_fft_store between an operand and job->a. */
static int load_store(fft_job *job, const pymic2_fft_desc *desc, int store, cl_event *done)
{
    const pymic2_operand *operand = store ? &desc->out : &desc->in;
    pymic2__ocl_args args;
    int status = begin(job, store ? "pymic2_fft_store" : "pymic2_fft_load", &args);
    if (status != PYMIC2_OK)
        return status;
    if (store)
        pymic2__ocl_arg_mem(&args, job->a);
    pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(operand->buffer));
    pymic2__ocl_arg_mem(&args, store ? job->starts_out : job->starts_in);
    pymic2__ocl_arg_long(&args, element_step(operand));
    kind_arguments(job, desc, &args);
    if (!store) {
        pymic2__ocl_arg_long(&args, job->rows);
        pymic2__ocl_arg_mem(&args, job->a);
        pymic2__ocl_arg_mem(&args, job->roots);
        return launch(job, &args, "fft (load)", job->h, job->rows, NULL);
    }
    real_argument(job, &args, desc->scale);
    const int64_t count = output_count(job, desc);
    pymic2__ocl_arg_long(&args, count);
    pymic2__ocl_arg_long(&args, job->rows);
    pymic2__ocl_arg_mem(&args, job->roots);
    return launch(job, &args, "fft (store)", count, job->rows, done);
}

/* Rows of h points that fit locally: pymic2_fft_rows, from the operand to the result. */
static int whole_rows(fft_job *job, const pymic2_fft_desc *desc, cl_event *done)
{
    cl_mem tw = NULL;
    int status = twiddles(job, job->h, &tw);
    pymic2__ocl_args args;
    if (status == PYMIC2_OK)
        status = begin_in(job, job->h, "pymic2_fft_rows", &args);
    if (status == PYMIC2_OK) {
        pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(desc->in.buffer));
        pymic2__ocl_arg_mem(&args, job->starts_in);
        pymic2__ocl_arg_long(&args, element_step(&desc->in));
        pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(desc->out.buffer));
        pymic2__ocl_arg_mem(&args, job->starts_out);
        pymic2__ocl_arg_long(&args, element_step(&desc->out));
        kind_arguments(job, desc, &args);
        real_argument(job, &args, desc->scale);
        pymic2__ocl_arg_long(&args, output_count(job, desc));
        pymic2__ocl_arg_long(&args, job->rows);
        pymic2__ocl_arg_mem(&args, job->roots);
        pymic2__ocl_arg_mem(&args, tw);
        status = launch_local(job, &args, "fft (rows in local memory)", job->rows, done);
    }
    if (tw != NULL)
        clReleaseMemObject(tw);
    return status;
}

/* job->roots: a real transform's exp(-2 pi i k / n), k <= n / 2; one element otherwise. */
static int real_roots(fft_job *job, int real)
{
    const int64_t count = real ? job->n / 2 + 1 : 1;
    pymic2__ocl_args args;
    int status = temporary(job, count, &job->roots);
    if (status == PYMIC2_OK && real)
        status = begin(job, "pymic2_fft_roots", &args);
    if (status != PYMIC2_OK || !real)
        return status;
    pymic2__ocl_arg_mem(&args, job->roots);
    pymic2__ocl_arg_long(&args, count);
    pymic2__ocl_arg_long(&args, job->n);
    return launch(job, &args, "fft (twiddles)", count, 1, NULL);
}

/* A complex-to-complex four-step transform straight from the operand to the result (one
 * temporary): fft 2^20 complex128 on PoCL 23.0 ms with a load and a store pass around it,
 * 14.9 ms without (NumPy: 20-22 ms). */
static int operand_four_step(fft_job *job, const pymic2_fft_desc *desc, int64_t n1,
                             cl_event *done)
{
    const cl_int inverse = desc->inverse != 0;
    const fft_end in = {pymic2__ocl_mem_of(desc->in.buffer), job->starts_in,
                        element_step(&desc->in), inverse};
    const fft_end out = {pymic2__ocl_mem_of(desc->out.buffer), job->starts_out,
                         element_step(&desc->out), inverse};
    int status = temporary(job, job->rows * job->h, &job->b);
    return status == PYMIC2_OK ? four_step(job, &in, &out, desc->scale, job->b, job->h, n1,
                                           job->rows, done)
                               : status;
}

static int run(fft_job *job, const pymic2_fft_desc *desc, cl_event *done)
{
    pymic2_device *device = job->stream->device;
    int status = pymic2__ocl_row_starts(device, "fft", &desc->in, job->rows, &job->starts_in);
    if (status == PYMIC2_OK)
        status = pymic2__ocl_row_starts(device, "fft", &desc->out, job->rows, &job->starts_out);
    if (status == PYMIC2_OK)
        status = real_roots(job, desc->kind != PYMIC2_FFT_C2C);
    const int64_t m = pymic2__fft_bluestein_length(job->h);
    if (status != PYMIC2_OK || (m == 0 && fits_locally(job, job->h)))
        return status == PYMIC2_OK ? whole_rows(job, desc, done) : status;
    const int64_t n1 = m == 0 ? four_step_split(job, job->h) : 0;
    if (desc->kind == PYMIC2_FFT_C2C && n1 > 0)
        return operand_four_step(job, desc, n1, done);
    status = temporary(job, job->rows * job->h, &job->a);
    if (status == PYMIC2_OK)
        status = temporary(job, job->rows * job->h, &job->b);
    if (status == PYMIC2_OK)
        status = load_store(job, desc, 0, NULL);
    if (status == PYMIC2_OK)
        status = m == 0 ? transform(job, &job->a, &job->b, job->h, job->rows) : bluestein(job, m);
    if (status == PYMIC2_OK)
        status = load_store(job, desc, 1, done);
    return status;
}

/* The family's slot: one validated batch of transforms. */
int pymic2__ocl_fft(pymic2_stream *stream, const pymic2__command *command, void *launch_)
{
    cl_event *done = &((pymic2__ocl_launch *)launch_)->done;
    const pymic2_fft_desc *desc = &command->u.fft;
    pymic2_device *device = stream->device;
    int status = pymic2__ocl_check_dtype(device, "fft", desc->in.dtype);
    if (status == PYMIC2_OK)
        status = pymic2__ocl_check_dtype(device, "fft", desc->out.dtype);
    if (status != PYMIC2_OK)
        return status;
    const pymic2_operand *time = desc->kind == PYMIC2_FFT_C2R ? &desc->out : &desc->in;
    fft_job job;
    memset(&job, 0, sizeof job);
    job.stream = stream;
    job.fp64 = pymic2_dtype_size(time->dtype) == 16 || time->dtype == PYMIC2_FLOAT64;
    job.n = time->shape[time->ndim - 1];
    job.h = desc->kind != PYMIC2_FFT_C2C && job.n % 2 == 0 ? job.n / 2 : job.n;
    job.rows = pymic2__ocl_element_count(time) / job.n;
    if (job.rows == 0)
        return pymic2__ocl_marker(stream, done);
    status = run(&job, desc, done);
    cl_mem temporaries[] = {job.starts_in, job.starts_out, job.a,        job.b,    job.big_a,
                            job.big_b,     job.filter,     job.filter_b, job.roots};
    for (size_t t = 0; t < sizeof temporaries / sizeof *temporaries; t++)
        if (temporaries[t] != NULL)
            clReleaseMemObject(temporaries[t]);
    return status;
}
