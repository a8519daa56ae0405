/* learn/sr_regressor.c: symbolic regression (the sr module) behind the
 * regressor interface, with the first seed's gplearn settings (section
 * 4.4.3): population 15000, 50 generations, stopping at an MAE of 0.01,
 * p_crossover 0.7, subtree 0.1, hoist 0.05, point 0.1, MAE fitness, and its
 * function set: add, sub, mul, div, sqrt, log, abs, neg, inv, sigmoid, sin,
 * cos, tan. Rows come row-major; the engine wants columns. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/sr.h"
#include "learn/regressor.h"
#include "sr/model_json.h"

typedef struct {
    jc_sr_model model;
    int fitted;
} sr_state;

/* The seed's setting; opts may shrink population and generations. */
static void seed_options(const jc_regressor_opts *o, jc_sr_options *so)
{
    jc_sr_options_default(so);
    so->population_size = o->sr_population > 0 ? o->sr_population : 15000;
    so->generations = o->sr_generations > 0 ? o->sr_generations : 50;
    so->stopping_criteria = 0.01;
    so->metric = JC_SR_MAE;
    so->p_crossover = o->sr_p_crossover > 0 ? o->sr_p_crossover : 0.7;
    so->p_subtree_mutation = 0.1;
    so->p_hoist_mutation = 0.05;
    so->p_point_mutation = 0.1;
    /* A sweep over crossover (the seed's Table S4) past 0.75 leaves no room
     * for the mutations' 0.25: they shrink in proportion, so that the
     * operator probabilities still sum to at most 1. */
    double mut = so->p_subtree_mutation + so->p_hoist_mutation + so->p_point_mutation;
    if (so->p_crossover + mut > 1) {
        double k = (1 - so->p_crossover) / mut;
        so->p_subtree_mutation *= k;
        so->p_hoist_mutation *= k;
        so->p_point_mutation *= k;
    }
    static const jc_sr_op ops[] = {JC_SR_ADD, JC_SR_SUB, JC_SR_MUL, JC_SR_DIV, JC_SR_SQRT, JC_SR_LOG, JC_SR_ABS,
                                   JC_SR_NEG, JC_SR_INV, JC_SR_SIG, JC_SR_SIN, JC_SR_COS, JC_SR_TAN};
    so->function_set = 0;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        so->function_set |= 1u << ops[i];
    so->random_state = o->seed;
    so->n_jobs = o->threads;
}

static void *sr_create(const jc_regressor_opts *o)
{
    (void)o;
    return calloc(1, sizeof(sr_state));
}

static void sr_destroy(void *state)
{
    sr_state *s = state;
    if (s->fitted)
        jc_sr_model_free(&s->model);
    free(s);
}

static double *to_columns(const double *x, size_t n, size_t p)
{
    double *c = malloc(n * p * sizeof *c);
    if (c)
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < p; j++)
                c[j * n + i] = x[i * p + j];
    return c;
}

static int sr_fit(void *state, const jc_regressor_opts *o, const double *x, size_t n, size_t p, const double *y)
{
    sr_state *s = state;
    if (s->fitted) {
        jc_sr_model_free(&s->model);
        s->fitted = 0;
    }
    jc_sr_options so;
    seed_options(o, &so);
    double *cols = to_columns(x, n, p);
    if (!cols)
        return jc_fail(JC_ERR_NOMEM, "sr: out of memory");
    int rc = jc_sr_fit(cols, y, n, p, NULL, &so, NULL, NULL, &s->model);
    free(cols);
    if (rc == JC_OK)
        s->fitted = 1;
    return rc;
}

static int sr_predict(const void *state, const double *x, size_t n, size_t p, double *yhat)
{
    const sr_state *s = state;
    double *cols = to_columns(x, n, p);
    if (!cols)
        return jc_fail(JC_ERR_NOMEM, "sr: out of memory");
    int rc = jc_sr_predict(&s->model, cols, n, n, yhat);
    free(cols);
    return rc;
}

static char *sr_describe(const void *state)
{
    const sr_state *s = state;
    char *f = jc_sr_program_text(&s->model.program, NULL, JC_SR_TEXT_INFIX);
    if (!f)
        return NULL;
    size_t len = strlen(f) + 160;
    char *d = malloc(len);
    if (d)
        snprintf(d, len, "%s  (length %u, depth %d, MAE %.6g, %zu generations)", f, s->model.program.len,
                 jc_sr_program_depth(&s->model.program), s->model.raw_fitness, s->model.ngenerations);
    free(f);
    return d;
}

static json_t *sr_save(const void *state)
{
    return jc_sr_model_to_json(&((const sr_state *)state)->model);
}

static int sr_load(const json_t *j, size_t p, void **out)
{
    sr_state *s = calloc(1, sizeof *s);
    if (!s)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    int rc = jc_sr_model_from_json(j, "sr model", &s->model);
    if (rc == JC_OK && s->model.nfeatures != p) {
        jc_sr_model_free(&s->model);
        rc = jc_fail(JC_ERR_PARSE, "sr model: %zu features, the file says %zu", s->model.nfeatures, p);
    }
    if (rc != JC_OK) {
        free(s);
        return rc;
    }
    s->fitted = 1;
    *out = s;
    return JC_OK;
}

const jc_regressor_ops jc_sr_regressor_ops = {
    "sr", sr_create, sr_destroy, sr_fit, sr_predict, sr_describe, sr_save, sr_load, NULL,
};
