/* Beyond gplearn, each opt-in: linear scaling of the output (Keijzer 2003),
 * Levenberg-Marquardt optimisation of a program's constants, and the Pareto
 * front of error against program length. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sr/extras.h"

void jc_sr_linear_scaling(const double *pred, const double *y, const double *w, size_t n, double *a,
                          double *b)
{
    double sp = 0, sy = 0, cnt = 0;
    for (size_t i = 0; i < n; i++)
        if (!w || w[i] != 0) {
            sp += pred[i];
            sy += y[i];
            cnt += 1;
        }
    *a = 0;
    *b = 1;
    if (cnt < 2 || !isfinite(sp))
        return;
    double mp = sp / cnt, my = sy / cnt, cov = 0, var = 0;
    for (size_t i = 0; i < n; i++)
        if (!w || w[i] != 0) {
            double dp = pred[i] - mp;
            cov += dp * (y[i] - my);
            var += dp * dp;
        }
    if (!(var > 1e-300) || !isfinite(var)) {
        /* A constant program: the best scaled version is the mean. */
        *a = my;
        *b = 0;
        return;
    }
    *b = cov / var;
    *a = my - *b * mp;
}

/* ---- Levenberg-Marquardt ---- */

#define LM_MAX_CONST 32

static int eval_all(jc_sr_evaluator *ev, const jc_sr_program *p, const double *X, size_t n, double *out)
{
    for (size_t r = 0; r < n; r += JC_SR_BLOCK) {
        size_t m = n - r < JC_SR_BLOCK ? n - r : JC_SR_BLOCK;
        int rc = jc_sr_eval_block(ev, p, X, n, r, m, out + r);
        if (rc)
            return rc;
    }
    return JC_OK;
}

/* Residuals (a + b f - y on in-bag rows, scaled or not) and their squared sum. */
static double residuals(const double *f, const double *y, const double *w, size_t n, int scaled, double *res)
{
    double a = 0, b = 1;
    if (scaled)
        jc_sr_linear_scaling(f, y, w, n, &a, &b);
    double sse = 0;
    for (size_t i = 0; i < n; i++) {
        double r = (!w || w[i] != 0) ? a + b * f[i] - y[i] : 0;
        res[i] = r;
        sse += r * r;
    }
    return isfinite(sse) ? sse : INFINITY;
}

/* Solve the k x k system A x = g (A symmetric positive definite) by
 * Cholesky; returns 0 on failure. */
static int cholesky_solve(double *A, double *g, int k)
{
    for (int j = 0; j < k; j++) {
        double d = A[j * k + j];
        for (int p = 0; p < j; p++)
            d -= A[j * k + p] * A[j * k + p];
        if (!(d > 0))
            return 0;
        d = sqrt(d);
        A[j * k + j] = d;
        for (int i = j + 1; i < k; i++) {
            double s = A[i * k + j];
            for (int p = 0; p < j; p++)
                s -= A[i * k + p] * A[j * k + p];
            A[i * k + j] = s / d;
        }
    }
    for (int i = 0; i < k; i++) {
        double s = g[i];
        for (int p = 0; p < i; p++)
            s -= A[i * k + p] * g[p];
        g[i] = s / A[i * k + i];
    }
    for (int i = k - 1; i >= 0; i--) {
        double s = g[i];
        for (int p = i + 1; p < k; p++)
            s -= A[p * k + i] * g[p];
        g[i] = s / A[i * k + i];
    }
    return 1;
}

int jc_sr_lm_optimize(jc_sr_program *prog, const double *X, const double *y, const double *w, size_t n,
                      int iterations, int scaled, jc_sr_evaluator *ev, double *node_evals)
{
    uint32_t idx[LM_MAX_CONST];
    int k = 0;
    *node_evals = 0;
    for (uint32_t i = 0; i < prog->len && k < LM_MAX_CONST; i++)
        if (prog->nodes[i].op == JC_SR_CONST)
            idx[k++] = i;
    if (k == 0 || iterations <= 0)
        return JC_OK;
    /* f, residuals, trial residuals, and the Jacobian columns. */
    double *work = malloc((size_t)(3 + k) * n * sizeof *work);
    if (!work)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    double *f = work, *res = work + n, *trial = work + 2 * n, *J = work + 3 * n;
    double A[LM_MAX_CONST * LM_MAX_CONST], g[LM_MAX_CONST], c0[LM_MAX_CONST];
    const double cost = (double)prog->len * (double)n;
    int rc = eval_all(ev, prog, X, n, f);
    double sse = rc ? INFINITY : residuals(f, y, w, n, scaled, res);
    *node_evals += cost;
    double lambda = 1e-3;
    for (int it = 0; it < iterations && !rc && isfinite(sse) && sse > 0; it++) {
        /* Forward-difference Jacobian, one column per constant. */
        for (int j = 0; j < k; j++) {
            double *cv = &prog->nodes[idx[j]].value;
            double save = *cv, h = 1e-7 * fmax(1.0, fabs(save));
            *cv = save + h;
            rc = eval_all(ev, prog, X, n, f);
            *cv = save;
            *node_evals += cost;
            if (rc)
                break;
            residuals(f, y, w, n, scaled, trial);
            for (size_t i = 0; i < n; i++)
                J[(size_t)j * n + i] = (trial[i] - res[i]) / h;
        }
        if (rc)
            break;
        double JTJ[LM_MAX_CONST * LM_MAX_CONST];
        for (int a = 0; a < k; a++) {
            double s = 0;
            for (size_t i = 0; i < n; i++)
                s += J[(size_t)a * n + i] * res[i];
            g[a] = -s;
            for (int b = 0; b <= a; b++) {
                double t = 0;
                for (size_t i = 0; i < n; i++)
                    t += J[(size_t)a * n + i] * J[(size_t)b * n + i];
                JTJ[a * k + b] = JTJ[b * k + a] = t;
            }
        }
        for (int j = 0; j < k; j++)
            c0[j] = prog->nodes[idx[j]].value;
        int improved = 0;
        /* Raise the damping until a step lowers the error (or give up). */
        for (int tries = 0; tries < 8 && !improved; tries++) {
            double step[LM_MAX_CONST];
            memcpy(A, JTJ, sizeof(double) * (size_t)(k * k));
            for (int j = 0; j < k; j++) {
                A[j * k + j] += lambda * (JTJ[j * k + j] > 0 ? JTJ[j * k + j] : 1.0);
                step[j] = g[j];
            }
            if (cholesky_solve(A, step, k)) {
                for (int j = 0; j < k; j++)
                    prog->nodes[idx[j]].value = c0[j] + step[j];
                rc = eval_all(ev, prog, X, n, f);
                *node_evals += cost;
                double s2 = rc ? INFINITY : residuals(f, y, w, n, scaled, trial);
                if (s2 < sse) {
                    sse = s2;
                    memcpy(res, trial, n * sizeof *res);
                    improved = 1;
                    lambda = fmax(lambda / 10, 1e-12);
                    break;
                }
            }
            lambda *= 10;
        }
        if (!improved) {
            for (int j = 0; j < k; j++)
                prog->nodes[idx[j]].value = c0[j];
            break;
        }
    }
    free(work);
    return rc;
}

/* ---- Pareto front ---- */

int jc_sr_pareto_add(jc_sr_pareto *pf, const jc_sr_indiv *pop, size_t npop)
{
    for (size_t i = 0; i < npop; i++) {
        const jc_sr_indiv *ind = &pop[i];
        if (!isfinite(ind->raw))
            continue;
        double len = ind->prog.len;
        /* Dominated by a point at most as long and at least as good? */
        int dominated = 0;
        for (size_t k = 0; k < pf->n && !dominated; k++)
            if (pf->pts[k].length <= len && pf->pts[k].raw_fitness <= ind->raw)
                dominated = 1;
        if (dominated)
            continue;
        /* Drop the points the newcomer dominates. */
        size_t w = 0;
        for (size_t k = 0; k < pf->n; k++) {
            if (pf->pts[k].length >= len && pf->pts[k].raw_fitness >= ind->raw)
                jc_sr_program_free(&pf->pts[k].program);
            else
                pf->pts[w++] = pf->pts[k];
        }
        pf->n = w;
        if (jc_grow((void **)&pf->pts, &pf->cap, pf->n + 1, sizeof *pf->pts))
            return JC_ERR_NOMEM;
        jc_sr_pareto_point *pt = &pf->pts[pf->n];
        memset(pt, 0, sizeof *pt);
        int rc = jc_sr_program_copy(&pt->program, &ind->prog);
        if (rc)
            return rc;
        pt->length = len;
        pt->raw_fitness = ind->raw;
        pt->oob_fitness = ind->oob;
        pf->n++;
    }
    return JC_OK;
}

static int cmp_len(const void *a, const void *b)
{
    double x = ((const jc_sr_pareto_point *)a)->length, y = ((const jc_sr_pareto_point *)b)->length;
    return (x > y) - (x < y);
}

void jc_sr_pareto_take(jc_sr_pareto *pf, jc_sr_pareto_point **pts, size_t *n)
{
    qsort(pf->pts, pf->n, sizeof *pf->pts, cmp_len);
    *pts = pf->pts;
    *n = pf->n;
    memset(pf, 0, sizeof *pf);
}

void jc_sr_pareto_free(jc_sr_pareto *pf)
{
    for (size_t k = 0; k < pf->n; k++)
        jc_sr_program_free(&pf->pts[k].program);
    free(pf->pts);
    memset(pf, 0, sizeof *pf);
}
