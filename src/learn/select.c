/* learn/select.c: feature selection as the first seed does it (section
 * 4.4.2, Table 2): Pearson's r with its two-sided p-value, computed as
 * scipy.stats.pearsonr does, and the k-nearest-neighbour mutual information
 * of scikit-learn's mutual_info_regression (Kraskov et al. 2004 for two
 * continuous variables, Ross 2014 for a discrete feature), then the seed's
 * threshold rule.
 *
 * Matching scikit-learn bit for bit needs three of its details, each kept
 * here on purpose and explained where it is done: the 1e-10 noise comes from
 * numpy's legacy RandomState (MT19937 + polar Gaussian), so the same seed
 * gives the same noise as random_state; the neighbour radius is the k-th
 * distance moved one ulp down, so "closer than" is strict; and small groups
 * of a discrete feature get their distances from the |a|^2 - 2ab + |b|^2
 * expansion scikit-learn's brute-force search uses there. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/learn.h"

/* ---- numpy's legacy RandomState stream ---------------------------------
 * MT19937 (Matsumoto and Nishimura 1998) seeded as init_genrand, doubles from
 * two 32-bit words (27 + 26 bits), and Marsaglia's polar method keeping the
 * second value of each pair for the next call: what
 * numpy.random.RandomState(seed).standard_normal draws. */

#define MT_N 624
#define MT_M 397

typedef struct {
    uint32_t mt[MT_N];
    int pos;
    int has_spare;
    double spare;
} np_legacy_rng;

static void mt_seed(np_legacy_rng *g, uint32_t seed)
{
    g->mt[0] = seed;
    for (int i = 1; i < MT_N; i++)
        g->mt[i] = 1812433253u * (g->mt[i - 1] ^ (g->mt[i - 1] >> 30)) + (uint32_t)i;
    g->pos = MT_N;
    g->has_spare = 0;
    g->spare = 0;
}

/* Regenerate the whole state block (the "twist"). */
static void mt_twist(np_legacy_rng *g)
{
    for (int i = 0; i < MT_N; i++) {
        uint32_t y = (g->mt[i] & 0x80000000u) | (g->mt[(i + 1) % MT_N] & 0x7fffffffu);
        uint32_t v = g->mt[(i + MT_M) % MT_N] ^ (y >> 1);
        g->mt[i] = (y & 1u) ? v ^ 0x9908b0dfu : v;
    }
    g->pos = 0;
}

static uint32_t mt_next(np_legacy_rng *g)
{
    if (g->pos >= MT_N)
        mt_twist(g);
    uint32_t y = g->mt[g->pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

static double mt_double(np_legacy_rng *g)
{
    uint32_t a = mt_next(g) >> 5, b = mt_next(g) >> 6;
    return ((double)a * 67108864.0 + (double)b) / 9007199254740992.0;
}

static double np_standard_normal(np_legacy_rng *g)
{
    if (g->has_spare) {
        g->has_spare = 0;
        return g->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * mt_double(g) - 1.0;
        v = 2.0 * mt_double(g) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    g->spare = f * u;
    g->has_spare = 1;
    return f * v;
}

/* ---- special functions ---- */

/* The digamma function for x > 0: the recurrence psi(x) = psi(x + 1) - 1/x
 * up to x >= 10, then the asymptotic series, whose first omitted term is
 * below 1e-15 there. Only ever called with counts (integers >= 1). */
static double digamma(double x)
{
    double acc = 0;
    while (x < 10) {
        acc -= 1.0 / x;
        x += 1;
    }
    double f = 1.0 / (x * x);
    double tail = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 - f * (691.0 / 32760))))));
    return acc + log(x) - 0.5 / x - tail;
}

/* The continued fraction of I_x(a, b) (the one whose m-th coefficients are
 * d_2m = m(b-m)x / ((a+2m-1)(a+2m)), d_2m+1 = -(a+m)(a+b+m)x / ((a+2m)(a+2m+1))),
 * evaluated by the modified Lentz method. It converges fast for
 * x < (a+1)/(a+b+2); the caller uses the symmetry otherwise. */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
    if (fabs(d) < tiny)
        d = tiny;
    d = 1.0 / d;
    double f = d;
    for (int m = 1; m <= 100000; m++) {
        double dm = m;
        for (int odd = 0; odd < 2; odd++) {
            double coef = odd ? -(a + dm) * (a + b + dm) * x / ((a + 2 * dm) * (a + 2 * dm + 1))
                              : dm * (b - dm) * x / ((a + 2 * dm - 1) * (a + 2 * dm));
            d = 1.0 + coef * d;
            if (fabs(d) < tiny)
                d = tiny;
            c = 1.0 + coef / c;
            if (fabs(c) < tiny)
                c = tiny;
            d = 1.0 / d;
            f *= c * d;
            if (odd && fabs(c * d - 1.0) < 1e-15)
                return f;
        }
    }
    return f; /* not reached for the a, b a p-value needs */
}

double jc_beta_inc(double a, double b, double x)
{
    if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1))
        return NAN;
    if (x == 0 || x == 1)
        return x;
    /* the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) keeps the fraction in its
     * fast region, and the small tail is computed directly, never as 1 - big */
    if (x > (a + 1) / (a + b + 2))
        return 1.0 - jc_beta_inc(b, a, 1.0 - x);
    double lbeta = lgamma(a) + lgamma(b) - lgamma(a + b);
    double front = exp(a * log(x) + b * log1p(-x) - lbeta) / a;
    return front * beta_cf(a, b, x);
}

/* ---- Pearson ---- */

void jc_pearson(const double *x, const double *y, size_t n, double *r, double *p_value)
{
    *r = *p_value = NAN;
    if (n < 2)
        return;
    /* scipy: a constant input has no correlation (NaN, NaN) */
    int xconst = 1, yconst = 1;
    for (size_t i = 1; i < n; i++) {
        xconst &= x[i] == x[0];
        yconst &= y[i] == y[0];
    }
    if (xconst || yconst)
        return;
    if (n == 2) {
        /* two points always lie on a line: r = +-1 and, as scipy says, p = 1 */
        double sx = x[1] > x[0] ? 1 : x[1] < x[0] ? -1 : 0;
        double sy = y[1] > y[0] ? 1 : y[1] < y[0] ? -1 : 0;
        *r = sx * sy;
        *p_value = 1.0;
        return;
    }
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    double sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = x[i] - mx, dy = y[i] - my;
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    double rr = sxy / (sqrt(sxx) * sqrt(syy));
    rr = rr > 1 ? 1 : rr < -1 ? -1 : rr;
    *r = rr;
    /* Under independence r follows Beta(n/2 - 1, n/2 - 1) on (-1, 1), and
     * p = 2 sf(|r|). scipy evaluates sf at (|r| + 1) / 2; taking the
     * complement 1 - that (exact) keeps its rounding, which matters when |r|
     * is close to 1 and the tail is steep. */
    double ab = (double)n / 2 - 1;
    double t = (fabs(rr) + 1.0) / 2.0;
    double p = 2.0 * jc_beta_inc(ab, ab, 1.0 - t);
    *p_value = p > 1 ? 1 : p;
}

/* ---- mutual information ---- */

static int cmp_double(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return (u > v) - (u < v);
}

/* Row order of a pair of columns, sorted by the first (then the second). */
typedef struct {
    double a, b;
} pair;

static int cmp_pair(const void *pa, const void *pb)
{
    const pair *u = pa, *v = pb;
    if (u->a != v->a)
        return (u->a > v->a) - (u->a < v->a);
    return (u->b > v->b) - (u->b < v->b);
}

/* Keep best[0..k) the k smallest values seen, ascending. */
static void keep_smallest(double *best, int k, double d)
{
    if (!(d < best[k - 1]))
        return;
    int i = k - 1;
    while (i > 0 && best[i - 1] > d) {
        best[i] = best[i - 1];
        i--;
    }
    best[i] = d;
}

/* Number of sorted[0..n) within radius of v by the test within(v, s, r),
 * which must hold on a contiguous run around v's place in the order (true
 * for |v - s| <= r and (v - s)^2 <= r^2 alike: both only grow with the
 * distance in the sorted order). Two binary searches, from v's place out. */
typedef int (*within_fn)(double v, double s, double r);

static int within_abs(double v, double s, double r) { return fabs(v - s) <= r; }
static int within_sq(double v, double s, double r)
{
    double d = v - s;
    return d * d <= r * r;
}

static size_t count_within(const double *sorted, size_t n, double v, double r, within_fn in)
{
    /* first index with sorted[i] >= v */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t at = lo;
    /* left edge: smallest i <= at with every sorted[i..at) within */
    size_t a = 0, b = at;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (in(v, sorted[mid], r))
            b = mid;
        else
            a = mid + 1;
    }
    size_t left = a;
    /* right edge: first i >= at that is not within */
    a = at;
    b = n;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (in(v, sorted[mid], r))
            a = mid + 1;
        else
            b = mid;
    }
    return a - left;
}

/* Kraskov et al.'s first estimator for two continuous columns:
 * psi(n) + psi(k) - <psi(nx + 1)> - <psi(ny + 1)>, where the radius of a
 * point is its k-th neighbour's distance in the max-norm over (x, y), and
 * nx, ny count the other points strictly closer than it in x, in y.
 * Neighbours are found by walking out from each point in x order, stopping
 * a side once its x gap alone exceeds the k-th best (exact, not approximate). */
static double mi_continuous(const double *x, const double *y, size_t n, int k, double *work)
{
    pair *pts = (pair *)work;                 /* n pairs */
    double *xs = work + 2 * n, *ys = xs + n;  /* sorted copies */
    double *best = ys + n;                    /* k */
    for (size_t i = 0; i < n; i++) {
        pts[i].a = x[i];
        pts[i].b = y[i];
        xs[i] = x[i];
        ys[i] = y[i];
    }
    qsort(pts, n, sizeof *pts, cmp_pair);
    qsort(xs, n, sizeof *xs, cmp_double);
    qsort(ys, n, sizeof *ys, cmp_double);
    double sum_x = 0, sum_y = 0;
    for (size_t i = 0; i < n; i++) {
        for (int q = 0; q < k; q++)
            best[q] = INFINITY;
        double xi = pts[i].a, yi = pts[i].b;
        size_t l = i, r = i + 1; /* next candidates: l - 1 and r */
        for (;;) {
            int has_l = l > 0, has_r = r < n;
            if (!has_l && !has_r)
                break;
            int left = has_l && (!has_r || xi - pts[l - 1].a <= pts[r].a - xi);
            size_t j = left ? l - 1 : r;
            double dx = fabs(xi - pts[j].a);
            if (dx > best[k - 1])
                break; /* the nearer side is out of reach, so both are */
            double dy = fabs(yi - pts[j].b);
            keep_smallest(best, k, dx > dy ? dx : dy);
            if (left)
                l--;
            else
                r++;
        }
        /* scikit-learn counts distances <= the radius moved one ulp down */
        double radius = nextafter(best[k - 1], 0);
        size_t nx = count_within(xs, n, xi, radius, within_abs) - 1;
        size_t ny = count_within(ys, n, yi, radius, within_abs) - 1;
        sum_x += digamma((double)nx + 1);
        sum_y += digamma((double)ny + 1);
    }
    double mi = digamma((double)n) + digamma(k) - sum_x / (double)n - sum_y / (double)n;
    return mi > 0 ? mi : 0;
}

/* k-th smallest distance from c[i] to the others of a group c[0..m), as
 * scikit-learn's brute-force search computes distances: the square from the
 * expansion c_i^2 - 2 c_i c_j + c_j^2, clamped at 0, then the root. Its
 * rounding moves the radius by a relative 1e-12 or so, enough to change
 * which points count, so it is reproduced rather than improved on. */
static double kth_brute(const double *c, size_t m, size_t i, int k, double *best)
{
    for (int q = 0; q < k; q++)
        best[q] = INFINITY;
    double xn = c[i] * c[i];
    for (size_t j = 0; j < m; j++) {
        if (j == i)
            continue;
        double mid = -2.0 * (c[i] * c[j]);
        double d2 = (xn + mid) + c[j] * c[j];
        keep_smallest(best, k, sqrt(d2 > 0 ? d2 : 0));
    }
    return best[k - 1];
}

/* The same from a sorted group with exact distances |c_i - c_j| (what the
 * k-d tree search returns), walking out from i. */
static double kth_sorted(const double *c, size_t m, size_t i, int k, double *best)
{
    for (int q = 0; q < k; q++)
        best[q] = INFINITY;
    size_t l = i, r = i + 1;
    for (;;) {
        int has_l = l > 0, has_r = r < m;
        if (!has_l && !has_r)
            break;
        double dl = has_l ? fabs(c[i] - c[l - 1]) : INFINITY;
        double dr = has_r ? fabs(c[i] - c[r]) : INFINITY;
        double d = dl <= dr ? dl : dr;
        if (d > best[k - 1])
            break;
        keep_smallest(best, k, d);
        if (dl <= dr)
            l--;
        else
            r++;
    }
    return best[k - 1];
}

/* Ross (2014) for a discrete feature d and a continuous c:
 * psi(N) + <psi(k_i)> - <psi(N_label)> - <psi(m_i)>, where a point's radius
 * is its k-th neighbour's distance within its own label (k_i = min(k,
 * N_label - 1)) and m_i counts all points (itself included) strictly closer
 * in c. Points whose label occurs once are left out, as scikit-learn does. */
static double mi_discrete(const double *c, const double *d, size_t n, int k, double *work)
{
    pair *pts = (pair *)work;     /* (label, c), sorted: groups are runs */
    double *cv = work + 2 * n;    /* c of the kept points, group by group */
    double *radius = cv + n;      /* their radii, in the same order */
    double *cs = radius + n;      /* cv sorted, for counting */
    double *best = cs + n;        /* k */
    for (size_t i = 0; i < n; i++) {
        pts[i].a = d[i];
        pts[i].b = c[i];
    }
    qsort(pts, n, sizeof *pts, cmp_pair);
    size_t kept = 0;
    double sum_k = 0, sum_label = 0;
    for (size_t g0 = 0; g0 < n;) {
        size_t g1 = g0 + 1;
        while (g1 < n && pts[g1].a == pts[g0].a)
            g1++;
        size_t m = g1 - g0;
        if (m > 1) {
            int kk = (size_t)k < m - 1 ? k : (int)(m - 1);
            /* scikit-learn's NearestNeighbors goes brute force when
             * k >= m // 2, a k-d tree otherwise */
            int brute = (size_t)kk >= m / 2;
            for (size_t i = 0; i < m; i++)
                cv[kept + i] = pts[g0 + i].b;
            for (size_t i = 0; i < m; i++) {
                double dk = brute ? kth_brute(cv + kept, m, i, kk, best) : kth_sorted(cv + kept, m, i, kk, best);
                radius[kept + i] = nextafter(dk, 0);
            }
            sum_k += (double)m * digamma(kk);
            sum_label += (double)m * digamma((double)m);
            kept += m;
        }
        g0 = g1;
    }
    if (kept == 0)
        return 0; /* every label unique: scikit-learn's NaN, clipped to 0 */
    memcpy(cs, cv, kept * sizeof *cs);
    qsort(cs, kept, sizeof *cs, cmp_double);
    double sum_m = 0;
    for (size_t i = 0; i < kept; i++)
        sum_m += digamma((double)count_within(cs, kept, cv[i], radius[i], within_sq));
    double N = (double)kept;
    double mi = digamma(N) + sum_k / N - sum_label / N - sum_m / N;
    return mi > 0 ? mi : 0;
}

/* Sums in numpy's order. Where the distances come from the expansion above,
 * an ulp in a scaled value can change a count, so the scaling below must
 * round as numpy's does: a 1-D sum (the target, or a lone continuous
 * feature) is numpy's pairwise sum (blocks of up to 128 added in 8 running
 * partial sums), a column of a wider block is summed row by row. */
static double np_pairwise_sum(const double *a, size_t n)
{
    if (n < 8) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += a[i];
        return s;
    }
    if (n <= 128) {
        double r[8];
        for (int j = 0; j < 8; j++)
            r[j] = a[j];
        size_t i = 8;
        for (; i < n - n % 8; i += 8)
            for (int j = 0; j < 8; j++)
                r[j] += a[i + j];
        double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            s += a[i];
        return s;
    }
    size_t half = n / 2;
    half -= half % 8;
    return np_pairwise_sum(a, half) + np_pairwise_sum(a + half, n - half);
}

static double np_sum(const double *a, size_t n, int pairwise)
{
    if (pairwise)
        return np_pairwise_sum(a, n);
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i];
    return s;
}

/* x / population sd (ddof 0), then + 1e-10 * max(1, mean |x|) * z: what
 * sklearn.preprocessing.scale(with_mean=False) and the noise step of
 * mutual_info_regression do to a continuous column. A (near) constant column
 * is left unscaled, as scikit-learn does below 10 machine epsilons. tmp
 * holds m values. */
static void scale_and_jitter(double *v, size_t m, const double *z, int pairwise, double *tmp)
{
    double mean = np_sum(v, m, pairwise) / (double)m;
    for (size_t i = 0; i < m; i++)
        tmp[i] = (v[i] - mean) * (v[i] - mean);
    double sd = sqrt(np_sum(tmp, m, pairwise) / (double)m);
    if (sd < 10 * 2.220446049250313e-16)
        sd = 1;
    for (size_t i = 0; i < m; i++) {
        v[i] /= sd;
        tmp[i] = fabs(v[i]);
    }
    double mabs = np_sum(tmp, m, pairwise) / (double)m;
    double amp = 1e-10 * (mabs > 1 ? mabs : 1);
    for (size_t i = 0; i < m; i++)
        v[i] += amp * z[i];
}

void jc_mi_opts_init(jc_mi_opts *o)
{
    memset(o, 0, sizeof *o);
    o->k = 5;
    o->seed = 42;
}

int jc_mutual_info(const double *x, size_t n, size_t p, const double *y, const jc_mi_opts *o, double *mi)
{
    if (o->k < 1)
        return jc_fail(JC_ERR_INVALID, "mutual information: k must be at least 1, got %d", o->k);
    size_t ncont = 0;
    for (size_t j = 0; j < p; j++)
        ncont += !(o->discrete && o->discrete[j]);
    /* the noise is drawn as scikit-learn draws it, whatever is missing:
     * an n x ncont block row by row for the continuous features, then n for
     * the target; a feature uses the rows it keeps */
    double *zx = malloc((n * ncont + 1) * sizeof *zx), *zy = malloc((n + 1) * sizeof *zy);
    double *xv = malloc((n + 1) * sizeof *xv), *yv = malloc((n + 1) * sizeof *yv);
    double *zxk = malloc((n + 1) * sizeof *zxk), *zyk = malloc((n + 1) * sizeof *zyk);
    double *tmp = malloc((n + 1) * sizeof *tmp);
    /* neighbour scratch: 4n + k doubles for a continuous feature, 5n + k for
     * a discrete one */
    double *work = malloc((5 * n + (size_t)o->k + 1) * sizeof *work);
    np_legacy_rng *g = malloc(sizeof *g);
    int rc = JC_OK;
    if (!zx || !zy || !xv || !yv || !zxk || !zyk || !tmp || !work || !g) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
        goto done;
    }
    mt_seed(g, o->seed);
    for (size_t i = 0; i < n * ncont; i++)
        zx[i] = np_standard_normal(g);
    for (size_t i = 0; i < n; i++)
        zy[i] = np_standard_normal(g);
    size_t cj = 0; /* index among the continuous features */
    for (size_t j = 0; j < p; j++) {
        int discrete = o->discrete && o->discrete[j];
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            double a = x[i * p + j];
            if (!isfinite(a) || !isfinite(y[i]))
                continue; /* a missing cell drops the row for this pair only */
            xv[m] = a;
            yv[m] = y[i];
            zxk[m] = discrete ? 0 : zx[i * ncont + cj];
            zyk[m] = zy[i];
            m++;
        }
        if (discrete) {
            if (m == 0) {
                mi[j] = NAN;
            } else {
                scale_and_jitter(yv, m, zyk, 1, tmp);
                mi[j] = mi_discrete(yv, xv, m, o->k, work);
            }
        } else {
            if (m <= (size_t)o->k) {
                mi[j] = NAN; /* fewer than k + 1 rows: no k neighbours */
            } else {
                scale_and_jitter(xv, m, zxk, ncont == 1, tmp);
                scale_and_jitter(yv, m, zyk, 1, tmp);
                mi[j] = mi_continuous(xv, yv, m, o->k, work);
            }
            cj++;
        }
    }
done:
    free(zx);
    free(zy);
    free(xv);
    free(yv);
    free(zxk);
    free(zyk);
    free(tmp);
    free(work);
    free(g);
    return rc;
}

/* ---- the seed's selection ---- */

void jc_select_opts_init(jc_select_opts *o)
{
    memset(o, 0, sizeof *o);
    o->threshold = 0.3;
    o->rule = JC_SELECT_EITHER;
    jc_mi_opts_init(&o->mi);
}

const char *jc_select_rule_name(jc_select_rule rule)
{
    switch (rule) {
    case JC_SELECT_EITHER: return "either";
    case JC_SELECT_BOTH: return "both";
    case JC_SELECT_PEARSON: return "pearson";
    case JC_SELECT_MI: return "mi";
    }
    return "?";
}

int jc_select_rule_parse(const char *name)
{
    static const char *const names[] = {"either", "both", "pearson", "mi"};
    for (int i = 0; i < 4; i++)
        if (name && strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

/* "larger than the threshold", as the seed words it; NaN never passes */
static int passes(const jc_select_opts *o, double r, double mi)
{
    int by_r = fabs(r) > o->threshold, by_mi = mi > o->threshold;
    switch (o->rule) {
    case JC_SELECT_EITHER: return by_r || by_mi;
    case JC_SELECT_BOTH: return by_r && by_mi;
    case JC_SELECT_PEARSON: return by_r;
    case JC_SELECT_MI: return by_mi;
    }
    return 0;
}

/* log of a column in place; NaN stays NaN (missing) */
static int log_column(double *v, size_t n, size_t stride, const char *what, size_t j)
{
    for (size_t i = 0; i < n; i++) {
        double a = v[i * stride];
        if (isnan(a))
            continue;
        if (!(a > 0))
            return jc_fail(JC_ERR_INVALID, "select: log of %s %zu: row %zu holds %g, not a positive number",
                           what, j + 1, i + 1, a);
        v[i * stride] = log(a);
    }
    return JC_OK;
}

int jc_select_features(const double *x, size_t n, size_t p, const double *y, const jc_select_opts *o,
                       jc_feature_score *out)
{
    double *xt = malloc((n * p + 1) * sizeof *xt), *yt = malloc((n + 1) * sizeof *yt);
    double *a = malloc((n + 1) * sizeof *a), *b = malloc((n + 1) * sizeof *b);
    double *mi = malloc((p + 1) * sizeof *mi);
    int rc = JC_OK;
    if (!xt || !yt || !a || !b || !mi) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
        goto done;
    }
    memcpy(xt, x, n * p * sizeof *xt);
    memcpy(yt, y, n * sizeof *yt);
    for (size_t j = 0; j < p && rc == JC_OK; j++)
        if (o->log && o->log[j])
            rc = log_column(xt + j, n, p, "feature", j);
    if (rc == JC_OK && o->log_target)
        rc = log_column(yt, n, 1, "the target", 0);
    if (rc == JC_OK)
        rc = jc_mutual_info(xt, n, p, yt, &o->mi, mi);
    if (rc != JC_OK)
        goto done;
    for (size_t j = 0; j < p; j++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(xt[i * p + j]) && isfinite(yt[i])) {
                a[m] = xt[i * p + j];
                b[m] = yt[i];
                m++;
            }
        jc_feature_score *s = &out[j];
        s->n = m;
        jc_pearson(a, b, m, &s->r, &s->p_value);
        s->mi = mi[j];
        s->selected = passes(o, s->r, s->mi);
    }
done:
    free(xt);
    free(yt);
    free(a);
    free(b);
    free(mi);
    return rc;
}
