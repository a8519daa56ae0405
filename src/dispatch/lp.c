/* dispatch/lp.c: the model builder and the one place that talks to CBC.
 * Each solve gets its own Cbc_Model, loaded in one Cbc_loadProblem call, with
 * logging off, one thread, and a zero relative gap, so "proven optimal" means
 * the bound met the incumbent to within the absolute gap set here. */
#include <Cbc_C_Interface.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/lp.h"
#include "joulecast/util.h"

/* Absolute optimality gap, in the objective's unit (milli-EUR in this
 * module): 1e-7 mEUR = 1e-10 EUR, far below the 1e-6 EUR the tests ask. */
#define JC_LP_ABS_GAP 1e-7

/* Grow an array to n elements; on failure the builder is marked failed and
 * the caller's add is dropped (jc_lp_solve then reports it). */
static int resize(jc_lp *lp, void **p, size_t n, size_t size)
{
    void *q = realloc(*p, n * size);
    if (!q) {
        lp->failed = 1;
        return -1;
    }
    *p = q;
    return 0;
}

static size_t next_cap(size_t cap)
{
    return cap ? 2 * cap : 64;
}

int jc_lp_col(jc_lp *lp, double lb, double ub, double obj, int is_int)
{
    if ((size_t)lp->ncols == lp->ccap) {
        size_t c = next_cap(lp->ccap);
        if (resize(lp, (void **)&lp->collb, c, sizeof(double)) || resize(lp, (void **)&lp->colub, c, sizeof(double)) ||
            resize(lp, (void **)&lp->obj, c, sizeof(double)) || resize(lp, (void **)&lp->isint, c, 1))
            return -1;
        lp->ccap = c;
    }
    int j = lp->ncols++;
    lp->collb[j] = lb;
    lp->colub[j] = ub;
    lp->obj[j] = obj;
    lp->isint[j] = (char)(is_int != 0);
    return j;
}

int jc_lp_row(jc_lp *lp, double lb, double ub)
{
    if ((size_t)lp->nrows == lp->rcap) {
        size_t c = next_cap(lp->rcap);
        if (resize(lp, (void **)&lp->rowlb, c, sizeof(double)) || resize(lp, (void **)&lp->rowub, c, sizeof(double)))
            return -1;
        lp->rcap = c;
    }
    int i = lp->nrows++;
    lp->rowlb[i] = lb;
    lp->rowub[i] = ub;
    return i;
}

void jc_lp_coef(jc_lp *lp, int row, int col, double v)
{
    if (row < 0 || col < 0 || v == 0.0)
        return;
    if (lp->nel == lp->ecap) {
        size_t c = next_cap(lp->ecap);
        if (resize(lp, (void **)&lp->erow, c, sizeof(int)) || resize(lp, (void **)&lp->ecol, c, sizeof(int)) ||
            resize(lp, (void **)&lp->eval, c, sizeof(double)))
            return;
        lp->ecap = c;
    }
    lp->erow[lp->nel] = row;
    lp->ecol[lp->nel] = col;
    lp->eval[lp->nel] = v;
    lp->nel++;
}

void jc_lp_free(jc_lp *lp)
{
    if (!lp)
        return;
    free(lp->collb);
    free(lp->colub);
    free(lp->obj);
    free(lp->isint);
    free(lp->rowlb);
    free(lp->rowub);
    free(lp->erow);
    free(lp->ecol);
    free(lp->eval);
    memset(lp, 0, sizeof *lp);
}

void jc_lp_result_free(jc_lp_result *res)
{
    if (!res)
        return;
    free(res->x);
    memset(res, 0, sizeof *res);
}

/* CBC takes infinite bounds as +-COIN_DBL_MAX. */
static double finite_or_max(double v)
{
    return isinf(v) ? (v > 0 ? 1.7976931348623157e308 : -1.7976931348623157e308) : v;
}

static int to_csc(const jc_lp *lp, CoinBigIndex **start, int **index, double **value)
{
    *start = calloc((size_t)lp->ncols + 1, sizeof **start);
    *index = malloc((lp->nel ? lp->nel : 1) * sizeof **index);
    *value = malloc((lp->nel ? lp->nel : 1) * sizeof **value);
    CoinBigIndex *next = malloc(((size_t)lp->ncols + 1) * sizeof *next);
    if (!*start || !*index || !*value || !next) {
        free(next);
        return jc_fail(JC_ERR_NOMEM, "out of memory building the CBC model");
    }
    for (size_t e = 0; e < lp->nel; e++)
        (*start)[lp->ecol[e] + 1]++;
    for (int j = 0; j < lp->ncols; j++)
        (*start)[j + 1] += (*start)[j];
    memcpy(next, *start, ((size_t)lp->ncols + 1) * sizeof *next);
    for (size_t e = 0; e < lp->nel; e++) {
        CoinBigIndex k = next[lp->ecol[e]]++;
        (*index)[k] = lp->erow[e];
        (*value)[k] = lp->eval[e];
    }
    free(next);
    return JC_OK;
}

void jc_lp_export_free(CoinBigIndex *start, int *index, double *value, double *collb, double *colub, double *rowlb,
                       double *rowub)
{
    free(start);
    free(index);
    free(value);
    free(collb);
    free(colub);
    free(rowlb);
    free(rowub);
}

int jc_lp_export(const jc_lp *lp, CoinBigIndex **start, int **index, double **value, double **collb,
                 double **colub, double **rowlb, double **rowub)
{
    *start = NULL;
    *index = NULL;
    *value = *collb = *colub = *rowlb = *rowub = NULL;
    if (lp->failed)
        return jc_fail(JC_ERR_NOMEM, "out of memory building the model");
    int rc = to_csc(lp, start, index, value);
    size_t nc = (size_t)lp->ncols, nr = (size_t)lp->nrows;
    if (!rc) {
        *collb = malloc((nc ? nc : 1) * sizeof **collb);
        *colub = malloc((nc ? nc : 1) * sizeof **colub);
        *rowlb = malloc((nr ? nr : 1) * sizeof **rowlb);
        *rowub = malloc((nr ? nr : 1) * sizeof **rowub);
        if (!*collb || !*colub || !*rowlb || !*rowub)
            rc = jc_fail(JC_ERR_NOMEM, "out of memory building the CBC model");
    }
    if (rc) {
        jc_lp_export_free(*start, *index, *value, *collb, *colub, *rowlb, *rowub);
        *start = NULL;
        *index = NULL;
        *value = *collb = *colub = *rowlb = *rowub = NULL;
        return rc;
    }
    for (size_t j = 0; j < nc; j++) {
        (*collb)[j] = finite_or_max(lp->collb[j]);
        (*colub)[j] = finite_or_max(lp->colub[j]);
    }
    for (size_t i = 0; i < nr; i++) {
        (*rowlb)[i] = finite_or_max(lp->rowlb[i]);
        (*rowub)[i] = finite_or_max(lp->rowub[i]);
    }
    return JC_OK;
}

/* CBC's settings for the tight model, measured on the seed's 1440-problem
 * sweep (bench/bench_dispatch.c; docs/dispatch.md has the figures):
 * - no primal heuristics: the optimum must be proven anyway, and on a model
 *   whose root bound is this close they cost more than they save;
 * - 5 root cut passes instead of 20, no Gomory cuts: the hull and exclusion
 *   cuts already close most of the gap, and CBC's dense cuts made every node
 *   slower than the search they saved;
 * - general integers first (costStrategy 01last): the level counts before
 *   the per-hour binaries (milp.c says why). */
static void set_tuned(Cbc_Model *m)
{
    Cbc_setParameter(m, "heuristicsOnOff", "off");
    Cbc_setParameter(m, "passCuts", "5");
    Cbc_setParameter(m, "gomoryCuts", "off");
    Cbc_setParameter(m, "costStrategy", "01last");
}

int jc_lp_solve(const jc_lp *lp, double time_limit_s, int tuned, jc_lp_result *res)
{
    memset(res, 0, sizeof *res);
    CoinBigIndex *start;
    int *index;
    double *value, *collb, *colub, *rowlb, *rowub;
    int rc = jc_lp_export(lp, &start, &index, &value, &collb, &colub, &rowlb, &rowub);
    if (rc)
        return rc;
    size_t nc = (size_t)lp->ncols;
    Cbc_Model *m = NULL;
    {
        m = Cbc_newModel();
        if (!m)
            rc = jc_fail(JC_ERR_NOMEM, "CBC could not create a model");
    }
    if (!rc) {
        Cbc_loadProblem(m, lp->ncols, lp->nrows, start, index, value, collb, colub, lp->obj, rowlb, rowub);
        for (int j = 0; j < lp->ncols; j++)
            if (lp->isint[j])
                Cbc_setInteger(m, j);
        Cbc_setObjSense(m, 1.0);
        Cbc_setLogLevel(m, 0);
        Cbc_setParameter(m, "log", "0");
        Cbc_setParameter(m, "slog", "0");
        if (tuned)
            set_tuned(m);
        Cbc_setAllowableGap(m, JC_LP_ABS_GAP);
        Cbc_setAllowableFractionGap(m, 0.0);
        if (time_limit_s > 0)
            Cbc_setMaximumSeconds(m, time_limit_s);
        Cbc_solve(m);
        res->optimal = Cbc_isProvenOptimal(m) != 0;
        res->infeasible = Cbc_isProvenInfeasible(m) != 0;
        res->time_limit = Cbc_isSecondsLimitReached(m) != 0;
        res->abandoned = Cbc_isAbandoned(m) != 0;
        res->nodes = Cbc_getNodeCount(m);
        if (res->optimal) {
            res->obj = Cbc_getObjValue(m);
            res->bound = Cbc_getBestPossibleObjValue(m);
            const double *x = Cbc_getColSolution(m);
            res->x = malloc((nc ? nc : 1) * sizeof *res->x);
            if (!res->x || !x)
                rc = jc_fail(JC_ERR_NOMEM, "out of memory reading the CBC solution");
            else
                memcpy(res->x, x, nc * sizeof *res->x);
        }
        Cbc_deleteModel(m);
    }
    jc_lp_export_free(start, index, value, collb, colub, rowlb, rowub);
    return rc;
}
