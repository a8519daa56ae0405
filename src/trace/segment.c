/* segment: find the epochs of a training run in a GPU power signal, each a
 * peak (training compute) and a valley (between-epoch work), grouped into
 * regimes of one steady pattern, with the square wave's summary numbers.
 *
 * How, and why this way:
 *
 * 1. Period. The autocorrelation (ACF) of a signal that repeats every epoch
 *    peaks at the epoch's length. Two ACFs are averaged: that of the power
 *    (clipped to the bulk of its range) and that of its first difference
 *    (winsorised). The first carries short spikes well; the second ignores
 *    steps in level (idle head, regime change) that otherwise swamp a small
 *    square wave. The peak chosen is the one that rises most above the
 *    trough before it (a slow drift lifts small lags but makes no trough),
 *    moved down to its fundamental when a peak at a whole fraction of it is
 *    nearly as strong: jitter and half-sample periods make a multiple of the
 *    period correlate as well as the period itself.
 * 2. Regimes. Training may change pattern midway (frozen base, then fine-
 *    tuning at higher power and another period). The power is averaged over
 *    one period, which cancels the square wave, and split recursively where
 *    its level changes by more than 5%. Each piece gets its own period and
 *    is periodic or not (idle, transitions): its ACF peak must stand out
 *    of the noise expected for its length and have an echo at twice the
 *    lag, which a chance peak lacks. A long periodic piece is also scanned
 *    in windows of four periods for a stretch that repeats at a different
 *    period at the same level (its boundary is then only approximate, and
 *    the chain of step 3 may stop short of it).
 * 3. Boundaries. Within each regime, epoch boundaries are placed by dynamic
 *    programming as in beat tracking (Ellis 2007): each boundary scores its
 *    local evidence, consecutive boundaries pay for straying from the period
 *    (log of the ratio, squared), and the chain must span the regime, so an
 *    epoch whose boundary is faint is still counted and noise between
 *    boundaries is not. A first pass scores rising edges; the second scores
 *    the fit of the regime's own epoch template (the average epoch around
 *    the first pass's boundaries), so square waves, short spikes and short
 *    dips are all handled by one matched filter. The fit is penalised when
 *    the window's level is off the template's by more than half its range:
 *    a step up from idle has the shape of an edge but not its levels.
 * 4. Phases. The template is split into two levels (Otsu). The between-
 *    epoch phase is the low one, unless one level holds less than 35% of the
 *    epoch: then that short part (a spike or a dip) is. An epoch starts where
 *    that phase ends; each start is moved to the nearby threshold crossing
 *    that is a real step. An epoch before the first boundary (as when
 *    boundaries are spikes at epoch ends) or after the last is added when the
 *    power sits at the training level long enough. Each epoch is then split
 *    into its two phases by the best two-level fit.
 *
 * 5. Few periods. Where steps 1 and 2 find nothing (a run of 3 to 5 epochs
 *    is too short for them), a plain square wave is still found from its
 *    levels: blocks above Otsu's threshold, alike in length and level, with
 *    shorter gaps alike in level between them (few_periods).
 *
 * A signal with no periodic pattern gives no epochs (and JC_OK); markers,
 * when given, are taken as the epoch boundaries; epochs_hint is used only
 * when nothing periodic is found (epochs spread over the working span).
 *
 * Long signals are block-averaged (to ~16k points, keeping at least four
 * points per shortest period) for steps 1 to 3, so the whole costs
 * O(n log n); step 4 works on the full signal. */
#include "joulecast/trace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define JC_PI 3.14159265358979323846

/* ---------------------------------------------------------------- helpers */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Rearrange a[0..n-1] so that a[k] holds the k-th smallest, smaller ones
 * before it and larger ones after (Hoare's selection, O(n) expected). */
static void select_kth(double *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = a[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) {
                double t = a[i]; a[i] = a[j]; a[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return;
    }
}

/* Quantiles qs[0..k-1] (ascending) of x[0..n-1], linear between order
 * statistics as numpy does; scratch holds n doubles. */
static void quantiles(const double *x, size_t n, const double *qs, size_t k, double *out, double *scratch)
{
    memcpy(scratch, x, n * sizeof *x);
    size_t from = 0;
    for (size_t i = 0; i < k; i++) {
        double pos = qs[i] * (double)(n - 1);
        size_t r = (size_t)floor(pos);
        if (r >= n - 1) {
            select_kth(scratch + from, n - from, n - 1 - from);
            out[i] = scratch[n - 1];
            continue;
        }
        if (r < from) r = from; /* qs ascending: cannot happen, kept safe */
        select_kth(scratch + from, n - from, r - from);
        double lo = scratch[r], hi = scratch[r + 1];
        for (size_t j = r + 2; j < n; j++)
            if (scratch[j] < hi) hi = scratch[j];
        out[i] = lo + (pos - (double)r) * (hi - lo);
        from = r;
    }
}

static double median_of(const double *x, size_t n, double *scratch)
{
    double q = 0.5, m = 0;
    if (n == 0)
        return 0;
    quantiles(x, n, &q, 1, &m, scratch);
    return m;
}

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static double mean_of(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return n ? s / (double)n : 0;
}

/* In-place iterative radix-2 FFT; n a power of two. Twiddles come from a
 * table computed once per call, so the inner loop runs over contiguous
 * memory. */
static int fft(double *re, double *im, size_t n, int inverse)
{
    if (n < 2)
        return JC_OK;
    size_t half_n = n / 2;
    double *tw = malloc(2 * half_n * sizeof *tw);
    if (!tw)
        return JC_ERR_NOMEM;
    double ang = (inverse ? 2.0 : -2.0) * JC_PI / (double)n;
    for (size_t k = 0; k < half_n; k++) {
        tw[2 * k] = cos(ang * (double)k);
        tw[2 * k + 1] = sin(ang * (double)k);
    }
    for (size_t i = 1, j = 0; i < n; i++) {
        size_t bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            double t = re[i]; re[i] = re[j]; re[j] = t;
            t = im[i]; im[i] = im[j]; im[j] = t;
        }
    }
    for (size_t len = 2; len <= n; len <<= 1) {
        size_t half = len / 2, step = n / len;
        for (size_t i = 0; i < n; i += len) {
            for (size_t k = 0; k < half; k++) {
                double wr = tw[2 * k * step], wi = tw[2 * k * step + 1];
                size_t u = i + k, v = u + half;
                double xr = re[v] * wr - im[v] * wi, xi = re[v] * wi + im[v] * wr;
                re[v] = re[u] - xr;
                im[v] = im[u] - xi;
                re[u] += xr;
                im[u] += xi;
            }
        }
    }
    free(tw);
    if (inverse)
        for (size_t i = 0; i < n; i++) {
            re[i] /= (double)n;
            im[i] /= (double)n;
        }
    return JC_OK;
}

static size_t pow2_at_least(size_t n)
{
    size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

/* Biased autocorrelations of two real sequences at once (one packed complex
 * transform), each mean-removed and normalised to r[0] = 1, lags 0..m-1. */
static int acf_pair(const double *a, size_t na, const double *b, size_t nb, size_t m, double *ra, double *rb)
{
    size_t nmax = na > nb ? na : nb;
    size_t N = pow2_at_least(nmax + m + 1);
    double *re = calloc(N, sizeof *re), *im = calloc(N, sizeof *im);
    if (!re || !im) {
        free(re);
        free(im);
        return JC_ERR_NOMEM;
    }
    double ma = mean_of(a, na), mb = mean_of(b, nb);
    for (size_t i = 0; i < na; i++)
        re[i] = a[i] - ma;
    for (size_t i = 0; i < nb; i++)
        im[i] = b[i] - mb;
    if (fft(re, im, N, 0)) {
        free(re);
        free(im);
        return JC_ERR_NOMEM;
    }
    /* Z = A + iB; A[k] = (Z[k] + conj Z[N-k]) / 2, B[k] = (Z[k] - conj Z[N-k]) / 2i.
     * Both power spectra are real, so |A|^2 + i|B|^2 transforms back to
     * acf_a + i acf_b. */
    double *pr = malloc(N * sizeof *pr), *pi = malloc(N * sizeof *pi);
    if (!pr || !pi) {
        free(re);
        free(im);
        free(pr);
        free(pi);
        return JC_ERR_NOMEM;
    }
    for (size_t k = 0; k < N; k++) {
        size_t j = (N - k) & (N - 1);
        double ar = 0.5 * (re[k] + re[j]), ai = 0.5 * (im[k] - im[j]);
        double br = 0.5 * (im[k] + im[j]), bi = -0.5 * (re[k] - re[j]);
        pr[k] = ar * ar + ai * ai;
        pi[k] = br * br + bi * bi;
    }
    int rc = fft(pr, pi, N, 1);
    for (size_t L = 0; L < m && !rc; L++) {
        ra[L] = pr[0] > 0 && L < na ? pr[L] / pr[0] : 0;
        rb[L] = pi[0] > 0 && L < nb ? pi[L] / pi[0] : 0;
    }
    free(re);
    free(im);
    free(pr);
    free(pi);
    return rc;
}

/* Centred moving average over w samples; the ends use what exists. */
static void movavg(const double *x, size_t n, size_t w, double *out, double *cs)
{
    if (w < 1)
        w = 1;
    cs[0] = 0;
    for (size_t i = 0; i < n; i++)
        cs[i + 1] = cs[i] + x[i];
    for (size_t i = 0; i < n; i++) {
        long a = (long)i - (long)(w / 2), b = a + (long)w;
        if (a < 0) a = 0;
        if (b > (long)n) b = (long)n;
        out[i] = (cs[b] - cs[a]) / (double)(b - a);
    }
}

/* ------------------------------------------------------------------ period */

typedef struct {
    double P;     /* period, samples (0 if none) */
    double r;     /* ACF at the period */
    double prom;  /* rise of the ACF peak above the trough before it */
    double r2;    /* ACF at twice the period (NAN if out of range) */
} period_est;

/* Drop runs at either end outside the level range of the middle (an idle
 * head, a transition dip): such a step dwarfs a small square wave in the
 * autocorrelation. A lone in-range sample inside a dip does not end it. */
static void trim_edges(const double *x, size_t a, size_t b, size_t *oa, size_t *ob, double *scratch)
{
    size_t L = b - a;
    *oa = a;
    *ob = b;
    if (L < 10)
        return;
    const double qs[3] = {0.1, 0.5, 0.9};
    double q[3];
    quantiles(x + a + L / 10, L - 2 * (L / 10), qs, 3, q, scratch);
    double m = 0.5 * (q[2] - q[0]) + 0.02 * fabs(q[1]) + 1e-9;
    double lo = q[0] - m, hi = q[2] + m;
    const size_t k = 5;
    size_t run = 0, i = a;
    /* first index from which k samples in a row are in range */
    for (; i < b; i++) {
        run = (x[i] >= lo && x[i] <= hi) ? run + 1 : 0;
        if (run == k)
            break;
    }
    size_t na = i < b ? i + 1 - k : b;
    run = 0;
    size_t j = b;
    for (; j > na; j--) {
        run = (x[j - 1] >= lo && x[j - 1] <= hi) ? run + 1 : 0;
        if (run == k)
            break;
    }
    size_t nb = j > na ? j - 1 + k : na;
    *oa = na;
    *ob = nb;
}

/* Pick the period from an ACF r[0..len-1]: the peak in [minL, maxL] that
 * rises most above the trough before it, moved to its fundamental. */
static void pick_period(const double *r, size_t len, size_t minL, size_t maxL, period_est *pe, long *deq)
{
    memset(pe, 0, sizeof *pe);
    if (len < 4)
        return;
    if (maxL > len - 2)
        maxL = len - 2;
    if (minL < 2)
        minL = 2;
    if (maxL < minL)
        return;
    /* prominence(L) = r[L] - min r[L/2 .. L-1]: both ends move right with L,
     * so a monotone deque gives every window minimum in O(len). */
    size_t best = 0;
    double bestp = -1e300;
    long head = 0, tail = 0;
    size_t next = 1; /* next index to push */
    size_t npk = 0;
    for (size_t L = 2; L <= maxL; L++) {
        while (next < L) {
            while (tail > head && r[deq[tail - 1]] >= r[next])
                tail--;
            deq[tail++] = (long)next++;
        }
        while (tail > head && (size_t)deq[head] < L / 2)
            head++;
        if (L < minL)
            continue;
        if (!(r[L] >= r[L - 1] && r[L] > r[L + 1]))
            continue;
        double p = r[L] - (tail > head ? r[deq[head]] : r[L]);
        npk++;
        if (p > bestp) {
            bestp = p;
            best = L;
        }
    }
    if (!npk)
        return;
    /* fundamental: the smallest peak nearly as prominent that divides it */
    head = tail = 0;
    next = 1;
    for (size_t L = 2; L < best; L++) {
        while (next < L) {
            while (tail > head && r[deq[tail - 1]] >= r[next])
                tail--;
            deq[tail++] = (long)next++;
        }
        while (tail > head && (size_t)deq[head] < L / 2)
            head++;
        if (L < minL || !(r[L] >= r[L - 1] && r[L] > r[L + 1]))
            continue;
        double p = r[L] - (tail > head ? r[deq[head]] : r[L]);
        double k = (double)best / (double)L;
        if (p >= 0.7 * bestp && fabs(k - floor(k + 0.5)) < 0.12) {
            best = L;
            bestp = p;
            break;
        }
    }
    double a = r[best - 1], b = r[best], c = r[best + 1], den = a - 2 * b + c;
    double off = den < 0 ? clampd(0.5 * (a - c) / den, -0.5, 0.5) : 0;
    pe->P = (double)best + off;
    pe->r = b;
    pe->prom = bestp;
}

typedef struct {
    const double *x;  /* the (decimated) signal */
    size_t n;
    size_t minL, maxL;
    double *scratch;  /* n doubles */
    double *w1, *w2;  /* n doubles each */
    double *r1, *r2;  /* n doubles each */
    long *deq;        /* n longs */
    size_t rlen;      /* length of the ACF regime_period left in r */
} pctx;

/* Combined ACF of x[a,b): clipped power and winsorised difference. */
static int combined_acf(pctx *c, size_t a, size_t b, double *r, size_t *rlen)
{
    size_t L = b - a;
    const double *seg = c->x + a;
    const double qs[3] = {0.25, 0.5, 0.75};
    double q[3];
    quantiles(seg, L, qs, 3, q, c->scratch);
    double w = q[2] - q[0];
    if (w < 1e-3 * fabs(q[1])) w = 1e-3 * fabs(q[1]);
    if (w < 1e-9) w = 1e-9;
    for (size_t i = 0; i < L; i++)
        c->w1[i] = clampd(seg[i], q[1] - 3 * w, q[1] + 3 * w);
    for (size_t i = 0; i + 1 < L; i++)
        c->scratch[i] = fabs(seg[i + 1] - seg[i]);
    double q98 = 0, p98 = 0.98;
    quantiles(c->scratch, L - 1, &p98, 1, &q98, c->w2);
    if (q98 <= 0) {
        for (size_t i = 0; i + 1 < L; i++)
            if (c->scratch[i] > q98) q98 = c->scratch[i];
        if (q98 <= 0) q98 = 1;
    }
    for (size_t i = 0; i + 1 < L; i++)
        c->w2[i] = clampd(seg[i + 1] - seg[i], -q98, q98);
    size_t m = L / 2 + 2;
    if (m > L - 1) m = L - 1;
    int rc = acf_pair(c->w1, L, c->w2, L - 1, m, c->r1, c->r2);
    if (rc)
        return rc;
    for (size_t i = 0; i < m; i++)
        r[i] = 0.5 * (c->r1[i] + c->r2[i]);
    *rlen = m;
    return JC_OK;
}

static int regime_period(pctx *c, size_t a, size_t b, size_t maxL, period_est *pe, double *r)
{
    memset(pe, 0, sizeof *pe);
    c->rlen = 0;
    size_t ta, tb;
    trim_edges(c->x, a, b, &ta, &tb, c->scratch);
    if (tb - ta < 3 * c->minL || tb - ta < 8)
        return JC_OK;
    size_t rlen;
    int rc = combined_acf(c, ta, tb, r, &rlen);
    if (rc)
        return rc;
    size_t mx = maxL < (tb - ta) / 2 ? maxL : (tb - ta) / 2;
    pick_period(r, rlen, c->minL, mx, pe, c->deq);
    c->rlen = rlen;
    pe->r2 = NAN;
    if (pe->P > 0) {
        size_t lo = (size_t)floor(1.9 * pe->P), hi = (size_t)ceil(2.1 * pe->P);
        if (hi + 1 < rlen) {
            pe->r2 = r[lo];
            for (size_t k = lo; k <= hi; k++)
                if (r[k] > pe->r2) pe->r2 = r[k];
        }
    }
    return JC_OK;
}

/* ----------------------------------------------------------------- regimes */

typedef struct {
    size_t a, b;
    period_est pe;
    int ok;
} piece;

typedef struct {
    piece *v;
    size_t n, cap;
} pieces;

static int pieces_push(pieces *p, piece x)
{
    if (jc_grow((void **)&p->v, &p->cap, p->n + 1, sizeof *p->v))
        return JC_ERR_NOMEM;
    p->v[p->n++] = x;
    return JC_OK;
}

/* Split a signal (given by its prefix sums cs) on [a,b) where its mean
 * changes most, recursively, while the change exceeds thr of the level and
 * both sides keep Lmin samples. */
static int binseg(const double *cs, size_t a, size_t b, size_t Lmin, double thr, pieces *out)
{
    size_t L = b - a;
    if (L < 2 * Lmin) {
        piece p = {a, b, {0, 0, 0, 0}, 0};
        return pieces_push(out, p);
    }
    double best = -1, d = 0, lvl = 0;
    size_t bk = 0;
    for (size_t k = Lmin; k + Lmin <= L; k++) {
        double m1 = (cs[a + k] - cs[a]) / (double)k;
        double m2 = (cs[b] - cs[a + k]) / (double)(L - k);
        double st = (double)k * (double)(L - k) / (double)L * (m1 - m2) * (m1 - m2);
        if (st > best) {
            best = st;
            bk = k;
            d = fabs(m1 - m2);
            lvl = fabs(m1) > fabs(m2) ? fabs(m1) : fabs(m2);
        }
    }
    if (d > thr * (lvl > 1e-9 ? lvl : 1e-9)) {
        int rc = binseg(cs, a, a + bk, Lmin, thr, out);
        return rc ? rc : binseg(cs, a + bk, b, Lmin, thr, out);
    }
    piece p = {a, b, {0, 0, 0, 0}, 0};
    return pieces_push(out, p);
}

/* Whether a piece of len samples repeats at pe. The ACF of noise over N
 * samples scatters by about 1/sqrt(N), and its best peak among many lags by
 * more: the bar rises for short pieces, and further for pieces that hold
 * few periods. A chance peak also has no echo at twice its lag, where a
 * pattern that repeats has one. */
static int periodic_enough(const period_est *pe, size_t len)
{
    if (!(pe->P > 0) || pe->r <= 0.05 || (double)len < 4.5 * pe->P || isnan(pe->r2))
        return 0;
    double few = 8 * pe->P / (double)len, sd = 1 / sqrt((double)len);
    if (!(pe->prom > 0.15 + 2.5 * sd * (few > 1 ? few : 1)))
        return 0;
    return pe->r2 >= 0.4 * pe->r && pe->r2 >= 2 * sd;
}

/* Split point in [a,b) that best explains x as repeating at P1 before and at
 * P2 after (squared differences x(t) - x(t-P) of a lightly smoothed copy, so
 * that a lag rounded to whole samples still lines up short spikes). Where
 * neither period explains the signal better (a stretch with no visible
 * boundary), the split goes to the side that keeps the faster pattern short:
 * its chain of boundaries must span it. */
static size_t period_split(pctx *c, size_t a, size_t b, double P1, double P2)
{
    size_t L1 = (size_t)fmax(1, floor(P1 + 0.5)), L2 = (size_t)fmax(1, floor(P2 + 0.5));
    size_t w = (size_t)fmax(1, floor(fmin(P1, P2) / 4 + 0.5));
    double *xs = c->w1, *cs = c->scratch;
    if (b <= a)
        return a;
    movavg(c->x, c->n, w, xs, cs);
    /* e(t) > 0 where lag P1 fits better than lag P2 */
    double *e = c->r1, tot = 0;
    for (size_t t = a; t < b; t++) {
        double d1 = t >= L1 ? (xs[t] - xs[t - L1]) * (xs[t] - xs[t - L1]) : 0;
        double d2 = t >= L2 ? (xs[t] - xs[t - L2]) * (xs[t] - xs[t - L2]) : 0;
        e[t - a] = d2 - d1;
        tot += fabs(d2 - d1);
    }
    double eps = 0.1 * tot / (double)(b - a);
    if (P1 > P2) eps = -eps; /* the faster pattern is after: favour a late split */
    double acc = 0, best = 0;
    size_t bi = a;
    for (size_t t = a; t < b; t++) {
        acc += e[t - a] - eps;
        if (acc > best) {
            best = acc;
            bi = t + 1;
        }
    }
    return bi;
}

/* The period of window x[s0, s0+W) when it clearly repeats at a period
 * other than the piece's own P (0 otherwise). */
static int window_label(pctx *c, size_t s0, size_t W, double P, double *r, double *lab)
{
    period_est pw;
    size_t mx = c->maxL < W / 2 ? c->maxL : W / 2;
    *lab = 0;
    int rc = regime_period(c, s0, s0 + W, mx, &pw, r);
    if (rc || !(pw.P > 0) || pw.r < 0.1 || pw.prom < 0.3)
        return rc;
    /* does the window still repeat at the piece's own period? (r holds the
     * window's ACF) */
    size_t rlen = c->rlen;
    size_t lo = (size_t)(P * 0.92), hi = (size_t)ceil(P * 1.08);
    if (rlen >= 2 && hi > rlen - 2) hi = rlen - 2;
    if (hi > lo && lo >= 1) {
        size_t L = lo;
        for (size_t k = lo; k <= hi; k++)
            if (r[k] > r[L]) L = k;
        if (r[L] > 0 && pw.r < 1.6 * r[L])
            return JC_OK;
    }
    /* a whole multiple of P: boundaries missed, not a new regime */
    double k = pw.P / P;
    if (k > 1.5 && fabs(k - floor(k + 0.5)) < 0.1)
        return JC_OK;
    *lab = pw.P;
    return JC_OK;
}

/* Within a long periodic piece, look in windows of four periods for a
 * stretch that repeats at another period (same level, other pattern: the
 * frozen-base epochs of a fine-tuning run can look like that). Boundaries of
 * such stretches are recorded in cuts: they are only approximate. */
static int split_by_period(pctx *c, const piece *it, pieces *out, double *r, size_t *cuts, size_t *ncuts,
                           size_t maxcuts)
{
    double P = it->pe.P;
    size_t a = it->a, b = it->b;
    if (!it->ok || (double)(b - a) < 8 * P)
        return pieces_push(out, *it);
    size_t W = (size_t)fmax(4 * P, 6.0 * (double)c->minL), hop = W / 4 ? W / 4 : 1;
    size_t nw = 0;
    for (size_t s0 = a; s0 + W <= b; s0 += hop)
        nw++;
    double *lab = malloc((nw ? nw : 1) * sizeof *lab);
    size_t *ws = malloc((nw ? nw : 1) * sizeof *ws);
    size_t *run0 = malloc((nw ? nw : 1) * sizeof *run0), *run1 = malloc((nw ? nw : 1) * sizeof *run1);
    double *palt = malloc((nw ? nw : 1) * sizeof *palt);
    int rc = JC_OK;
    if (!lab || !ws || !run0 || !run1 || !palt) {
        rc = JC_ERR_NOMEM;
        goto done;
    }
    /* A run needs two neighbouring windows, so one of them has an even
     * index: label the even windows first, then only the odd windows next
     * to an even one that found another period. Same result, half the work. */
    for (size_t i = 0; i < nw; i++) {
        ws[i] = a + i * hop;
        lab[i] = 0;
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = (size_t)pass; i < nw; i += 2) {
            if (pass == 1) {
                int near = (i > 0 && lab[i - 1] > 0) || (i + 1 < nw && lab[i + 1] > 0);
                if (!near)
                    continue;
            }
            if ((rc = window_label(c, ws[i], W, P, r, &lab[i])))
                goto done;
        }
    /* runs of at least two windows agreeing on a period other than P */
    size_t nr = 0;
    for (size_t i = 0; i < nw;) {
        if (lab[i] > 0 && fabs(lab[i] - P) > 0.12 * P) {
            size_t j = i;
            while (j + 1 < nw && lab[j + 1] > 0 && fabs(lab[j + 1] - lab[i]) < 0.12 * lab[i])
                j++;
            if (j > i) {
                size_t nt = 0;
                for (size_t q = i; q <= j; q++)
                    c->r2[nt++] = lab[q];
                qsort(c->r2, nt, sizeof *c->r2, cmp_double);
                run0[nr] = i > 0 ? ws[i] : a;
                run1[nr] = j < nw - 1 ? ws[j] + W : b;
                palt[nr++] = c->r2[nt / 2];
            }
            i = j + 1;
        } else
            i++;
    }
    if (!nr) {
        rc = pieces_push(out, *it);
        goto done;
    }
    size_t pos = a;
    for (size_t q = 0; q < nr; q++) {
        size_t c0 = run0[q], c1 = run1[q];
        /* the change lies in the windows' overlap: put it where the signal
         * stops repeating at one period and starts at the other */
        if (c0 > a)
            c0 = period_split(c, c0 > a + W / 2 ? c0 - W / 2 : a, c0 + W < c1 ? c0 + W : c1, P, palt[q]);
        if (c1 < b)
            c1 = period_split(c, c1 > c0 + W ? c1 - W : c0, c1 + W / 2 < b ? c1 + W / 2 : b, palt[q], P);
        if (c0 < pos) c0 = pos;
        if (c1 <= c0) c1 = c0 + 1;
        if (c1 > b) c1 = b;
        if (c0 >= c1) continue;
        if (c0 - pos >= 3 * c->minL) {
            piece p = {pos, c0, {0, 0, 0, 0}, 0};
            if ((rc = regime_period(c, pos, c0, c->maxL, &p.pe, r)))
                goto done;
            p.ok = periodic_enough(&p.pe, p.b - p.a);
            if ((rc = pieces_push(out, p)))
                goto done;
        } else
            c0 = pos;
        piece g = {c0, c1, {0, 0, 0, 0}, 0};
        if ((rc = regime_period(c, c0, c1, c->maxL, &g.pe, r)))
            goto done;
        int good = periodic_enough(&g.pe, c1 - c0) && fabs(g.pe.P - P) > 0.12 * P;
        if (!good) {
            /* not a regime of its own after all: give the span back */
            if (out->n && out->v[out->n - 1].b == c0 && out->v[out->n - 1].ok)
                out->v[out->n - 1].b = c1;
            else {
                g.pe = it->pe;
                g.ok = it->ok;
                if ((rc = pieces_push(out, g)))
                    goto done;
            }
        } else {
            g.ok = 1;
            if ((rc = pieces_push(out, g)))
                goto done;
            if (*ncuts + 2 <= maxcuts) {
                cuts[(*ncuts)++] = c0;
                cuts[(*ncuts)++] = c1;
            }
        }
        pos = c1;
    }
    if (b - pos >= 3 * c->minL) {
        piece p = {pos, b, {0, 0, 0, 0}, 0};
        if ((rc = regime_period(c, pos, b, c->maxL, &p.pe, r)))
            goto done;
        p.ok = periodic_enough(&p.pe, p.b - p.a);
        rc = pieces_push(out, p);
    } else if (out->n)
        out->v[out->n - 1].b = b;
done:
    free(lab);
    free(ws);
    free(run0);
    free(run1);
    free(palt);
    return rc;
}

/* ------------------------------------------------------------ boundaries */

typedef struct {
    size_t a, b;    /* core, decimated samples */
    size_t ea, eb;  /* core plus the non-periodic pieces next to it */
    size_t ca, cb;  /* core without its off-level ends */
    double P;       /* period, decimated samples */
    int lper, rper; /* a boundary from a change of period alone */
    /* phase model, full resolution */
    int have;
    double Pf, th, Lt, Lb, tmed, tdur, bdur;
    int spike, b_is_hi;
} regime_t;

/* Rising-edge strength from the prefix sums cs of the signal: mean of the
 * next h samples minus the previous h. */
static void rise(size_t n, size_t h, const double *cs, double *o)
{
    for (size_t t = 0; t < n; t++) {
        if (t < h || t + h > n) {
            o[t] = 0;
            continue;
        }
        o[t] = (cs[t + h] - cs[t]) / (double)h - (cs[t] - cs[t - h]) / (double)h;
    }
}

/* Best chain of boundaries spaced 0.6P..1.6P apart over O[0..n-1]: each
 * scores O, each step pays alpha * log(step/P)^2. A chain may begin only
 * before start_by and end only after end_from, so it spans the regime even
 * where boundaries are faint. Returns the count, indices in beats. */
static size_t dp_beats(const double *O, size_t n, double P, long start_by, long end_from, double *C, long *back,
                       double *pen, size_t *beats)
{
    const double alpha = 60.0;
    if (n == 0)
        return 0;
    long dmin = (long)ceil(0.6 * P), dmax = (long)floor(1.6 * P);
    if (dmin < 1) dmin = 1;
    if (dmax < dmin) dmax = dmin;
    for (long d = dmin; d <= dmax; d++) {
        double l = log((double)d / P);
        pen[d - dmin] = alpha * l * l;
    }
    for (size_t t = 0; t < n; t++) {
        double best = (long)t < start_by ? 0.0 : -HUGE_VAL;
        long bi = -1;
        for (long d = dmin; d <= dmax && d <= (long)t; d++) {
            long tau = (long)t - d;
            double v = C[tau] - pen[d - dmin];
            if (v > best) {
                best = v;
                bi = tau;
            }
        }
        C[t] = O[t] + best;
        back[t] = bi;
    }
    size_t e = end_from < 0 ? 0 : (size_t)end_from;
    if (e >= n) e = n - 1;
    size_t t = e;
    for (size_t i = e; i < n; i++)
        if (C[i] > C[t]) t = i;
    if (!isfinite(C[t])) {
        t = 0;
        for (size_t i = 0; i < n; i++)
            if (C[i] > C[t]) t = i;
    }
    if (!isfinite(C[t]))
        return 0;
    size_t k = 0;
    for (long u = (long)t; u >= 0; u = back[u])
        beats[k++] = (size_t)u;
    for (size_t i = 0; i < k / 2; i++) {
        size_t tmp = beats[i];
        beats[i] = beats[k - 1 - i];
        beats[k - 1 - i] = tmp;
    }
    return k;
}

typedef struct {
    size_t t;
    double P;
} beat_t;

static int cmp_beat(const void *a, const void *b)
{
    const beat_t *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

typedef struct {
    double *C, *pen;
    long *back;
    size_t *bb;
} dpws;

/* Boundaries of every regime, left to right. A chain must span its regime,
 * except across a boundary found from a change of period alone: that one is
 * only approximate, so the chain ends where its own boundaries stop and the
 * next regime's chain starts from there. */
static int dp_regimes(const double *O, size_t n, regime_t *rg, size_t nrg, dpws *w, beat_t **out, size_t *nout)
{
    beat_t *all = NULL;
    size_t nall = 0, cap = 0;
    long prev_last = -1;
    for (size_t q = 0; q < nrg; q++) {
        regime_t *R = &rg[q];
        double P = R->P;
        long lo = (long)((double)R->ea - P / 2), hi = (long)((double)R->eb + P / 2);
        if (lo < 0) lo = 0;
        if (hi > (long)n) hi = (long)n;
        if (hi <= lo)
            continue;
        long ca = (long)R->ca;
        if (R->lper && prev_last >= 0)
            ca = prev_last > lo ? prev_last : lo;
        long start_by = (long)((double)ca + 1.6 * P) - lo;
        long end_from = R->rper ? -1 : (long)((double)R->cb - 1.6 * P) - lo;
        size_t k = dp_beats(O + lo, (size_t)(hi - lo), P, start_by, end_from, w->C, w->back, w->pen, w->bb);
        size_t i0 = 0;
        /* At a free end the chain stops where its own boundaries stop: drop
         * faint boundaries at the end, and a clear one reached only through
         * two faint ones (most likely the next regime's). */
        if (R->rper)
            for (;;) {
                while (k > 0 && O[lo + (long)w->bb[k - 1]] <= 0)
                    k--;
                if (k >= 3 && O[lo + (long)w->bb[k - 2]] <= 0 && O[lo + (long)w->bb[k - 3]] <= 0)
                    k -= 3;
                else
                    break;
            }
        if (R->lper)
            while (i0 < k && O[lo + (long)w->bb[i0]] <= 0 && lo + (long)w->bb[i0] > ca)
                i0++;
        for (size_t i = i0; i < k; i++) {
            if (jc_grow((void **)&all, &cap, nall + 1, sizeof *all)) {
                free(all);
                return JC_ERR_NOMEM;
            }
            all[nall].t = (size_t)lo + w->bb[i];
            all[nall++].P = P;
        }
        if (k > i0)
            prev_last = lo + (long)w->bb[k - 1];
    }
    if (nall)
        qsort(all, nall, sizeof *all, cmp_beat);
    size_t m = 0;
    for (size_t i = 0; i < nall; i++) {
        if (m && (double)(all[i].t - all[m - 1].t) < 0.5 * fmin(all[i].P, all[m - 1].P)) {
            if (O[all[i].t] > O[all[m - 1].t])
                all[m - 1] = all[i];
            continue;
        }
        all[m++] = all[i];
    }
    *out = all;
    *nout = m;
    return JC_OK;
}

/* c[j] = sum_k xp[j+k] * T[k], j in [0, nc): direct for short work, else by
 * one packed FFT pair. */
static int xcorr(const double *xp, size_t nxp, const double *T, size_t L, size_t nc, double *c)
{
    if ((double)L * (double)nc <= 2e6) {
        for (size_t j = 0; j < nc; j++) {
            double s = 0;
            for (size_t k = 0; k < L; k++)
                s += xp[j + k] * T[k];
            c[j] = s;
        }
        return JC_OK;
    }
    size_t N = pow2_at_least(nxp + L);
    double *re = calloc(N, sizeof *re), *im = calloc(N, sizeof *im);
    double *pr = malloc(N * sizeof *pr), *pi = malloc(N * sizeof *pi);
    if (!re || !im || !pr || !pi) {
        free(re);
        free(im);
        free(pr);
        free(pi);
        return JC_ERR_NOMEM;
    }
    memcpy(re, xp, nxp * sizeof *xp);
    memcpy(im, T, L * sizeof *T);
    int rc = fft(re, im, N, 0);
    for (size_t k = 0; k < N && !rc; k++) {
        size_t j = (N - k) & (N - 1);
        double ar = 0.5 * (re[k] + re[j]), ai = 0.5 * (im[k] - im[j]);
        double br = 0.5 * (im[k] + im[j]), bi = -0.5 * (re[k] - re[j]);
        /* X * conj(Y) */
        pr[k] = ar * br + ai * bi;
        pi[k] = ai * br - ar * bi;
    }
    if (!rc)
        rc = fft(pr, pi, N, 1);
    for (size_t j = 0; j < nc && !rc; j++)
        c[j] = pr[j];
    free(re);
    free(im);
    free(pr);
    free(pi);
    return rc;
}

/* How well the epoch template T (2h samples, centred on a boundary) fits
 * the window centred at each t in [ea, eb): normalised correlation, damped
 * where the window varies less than the template (idle, noise), minus a
 * penalty when the window's level is off the template's by more than half
 * its range. Drift and a slower first epoch stay within that; a step up from
 * idle, which has the shape of an edge, does not. */
static int template_fit(const double *x, size_t n, const double *T, size_t h, size_t ea, size_t eb, double *out)
{
    size_t L = 2 * h, nc = eb - ea, nxp = nc + L;
    double mu = mean_of(T, L), tmin = T[0], tmax = T[0], e = 0;
    for (size_t k = 0; k < L; k++) {
        if (T[k] < tmin) tmin = T[k];
        if (T[k] > tmax) tmax = T[k];
        e += (T[k] - mu) * (T[k] - mu);
    }
    double sT = sqrt(e / (double)L), A = tmax - tmin;
    if (sT < 1e-12) sT = 1e-12;
    if (A < 1e-9) A = 1e-9;
    double *xp = malloc(nxp * sizeof *xp), *Tt = malloc(L * sizeof *Tt), *c = malloc(nc * sizeof *c);
    double *cs = malloc((nxp + 1) * sizeof *cs), *cs2 = malloc((nxp + 1) * sizeof *cs2);
    int rc = JC_OK;
    if (!xp || !Tt || !c || !cs || !cs2) {
        rc = JC_ERR_NOMEM;
        goto done;
    }
    for (size_t j = 0; j < nxp; j++) {
        long i = (long)ea + (long)j - (long)h;
        xp[j] = x[i < 0 ? 0 : i >= (long)n ? (long)n - 1 : i];
    }
    for (size_t k = 0; k < L; k++)
        Tt[k] = T[k] - mu;
    if ((rc = xcorr(xp, nxp, Tt, L, nc, c)))
        goto done;
    cs[0] = cs2[0] = 0;
    for (size_t j = 0; j < nxp; j++) {
        cs[j + 1] = cs[j] + xp[j];
        cs2[j + 1] = cs2[j] + xp[j] * xp[j];
    }
    for (size_t j = 0; j < nc; j++) {
        double m = (cs[j + L] - cs[j]) / (double)L;
        double var = (cs2[j + L] - cs2[j]) / (double)L - m * m;
        double sd = sqrt(var > 1e-12 ? var : 1e-12);
        double ncc = c[j] / (double)L / (sd * sT);
        double ex = fabs(m - mu) - A / 2;
        ex = ex > 0 ? ex / (A / 2) : 0;
        out[j] = ncc * fmin(1.0, sd / sT) - ex * ex;
    }
done:
    free(xp);
    free(Tt);
    free(c);
    free(cs);
    free(cs2);
    return rc;
}

/* ------------------------------------------------------------------ phases */

/* Otsu threshold of v[0..n-1]; scratch holds n doubles. */
static double otsu(const double *v, size_t n, double *scratch)
{
    memcpy(scratch, v, n * sizeof *v);
    qsort(scratch, n, sizeof *scratch, cmp_double);
    double tot = 0;
    for (size_t i = 0; i < n; i++)
        tot += scratch[i];
    double best = -1, th = scratch[n / 2], c = 0;
    for (size_t i = 1; i < n; i++) {
        c += scratch[i - 1];
        double w0 = (double)i / (double)n, w1 = 1 - w0;
        double m0 = c / (double)i, m1 = (tot - c) / (double)(n - i);
        double bv = w0 * w1 * (m0 - m1) * (m0 - m1);
        if (bv > best) {
            best = bv;
            th = 0.5 * (scratch[i - 1] + scratch[i]);
        }
    }
    return th;
}

/* Move s0 to the threshold crossing within P/4 that is a real step (the mean
 * over w samples changes by at least half the amplitude); keep s0 when none. */
static double refine_edge(const double *x, size_t n, double s0, double P, double th, int up, double amp, size_t w)
{
    double best = s0, bs = 0.5 * amp;
    long i0 = (long)(s0 - P / 4), i1 = (long)(s0 + P / 4) + 1;
    if (i0 < 1) i0 = 1;
    if (i1 > (long)n) i1 = (long)n;
    for (long i = i0; i < i1; i++) {
        double a = x[i - 1], b = x[i];
        if (!((up && a < th && th <= b) || (!up && a >= th && th > b)))
            continue;
        double c = (double)(i - 1) + (th - a) / (b - a);
        long ii = (long)floor(c) + 1;
        if (ii - (long)w < 0 || ii + (long)w > (long)n)
            continue;
        double after = 0, before = 0;
        for (size_t k = 0; k < w; k++) {
            after += x[ii + (long)k];
            before += x[ii - (long)w + (long)k];
        }
        double st = (after - before) / (double)w;
        if (!up) st = -st;
        if (st > bs) {
            bs = st;
            best = c;
        }
    }
    return best;
}

/* Build a regime's phase model from its epoch template at full resolution:
 * levels, threshold, which part is the between-epoch phase, and where an
 * epoch starts relative to a boundary found by the tracker (phi_end). */
static int phase_model(const double *x, size_t n, regime_t *R, const double *bf, size_t nb, double *phi_end,
                       double *scratch)
{
    R->have = 0;
    size_t h = (size_t)floor(R->Pf / 2 + 0.5), Pi = 2 * h;
    if (h < 1)
        return JC_OK;
    double *T = calloc(Pi, sizeof *T);
    unsigned char *hi = malloc(Pi), *bm = malloc(Pi);
    if (!T || !hi || !bm) {
        free(T);
        free(hi);
        free(bm);
        return JC_ERR_NOMEM;
    }
    size_t used = 0;
    for (size_t i = 0; i < nb; i++) {
        long t = (long)floor(bf[i] + 0.5);
        if (t - (long)h < 0 || t + (long)h > (long)n)
            continue;
        for (size_t j = 0; j < Pi; j++)
            T[j] += x[t - (long)h + (long)j];
        used++;
    }
    if (used >= 2) {
        for (size_t j = 0; j < Pi; j++)
            T[j] /= (double)used;
        double th = otsu(T, Pi, scratch);
        size_t nhi = 0;
        for (size_t j = 0; j < Pi; j++)
            nhi += (hi[j] = T[j] >= th);
        double fh = (double)nhi / (double)Pi;
        for (size_t j = 0; j < Pi; j++)
            bm[j] = (fmin(fh, 1 - fh) < 0.35 && fh < 0.5) ? hi[j] : !hi[j];
        /* longest circular run of the between-epoch phase */
        size_t r0 = 0, rl = 0, start = Pi;
        for (size_t j = 0; j < Pi; j++)
            if (!bm[j]) {
                start = j;
                break;
            }
        if (start < Pi) {
            for (size_t i = 0; i < Pi;) {
                size_t j = (start + i) % Pi;
                if (bm[j]) {
                    size_t L = 0;
                    while (L < Pi && bm[(j + L) % Pi])
                        L++;
                    if (L > rl) {
                        rl = L;
                        r0 = j;
                    }
                    i += L;
                } else
                    i++;
            }
        }
        if (rl > 0 && rl < Pi) {
            double sb = 0, st = 0;
            size_t nbm = 0;
            for (size_t j = 0; j < Pi; j++) {
                if (bm[j]) {
                    sb += T[j];
                    nbm++;
                } else
                    st += T[j];
            }
            R->Lb = sb / (double)nbm;
            R->Lt = st / (double)(Pi - nbm);
            R->th = th;
            R->b_is_hi = R->Lb > R->Lt;
            R->spike = (double)rl < 0.15 * (double)Pi || (bm[r0] && hi[r0]);
            R->bdur = (double)rl;
            R->tdur = (double)(Pi - rl);
            R->tmed = median_of(T, Pi, scratch);
            long pe = (long)((r0 + rl) % Pi) - (long)h;
            if (pe < -(long)h) pe += (long)Pi;
            if (pe >= (long)h) pe -= (long)Pi;
            *phi_end = (double)pe;
            R->have = 1;
        }
    }
    free(T);
    free(hi);
    free(bm);
    return JC_OK;
}

typedef struct {
    double s, e;  /* full-resolution sample positions */
    size_t ri;
} span_t;

typedef struct {
    double s;
    size_t ri;
} start_t;

static int cmp_start(const void *a, const void *b)
{
    const start_t *x = a, *y = b;
    return (x->s > y->s) - (x->s < y->s);
}

typedef struct {
    double Lt, Lb;
} levels_t;

static double rel_level(double v, levels_t L)
{
    return (v - L.Lb) / (L.Lt - L.Lb);
}

static int is_train(double v, levels_t L)
{
    double r = rel_level(v, L);
    return r >= 0.3 && r <= 2.0;
}

static int is_active(double v, levels_t L)
{
    double r = rel_level(v, L);
    return r >= -0.5 && r <= 2.0;
}

/* Enough time at the training level in x[a,b) for an epoch. */
static int looks_like_epoch(const double *x, long a, long b, levels_t L, double tdur)
{
    if (b <= a || L.Lt == L.Lb)
        return 0;
    size_t k = 0;
    for (long i = a; i < b; i++)
        k += (size_t)is_train(x[i], L);
    return (double)k >= 0.5 * tdur;
}

/* Walk from i while the power stays at the regime's levels, stepping over
 * short excursions (a first epoch's glitch); returns the first index past
 * the active stretch (forward) or its first index (backward). */
static long scan_active(const double *x, long n, long i, int step, long limit, levels_t L, double P)
{
    long gap = (long)(0.1 * P);
    if (gap < 2) gap = 2;
    long last = i, j = i;
    for (;;) {
        long k = j + step;
        if (step > 0 ? (k >= n || k >= limit) : (k < 0 || k < limit))
            break;
        if (is_active(x[k], L))
            last = k;
        else if (labs(k - last) > gap)
            break;
        j = k;
    }
    return step > 0 ? last + 1 : last;
}

/* The regime's levels moved to the epoch next to s0 (after it, or before):
 * levels drift along a regime, and a first epoch is judged by the second. */
static levels_t local_levels(const double *x, size_t n, const regime_t *R, double s0, int after, double *scratch)
{
    levels_t L = {R->Lt, R->Lb};
    long P = (long)R->Pf, e0 = after ? (long)s0 : (long)(s0 - R->Pf);
    if (e0 < 0 || e0 + P > (long)n || P < 1)
        return L;
    double sh = median_of(x + e0, (size_t)P, scratch) - R->tmed;
    L.Lt += sh;
    L.Lb += sh;
    return L;
}

/* Integral over sample positions [a,b] of the linear interpolant of x. */
static double integrate(const double *x, size_t n, double a, double b)
{
    if (n == 0)
        return 0;
    double hi = (double)(n - 1);
    a = clampd(a, 0, hi);
    b = clampd(b, 0, hi);
    if (b <= a)
        return 0;
    if (n == 1)
        return x[0] * (b - a);
#define VAL(u) ((u) >= hi ? x[n - 1] : x[(size_t)(u)] + ((u) - floor(u)) * (x[(size_t)(u) + 1] - x[(size_t)(u)]))
    double s = 0, u = a;
    while (u < b) {
        double next = floor(u) + 1;
        if (next > b) next = b;
        s += 0.5 * (VAL(u) + VAL(next)) * (next - u);
        u = next;
    }
#undef VAL
    return s;
}

/* Split epoch [s,e) into its training and between-epoch phases: the change
 * point that best fits the two levels (moved to the epoch's own median),
 * refined to the crossing of their midpoint. Returns the split position. */
static double split_epoch(const double *x, size_t n, double s, double e, const regime_t *R, double *scratch)
{
    long i0 = (long)ceil(s), i1 = (long)ceil(e);
    if (i1 > (long)n) i1 = (long)n;
    if (i1 - i0 < 2)
        return 0.5 * (s + e);
    double sh = median_of(x + i0, (size_t)(i1 - i0), scratch) - R->tmed;
    double Lt = R->Lt + sh, Lb = R->Lb + sh, th = 0.5 * (Lt + Lb);
    /* cost(c) = sum_{i<c} (x-Lt)^2 + sum_{i>=c} (x-Lb)^2; start with all
     * between-epoch and move the split right */
    double cost = 0;
    for (long i = i0; i < i1; i++)
        cost += (x[i] - Lb) * (x[i] - Lb);
    double best = cost;
    long bc = i0;
    for (long i = i0; i < i1; i++) {
        cost += (x[i] - Lt) * (x[i] - Lt) - (x[i] - Lb) * (x[i] - Lb);
        if (cost < best) {
            best = cost;
            bc = i + 1;
        }
    }
    double c = (double)bc - 0.5;
    if (bc > i0 && bc < i1) {
        double a = x[bc - 1], b = x[bc];
        if ((a - th) * (b - th) <= 0 && a != b)
            c = (double)(bc - 1) + (th - a) / (b - a);
    } else if (bc <= i0)
        c = s;
    else
        c = e;
    return clampd(c, s, e);
}

/* --------------------------------------------------------------- assembly */

/* Levels and phases straight from the samples of x[a,b) (markers, hint):
 * two levels by Otsu, the between-epoch phase as in phase_model. */
static void levels_from_span(const double *x, size_t a, size_t b, regime_t *R, double *scratch)
{
    size_t L = b - a;
    R->th = otsu(x + a, L, scratch);
    double sh = 0, sl = 0;
    size_t nh = 0;
    for (size_t i = a; i < b; i++) {
        if (x[i] >= R->th) {
            sh += x[i];
            nh++;
        } else
            sl += x[i];
    }
    double hiL = nh ? sh / (double)nh : R->th, loL = nh < L ? sl / (double)(L - nh) : R->th;
    double fh = (double)nh / (double)L;
    int b_hi = fmin(fh, 1 - fh) < 0.35 && fh < 0.5;
    R->Lt = b_hi ? loL : hiL;
    R->Lb = b_hi ? hiL : loL;
    R->b_is_hi = b_hi;
    double fb = b_hi ? fh : 1 - fh;
    R->spike = fb < 0.15 || b_hi;
    R->tmed = median_of(x + a, L, scratch);
    R->have = 1;
}

/* Mean, sd, min, max of the finite values of v (phases of no length have no
 * power and are left out). */
static void stat_of(const double *vin, size_t nin, jc_stat *st, double *buf)
{
    memset(st, 0, sizeof *st);
    size_t n = 0;
    for (size_t i = 0; i < nin; i++)
        if (isfinite(vin[i]))
            buf[n++] = vin[i];
    const double *v = buf;
    if (!n)
        return;
    double s = 0, lo = v[0], hi = v[0];
    for (size_t i = 0; i < n; i++) {
        s += v[i];
        if (v[i] < lo) lo = v[i];
        if (v[i] > hi) hi = v[i];
    }
    double m = s / (double)n, q = 0;
    for (size_t i = 0; i < n; i++)
        q += (v[i] - m) * (v[i] - m);
    st->mean = m;
    st->std = n > 1 ? sqrt(q / (double)(n - 1)) : 0;
    st->min = lo;
    st->max = hi;
}

/* Fill out from epoch spans (full-resolution positions) and their regimes. */
/* Mean power of the phase [a, b) (sample positions). From the raw samples
 * when given, trimmed by the smoothing margin at both ends (while at least
 * two samples remain); else the integral of the smoothed signal. A phase of
 * no length has no power (NaN, left out of the statistics). */
static double phase_level(const double *x, size_t n, double a, double b, const jc_segment_opts *o)
{
    if (!(b - a > 1e-9))
        return NAN;
    if (o && o->raw) {
        double lo = ceil(a) + o->edge_margin, hi = floor(b) - o->edge_margin;
        if (hi > (double)(n - 1))
            hi = (double)(n - 1);
        if (hi - lo >= 1) {
            double sum = 0;
            for (size_t i = (size_t)lo; i <= (size_t)hi; i++)
                sum += o->raw[i];
            return sum / (hi - lo + 1);
        }
    }
    return integrate(x, n, a, b) / (b - a);
}

static int build_output(const jc_signal *sg, const span_t *sp, size_t nsp, const regime_t *rg, size_t nrg,
                        jc_segmentation *out, double *scratch, const jc_segment_opts *o)
{
    const double *x = sg->p;
    size_t n = sg->n;
    double dt = sg->dt, t0 = sg->t0, hi = (double)(n - 1);
    if (!nsp)
        return JC_OK;
    out->epochs = calloc(nsp, sizeof *out->epochs);
    out->regimes = calloc(nrg ? nrg : 1, sizeof *out->regimes);
    long *map = malloc((nrg ? nrg : 1) * sizeof *map);
    double *v = malloc(nsp * sizeof *v), *v2 = malloc(nsp * sizeof *v2);
    if (!out->epochs || !out->regimes || !map || !v || !v2) {
        free(map);
        free(v);
        free(v2);
        return jc_fail(JC_ERR_NOMEM, "jc_segment: out of memory for %zu epochs", nsp);
    }
    for (size_t i = 0; i < nrg; i++)
        map[i] = -1;
    for (size_t k = 0; k < nsp; k++) {
        const regime_t *R = &rg[sp[k].ri];
        double s = clampd(sp[k].s, 0, hi), e = clampd(sp[k].e, 0, hi);
        double c = split_epoch(x, n, s, e, R, scratch);
        jc_epoch *ep = &out->epochs[out->nepochs];
        ep->start_s = t0 + s * dt;
        ep->end_s = t0 + e * dt;
        ep->peak_s = (c - s) * dt;
        ep->valley_s = (e - c) * dt;
        ep->peak_power_w = phase_level(x, n, s, c, o);
        ep->valley_power_w = phase_level(x, n, c, e, o);
        /* A recording that stops mid-valley (or starts mid-peak) holds only
         * part of that phase: its length and level say nothing about the
         * epoch's. */
        if (k == 0 && s <= 1.0 && c > s) {
            ep->truncated = 1;
            ep->peak_power_w = NAN;
        }
        if (k + 1 == nsp && e >= hi - 1.0) {
            ep->truncated = 1;
            ep->valley_power_w = NAN;
            if (e - c <= 1e-9)  /* it stopped in the peak: that is the cut phase */
                ep->peak_power_w = NAN;
        }
        ep->energy_j = integrate(x, n, s, e) * dt;
        if (map[sp[k].ri] < 0) {
            map[sp[k].ri] = (long)out->nregimes;
            jc_regime *g = &out->regimes[out->nregimes++];
            g->first_epoch = out->nepochs;
            g->valley_is_spike = R->spike;
        }
        ep->regime = (int)map[sp[k].ri];
        out->regimes[ep->regime].nepochs++;
        out->nepochs++;
    }
    for (size_t q = 0; q < out->nregimes; q++) {
        jc_regime *g = &out->regimes[q];
        const jc_epoch *e0 = &out->epochs[g->first_epoch];
        const jc_epoch *e1 = &out->epochs[g->first_epoch + g->nepochs - 1];
        g->start_s = e0->start_s;
        g->end_s = e1->end_s;
        double pk = 0, vl = 0;
        size_t npk = 0, nvl = 0;
        for (size_t k = 0; k < g->nepochs; k++) {
            v[k] = e0[k].end_s - e0[k].start_s;
            if (isfinite(e0[k].peak_power_w)) {
                pk += e0[k].peak_power_w;
                npk++;
            }
            if (isfinite(e0[k].valley_power_w)) {
                vl += e0[k].valley_power_w;
                nvl++;
            }
        }
        g->peak_power_w = npk ? pk / (double)npk : NAN;
        g->valley_power_w = nvl ? vl / (double)nvl : NAN;
        g->period_s = median_of(v, g->nepochs, scratch);
    }
    out->active_start_s = out->epochs[0].start_s;
    out->active_end_s = out->epochs[out->nepochs - 1].end_s;
#define STAT(field, expr)                                 \
    do {                                                  \
        for (size_t k = 0; k < out->nepochs; k++)         \
            v[k] = (expr);                                \
        stat_of(v, out->nepochs, &out->field, v2);        \
    } while (0)
    STAT(peak_power_w, out->epochs[k].peak_power_w);
    /* a phase cut off by the end of the recording (no length) has no
     * duration to report either */
    STAT(peak_s, isfinite(out->epochs[k].peak_power_w) ? out->epochs[k].peak_s : NAN);
    STAT(valley_power_w, out->epochs[k].valley_power_w);
    STAT(valley_s, isfinite(out->epochs[k].valley_power_w) ? out->epochs[k].valley_s : NAN);
    STAT(epoch_s, out->epochs[k].truncated ? NAN : out->epochs[k].end_s - out->epochs[k].start_s);
    STAT(epoch_energy_j, out->epochs[k].truncated ? NAN : out->epochs[k].energy_j);
#undef STAT
    free(map);
    free(v);
    free(v2);
    return JC_OK;
}

/* --------------------------------------------------------------- detection */

typedef struct {
    /* decimated signal and work buffers, nd each unless noted */
    double *xd, *scratch, *w1, *w2, *r1, *r2, *r, *m, *cs /* nd+1 */, *O1, *O2, *o, *C, *pen;
    long *deq, *back;
    size_t *bb;
    size_t *cuts;
} dbufs;

static void dbufs_free(dbufs *b)
{
    free(b->xd);
    free(b->scratch);
    free(b->w1);
    free(b->w2);
    free(b->r1);
    free(b->r2);
    free(b->r);
    free(b->m);
    free(b->cs);
    free(b->O1);
    free(b->O2);
    free(b->o);
    free(b->C);
    free(b->pen);
    free(b->deq);
    free(b->back);
    free(b->bb);
    free(b->cuts);
}

static int is_cut(const size_t *cuts, size_t ncuts, size_t p)
{
    for (size_t i = 0; i < ncuts; i++)
        if (cuts[i] == p)
            return 1;
    return 0;
}

static double seg_mean(const double *x, size_t a, size_t b)
{
    return b > a ? mean_of(x + a, b - a) : 0;
}

/* The longest period that the step between two consecutive starts may
 * take as one epoch: that of either start's regime, and near a regime
 * boundary that of the regime after it too, since the boundary between
 * regimes is only known to within an epoch or so. */
static double pair_period(const regime_t *rg, size_t nrg, size_t D, const start_t *a, const start_t *b)
{
    double P = fmax(rg[a->ri].Pf, rg[b->ri].Pf);
    size_t q = a->ri + 1;
    if (q < nrg && b->s >= (double)(rg[q].a * D) - 2 * rg[q].Pf)
        P = fmax(P, rg[q].Pf);
    return P;
}

/* Steps 1-4 of the header comment: epoch spans in full-resolution samples
 * and the regimes they belong to (both malloc'd; zero spans when the signal
 * shows no periodic pattern). */
static int detect(const double *x, size_t n, double dt, const jc_segment_opts *o, regime_t **rgo, size_t *nrgo,
                  span_t **spo, size_t *nspo, double *fscratch)
{
    *rgo = NULL;
    *spo = NULL;
    *nrgo = *nspo = 0;
    double minP_s = o->min_period_s > 0 ? o->min_period_s : fmax(8 * dt, 4.0);
    size_t minLf = (size_t)ceil(minP_s / dt - 1e-9);
    if (minLf < 4) minLf = 4;
    size_t D = minLf / 4, Dn = (n + 16383) / 16384;
    if (D > Dn) D = Dn;
    if (D < 1) D = 1;
    size_t nd = n / D;
    if (nd < 16)
        return JC_OK;
    size_t minL = (minLf + D - 1) / D;
    if (minL < 4) minL = 4;
    size_t maxL = o->max_period_s > 0 ? (size_t)(o->max_period_s / dt / (double)D) : nd / 2;
    if (maxL < minL + 2)
        return JC_OK;

    dbufs B;
    memset(&B, 0, sizeof B);
    pieces segs = {0}, info = {0};
    regime_t *rg = NULL;
    beat_t *b1 = NULL, *b2 = NULL;
    start_t *st = NULL;
    span_t *sp = NULL;
    double *bf = NULL;
    size_t nrg = 0, nb1 = 0, nb2 = 0, nst = 0, nsp = 0, capsp = 0, ncuts = 0, maxcuts = 2 * nd + 2;
    int rc = JC_OK;

#define ALLOC(p, k) ((p) = malloc((k) * sizeof *(p)))
    if (!ALLOC(B.xd, nd) || !ALLOC(B.scratch, nd + 1) || !ALLOC(B.w1, nd + 1) || !ALLOC(B.w2, nd + 1) ||
        !ALLOC(B.r1, nd + 1) || !ALLOC(B.r2, nd + 1) || !ALLOC(B.r, nd + 1) || !ALLOC(B.m, nd) ||
        !ALLOC(B.cs, nd + 1) || !ALLOC(B.O1, nd) || !ALLOC(B.O2, nd) || !ALLOC(B.o, nd) || !ALLOC(B.C, nd) ||
        !ALLOC(B.pen, nd + 2) || !ALLOC(B.deq, nd + 1) || !ALLOC(B.back, nd) || !ALLOC(B.bb, nd) ||
        !ALLOC(B.cuts, maxcuts)) {
        rc = JC_ERR_NOMEM;
        goto done;
    }
#undef ALLOC
    for (size_t i = 0; i < nd; i++) {
        double s = 0;
        for (size_t k = 0; k < D; k++)
            s += x[i * D + k];
        B.xd[i] = s / (double)D;
    }
    pctx c = {B.xd, nd, minL, maxL, B.scratch, B.w1, B.w2, B.r1, B.r2, B.deq, 0};
    const double *xd = B.xd;

    /* 1-2: a first period sets the averaging window; split on level */
    period_est p0;
    if ((rc = regime_period(&c, 0, nd, maxL, &p0, B.r)))
        goto done;
    if (!(p0.P > 0))
        goto done;
    movavg(xd, nd, (size_t)floor(p0.P + 0.5), B.m, B.cs);
    B.cs[0] = 0;
    for (size_t i = 0; i < nd; i++)
        B.cs[i + 1] = B.cs[i] + B.m[i];
    size_t Lmin = (size_t)fmax(p0.P / 2, 3.0 * (double)minL);
    if ((rc = binseg(B.cs, 0, nd, Lmin, 0.05, &segs)))
        goto done;
    for (size_t i = 0; i < segs.n; i++) {
        piece *p = &segs.v[i];
        if ((rc = regime_period(&c, p->a, p->b, maxL, &p->pe, B.r)))
            goto done;
        p->ok = periodic_enough(&p->pe, p->b - p->a);
    }
    for (size_t i = 0; i < segs.n; i++)
        if ((rc = split_by_period(&c, &segs.v[i], &info, B.r, B.cuts, &ncuts, maxcuts)))
            goto done;
    /* neighbours with the same period and level: a split from drift */
    {
        size_t m = 0;
        for (size_t i = 0; i < info.n; i++) {
            piece *it = &info.v[i];
            if (m) {
                piece *pv = &info.v[m - 1];
                double lv = seg_mean(xd, it->a, it->b);
                if (pv->ok && it->ok && fabs(pv->pe.P - it->pe.P) < 0.06 * it->pe.P &&
                    fabs(seg_mean(xd, pv->a, pv->b) - lv) < 0.1 * fabs(lv)) {
                    pv->b = it->b;
                    if ((rc = regime_period(&c, pv->a, pv->b, maxL, &pv->pe, B.r)))
                        goto done;
                    pv->ok = periodic_enough(&pv->pe, pv->b - pv->a);
                    continue;
                }
            }
            info.v[m++] = *it;
        }
        info.n = m;
    }
    /* short non-periodic pieces (idle head, a transition dip) join the
     * shorter periodic neighbour */
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < info.n; i++) {
            if (info.v[i].ok)
                continue;
            long j = -1;
            if (i > 0 && info.v[i - 1].ok) j = (long)i - 1;
            if (i + 1 < info.n && info.v[i + 1].ok &&
                (j < 0 || info.v[i + 1].b - info.v[i + 1].a < info.v[j].b - info.v[j].a))
                j = (long)i + 1;
            if (j < 0)
                continue;
            if ((double)(info.v[i].b - info.v[i].a) <= 2 * info.v[j].pe.P) {
                if (info.v[i].a < info.v[j].a) info.v[j].a = info.v[i].a;
                if (info.v[i].b > info.v[j].b) info.v[j].b = info.v[i].b;
                memmove(&info.v[i], &info.v[i + 1], (info.n - i - 1) * sizeof *info.v);
                info.n--;
                changed = 1;
                break;
            }
        }
    }
    /* each periodic regime owns its core and the non-periodic pieces next to
     * it (split half-way when shared), so a first or last epoch is reachable */
    rg = calloc(info.n ? info.n : 1, sizeof *rg);
    if (!rg) {
        rc = JC_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < info.n; i++) {
        if (!info.v[i].ok)
            continue;
        regime_t *R = &rg[nrg++];
        R->a = info.v[i].a;
        R->b = info.v[i].b;
        R->P = info.v[i].pe.P;
        trim_edges(xd, R->a, R->b, &R->ca, &R->cb, B.scratch);
    }
    if (!nrg)
        goto done;
    for (size_t q = 0; q < nrg; q++) {
        rg[q].ea = q == 0 ? 0 : (rg[q - 1].b + rg[q].a) / 2;
        rg[q].eb = q == nrg - 1 ? nd : (rg[q].b + rg[q + 1].a) / 2;
        rg[q].lper = q > 0 && is_cut(B.cuts, ncuts, rg[q].a);
        rg[q].rper = q < nrg - 1 && is_cut(B.cuts, ncuts, rg[q].b);
    }

    /* 3: boundaries, first from rising edges ... */
    for (size_t i = 0; i < nd; i++)
        B.O1[i] = B.O2[i] = 0;
    B.cs[0] = 0;
    for (size_t i = 0; i < nd; i++)
        B.cs[i + 1] = B.cs[i] + xd[i];
    for (size_t q = 0; q < nrg; q++) {
        regime_t *R = &rg[q];
        size_t h = (size_t)fmax(1, floor(R->P / 8 + 0.5));
        rise(nd, h, B.cs, B.o);
        size_t k = (size_t)R->P, nt = 0;
        if (k < 1) k = 1;
        for (size_t i = R->a; i + k <= R->b; i += k) {
            double mx = B.o[i];
            for (size_t j = i; j < i + k; j++)
                if (B.o[j] > mx) mx = B.o[j];
            B.w1[nt++] = mx;
        }
        double sc = nt ? median_of(B.w1, nt, B.scratch) : 1;
        if (sc < 1e-12) sc = 1e-12;
        for (size_t i = R->ea; i < R->eb; i++)
            B.O1[i] = clampd(B.o[i] / sc, -2, 2) - 0.5;
    }
    dpws w = {B.C, B.pen, B.back, B.bb};
    if ((rc = dp_regimes(B.O1, nd, rg, nrg, &w, &b1, &nb1)))
        goto done;
    /* ... then from the fit of each regime's own epoch template */
    for (size_t q = 0; q < nrg; q++) {
        regime_t *R = &rg[q];
        size_t h = (size_t)floor(R->P / 2 + 0.5), L = 2 * h, used = 0;
        double *T = B.w2;
        if (h < 1)
            continue;
        for (size_t j = 0; j < L; j++)
            T[j] = 0;
        for (size_t i = 0; i < nb1; i++) {
            size_t t = b1[i].t;
            if (t < R->a || t >= R->b || t < h || t + h > nd)
                continue;
            for (size_t j = 0; j < L; j++)
                T[j] += xd[t - h + j];
            B.w1[used++] = (double)t;
        }
        if (used < 2) {
            for (size_t i = R->ea; i < R->eb; i++)
                B.O2[i] = B.O1[i] + 0.5 - 0.25;
            continue;
        }
        for (size_t j = 0; j < L; j++)
            T[j] /= (double)used;
        if ((rc = template_fit(xd, nd, T, h, R->ea, R->eb, B.o)))
            goto done;
        for (size_t i = 0; i < used; i++)
            B.r1[i] = B.o[(size_t)B.w1[i] - R->ea];
        double ob = median_of(B.r1, used, B.scratch);
        if (ob < 0.1) ob = 0.1;
        for (size_t i = R->ea; i < R->eb; i++)
            B.O2[i] = clampd(B.o[i - R->ea] / ob, -2, 2) - 0.25;
    }
    if ((rc = dp_regimes(B.O2, nd, rg, nrg, &w, &b2, &nb2)))
        goto done;

    /* 4: phases and epochs, at full resolution */
    bf = malloc((nb2 ? nb2 : 1) * sizeof *bf);
    st = malloc((nb2 ? nb2 : 1) * sizeof *st);
    if (!bf || !st) {
        rc = JC_ERR_NOMEM;
        goto done;
    }
    for (size_t q = 0; q < nrg; q++) {
        regime_t *R = &rg[q];
        R->Pf = R->P * (double)D;
        size_t nbq = 0;
        for (size_t i = 0; i < nb2; i++) {
            size_t t = b2[i].t, own = 0;
            long bestd = -1;
            for (size_t u = 0; u < nrg; u++) {
                long d = (long)rg[u].a - (long)t;
                long d2 = (long)t - (long)rg[u].b + 1;
                if (d2 > d) d = d2;
                if (d < 0) d = 0;
                if (bestd < 0 || d < bestd) {
                    bestd = d;
                    own = u;
                }
            }
            if (own == q)
                bf[nbq++] = (double)(t * D) + (double)(D - 1) / 2;
        }
        double phi_end = 0;
        if ((rc = phase_model(x, n, R, bf, nbq, &phi_end, fscratch)))
            goto done;
        if (!R->have)
            continue;
        size_t Pi = (size_t)(R->tdur + R->bdur);
        size_t ww = (size_t)fmin(R->bdur, (double)Pi - R->bdur) / 2;
        if (ww < 1) ww = 1;
        double last = -HUGE_VAL;
        for (size_t i = 0; i < nbq; i++) {
            double s0 = refine_edge(x, n, bf[i] + phi_end, R->Pf, R->th, !R->b_is_hi, fabs(R->Lt - R->Lb), ww);
            if (s0 - last < 0.5 * R->Pf)
                continue;
            st[nst].s = s0;
            st[nst++].ri = q;
            last = s0;
        }
    }
    qsort(st, nst, sizeof *st, cmp_start);
    {
        /* one start per boundary: regimes overlap at their edges */
        size_t m = 0;
        for (size_t i = 0; i < nst; i++) {
            if (m && st[i].s - st[m - 1].s < 0.5 * fmin(rg[st[i].ri].Pf, rg[st[m - 1].ri].Pf)) {
                const regime_t *Ri = &rg[st[i].ri], *Rm = &rg[st[m - 1].ri];
                int in_i = st[i].s >= (double)(Ri->a * D) && st[i].s < (double)(Ri->b * D);
                int in_m = st[m - 1].s >= (double)(Rm->a * D) && st[m - 1].s < (double)(Rm->b * D);
                if (in_i && !in_m)
                    st[m - 1] = st[i];
                continue;
            }
            st[m++] = st[i];
        }
        nst = m;
    }
    for (size_t k = 0; k < nst; k++) {
        const regime_t *R = &rg[st[k].ri];
        double s0 = st[k].s, P = R->Pf;
        levels_t LR = {R->Lt, R->Lb};
        span_t add[3];
        size_t na = 0;
        /* an epoch before the first start of a run of epochs */
        if (k == 0 || s0 - st[k - 1].s > 1.6 * pair_period(rg, nrg, D, &st[k - 1], &st[k])) {
            long w0 = (long)(s0 - P);
            if (w0 < 0) w0 = 0;
            levels_t LL = local_levels(x, n, R, s0, 1, fscratch);
            if (looks_like_epoch(x, w0, (long)s0, LL, R->tdur)) {
                long sa = scan_active(x, (long)n, (long)s0, -1, (long)(s0 - 1.5 * P), LL, P);
                double sf = (double)sa;
                if (nsp && sf < ceil(sp[nsp - 1].e)) sf = ceil(sp[nsp - 1].e);
                if (s0 - sf >= 1) {
                    add[na].s = sf;
                    add[na].e = s0;
                    add[na++].ri = st[k].ri;
                }
            }
        }
        if (k + 1 < nst && st[k + 1].s - s0 <= 1.6 * pair_period(rg, nrg, D, &st[k], &st[k + 1])) {
            add[na].s = s0;
            add[na].e = st[k + 1].s;
            add[na++].ri = st[k].ri;
        } else {
            long e1 = (long)(s0 + P);
            if (e1 > (long)n) e1 = (long)n;
            if (looks_like_epoch(x, (long)s0, e1, LR, R->tdur)) {
                long e = scan_active(x, (long)n, (long)s0, 1, (long)(s0 + P), LR, P);
                if ((double)e - s0 >= 0.5 * R->tdur) {
                    add[na].s = s0;
                    add[na].e = (double)e;
                    add[na++].ri = st[k].ri;
                }
            }
        }
        for (size_t i = 0; i < na; i++) {
            if (jc_grow((void **)&sp, &capsp, nsp + 1, sizeof *sp)) {
                rc = JC_ERR_NOMEM;
                goto done;
            }
            sp[nsp++] = add[i];
        }
    }
    *rgo = rg;
    *nrgo = nrg;
    rg = NULL;
    *spo = sp;
    *nspo = nsp;
    sp = NULL;
done:
    dbufs_free(&B);
    free(segs.v);
    free(info.v);
    free(rg);
    free(b1);
    free(b2);
    free(st);
    free(sp);
    free(bf);
    return rc;
}

/* ------------------------------------------------------------------- API */

void jc_segmentation_free(jc_segmentation *seg)
{
    if (!seg)
        return;
    free(seg->epochs);
    free(seg->regimes);
    memset(seg, 0, sizeof *seg);
}

/* Epochs between given boundary times (markers), levels from the samples. */
static int from_boundaries(const jc_signal *s, const double *tb, size_t nb, jc_segmentation *out, double *scratch,
                           const jc_segment_opts *o)
{
    const double *x = s->p;
    size_t n = s->n;
    double a = (tb[0] - s->t0) / s->dt, b = (tb[nb - 1] - s->t0) / s->dt;
    size_t ia = (size_t)clampd(floor(a), 0, (double)(n - 1)), ib = (size_t)clampd(ceil(b), 0, (double)(n - 1)) + 1;
    if (ib <= ia + 1)
        return JC_OK;
    regime_t R;
    memset(&R, 0, sizeof R);
    levels_from_span(x, ia, ib, &R, scratch);
    R.Pf = (b - a) / (double)(nb - 1);
    span_t *sp = malloc((nb - 1) * sizeof *sp);
    if (!sp)
        return jc_fail(JC_ERR_NOMEM, "jc_segment: out of memory");
    for (size_t k = 0; k + 1 < nb; k++) {
        sp[k].s = (tb[k] - s->t0) / s->dt;
        sp[k].e = (tb[k + 1] - s->t0) / s->dt;
        sp[k].ri = 0;
    }
    int rc = build_output(s, sp, nb - 1, &R, 1, out, scratch, o);
    free(sp);
    return rc;
}

/* ------------------------------------------------------------ few periods */

typedef struct {
    size_t a, b; /* [a, b): samples at or above the threshold */
    double level;
} run_t;

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* max / min of v[0..k), positive values */
static double spread(const double *v, size_t k)
{
    double lo = v[0], hi = v[0];
    for (size_t i = 1; i < k; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    return lo > 0 ? hi / lo : INFINITY;
}

/* A run too short for the autocorrelation (under about six epochs: step 2's
 * test needs 4.5 periods and an echo at twice the lag) can still be a plain
 * square wave: 3 to 8 blocks at the working level, alike in length and
 * level, with gaps alike in level between them. Found from the levels
 * (Otsu's threshold on the whole signal), then handed on as boundaries at
 * the start of each block, the last epoch closed one typical gap after its
 * block. Strict on purpose: it runs only where nothing periodic was found,
 * and a few bursts of load that merely look alike must not become epochs.
 * Returns the number of boundaries written to tb (0: not a square wave). */
static size_t few_periods(const jc_signal *sg, double *tb, size_t maxb, double *scratch)
{
    const double *x = sg->p;
    const size_t n = sg->n;
    enum { MAXRUNS = 8 };
    if (n < 16)
        return 0;
    double th = otsu(x, n, scratch);
    /* blocks above the threshold; dips of under 0.5 s (noise, a logging
     * stall) do not split one */
    size_t bridge = (size_t)ceil(0.5 / sg->dt);
    run_t r[MAXRUNS + 1];
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (x[i] < th) {
            i++;
            continue;
        }
        size_t a = i, b = i;
        for (;;) {
            while (b < n && x[b] >= th)
                b++;
            size_t g = b;
            while (g < n && x[g] < th && g - b <= bridge)
                g++;
            if (g < n && g - b <= bridge && x[g] >= th)
                b = g;
            else
                break;
        }
        i = b;
        if (a == 0 || b == n)
            continue; /* cut by the start or end of the trace: its length is unknown */
        if (k == MAXRUNS)
            return 0; /* more blocks than a short run has: not this case */
        r[k].a = a;
        r[k].b = b;
        r[k].level = mean_of(x + a, b - a);
        k++;
    }
    if (k < 3)
        return 0; /* one or two blocks say nothing about a period */
    double len[MAXRUNS], lvl[MAXRUNS], gap[MAXRUNS], glvl[MAXRUNS];
    for (size_t j = 0; j < k; j++) {
        len[j] = (double)(r[j].b - r[j].a);
        lvl[j] = r[j].level;
        if (j + 1 < k) {
            gap[j] = (double)(r[j + 1].a - r[j].b);
            glvl[j] = mean_of(x + r[j].b, r[j + 1].a - r[j].b);
        }
    }
    /* blocks alike in length (within 1.5x) and level (within 15 %), at least
     * 2 s; gaps shorter than the blocks, alike in level (within 25 %) */
    if (spread(len, k) > 1.5 || spread(lvl, k) > 1.15 || len[0] * sg->dt < 2)
        return 0;
    if (spread(glvl, k - 1) > 1.25)
        return 0;
    size_t gs[MAXRUNS];
    for (size_t j = 0; j + 1 < k; j++) {
        if (gap[j] >= len[j])
            return 0;
        gs[j] = (size_t)gap[j];
    }
    qsort(gs, k - 1, sizeof *gs, cmp_size);
    size_t typical_gap = gs[(k - 1) / 2];
    if (k + 1 > maxb)
        return 0;
    for (size_t j = 0; j < k; j++)
        tb[j] = sg->t0 + (double)r[j].a * sg->dt;
    size_t end = r[k - 1].b + typical_gap;
    if (end > n - 1)
        end = n - 1;
    tb[k] = sg->t0 + (double)end * sg->dt;
    return k + 1;
}

int jc_segment(const jc_signal *s, const jc_segment_opts *opts, jc_segmentation *out)
{
    if (!out)
        return jc_fail(JC_ERR_INVALID, "jc_segment: no output given");
    memset(out, 0, sizeof *out);
    if (!s)
        return jc_fail(JC_ERR_INVALID, "jc_segment: no signal given");
    if (s->n == 0 || !s->p)
        return jc_fail(JC_ERR_EMPTY, "jc_segment: the signal has no samples");
    if (!(s->dt > 0) || !isfinite(s->dt))
        return jc_fail(JC_ERR_INVALID, "jc_segment: grid step must be positive (dt = %g s)", s->dt);
    jc_segment_opts def;
    memset(&def, 0, sizeof def);
    const jc_segment_opts *o = opts ? opts : &def;
    if (o->min_period_s < 0 || o->max_period_s < 0 ||
        (o->max_period_s > 0 && o->min_period_s > 0 && o->max_period_s < o->min_period_s))
        return jc_fail(JC_ERR_INVALID, "jc_segment: bad period range [%g, %g] s", o->min_period_s,
                       o->max_period_s);
    out->active_start_s = out->active_end_s = s->t0;
    double *scratch = malloc((s->n + 1) * sizeof *scratch);
    if (!scratch)
        return jc_fail(JC_ERR_NOMEM, "jc_segment: out of memory for %zu samples", s->n);
    int rc = JC_OK;

    /* markers, when there are at least two inside the signal, are the truth */
    if (o->markers && o->nmarkers >= 2) {
        double *tb = malloc(o->nmarkers * sizeof *tb);
        size_t nb = 0;
        if (!tb) {
            free(scratch);
            return jc_fail(JC_ERR_NOMEM, "jc_segment: out of memory");
        }
        double lo = s->t0, hi = s->t0 + (double)(s->n - 1) * s->dt;
        for (size_t i = 0; i < o->nmarkers; i++)
            if (o->markers[i].t >= lo && o->markers[i].t <= hi)
                tb[nb++] = o->markers[i].t;
        qsort(tb, nb, sizeof *tb, cmp_double);
        if (nb >= 2) {
            rc = from_boundaries(s, tb, nb, out, scratch, o);
            if (!rc && out->nepochs)
                out->used_markers = 1;
        }
        free(tb);
        if (rc || out->nepochs) {
            free(scratch);
            if (rc)
                jc_segmentation_free(out);
            return rc;
        }
    }

    regime_t *rg = NULL;
    span_t *sp = NULL;
    size_t nrg = 0, nsp = 0;
    rc = detect(s->p, s->n, s->dt, o, &rg, &nrg, &sp, &nsp, scratch);
    if (rc) {
        free(scratch);
        return jc_fail(rc, "jc_segment: out of memory segmenting %zu samples", s->n);
    }
    rc = build_output(s, sp, nsp, rg, nrg, out, scratch, o);
    free(rg);
    free(sp);

    /* too few periods for the autocorrelation: a plain square wave of 3 to
     * 8 epochs is still found from its levels */
    if (!rc && out->nepochs == 0) {
        double tb[10];
        size_t nb = few_periods(s, tb, 10, scratch);
        if (nb >= 2) {
            jc_segmentation_free(out);
            memset(out, 0, sizeof *out);
            out->active_start_s = out->active_end_s = s->t0;
            rc = from_boundaries(s, tb, nb, out, scratch, o);
            if (!rc && out->nepochs)
                out->used_levels = 1;
        }
    }

    /* nothing periodic, but the caller knows how many epochs ran: spread
     * them evenly over the span where the power is at the working level */
    if (!rc && out->nepochs == 0 && o->epochs_hint > 0 && s->n >= 2) {
        double th = otsu(s->p, s->n, scratch);
        size_t a = 0, b = s->n - 1;
        while (a < b && s->p[a] < th)
            a++;
        while (b > a && s->p[b] < th)
            b--;
        size_t k = (size_t)o->epochs_hint;
        if (b > a) {
            double *tb = malloc((k + 1) * sizeof *tb);
            if (!tb)
                rc = jc_fail(JC_ERR_NOMEM, "jc_segment: out of memory");
            else {
                for (size_t i = 0; i <= k; i++)
                    tb[i] = s->t0 + ((double)a + (double)(b - a) * (double)i / (double)k) * s->dt;
                rc = from_boundaries(s, tb, k + 1, out, scratch, o);
                if (!rc && out->nepochs)
                    out->used_hint = 1;
                free(tb);
            }
        }
    }
    free(scratch);
    if (rc)
        jc_segmentation_free(out);
    return rc;
}
