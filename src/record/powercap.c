/* record/powercap.c: the power-limit sweep (second seed, section 5.1, Table
 * 5.1): run the same command once per GPU power limit, recording each run,
 * and measure time, energy and average power per level. The GPUs' original
 * limits are saved to restore.json before anything changes and put back on
 * every way out: success, failure of a run, failure to set a limit, and a
 * signal. A sweep that died anyway (SIGKILL, power loss) leaves restore.json
 * behind; `joulecast powercap --restore DIR` applies it. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/session.h"
#include "record/signals.h"

static char *path_in(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int save_restore(const char *path, const jc_rec_gpu *g, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:I, s:s, s:f}", "index", (json_int_t)g[i].index, "uuid", g[i].uuid,
                                             "power_limit_w", g[i].limit_w));
    json_t *root = json_pack("{s:s, s:I, s:o}", "format", "joulecast-powercap-restore", "version", (json_int_t)1,
                             "gpus", arr);
    jc_atomic_file *af;
    FILE *f;
    int rc = jc_atomic_open(path, &af, &f);
    if (rc == JC_OK) {
        if (json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) != 0) {
            jc_atomic_abort(af);
            rc = jc_fail_at(JC_ERR_IO, path, 0, 0, "cannot write");
        } else {
            rc = jc_atomic_commit(af);
        }
    }
    json_decref(root);
    return rc;
}

/* A forwarded-kind signal caught since the last look (SIGCHLD skipped). */
static int pending_signal(void)
{
    jc_rec_signal si;
    while (jc_rec_signals_take(&si))
        if (si.signo != SIGCHLD)
            return si.signo;
    return 0;
}

static int set_limit(jc_nvml *n, const jc_rec_gpu *g, double watts)
{
    unsigned mw = (unsigned)lround(watts * 1000.0);
    nvmlReturn_t rc = n->DeviceSetPowerManagementLimit(g->h, mw);
    if (rc != NVML_SUCCESS)
        return jc_fail(JC_ERR_IO, "GPU %u: cannot set the power limit to %g W: %s%s", g->index, watts,
                       jc_nvml_strerror(n, rc),
                       rc == NVML_ERROR_NO_PERMISSION ? " (setting power limits needs root)" : "");
    return JC_OK;
}

/* Put every GPU back; all are tried even when one fails. */
static int restore_all(jc_nvml *n, const jc_rec_gpu *g, size_t ngpu, const double *orig_w)
{
    int rc = JC_OK;
    for (size_t i = 0; i < ngpu; i++) {
        if (!isfinite(orig_w[i]))
            continue;
        int r = set_limit(n, &g[i], orig_w[i]);
        if (r != JC_OK) {
            jc_log(JC_LOG_ERROR, "%s; put it back by hand: nvidia-smi -i %u -pl %g", jc_last_error(), g[i].index,
                   orig_w[i]);
            rc = r;
        }
    }
    return rc;
}

static int write_levels(const char *path, const jc_powercap_level *lv, size_t n)
{
    jc_atomic_file *af;
    FILE *f;
    int rc = jc_atomic_open(path, &af, &f);
    if (rc != JC_OK)
        return rc;
    fprintf(f, "power_limit_w,time_s,energy_j,avg_power_w,exit_status,energy_source\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.17g,%.17g,%.17g,%.17g,%d,%s\n", lv[i].limit_w, lv[i].time_s, lv[i].energy_j, lv[i].avg_power_w,
                lv[i].exit_status, lv[i].energy_from_counter ? "counter" : "samples");
    if (ferror(f)) {
        jc_atomic_abort(af);
        return jc_fail_at(JC_ERR_IO, path, 0, 0, "cannot write");
    }
    return jc_atomic_commit(af);
}

static int check_limits(const jc_powercap_opts *o, jc_nvml *n, const jc_rec_gpu *g, size_t ngpu)
{
    if (!n->DeviceSetPowerManagementLimit)
        return jc_fail(JC_ERR_UNSUPPORTED, "this NVML library cannot set power limits");
    for (size_t i = 0; i < ngpu; i++) {
        if (!g[i].supported[JC_Q_LIMIT] || !isfinite(g[i].limit_w))
            return jc_fail(JC_ERR_UNSUPPORTED, "GPU %u (%s) does not report a power limit, so it cannot be swept "
                           "and put back", g[i].index, g[i].name);
        for (size_t k = 0; k < o->nlimits; k++) {
            double w = o->limits_w[k];
            if ((isfinite(g[i].min_limit_w) && w < g[i].min_limit_w - 1e-9) ||
                (isfinite(g[i].max_limit_w) && w > g[i].max_limit_w + 1e-9))
                return jc_fail(JC_ERR_INVALID, "%g W is outside GPU %u's allowed range %g to %g W", w, g[i].index,
                               g[i].min_limit_w, g[i].max_limit_w);
        }
    }
    return JC_OK;
}

int jc_powercap_run(const jc_powercap_opts *o, jc_powercap_level **levels_out, size_t *nlevels, int *exit_status)
{
    *levels_out = NULL;
    *nlevels = 0;
    *exit_status = 0;
    if (o->nlimits == 0)
        return jc_fail(JC_ERR_INVALID, "no power limits to sweep");
    jc_nvml n;
    int rc = jc_nvml_open(&n);
    if (rc != JC_OK)
        return rc;
    jc_rec_gpu *gpus = NULL;
    size_t ngpu = 0;
    char *restore_path = NULL, *levels_path = NULL;
    double *orig = NULL;
    jc_powercap_level *lv = calloc(o->nlimits, sizeof *lv);
    int changed = 0, saved = 0;
    int installed = 0;

    if ((rc = jc_rec_gpus_open(&n, o->rec.gpus, &gpus, &ngpu)) != JC_OK)
        goto done;
    jc_rec_gpus_probe(&n, gpus, ngpu);
    if ((rc = check_limits(o, &n, gpus, ngpu)) != JC_OK)
        goto done;
    if ((rc = jc_record_mkdirs(o->rec.out_dir)) != JC_OK)
        goto done;
    restore_path = path_in(o->rec.out_dir, "restore.json");
    levels_path = path_in(o->rec.out_dir, "levels.csv");
    orig = malloc(ngpu * sizeof *orig);
    if (!restore_path || !levels_path || !orig || !lv) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
        goto done;
    }
    struct stat st;
    if (stat(restore_path, &st) == 0) {
        /* The limits now may be a dead sweep's: saving them as "original"
         * would lose the real ones for good. */
        rc = jc_fail_at(JC_ERR_INVALID, restore_path, 0, 0, "an earlier sweep here did not finish and the GPUs may "
                        "still hold its limit; run `joulecast powercap --restore %s` first", o->rec.out_dir);
        goto done;
    }
    for (size_t i = 0; i < ngpu; i++)
        orig[i] = gpus[i].limit_w;
    if ((rc = save_restore(restore_path, gpus, ngpu)) != JC_OK)
        goto done;
    saved = 1;

    /* Signals are caught for the whole sweep: one that arrives between runs
     * is seen before the next level starts, and limits are restored. */
    if ((rc = jc_rec_signals_install()) != JC_OK)
        goto done;
    installed = 1;
    for (size_t k = 0; k < o->nlimits; k++) {
        int sig = pending_signal();
        if (sig) {
            *exit_status = 128 + sig;
            jc_log(JC_LOG_WARN, "signal %d: sweep stopped before %g W", sig, o->limits_w[k]);
            break;
        }
        double w = o->limits_w[k];
        changed = 1;
        for (size_t i = 0; i < ngpu && rc == JC_OK; i++)
            rc = set_limit(&n, &gpus[i], w);
        if (rc != JC_OK)
            break;
        char sub[64], meta[64];
        snprintf(sub, sizeof sub, "limit-%gW", w);
        snprintf(meta, sizeof meta, "power_limit_w=%g", w);
        char *dir = path_in(o->rec.out_dir, sub);
        if (!dir) {
            rc = jc_fail(JC_ERR_NOMEM, "out of memory");
            break;
        }
        jc_record_opts ro = o->rec;
        ro.out_dir = dir;
        if (o->progress)
            o->progress(o->progress_ctx, k, o->nlimits, w, NULL);
        jc_record_result res;
        rc = jc_record_session(&n, gpus, ngpu, &ro, meta, &res);
        free(dir);
        if (rc != JC_OK) {
            jc_record_result_free(&res);
            break;
        }
        if (res.problems)
            jc_log(JC_LOG_WARN, "at %g W:\n%s", w, res.problems);
        lv[*nlevels] = (jc_powercap_level){w, res.duration_s, res.energy_j, res.mean_power_w, res.exit_status,
                                           res.energy_from_counter};
        (*nlevels)++;
        jc_record_result_free(&res);
        if (o->progress)
            o->progress(o->progress_ctx, k, o->nlimits, w, &lv[*nlevels - 1]);
        if ((rc = write_levels(levels_path, lv, *nlevels)) != JC_OK)
            break;
        if (res.signal_received) {
            *exit_status = 128 + res.signal_received;
            break;
        }
        if (res.exit_status != 0 && !*exit_status) {
            *exit_status = res.exit_status;
            if (!o->keep_going) {
                jc_log(JC_LOG_WARN, "the command failed at %g W (status %d): sweep stopped (--keep-going goes on)", w,
                       res.exit_status);
                break;
            }
        }
    }

done:
    if (changed) {
        int saved_rc = rc;
        char saved_msg[1024];
        snprintf(saved_msg, sizeof saved_msg, "%s", rc != JC_OK ? jc_last_error() : "");
        int rrc = restore_all(&n, gpus, ngpu, orig);
        if (rrc == JC_OK) {
            unlink(restore_path);
        } else if (saved_rc == JC_OK) {
            rc = rrc;
        }
        if (saved_rc != JC_OK)
            jc_fail(saved_rc, "%s", saved_msg);  /* the first error is the one to report */
    }
    if (saved && !changed)
        unlink(restore_path);  /* nothing was changed: nothing to restore */
    if (installed) {
        for (int sig; (sig = pending_signal()) != 0;)
            if (!*exit_status)
                *exit_status = 128 + sig;
        jc_rec_signals_uninstall();
    }
    free(gpus);
    free(orig);
    free(restore_path);
    free(levels_path);
    jc_nvml_close(&n);
    if (*nlevels == 0) {
        free(lv);
        lv = NULL;
    }
    *levels_out = lv;
    return rc;
}

int jc_powercap_restore(const char *dir)
{
    char *path = path_in(dir, "restore.json");
    if (!path)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root) {
        int rc = errno == ENOENT || err.line < 0
                     ? jc_fail_at(JC_ERR_IO, path, 0, 0, "nothing to restore: %s", err.text)
                     : jc_fail_at(JC_ERR_PARSE, path, err.line, err.column, "invalid JSON: %s", err.text);
        free(path);
        return rc;
    }
    jc_nvml n;
    int rc = jc_nvml_open(&n);
    json_t *arr = json_object_get(root, "gpus");
    if (rc == JC_OK && !json_is_array(arr))
        rc = jc_fail_at(JC_ERR_PARSE, path, 0, 0, "expected a \"gpus\" array");
    if (rc == JC_OK) {
        jc_rec_gpu *gpus;
        size_t ngpu;
        rc = jc_rec_gpus_open(&n, NULL, &gpus, &ngpu);
        size_t i;
        json_t *gj;
        json_array_foreach(arr, i, gj) {
            if (rc != JC_OK)
                break;
            const char *uuid = json_string_value(json_object_get(gj, "uuid"));
            json_t *idx = json_object_get(gj, "index"), *lim = json_object_get(gj, "power_limit_w");
            if (!json_is_number(lim) || !json_is_integer(idx)) {
                rc = jc_fail_at(JC_ERR_PARSE, path, 0, 0, "gpu %zu: expected \"index\" and \"power_limit_w\"", i);
                break;
            }
            /* the UUID is the GPU's identity; an index may have moved */
            const jc_rec_gpu *g = NULL;
            for (size_t k = 0; k < ngpu; k++)
                if ((uuid && *uuid && strcmp(gpus[k].uuid, uuid) == 0) ||
                    ((!uuid || !*uuid) && gpus[k].index == (unsigned)json_integer_value(idx)))
                    g = &gpus[k];
            if (!g) {
                rc = jc_fail(JC_ERR_INVALID, "GPU %s (index %lld) from %s is not on this machine", uuid ? uuid : "?",
                             (long long)json_integer_value(idx), path);
                break;
            }
            rc = set_limit(&n, g, json_number_value(lim));
        }
        free(gpus);
        jc_nvml_close(&n);
    }
    if (rc == JC_OK)
        unlink(path);
    json_decref(root);
    free(path);
    return rc;
}
