/*
 * fft_kernels.h - the FFT family's host kernels for one precision, included by fft.c once per
 * real type: FT (float or double), LANES (elements of FT in 64 bytes, one AVX-512 vector),
 * SFX(name) (the name's per-precision spelling) and TW (the plan's table member: tw64, tw32).
 *
 * Data is split complex ("SoA": a real and an imaginary array) in blocks of LANES rows: element
 * i of lane t is at [i * ls + t], ls = LANES for a block of rows, ls = 1 for one long row. Every
 * loop's innermost level runs over the lanes, so the compiler turns it into vector operations
 * whatever the radix; a pass therefore transforms LANES rows for the index arithmetic of one.
 * Only the forward transform is computed: the inverse is conj(fft(conj(x))), folded into the
 * loads and stores.
 */

/* ------------------------------------------------------------ butterflies */

/* The forward DFT of an odd radix R (any up to FFT_MAX_RADIX; pass_small has the small
 * ones) of x, in place, lane by lane. rr, ri: cos and -sin of 2 pi j / R. x_r pairs with
 * x_(R-r): y_q = a_q + b_q, y_(R-q) = a_q - b_q, a_q from the sums' cosines and b_q from the
 * differences' sines, which halves the multiplications. */
static void SFX(butterfly)(const int R, FT xr[][LANES], FT xi[][LANES], const FT *rr,
                           const FT *ri)
{
    const int H = (R - 1) / 2;
    FT sr[FFT_MAX_RADIX / 2][LANES], si[FFT_MAX_RADIX / 2][LANES];
    FT dr[FFT_MAX_RADIX / 2][LANES], di[FFT_MAX_RADIX / 2][LANES];
    for (int r = 1; r <= H; r++)
        for (int t = 0; t < LANES; t++) {
            sr[r - 1][t] = xr[r][t] + xr[R - r][t], si[r - 1][t] = xi[r][t] + xi[R - r][t];
            dr[r - 1][t] = xr[r][t] - xr[R - r][t], di[r - 1][t] = xi[r][t] - xi[R - r][t];
        }
    for (int q = 1; q <= H; q++) {
        FT ar[LANES], ai[LANES], br[LANES], bi[LANES];
        for (int t = 0; t < LANES; t++)
            ar[t] = xr[0][t], ai[t] = xi[0][t], br[t] = 0, bi[t] = 0;
        for (int r = 1; r <= H; r++) {
            const FT c = rr[r * q % R], s = -ri[r * q % R];
            for (int t = 0; t < LANES; t++) { /* b = -i sin * d */
                ar[t] += sr[r - 1][t] * c, ai[t] += si[r - 1][t] * c;
                br[t] += di[r - 1][t] * s, bi[t] -= dr[r - 1][t] * s;
            }
        }
        for (int t = 0; t < LANES; t++) {
            xr[q][t] = ar[t] + br[t], xi[q][t] = ai[t] + bi[t];
            xr[R - q][t] = ar[t] - br[t], xi[R - q][t] = ai[t] - bi[t];
        }
    }
    for (int r = 1; r <= H; r++)
        for (int t = 0; t < LANES; t++)
            xr[0][t] += sr[r - 1][t], xi[0][t] += si[r - 1][t];
}

/* ------------------------------------------------------------ radix passes (Stockham) */

/* One pass of a Stockham autosort FFT: butterfly j = b * l + k (k < l) reads elements
 * j + r * n / R, twiddles them by w^(r k) (w = exp(-2 pi i / (l R))) and writes the radix-R
 * DFT to b * l * R + k + r * l. Pass s's l is the product of the radices before it. */
static void SFX(pass)(const fft_stage *st, int64_t n, const fft_tables *tw, const FT *ir,
                      const FT *ii, FT *restrict or_, FT *restrict oi)
{
    const int R = st->radix;
    const int64_t l = st->l, q = n / R, blocks = q / l;
    const FT *twr = tw->stage.SFX(re) + st->tw, *twi = tw->stage.SFX(im) + st->tw;
    const FT *rr = tw->root.SFX(re) + st->root, *ri = tw->root.SFX(im) + st->root;
    for (int64_t b = 0; b < blocks; b++)
        for (int64_t k = 0; k < l; k++) {
            const int64_t j = b * l + k, o = b * l * R + k;
            FT xr[FFT_MAX_RADIX][LANES], xi[FFT_MAX_RADIX][LANES];
            for (int r = 0; r < R; r++) {
                const FT *sr = ir + (j + r * q) * LANES, *si = ii + (j + r * q) * LANES;
                if (r == 0 || k == 0) {
                    for (int t = 0; t < LANES; t++) {
                        xr[r][t] = sr[t];
                        xi[r][t] = si[t];
                    }
                    continue;
                }
                const FT cr = twr[k * (R - 1) + r - 1], ci = twi[k * (R - 1) + r - 1];
                for (int t = 0; t < LANES; t++) {
                    xr[r][t] = sr[t] * cr - si[t] * ci;
                    xi[r][t] = sr[t] * ci + si[t] * cr;
                }
            }
            SFX(butterfly)(R, xr, xi, rr, ri);
            for (int r = 0; r < R; r++) {
                FT *dr = or_ + (o + r * l) * LANES, *di = oi + (o + r * l) * LANES;
                for (int t = 0; t < LANES; t++) {
                    dr[t] = xr[r][t];
                    di[t] = xi[r][t];
                }
            }
        }
}

/* LANES elements: GCC's vector extension, lowered to the SIMD target's registers. */
typedef FT SFX(vec) __attribute__((vector_size(LANES * sizeof(FT))));

/* The forward radix-4 DFT of x (vectors of lanes), in place. */
static FFT_INLINE void SFX(dft4)(SFX(vec) *xr, SFX(vec) *xi)
{
    typedef SFX(vec) V;
    const V ar = xr[0] + xr[2], ai = xi[0] + xi[2], br = xr[0] - xr[2], bi = xi[0] - xi[2];
    const V cr = xr[1] + xr[3], ci = xi[1] + xi[3];
    const V dr = xi[1] - xi[3], di = xr[3] - xr[1]; /* -i (x1 - x3) */
    xr[0] = ar + cr, xi[0] = ai + ci, xr[2] = ar - cr, xi[2] = ai - ci;
    xr[1] = br + dr, xi[1] = bi + di, xr[3] = br - dr, xi[3] = bi - di;
}

/* The forward radix-R DFT of x (vectors of lanes), in place, for the small radices (R <= 8),
 * as butterfly above; with R a constant every loop unrolls and x stays in registers. */
static FFT_INLINE void SFX(butterfly1)(const int R, SFX(vec) *xr, SFX(vec) *xi, const FT *rr,
                                       const FT *ri)
{
    typedef SFX(vec) V;
    if (R == 8) { /* two radix-4 DFTs (even and odd x), joined by w8^k */
        V er[4] = {xr[0], xr[2], xr[4], xr[6]}, ei[4] = {xi[0], xi[2], xi[4], xi[6]};
        V or_[4] = {xr[1], xr[3], xr[5], xr[7]}, oi[4] = {xi[1], xi[3], xi[5], xi[7]};
        SFX(dft4)(er, ei);
        SFX(dft4)(or_, oi);
        const FT h = (FT)0.70710678118654752440;
        const V tr[4] = {or_[0], (or_[1] + oi[1]) * h, oi[2], (oi[3] - or_[3]) * h};
        const V ti[4] = {oi[0], (oi[1] - or_[1]) * h, -or_[2], -(or_[3] + oi[3]) * h};
#pragma GCC unroll 4
        for (int k = 0; k < 4; k++) {
            xr[k] = er[k] + tr[k], xi[k] = ei[k] + ti[k];
            xr[k + 4] = er[k] - tr[k], xi[k + 4] = ei[k] - ti[k];
        }
        return;
    }
    if (R == 4) {
        SFX(dft4)(xr, xi);
        return;
    }
    if (R == 2) {
        const V ar = xr[0] + xr[1], ai = xi[0] + xi[1], br = xr[0] - xr[1], bi = xi[0] - xi[1];
        xr[0] = ar, xi[0] = ai, xr[1] = br, xi[1] = bi;
        return;
    }
    const int H = (R - 1) / 2;
    V sr[3], si[3], dr[3], di[3], yr[8], yi[8];
#pragma GCC unroll 4
    for (int r = 1; r <= H; r++) {
        sr[r - 1] = xr[r] + xr[R - r], si[r - 1] = xi[r] + xi[R - r];
        dr[r - 1] = xr[r] - xr[R - r], di[r - 1] = xi[r] - xi[R - r];
    }
    yr[0] = xr[0], yi[0] = xi[0];
#pragma GCC unroll 4
    for (int r = 1; r <= H; r++)
        yr[0] += sr[r - 1], yi[0] += si[r - 1];
#pragma GCC unroll 4
    for (int q = 1; q <= H; q++) {
        V ar = xr[0], ai = xi[0], br = xr[0] * 0, bi = br;
#pragma GCC unroll 4
        for (int r = 1; r <= H; r++) {
            const FT c = rr[r * q % R], s = -ri[r * q % R];
            ar += sr[r - 1] * c, ai += si[r - 1] * c;
            br += di[r - 1] * s, bi -= dr[r - 1] * s;
        }
        yr[q] = ar + br, yi[q] = ai + bi, yr[R - q] = ar - br, yi[R - q] = ai - bi;
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; r++)
        xr[r] = yr[r], xi[r] = yi[r];
}

/* pass for a small constant radix on whole vectors of lanes (blocks are 64-byte aligned). */
static FFT_INLINE void SFX(pass_small)(const int R, const fft_stage *st, int64_t n,
                                       const fft_tables *tw, const FT *ir, const FT *ii,
                                       FT *restrict or_, FT *restrict oi)
{
    typedef SFX(vec) V;
    const V *vir = (const V *)ir, *vii = (const V *)ii;
    V *vor = (V *)or_, *voi = (V *)oi;
    const int64_t l = st->l, q = n / R, blocks = q / l;
    const FT *twr = tw->stage.SFX(re) + st->tw, *twi = tw->stage.SFX(im) + st->tw;
    const FT *rr = tw->root.SFX(re) + st->root, *ri = tw->root.SFX(im) + st->root;
    for (int64_t b = 0; b < blocks; b++)
        for (int64_t k = 0; k < l; k++) {
            const int64_t j = b * l + k, o = b * l * R + k;
            V xr[8], xi[8];
            xr[0] = vir[j], xi[0] = vii[j];
#pragma GCC unroll 8
            for (int r = 1; r < R; r++) {
                const FT cr = twr[k * (R - 1) + r - 1], ci = twi[k * (R - 1) + r - 1];
                const V vr = vir[j + r * q], vi = vii[j + r * q];
                xr[r] = vr * cr - vi * ci;
                xi[r] = vr * ci + vi * cr;
            }
            SFX(butterfly1)(R, xr, xi, rr, ri);
#pragma GCC unroll 8
            for (int r = 0; r < R; r++)
                vor[o + r * l] = xr[r], voi[o + r * l] = xi[r];
        }
}

/* A stage with its radix a constant, so the butterfly's loops unroll for the common radices;
 * compiled for each SIMD target (FFT_CLONES). */
static FFT_CLONES void SFX(pass_any)(const fft_stage *st, int64_t n, const fft_tables *tw,
                                     const FT *ir, const FT *ii, FT *or_, FT *oi)
{
    switch (st->radix) {
    case 2: SFX(pass_small)(2, st, n, tw, ir, ii, or_, oi); break;
    case 3: SFX(pass_small)(3, st, n, tw, ir, ii, or_, oi); break;
    case 4: SFX(pass_small)(4, st, n, tw, ir, ii, or_, oi); break;
    case 5: SFX(pass_small)(5, st, n, tw, ir, ii, or_, oi); break;
    case 7: SFX(pass_small)(7, st, n, tw, ir, ii, or_, oi); break;
    case 8: SFX(pass_small)(8, st, n, tw, ir, ii, or_, oi); break;
    default: SFX(pass)(st, n, tw, ir, ii, or_, oi);
    }
}

/* The forward FFT of a block of LANES rows (plan kind STOCKHAM); the result ends in
 * (re, im) or (wr, wi): returns 1 for the latter. */
static int SFX(stockham)(const fft_plan *plan, FT *re, FT *im, FT *wr, FT *wi)
{
    FT *a[2] = {re, wr}, *b[2] = {im, wi};
    int cur = 0;
    for (int s = 0; s < plan->nstages; s++, cur ^= 1)
        SFX(pass_any)(&plan->stages[s], plan->n, &plan->tables, a[cur], b[cur], a[cur ^ 1],
                      b[cur ^ 1]);
    return cur;
}

/* ------------------------------------------------------------ four-step (one long row) */

typedef struct SFX(four_step_ctx) {
    const fft_plan *plan;
    const FT *xr, *xi;  /* the row (ls = 1) */
    FT *tr, *ti;        /* n elements: the column transforms, twiddled */
    FT *yr, *yi;        /* the result */
    FT *scratch;        /* per member: 4 blocks of max(n1, n2) * LANES */
    size_t member_elems;
} SFX(four_step_ctx);

/* w_n^e for e < n from the plan's two tables (e's high and low bits). */
static inline void SFX(big_twiddle)(const fft_plan *p, int64_t e, FT *cr, FT *ci)
{
    const double ar = p->hi_re[e >> p->lo_bits], ai = p->hi_im[e >> p->lo_bits];
    const double br = p->lo_re[e & ((1 << p->lo_bits) - 1)];
    const double bi = p->lo_im[e & ((1 << p->lo_bits) - 1)];
    *cr = (FT)(ar * br - ai * bi);
    *ci = (FT)(ar * bi + ai * br);
}

/* Columns [begin, end) blocks of LANES: length-n1 transforms, twiddled by w_n^(j2 k1). */
static void SFX(four_step_columns)(void *context, int64_t begin, int64_t end, int member)
{
    const SFX(four_step_ctx) *c = context;
    const fft_plan *p = c->plan, *p1 = p->sub[0];
    const int64_t n1 = p1->n, n2 = p->sub[1]->n;
    FT *s = c->scratch + (size_t)member * c->member_elems, *bl[4];
    for (int i = 0; i < 4; i++)
        bl[i] = s + (size_t)i * (c->member_elems / 4);
    for (int64_t blk = begin; blk < end; blk++) {
        const int64_t c0 = blk * LANES;
        const int lanes = (int)(n2 - c0 < LANES ? n2 - c0 : LANES);
        for (int64_t j = 0; j < n1; j++)
            for (int t = 0; t < LANES; t++) {
                bl[0][j * LANES + t] = t < lanes ? c->xr[j * n2 + c0 + t] : 0;
                bl[1][j * LANES + t] = t < lanes ? c->xi[j * n2 + c0 + t] : 0;
            }
        const int w = SFX(stockham)(p1, bl[0], bl[1], bl[2], bl[3]);
        const FT *rr = bl[2 * w], *ri = bl[2 * w + 1];
        for (int64_t k = 0; k < n1; k++)
            for (int t = 0; t < lanes; t++) {
                FT cr, ci;
                SFX(big_twiddle)(p, (c0 + t) * k, &cr, &ci);
                const FT vr = rr[k * LANES + t], vi = ri[k * LANES + t];
                c->tr[k * n2 + c0 + t] = vr * cr - vi * ci;
                c->ti[k * n2 + c0 + t] = vr * ci + vi * cr;
            }
    }
}

/* Rows [begin, end) blocks of LANES of the twiddled columns: length-n2 transforms, written
 * transposed (element k1 + n1 k2). */
static void SFX(four_step_rows)(void *context, int64_t begin, int64_t end, int member)
{
    const SFX(four_step_ctx) *c = context;
    const fft_plan *p = c->plan, *p2 = p->sub[1];
    const int64_t n1 = p->sub[0]->n, n2 = p2->n;
    FT *s = c->scratch + (size_t)member * c->member_elems, *bl[4];
    for (int i = 0; i < 4; i++)
        bl[i] = s + (size_t)i * (c->member_elems / 4);
    for (int64_t blk = begin; blk < end; blk++) {
        const int64_t r0 = blk * LANES;
        const int lanes = (int)(n1 - r0 < LANES ? n1 - r0 : LANES);
        for (int t = 0; t < LANES; t++)
            for (int64_t j = 0; j < n2; j++) {
                bl[0][j * LANES + t] = t < lanes ? c->tr[(r0 + t) * n2 + j] : 0;
                bl[1][j * LANES + t] = t < lanes ? c->ti[(r0 + t) * n2 + j] : 0;
            }
        const int w = SFX(stockham)(p2, bl[0], bl[1], bl[2], bl[3]);
        const FT *rr = bl[2 * w], *ri = bl[2 * w + 1];
        for (int64_t k = 0; k < n2; k++)
            for (int t = 0; t < lanes; t++) {
                c->yr[r0 + t + n1 * k] = rr[k * LANES + t];
                c->yi[r0 + t + n1 * k] = ri[k * LANES + t];
            }
    }
}

/* The forward FFT of one long row x (ls = 1) into y, by the team; t: n elements of scratch
 * per part; may be x (not y). */
static int SFX(four_step)(const fft_plan *p, pymic2__team *team, const FT *xr, const FT *xi,
                          FT *tr, FT *ti, FT *yr, FT *yi)
{
    const int64_t n1 = p->sub[0]->n, n2 = p->sub[1]->n;
    const int members = pymic2__team_size(team);
    const size_t member_elems = 4 * (size_t)(n1 > n2 ? n1 : n2) * LANES;
    FT *scratch = fft_alloc(member_elems * members * sizeof(FT));
    if (scratch == NULL)
        return PYMIC2_ENOMEM;
    SFX(four_step_ctx) c = {p, xr, xi, tr, ti, yr, yi, scratch, member_elems};
    pymic2__team_parallel_for(team, (n2 + LANES - 1) / LANES, 1, SFX(four_step_columns), &c);
    pymic2__team_parallel_for(team, (n1 + LANES - 1) / LANES, 1, SFX(four_step_rows), &c);
    free(scratch);
    return PYMIC2_OK;
}

/* ------------------------------------------------------------ Bluestein */

/* The forward FFT of (re, im) by the power-of-two plan of a Bluestein plan, into (re, im):
 * nl lanes per element (LANES in a block, 1 for a long row), w: two more arrays. */
static int SFX(pow2_fft)(const fft_plan *m, pymic2__team *team, FT *re, FT *im, FT *wr,
                         FT *wi, int nl)
{
    if (nl == 1)
        return SFX(four_step)(m, team, re, im, wr, wi, re, im);
    if (SFX(stockham)(m, re, im, wr, wi)) {
        memcpy(re, wr, (size_t)m->n * LANES * sizeof(FT));
        memcpy(im, wi, (size_t)m->n * LANES * sizeof(FT));
    }
    return PYMIC2_OK;
}

/* X_k = w_k sum_j (x_j w_j) conj(w_(k-j)), w_k = exp(-i pi k^2 / n): a cyclic convolution of
 * length m done by the m-point FFT (the filter's transform, divided by m, is in the plan; the
 * inverse is conj(fft(conj))). In place on (re, im), which hold m elements. */
static int SFX(bluestein)(const fft_plan *p, pymic2__team *team, FT *re, FT *im, FT *wr,
                          FT *wi, int nl)
{
    const fft_plan *m = p->sub[0];
    const int64_t n = p->n, mn = m->n;
    const FT *cr = p->tables.chirp.SFX(re), *ci = p->tables.chirp.SFX(im);
    const FT *fr = p->tables.filter.SFX(re), *fi = p->tables.filter.SFX(im);
    for (int64_t i = 0; i < n; i++)
        for (int t = 0; t < nl; t++) {
            const FT xr = re[i * nl + t], xi = im[i * nl + t];
            re[i * nl + t] = xr * cr[i] - xi * ci[i];
            im[i * nl + t] = xr * ci[i] + xi * cr[i];
        }
    memset(re + n * nl, 0, (size_t)(mn - n) * nl * sizeof(FT));
    memset(im + n * nl, 0, (size_t)(mn - n) * nl * sizeof(FT));
    int status = SFX(pow2_fft)(m, team, re, im, wr, wi, nl);
    for (int64_t i = 0; status == PYMIC2_OK && i < mn; i++)
        for (int t = 0; t < nl; t++) { /* conj(X * F) */
            const FT xr = re[i * nl + t], xi = im[i * nl + t];
            re[i * nl + t] = xr * fr[i] - xi * fi[i];
            im[i * nl + t] = -(xr * fi[i] + xi * fr[i]);
        }
    if (status == PYMIC2_OK)
        status = SFX(pow2_fft)(m, team, re, im, wr, wi, nl);
    for (int64_t i = 0; status == PYMIC2_OK && i < n; i++)
        for (int t = 0; t < nl; t++) { /* conj(y) w_k */
            const FT yr = re[i * nl + t], yi = -im[i * nl + t];
            re[i * nl + t] = yr * cr[i] - yi * ci[i];
            im[i * nl + t] = yr * ci[i] + yi * cr[i];
        }
    return status;
}

/* The forward FFT of (re, im) in place, by whichever kind of plan: a block (nl = LANES) for
 * STOCKHAM and small BLUESTEIN plans, one row (nl = 1) for FOUR_STEP and large BLUESTEIN. */
static int SFX(forward)(const fft_plan *p, pymic2__team *team, FT *re, FT *im, FT *wr,
                        FT *wi, int nl)
{
    if (p->kind == FFT_BLUESTEIN)
        return SFX(bluestein)(p, team, re, im, wr, wi, nl);
    return SFX(pow2_fft)(p, team, re, im, wr, wi, nl);
}

/* ------------------------------------------------------------ loads and stores */

typedef struct SFX(rows_ctx) {
    const pymic2_fft_desc *desc;
    const fft_plan *plan;  /* the complex transform's (length n, or n / 2 for an even real) */
    const fft_plan *real;  /* R2C, C2R: the real plan (its tables' twiddles w_n^k) */
    pymic2__team *team;
    int64_t rows, n;       /* n: the transform's length */
    FT *scratch;
    size_t member_elems;   /* 4 arrays of work * nl */
    int nl;
} SFX(rows_ctx);

/* Element i of a row (a real, or a complex's two FT parts) given the row's address. */
#define FFT_AT(row, step, i) ((FT *)((row) + (i) * (step)))

/* The addresses of rows [r0, r0 + lanes) of an operand in rows[0..nl) (idle lanes of a
 * partial block repeat the first row: loaded, transformed, never stored). */
static void SFX(row_addresses)(const pymic2_operand *operand, int64_t r0, int lanes, int nl,
                               char **rows)
{
    char *base = pymic2__host_address(operand->buffer, 0);
    for (int t = 0; t < nl; t++)
        rows[t] = base + fft_row_offset(operand, r0 + (t < lanes ? t : 0));
}

/* C2R's half spectra X as the forward transform's input: even n, conj(Z_i) for
 * Z_i = E + i O, E = X_i + conj(X_(h-i)), O = (X_i - conj(X_(h-i))) w_n^-i (h = n / 2), whose
 * inverse is the n / 2 pairs (x_2i, x_2i+1) times n; odd n, the conjugated Hermitian spectrum.
 * The imaginary parts of X_0 and (even n) X_h are ignored, as NumPy does. */
static void SFX(load_c2r)(const SFX(rows_ctx) *c, char *const *rows, int64_t step, FT *re,
                          FT *im, int64_t i0, int64_t i1)
{
    const int64_t n = c->n, h = n / 2, nl = c->nl;
    const FT *wre = c->real->tables.real.SFX(re), *wim = c->real->tables.real.SFX(im);
    for (int64_t i = i0; i < i1; i++) {
        const int64_t k = n % 2 == 1 && i > h ? n - i : i;
        const FT sign = n % 2 == 1 && i > h ? 1 : -1, keep = k == 0 ? 0 : 1;
        const FT wr = wre[i], wi = -wim[i];
        for (int t = 0; t < nl; t++) {
            const FT *x = FFT_AT(rows[t], step, k);
            if (n % 2 == 1) {
                re[i * nl + t] = x[0], im[i * nl + t] = sign * keep * x[1];
                continue;
            }
            const FT *y = FFT_AT(rows[t], step, h - i);
            const FT xr = x[0], xi = keep * x[1], yr = y[0], yi = -keep * y[1];
            const FT er = xr + yr, ei = xi + yi, fr = xr - yr, fi = xi - yi;
            const FT or_ = fr * wr - fi * wi, oi = fr * wi + fi * wr;
            re[i * nl + t] = er - oi, im[i * nl + t] = -(ei + or_); /* conj(E + i O) */
        }
    }
}

/* R2C's half spectra of even n from the spectrum Z of the n / 2 pairs: X_k = E + w_n^k O,
 * E = (Z_k + conj(Z_(h-k))) / 2, O = -i (Z_k - conj(Z_(h-k))) / 2, times s. */
static FFT_INLINE void SFX(store_r2c_lanes)(const SFX(rows_ctx) *c, char *const *rows,
                                            int64_t step, const int lanes, const int64_t nl,
                                            const FT *re, const FT *im, FT s, int64_t k0,
                                            int64_t k1)
{
    const int64_t h = c->n / 2;
    const FT *wre = c->real->tables.real.SFX(re), *wim = c->real->tables.real.SFX(im);
    for (int64_t k = k0; k < k1; k++) {
        const int64_t a = k == h ? 0 : k, b = k == 0 ? 0 : h - k;
        const FT wr = wre[k] * s / 2, wi = wim[k] * s / 2, half = s / 2;
        for (int t = 0; t < lanes; t++) {
            const FT zr = re[a * nl + t], zi = im[a * nl + t];
            const FT cr = re[b * nl + t], ci = -im[b * nl + t];
            const FT or_ = zi - ci, oi = cr - zr;
            FT *y = FFT_AT(rows[t], step, k);
            y[0] = (zr + cr) * half + or_ * wr - oi * wi;
            y[1] = (zi + ci) * half + or_ * wi + oi * wr;
        }
    }
}

/* store_r2c_lanes with a constant lane count for full blocks, so its loop vectorises. */
static void SFX(store_r2c)(const SFX(rows_ctx) *c, char *const *rows, int64_t step,
                           int lanes, const FT *re, const FT *im, FT s, int64_t k0,
                           int64_t k1)
{
    if (lanes == LANES && c->nl == LANES)
        SFX(store_r2c_lanes)(c, rows, step, LANES, LANES, re, im, s, k0, k1);
    else
        SFX(store_r2c_lanes)(c, rows, step, lanes, c->nl, re, im, s, k0, k1);
}

/* Rows [r0, r0 + lanes) into lanes of (re, im): complex rows (conjugated for an inverse),
 * even real rows as n / 2 complex pairs, odd real rows with zero imaginary parts, C2R's half
 * spectra by load_c2r. */
/* load's complex and real rows, nl lanes (a constant for blocks, so the loop vectorises). */
static FFT_INLINE void SFX(load_lanes)(const SFX(rows_ctx) *c, char *const *rows, int64_t step,
                                       const int64_t nl, FT *re, FT *im, int64_t i0, int64_t i1)
{
    const pymic2_fft_desc *d = c->desc;
    const FT sign = d->kind == PYMIC2_FFT_C2C && d->inverse ? -1 : 1;
    if (d->kind == PYMIC2_FFT_C2C)
        for (int64_t i = i0; i < i1; i++)
            for (int t = 0; t < nl; t++) {
                const FT *x = FFT_AT(rows[t], step, i);
                re[i * nl + t] = x[0], im[i * nl + t] = sign * x[1];
            }
    else if (c->n % 2 == 0) /* R2C of pairs */
        for (int64_t i = i0; i < i1; i++)
            for (int t = 0; t < nl; t++) {
                re[i * nl + t] = *FFT_AT(rows[t], step, 2 * i);
                im[i * nl + t] = *FFT_AT(rows[t], step, 2 * i + 1);
            }
    else
        for (int64_t i = i0; i < i1; i++)
            for (int t = 0; t < nl; t++)
                re[i * nl + t] = *FFT_AT(rows[t], step, i), im[i * nl + t] = 0;
}

static void SFX(load)(const SFX(rows_ctx) *c, int64_t r0, int lanes, FT *re, FT *im,
                      int64_t i0, int64_t i1)
{
    const pymic2_fft_desc *d = c->desc;
    const int64_t step = d->in.strides[d->in.ndim - 1];
    char *rows[LANES];
    SFX(row_addresses)(&d->in, r0, lanes, c->nl, rows);
    if (d->kind == PYMIC2_FFT_C2R)
        SFX(load_c2r)(c, rows, step, re, im, i0, i1);
    else if (c->nl == LANES)
        SFX(load_lanes)(c, rows, step, LANES, re, im, i0, i1);
    else
        SFX(load_lanes)(c, rows, step, c->nl, re, im, i0, i1);
}

/* The elements a row's store loop runs over: outputs (C2C, R2C), pairs (even C2R), or the
 * first (n + 1) / 2 (odd C2R, each writing two). */
static int64_t SFX(store_count)(const SFX(rows_ctx) *c)
{
    const pymic2_fft_desc *d = c->desc;
    const int64_t n = c->n;
    return d->kind == PYMIC2_FFT_C2C ? n : d->kind == PYMIC2_FFT_R2C ? n / 2 + 1
                                                                     : (n + 1) / 2;
}

/* Lanes of the forward transform (re, im) to rows [r0, r0 + lanes), times the scale:
 * conjugated for an inverse; R2C's half spectrum (odd n: its first elements; even n:
 * store_r2c); C2R's real rows (the conjugated transform's real parts, and negated imaginary
 * parts pairwise for even n). */
static void SFX(store)(const SFX(rows_ctx) *c, int64_t r0, int lanes, const FT *re,
                       const FT *im, int64_t i0, int64_t i1)
{
    const pymic2_fft_desc *d = c->desc;
    const int64_t nl = c->nl, n = c->n, step = d->out.strides[d->out.ndim - 1];
    char *rows[LANES];
    SFX(row_addresses)(&d->out, r0, lanes, (int)nl, rows);
    const FT s = (FT)d->scale, si = d->kind == PYMIC2_FFT_C2C && d->inverse ? -s : s;
    if (d->kind == PYMIC2_FFT_R2C && n % 2 == 0) {
        SFX(store_r2c)(c, rows, step, lanes, re, im, s, i0, i1);
        return;
    }
    const int64_t count = SFX(store_count)(c);
    for (int64_t i = i0; i < i1 && i < count; i++)
        for (int t = 0; t < lanes; t++) {
            if (d->kind != PYMIC2_FFT_C2R) {
                FT *y = FFT_AT(rows[t], step, i);
                y[0] = re[i * nl + t] * s, y[1] = im[i * nl + t] * si;
            } else if (n % 2 == 0) {
                *FFT_AT(rows[t], step, 2 * i) = re[i * nl + t] * s;
                *FFT_AT(rows[t], step, 2 * i + 1) = -im[i * nl + t] * s;
            } else {
                *FFT_AT(rows[t], step, i) = re[i * nl + t] * s;
                if (i + count < n)
                    *FFT_AT(rows[t], step, i + count) = re[(i + count) * nl + t] * s;
            }
        }
}

/* Row blocks [begin, end): load, transform, store. */
static void SFX(row_blocks)(void *context, int64_t begin, int64_t end, int member)
{
    const SFX(rows_ctx) *c = context;
    FT *s = c->scratch + (size_t)member * c->member_elems;
    const size_t part = c->member_elems / 4;
    for (int64_t blk = begin; blk < end; blk++) {
        const int64_t r0 = blk * c->nl;
        const int lanes = (int)(c->rows - r0 < c->nl ? c->rows - r0 : c->nl);
        SFX(load)(c, r0, lanes, s, s + part, 0, c->plan->n);
        /* blocks cannot fail (their plans need no memory of their own); a plain Stockham
         * plan leaves its result where its last pass wrote it */
        FT *r = s, *i = s + part;
        if (c->plan->kind == FFT_STOCKHAM) {
            if (SFX(stockham)(c->plan, s, s + part, s + 2 * part, s + 3 * part))
                r = s + 2 * part, i = s + 3 * part;
        } else
            (void)SFX(forward)(c->plan, c->team, s, s + part, s + 2 * part, s + 3 * part,
                               c->nl);
        SFX(store)(c, r0, lanes, r, i, 0, SFX(store_count)(c));
    }
}

/* One long row's load or store, split over the team. */
typedef struct SFX(row_part) {
    const SFX(rows_ctx) *c;
    int64_t row;
    FT *re, *im;
    int store;
} SFX(row_part);

static void SFX(row_piece)(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    const SFX(row_part) *p = context;
    if (p->store)
        SFX(store)(p->c, p->row, 1, p->re, p->im, begin, end);
    else
        SFX(load)(p->c, p->row, 1, p->re, p->im, begin, end);
}

/* The family's slot for one precision: blocks of LANES rows over the team for plans that
 * fit a block, else one row after another, each transformed by the whole team. */
static int SFX(run)(pymic2__team *team, const pymic2_fft_desc *desc, const fft_plan *plan,
                    const fft_plan *real, int64_t rows, int64_t n)
{
    const int blockwise = fft_plan_blockwise(plan);
    const int members = blockwise ? pymic2__team_size(team) : 1;
    SFX(rows_ctx) c = {desc, plan, real, team, rows, n, NULL, 0, blockwise ? LANES : 1};
    c.member_elems = 4 * (size_t)fft_plan_work(plan) * c.nl;
    const size_t bytes = c.member_elems * members * sizeof(FT);
    c.scratch = scratch_get(bytes);
    if (c.scratch == NULL)
        return PYMIC2_ENOMEM;
    int status = PYMIC2_OK;
    if (blockwise) {
        const int64_t per = plan->n * LANES;
        pymic2__team_parallel_for(team, (rows + LANES - 1) / LANES,
                                  per >= 16384 ? 1 : 16384 / per, SFX(row_blocks), &c);
    } else {
        const size_t part = c.member_elems / 4;
        SFX(row_part) rp = {&c, 0, c.scratch, c.scratch + part, 0};
        for (int64_t r = 0; r < rows && status == PYMIC2_OK; r++) {
            rp.row = r, rp.store = 0;
            pymic2__team_parallel_for(team, plan->n, 16384, SFX(row_piece), &rp);
            status = SFX(forward)(plan, team, rp.re, rp.im, rp.re + 2 * part, rp.re + 3 * part,
                                  1);
            rp.store = 1;
            if (status == PYMIC2_OK)
                pymic2__team_parallel_for(team, SFX(store_count)(&c), 16384, SFX(row_piece),
                                          &rp);
        }
    }
    scratch_put(c.scratch, bytes);
    return status;
}

#undef FFT_AT
