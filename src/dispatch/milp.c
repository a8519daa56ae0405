/* dispatch/milp.c: the power-level schedule as a mixed-integer program, in
 * two formulations with the same optimum (docs/dispatch.md derives both):
 *
 *  tight: z[t][k] = [level in hour t >= k], z[t][k+1] <= z[t][k]; the GPU's
 *    energy and progress are sums of increments over z; N[k] = sum_t z[t][k]
 *    are integer hour counts carrying the deadline, strengthened by cuts from
 *    the hull of its knapsack (hull.c); integer counts per class of
 *    identical hours, branched on first; one bus balance per hour; a
 *    buy/sell binary only in hours whose sell price exceeds the buy price,
 *    with big-Ms cut to what the site can use and two rows that take away
 *    its LP relaxation's arbitrage.
 *  naive: the seed's: one-hot y[t][k] with sum_k y = 1, a power variable,
 *    separate PV/grid/battery flow variables, a buy/sell binary in every hour
 *    with the grid limits as big-M. Kept to measure what the tight one buys.
 *
 * Objective unit: milli-EUR (Wh x EUR/kWh), so that CBC's absolute
 * tolerances of ~1e-7 stay far below the 1e-6 EUR the results are held to. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/dispatch_internal.h"
#include "dispatch/lp.h"
#include "joulecast/util.h"

/* Column indices of one built model; -1 where a column does not exist. */
typedef struct {
    size_t hours, nlev;      /* nlev: working levels */
    int *lev;                /* tight: z, hours x nlev; naive: y, hours x (nlev + 1) */
    int *count;              /* tight: N_k, nlev */
    int *pv, *buy, *sell, *ch, *dis, *soc; /* per hour */
    int naive;
    /* naive only: the seed's split flows, per hour */
    int *p_grid, *r_grid, *p_solar, *r_solar, *w_solar, *d_dc, *d_grid;
} cols;

static void cols_free(cols *c)
{
    free(c->lev);
    free(c->count);
    free(c->pv);
    free(c->buy);
    free(c->sell);
    free(c->ch);
    free(c->dis);
    free(c->soc);
    free(c->p_grid);
    free(c->r_grid);
    free(c->p_solar);
    free(c->r_solar);
    free(c->w_solar);
    free(c->d_dc);
    free(c->d_grid);
    memset(c, 0, sizeof *c);
}

static int *ints(size_t n)
{
    int *v = malloc((n ? n : 1) * sizeof *v);
    if (v)
        for (size_t i = 0; i < n; i++)
            v[i] = -1;
    return v;
}

static int cols_alloc(cols *c, size_t hours, size_t nlev, int naive)
{
    memset(c, 0, sizeof *c);
    c->hours = hours;
    c->nlev = nlev;
    c->naive = naive;
    c->lev = ints(hours * (nlev + 1));
    c->count = ints(nlev);

    int **per_hour[] = {&c->pv, &c->buy, &c->sell, &c->ch, &c->dis, &c->soc, &c->p_grid,
                        &c->r_grid, &c->p_solar, &c->r_solar, &c->w_solar, &c->d_dc, &c->d_grid};
    int ok = c->lev && c->count;
    for (size_t i = 0; i < sizeof per_hour / sizeof per_hour[0]; i++) {
        *per_hour[i] = ints(hours);
        ok = ok && *per_hour[i];
    }
    if (!ok) {
        cols_free(c);
        return jc_fail(JC_ERR_NOMEM, "out of memory building a %zu-hour model", hours);
    }
    return JC_OK;
}

/* Battery state columns and their dynamics, shared by both formulations:
 * soc[t] = keep * soc[t-1] + alpha * charge[t] - discharge_out[t], where
 * discharge_out is what leaves the storage (out_coef converts the model's
 * discharge variable into it). The last state must reach soc_end_min. */
static void add_battery_rows(jc_lp *lp, const jc_dispatch_bounds *b, const cols *c, size_t t,
                             const int *charge, const double *charge_coef, int ncharge, const int *out,
                             const double *out_coef, int nout)
{
    int r = jc_lp_row(lp, t == 0 ? b->keep * b->soc0 : 0.0, t == 0 ? b->keep * b->soc0 : 0.0);
    jc_lp_coef(lp, r, c->soc[t], 1.0);
    if (t > 0)
        jc_lp_coef(lp, r, c->soc[t - 1], -b->keep);
    for (int i = 0; i < ncharge; i++)
        jc_lp_coef(lp, r, charge[i], -b->alpha * charge_coef[i]);
    for (int i = 0; i < nout; i++)
        jc_lp_coef(lp, r, out[i], out_coef[i]);
}

static int add_soc_col(jc_lp *lp, const jc_dispatch_problem *p, const jc_dispatch_bounds *b, size_t t)
{
    double lo = t + 1 == p->hours ? b->soc_end_min : b->soc_min;
    return jc_lp_col(lp, lo, b->soc_max, 0.0, 0);
}

/* When an hour sells above its buy price only a binary stops buying and
 * selling at once; its LP relaxation lets a fractional binary do a little
 * of both, which in the seed's night hours (sell 0.30 > buy 0.25) let the
 * LP earn 4% that no plan can. These two rows hold for every plan that
 * obeys the binary and cut that away: what is sold comes from PV or the
 * battery (less the GPU's idle draw when selling), what is bought goes to
 * the GPU or the battery. */
static void add_exclusive_cuts(jc_lp *lp, const jc_dispatch_problem *p, const cols *c, size_t t, int u)
{
    const jc_dispatch_levels *l = p->levels;
    size_t K = l->n;
    double least = fmin(l->idle_w, l->level[0].draw_w); /* the GPU draws at least this */
    int r = jc_lp_row(lp, -INFINITY, -least); /* sell - pv - discharge - least u <= -least */
    jc_lp_coef(lp, r, c->sell[t], 1);
    jc_lp_coef(lp, r, c->pv[t], -1);
    jc_lp_coef(lp, r, c->dis[t], -1);
    jc_lp_coef(lp, r, u, -least);
    r = jc_lp_row(lp, -INFINITY, l->idle_w); /* buy - GPU energy above idle - charge <= idle */
    jc_lp_coef(lp, r, c->buy[t], 1);
    for (size_t k = 1; k <= K; k++)
        jc_lp_coef(lp, r, c->lev[t * K + k - 1],
                   -(jc_dispatch_level_wh(l, (int)k) - jc_dispatch_level_wh(l, (int)k - 1)));
    jc_lp_coef(lp, r, c->ch[t], -1);
}

/* Hours with the same PV and prices (the nights and evenings of one
 * tariff band) are near-twins: the LP moves a fractional level from one to
 * the other and branching on single hours finds the same bound again and
 * again. Integer counts per class and level, branched on before the
 * binaries, split the schedules without that symmetry; they are sums of
 * the binaries, so they cut nothing. */
static void add_class_counts(jc_lp *lp, const jc_dispatch_problem *p, const cols *c)
{
    size_t K = p->levels->n, D = p->hours;
    for (size_t t = 0; t < D; t++) {
        size_t size = 0;
        int first = 1;
        for (size_t v = 0; v < D; v++)
            if (p->pv_wh[v] == p->pv_wh[t] && p->buy_eur_per_kwh[v] == p->buy_eur_per_kwh[t] &&
                p->sell_eur_per_kwh[v] == p->sell_eur_per_kwh[t]) {
                first = first && v >= t;
                size++;
            }
        if (!first || size < 2)
            continue;
        for (size_t k = 1; k <= K; k++) {
            int n = jc_lp_col(lp, 0, (double)size, 0.0, 1);
            int r = jc_lp_row(lp, 0, 0);
            jc_lp_coef(lp, r, n, 1);
            for (size_t v = t; v < D; v++)
                if (p->pv_wh[v] == p->pv_wh[t] && p->buy_eur_per_kwh[v] == p->buy_eur_per_kwh[t] &&
                    p->sell_eur_per_kwh[v] == p->sell_eur_per_kwh[t])
                    jc_lp_coef(lp, r, c->lev[v * K + k - 1], -1);
        }
    }
}

/* ---- tight ---- */

static void build_tight(jc_lp *lp, const jc_dispatch_problem *p, const jc_dispatch_bounds *b, cols *c)
{
    const jc_dispatch_levels *l = p->levels;
    size_t K = l->n, D = p->hours;
    int progress = jc_lp_row(lp, 1.0 - JC_DISPATCH_PROGRESS_EPS, INFINITY);
    int *count_row = ints(K);
    if (!count_row) {
        lp->failed = 1;
        return;
    }
    for (size_t k = 1; k <= K; k++) {
        /* N_k: hours at level k or above; branching on it splits the
         * schedule space without the symmetry of interchangeable hours */
        int n = jc_lp_col(lp, 0, (double)D, 0.0, 1);
        c->count[k - 1] = n;
        double dr = jc_dispatch_level_rate(l, (int)k) - jc_dispatch_level_rate(l, (int)k - 1);
        jc_lp_coef(lp, progress, n, dr);
        count_row[k - 1] = jc_lp_row(lp, 0, 0);
        jc_lp_coef(lp, count_row[k - 1], n, 1.0);
    }
    for (size_t t = 0; t < D; t++) {
        double price_b = p->buy_eur_per_kwh[t], price_s = p->sell_eur_per_kwh[t];
        double imax = jc_dispatch_import_max(p, b, t), xmax = jc_dispatch_export_max(p, b, t);
        c->pv[t] = jc_lp_col(lp, 0, p->pv_wh[t], 0.0, 0);
        c->buy[t] = jc_lp_col(lp, 0, imax, price_b, 0);
        c->sell[t] = jc_lp_col(lp, 0, xmax, -price_s, 0);
        /* bus balance: pv + buy + discharge - charge - sell = GPU energy */
        int bal = jc_lp_row(lp, l->idle_w, l->idle_w);
        jc_lp_coef(lp, bal, c->pv[t], 1);
        jc_lp_coef(lp, bal, c->buy[t], 1);
        jc_lp_coef(lp, bal, c->sell[t], -1);
        for (size_t k = 1; k <= K; k++) {
            int z = jc_lp_col(lp, 0, 1, 0.0, 1);
            c->lev[t * K + k - 1] = z;
            jc_lp_coef(lp, bal, z, -(jc_dispatch_level_wh(l, (int)k) - jc_dispatch_level_wh(l, (int)k - 1)));
            jc_lp_coef(lp, count_row[k - 1], z, -1.0);
            if (k > 1) {
                int ord = jc_lp_row(lp, -INFINITY, 0);
                jc_lp_coef(lp, ord, z, 1);
                jc_lp_coef(lp, ord, c->lev[t * K + k - 2], -1);
            }
        }
        if (b->has_battery) {
            c->ch[t] = jc_lp_col(lp, 0, b->charge_max, 0.0, 0);
            c->dis[t] = jc_lp_col(lp, 0, b->discharge_max, 0.0, 0); /* delivered to the bus */
            c->soc[t] = add_soc_col(lp, p, b, t);
            jc_lp_coef(lp, bal, c->ch[t], -1);
            jc_lp_coef(lp, bal, c->dis[t], 1);
            double one = 1.0, out = 1.0 / b->beta;
            add_battery_rows(lp, b, c, t, &c->ch[t], &one, 1, &c->dis[t], &out, 1);
        }
        /* Buying and selling at once pays only where selling beats buying;
         * elsewhere the LP never does it, so only there a binary forbids it. */
        if (price_s > price_b && imax > 0 && xmax > 0) {
            int u = jc_lp_col(lp, 0, 1, 0.0, 1);
            int rb = jc_lp_row(lp, -INFINITY, 0), rs = jc_lp_row(lp, -INFINITY, xmax);
            jc_lp_coef(lp, rb, c->buy[t], 1);
            jc_lp_coef(lp, rb, u, -imax);
            jc_lp_coef(lp, rs, c->sell[t], 1);
            jc_lp_coef(lp, rs, u, xmax);
            add_exclusive_cuts(lp, p, c, t, u);
        }
    }
    add_class_counts(lp, p, c);
    free(count_row);
}

/* ---- naive (the seed's structure, with its fixes) ---- */

/* The seed's G_max^grid as big-M; an unlimited grid gets an arbitrary large one. */
static double naive_m(double limit)
{
    return isfinite(limit) ? limit : 1e6;
}

static void build_naive(jc_lp *lp, const jc_dispatch_problem *p, const jc_dispatch_bounds *b, cols *c)
{
    const jc_dispatch_levels *l = p->levels;
    size_t K = l->n, D = p->hours;
    int progress = jc_lp_row(lp, 1.0 - JC_DISPATCH_PROGRESS_EPS, INFINITY);
    double mi = naive_m(p->grid.max_import_w), mx = naive_m(p->grid.max_export_w);
    for (size_t t = 0; t < D; t++) {
        double price_b = p->buy_eur_per_kwh[t], price_s = p->sell_eur_per_kwh[t];
        /* (5.7) one level per hour, (5.8) P_t = sum_k y_k P_k */
        int one = jc_lp_row(lp, 1, 1);
        int power = jc_lp_col(lp, 0, INFINITY, 0.0, 0);
        int def = jc_lp_row(lp, 0, 0);
        jc_lp_coef(lp, def, power, 1);
        for (size_t k = 0; k <= K; k++) {
            int y = jc_lp_col(lp, 0, 1, 0.0, 1);
            c->lev[t * (K + 1) + k] = y;
            jc_lp_coef(lp, one, y, 1);
            jc_lp_coef(lp, def, y, -jc_dispatch_level_wh(l, (int)k));
            jc_lp_coef(lp, progress, y, jc_dispatch_level_rate(l, (int)k));
        }
        /* (5.10) with curtailment: P^solar + R^solar + W^solar <= G^solar */
        c->p_solar[t] = jc_lp_col(lp, 0, INFINITY, 0.0, 0);
        c->r_solar[t] = jc_lp_col(lp, 0, INFINITY, 0.0, 0);
        c->w_solar[t] = jc_lp_col(lp, 0, INFINITY, 0.0, 0);
        int solar = jc_lp_row(lp, -INFINITY, p->pv_wh[t]);
        jc_lp_coef(lp, solar, c->p_solar[t], 1);
        jc_lp_coef(lp, solar, c->r_solar[t], 1);
        jc_lp_coef(lp, solar, c->w_solar[t], 1);
        /* (5.11)-(5.12) G^grid = P^grid + R^grid <= G_max */
        c->p_grid[t] = jc_lp_col(lp, 0, INFINITY, 0.0, 0);
        c->r_grid[t] = jc_lp_col(lp, 0, INFINITY, 0.0, 0);
        c->buy[t] = jc_lp_col(lp, 0, p->grid.max_import_w, price_b, 0);
        int g = jc_lp_row(lp, 0, 0);
        jc_lp_coef(lp, g, c->buy[t], 1);
        jc_lp_coef(lp, g, c->p_grid[t], -1);
        jc_lp_coef(lp, g, c->r_grid[t], -1);
        /* storage-side discharges to the load and to the grid */
        c->d_dc[t] = jc_lp_col(lp, 0, b->has_battery ? INFINITY : 0, 0.0, 0);
        c->d_grid[t] = jc_lp_col(lp, 0, b->has_battery ? INFINITY : 0, 0.0, 0);
        /* (5.14) W^grid = W^solar + beta D^grid */
        c->sell[t] = jc_lp_col(lp, 0, p->grid.max_export_w, -price_s, 0);
        int w = jc_lp_row(lp, 0, 0);
        jc_lp_coef(lp, w, c->sell[t], 1);
        jc_lp_coef(lp, w, c->w_solar[t], -1);
        jc_lp_coef(lp, w, c->d_grid[t], -b->beta);
        /* (5.20) P_t = P^solar + P^grid + beta D^dc */
        int load = jc_lp_row(lp, 0, 0);
        jc_lp_coef(lp, load, power, -1);
        jc_lp_coef(lp, load, c->p_solar[t], 1);
        jc_lp_coef(lp, load, c->p_grid[t], 1);
        jc_lp_coef(lp, load, c->d_dc[t], b->beta);
        if (b->has_battery) {
            /* (5.13) R = R^solar + R^grid, bus-side limit; discharge limit at the bus */
            int rlim = jc_lp_row(lp, -INFINITY, p->battery.max_charge_w);
            jc_lp_coef(lp, rlim, c->r_solar[t], 1);
            jc_lp_coef(lp, rlim, c->r_grid[t], 1);
            int dlim = jc_lp_row(lp, -INFINITY, p->battery.max_discharge_w);
            jc_lp_coef(lp, dlim, c->d_dc[t], b->beta);
            jc_lp_coef(lp, dlim, c->d_grid[t], b->beta);
            c->soc[t] = add_soc_col(lp, p, b, t);
            int chg[2] = {c->r_solar[t], c->r_grid[t]}, out[2] = {c->d_dc[t], c->d_grid[t]};
            double cc[2] = {1, 1}, oc[2] = {1, 1};
            add_battery_rows(lp, b, c, t, chg, cc, 2, out, oc, 2);
        } else {
            int rlim = jc_lp_row(lp, 0, 0);
            jc_lp_coef(lp, rlim, c->r_solar[t], 1);
            jc_lp_coef(lp, rlim, c->r_grid[t], 1);
        }
        /* no buying and selling at once, in every hour, big-M = grid limits */
        int u = jc_lp_col(lp, 0, 1, 0.0, 1);
        int rb = jc_lp_row(lp, -INFINITY, 0), rs = jc_lp_row(lp, -INFINITY, mx);
        jc_lp_coef(lp, rb, c->buy[t], 1);
        jc_lp_coef(lp, rb, u, -mi);
        jc_lp_coef(lp, rs, c->sell[t], 1);
        jc_lp_coef(lp, rs, u, mx);
    }
}

/* ---- reading the solution back ---- */

static double val(const double *x, int j)
{
    if (j < 0)
        return 0.0;
    double v = x[j];
    return fabs(v) < 1e-9 ? 0.0 : v;
}

static int level_of(const cols *c, const double *x, size_t t)
{
    if (c->naive) {
        int best = 0;
        for (size_t k = 1; k <= c->nlev; k++)
            if (x[c->lev[t * (c->nlev + 1) + k]] > x[c->lev[t * (c->nlev + 1) + (size_t)best]])
                best = (int)k;
        return best;
    }
    int level = 0;
    for (size_t k = 0; k < c->nlev; k++)
        level += x[c->lev[t * c->nlev + k]] > 0.5;
    return level;
}

static void extract(const jc_dispatch_problem *p, const jc_dispatch_bounds *b, const cols *c, const double *x,
                    jc_dispatch_plan *plan)
{
    for (size_t t = 0; t < p->hours; t++) {
        jc_dispatch_hour *h = &plan->hour[t];
        h->level = level_of(c, x, t);
        h->gpu_wh = jc_dispatch_level_wh(p->levels, h->level);
        h->progress = jc_dispatch_level_rate(p->levels, h->level);
        h->pv_wh = p->pv_wh[t];
        h->buy_wh = val(x, c->buy[t]);
        h->sell_wh = val(x, c->sell[t]);
        if (c->naive) {
            h->charge_wh = val(x, c->r_solar[t]) + val(x, c->r_grid[t]);
            h->discharge_wh = b->beta * (val(x, c->d_dc[t]) + val(x, c->d_grid[t]));
            h->pv_used_wh = val(x, c->p_solar[t]) + val(x, c->r_solar[t]) + val(x, c->w_solar[t]);
        } else {
            h->charge_wh = val(x, c->ch[t]);
            h->discharge_wh = val(x, c->dis[t]);
            h->pv_used_wh = val(x, c->pv[t]);
        }
        /* Where selling does not beat buying, doing both at once is never
         * better and the LP may still return it at a tie: net it out. */
        double both = fmin(h->buy_wh, h->sell_wh);
        if (both > 0) {
            h->buy_wh -= both;
            h->sell_wh -= both;
        }
        h->pv_used_wh = fmin(h->pv_used_wh, h->pv_wh);
        h->pv_curtailed_wh = h->pv_wh - h->pv_used_wh;
        h->soc_wh = b->has_battery ? val(x, c->soc[t]) : 0.0;
    }
    jc_dispatch_plan_total(p, plan);
}

static int fail_status(const jc_dispatch_problem *p, const jc_lp_result *r, const jc_dispatch_options *opt,
                       jc_dispatch_plan *plan)
{
    if (r->infeasible) {
        plan->status = JC_DISPATCH_INFEASIBLE;
        return jc_fail(JC_ERR_INVALID,
                       "%s: infeasible: no plan finishes the job by the deadline within the grid and battery limits",
                       p->name);
    }
    if (r->time_limit) {
        plan->status = JC_DISPATCH_TIME_LIMIT;
        return jc_fail(JC_ERR_INVALID, "%s: not proven optimal within the %g s time limit (%ld nodes)", p->name,
                       opt->time_limit_s, r->nodes);
    }
    plan->status = JC_DISPATCH_FAILED;
    return jc_fail(JC_ERR_INTERNAL, "%s: CBC stopped without a proven optimum%s", p->name,
                   r->abandoned ? " (numerical difficulties)" : "");
}

/* The knapsack cuts (dispatch/hull.c) as rows of the tight model. */
static int add_hull_cuts(jc_lp *lp, const cols *c, const jc_dispatch_hull *hull)
{
    int K = (int)c->nlev, maxcuts = 64, ncuts = 0;
    double *cuts = malloc((size_t)maxcuts * (size_t)(K + 1) * sizeof *cuts);
    if (!cuts)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    int rc = jc_dispatch_hull_cuts(lp, c->count, hull, cuts, maxcuts, &ncuts);
    for (int i = 0; i < ncuts && !rc; i++) {
        const double *cut = cuts + (size_t)i * (size_t)(K + 1);
        int r = jc_lp_row(lp, cut[K], INFINITY);
        for (int k = 0; k < K; k++)
            jc_lp_coef(lp, r, c->count[k], cut[k]);
    }
    free(cuts);
    return rc;
}

int jc_dispatch_solve_with(const jc_dispatch_problem *p, const jc_dispatch_options *opt, const jc_dispatch_hull *hull,
                           jc_dispatch_plan *plan)
{
    static const jc_dispatch_options defaults = {JC_DISPATCH_TIGHT, 0};
    if (!opt)
        opt = &defaults;
    memset(plan, 0, sizeof *plan);
    int rc = jc_dispatch_problem_check(p);
    if (rc) {
        plan->status = JC_DISPATCH_INFEASIBLE;
        return rc;
    }
    jc_dispatch_bounds b;
    jc_dispatch_bounds_of(p, &b);
    cols c;
    int naive = opt->formulation == JC_DISPATCH_NAIVE;
    rc = cols_alloc(&c, p->hours, p->levels->n, naive);
    if (rc)
        return rc;
    rc = jc_dispatch_plan_alloc(p->hours, plan);
    if (rc) {
        cols_free(&c);
        return rc;
    }
    double t0 = jc_now_monotonic();
    jc_lp lp = {0};
    jc_dispatch_hull own = {0};
    if (naive) {
        build_naive(&lp, p, &b, &c);
    } else {
        build_tight(&lp, p, &b, &c);
        if (!hull) {
            rc = jc_dispatch_hull_make(p->levels, (int)p->hours, &own);
            hull = &own;
        }
        if (!rc)
            rc = add_hull_cuts(&lp, &c, hull);
    }
    jc_lp_result r = {0};
    if (!rc)
        rc = jc_lp_solve(&lp, opt->time_limit_s, !naive, &r);
    plan->solve_s = jc_now_monotonic() - t0;
    plan->nodes = r.nodes;
    if (!rc && !r.optimal)
        rc = fail_status(p, &r, opt, plan);
    if (!rc) {
        plan->status = JC_DISPATCH_OPTIMAL;
        plan->bound_eur = r.bound / 1000.0;
        extract(p, &b, &c, r.x, plan);
        /* a guard, not a test: a plan that breaks the model is a bug here */
        rc = jc_dispatch_plan_check(p, plan, 1e-4);
    }
    jc_dispatch_hull_free(&own);
    jc_lp_result_free(&r);
    jc_lp_free(&lp);
    cols_free(&c);
    return rc;
}

int jc_dispatch_solve(const jc_dispatch_problem *p, const jc_dispatch_options *opt, jc_dispatch_plan *plan)
{
    return jc_dispatch_solve_with(p, opt, NULL, plan);
}
