/*
 * fft.c - the FFT family (pymic2_fft) on a host device: our own Stockham kernels, chosen over
 * a library by measurement (README "FFT"): Debian's kissfft (libkissfft-dev) ships only a float
 * build, which ran 1024 real rows of 1024 points 10x slower than NumPy's pocketfft on the same
 * machine; computing LANES rows at once in split-complex blocks (fft_kernels.h) lets the
 * compiler vectorise every radix.
 *
 * Plans: a length whose prime factors are at most FFT_MAX_RADIX is a chain of radix passes
 * (8 first, then 4, 2, 3, 5, 7 and larger odd primes); up to FFT_SMALL_MAX it is transformed in
 * blocks of rows (STOCKHAM), longer as n1 x n2 by the four-step method (FOUR_STEP: n2
 * transforms of length n1 down the columns, a twiddle, n1 of length n2 along the rows, each
 * half split over the team). Other lengths go through Bluestein's chirp convolution of a
 * power-of-two length (BLUESTEIN). A real transform of even length n is a complex one of
 * n / 2 (REAL). Plans (twiddle tables for both precisions) are cached by length and kind.
 */
#include "host_internal.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#define FFT_MAX_RADIX PYMIC2__FFT_MAX_RADIX
#define FFT_SMALL_MAX 4096
#define FFT_MAX_STAGES 64
#define FFT_CACHE 16
#define FFT_INLINE inline __attribute__((always_inline))
#if defined(__x86_64__)
#define FFT_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FFT_CLONES
#endif

typedef enum fft_kind { FFT_STOCKHAM, FFT_FOUR_STEP, FFT_BLUESTEIN, FFT_REAL } fft_kind;

typedef struct fft_stage {
    int radix;
    int64_t l;        /* the product of the radices before it */
    int64_t tw, root; /* offsets of its twiddles (l * (radix - 1)) and roots (radix) */
} fft_stage;

/* One table in both precisions. */
typedef struct fft_table {
    double *re_64, *im_64;
    float *re_32, *im_32;
} fft_table;

typedef struct fft_tables {
    fft_table stage, root;   /* STOCKHAM */
    fft_table chirp, filter; /* BLUESTEIN: exp(-i pi k^2 / n), the filter's transform / m */
    fft_table real;          /* REAL: w_n^k, k <= n / 2 */
} fft_tables;

typedef struct fft_plan {
    fft_kind kind;
    int64_t n;
    int nstages;
    fft_stage stages[FFT_MAX_STAGES];
    fft_tables tables;
    struct fft_plan *sub[2]; /* FOUR_STEP: n1, n2; BLUESTEIN: m; REAL: the complex plan */
    double *hi_re, *hi_im, *lo_re, *lo_im; /* FOUR_STEP: w_n^e by e's high and low bits */
    int lo_bits;
} fft_plan;

static void *fft_alloc(size_t bytes)
{
    void *p = NULL;
    return posix_memalign(&p, 64, bytes ? bytes : 64) == 0 ? p : NULL;
}

/*
 * One spare work buffer, kept between transforms up to FFT_SPARE_MAX bytes: a long row's
 * work arrays (tens of MiB) would otherwise be fresh pages every call, and their page faults
 * and zeroing cost a third of a 2^20-point transform. A buffer in use by another transform
 * is not shared: the caller gets a new one.
 */
#define FFT_SPARE_MAX ((size_t)256 << 20)
static struct {
    pthread_mutex_t lock;
    void *p;
    size_t bytes;
    int busy;
} spare = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void *scratch_get(size_t bytes)
{
    pthread_mutex_lock(&spare.lock);
    if (!spare.busy && spare.p != NULL && spare.bytes >= bytes) {
        spare.busy = 1;
        pthread_mutex_unlock(&spare.lock);
        return spare.p;
    }
    pthread_mutex_unlock(&spare.lock);
    return fft_alloc(bytes);
}

/* Returns a scratch_get buffer: kept as the spare if it is larger than the idle spare. */
static void scratch_put(void *p, size_t bytes)
{
    pthread_mutex_lock(&spare.lock);
    if (p == spare.p) {
        spare.busy = 0;
        p = NULL;
    } else if (!spare.busy && bytes > spare.bytes && bytes <= FFT_SPARE_MAX) {
        void *old = spare.p;
        spare.p = p, spare.bytes = bytes;
        p = old;
    }
    pthread_mutex_unlock(&spare.lock);
    free(p);
}

/* Does the plan transform blocks of LANES rows (else one row at a time, with the team)? */
static int fft_plan_blockwise(const fft_plan *p)
{
    return p->kind == FFT_STOCKHAM || (p->kind == FFT_BLUESTEIN && p->sub[0]->kind == FFT_STOCKHAM);
}

/* Elements per work array. */
static int64_t fft_plan_work(const fft_plan *p)
{
    return p->kind == FFT_BLUESTEIN ? p->sub[0]->n : p->n;
}

static int64_t fft_row_offset(const pymic2_operand *operand, int64_t row)
{
    int64_t offset = operand->offset;
    for (int d = operand->ndim - 2; d >= 0; d--) {
        offset += row % operand->shape[d] * operand->strides[d];
        row /= operand->shape[d];
    }
    return offset;
}

#define FT double
#define LANES 8
#define SFX(name) name##_64
#include "fft_kernels.h"
#undef FT
#undef LANES
#undef SFX
#define FT float
#define LANES 16
#define SFX(name) name##_32
#include "fft_kernels.h"
#undef FT
#undef LANES
#undef SFX

/* ------------------------------------------------------------ plans */

static void table_free(fft_table *t)
{
    free(t->re_64), free(t->im_64), free(t->re_32), free(t->im_32);
}

static void plan_free(fft_plan *p)
{
    if (p == NULL)
        return;
    fft_table *tables[] = {&p->tables.stage, &p->tables.root, &p->tables.chirp,
                           &p->tables.filter, &p->tables.real};
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++)
        table_free(tables[i]);
    free(p->hi_re), free(p->hi_im), free(p->lo_re), free(p->lo_im);
    plan_free(p->sub[0]);
    plan_free(p->sub[1]);
    free(p);
}

static int table_alloc(fft_table *t, int64_t count)
{
    const size_t c = (size_t)(count > 0 ? count : 1);
    t->re_64 = fft_alloc(c * sizeof(double)), t->im_64 = fft_alloc(c * sizeof(double));
    t->re_32 = fft_alloc(c * sizeof(float)), t->im_32 = fft_alloc(c * sizeof(float));
    return t->re_64 && t->im_64 && t->re_32 && t->im_32 ? PYMIC2_OK : PYMIC2_ENOMEM;
}

/* Entry i of a table: exp(-2 pi i num / den), both precisions; num reduced mod den first so
 * the angle is exact to a rounding. */
static void table_set_root(fft_table *t, int64_t i, int64_t num, int64_t den)
{
    num %= den;
    const double a = -2.0 * M_PI * (double)num / (double)den;
    t->re_64[i] = cos(a), t->im_64[i] = sin(a);
    t->re_32[i] = (float)t->re_64[i], t->im_32[i] = (float)t->im_64[i];
}

static fft_plan *plan_create(int64_t n, int real, pymic2__team *team);

static int plan_stockham(fft_plan *p)
{
    int64_t rest = p->n, l = 1, ntw = 0, nroot = 0;
    for (; rest > 1; p->nstages++) {
        const int R = pymic2__fft_radix(rest);
        p->stages[p->nstages] = (fft_stage){R, l, ntw, nroot};
        ntw += l * (R - 1), nroot += R, l *= R, rest /= R;
    }
    if (table_alloc(&p->tables.stage, ntw) || table_alloc(&p->tables.root, nroot))
        return PYMIC2_ENOMEM;
    for (int s = 0; s < p->nstages; s++) {
        const fft_stage *st = &p->stages[s];
        for (int64_t k = 0; k < st->l; k++)
            for (int r = 1; r < st->radix; r++)
                table_set_root(&p->tables.stage, st->tw + k * (st->radix - 1) + r - 1, r * k,
                               st->l * st->radix);
        for (int j = 0; j < st->radix; j++)
            table_set_root(&p->tables.root, st->root + j, j, st->radix);
    }
    return PYMIC2_OK;
}

static int plan_four_step(fft_plan *p, int64_t n1, pymic2__team *team)
{
    p->sub[0] = plan_create(n1, 0, team);
    p->sub[1] = plan_create(p->n / n1, 0, team);
    int bits = 0;
    while (((int64_t)1 << (2 * bits)) < p->n)
        bits++;
    p->lo_bits = bits;
    const int64_t nlo = (int64_t)1 << bits, nhi = (p->n >> bits) + 1;
    p->lo_re = malloc(nlo * sizeof(double)), p->lo_im = malloc(nlo * sizeof(double));
    p->hi_re = malloc(nhi * sizeof(double)), p->hi_im = malloc(nhi * sizeof(double));
    if (!p->sub[0] || !p->sub[1] || !p->lo_re || !p->lo_im || !p->hi_re || !p->hi_im)
        return PYMIC2_ENOMEM;
    for (int64_t i = 0; i < nlo; i++) {
        const double a = -2.0 * M_PI * (double)(i % p->n) / (double)p->n;
        p->lo_re[i] = cos(a), p->lo_im[i] = sin(a);
    }
    for (int64_t i = 0; i < nhi; i++) {
        const double a = -2.0 * M_PI * (double)((i << bits) % p->n) / (double)p->n;
        p->hi_re[i] = cos(a), p->hi_im[i] = sin(a);
    }
    return PYMIC2_OK;
}

/* The chirp and the transform of the filter conj(chirp) wrapped to length m, divided by m. */
static int plan_bluestein(fft_plan *p, pymic2__team *team)
{
    const int64_t n = p->n;
    int64_t m = 1; /* (not bluestein_length: a smooth n without a four-step split comes too) */
    while (m < 2 * n - 1)
        m *= 2;
    p->sub[0] = plan_create(m, 0, team);
    if (p->sub[0] == NULL || table_alloc(&p->tables.chirp, n) ||
        table_alloc(&p->tables.filter, m))
        return PYMIC2_ENOMEM;
    for (int64_t k = 0; k < n; k++) /* exp(-i pi k^2 / n) = exp(-2 pi i (k^2 mod 2n) / 2n) */
        table_set_root(&p->tables.chirp, k, (int64_t)((unsigned __int128)k * k % (2 * n)),
                       2 * n);
    const int nl = fft_plan_blockwise(p) ? 8 : 1;
    double *w = fft_alloc(4 * (size_t)m * nl * sizeof(double));
    if (w == NULL)
        return PYMIC2_ENOMEM;
    double *re = w, *im = w + m * nl;
    memset(w, 0, 2 * (size_t)m * nl * sizeof(double));
    for (int64_t k = 0; k < n; k++) {
        re[k * nl] = p->tables.chirp.re_64[k], im[k * nl] = -p->tables.chirp.im_64[k];
        if (k > 0)
            re[(m - k) * nl] = re[k * nl], im[(m - k) * nl] = im[k * nl];
    }
    int status = pow2_fft_64(p->sub[0], team, re, im, w + 2 * m * nl, w + 3 * m * nl, nl);
    for (int64_t k = 0; k < m; k++) {
        p->tables.filter.re_64[k] = re[k * nl] / (double)m;
        p->tables.filter.im_64[k] = im[k * nl] / (double)m;
        p->tables.filter.re_32[k] = (float)p->tables.filter.re_64[k];
        p->tables.filter.im_32[k] = (float)p->tables.filter.im_64[k];
    }
    free(w);
    return status;
}

/* A split n = n1 n2 with both at most FFT_SMALL_MAX, n1 the largest divisor not above
 * sqrt(n); 0 if none. */
static int64_t four_step_split(int64_t n)
{
    for (int64_t n1 = (int64_t)sqrt((double)n); n1 > 1; n1--)
        if (n % n1 == 0)
            return n / n1 <= FFT_SMALL_MAX ? n1 : 0;
    return 0;
}

static fft_plan *plan_create(int64_t n, int real, pymic2__team *team)
{
    fft_plan *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->n = n;
    int status;
    if (real) {
        p->kind = FFT_REAL;
        p->sub[0] = plan_create(n % 2 == 0 ? n / 2 : n, 0, team);
        status = p->sub[0] == NULL || table_alloc(&p->tables.real, n / 2 + 1) ? PYMIC2_ENOMEM
                                                                            : PYMIC2_OK;
        for (int64_t k = 0; status == PYMIC2_OK && k <= n / 2; k++)
            table_set_root(&p->tables.real, k, k, n);
    } else if (pymic2__fft_bluestein_length(n) == 0 && n <= FFT_SMALL_MAX) {
        p->kind = FFT_STOCKHAM;
        status = plan_stockham(p);
    } else if (pymic2__fft_bluestein_length(n) == 0 && four_step_split(n) > 0) {
        p->kind = FFT_FOUR_STEP;
        status = plan_four_step(p, four_step_split(n), team);
    } else {
        p->kind = FFT_BLUESTEIN;
        status = plan_bluestein(p, team);
    }
    if (status != PYMIC2_OK) {
        plan_free(p);
        return NULL;
    }
    return p;
}

/* ------------------------------------------------------------ the plan cache */

static struct {
    pthread_mutex_t lock;
    struct {
        fft_plan *plan;
        int real, refs;
        uint64_t used;
    } slot[FFT_CACHE];
    uint64_t clock;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The cached plan of (n, real), made if missing (replacing the least recently used plan not
 * in use; uncached if all are). Release it with plan_release. */
static fft_plan *plan_acquire(int64_t n, int real, pymic2__team *team)
{
    pthread_mutex_lock(&cache.lock);
    int victim = -1;
    for (int i = 0; i < FFT_CACHE; i++) {
        if (cache.slot[i].plan && cache.slot[i].plan->n == n && cache.slot[i].real == real) {
            cache.slot[i].refs++, cache.slot[i].used = ++cache.clock;
            fft_plan *p = cache.slot[i].plan;
            pthread_mutex_unlock(&cache.lock);
            return p;
        }
        if (cache.slot[i].refs == 0 &&
            (victim < 0 || cache.slot[i].used < cache.slot[victim].used))
            victim = i;
    }
    fft_plan *p = plan_create(n, real, team);
    if (p != NULL && victim >= 0) {
        plan_free(cache.slot[victim].plan);
        cache.slot[victim].plan = p, cache.slot[victim].real = real;
        cache.slot[victim].refs = 1, cache.slot[victim].used = ++cache.clock;
    }
    pthread_mutex_unlock(&cache.lock);
    return p;
}

static void plan_release(fft_plan *p)
{
    pthread_mutex_lock(&cache.lock);
    int cached = 0;
    for (int i = 0; i < FFT_CACHE; i++)
        if (cache.slot[i].plan == p)
            cache.slot[i].refs--, cached = 1;
    pthread_mutex_unlock(&cache.lock);
    if (!cached)
        plan_free(p);
}

/* ------------------------------------------------------------ the family's slot */

int pymic2__host_fft(pymic2_stream *stream, const pymic2__command *command, void *launch)
{
    (void)launch;
    const pymic2_fft_desc *desc = &command->u.fft;
    const pymic2_operand *time = desc->kind == PYMIC2_FFT_C2R ? &desc->out : &desc->in;
    const int64_t n = time->shape[time->ndim - 1];
    int64_t rows = 1;
    for (int d = 0; d < time->ndim - 1; d++)
        rows *= time->shape[d];
    if (rows == 0)
        return PYMIC2_OK;
    pymic2__team *team = pymic2__host_of(stream->device)->team;
    const int real = desc->kind != PYMIC2_FFT_C2C;
    fft_plan *plan = plan_acquire(n, real, team);
    int status = PYMIC2_ENOMEM;
    if (plan != NULL) {
        const fft_plan *cplan = real ? plan->sub[0] : plan, *rplan = real ? plan : NULL;
        const pymic2_dtype t = time->dtype;
        status = t == PYMIC2_COMPLEX128 || t == PYMIC2_FLOAT64
                     ? run_64(team, desc, cplan, rplan, rows, n)
                     : run_32(team, desc, cplan, rplan, rows, n);
        plan_release(plan);
    }
    if (status == PYMIC2_ENOMEM)
        return pymic2__error(PYMIC2_ENOMEM, "%s: fft: no host memory for the plan or the "
                             "work arrays of a transform of length %" PRId64,
                             stream->device->name, n);
    return status;
}
