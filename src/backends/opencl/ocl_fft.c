/*
 * ocl_fft.c - the FFT family (pymic2_fft) on OpenCL devices: our own Stockham kernels
 * (cl/fft.cl), one program per precision, for the plan the host uses (pymic2__fft_radix:
 * radix 8 first, then 4, then the smallest prime up to PYMIC2__FFT_MAX_RADIX; other lengths by
 * Bluestein's convolution of pymic2__fft_bluestein_length points). One launch per pass, every
 * row of the batch in the grid's second dimension. complex128 needs cl_khr_fp64.
 */
#include "ocl_ops.h"

#include "ocl_cl_fft.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROUP 64

typedef struct fft_key {
    int fp64;
} fft_key;

static int source_fft(pymic2_device *device, const void *key, char **source)
{
    const char *prefix = ((const fft_key *)key)->fp64 ? "#define FFT_DOUBLE 1\n" : "";
    return pymic2__ocl_source_printf(device->name, source, "%s%s", prefix, pymic2__ocl_cl_fft);
}

/* One transform's state: the precision, the batch and the temporaries. */
typedef struct fft_job {
    pymic2_stream *stream;
    int fp64;
    int64_t rows, n, h; /* h: the complex length transformed (n / 2 for an even real n) */
    cl_mem starts_in, starts_out, a, b, big_a, big_b, filter, filter_b;
    cl_mem roots; /* R2C, C2R: exp(-2 pi i k / n), k <= n / 2 (else a placeholder) */
} fft_job;

/* Begins the arguments of kernel `name` of the job's program. */
static int begin(fft_job *job, const char *name, pymic2__ocl_args *args)
{
    fft_key key;
    memset(&key, 0, sizeof key);
    key.fp64 = job->fp64;
    pymic2__ocl_kernel *kernel;
    int status = pymic2__ocl_kernel_get(job->stream->device, PYMIC2__OCL_KIND_FFT, &key,
                                        sizeof key, name, source_fft, &kernel);
    if (status == PYMIC2_OK)
        pymic2__ocl_args_begin(args, kernel);
    return status;
}

/* Launches width x rows work-items; done (NULL: released) gets the event. */
static int launch(fft_job *job, pymic2__ocl_args *args, const char *what, int64_t width,
                  int64_t rows, cl_event *done)
{
    const size_t global[2] = {(size_t)width, (size_t)rows}, local[2] = {GROUP, 1};
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

/* The forward transform of rows of len (a smooth length) in *x, by passes ping-ponging with
 * *y; the result ends in *x (the two are swapped as needed). */
static int passes(fft_job *job, cl_mem *x, cl_mem *y, int64_t len, int64_t rows)
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
    return status == PYMIC2_OK ? passes(job, &job->filter, &job->filter_b, m, 1) : status;
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
        status = passes(job, &job->big_a, &job->big_b, m, job->rows);
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
        status = passes(job, &job->big_a, &job->big_b, m, job->rows);
    return status == PYMIC2_OK
               ? chirp(job, "pymic2_fft_chirp_out", job->big_a, job->a, m, job->h)
               : status;
}

/* pymic2_fft_load or pymic2_fft_store between an operand and job->a. */
static int load_store(fft_job *job, const pymic2_fft_desc *desc, int store, cl_event *done)
{
    const pymic2_operand *operand = store ? &desc->out : &desc->in;
    const int64_t step = operand->strides[operand->ndim - 1] /
                         (int64_t)pymic2_dtype_size(operand->dtype);
    const cl_int kind = (cl_int)desc->kind, inverse = desc->inverse != 0;
    pymic2__ocl_args args;
    int status = begin(job, store ? "pymic2_fft_store" : "pymic2_fft_load", &args);
    if (status != PYMIC2_OK)
        return status;
    if (store)
        pymic2__ocl_arg_mem(&args, job->a);
    pymic2__ocl_arg_mem(&args, pymic2__ocl_mem_of(operand->buffer));
    pymic2__ocl_arg_mem(&args, store ? job->starts_out : job->starts_in);
    pymic2__ocl_arg_long(&args, step);
    pymic2__ocl_arg(&args, sizeof kind, &kind);
    pymic2__ocl_arg(&args, sizeof inverse, &inverse);
    pymic2__ocl_arg_long(&args, job->n);
    pymic2__ocl_arg_long(&args, job->h);
    if (!store) {
        pymic2__ocl_arg_long(&args, job->rows);
        pymic2__ocl_arg_mem(&args, job->a);
        pymic2__ocl_arg_mem(&args, job->roots);
        return launch(job, &args, "fft (load)", job->h, job->rows, NULL);
    }
    const cl_double scale64 = desc->scale;
    const cl_float scale32 = (cl_float)desc->scale;
    if (job->fp64)
        pymic2__ocl_arg(&args, sizeof scale64, &scale64);
    else
        pymic2__ocl_arg(&args, sizeof scale32, &scale32);
    const int64_t count = desc->kind == PYMIC2_FFT_C2C   ? job->n
                          : desc->kind == PYMIC2_FFT_R2C ? job->n / 2 + 1
                                                         : job->h;
    pymic2__ocl_arg_long(&args, count);
    pymic2__ocl_arg_long(&args, job->rows);
    pymic2__ocl_arg_mem(&args, job->roots);
    return launch(job, &args, "fft (store)", count, job->rows, done);
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

static int run(fft_job *job, const pymic2_fft_desc *desc, cl_event *done)
{
    pymic2_device *device = job->stream->device;
    int status = pymic2__ocl_row_starts(device, "fft", &desc->in, job->rows, &job->starts_in);
    if (status == PYMIC2_OK)
        status = pymic2__ocl_row_starts(device, "fft", &desc->out, job->rows, &job->starts_out);
    if (status == PYMIC2_OK)
        status = temporary(job, job->rows * job->h, &job->a);
    if (status == PYMIC2_OK)
        status = temporary(job, job->rows * job->h, &job->b);
    if (status == PYMIC2_OK)
        status = real_roots(job, desc->kind != PYMIC2_FFT_C2C);
    if (status == PYMIC2_OK)
        status = load_store(job, desc, 0, NULL);
    const int64_t m = pymic2__fft_bluestein_length(job->h);
    if (status == PYMIC2_OK)
        status = m == 0 ? passes(job, &job->a, &job->b, job->h, job->rows) : bluestein(job, m);
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
