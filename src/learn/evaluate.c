/* learn/evaluate.c: the seed's evaluation protocol (section 4.4, Tables 3
 * and 4): repeated seeded 8:1:1 splits, every model on the same split,
 * features standardised on the fitting rows only, MSE / MRE / R^2 on the
 * held-out test rows, mean and spread over the repeats. Also the
 * input-perturbation importance of a fitted model (the seed's Table S5). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "joulecast/learn.h"

void jc_eval_opts_init(jc_eval_opts *o)
{
    memset(o, 0, sizeof *o);
    o->repeats = 20;
    o->train = 0.8;
    o->valid = 0.1;
    o->test = 0.1;
    o->seed = 42;
    jc_regressor_opts_init(&o->model);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void mean_std(const double *v, size_t n, double *mean, double *sd)
{
    double s = 0, q = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            s += v[i];
            m++;
        }
    *mean = m ? s / (double)m : NAN;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            q += (v[i] - *mean) * (v[i] - *mean);
    *sd = m ? sqrt(q / (double)m) : NAN;
}

/* Rows for one repeat of one target: fit rows (train + validation) and
 * test rows, as indices into x. */
typedef struct {
    size_t *fit, *test;
    size_t nfit, ntest;
} split;

static void make_split(const jc_eval_opts *o, const size_t *have, size_t nhave, int repeat, split *s,
                       size_t *perm)
{
    if (o->train_rows) {
        s->nfit = s->ntest = 0;
        for (size_t i = 0; i < nhave; i++) {
            if (o->train_rows[have[i]])
                s->fit[s->nfit++] = have[i];
            else if (o->test_rows[have[i]])
                s->test[s->ntest++] = have[i];
        }
        return;
    }
    /* seed per repeat, shared by every model and target: a fair comparison */
    jc_permutation(nhave, o->seed * 1000003u + (uint64_t)repeat, perm);
    double total = o->train + o->valid + o->test;
    size_t ntest = (size_t)llround((double)nhave * o->test / total);
    if (ntest < 1)
        ntest = 1;
    s->ntest = ntest;
    s->nfit = nhave - ntest;
    for (size_t i = 0; i < s->nfit; i++)
        s->fit[i] = have[perm[i]];
    for (size_t i = 0; i < ntest; i++)
        s->test[i] = have[perm[s->nfit + i]];
}

/* Fit one model on one split and score it. */
static int run_one(const char *kind, const jc_eval_opts *o, uint64_t seed, int *grid_point, const double *x,
                   size_t p, const double *y, size_t ntargets, size_t t, const split *s, double *xf, double *xt,
                   double *yf, double *yt, double *yhat, double metrics[3])
{
    jc_take_rows(x, p, s->fit, s->nfit, xf);
    jc_take_rows(x, p, s->test, s->ntest, xt);
    for (size_t i = 0; i < s->nfit; i++)
        yf[i] = y[s->fit[i] * ntargets + t];
    for (size_t i = 0; i < s->ntest; i++)
        yt[i] = y[s->test[i] * ntargets + t];
    jc_scaler sc;
    int rc = jc_scaler_fit(&sc, xf, s->nfit, p);
    if (rc)
        return rc;
    jc_scaler_transform(&sc, xf, s->nfit);
    jc_scaler_transform(&sc, xt, s->ntest);
    jc_scaler_free(&sc);
    jc_regressor_opts ro = o->model;
    ro.seed = seed;
    ro.grid_point = *grid_point;
    int lt = o->log_targets && o->log_targets[t];
    for (size_t i = 0; lt && i < s->nfit; i++) {
        if (!(yf[i] > 0))
            return jc_fail(JC_ERR_INVALID, "evaluate: a log target needs values > 0, found %g", yf[i]);
        yf[i] = log(yf[i]);
    }
    jc_regressor *r;
    if ((rc = jc_regressor_new(kind, &ro, &r)) != JC_OK)
        return rc;
    rc = jc_regressor_fit(r, xf, s->nfit, p, yf);
    if (rc == JC_OK && !o->tune_every_repeat)
        *grid_point = jc_regressor_grid_choice(r);
    if (rc == JC_OK)
        rc = jc_regressor_predict(r, xt, s->ntest, yhat);
    jc_regressor_free(r);
    for (size_t i = 0; lt && i < s->ntest; i++)
        yhat[i] = exp(yhat[i]);
    if (rc == JC_OK) {
        metrics[0] = jc_metric_mse(yt, yhat, s->ntest);
        metrics[1] = jc_metric_mre(yt, yhat, s->ntest);
        metrics[2] = jc_metric_r2(yt, yhat, s->ntest);
    }
    return rc;
}

static int alloc_result(jc_eval_result *out, size_t ntargets, const char *const *names, const char *const *models,
                        size_t nmodels, int repeats)
{
    memset(out, 0, sizeof *out);
    out->ntargets = ntargets;
    out->nmodels = nmodels;
    out->targets = calloc(ntargets, sizeof *out->targets);
    out->models = calloc(nmodels, sizeof *out->models);
    out->cells = calloc(ntargets * nmodels, sizeof *out->cells);
    out->ntrain = calloc(ntargets, sizeof *out->ntrain);
    out->ntest = calloc(ntargets, sizeof *out->ntest);
    if (!out->targets || !out->models || !out->cells || !out->ntrain || !out->ntest)
        return JC_ERR_NOMEM;
    for (size_t t = 0; t < ntargets; t++)
        if (!(out->targets[t] = jc_strdup(names[t])))
            return JC_ERR_NOMEM;
    for (size_t m = 0; m < nmodels; m++)
        if (!(out->models[m] = jc_strdup(models[m])))
            return JC_ERR_NOMEM;
    for (size_t c = 0; c < ntargets * nmodels; c++) {
        jc_eval_cell *cell = &out->cells[c];
        cell->mse = calloc((size_t)repeats, sizeof *cell->mse);
        cell->mre = calloc((size_t)repeats, sizeof *cell->mre);
        cell->r2 = calloc((size_t)repeats, sizeof *cell->r2);
        cell->grid_point = -1;  /* the first repeat searches */
        if (!cell->mse || !cell->mre || !cell->r2)
            return JC_ERR_NOMEM;
    }
    return JC_OK;
}

int jc_evaluate(const double *x, size_t n, size_t p, const double *y, size_t ntargets,
                const char *const *target_names, const char *const *models, size_t nmodels,
                const jc_eval_opts *o, jc_eval_result *out)
{
    if (o->repeats < 1 || !(o->test > 0) || o->train < 0 || o->valid < 0)
        return jc_fail(JC_ERR_INVALID, "evaluate: need at least one repeat and a test share > 0");
    if (!!o->train_rows != !!o->test_rows)
        return jc_fail(JC_ERR_INVALID, "evaluate: give both the training and the test rows, or neither");
    for (size_t m = 0; m < nmodels; m++) {
        jc_regressor *r;
        if (jc_regressor_new(models[m], &o->model, &r) != JC_OK)
            return JC_ERR_INVALID;  /* unknown kind: jc_last_error lists the kinds */
        jc_regressor_free(r);
    }
    if (alloc_result(out, ntargets, target_names, models, nmodels, o->repeats) != JC_OK) {
        jc_eval_result_free(out);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    size_t *have = malloc(n * sizeof *have), *perm = malloc(n * sizeof *perm);
    split s = {malloc(n * sizeof(size_t)), malloc(n * sizeof(size_t)), 0, 0};
    double *xf = malloc(n * p * sizeof *xf), *xt = malloc(n * p * sizeof *xt);
    double *yf = malloc(n * sizeof *yf), *yt = malloc(n * sizeof *yt), *yhat = malloc(n * sizeof *yhat);
    int rc = JC_OK;
    if (!have || !perm || !s.fit || !s.test || !xf || !xt || !yf || !yt || !yhat) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
        goto done;
    }
    size_t total = ntargets * nmodels * (size_t)o->repeats, done_fits = 0;
    for (size_t t = 0; t < ntargets && rc == JC_OK; t++) {
        size_t nhave = 0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(y[i * ntargets + t]))
                have[nhave++] = i;
        if (nhave < 3) {
            rc = jc_fail(JC_ERR_EMPTY, "evaluate: target '%s' has %zu rows with a value; at least 3 are needed",
                         target_names[t], nhave);
            break;
        }
        for (int r = 0; r < o->repeats && rc == JC_OK; r++) {
            make_split(o, have, nhave, r, &s, perm);
            if (s.nfit < 2 || s.ntest < 1) {
                rc = jc_fail(JC_ERR_EMPTY, "evaluate: target '%s': %zu rows to fit and %zu to test; too few",
                             target_names[t], s.nfit, s.ntest);
                break;
            }
            out->ntrain[t] = s.nfit;
            out->ntest[t] = s.ntest;
            for (size_t m = 0; m < nmodels; m++) {
                jc_eval_cell *cell = &out->cells[t * nmodels + m];
                double t0 = now_s(), met[3] = {NAN, NAN, NAN};
                int frc = JC_OK;
                if (!cell->error)
                    frc = run_one(models[m], o, o->seed * 7919u + (uint64_t)r, &cell->grid_point, x, p, y, ntargets,
                                  t, &s, xf, xt, yf, yt, yhat, met);
                cell->seconds += now_s() - t0;
                if (frc == JC_OK && !cell->error) {
                    cell->mse[cell->repeats] = met[0];
                    cell->mre[cell->repeats] = met[1];
                    cell->r2[cell->repeats] = met[2];
                    cell->repeats++;
                } else if (!cell->error) {
                    /* one model failing is a row of the table, not the end of it */
                    cell->error = jc_strdup(jc_last_error());
                }
                done_fits++;
                if (o->progress)
                    o->progress(o->progress_ctx, done_fits, total, target_names[t], models[m]);
            }
        }
    }
    for (size_t c = 0; c < ntargets * nmodels; c++) {
        jc_eval_cell *cell = &out->cells[c];
        mean_std(cell->mse, cell->repeats, &cell->mse_mean, &cell->mse_std);
        mean_std(cell->mre, cell->repeats, &cell->mre_mean, &cell->mre_std);
        mean_std(cell->r2, cell->repeats, &cell->r2_mean, &cell->r2_std);
    }
done:
    free(have);
    free(perm);
    free(s.fit);
    free(s.test);
    free(xf);
    free(xt);
    free(yf);
    free(yt);
    free(yhat);
    if (rc != JC_OK)
        jc_eval_result_free(out);
    return rc;
}

void jc_eval_result_free(jc_eval_result *r)
{
    if (!r)
        return;
    for (size_t t = 0; r->targets && t < r->ntargets; t++)
        free(r->targets[t]);
    for (size_t m = 0; r->models && m < r->nmodels; m++)
        free(r->models[m]);
    for (size_t c = 0; r->cells && c < r->ntargets * r->nmodels; c++) {
        free(r->cells[c].mse);
        free(r->cells[c].mre);
        free(r->cells[c].r2);
        free(r->cells[c].error);
    }
    free(r->targets);
    free(r->models);
    free(r->cells);
    free(r->ntrain);
    free(r->ntest);
    memset(r, 0, sizeof *r);
}

int jc_importance_with(jc_predict_fn predict, const void *model, const double *x, size_t n, size_t p,
                       const double *y, int repeats, uint64_t seed, double *increase, double *share)
{
    if (n < 2 || repeats < 1)
        return jc_fail(JC_ERR_INVALID, "importance: need at least 2 rows and 1 repeat");
    double *xs = malloc(n * p * sizeof *xs), *yhat = malloc(n * sizeof *yhat);
    size_t *perm = malloc(n * sizeof *perm);
    int rc = JC_OK;
    if (!xs || !yhat || !perm) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((rc = predict(model, x, n, yhat)) != JC_OK)
        goto done;
    double base = jc_metric_mse(y, yhat, n), sum = 0;
    for (size_t j = 0; j < p && rc == JC_OK; j++) {
        double acc = 0;
        for (int k = 0; k < repeats && rc == JC_OK; k++) {
            memcpy(xs, x, n * p * sizeof *xs);
            jc_permutation(n, seed + 1000003u * j + (uint64_t)k, perm);
            for (size_t i = 0; i < n; i++)
                xs[i * p + j] = x[perm[i] * p + j];
            rc = predict(model, xs, n, yhat);
            acc += jc_metric_mse(y, yhat, n) - base;
        }
        increase[j] = acc / repeats;
        sum += fmax(increase[j], 0);
    }
    for (size_t j = 0; j < p; j++)
        share[j] = sum > 0 ? fmax(increase[j], 0) / sum : 0;
done:
    free(xs);
    free(yhat);
    free(perm);
    return rc;
}

static int regressor_predict(const void *model, const double *x, size_t n, double *yhat)
{
    return jc_regressor_predict(model, x, n, yhat);
}

int jc_importance(const jc_regressor *r, const double *x, size_t n, size_t p, const double *y, int repeats,
                  uint64_t seed, double *increase, double *share)
{
    return jc_importance_with(regressor_predict, r, x, n, p, y, repeats, seed, increase, share);
}

static int target_predict(const void *model, const double *x, size_t n, double *yhat)
{
    return jc_model_target_predict(model, x, n, yhat);
}

int jc_model_target_importance(const jc_model_target *t, const double *x, size_t n, const double *y, int repeats,
                               uint64_t seed, double *increase, double *share)
{
    return jc_importance_with(target_predict, t, x, n, t->p, y, repeats, seed, increase, share);
}
