/* dispatch/inputs.c: the files a schedule is made from (levels, tariff,
 * battery, grid, PV series) and the seed's values as built-in defaults, which
 * the files in data/ repeat in file form (a test holds the two equal). Every
 * error names FILE:LINE[:COL]. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/dispatch.h"
#include "joulecast/table.h"

/* ---- levels ---- */

/* Table 5.1 of the seed: power limit (W) and the job's time at it (h). */
static const double seed_limit_w[] = {100, 125, 150, 175, 200, 225, 250};
static const double seed_time_h[] = {32, 28, 26, 25, 24, 23, 22};

void jc_dispatch_levels_free(jc_dispatch_levels *l)
{
    if (!l)
        return;
    free(l->level);
    memset(l, 0, sizeof *l);
}

int jc_dispatch_levels_seed(jc_dispatch_levels *out)
{
    memset(out, 0, sizeof *out);
    size_t n = sizeof seed_limit_w / sizeof seed_limit_w[0];
    out->level = calloc(n, sizeof *out->level);
    if (!out->level)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < n; k++) {
        /* the seed assumes the GPU draws its limit all the time */
        out->level[k].power_limit_w = seed_limit_w[k];
        out->level[k].draw_w = seed_limit_w[k];
        out->level[k].time_h = seed_time_h[k];
    }
    out->n = n;
    out->idle_w = JC_DISPATCH_SEED_IDLE_W;
    out->idle_given = 1;
    return JC_OK;
}

static int cmp_level(const void *a, const void *b)
{
    const jc_dispatch_level *x = a, *y = b;
    if (x->draw_w != y->draw_w)
        return x->draw_w < y->draw_w ? -1 : 1;
    return (x->time_h > y->time_h) - (x->time_h < y->time_h);
}

static int col_of(const jc_table *t, const char *path, const char *name, int required)
{
    int c = jc_table_find(t, name);
    if (c < 0 && required)
        return jc_fail_at(JC_ERR_PARSE, path, 1, 0, "no column '%s' (found %d columns)", name, jc_table_ncols(t));
    return c;
}

static double cell(const jc_table *t, int col, size_t row)
{
    return col < 0 ? NAN : jc_table_column_values(t, col)[row];
}

static int bad_cell(const jc_table *t, const char *path, size_t row, int col, const char *what)
{
    const char *text = jc_table_text(t, row, col);
    return jc_fail_at(JC_ERR_PARSE, path, jc_table_row_line(t, row), col + 1, "column '%s': %s, found '%s'",
                      jc_table_name(t, col), what, text ? text : "");
}

/* One row into a level (or the idle draw); 1 when the row is left out. */
static int level_row(const jc_table *t, const char *path, size_t r, const int *c, jc_dispatch_levels *out,
                     jc_dispatch_level *lv)
{
    enum { LIMIT, TIME, AVG, ENERGY, EXIT };
    double exit_status = cell(t, c[EXIT], r);
    if (c[EXIT] >= 0 && !isnan(exit_status) && exit_status != 0) {
        jc_warn("%s:%ld: level %s W left out: its run failed (exit status %g)", path, jc_table_row_line(t, r),
                jc_table_text(t, r, c[LIMIT]), exit_status);
        return 1;
    }
    double limit = cell(t, c[LIMIT], r), time_s = cell(t, c[TIME], r);
    double avg = cell(t, c[AVG], r), energy = cell(t, c[ENERGY], r);
    const char *ttext = jc_table_text(t, r, c[TIME]);
    if (isnan(time_s) && (!ttext || !*ttext)) {
        /* the idle level: no progress, its own draw */
        if (out->idle_given)
            return jc_fail_at(JC_ERR_PARSE, path, jc_table_row_line(t, r), c[TIME] + 1,
                              "a second idle row (empty time_s); only one is allowed");
        if (c[AVG] < 0 || !(avg >= 0) || !isfinite(avg))
            return c[AVG] < 0 ? jc_fail_at(JC_ERR_PARSE, path, jc_table_row_line(t, r), 0,
                                           "the idle row (empty time_s) needs an avg_power_w column for its draw")
                              : bad_cell(t, path, r, c[AVG], "the idle draw must be a number >= 0");
        out->idle_w = avg;
        out->idle_given = 1;
        return 1;
    }
    if (!(time_s > 0) || !isfinite(time_s))
        return bad_cell(t, path, r, c[TIME], "expected a run time in s > 0");
    if (!(limit >= 0) || !isfinite(limit))
        return bad_cell(t, path, r, c[LIMIT], "expected a power limit in W >= 0");
    double draw = limit;
    if (c[AVG] >= 0 && !isnan(avg))
        draw = avg;
    else if (c[ENERGY] >= 0 && !isnan(energy))
        draw = energy / time_s;
    int dc = c[AVG] >= 0 && !isnan(avg) ? c[AVG] : c[ENERGY] >= 0 && !isnan(energy) ? c[ENERGY] : c[LIMIT];
    if (!(draw > 0) || !isfinite(draw))
        return bad_cell(t, path, r, dc, "the level's draw must be a number > 0");
    lv->power_limit_w = limit;
    lv->draw_w = draw;
    lv->time_h = time_s / 3600.0;
    return 0;
}

int jc_dispatch_levels_read(const char *path, double idle_w_default, jc_dispatch_levels *out)
{
    memset(out, 0, sizeof *out);
    jc_table *t = NULL;
    int rc = jc_table_read_csv(path, &t);
    if (rc)
        return rc;
    int c[5];
    static const char *const names[] = {"power_limit_w", "time_s", "avg_power_w", "energy_j", "exit_status"};
    for (int i = 0; i < 5 && !rc; i++) {
        c[i] = col_of(t, path, names[i], i < 2);
        if (c[i] < -1)
            rc = c[i];
    }
    size_t nr = jc_table_nrows(t);
    for (int i = 0; i < 5 && !rc; i++)
        if (c[i] >= 0 && i != 1)
            rc = jc_table_require_numeric(t, c[i], 0);
    if (!rc && nr == 0)
        rc = jc_fail_at(JC_ERR_EMPTY, path, 0, 0, "no levels");
    if (!rc) {
        out->level = calloc(nr, sizeof *out->level);
        if (!out->level)
            rc = jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    for (size_t r = 0; r < nr && !rc; r++) {
        const char *tt = jc_table_text(t, r, c[1]);
        if (tt && *tt && isnan(cell(t, c[1], r)))
            rc = bad_cell(t, path, r, c[1], "expected a run time in s (empty for the idle level)");
        if (rc)
            break;
        int skip = level_row(t, path, r, c, out, &out->level[out->n]);
        if (skip < 0)
            rc = skip;
        else if (!skip)
            out->n++;
    }
    if (!rc && out->n == 0)
        rc = jc_fail_at(JC_ERR_EMPTY, path, 0, 0, "no usable power level (every run failed, or only an idle row)");
    jc_table_free(t);
    if (rc) {
        jc_dispatch_levels_free(out);
        return rc;
    }
    if (!out->idle_given)
        out->idle_w = idle_w_default;
    qsort(out->level, out->n, sizeof *out->level, cmp_level);
    /* A level no faster than a level that draws no more is never worth an
     * hour (the other does as much for less); measured sweeps have them
     * where the speed saturates. Dropping them keeps the rates rising with
     * the draw, which the deadline's hull cuts need (hull.c). */
    size_t kept = 0;
    for (size_t k = 0; k < out->n; k++) {
        if (kept && !(out->level[k].time_h < out->level[kept - 1].time_h)) {
            jc_warn("%s: level %g W (%g W drawn, %g h) left out: level %g W is as fast for less", path,
                    out->level[k].power_limit_w, out->level[k].draw_w, out->level[k].time_h,
                    out->level[kept - 1].power_limit_w);
            continue;
        }
        out->level[kept++] = out->level[k];
    }
    out->n = kept;
    return JC_OK;
}

/* ---- tariff ---- */

void jc_dispatch_tariff_seed(jc_dispatch_tariff *out)
{
    memset(out, 0, sizeof *out);
    for (int h = 0; h < 24; h++) {
        /* Table 5.3: F1 08-20 0.45, F2 20-23 0.35, F3 23-08 0.25; sell 0.30 */
        const char *w = h >= 8 && h < 20 ? "F1" : h >= 20 && h < 23 ? "F2" : "F3";
        out->buy_eur_per_kwh[h] = w[1] == '1' ? 0.45 : w[1] == '2' ? 0.35 : 0.25;
        out->sell_eur_per_kwh[h] = 0.30;
        snprintf(out->window[h], sizeof out->window[h], "%s", w);
    }
}

/* "HH:00" or "HH" with HH 0..24; -1 if not. */
static int parse_clock(const char *s)
{
    if (!s)
        return -1;
    int h = 0, n = 0;
    if (sscanf(s, "%d%n", &h, &n) != 1 || h < 0 || h > 24)
        return -1;
    if (s[n] == 0)
        return h;
    int m = -1, n2 = 0;
    if (s[n] != ':' || sscanf(s + n + 1, "%d%n", &m, &n2) != 1 || m != 0 || s[n + 1 + n2] != 0)
        return -1;
    return h;
}

int jc_dispatch_tariff_read(const char *path, jc_dispatch_tariff *out)
{
    memset(out, 0, sizeof *out);
    jc_table *t = NULL;
    int rc = jc_table_read_csv(path, &t);
    if (rc)
        return rc;
    static const char *const names[] = {"window", "from", "to", "buy_eur_per_kwh", "sell_eur_per_kwh"};
    int c[5];
    for (int i = 0; i < 5 && !rc; i++) {
        c[i] = col_of(t, path, names[i], 1);
        if (c[i] < 0)
            rc = c[i];
    }
    long owner[24];
    for (int h = 0; h < 24; h++)
        owner[h] = 0;
    size_t nr = jc_table_nrows(t);
    for (size_t r = 0; r < nr && !rc; r++) {
        long line = jc_table_row_line(t, r);
        int from = parse_clock(jc_table_text(t, r, c[1])), to = parse_clock(jc_table_text(t, r, c[2]));
        double buy = cell(t, c[3], r), sell = cell(t, c[4], r);
        if (from < 0 || from > 23)
            rc = bad_cell(t, path, r, c[1], "expected a whole hour HH:00 from 00:00 to 23:00");
        else if (to < 0 || to == from)
            rc = bad_cell(t, path, r, c[2], "expected a whole hour HH:00 up to 24:00, not equal to 'from'");
        else if (!(buy >= 0) || !isfinite(buy))
            rc = bad_cell(t, path, r, c[3], "expected a price >= 0");
        else if (!(sell >= 0) || !isfinite(sell))
            rc = bad_cell(t, path, r, c[4], "expected a price >= 0");
        for (int h = from; !rc && h != to % 24; h = (h + 1) % 24) {
            if (owner[h])
                rc = jc_fail_at(JC_ERR_PARSE, path, line, c[1] + 1, "hour %02d:00 is already in the window on line %ld",
                                h, owner[h]);
            owner[h] = line;
            out->buy_eur_per_kwh[h] = buy;
            out->sell_eur_per_kwh[h] = sell;
            snprintf(out->window[h], sizeof out->window[h], "%s", jc_table_text(t, r, c[0]));
        }
    }
    for (int h = 0; h < 24 && !rc; h++)
        if (!owner[h])
            rc = jc_fail_at(JC_ERR_PARSE, path, 0, 0, "no window covers %02d:00-%02d:00", h, h + 1);
    jc_table_free(t);
    return rc;
}

/* ---- JSON files ---- */

/* The line of "key" in a JSON file, for messages (jansson keeps no
 * positions of values); 1 when not found. */
static long key_line(const char *path, const char *key)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char want[96], buf[512];
    snprintf(want, sizeof want, "\"%s\"", key);
    long line = 0, found = 1;
    while (fgets(buf, sizeof buf, f)) {
        line++;
        if (strstr(buf, want)) {
            found = line;
            break;
        }
    }
    fclose(f);
    return found;
}

static int load_json(const char *path, const char *format, json_t **root)
{
    json_error_t err;
    *root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!*root) {
        FILE *f = fopen(path, "rb");
        if (!f)
            return jc_fail(JC_ERR_IO, "%s: cannot open", path);
        fclose(f);
        return jc_fail_at(JC_ERR_PARSE, path, err.line, err.column, "%s", err.text);
    }
    const char *fmt = NULL;
    json_t *v = json_object_get(*root, "format");
    if (!json_is_object(*root) || !(fmt = json_string_value(v)) || strcmp(fmt, format)) {
        json_decref(*root);
        *root = NULL;
        return jc_fail_at(JC_ERR_PARSE, path, key_line(path, "format"), 0, "not a %s file (\"format\": \"%s\" expected)",
                          format, format);
    }
    json_int_t version = json_integer_value(json_object_get(*root, "version"));
    if (version != 1) {
        json_decref(*root);
        *root = NULL;
        return jc_fail_at(JC_ERR_PARSE, path, key_line(path, "version"), 0, "unsupported version (1 expected)");
    }
    return JC_OK;
}

/* A number under key in [lo, hi]; absent keeps *v; null means INFINITY when
 * null_is_inf. */
static int json_num(json_t *root, const char *path, const char *key, double lo, double hi, int null_is_inf,
                    double *v)
{
    json_t *x = json_object_get(root, key);
    if (!x)
        return JC_OK;
    if (json_is_null(x) && null_is_inf) {
        *v = INFINITY;
        return JC_OK;
    }
    double d = json_is_number(x) ? json_number_value(x) : NAN;
    if (!(d >= lo && d <= hi))
        return jc_fail_at(JC_ERR_PARSE, path, key_line(path, key), 0, "\"%s\" must be a number from %g to %g%s", key, lo,
                          hi, null_is_inf ? " (or null: no limit)" : "");
    *v = d;
    return JC_OK;
}

static int unknown_keys(json_t *root, const char *path, const char *const *known)
{
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        int ok = 0;
        for (int i = 0; known[i] && !ok; i++)
            ok = !strcmp(key, known[i]);
        if (!ok)
            return jc_fail_at(JC_ERR_PARSE, path, key_line(path, key), 0, "unknown key \"%s\"", key);
    }
    return JC_OK;
}

/* ---- battery ---- */

void jc_dispatch_battery_seed(jc_dispatch_battery *out)
{
    /* Table 5.2 and section 5.2.4: 250 Wh, alpha = beta = 0.9, theta = 0.005
     * per hour, empty at the start (5.16); no power limits given */
    memset(out, 0, sizeof *out);
    out->capacity_wh = 250;
    out->charge_efficiency = 0.9;
    out->discharge_efficiency = 0.9;
    out->self_discharge_per_h = 0.005;
    out->initial_soc = 0;
    out->min_soc = 0;
    out->max_soc = 1;
    out->max_charge_w = INFINITY;
    out->max_discharge_w = INFINITY;
}

int jc_dispatch_battery_read(const char *path, jc_dispatch_battery *out)
{
    jc_dispatch_battery_seed(out);
    json_t *root;
    int rc = load_json(path, "joulecast-battery", &root);
    if (rc)
        return rc;
    static const char *const known[] = {"format", "version", "capacity_wh", "charge_efficiency",
                                        "discharge_efficiency", "self_discharge_per_h", "initial_soc", "min_soc",
                                        "max_soc", "max_charge_w", "max_discharge_w", "comment", NULL};
    rc = unknown_keys(root, path, known);
    if (!rc) rc = json_num(root, path, "capacity_wh", 0, 1e9, 0, &out->capacity_wh);
    if (!rc) rc = json_num(root, path, "charge_efficiency", 1e-6, 1, 0, &out->charge_efficiency);
    if (!rc) rc = json_num(root, path, "discharge_efficiency", 1e-6, 1, 0, &out->discharge_efficiency);
    if (!rc) rc = json_num(root, path, "self_discharge_per_h", 0, 0.999999, 0, &out->self_discharge_per_h);
    if (!rc) rc = json_num(root, path, "initial_soc", 0, 1, 0, &out->initial_soc);
    if (!rc) rc = json_num(root, path, "min_soc", 0, 1, 0, &out->min_soc);
    if (!rc) rc = json_num(root, path, "max_soc", 0, 1, 0, &out->max_soc);
    if (!rc) rc = json_num(root, path, "max_charge_w", 0, 1e9, 1, &out->max_charge_w);
    if (!rc) rc = json_num(root, path, "max_discharge_w", 0, 1e9, 1, &out->max_discharge_w);
    if (!rc && !(out->min_soc <= out->max_soc))
        rc = jc_fail_at(JC_ERR_PARSE, path, key_line(path, "min_soc"), 0, "\"min_soc\" exceeds \"max_soc\"");
    if (!rc && (out->initial_soc < out->min_soc || out->initial_soc > out->max_soc))
        rc = jc_fail_at(JC_ERR_PARSE, path, key_line(path, "initial_soc"), 0,
                        "\"initial_soc\" must lie between \"min_soc\" and \"max_soc\"");
    json_decref(root);
    return rc;
}

/* ---- grid ---- */

void jc_dispatch_grid_seed(jc_dispatch_grid *out)
{
    /* The seed names G_max^grid but gives it no value: 3 kW, the usual
     * Italian household contract, each way. */
    out->max_import_w = 3000;
    out->max_export_w = 3000;
}

int jc_dispatch_grid_read(const char *path, jc_dispatch_grid *out)
{
    jc_dispatch_grid_seed(out);
    json_t *root;
    int rc = load_json(path, "joulecast-grid", &root);
    if (rc)
        return rc;
    static const char *const known[] = {"format", "version", "max_import_w", "max_export_w", "comment", NULL};
    rc = unknown_keys(root, path, known);
    if (!rc) rc = json_num(root, path, "max_import_w", 0, 1e9, 1, &out->max_import_w);
    if (!rc) rc = json_num(root, path, "max_export_w", 0, 1e9, 1, &out->max_export_w);
    json_decref(root);
    return rc;
}

/* ---- PV series ---- */

void jc_dispatch_pv_free(jc_dispatch_pv *pv)
{
    if (!pv)
        return;
    free(pv->ac_w);
    free(pv->source);
    memset(pv, 0, sizeof *pv);
}

int jc_dispatch_pv_read(const char *path, jc_dispatch_pv *out)
{
    memset(out, 0, sizeof *out);
    jc_table *t = NULL;
    int rc = jc_table_read_csv(path, &t);
    if (rc)
        return rc;
    int ch = col_of(t, path, "hour_of_year", 1), ca = ch < 0 ? ch : col_of(t, path, "ac_w", 1);
    rc = ch < 0 ? ch : ca < 0 ? ca : JC_OK;
    if (!rc)
        rc = jc_table_require_numeric(t, ch, JC_TABLE_NO_MISSING);
    if (!rc)
        rc = jc_table_require_numeric(t, ca, JC_TABLE_NO_MISSING);
    size_t n = jc_table_nrows(t);
    if (!rc && n == 0)
        rc = jc_fail_at(JC_ERR_EMPTY, path, 0, 0, "no hours in the PV series");
    if (!rc) {
        out->ac_w = malloc(n * sizeof *out->ac_w);
        out->source = jc_strdup(path);
        if (!out->ac_w || !out->source)
            rc = jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    const double *hv = rc ? NULL : jc_table_column_values(t, ch), *av = rc ? NULL : jc_table_column_values(t, ca);
    for (size_t r = 0; r < n && !rc; r++) {
        if (hv[r] != (double)r)
            rc = bad_cell(t, path, r, ch, r == 0 ? "the series must start at hour 0" : "hours must follow one another");
        else if (!(av[r] >= 0) || !isfinite(av[r]))
            rc = bad_cell(t, path, r, ca, "expected a power in W >= 0");
        else
            out->ac_w[r] = av[r];
    }
    jc_table_free(t);
    if (rc) {
        jc_dispatch_pv_free(out);
        return rc;
    }
    out->n = n;
    return JC_OK;
}
