/* cli/learn_cli.c: lists, row filters and table-to-matrix loading for the
 * learning subcommands (see learn_cli.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "joulecast/forecast.h"
#include "joulecast/learn.h"
#include "joulecast/util.h"
#include "learn_cli.h"

char **jc_cli_split_list(const char *s, size_t *n)
{
    *n = 0;
    char *copy = jc_strdup(s), *save = NULL;
    char **v = calloc(strlen(s) / 2 + 2, sizeof *v);
    if (!copy || !v) {
        free(copy);
        free(v);
        return NULL;
    }
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ')
            tok[--len] = 0;
        if (len)
            v[(*n)++] = jc_strdup(tok);
    }
    free(copy);
    return v;
}

void jc_cli_free_list(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static int parse_num(const char *s, double *v)
{
    char *e;
    *v = strtod(s, &e);
    return e != s && *e == 0;
}

int jc_cli_filter_rows(const jc_table *t, char *const *filters, size_t nfilters, unsigned char *keep)
{
    size_t n = jc_table_nrows(t);
    for (size_t f = 0; f < nfilters; f++) {
        const char *eq = strchr(filters[f], '=');
        if (!eq || eq == filters[f])
            return jc_fail(JC_ERR_INVALID, "filter '%s': expected COLUMN=VALUE or COLUMN!=VALUE", filters[f]);
        int negate = eq > filters[f] && eq[-1] == '!';
        char col[256];
        size_t clen = (size_t)(eq - filters[f]) - (size_t)negate;
        snprintf(col, sizeof col, "%.*s", (int)(clen < 255 ? clen : 255), filters[f]);
        const char *want = eq + 1;
        int c = jc_table_find(t, col);
        if (c < 0)
            return jc_fail(JC_ERR_INVALID, "filter '%s': %s has no column '%s'", filters[f],
                           jc_table_source(t) ? jc_table_source(t) : "the table", col);
        const double *num = jc_table_column_values(t, c);
        double wv;
        int want_num = parse_num(want, &wv);
        for (size_t i = 0; i < n; i++) {
            const char *txt = jc_table_text(t, i, c);
            int match = (txt && strcmp(txt, want) == 0) || (want_num && num && num[i] == wv);
            if (match == negate)
                keep[i] = 0;
        }
    }
    return JC_OK;
}

static int in_list(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return 1;
    return 0;
}

int jc_cli_load(const jc_table *t, char *const *features, size_t p, char *const *targets, size_t ntargets,
                char *const *logs, size_t nlogs, const unsigned char *keep, jc_cli_data *out)
{
    memset(out, 0, sizeof *out);
    const char *src = jc_table_source(t) ? jc_table_source(t) : "table";
    size_t nrows = jc_table_nrows(t);
    const double **fx = calloc(p ? p : 1, sizeof *fx), **ty = calloc(ntargets ? ntargets : 1, sizeof *ty);
    int *fcol = calloc(p ? p : 1, sizeof *fcol);
    int rc = JC_OK;
    if (!fx || !ty || !fcol) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nlogs; i++)
        if (!in_list(features, p, logs[i])) {
            rc = jc_fail(JC_ERR_INVALID, "--log %s: not one of the features", logs[i]);
            goto done;
        }
    for (size_t j = 0; j < p; j++) {
        int c = jc_table_find(t, features[j]);
        if (c < 0) {
            rc = jc_fail(JC_ERR_INVALID, "%s has no column '%s' (a feature)", src, features[j]);
            goto done;
        }
        if ((rc = jc_table_require_numeric(t, c, 0)) != JC_OK)
            goto done;
        fx[j] = jc_table_column_values(t, c);
        fcol[j] = c;
    }
    for (size_t k = 0; k < ntargets; k++) {
        int c = jc_table_find(t, targets[k]);
        if (c < 0) {
            rc = jc_fail(JC_ERR_INVALID, "%s has no column '%s' (a target)", src, targets[k]);
            goto done;
        }
        if ((rc = jc_table_require_numeric(t, c, 0)) != JC_OK)
            goto done;
        ty[k] = jc_table_column_values(t, c);
    }
    out->p = p;
    out->ntargets = ntargets;
    out->x = malloc((nrows ? nrows : 1) * (p ? p : 1) * sizeof *out->x);
    out->y = malloc((nrows ? nrows : 1) * (ntargets ? ntargets : 1) * sizeof *out->y);
    out->row = malloc((nrows ? nrows : 1) * sizeof *out->row);
    if (!out->x || !out->y || !out->row) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nrows; i++) {
        if (keep && !keep[i])
            continue;
        int ok = 1;
        for (size_t j = 0; j < p && ok; j++) {
            double v = fx[j][i];
            if (in_list(logs, nlogs, features[j]) && isfinite(v)) {
                if (!(v > 0)) {
                    rc = jc_fail_at(JC_ERR_INVALID, src, jc_table_row_line(t, i), fcol[j] + 1,
                                    "--log %s: %g is not > 0", features[j], v);
                    goto done;
                }
                v = log(v);
            }
            ok = isfinite(v);
            out->x[out->n * p + j] = v;
        }
        if (!ok) {
            out->dropped++;
            continue;
        }
        for (size_t k = 0; k < ntargets; k++)
            out->y[out->n * ntargets + k] = isfinite(ty[k][i]) ? ty[k][i] : NAN;
        out->row[out->n++] = i;
    }
done:
    free(fx);
    free(ty);
    free(fcol);
    if (rc != JC_OK)
        jc_cli_data_free(out);
    return rc;
}

void jc_cli_data_free(jc_cli_data *d)
{
    free(d->x);
    free(d->y);
    free(d->row);
    memset(d, 0, sizeof *d);
}

int jc_cli_read_rows(const char *path, char *const *where, size_t nwhere, jc_table **t, unsigned char **keep)
{
    *keep = NULL;
    if (jc_table_read_csv(path, t) != JC_OK) {
        jc_print_error();
        return JC_EXIT_FAIL;
    }
    size_t nrows = jc_table_nrows(*t);
    *keep = malloc(nrows ? nrows : 1);
    if (!*keep) {
        fprintf(stderr, "joulecast: error: out of memory\n");
        return JC_EXIT_FAIL;
    }
    memset(*keep, 1, nrows ? nrows : 1);
    if (jc_cli_filter_rows(*t, where, nwhere, *keep) != JC_OK) {
        jc_print_error();
        return JC_EXIT_USAGE;
    }
    return 0;
}

int jc_cli_check_model(const char *kind)
{
    jc_regressor *probe;
    if (jc_regressor_new(kind, NULL, &probe) != JC_OK) {
        jc_print_error();
        return -1;
    }
    jc_regressor_free(probe);
    return 0;
}

int jc_cli_add_gpu_columns(jc_table *t)
{
    int c = jc_table_find(t, "gpu_model");
    if (c < 0)
        return jc_fail(JC_ERR_INVALID, "--gpu-features: %s has no gpu_model column",
                       jc_table_source(t) ? jc_table_source(t) : "the table");
    jc_gpu_table *gt;
    int rc = jc_gpu_table_load(NULL, &gt);
    if (rc != JC_OK)
        return rc;
    size_t n = jc_table_nrows(t);
    static const char *const names[] = {"gpu_tdp_w", "gpu_fp32_tflops", "gpu_fp16_tensor_tflops", "gpu_memory_gb",
                                        "gpu_memory_bandwidth_gbs"};
    double *v[5];
    for (int k = 0; k < 5; k++)
        v[k] = malloc((n ? n : 1) * sizeof(double));
    char last_missing[128] = "";
    for (size_t i = 0; i < n; i++) {
        const char *name = jc_table_text(t, i, c);
        const jc_gpu_spec *g = name && *name ? jc_gpu_find(gt, name) : NULL;
        if (!g && name && *name && strcmp(last_missing, name) != 0) {
            jc_warn("%s:%ld: GPU '%s' is not in the GPU table: its specification columns stay empty (%s)",
                    jc_table_source(t) ? jc_table_source(t) : "table", jc_table_row_line(t, i), name,
                    jc_last_error());
            snprintf(last_missing, sizeof last_missing, "%s", name);
        }
        double vals[5] = {NAN, NAN, NAN, NAN, NAN};
        if (g) {
            vals[0] = g->tdp_w;
            vals[1] = g->fp32_tflops;
            vals[2] = g->fp16_tensor_tflops;
            vals[3] = g->memory_gb;
            vals[4] = g->memory_bandwidth_gbs;
        }
        for (int k = 0; k < 5; k++)
            v[k][i] = vals[k];
    }
    for (int k = 0; k < 5 && rc == JC_OK; k++)
        if (jc_table_find(t, names[k]) < 0) {
            int col = jc_table_add_numeric(t, names[k], v[k]);  /* the new column's index */
            rc = col < 0 ? col : JC_OK;
        }
    for (int k = 0; k < 5; k++)
        free(v[k]);
    jc_gpu_table_free(gt);
    return rc;
}

int jc_cli_load_target(const jc_table *t, const jc_model_target *mt, const unsigned char *keep, jc_cli_data *d)
{
    char *name = mt->name;
    int rc = jc_cli_load(t, mt->features, mt->p, &name, 1, NULL, 0, keep, d);
    if (rc != JC_OK)
        return rc;
    size_t nn = 0;
    for (size_t i = 0; i < d->n; i++)
        if (isfinite(d->y[i])) {
            memmove(d->x + nn * mt->p, d->x + i * mt->p, mt->p * sizeof *d->x);
            d->row[nn] = d->row[i];
            d->y[nn++] = d->y[i];
        }
    d->n = nn;
    return JC_OK;
}
