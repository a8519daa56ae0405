/* Fitted sr models as JSON files: what jc_sr_model_save writes and
 * jc_sr_model_load reads back and checks. Doubles are written with 17
 * significant digits, so a loaded model predicts bit-identically.
 *
 * Format "joulecast-sr", version 1, one object:
 *   "format": "joulecast-sr", "version": 1,
 *   "features": ["name", ...] (an entry may be null) or null, "n_features": n,
 *   "target": "name" or null,
 *   "program": the prefix program, one token per node: a function as its
 *       gplearn name ("add"), a feature as {"feature": index}, a constant as a
 *       number (the strings "inf", "-inf", "nan" for non-finite constants),
 *   "formula": {"infix", "gplearn", "sympy"}, "length", "depth"
 *       (informational: never read back),
 *   "raw_fitness", "oob_fitness", "scale": {"a", "b"} (prediction =
 *       a + b * program), "fit_seconds", "node_evaluations",
 *   "options": every jc_sr_options field under gplearn's name (const_range
 *       [lo, hi] or null, init_depth [lo, hi], init_method "half and half" |
 *       "grow" | "full", function_set [names], metric "mae" | "mse" | "rmse",
 *       parsimony_coefficient a number or "auto", random_state an integer, or
 *       a decimal string above 2^63 - 1), then the extras linear_scaling,
 *       optimize_constants, lm_iterations, pareto_front,
 *   "history": [{generation, best_raw_fitness, mean_raw_fitness,
 *       best_oob_fitness, mean_length, seconds}],
 *   "pareto": [{length, raw_fitness, oob_fitness, program, infix}].
 * Other doubles are numbers, null for NaN, "inf" / "-inf" for infinities.
 * Loading requires format, version, program and features or n_features;
 * anything else absent takes its default, unknown keys are ignored. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr/sr_internal.h"
#include "sr/model_json.h"

#define FORMAT_NAME "joulecast-sr"
#define FORMAT_VERSION 1

/* The options object, in gplearn's constructor order, then the extras. */
typedef enum {
    F_INT,
    F_DBL,
    F_BOOL,
    F_CONST_RANGE,
    F_INIT_DEPTH,
    F_INIT_METHOD,
    F_FUNCTION_SET,
    F_METRIC,
    F_PARSIMONY,
    F_SEED
} field_type;

static const struct {
    const char *key;
    field_type type;
    size_t off;
} option_fields[] = {
    {"population_size", F_INT, offsetof(jc_sr_options, population_size)},
    {"generations", F_INT, offsetof(jc_sr_options, generations)},
    {"tournament_size", F_INT, offsetof(jc_sr_options, tournament_size)},
    {"stopping_criteria", F_DBL, offsetof(jc_sr_options, stopping_criteria)},
    {"const_range", F_CONST_RANGE, 0},
    {"init_depth", F_INIT_DEPTH, 0},
    {"init_method", F_INIT_METHOD, 0},
    {"function_set", F_FUNCTION_SET, 0},
    {"metric", F_METRIC, 0},
    {"parsimony_coefficient", F_PARSIMONY, 0},
    {"p_crossover", F_DBL, offsetof(jc_sr_options, p_crossover)},
    {"p_subtree_mutation", F_DBL, offsetof(jc_sr_options, p_subtree_mutation)},
    {"p_hoist_mutation", F_DBL, offsetof(jc_sr_options, p_hoist_mutation)},
    {"p_point_mutation", F_DBL, offsetof(jc_sr_options, p_point_mutation)},
    {"p_point_replace", F_DBL, offsetof(jc_sr_options, p_point_replace)},
    {"max_samples", F_DBL, offsetof(jc_sr_options, max_samples)},
    {"n_jobs", F_INT, offsetof(jc_sr_options, n_jobs)},
    {"random_state", F_SEED, 0},
    {"linear_scaling", F_BOOL, offsetof(jc_sr_options, linear_scaling)},
    {"optimize_constants", F_INT, offsetof(jc_sr_options, optimize_constants)},
    {"lm_iterations", F_INT, offsetof(jc_sr_options, lm_iterations)},
    {"pareto_front", F_BOOL, offsetof(jc_sr_options, pareto_front)},
};

static const char *const init_names[] = {[JC_SR_INIT_HALF_AND_HALF] = "half and half",
                                         [JC_SR_INIT_GROW] = "grow", [JC_SR_INIT_FULL] = "full"};
static const char *const metric_names[] = {[JC_SR_MAE] = "mae", [JC_SR_MSE] = "mse", [JC_SR_RMSE] = "rmse"};

/* ---- writing ---- */

/* Sets *bad instead of failing at once, so that building reads straight;
 * jansson returns NULL / -1 only when out of memory. */
static void put(json_t *obj, const char *key, json_t *v, int *bad)
{
    if (!v || !obj || json_object_set_new(obj, key, v) != 0)
        *bad = 1;
}

static void push(json_t *arr, json_t *v, int *bad)
{
    if (!v || !arr || json_array_append_new(arr, v) != 0)
        *bad = 1;
}

static json_t *jnum(double v)
{
    if (isnan(v))
        return json_null();
    if (isinf(v))
        return json_string(v > 0 ? "inf" : "-inf");
    return json_real(v);
}

static json_t *program_json(const jc_sr_program *p, int *bad)
{
    json_t *arr = json_array();
    for (uint32_t i = 0; i < p->len; i++) {
        const jc_sr_node *nd = &p->nodes[i];
        if (nd->op == JC_SR_VAR)
            push(arr, json_pack("{s:I}", "feature", (json_int_t)nd->var), bad);
        else if (nd->op != JC_SR_CONST)
            push(arr, json_string(jc_sr_op_get((jc_sr_op)nd->op)->name), bad);
        else if (isfinite(nd->value))
            push(arr, json_real(nd->value), bad);
        else
            push(arr, json_string(isnan(nd->value) ? "nan" : nd->value > 0 ? "inf" : "-inf"), bad);
    }
    if (!arr)
        *bad = 1;
    return arr;
}

static json_t *text_json(const jc_sr_program *p, const char *const *names, jc_sr_syntax syntax, int *bad)
{
    char *s = jc_sr_program_text(p, names, syntax);
    json_t *v = s ? json_string(s) : NULL;
    free(s);
    if (!v)
        *bad = 1;
    return v;
}

static json_t *options_json(const jc_sr_options *o, int *bad)
{
    json_t *obj = json_object();
    const char *base = (const char *)o;
    for (size_t f = 0; f < sizeof option_fields / sizeof *option_fields; f++) {
        const char *key = option_fields[f].key;
        size_t off = option_fields[f].off;
        switch (option_fields[f].type) {
        case F_INT: put(obj, key, json_integer(*(const int *)(base + off)), bad); break;
        case F_DBL: put(obj, key, jnum(*(const double *)(base + off)), bad); break;
        case F_BOOL: put(obj, key, json_boolean(*(const int *)(base + off)), bad); break;
        case F_CONST_RANGE:
            put(obj, key, o->const_range_none ? json_null() : json_pack("[o,o]", jnum(o->const_lo), jnum(o->const_hi)),
                bad);
            break;
        case F_INIT_DEPTH: put(obj, key, json_pack("[i,i]", o->init_depth_lo, o->init_depth_hi), bad); break;
        case F_INIT_METHOD:
            put(obj, key, (unsigned)o->init_method <= JC_SR_INIT_FULL ? json_string(init_names[o->init_method]) : NULL,
                bad);
            break;
        case F_FUNCTION_SET: {
            json_t *arr = json_array();
            for (int op = JC_SR_ADD; op < JC_SR_NOPS; op++)
                if (o->function_set & (1u << op))
                    push(arr, json_string(jc_sr_op_get((jc_sr_op)op)->name), bad);
            put(obj, key, arr, bad);
            break;
        }
        case F_METRIC:
            put(obj, key, (unsigned)o->metric <= JC_SR_RMSE ? json_string(metric_names[o->metric]) : NULL, bad);
            break;
        case F_PARSIMONY:
            put(obj, key, o->parsimony_auto ? json_string("auto") : jnum(o->parsimony_coefficient), bad);
            break;
        case F_SEED:
            if (o->random_state <= (uint64_t)INT64_MAX) {
                put(obj, key, json_integer((json_int_t)o->random_state), bad);
            } else {
                char digits[32];
                snprintf(digits, sizeof digits, "%llu", (unsigned long long)o->random_state);
                put(obj, key, json_string(digits), bad);
            }
            break;
        }
    }
    if (!obj)
        *bad = 1;
    return obj;
}

static json_t *model_json(const jc_sr_model *m, int *bad)
{
    const char *const *names = (const char *const *)m->feature_names;
    json_t *root = json_object();
    put(root, "format", json_string(FORMAT_NAME), bad);
    put(root, "version", json_integer(FORMAT_VERSION), bad);
    if (m->feature_names) {
        json_t *arr = json_array();
        for (size_t j = 0; j < m->nfeatures; j++)
            push(arr, names[j] ? json_string(names[j]) : json_null(), bad);
        put(root, "features", arr, bad);
    } else {
        put(root, "features", json_null(), bad);
    }
    put(root, "n_features", json_integer((json_int_t)m->nfeatures), bad);
    put(root, "target", m->target_name ? json_string(m->target_name) : json_null(), bad);
    put(root, "program", program_json(&m->program, bad), bad);
    json_t *formula = json_object();
    put(formula, "infix", text_json(&m->program, names, JC_SR_TEXT_INFIX, bad), bad);
    put(formula, "gplearn", text_json(&m->program, names, JC_SR_TEXT_GPLEARN, bad), bad);
    put(formula, "sympy", text_json(&m->program, names, JC_SR_TEXT_SYMPY, bad), bad);
    put(root, "formula", formula, bad);
    put(root, "length", json_integer(m->program.len), bad);
    put(root, "depth", json_integer(jc_sr_program_depth(&m->program)), bad);
    put(root, "raw_fitness", jnum(m->raw_fitness), bad);
    put(root, "oob_fitness", jnum(m->oob_fitness), bad);
    put(root, "scale", json_pack("{s:o,s:o}", "a", jnum(m->scale_a), "b", jnum(m->scale_b)), bad);
    put(root, "fit_seconds", jnum(m->fit_seconds), bad);
    put(root, "node_evaluations", jnum(m->node_evaluations), bad);
    put(root, "options", options_json(&m->options, bad), bad);
    json_t *hist = json_array();
    for (size_t g = 0; g < m->ngenerations; g++) {
        const jc_sr_generation *h = &m->history[g];
        push(hist,
             json_pack("{s:i,s:o,s:o,s:o,s:o,s:o}", "generation", h->generation, "best_raw_fitness",
                       jnum(h->best_raw_fitness), "mean_raw_fitness", jnum(h->mean_raw_fitness), "best_oob_fitness",
                       jnum(h->best_oob_fitness), "mean_length", jnum(h->mean_length), "seconds", jnum(h->seconds)),
             bad);
    }
    put(root, "history", hist, bad);
    json_t *front = json_array();
    for (size_t k = 0; k < m->npareto; k++) {
        const jc_sr_pareto_point *pt = &m->pareto[k];
        json_t *o = json_object();
        put(o, "length", jnum(pt->length), bad);
        put(o, "raw_fitness", jnum(pt->raw_fitness), bad);
        put(o, "oob_fitness", jnum(pt->oob_fitness), bad);
        put(o, "program", program_json(&pt->program, bad), bad);
        put(o, "infix", text_json(&pt->program, names, JC_SR_TEXT_INFIX, bad), bad);
        push(front, o, bad);
    }
    put(root, "pareto", front, bad);
    if (!root)
        *bad = 1;
    return root;
}

static int check_programs(const jc_sr_model *m, const char *where)
{
    if (!jc_sr_program_valid(&m->program, m->nfeatures))
        return jc_fail(JC_ERR_INVALID, "%s: the model's program is not a valid program over %zu features", where,
                       m->nfeatures);
    for (size_t k = 0; k < m->npareto; k++)
        if (!jc_sr_program_valid(&m->pareto[k].program, m->nfeatures))
            return jc_fail(JC_ERR_INVALID, "%s: Pareto program %zu is not a valid program", where, k);
    return JC_OK;
}

/* The JSON document, dumped to a stream; the caller reports failures. */
static int dump(const jc_sr_model *m, FILE *stream)
{
    int bad = 0;
    json_t *root = model_json(m, &bad);
    if (bad) {
        json_decref(root);
        return JC_ERR_NOMEM;
    }
    int failed = json_dumpf(root, stream, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) != 0 || fputc('\n', stream) == EOF;
    json_decref(root);
    return failed ? JC_ERR_IO : JC_OK;
}

int jc_sr_model_write(const jc_sr_model *m, FILE *stream)
{
    if (!m || !stream)
        return jc_fail(JC_ERR_INVALID, "no model or no stream");
    int rc = check_programs(m, "model");
    if (rc)
        return rc;
    rc = dump(m, stream);
    if (rc)
        return jc_fail(rc, rc == JC_ERR_NOMEM ? "out of memory writing a model" : "cannot write a model");
    return JC_OK;
}

int jc_sr_model_save(const jc_sr_model *m, const char *path)
{
    if (!m || !path)
        return jc_fail(JC_ERR_INVALID, "no model or no path to save it to");
    int rc = check_programs(m, path);
    if (rc)
        return rc;
    jc_atomic_file *f;
    FILE *stream;
    rc = jc_atomic_open(path, &f, &stream);
    if (rc)
        return rc;
    rc = dump(m, stream);
    if (rc) {
        jc_atomic_abort(f);
        return jc_fail(rc, rc == JC_ERR_NOMEM ? "out of memory writing %s" : "cannot write %s", path);
    }
    return jc_atomic_commit(f);
}

/* ---- reading ---- */

typedef struct {
    const char *path;
} loader;

static int bad_model(const loader *ld, const char *fmt, ...) JC_PRINTF(2, 3);
static int bad_model(const loader *ld, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return jc_fail_at(JC_ERR_PARSE, ld->path, 0, 0, "%s", msg);
}

/* A double as save writes it: a number, null (NaN), "inf", "-inf" or "nan". */
static int as_double(const json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 1;
    }
    if (json_is_null(v)) {
        *out = NAN;
        return 1;
    }
    const char *s = json_string_value(v);
    if (!s)
        return 0;
    if (strcmp(s, "inf") == 0)
        *out = INFINITY;
    else if (strcmp(s, "-inf") == 0)
        *out = -INFINITY;
    else if (strcmp(s, "nan") == 0)
        *out = NAN;
    else
        return 0;
    return 1;
}

/* Optional members: an absent key leaves *dst as it is. `where` names the
 * enclosing object in messages ("options", "history[3]"). */
static int get_double(const loader *ld, const json_t *obj, const char *where, const char *key, double *dst)
{
    const json_t *v = json_object_get(obj, key);
    if (v && !as_double(v, dst))
        return bad_model(ld, "%s%s%s must be a number", where, *where ? "." : "", key);
    return JC_OK;
}

static int as_int(const json_t *v, int *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < INT_MIN || json_integer_value(v) > INT_MAX)
        return 0;
    *out = (int)json_integer_value(v);
    return 1;
}

static int get_int(const loader *ld, const json_t *obj, const char *where, const char *key, int *dst)
{
    const json_t *v = json_object_get(obj, key);
    if (v && !as_int(v, dst))
        return bad_model(ld, "%s%s%s must be an integer", where, *where ? "." : "", key);
    return JC_OK;
}

static int program_from_json(const loader *ld, const json_t *arr, size_t nfeatures, const char *where,
                             jc_sr_program *p)
{
    size_t n = json_array_size(arr);
    if (!json_is_array(arr) || n == 0)
        return bad_model(ld, "%s must be a non-empty array of tokens", where);
    if (n > UINT32_MAX)
        return bad_model(ld, "%s is too long (%zu tokens)", where, n);
    int rc = jc_sr_program_reserve(p, (uint32_t)n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const json_t *tok = json_array_get(arr, i);
        jc_sr_node nd = {0};
        const char *s = json_string_value(tok);
        if (json_is_number(tok)) {
            nd.op = JC_SR_CONST;
            nd.value = json_number_value(tok);
        } else if (s && as_double(tok, &nd.value)) {
            nd.op = JC_SR_CONST;
        } else if (s) {
            int op = jc_sr_op_from_name(s);
            if (op < 0)
                return bad_model(ld, "%s[%zu]: unknown function \"%s\"", where, i, s);
            nd.op = (uint8_t)op;
            nd.arity = (uint8_t)jc_sr_op_get((jc_sr_op)op)->arity;
        } else if (json_is_object(tok) && json_is_integer(json_object_get(tok, "feature"))) {
            json_int_t k = json_integer_value(json_object_get(tok, "feature"));
            if (k < 0 || (uint64_t)k >= nfeatures || k > UINT16_MAX)
                return bad_model(ld, "%s[%zu]: feature %lld is out of range (%zu features)", where, i, (long long)k,
                                 nfeatures);
            nd.op = JC_SR_VAR;
            nd.var = (uint16_t)k;
        } else {
            return bad_model(ld, "%s[%zu]: expected a function name, a number or {\"feature\": index}", where, i);
        }
        p->nodes[i] = nd;
    }
    p->len = (uint32_t)n;
    if (!jc_sr_program_valid(p, nfeatures))
        return bad_model(ld, "%s is not one well-formed tree in prefix order (each function followed by exactly "
                             "its arguments)",
                         where);
    return JC_OK;
}

static int name_index(const char *const *names, size_t n, const char *s)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(names[k], s) == 0)
            return (int)k;
    return -1;
}

static int options_from_json(const loader *ld, const json_t *obj, jc_sr_options *o)
{
    if (!obj)
        return JC_OK;
    if (!json_is_object(obj))
        return bad_model(ld, "options must be an object");
    char *base = (char *)o;
    for (size_t f = 0; f < sizeof option_fields / sizeof *option_fields; f++) {
        const char *key = option_fields[f].key;
        size_t off = option_fields[f].off;
        const json_t *v = json_object_get(obj, key);
        int rc = JC_OK;
        if (!v)
            continue;
        switch (option_fields[f].type) {
        case F_INT: rc = get_int(ld, obj, "options", key, (int *)(base + off)); break;
        case F_DBL: rc = get_double(ld, obj, "options", key, (double *)(base + off)); break;
        case F_BOOL:
            if (json_is_boolean(v))
                *(int *)(base + off) = json_is_true(v);
            else
                rc = get_int(ld, obj, "options", key, (int *)(base + off));
            break;
        case F_CONST_RANGE:
            if (json_is_null(v)) {
                o->const_range_none = 1;
            } else if (json_array_size(v) == 2 && as_double(json_array_get(v, 0), &o->const_lo) &&
                       as_double(json_array_get(v, 1), &o->const_hi)) {
                o->const_range_none = 0;
            } else {
                rc = bad_model(ld, "options.const_range must be [low, high] or null");
            }
            break;
        case F_INIT_DEPTH:
            if (json_array_size(v) != 2 || !as_int(json_array_get(v, 0), &o->init_depth_lo) ||
                !as_int(json_array_get(v, 1), &o->init_depth_hi))
                rc = bad_model(ld, "options.init_depth must be [low, high] integers");
            break;
        case F_INIT_METHOD: {
            int k = json_is_string(v) ? name_index(init_names, 3, json_string_value(v)) : -1;
            if (k < 0)
                rc = bad_model(ld, "options.init_method must be \"half and half\", \"grow\" or \"full\"");
            else
                o->init_method = (jc_sr_init)k;
            break;
        }
        case F_METRIC: {
            int k = json_is_string(v) ? name_index(metric_names, 3, json_string_value(v)) : -1;
            if (k < 0)
                rc = bad_model(ld, "options.metric must be \"mae\", \"mse\" or \"rmse\"");
            else
                o->metric = (jc_sr_metric)k;
            break;
        }
        case F_FUNCTION_SET: {
            if (!json_is_array(v)) {
                rc = bad_model(ld, "options.function_set must be an array of function names");
                break;
            }
            uint32_t set = 0;
            for (size_t i = 0; i < json_array_size(v) && !rc; i++) {
                const char *s = json_string_value(json_array_get(v, i));
                int op = s ? jc_sr_op_from_name(s) : -1;
                if (op < 0)
                    rc = bad_model(ld, "options.function_set[%zu]: unknown function \"%s\"", i, s ? s : "(not a string)");
                else
                    set |= 1u << op;
            }
            o->function_set = set;
            break;
        }
        case F_PARSIMONY:
            if (json_is_string(v) && strcmp(json_string_value(v), "auto") == 0) {
                o->parsimony_auto = 1;
            } else if (json_is_number(v)) {
                o->parsimony_auto = 0;
                o->parsimony_coefficient = json_number_value(v);
            } else {
                rc = bad_model(ld, "options.parsimony_coefficient must be a number or \"auto\"");
            }
            break;
        case F_SEED:
            if (json_is_integer(v) && json_integer_value(v) >= 0) {
                o->random_state = (uint64_t)json_integer_value(v);
            } else if (json_is_string(v) && json_string_value(v)[0] >= '0' && json_string_value(v)[0] <= '9' &&
                       strspn(json_string_value(v), "0123456789") == strlen(json_string_value(v))) {
                o->random_state = strtoull(json_string_value(v), NULL, 10);
            } else {
                rc = bad_model(ld, "options.random_state must be a non-negative integer");
            }
            break;
        }
        if (rc)
            return rc;
    }
    return JC_OK;
}

static int history_from_json(const loader *ld, const json_t *arr, jc_sr_model *m)
{
    if (!arr || json_is_null(arr))
        return JC_OK;
    if (!json_is_array(arr))
        return bad_model(ld, "history must be an array");
    size_t n = json_array_size(arr);
    if (n == 0)
        return JC_OK;
    m->history = calloc(n, sizeof *m->history);
    if (!m->history)
        return jc_fail(JC_ERR_NOMEM, "out of memory reading %s", ld->path);
    m->ngenerations = n;
    for (size_t g = 0; g < n; g++) {
        const json_t *o = json_array_get(arr, g);
        jc_sr_generation *h = &m->history[g];
        char where[48];
        snprintf(where, sizeof where, "history[%zu]", g);
        if (!json_is_object(o))
            return bad_model(ld, "%s must be an object", where);
        *h = (jc_sr_generation){(int)g, NAN, NAN, NAN, NAN, NAN};
        int rc = get_int(ld, o, where, "generation", &h->generation);
        if (!rc)
            rc = get_double(ld, o, where, "best_raw_fitness", &h->best_raw_fitness);
        if (!rc)
            rc = get_double(ld, o, where, "mean_raw_fitness", &h->mean_raw_fitness);
        if (!rc)
            rc = get_double(ld, o, where, "best_oob_fitness", &h->best_oob_fitness);
        if (!rc)
            rc = get_double(ld, o, where, "mean_length", &h->mean_length);
        if (!rc)
            rc = get_double(ld, o, where, "seconds", &h->seconds);
        if (rc)
            return rc;
    }
    return JC_OK;
}

static int pareto_from_json(const loader *ld, const json_t *arr, jc_sr_model *m)
{
    if (!arr || json_is_null(arr))
        return JC_OK;
    if (!json_is_array(arr))
        return bad_model(ld, "pareto must be an array");
    size_t n = json_array_size(arr);
    if (n == 0)
        return JC_OK;
    m->pareto = calloc(n, sizeof *m->pareto);
    if (!m->pareto)
        return jc_fail(JC_ERR_NOMEM, "out of memory reading %s", ld->path);
    m->npareto = n;
    for (size_t k = 0; k < n; k++) {
        const json_t *o = json_array_get(arr, k);
        jc_sr_pareto_point *pt = &m->pareto[k];
        char where[48];
        snprintf(where, sizeof where, "pareto[%zu]", k);
        if (!json_is_object(o))
            return bad_model(ld, "%s must be an object", where);
        pt->length = pt->raw_fitness = pt->oob_fitness = NAN;
        int rc = get_double(ld, o, where, "length", &pt->length);
        if (!rc)
            rc = get_double(ld, o, where, "raw_fitness", &pt->raw_fitness);
        if (!rc)
            rc = get_double(ld, o, where, "oob_fitness", &pt->oob_fitness);
        if (!rc) {
            char pwhere[64];
            snprintf(pwhere, sizeof pwhere, "%s.program", where);
            rc = program_from_json(ld, json_object_get(o, "program"), m->nfeatures, pwhere, &pt->program);
        }
        if (rc)
            return rc;
    }
    return JC_OK;
}

static int features_from_json(const loader *ld, const json_t *root, jc_sr_model *m)
{
    const json_t *feat = json_object_get(root, "features");
    const json_t *count = json_object_get(root, "n_features");
    if (count && (!json_is_integer(count) || json_integer_value(count) < 0 ||
                  json_integer_value(count) > (json_int_t)UINT16_MAX + 1))
        return bad_model(ld, "n_features must be an integer from 0 to 65536");
    if (!feat || json_is_null(feat)) {
        if (!count)
            return bad_model(ld, "missing \"features\" (or \"n_features\")");
        m->nfeatures = (size_t)json_integer_value(count);
        return JC_OK;
    }
    if (!json_is_array(feat))
        return bad_model(ld, "features must be an array of names");
    size_t n = json_array_size(feat);
    if (count && (size_t)json_integer_value(count) != n)
        return bad_model(ld, "n_features is %lld but features has %zu names", (long long)json_integer_value(count), n);
    m->nfeatures = n;
    if (n == 0)
        return JC_OK;
    m->feature_names = calloc(n, sizeof *m->feature_names);
    if (!m->feature_names)
        return jc_fail(JC_ERR_NOMEM, "out of memory reading %s", ld->path);
    for (size_t j = 0; j < n; j++) {
        const json_t *v = json_array_get(feat, j);
        if (json_is_null(v))
            continue;
        if (!json_is_string(v))
            return bad_model(ld, "features[%zu] must be a name (a string) or null", j);
        if (!(m->feature_names[j] = jc_strdup(json_string_value(v))))
            return jc_fail(JC_ERR_NOMEM, "out of memory reading %s", ld->path);
    }
    return JC_OK;
}

static int model_from_json(const loader *ld, const json_t *root, jc_sr_model *m)
{
    if (!json_is_object(root))
        return bad_model(ld, "not a " FORMAT_NAME " model (the top level is not an object)");
    const char *format = json_string_value(json_object_get(root, "format"));
    if (!format || strcmp(format, FORMAT_NAME) != 0)
        return bad_model(ld, "not a " FORMAT_NAME " model (\"format\" is %s%s%s)", format ? "\"" : "",
                         format ? format : "missing or not a string", format ? "\"" : "");
    const json_t *version = json_object_get(root, "version");
    if (!json_is_integer(version))
        return bad_model(ld, "missing or non-integer \"version\"");
    if (json_integer_value(version) != FORMAT_VERSION)
        return bad_model(ld, "unsupported " FORMAT_NAME " version %lld (this build reads version %d)",
                         (long long)json_integer_value(version), FORMAT_VERSION);
    int rc = features_from_json(ld, root, m);
    if (rc)
        return rc;
    const json_t *target = json_object_get(root, "target");
    if (target && !json_is_null(target)) {
        if (!json_is_string(target))
            return bad_model(ld, "target must be a name (a string) or null");
        if (!(m->target_name = jc_strdup(json_string_value(target))))
            return jc_fail(JC_ERR_NOMEM, "out of memory reading %s", ld->path);
    }
    const json_t *prog = json_object_get(root, "program");
    if (!prog)
        return bad_model(ld, "missing \"program\"");
    if ((rc = program_from_json(ld, prog, m->nfeatures, "program", &m->program)))
        return rc;
    const json_t *scale = json_object_get(root, "scale");
    if (scale && !json_is_object(scale))
        return bad_model(ld, "scale must be an object {\"a\": ..., \"b\": ...}");
    if (scale && ((rc = get_double(ld, scale, "scale", "a", &m->scale_a)) ||
                  (rc = get_double(ld, scale, "scale", "b", &m->scale_b))))
        return rc;
    if ((rc = get_double(ld, root, "", "raw_fitness", &m->raw_fitness)) ||
        (rc = get_double(ld, root, "", "oob_fitness", &m->oob_fitness)) ||
        (rc = get_double(ld, root, "", "fit_seconds", &m->fit_seconds)) ||
        (rc = get_double(ld, root, "", "node_evaluations", &m->node_evaluations)))
        return rc;
    if ((rc = options_from_json(ld, json_object_get(root, "options"), &m->options)))
        return rc;
    if ((rc = history_from_json(ld, json_object_get(root, "history"), m)))
        return rc;
    return pareto_from_json(ld, json_object_get(root, "pareto"), m);
}

json_t *jc_sr_model_to_json(const jc_sr_model *m)
{
    if (check_programs(m, "model"))
        return NULL;
    int bad = 0;
    json_t *root = model_json(m, &bad);
    if (bad) {
        json_decref(root);
        jc_fail(JC_ERR_NOMEM, "out of memory writing a model");
        return NULL;
    }
    return root;
}

int jc_sr_model_from_json(const json_t *root, const char *where, jc_sr_model *out)
{
    memset(out, 0, sizeof *out);
    loader ld = {where};
    jc_sr_model m = {0};
    jc_sr_options_default(&m.options);
    m.scale_b = 1.0;
    m.raw_fitness = m.oob_fitness = NAN;
    int rc = model_from_json(&ld, root, &m);
    if (rc) {
        jc_sr_model_free(&m);
        return rc;
    }
    *out = m;
    return JC_OK;
}

int jc_sr_model_load(const char *path, jc_sr_model *out)
{
    if (!path || !out)
        return jc_fail(JC_ERR_INVALID, "no model file to load");
    memset(out, 0, sizeof *out);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return jc_fail_at(JC_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
    json_error_t err;
    json_t *root = json_loadf(fp, JSON_REJECT_DUPLICATES, &err);
    fclose(fp);
    if (!root)
        return jc_fail_at(JC_ERR_PARSE, path, err.line > 0 ? err.line : 0, err.column > 0 ? err.column : 0,
                          "not valid JSON: %s", err.text);
    loader ld = {path};
    jc_sr_model m = {0};
    jc_sr_options_default(&m.options);
    m.scale_b = 1.0;
    m.raw_fitness = m.oob_fitness = NAN;
    int rc = model_from_json(&ld, root, &m);
    json_decref(root);
    if (rc) {
        jc_sr_model_free(&m);
        return rc;
    }
    *out = m;
    return JC_OK;
}
