/* learn/regressor.c: the jc_regressor interface over the model kinds: the
 * registry, option defaults, input checks common to every kind, and the JSON
 * envelope ({"kind", "nfeatures", "model": <kind's own>}). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learn/regressor.h"

static const jc_regressor_ops *const registry[] = {
    &jc_ols_ops, &jc_ridge_ops, &jc_lasso_ops, &jc_gbr_ops, &jc_mlp_ops, &jc_sr_regressor_ops,
};
#define NKINDS (sizeof registry / sizeof registry[0])

void jc_regressor_opts_init(jc_regressor_opts *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->cv_folds = 5;
    o->max_epochs = 200;
    o->patience = 20;
    o->full_grid = 1;
    o->grid_point = -1;
}

const char *const *jc_regressor_kinds(void)
{
    static const char *names[NKINDS + 1];
    for (size_t i = 0; i < NKINDS; i++)
        names[i] = registry[i]->kind;
    names[NKINDS] = NULL;
    return names;
}

static const jc_regressor_ops *find_kind(const char *kind)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (kind && strcmp(registry[i]->kind, kind) == 0)
            return registry[i];
    return NULL;
}

static int unknown_kind(const char *kind)
{
    char list[128] = "";
    for (size_t i = 0; i < NKINDS; i++) {
        if (i) strcat(list, ", ");
        strcat(list, registry[i]->kind);
    }
    return jc_fail(JC_ERR_INVALID, "unknown model '%s' (expected one of: %s)", kind ? kind : "", list);
}

int jc_regressor_new(const char *kind, const jc_regressor_opts *o, jc_regressor **out)
{
    *out = NULL;
    const jc_regressor_ops *ops = find_kind(kind);
    if (!ops)
        return unknown_kind(kind);
    jc_regressor *r = calloc(1, sizeof *r);
    if (!r)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    if (o)
        r->opts = *o;
    else
        jc_regressor_opts_init(&r->opts);
    r->ops = ops;
    r->state = ops->create(&r->opts);
    if (!r->state) {
        free(r);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    *out = r;
    return JC_OK;
}

const char *jc_regressor_kind(const jc_regressor *r)
{
    return r->ops->kind;
}

int jc_regressor_grid_choice(const jc_regressor *r)
{
    return r->p && r->ops->grid_choice ? r->ops->grid_choice(r->state) : -1;
}

size_t jc_regressor_nfeatures(const jc_regressor *r)
{
    return r->p;
}

int jc_regressor_fit(jc_regressor *r, const double *x, size_t n, size_t p, const double *y)
{
    if (n == 0 || p == 0)
        return jc_fail(JC_ERR_EMPTY, "%s: nothing to fit (%zu rows, %zu features)", r->ops->kind, n, p);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            return jc_fail(JC_ERR_INVALID, "%s: target of row %zu is not a finite number", r->ops->kind, i + 1);
        for (size_t j = 0; j < p; j++)
            if (!isfinite(x[i * p + j]))
                return jc_fail(JC_ERR_INVALID, "%s: feature %zu of row %zu is not a finite number",
                               r->ops->kind, j + 1, i + 1);
    }
    /* A failed refit must not leave a half-fitted model that claims p. */
    r->p = 0;
    int rc = r->ops->fit(r->state, &r->opts, x, n, p, y);
    if (rc == JC_OK)
        r->p = p;
    return rc;
}

int jc_regressor_predict(const jc_regressor *r, const double *x, size_t n, double *yhat)
{
    if (r->p == 0)
        return jc_fail(JC_ERR_INVALID, "%s: predict before fit", r->ops->kind);
    return r->ops->predict(r->state, x, n, r->p, yhat);
}

char *jc_regressor_describe(const jc_regressor *r)
{
    if (r->p == 0)
        return jc_strdup("(not fitted)");
    return r->ops->describe(r->state);
}

int jc_regressor_to_json(const jc_regressor *r, char **json_text)
{
    *json_text = NULL;
    if (r->p == 0)
        return jc_fail(JC_ERR_INVALID, "%s: cannot save a model that is not fitted", r->ops->kind);
    json_t *model = r->ops->save(r->state);
    if (!model)
        return jc_fail(JC_ERR_NOMEM, "%s: could not serialise the model", r->ops->kind);
    json_t *root = json_pack("{s:s, s:I, s:o}", "kind", r->ops->kind, "nfeatures", (json_int_t)r->p,
                             "model", model);
    if (!root)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    /* JSON_REAL_PRECISION(17): doubles read back bit for bit. */
    *json_text = json_dumps(root, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
    json_decref(root);
    return *json_text ? JC_OK : jc_fail(JC_ERR_NOMEM, "out of memory");
}

int jc_regressor_from_json(const char *json_text, jc_regressor **out)
{
    *out = NULL;
    json_error_t err;
    json_t *root = json_loads(json_text, 0, &err);
    if (!root)
        return jc_fail_at(JC_ERR_PARSE, "model", err.line, err.column, "%s", err.text);
    const char *kind = json_string_value(json_object_get(root, "kind"));
    json_t *jp = json_object_get(root, "nfeatures");
    json_t *model = json_object_get(root, "model");
    int rc;
    if (!kind || !json_is_integer(jp) || json_integer_value(jp) < 1 || !json_is_object(model)) {
        rc = jc_fail(JC_ERR_PARSE, "model: expected \"kind\", \"nfeatures\" >= 1 and \"model\"");
        goto done;
    }
    const jc_regressor_ops *ops = find_kind(kind);
    if (!ops) {
        rc = unknown_kind(kind);
        goto done;
    }
    jc_regressor *r = calloc(1, sizeof *r);
    if (!r) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
        goto done;
    }
    jc_regressor_opts_init(&r->opts);
    r->ops = ops;
    size_t p = (size_t)json_integer_value(jp);
    rc = ops->load(model, p, &r->state);
    if (rc != JC_OK) {
        free(r);
        goto done;
    }
    r->p = p;
    *out = r;
done:
    json_decref(root);
    return rc;
}

void jc_regressor_free(jc_regressor *r)
{
    if (!r)
        return;
    if (r->state)
        r->ops->destroy(r->state);
    free(r);
}
