/* dispatch/exact.c: the optimum of a small problem without any LP, to hold
 * the MILP to (tests). Every level sequence that meets the deadline is tried;
 * for each, the battery's best dispatch is found exactly:
 *
 * Given the storage levels S_0..S_T, hour t's cheapest cost depends only on
 * the change D_t = S_{t+1} - keep * S_t: the battery charges D/alpha from the
 * bus or delivers -beta * D to it (never both: cycling only burns energy and
 * the cost is non-decreasing in the energy drawn, prices being >= 0), PV
 * covers what it can, the rest is bought, or sold up to the export limit and
 * the remainder curtailed. So the cost is a sum of piecewise-linear functions
 * g_t(D_t) whose breakpoints are known. The minimum of such a sum over the box
 * of storage bounds lies at a vertex of the cells the breakpoints cut it
 * into: a point where each storage level is fixed either by a bound or,
 * through a chain of hours sitting at breakpoints, by a neighbour that is.
 * Enumerating those chains (blocks of consecutive hours, each anchored at one
 * bound) visits every vertex, hence the exact minimum, in plain arithmetic.
 *
 * Exponential in the hours: for at most 6 hours and 4 choices per hour. It
 * needs an export limit of at least the discharge limit, so that the battery
 * never has to shed energy it cannot sell (documented, checked). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/dispatch_internal.h"

#define MAXT 6
#define MAXBP 8

typedef struct {
    const jc_dispatch_problem *p;
    jc_dispatch_bounds b;
    double load[MAXT];          /* GPU energy of each hour in this sequence */
    double bp[MAXT][MAXBP];     /* breakpoints of g_t in D */
    int nbp[MAXT];
    double lo, hi;              /* bounds of D from the battery's limits */
    double S[MAXT + 1];
    double best;
} exact_state;

/* Hour t's cost (EUR) for storage change d; INFINITY when infeasible. */
static double hour_cost(const exact_state *s, int t, double d)
{
    const jc_dispatch_problem *p = s->p;
    if (d < s->lo - 1e-9 || d > s->hi + 1e-9)
        return INFINITY;
    double m = d >= 0 ? d / s->b.alpha : d * s->b.beta; /* bus energy into the battery */
    double n = s->load[t] + m - p->pv_wh[t];             /* grid need with all PV used */
    if (n >= 0) {
        if (n > p->grid.max_import_w + 1e-9)
            return INFINITY;
        return n * p->buy_eur_per_kwh[t] / 1000.0;
    }
    if (s->load[t] + m < -p->grid.max_export_w - 1e-9)
        return INFINITY; /* more than can be sold even with all PV curtailed */
    return -fmin(-n, p->grid.max_export_w) * p->sell_eur_per_kwh[t] / 1000.0;
}

static void add_bp(exact_state *s, int t, double m)
{
    /* the storage change d at which the bus flow into the battery is m */
    double d = m >= 0 ? m * s->b.alpha : m / s->b.beta;
    if (d >= s->lo - 1e-12 && d <= s->hi + 1e-12 && s->nbp[t] < MAXBP)
        s->bp[t][s->nbp[t]++] = fmin(s->hi, fmax(s->lo, d));
}

static void breakpoints(exact_state *s, int t)
{
    const jc_dispatch_problem *p = s->p;
    double L = s->load[t], G = p->pv_wh[t];
    s->nbp[t] = 0;
    s->bp[t][s->nbp[t]++] = s->lo;
    s->bp[t][s->nbp[t]++] = s->hi;
    add_bp(s, t, 0.0);                                  /* charge/discharge kink */
    add_bp(s, t, G - L);                                /* grid need crosses 0 */
    if (isfinite(p->grid.max_import_w))
        add_bp(s, t, p->grid.max_import_w + G - L);     /* import limit */
    if (isfinite(p->grid.max_export_w)) {
        add_bp(s, t, -p->grid.max_export_w + G - L);    /* curtailment starts */
        add_bp(s, t, -p->grid.max_export_w - L);        /* nothing left to curtail */
    }
}

static double soc_lo(const exact_state *s, int node)
{
    return node == (int)s->p->hours ? s->b.soc_end_min : s->b.soc_min;
}

static void evaluate(exact_state *s)
{
    int T = (int)s->p->hours;
    double cost = 0;
    for (int t = 0; t < T; t++) {
        double v = s->S[t + 1];
        if (v < soc_lo(s, t + 1) - 1e-9 || v > s->b.soc_max + 1e-9)
            return;
        cost += hour_cost(s, t, v - s->b.keep * s->S[t]);
    }
    /* no pruning on partial sums: later hours can earn (negative costs) */
    if (cost < s->best)
        s->best = cost;
}

static void next_block(exact_state *s, int a);

/* Fill the edges of block [a, b] outward from its anchor j, then go on. */
static void fill_back(exact_state *s, int a, int b, int j, int i);
static void fill_fwd(exact_state *s, int a, int b, int i)
{
    if (i == b) {
        next_block(s, b + 1);
        return;
    }
    for (int k = 0; k < s->nbp[i]; k++) {
        s->S[i + 1] = s->b.keep * s->S[i] + s->bp[i][k];
        fill_fwd(s, a, b, i + 1);
    }
}

static void fill_back(exact_state *s, int a, int b, int j, int i)
{
    if (i == a) {
        fill_fwd(s, a, b, j);
        return;
    }
    /* edge i-1 joins nodes i-1 and i */
    for (int k = 0; k < s->nbp[i - 1]; k++) {
        s->S[i - 1] = (s->S[i] - s->bp[i - 1][k]) / s->b.keep;
        fill_back(s, a, b, j, i - 1);
    }
}

/* Blocks of consecutive nodes: within a block every hour sits at a
 * breakpoint; between blocks an hour is free. Block [a, b] with a > 0 is
 * anchored at one of its nodes by a storage bound. */
static void next_block(exact_state *s, int a)
{
    int T = (int)s->p->hours;
    if (a > T) {
        evaluate(s);
        return;
    }
    for (int b = a; b <= T; b++) {
        for (int j = a; j <= b; j++) {
            double anchors[3] = {s->b.soc_min, s->b.soc_max, s->b.soc_end_min};
            int na = j == T ? 3 : 2;
            for (int v = 0; v < na; v++) {
                s->S[j] = anchors[v];
                fill_back(s, a, b, j, j);
            }
        }
    }
}

static double battery_optimum(exact_state *s)
{
    int T = (int)s->p->hours;
    s->best = INFINITY;
    if (!s->b.has_battery) {
        double cost = 0;
        for (int t = 0; t < T; t++)
            cost += hour_cost(s, t, 0.0);
        return cost;
    }
    for (int t = 0; t < T; t++)
        breakpoints(s, t);
    /* the first block holds node 0, anchored by the initial charge */
    s->S[0] = s->b.soc0;
    for (int b = 0; b <= T; b++)
        fill_fwd(s, 0, b, 0);
    return s->best;
}

int jc_dispatch_solve_exact(const jc_dispatch_problem *p, double *cost_eur)
{
    *cost_eur = NAN;
    int rc = jc_dispatch_problem_check(p);
    if (rc)
        return rc;
    size_t choices = p->levels->n + 1;
    if (p->hours > MAXT || choices > 4)
        return jc_fail(JC_ERR_UNSUPPORTED, "%s: the exact solver takes at most %d hours and 4 choices per hour",
                       p->name, MAXT);
    exact_state s;
    memset(&s, 0, sizeof s);
    s.p = p;
    jc_dispatch_bounds_of(p, &s.b);
    if (s.b.has_battery && p->grid.max_export_w < s.b.discharge_max)
        return jc_fail(JC_ERR_UNSUPPORTED, "%s: the exact solver needs an export limit >= the discharge limit",
                       p->name);
    s.lo = s.b.has_battery ? -s.b.discharge_max / s.b.beta : 0;
    s.hi = s.b.has_battery ? s.b.alpha * s.b.charge_max : 0;
    int T = (int)p->hours, seq[MAXT];
    double best = INFINITY;
    long total = 1;
    for (int t = 0; t < T; t++)
        total *= (long)choices;
    for (long code = 0; code < total; code++) {
        long c = code;
        double progress = 0;
        for (int t = 0; t < T; t++) {
            seq[t] = (int)(c % (long)choices);
            c /= (long)choices;
            progress += jc_dispatch_level_rate(p->levels, seq[t]);
            s.load[t] = jc_dispatch_level_wh(p->levels, seq[t]);
        }
        if (progress < 1.0 - JC_DISPATCH_PROGRESS_EPS)
            continue;
        double v = battery_optimum(&s);
        if (v < best)
            best = v;
    }
    if (!isfinite(best))
        return jc_fail(JC_ERR_EMPTY, "%s: no plan meets the deadline within the limits", p->name);
    *cost_eur = best;
    return JC_OK;
}
