/* record/runjson.c: building and writing run.json with jansson. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "joulecast/util.h"
#include "record/runjson.h"

#ifndef JC_VERSION
#define JC_VERSION "0.1.0"
#endif

static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static void iso_utc(double unix_s, char *buf, size_t size)
{
    time_t sec = (time_t)floor(unix_s);
    int ms = (int)((unix_s - (double)sec) * 1000.0);
    struct tm tm;
    gmtime_r(&sec, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03dZ", ms);
}

static const char *power_source(const jc_rec_gpu *g, size_t n)
{
    int inst = 0;
    for (size_t i = 0; i < n; i++)
        inst += g[i].power_instant;
    return inst == (int)n ? "instant" : inst == 0 ? "average" : "mixed";
}

static json_t *gpus_json(const jc_run_info *ri)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < ri->ngpu; i++) {
        const jc_rec_gpu *g = &ri->gpus[i];
        json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:s}",
                              "index", (json_int_t)g->index, "name", g->name, "uuid", g->uuid,
                              "power_limit_w", num_or_null(g->limit_w),
                              "default_power_limit_w", num_or_null(g->default_limit_w),
                              "min_power_limit_w", num_or_null(g->min_limit_w),
                              "max_power_limit_w", num_or_null(g->max_limit_w),
                              "power_source", g->power_instant ? "instant" : "average");
        json_t *unsup = json_array();
        for (int q = 1; q < JC_Q_COUNT; q++)
            if (!g->supported[q])
                json_array_append_new(unsup, json_string(jc_query_names[q]));
        json_object_set_new(o, "not_supported", unsup);
        if (ri->complete && ri->gpu_energy_j)
            json_object_set_new(o, "energy_j", num_or_null(ri->gpu_energy_j[i]));
        if (g->lost)
            json_object_set_new(o, "lost_at_s", json_real(g->lost_t));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *meta_json(const jc_run_info *ri)
{
    json_t *m = json_object();
    const jc_record_opts *o = ri->opts;
    for (size_t i = 0; i <= o->nmeta; i++) {
        const char *kv = i < o->nmeta ? o->meta[i] : ri->extra_meta;
        if (!kv)
            continue;
        const char *eq = strchr(kv, '=');
        if (!eq)
            continue;
        char key[256];
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv < 255 ? eq - kv : 255), kv);
        json_object_set_new(m, key, json_string(eq + 1));
    }
    return m;
}

static json_t *errors_json(const jc_run_info *ri)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < ri->ngpu; i++)
        for (int q = 0; q < JC_Q_COUNT; q++) {
            const jc_query_errors *e = &ri->gpus[i].errors[q];
            if (!e->count)
                continue;
            json_array_append_new(arr, json_pack("{s:I, s:s, s:I, s:i, s:f}", "gpu", (json_int_t)ri->gpus[i].index,
                                                 "query", jc_query_names[q], "count", (json_int_t)e->count,
                                                 "code", e->last_rc, "first_t_s", e->first_t));
        }
    return arr;
}

int jc_run_json_write(const char *path, const jc_run_info *ri)
{
    json_t *root = json_object();
    json_object_set_new(root, "format", json_string("joulecast-run"));
    json_object_set_new(root, "version", json_integer(1));
    json_t *cmd = json_array();
    for (char *const *a = ri->opts->argv; a && *a; a++)
        json_array_append_new(cmd, json_string(*a));
    json_object_set_new(root, "command", cmd);
    json_object_set_new(root, "start_unix", json_real(ri->start_unix));
    char iso[48];
    iso_utc(ri->start_unix, iso, sizeof iso);
    json_object_set_new(root, "start_time", json_string(iso));
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    json_object_set_new(root, "host", json_string(host));
    json_object_set_new(root, "interval_s", json_real(ri->interval_s));
    json_object_set_new(root, "power_source", json_string(power_source(ri->gpus, ri->ngpu)));
    json_object_set_new(root, "recorder", json_string("joulecast " JC_VERSION));
    json_object_set_new(root, "driver_version", ri->driver_version && *ri->driver_version ?
                                                    json_string(ri->driver_version) : json_null());
    json_object_set_new(root, "gpus", gpus_json(ri));
    json_object_set_new(root, "meta", meta_json(ri));
    json_t *marks = json_array();
    for (size_t i = 0; i < ri->nmarkers; i++)
        json_array_append_new(marks, json_pack("{s:f, s:s, s:s}", "t_s", ri->markers[i].t, "label",
                                               ri->markers[i].label, "source", ri->markers[i].source));
    json_object_set_new(root, "markers", marks);
    json_object_set_new(root, "complete", json_boolean(ri->complete));
    if (ri->complete && ri->res) {
        const jc_record_result *r = ri->res;
        json_object_set_new(root, "exit_status", json_integer(r->exit_status));
        json_object_set_new(root, "exit_signal", r->exit_signal ? json_integer(r->exit_signal) : json_null());
        json_object_set_new(root, "signal_received", r->signal_received ? json_integer(r->signal_received) : json_null());
        json_object_set_new(root, "duration_s", json_real(r->duration_s));
        json_object_set_new(root, "energy_j", num_or_null(r->energy_j));
        json_object_set_new(root, "energy_source", json_string(r->energy_from_counter ? "counter" : "samples"));
        json_object_set_new(root, "sampler",
                            json_pack("{s:I, s:I, s:I, s:o, s:o, s:f, s:o}",
                                      "samples", (json_int_t)r->samples, "ticks", (json_int_t)r->ticks,
                                      "missed_deadlines", (json_int_t)r->missed_deadlines,
                                      "jitter_p50_ms", num_or_null(r->jitter_p50_ms),
                                      "jitter_p99_ms", num_or_null(r->jitter_p99_ms),
                                      "cpu_s", r->sampler_cpu_s,
                                      "cpu_pct_of_one_core", num_or_null(r->duration_s > 0 ?
                                                                        100.0 * r->sampler_cpu_s / r->duration_s : NAN)));
        json_object_set_new(root, "nvml_errors", errors_json(ri));
    }

    jc_atomic_file *af;
    FILE *f;
    int rc = jc_atomic_open(path, &af, &f);
    if (rc == JC_OK) {
        if (json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) != 0 || fputc('\n', f) == EOF) {
            jc_atomic_abort(af);
            rc = jc_fail(JC_ERR_IO, "%s: cannot write", path);
        } else {
            rc = jc_atomic_commit(af);
        }
    }
    json_decref(root);
    return rc;
}
