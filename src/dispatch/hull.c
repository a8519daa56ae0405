/* dispatch/hull.c: cutting planes from the deadline's knapsack.
 *
 * The deadline couples the hours only through the level counts N_k (hours at
 * level k or above): sum_k (r_k - r_{k-1}) N_k >= 1. Its LP relaxation lets
 * the counts be fractional and mix levels to finish with no overshoot, which
 * integer hours cannot, and branch-and-bound then drowns in near-equal count
 * combinations (a 23-hour deadline: 10^5 nodes and no proof in minutes). The
 * cure is the convex hull of the feasible counts: every feasible N dominates
 * a convex combination of the *minimal* feasible count vectors (those where
 * no single hour can go one level down), which are few (383 for 23 h, 33 283
 * at most for the seed's levels) and quick to list.
 *
 * Rather than carry one column per minimal vector into branch-and-bound, the
 * relaxation "N >= sum_u lambda_u u, sum lambda = 1" is solved once by column
 * generation with Clp (pricing a vector is a dot product), and its optimal
 * duals pi give the cut  pi . N >= min_u pi . u : valid for every feasible N
 * (it is a supporting hyperplane of the hull), and by LP duality it lifts the
 * root bound exactly as far as the whole hull would. The duals of the
 * intermediate iterations give more such cuts; all are kept. */
#include <Clp_C_Interface.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/dispatch_internal.h"
#include "dispatch/lp.h"

/* Enough for the seed's levels at any deadline; more levels with long
 * deadlines can exceed it, and then the model goes without these cuts. */
#define HULL_MAX_VECTORS 400000
#define HULL_MAX_ROUNDS 200

void jc_dispatch_hull_free(jc_dispatch_hull *h)
{
    if (!h)
        return;
    free(h->v);
    memset(h, 0, sizeof *h);
}

int jc_dispatch_hull_make(const jc_dispatch_levels *l, int hours, jc_dispatch_hull *h)
{
    memset(h, 0, sizeof *h);
    h->K = (int)l->n;
    h->hours = hours;
    if (l->n > 63)
        return JC_OK; /* no hull: the model stays valid, only weaker */
    double rate[64];
    for (size_t k = 0; k <= l->n; k++)
        rate[k] = jc_dispatch_level_rate(l, (int)k);
    for (size_t k = 1; k <= l->n; k++)
        if (!(rate[k] > rate[k - 1]))
            return JC_OK; /* needs rates rising with the level (dominated levels dropped) */
    int over = jc_dispatch_minimal_counts(rate, h->K, hours, 1.0 - JC_DISPATCH_PROGRESS_EPS, HULL_MAX_VECTORS, &h->v,
                                          &h->n);
    if (over) {
        free(h->v);
        h->v = NULL;
        h->n = 0;
        jc_debug("dispatch: over %d minimal count vectors for %d h; no hull cuts", HULL_MAX_VECTORS, hours);
    }
    h->ready = 1;
    return JC_OK;
}

/* min over the minimal vectors of pi . u, and which one */
static double price(const jc_dispatch_hull *h, const double *pi, size_t *arg)
{
    double best = INFINITY;
    size_t K = (size_t)h->K;
    for (size_t i = 0; i < h->n; i++) {
        const int *u = h->v + i * K;
        double s = 0;
        for (size_t k = 0; k < K; k++)
            s += pi[k] * u[k];
        if (s < best) {
            best = s;
            *arg = i;
        }
    }
    return best;
}

static void add_lambda(Clp_Simplex *m, const jc_dispatch_hull *h, size_t i, const int *dom_row, int conv_row)
{
    int K = h->K, rows[65], nz = 0;
    double el[65];
    for (int k = 0; k < K; k++)
        if (h->v[i * (size_t)K + (size_t)k]) {
            rows[nz] = dom_row[k];
            el[nz++] = -(double)h->v[i * (size_t)K + (size_t)k];
        }
    rows[nz] = conv_row;
    el[nz++] = 1.0;
    CoinBigIndex start[2] = {0, nz};
    double lo = 0, up = 1, obj = 0;
    Clp_addColumns(m, 1, &lo, &up, &obj, start, rows, el);
}

static void add_cut(double *cuts, int *ncuts, int maxcuts, const jc_dispatch_hull *h, const double *pi_in)
{
    int K = h->K;
    double scale = 0;
    for (int k = 0; k < K; k++)
        scale = fmax(scale, fabs(pi_in[k]));
    if (!(scale > 1e-12) || *ncuts >= maxcuts)
        return;
    double *c = cuts + (size_t)*ncuts * (size_t)(K + 1);
    for (int k = 0; k < K; k++)
        c[k] = fmax(0.0, pi_in[k] / scale);
    size_t arg = 0;
    /* a hair below the true minimum, so rounding never cuts a feasible point */
    double rhs = price(h, c, &arg);
    c[K] = rhs - 1e-9 * (1.0 + fabs(rhs));
    for (int j = 0; j < *ncuts; j++) { /* drop repeats */
        const double *o = cuts + (size_t)j * (size_t)(K + 1);
        double d = 0;
        for (int k = 0; k <= K; k++)
            d = fmax(d, fabs(o[k] - c[k]));
        if (d < 1e-9)
            return;
    }
    (*ncuts)++;
}

int jc_dispatch_hull_cuts(const jc_lp *relax, const int *ncol, const jc_dispatch_hull *h, double *cuts, int maxcuts,
                          int *ncuts)
{
    *ncuts = 0;
    if (!h->ready || h->n == 0 || h->K == 0)
        return JC_OK;
    CoinBigIndex *start;
    int *index;
    double *value, *collb, *colub, *rowlb, *rowub;
    int rc = jc_lp_export(relax, &start, &index, &value, &collb, &colub, &rowlb, &rowub);
    if (rc)
        return rc;
    Clp_Simplex *m = Clp_newModel();
    Clp_setLogLevel(m, 0);
    Clp_loadProblem(m, relax->ncols, relax->nrows, start, index, value, collb, colub, relax->obj, rowlb, rowub);
    jc_lp_export_free(start, index, value, collb, colub, rowlb, rowub);
    int K = h->K, dom_row[64], conv_row = relax->nrows + K;
    {
        /* N_k - sum lambda u_k >= 0 for each k, and sum lambda = 1 */
        double lo[65], up[65], el[64];
        CoinBigIndex rs[66];
        int cols[64];
        for (int k = 0; k < K; k++) {
            dom_row[k] = relax->nrows + k;
            lo[k] = 0;
            up[k] = 1.7976931348623157e308;
            rs[k] = k;
            cols[k] = ncol[k];
            el[k] = 1.0;
        }
        lo[K] = up[K] = 1.0;
        rs[K] = K;
        rs[K + 1] = K;
        Clp_addRows(m, K + 1, lo, up, rs, cols, el);
    }
    /* a first column: the vector that finishes with the fewest level-hours */
    double ones[64];
    for (int k = 0; k < K; k++)
        ones[k] = 1.0;
    size_t arg = 0;
    price(h, ones, &arg);
    add_lambda(m, h, arg, dom_row, conv_row);
    Clp_initialSolve(m);
    for (int round = 0; round < HULL_MAX_ROUNDS; round++) {
        if (Clp_status(m) != 0)
            break; /* infeasible or trouble: no cuts (the MILP will say) */
        const double *y = Clp_dualRowSolution(m);
        double pi[64];
        for (int k = 0; k < K; k++)
            pi[k] = fmax(0.0, y[dom_row[k]]);
        double mu = y[conv_row];
        add_cut(cuts, ncuts, maxcuts, h, pi);
        double best = price(h, pi, &arg);
        if (best - mu > -1e-9 * (1.0 + fabs(mu)))
            break; /* no column prices out: the hull bound is reached */
        add_lambda(m, h, arg, dom_row, conv_row);
        Clp_primal(m, 0);
    }
    Clp_deleteModel(m);
    return JC_OK;
}
