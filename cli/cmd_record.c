/* joulecast record / powercap: run a command while sampling its GPUs, and
 * sweep GPU power limits over repeated runs. Option parsing, messages and
 * exit codes; the work is in src/record/. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "joulecast/record.h"
#include "joulecast/util.h"

/* Exit codes of record/powercap beyond the shared ones, in the style of
 * timeout(1): the command's own status passes through otherwise. */
enum {
    JC_EXIT_NO_GPU = 3,        /* no NVIDIA driver / NVML / GPU: nothing was run */
    JC_EXIT_RECORD_FAIL = 125, /* the command ran but its recording failed */
    JC_EXIT_CANNOT_EXEC = 126, /* the command exists but cannot be run */
    JC_EXIT_NOT_FOUND = 127    /* no such command */
};

static const char record_common_help[] =
    "  -o DIR             folder for trace.csv and run.json (created; default\n"
    "                     joulecast-YYYYmmdd-HHMMSS); an existing recording there\n"
    "                     is kept unless --force\n"
    "  --interval-ms N    sampling interval in milliseconds (default 100 = 10 Hz)\n"
    "  --gpus LIST        GPUs to sample: NVML indices or UUIDs, comma-separated;\n"
    "                     default: CUDA_VISIBLE_DEVICES when set, else every GPU.\n"
    "                     Indices are NVML's (PCI bus order); CUDA numbers GPUs\n"
    "                     fastest first unless CUDA_DEVICE_ORDER=PCI_BUS_ID\n"
    "  --meta KEY=VALUE   stored in run.json's \"meta\" (repeat it): arch=resnet50,\n"
    "                     batch=128, ... ; `joulecast dataset` reads them\n"
    "  --mark-regex RE    lines of the command's output matching RE (POSIX\n"
    "                     extended) become markers; the first (group), if any, is\n"
    "                     the label. The output still reaches the terminal\n"
    "                     unchanged (through a pipe; PYTHONUNBUFFERED=1 is set so\n"
    "                     Python does not hold lines back)\n"
    "  --force            replace a recording already in DIR\n"
    "  --quiet            no summary on stderr\n";

void jc_cmd_record_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast record [options] -- COMMAND [ARGS...]\n"
            "\n"
            "Runs COMMAND and samples the power of its GPUs through NVML until it ends,\n"
            "into joulecast's trace format (docs/formats.md): DIR/trace.csv, one row per\n"
            "sample and GPU (power, energy counter, utilisation, memory, SM clock,\n"
            "temperature, power limit), written as it goes and flushed every second, so\n"
            "a crash of anything loses at most a second; and DIR/run.json (command, host,\n"
            "GPUs and their limits, --meta, markers, exit status, sampler statistics).\n"
            "Power is NVML's instantaneous reading where the GPU has one; otherwise\n"
            "nvmlDeviceGetPowerUsage, which on recent GPUs is a one-second average\n"
            "(run.json's power_source says which). `joulecast analyze DIR` reads it.\n"
            "\n"
            "Markers: besides --mark-regex, the command can add labelled markers by\n"
            "writing lines to the FIFO named in its environment variable JOULECAST_MARK:\n"
            "  with open(os.environ[\"JOULECAST_MARK\"], \"w\") as f: f.write(\"epoch 3\\n\")\n"
            "  echo \"epoch 3\" > \"$JOULECAST_MARK\"\n"
            "Two or more markers are taken by `analyze` as epoch boundaries.\n"
            "\n"
            "SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed on to COMMAND (Ctrl-C\n"
            "reaches it once, from the terminal); the recording ends when it does.\n"
            "NVML failures (GPU lost, field not supported, no permission) are counted,\n"
            "stored in run.json and reported at the end; they never stop a recording.\n"
            "\n"
            "options:\n"
            "%s"
            "\n"
            "exit status: COMMAND's own (128 + N if signal N ended it); 2 bad usage;\n"
            "3 no NVIDIA driver or GPU (nothing was run); 1 could not start recording;\n"
            "125 COMMAND ran but its recording could not be written; 126 COMMAND cannot\n"
            "be run; 127 COMMAND not found.\n"
            "\n"
            "environment: JOULECAST_NVML_LIB names the NVML library to load (default\n"
            "libnvidia-ml.so.1).\n"
            "\n"
            "examples:\n"
            "  joulecast record -o runs/r50 --meta arch=resnet50 --meta batch=128 \\\n"
            "      --mark-regex '^(Epoch [0-9]+)' -- python train.py --epochs 10\n"
            "  joulecast record --gpus 0,1 --interval-ms 50 -- ./bench\n"
            "  joulecast analyze runs/r50 --plot r50.png\n",
            record_common_help);
}

void jc_cmd_powercap_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast powercap --limits LIST [options] -- COMMAND [ARGS...]\n"
            "       joulecast powercap --restore DIR\n"
            "\n"
            "Runs COMMAND once per GPU power limit (nvmlDeviceSetPowerManagementLimit on\n"
            "every selected GPU), records each run in DIR/limit-<W>W/, and writes\n"
            "DIR/levels.csv: power_limit_w, time_s, energy_j (all GPUs), avg_power_w,\n"
            "exit_status, energy_source, one row per level, rewritten after each run.\n"
            "That table is the power-level table `joulecast schedule` reads (the second\n"
            "seed's Table 5.1). Setting limits needs root.\n"
            "\n"
            "The GPUs' limits are saved to DIR/restore.json first and always put back:\n"
            "after the sweep, when a run or a limit change fails, and on SIGINT/SIGTERM.\n"
            "If joulecast itself is killed, restore.json stays: `--restore DIR` applies\n"
            "it, and a new sweep into DIR refuses to start until then.\n"
            "\n"
            "options:\n"
            "  --limits LIST      watts: START:STOP:STEP (inclusive, 100:250:25) or a\n"
            "                     comma list (300,250,200); each within the GPU's range\n"
            "  --keep-going       go on after a run that fails (default: stop)\n"
            "  --restore DIR      put back the limits saved in DIR/restore.json\n"
            "%s"
            "\n"
            "exit status: 0 all runs succeeded; the first failing run's status; 128 + N\n"
            "when signal N stopped the sweep; 1 error (limits restored); 2 bad usage;\n"
            "3 no NVIDIA driver or GPU.\n"
            "\n"
            "examples:\n"
            "  sudo joulecast powercap --limits 100:250:25 -o sweep -- python train.py\n"
            "  joulecast powercap --restore sweep\n",
            record_common_help);
}

/* Options shared by record and powercap. Returns 1 if consumed (advancing
 * *i), 0 if not one of them, -1 on a usage error. */
static int common_option(int argc, char **argv, int *i, jc_record_opts *o, char ***meta, size_t *nmeta)
{
    const char *a = argv[*i];
    const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    int takes = !strcmp(a, "-o") || !strcmp(a, "--interval-ms") || !strcmp(a, "--gpus") || !strcmp(a, "--meta") ||
                !strcmp(a, "--mark-regex");
    if (takes && !v) {
        fprintf(stderr, "joulecast: error: %s needs a value\n", a);
        return -1;
    }
    if (!strcmp(a, "-o")) {
        o->out_dir = v;
    } else if (!strcmp(a, "--interval-ms")) {
        double ms;
        if (jc_parse_double_opt(a, v, 1, 3600000, &ms) != 0)
            return -1;
        o->interval_s = ms / 1000.0;
    } else if (!strcmp(a, "--gpus")) {
        o->gpus = v;
    } else if (!strcmp(a, "--meta")) {
        const char *eq = strchr(v, '=');
        if (!eq || eq == v) {
            fprintf(stderr, "joulecast: error: --meta '%s': expected KEY=VALUE\n", v);
            return -1;
        }
        char **nm = realloc(*meta, (*nmeta + 1) * sizeof *nm);
        if (!nm)
            return -1;
        nm[(*nmeta)++] = (char *)v;
        *meta = nm;
        o->meta = nm;
        o->nmeta = *nmeta;
    } else if (!strcmp(a, "--mark-regex")) {
        o->mark_regex = v;
    } else if (!strcmp(a, "--force")) {
        o->force = 1;
        (*i)++;
        return 1;
    } else if (!strcmp(a, "--quiet")) {
        o->quiet = 1;
        (*i)++;
        return 1;
    } else {
        return 0;
    }
    *i += 2;
    return 1;
}

static const char *default_dir(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(buf, size, "joulecast-%Y%m%d-%H%M%S", &tm);
    return buf;
}

static int exit_for_error(int rc)
{
    jc_print_error();
    if (rc == JC_ERR_UNSUPPORTED)
        return JC_EXIT_NO_GPU;
    return rc == JC_ERR_INVALID ? JC_EXIT_USAGE : JC_EXIT_FAIL;
}

static const char *energy_text(double j, char *buf, size_t size)
{
    if (!isfinite(j))
        snprintf(buf, size, "?");
    else if (j >= 3.6e6)
        snprintf(buf, size, "%.3f kWh", j / 3.6e6);
    else if (j >= 1e3)
        snprintf(buf, size, "%.2f kJ", j / 1e3);
    else
        snprintf(buf, size, "%.1f J", j);
    return buf;
}

static void print_summary(const jc_record_opts *o, const jc_record_result *r)
{
    char d[32], e[32];
    fprintf(stderr,
            "joulecast: recorded %zu GPU%s for %s into %s: %zu samples, %s (%s), mean %.1f W, "
            "%zu marker%s; sampler p50/p99 lateness %.2f/%.2f ms, %zu missed, %.2f%% of a core\n",
            r->ngpu, r->ngpu == 1 ? "" : "s", jc_fmt_duration(r->duration_s, d), o->out_dir, r->samples,
            energy_text(r->energy_j, e, sizeof e), r->energy_from_counter ? "energy counters" : "integrated power",
            r->mean_power_w, r->nmarkers, r->nmarkers == 1 ? "" : "s", r->jitter_p50_ms, r->jitter_p99_ms,
            r->missed_deadlines, r->duration_s > 0 ? 100.0 * r->sampler_cpu_s / r->duration_s : 0.0);
    if (r->problems)
        fprintf(stderr, "joulecast: NVML problems (run.json has them too):\n%s", r->problems);
    if (r->exit_signal)
        fprintf(stderr, "joulecast: the command ended by signal %d (%s)\n", r->exit_signal, strsignal(r->exit_signal));
}

/* Options up to "--", then the command. Returns the index of the command or
 * -1 after printing a usage error. */
static int command_start(int argc, char **argv, int i, const char *name)
{
    if (i >= argc || strcmp(argv[i], "--") != 0 || i + 1 >= argc) {
        fprintf(stderr, "joulecast: error: %s needs a command after '--' (joulecast %s --help)\n", name, name);
        return -1;
    }
    return i + 1;
}

int jc_cmd_record(int argc, char **argv)
{
    jc_record_opts o;
    jc_record_opts_init(&o);
    char **meta = NULL;
    size_t nmeta = 0;
    char dirbuf[64];
    int i = 1, status = JC_EXIT_USAGE;
    while (i < argc && strcmp(argv[i], "--") != 0) {
        int c = common_option(argc, argv, &i, &o, &meta, &nmeta);
        if (c < 0)
            goto out;
        if (c == 0) {
            fprintf(stderr, "joulecast: error: record: unknown option '%s' (the command goes after '--')\n", argv[i]);
            goto out;
        }
    }
    int cmd = command_start(argc, argv, i, "record");
    if (cmd < 0)
        goto out;
    o.argv = argv + cmd;
    if (!o.out_dir)
        o.out_dir = default_dir(dirbuf, sizeof dirbuf);
    jc_record_result r;
    int rc = jc_record_run(&o, &r);
    if (rc != JC_OK && r.ticks == 0 && !r.spawn_failed) {
        status = exit_for_error(rc);
        goto out;
    }
    if (r.spawn_failed) {
        jc_print_error();
        status = r.exit_status;
    } else {
        if (!o.quiet)
            print_summary(&o, &r);
        status = r.exit_status;
        if (rc != JC_OK) {
            jc_print_error();
            status = JC_EXIT_RECORD_FAIL;
        }
    }
    jc_record_result_free(&r);
out:
    free(meta);
    return status;
}

/* "100:250:25" or "300,250,200" */
static int parse_limits(const char *s, double **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    double a, b, step;
    char tail;
    if (sscanf(s, "%lf:%lf:%lf%c", &a, &b, &step, &tail) == 3) {
        if (!(step > 0) || !(a > 0) || !(b > 0) || fabs(b - a) / step > 1000) {
            fprintf(stderr, "joulecast: error: --limits '%s': expected START:STOP:STEP in watts, STEP > 0\n", s);
            return -1;
        }
        double dir = b >= a ? 1 : -1;
        size_t m = (size_t)floor(fabs(b - a) / step + 1e-9) + 1;
        *out = malloc(m * sizeof **out);
        for (size_t k = 0; k < m; k++)
            (*out)[k] = a + dir * step * (double)k;
        *n = m;
        return 0;
    }
    char *copy = jc_strdup(s), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        double w;
        if (jc_parse_double_opt("--limits", t, 1, 100000, &w) != 0) {
            free(copy);
            free(*out);
            *out = NULL;
            return -1;
        }
        double *nw = realloc(*out, (*n + 1) * sizeof *nw);
        nw[(*n)++] = w;
        *out = nw;
    }
    free(copy);
    if (*n == 0) {
        fprintf(stderr, "joulecast: error: --limits: no value\n");
        return -1;
    }
    return 0;
}

static void powercap_progress(void *ctx, size_t k, size_t n, double w, const jc_powercap_level *done)
{
    const jc_record_opts *o = ctx;
    if (o->quiet)
        return;
    if (!done) {
        fprintf(stderr, "joulecast: power limit %g W (%zu of %zu)\n", w, k + 1, n);
        return;
    }
    char d[32], e[32];
    fprintf(stderr, "joulecast: %g W: %s, %s, mean %.1f W, exit %d\n", w, jc_fmt_duration(done->time_s, d),
            energy_text(done->energy_j, e, sizeof e), done->avg_power_w, done->exit_status);
}

int jc_cmd_powercap(int argc, char **argv)
{
    jc_powercap_opts p;
    memset(&p, 0, sizeof p);
    jc_record_opts_init(&p.rec);
    char **meta = NULL;
    size_t nmeta = 0;
    double *limits = NULL;
    const char *restore = NULL;
    char dirbuf[64];
    int i = 1, status = JC_EXIT_USAGE;
    while (i < argc && strcmp(argv[i], "--") != 0) {
        int c = common_option(argc, argv, &i, &p.rec, &meta, &nmeta);
        if (c < 0)
            goto out;
        if (c)
            continue;
        if (!strcmp(argv[i], "--limits") && i + 1 < argc) {
            free(limits);
            if (parse_limits(argv[i + 1], &limits, &p.nlimits) != 0)
                goto out;
            i += 2;
        } else if (!strcmp(argv[i], "--restore") && i + 1 < argc) {
            restore = argv[i + 1];
            i += 2;
        } else if (!strcmp(argv[i], "--keep-going")) {
            p.keep_going = 1;
            i++;
        } else {
            fprintf(stderr, "joulecast: error: powercap: unknown option or missing value '%s'\n", argv[i]);
            goto out;
        }
    }
    if (restore) {
        int rc = jc_powercap_restore(restore);
        if (rc != JC_OK) {
            status = exit_for_error(rc);
        } else {
            fprintf(stderr, "joulecast: power limits restored from %s/restore.json\n", restore);
            status = JC_EXIT_OK;
        }
        goto out;
    }
    if (!limits) {
        fprintf(stderr, "joulecast: error: powercap needs --limits (joulecast powercap --help)\n");
        goto out;
    }
    int cmd = command_start(argc, argv, i, "powercap");
    if (cmd < 0)
        goto out;
    p.rec.argv = argv + cmd;
    if (!p.rec.out_dir)
        p.rec.out_dir = default_dir(dirbuf, sizeof dirbuf);
    p.limits_w = limits;
    p.progress = powercap_progress;
    p.progress_ctx = &p.rec;
    jc_powercap_level *lv;
    size_t nlv;
    int exit_status;
    int rc = jc_powercap_run(&p, &lv, &nlv, &exit_status);
    if (nlv && !p.rec.quiet) {
        printf("%10s %12s %14s %12s %6s\n", "limit_w", "time_s", "energy_j", "avg_power_w", "exit");
        for (size_t k = 0; k < nlv; k++)
            printf("%10g %12.2f %14.1f %12.1f %6d\n", lv[k].limit_w, lv[k].time_s, lv[k].energy_j, lv[k].avg_power_w,
                   lv[k].exit_status);
        fprintf(stderr, "joulecast: levels written to %s/levels.csv; power limits restored\n", p.rec.out_dir);
    }
    free(lv);
    if (rc != JC_OK)
        status = exit_for_error(rc);
    else
        status = exit_status;
out:
    free(meta);
    free(limits);
    return status;
}
