/* The jc_trace container: freeing, field look-up, writing joulecast's own CSV,
 * and reading the run.json that sits beside it (markers, interval, GPU names).
 * The format is specified in docs/formats.md. */
#include "joulecast/trace.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace_internal.h"

void jc_trace_free(jc_trace *tr)
{
    if (!tr)
        return;
    for (size_t i = 0; i < tr->ngpu; i++) {
        free(tr->gpus[i].id);
        free(tr->gpus[i].name);
        free(tr->gpus[i].t);
        free(tr->gpus[i].power_w);
        free(tr->gpus[i].fields);
    }
    free(tr->gpus);
    for (size_t i = 0; i < tr->nfields; i++)
        free(tr->field_names[i]);
    free(tr->field_names);
    for (size_t i = 0; i < tr->nmarkers; i++)
        free(tr->markers[i].label);
    free(tr->markers);
    free(tr->path);
    free(tr);
}

int jc_trace_field_index(const jc_trace *tr, const char *name)
{
    for (size_t i = 0; i < tr->nfields; i++)
        if (strcmp(tr->field_names[i], name) == 0)
            return (int)i;
    return -1;
}

static void write_value(FILE *f, double v)
{
    if (isnan(v))
        return; /* missing: empty cell */
    fprintf(f, "%.17g", v);
}

int jc_trace_write_csv(const jc_trace *tr, const char *path)
{
    jc_atomic_file *af;
    FILE *f;
    int rc = jc_atomic_open(path, &af, &f);
    if (rc)
        return rc;
    fputs("time_s,gpu,power_w", f);
    for (size_t k = 0; k < tr->nfields; k++)
        fprintf(f, ",%s", tr->field_names[k]);
    fputc('\n', f);
    /* Rows in time order across GPUs, as the recorder writes them. */
    size_t *pos = calloc(tr->ngpu ? tr->ngpu : 1, sizeof *pos);
    if (!pos) {
        jc_atomic_abort(af);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    for (;;) {
        int best = -1;
        for (size_t g = 0; g < tr->ngpu; g++)
            if (pos[g] < tr->gpus[g].n && (best < 0 || tr->gpus[g].t[pos[g]] < tr->gpus[best].t[pos[best]]))
                best = (int)g;
        if (best < 0)
            break;
        const jc_trace_gpu *g = &tr->gpus[best];
        size_t i = pos[best]++;
        fprintf(f, "%.6f,%s,%.3f", g->t[i], g->id, g->power_w[i]);
        for (size_t k = 0; k < tr->nfields; k++) {
            fputc(',', f);
            write_value(f, g->fields[i * tr->nfields + k]);
        }
        fputc('\n', f);
    }
    free(pos);
    return jc_atomic_commit(af);
}

static int marker_cmp(const void *a, const void *b)
{
    double x = ((const jc_marker *)a)->t, y = ((const jc_marker *)b)->t;
    return (x > y) - (x < y);
}

int jc_trace_internal_read_run_json(jc_trace *tr, const char *csv_path)
{
    /* run.json lives in the same folder as the CSV. */
    size_t n = strlen(csv_path);
    char *jpath = malloc(n + 16);
    if (!jpath)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    memcpy(jpath, csv_path, n + 1);
    char *slash = strrchr(jpath, '/');
    strcpy(slash ? slash + 1 : jpath, "run.json");
    FILE *probe = fopen(jpath, "rb");
    if (!probe) {
        free(jpath);
        return JC_OK; /* a bare trace CSV is fine */
    }
    fclose(probe);
    json_error_t err;
    json_t *root = json_load_file(jpath, 0, &err);
    if (!root) {
        int rc = jc_fail_at(JC_ERR_PARSE, jpath, err.line, err.column, "invalid JSON: %s", err.text);
        free(jpath);
        return rc;
    }
    int rc = JC_OK;
    if (!json_is_object(root)) {
        rc = jc_fail_at(JC_ERR_PARSE, jpath, 1, 1, "expected a JSON object");
        goto done;
    }
    json_t *v;
    if ((v = json_object_get(root, "start_unix")) && json_is_number(v))
        tr->t0_unix = json_number_value(v);
    if ((v = json_object_get(root, "interval_s")) && json_is_number(v))
        tr->interval_s = json_number_value(v);
    json_t *gpus = json_object_get(root, "gpus");
    if (json_is_array(gpus)) {
        size_t i;
        json_t *gj;
        json_array_foreach(gpus, i, gj) {
            json_t *idx = json_object_get(gj, "index"), *name = json_object_get(gj, "name");
            if (!json_is_integer(idx) || !json_is_string(name))
                continue;
            char id[32];
            snprintf(id, sizeof id, "%lld", (long long)json_integer_value(idx));
            for (size_t g = 0; g < tr->ngpu; g++)
                if (strcmp(tr->gpus[g].id, id) == 0 && !tr->gpus[g].name)
                    tr->gpus[g].name = jc_strdup(json_string_value(name));
        }
    }
    json_t *markers = json_object_get(root, "markers");
    if (markers && !json_is_array(markers)) {
        rc = jc_fail_at(JC_ERR_PARSE, jpath, 0, 0, "\"markers\" must be an array");
        goto done;
    }
    if (json_is_array(markers) && json_array_size(markers) > 0) {
        size_t m = json_array_size(markers);
        tr->markers = calloc(m, sizeof *tr->markers);
        if (!tr->markers) {
            rc = jc_fail(JC_ERR_NOMEM, "out of memory");
            goto done;
        }
        size_t i;
        json_t *mj;
        json_array_foreach(markers, i, mj) {
            json_t *t = json_object_get(mj, "t_s"), *label = json_object_get(mj, "label");
            if (!json_is_number(t)) {
                rc = jc_fail_at(JC_ERR_PARSE, jpath, 0, 0, "marker %zu: expected a number \"t_s\"", i);
                goto done;
            }
            tr->markers[tr->nmarkers].t = json_number_value(t);
            tr->markers[tr->nmarkers].label = jc_strdup(json_is_string(label) ? json_string_value(label) : "");
            tr->nmarkers++;
        }
        qsort(tr->markers, tr->nmarkers, sizeof *tr->markers, marker_cmp);
    }
done:
    json_decref(root);
    free(jpath);
    return rc;
}
