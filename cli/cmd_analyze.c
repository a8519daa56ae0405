/* joulecast analyze: from raw GPU power logs to energy and the square wave.
 * Reads each trace (joulecast CSV or nvidia-smi CSV, plain or .gz), reports
 * what was skipped, integrates energy, finds the epochs and their peak and
 * valley phases, and prints a summary (or JSON/CSV) and an optional plot. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "joulecast/plot.h"
#include "joulecast/trace.h"
#include "joulecast/util.h"

void jc_cmd_analyze_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast analyze TRACE... [options]\n"
            "\n"
            "Analyse GPU power traces: energy, duration, mean power, and the epochs of a\n"
            "training run as a square wave (peak power and duration while computing,\n"
            "valley power and duration between epochs).\n"
            "\n"
            "TRACE is a joulecast trace (trace.csv, with run.json beside it, as written by\n"
            "'joulecast record') or nvidia-smi --query-gpu=... --format=csv output, with or\n"
            "without header and units, one or several GPUs, plain or gzip-compressed.\n"
            "Damaged lines (cut off, [N/A], unparsable) are skipped and counted.\n"
            "\n"
            "options:\n"
            "  --smooth N        moving-average window in samples (default: about 0.5 s,\n"
            "                    5 points at 10 Hz, none at 1 Hz; 1 = none)\n"
            "  --dt S            resample onto this step in seconds (default: the median\n"
            "                    sampling interval)\n"
            "  --epochs N        hint: the run trained N epochs (detection works without)\n"
            "  --no-markers      ignore epoch markers in run.json\n"
            "  --average         the TRACEs are replicates of one run: align their starts,\n"
            "                    trim idle head and tail, and analyse their point-by-point mean\n"
            "  --columns LIST    field list for nvidia-smi output without a header, as given\n"
            "                    to --query-gpu (e.g. timestamp,index,power.draw)\n"
            "  --strict          a damaged line is an error instead of being skipped\n"
            "  --json            machine-readable JSON on stdout\n"
            "  --epoch-list      with --json: every epoch (start, end, phases, energy)\n"
            "  --csv             one CSV row per trace and GPU on stdout\n"
            "  --plot FILE       plot the power and the fitted square wave (.svg or .png);\n"
            "                    with several traces, FILE-1.svg, FILE-2.svg, ...\n"
            "\n"
            "examples:\n"
            "  joulecast analyze gpu-power.csv\n"
            "  joulecast analyze run/trace.csv --plot run.svg\n"
            "  joulecast analyze --json logs/*.csv.gz > summary.json\n"
            "  joulecast analyze --average rep1.csv rep2.csv rep3.csv --plot mean.png\n");
}

typedef enum { OUT_TEXT, OUT_JSON, OUT_CSV } out_mode;

/* One analysed unit: a trace (with its GPUs), or the average of replicates. */
typedef struct {
    const char *label;
    jc_trace *trace;     /* NULL for an average */
    jc_analysis an;
} unit;

static const char *format_name(const jc_trace *tr)
{
    return tr->format == JC_TRACE_JOULECAST ? "joulecast" : "nvidia-smi";
}

static const char *gpu_label(const jc_gpu_analysis *g)
{
    return g->gpu ? g->gpu->id : "mean";
}

/* ---------- text ---------- */

static void print_stat_line(const char *what, const jc_stat *st, const char *unit_name, int prec)
{
    printf("    %-14s %.*f %s  (sd %.*f, %.*f to %.*f)\n", what, prec, st->mean, unit_name, prec, st->std, prec,
           st->min, prec, st->max);
}

static void print_text(const unit *u)
{
    char b1[32];
    if (u->trace) {
        const jc_trace *tr = u->trace;
        const jc_trace_read_stats *st = &tr->stats;
        printf("%s\n  %s trace, %zu GPU%s, %zu samples", u->label, format_name(tr), tr->ngpu, tr->ngpu == 1 ? "" : "s",
               st->samples);
        if (st->skipped)
            printf(", %zu of %zu lines skipped (first at line %ld: %s)", st->skipped, st->lines, st->first_skipped_line,
                   st->first_skipped_reason);
        printf("\n");
    } else {
        printf("%s\n", u->label);
    }
    for (size_t i = 0; i < u->an.ngpu; i++) {
        const jc_gpu_analysis *g = &u->an.gpus[i];
        printf("  GPU %s%s%s%s\n", gpu_label(g), g->gpu && g->gpu->name ? " (" : "",
               g->gpu && g->gpu->name ? g->gpu->name : "", g->gpu && g->gpu->name ? ")" : "");
        printf("    duration       %s (%.0f s)\n", jc_fmt_duration(g->energy.duration_s, b1), g->energy.duration_s);
        printf("    energy         %.4f MJ = %.4f kWh\n", g->energy.energy_j / 1e6, g->energy.energy_j / 3.6e6);
        printf("    mean power     %.1f W  (min %.1f, max %.1f)\n", g->energy.mean_power_w, g->energy.min_power_w,
               g->energy.max_power_w);
        if (g->seg_status) {
            printf("    epochs         not found: %s\n", g->seg_error);
            continue;
        }
        const jc_segmentation *s = &g->seg;
        printf("    epochs         %zu in %zu regime%s%s\n", s->nepochs, s->nregimes, s->nregimes == 1 ? "" : "s",
               s->used_markers  ? " (from markers)"
               : s->used_levels ? " (from the power levels: too few for the period search)"
               : s->used_hint   ? " (spread over the working span: --epochs)"
                                : "");
        for (size_t r = 0; r < s->nregimes; r++) {
            const jc_regime *rg = &s->regimes[r];
            printf("      regime %zu: %zu epochs of %.1f s from %.0f s to %.0f s, peak %.1f W, %s %.1f W\n", r + 1,
                   rg->nepochs, rg->period_s, rg->start_s, rg->end_s, rg->peak_power_w,
                   !rg->valley_is_spike                       ? "valley"
                   : rg->valley_power_w > rg->peak_power_w ? "boundary spike"
                                                           : "boundary dip",
                   rg->valley_power_w);
        }
        if (s->nepochs) {
            printf("    square wave (per epoch; peak = compute, valley = between epochs):\n");
            print_stat_line("peak power", &s->peak_power_w, "W", 1);
            print_stat_line("peak time", &s->peak_s, "s", 1);
            print_stat_line("valley power", &s->valley_power_w, "W", 1);
            print_stat_line("valley time", &s->valley_s, "s", 1);
            print_stat_line("epoch time", &s->epoch_s, "s", 1);
            printf("    %-14s %.1f kJ  (sd %.1f)\n", "epoch energy", s->epoch_energy_j.mean / 1e3,
                   s->epoch_energy_j.std / 1e3);
        }
    }
    if (u->an.ngpu > 1)
        printf("  all GPUs: %.4f MJ = %.4f kWh, %.1f W together\n", u->an.energy_j / 1e6, u->an.energy_j / 3.6e6,
               u->an.mean_power_w);
}

/* ---------- JSON ---------- */

static json_t *stat_json(const jc_stat *s)
{
    return json_pack("{s:f,s:f,s:f,s:f}", "mean", s->mean, "std", s->std, "min", s->min, "max", s->max);
}

static json_t *unit_json(const unit *u, int with_epochs)
{
    json_t *o = json_object();
    json_object_set_new(o, "trace", json_string(u->label));
    if (u->trace) {
        const jc_trace_read_stats *st = &u->trace->stats;
        json_object_set_new(o, "format", json_string(format_name(u->trace)));
        json_object_set_new(o, "read", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "bytes", (json_int_t)st->bytes,
                                                 "lines", (json_int_t)st->lines, "samples", (json_int_t)st->samples,
                                                 "skipped", (json_int_t)st->skipped, "skipped_truncated",
                                                 (json_int_t)st->skipped_truncated, "skipped_time",
                                                 (json_int_t)st->skipped_time, "skipped_power",
                                                 (json_int_t)st->skipped_power));
        if (st->skipped)
            json_object_set_new(json_object_get(o, "read"), "first_skipped",
                                json_pack("{s:I,s:s}", "line", (json_int_t)st->first_skipped_line, "reason",
                                          st->first_skipped_reason));
    }
    json_object_set_new(o, "energy_j", json_real(u->an.energy_j));
    json_object_set_new(o, "energy_kwh", json_real(u->an.energy_j / 3.6e6));
    json_object_set_new(o, "duration_s", json_real(u->an.duration_s));
    json_object_set_new(o, "mean_power_w", json_real(u->an.mean_power_w));
    json_t *gpus = json_array();
    for (size_t i = 0; i < u->an.ngpu; i++) {
        const jc_gpu_analysis *g = &u->an.gpus[i];
        json_t *gj = json_object();
        json_object_set_new(gj, "gpu", json_string(gpu_label(g)));
        if (g->gpu && g->gpu->name)
            json_object_set_new(gj, "name", json_string(g->gpu->name));
        json_object_set_new(gj, "samples", json_integer((json_int_t)g->energy.samples));
        json_object_set_new(gj, "duration_s", json_real(g->energy.duration_s));
        json_object_set_new(gj, "energy_j", json_real(g->energy.energy_j));
        json_object_set_new(gj, "mean_power_w", json_real(g->energy.mean_power_w));
        json_object_set_new(gj, "min_power_w", json_real(g->energy.min_power_w));
        json_object_set_new(gj, "max_power_w", json_real(g->energy.max_power_w));
        if (g->seg_status) {
            json_object_set_new(gj, "segmentation_error", json_string(g->seg_error));
        } else {
            const jc_segmentation *s = &g->seg;
            json_object_set_new(gj, "epochs", json_integer((json_int_t)s->nepochs));
            json_object_set_new(gj, "used_markers", json_boolean(s->used_markers));
            json_object_set_new(gj, "used_levels", json_boolean(s->used_levels));
            json_object_set_new(gj, "used_epochs_hint", json_boolean(s->used_hint));
            json_object_set_new(gj, "active_start_s", json_real(s->active_start_s));
            json_object_set_new(gj, "active_end_s", json_real(s->active_end_s));
            json_object_set_new(gj, "peak_power_w", stat_json(&s->peak_power_w));
            json_object_set_new(gj, "peak_s", stat_json(&s->peak_s));
            json_object_set_new(gj, "valley_power_w", stat_json(&s->valley_power_w));
            json_object_set_new(gj, "valley_s", stat_json(&s->valley_s));
            json_object_set_new(gj, "epoch_s", stat_json(&s->epoch_s));
            json_object_set_new(gj, "epoch_energy_j", stat_json(&s->epoch_energy_j));
            json_t *rs = json_array();
            for (size_t r = 0; r < s->nregimes; r++) {
                const jc_regime *rg = &s->regimes[r];
                json_array_append_new(
                    rs, json_pack("{s:f,s:f,s:f,s:I,s:f,s:f,s:b}", "start_s", rg->start_s, "end_s", rg->end_s,
                                  "period_s", rg->period_s, "epochs", (json_int_t)rg->nepochs, "peak_power_w",
                                  rg->peak_power_w, "valley_power_w", rg->valley_power_w, "valley_is_spike",
                                  rg->valley_is_spike));
            }
            json_object_set_new(gj, "regimes", rs);
            if (with_epochs) {
                json_t *es = json_array();
                for (size_t k = 0; k < s->nepochs; k++) {
                    const jc_epoch *e = &s->epochs[k];
                    /* a cut or empty phase has no power: null, not a number */
                    json_array_append_new(
                        es, json_pack("{s:f,s:f,s:f,s:f,s:o,s:o,s:f,s:i,s:b}", "start_s", e->start_s, "end_s",
                                      e->end_s, "peak_s", e->peak_s, "valley_s", e->valley_s, "peak_power_w",
                                      isfinite(e->peak_power_w) ? json_real(e->peak_power_w) : json_null(),
                                      "valley_power_w",
                                      isfinite(e->valley_power_w) ? json_real(e->valley_power_w) : json_null(),
                                      "energy_j", e->energy_j, "regime", e->regime, "truncated", e->truncated));
                }
                json_object_set_new(gj, "epoch_list", es);
            }
        }
        json_array_append_new(gpus, gj);
    }
    json_object_set_new(o, "gpus", gpus);
    return o;
}

/* ---------- CSV ---------- */

static void print_csv_header(void)
{
    printf("trace,gpu,samples,skipped,duration_s,energy_j,mean_power_w,epochs,regimes,peak_power_w,peak_s,"
           "valley_power_w,valley_s,epoch_s,epoch_energy_j\n");
}

static void print_csv_rows(const unit *u)
{
    for (size_t i = 0; i < u->an.ngpu; i++) {
        const jc_gpu_analysis *g = &u->an.gpus[i];
        /* Quote the path: it may hold commas. */
        putchar('"');
        for (const char *c = u->label; *c; c++) {
            if (*c == '"')
                putchar('"');
            putchar(*c);
        }
        printf("\",%s,%zu,%zu,%.3f,%.1f,%.2f", gpu_label(g), g->energy.samples,
               u->trace ? u->trace->stats.skipped : (size_t)0, g->energy.duration_s, g->energy.energy_j,
               g->energy.mean_power_w);
        if (g->seg_status) {
            printf(",0,0,,,,,,\n");
            continue;
        }
        const jc_segmentation *s = &g->seg;
        printf(",%zu,%zu,%.2f,%.2f,%.2f,%.2f,%.2f,%.1f\n", s->nepochs, s->nregimes, s->peak_power_w.mean,
               s->peak_s.mean, s->valley_power_w.mean, s->valley_s.mean, s->epoch_s.mean, s->epoch_energy_j.mean);
    }
}

/* ---------- plot ---------- */

static char *numbered_path(const char *path, size_t k)
{
    size_t n = strlen(path) + 24;
    char *out = malloc(n);
    if (!out)
        return NULL;
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        dot = path + strlen(path);
    snprintf(out, n, "%.*s-%zu%s", (int)(dot - path), path, k, dot);
    return out;
}

static int plot_unit(const unit *u, const char *path)
{
    size_t ng = u->an.ngpu;
    jc_plot_series *series = calloc(2 * ng, sizeof *series);
    double **bufs = calloc(4 * ng, sizeof *bufs);
    char (*labels)[2][96] = calloc(ng, sizeof *labels);
    int rc = JC_OK;
    size_t ns = 0;
    if (!series || !bufs || !labels) {
        rc = jc_fail(JC_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < ng; i++) {
        const jc_gpu_analysis *g = &u->an.gpus[i];
        const jc_signal *s = &g->signal;
        double *x = malloc((s->n ? s->n : 1) * sizeof *x);
        bufs[4 * i] = x;
        if (!x) {
            rc = jc_fail(JC_ERR_NOMEM, "out of memory");
            goto out;
        }
        for (size_t k = 0; k < s->n; k++)
            x[k] = s->t0 + (double)k * s->dt;
        snprintf(labels[i][0], sizeof labels[i][0], "GPU %s power", gpu_label(g));
        series[ns++] = (jc_plot_series){.label = labels[i][0], .x = x, .y = s->p, .n = s->n, .auto_color = 1,
                                        .width = 1.0, .alpha = 0.8};
        if (g->seg_status || g->seg.nepochs == 0)
            continue;
        /* The fitted square wave: each epoch is its peak, then its valley. */
        const jc_segmentation *sg = &g->seg;
        size_t m = 2 * sg->nepochs + 1;
        double *sx = malloc(m * sizeof *sx), *sy = malloc(m * sizeof *sy);
        bufs[4 * i + 1] = sx;
        bufs[4 * i + 2] = sy;
        if (!sx || !sy) {
            rc = jc_fail(JC_ERR_NOMEM, "out of memory");
            goto out;
        }
        size_t k = 0;
        for (size_t e = 0; e < sg->nepochs; e++) {
            const jc_epoch *ep = &sg->epochs[e];
            const jc_regime *rg = &sg->regimes[ep->regime];
            /* a cut phase has no level of its own: draw its regime's */
            sx[k] = ep->start_s;
            sy[k++] = isfinite(ep->peak_power_w) ? ep->peak_power_w : rg->peak_power_w;
            sx[k] = ep->start_s + ep->peak_s;
            sy[k++] = isfinite(ep->valley_power_w) ? ep->valley_power_w : rg->valley_power_w;
        }
        sx[k] = sg->epochs[sg->nepochs - 1].end_s;
        sy[k] = sy[k - 1];
        k++;
        snprintf(labels[i][1], sizeof labels[i][1], "GPU %s square wave (%zu epochs)", gpu_label(g), sg->nepochs);
        series[ns++] = (jc_plot_series){.label = labels[i][1], .x = sx, .y = sy, .n = k, .style = JC_PLOT_STEP,
                                        .rgb = ng == 1 ? 0xD55E00 : 0, .auto_color = ng != 1, .width = 2.0};
    }
    char title[512];
    const char *base = strrchr(u->label, '/');
    snprintf(title, sizeof title, "GPU power: %s", base ? base + 1 : u->label);
    jc_plot plot = {.title = title, .xlabel = "time (s)", .ylabel = "power (W)", .y_from_zero = 1,
                    .nseries = ns, .series = series};
    rc = jc_plot_write(&plot, path);
out:
    if (bufs)
        for (size_t i = 0; i < 4 * ng; i++)
            free(bufs[i]);
    free(bufs);
    free(series);
    free(labels);
    return rc;
}

/* ---------- replicates ---------- */

/* Average GPU i of every trace: resample to a common step, trim the idle
 * ends, align the starts, take the point-by-point mean, then analyse. */
static int average_units(unit *units, size_t n, const jc_analyze_opts *o, unit *out)
{
    size_t ngpu = units[0].trace->ngpu;
    for (size_t k = 1; k < n; k++)
        if (units[k].trace->ngpu < ngpu)
            ngpu = units[k].trace->ngpu;
    double dt = o->dt;
    if (dt <= 0)
        dt = jc_trace_gpu_median_interval(&units[0].trace->gpus[0]);
    memset(out, 0, sizeof *out);
    out->label = "mean of replicates";
    out->an.gpus = calloc(ngpu, sizeof *out->an.gpus);
    if (!out->an.gpus)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    out->an.ngpu = ngpu;
    jc_signal *sig = calloc(n, sizeof *sig);
    if (!sig)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    int rc = JC_OK;
    for (size_t i = 0; i < ngpu && !rc; i++) {
        for (size_t k = 0; k < n && !rc; k++) {
            rc = jc_trace_gpu_resample(&units[k].trace->gpus[i], dt, &sig[k]);
            if (!rc)
                rc = jc_signal_trim_idle(&sig[k], NULL, NULL);
        }
        jc_signal mean;
        if (!rc)
            rc = jc_signal_average(sig, n, &mean);
        for (size_t k = 0; k < n; k++)
            jc_signal_free(&sig[k]);
        if (rc)
            break;
        rc = jc_signal_analyze(&mean, o, &out->an.gpus[i]);
        jc_signal_free(&mean);
        out->an.energy_j += out->an.gpus[i].energy.energy_j;
        out->an.mean_power_w += out->an.gpus[i].energy.mean_power_w;
        if (out->an.gpus[i].energy.duration_s > out->an.duration_s)
            out->an.duration_s = out->an.gpus[i].energy.duration_s;
    }
    free(sig);
    return rc;
}

int jc_cmd_analyze(int argc, char **argv)
{
    enum { OPT_SMOOTH = 256, OPT_DT, OPT_EPOCHS, OPT_NO_MARKERS, OPT_AVERAGE, OPT_COLUMNS, OPT_STRICT, OPT_JSON,
           OPT_CSV, OPT_PLOT, OPT_EPOCH_LIST };
    static const struct option longopts[] = {
        {"smooth", required_argument, 0, OPT_SMOOTH}, {"dt", required_argument, 0, OPT_DT},
        {"epochs", required_argument, 0, OPT_EPOCHS}, {"no-markers", no_argument, 0, OPT_NO_MARKERS},
        {"average", no_argument, 0, OPT_AVERAGE},     {"columns", required_argument, 0, OPT_COLUMNS},
        {"strict", no_argument, 0, OPT_STRICT},       {"json", no_argument, 0, OPT_JSON},
        {"csv", no_argument, 0, OPT_CSV},             {"plot", required_argument, 0, OPT_PLOT},
        {"epoch-list", no_argument, 0, OPT_EPOCH_LIST}, {0, 0, 0, 0}};
    jc_analyze_opts ao;
    jc_analyze_opts_default(&ao);
    jc_trace_read_opts ro = {0};
    out_mode mode = OUT_TEXT;
    const char *plot_path = NULL;
    int average = 0, epoch_list = 0;
    long lv;
    double dv;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_SMOOTH:
            if (jc_parse_int_opt("--smooth", optarg, 1, 1000, &lv))
                return JC_EXIT_USAGE;
            ao.smooth = (int)lv;
            break;
        case OPT_DT:
            if (jc_parse_double_opt("--dt", optarg, 1e-6, 3600, &dv))
                return JC_EXIT_USAGE;
            ao.dt = dv;
            break;
        case OPT_EPOCHS:
            if (jc_parse_int_opt("--epochs", optarg, 1, 1000000, &lv))
                return JC_EXIT_USAGE;
            ao.epochs_hint = (int)lv;
            break;
        case OPT_NO_MARKERS: ao.use_markers = 0; break;
        case OPT_AVERAGE: average = 1; break;
        case OPT_COLUMNS: ro.columns = optarg; break;
        case OPT_STRICT: ro.strict = 1; break;
        case OPT_JSON: mode = OUT_JSON; break;
        case OPT_CSV: mode = OUT_CSV; break;
        case OPT_PLOT: plot_path = optarg; break;
        case OPT_EPOCH_LIST: epoch_list = 1; break;
        default:
            fprintf(stderr, "joulecast analyze: error: unknown or incomplete option '%s' (see --help)\n",
                    argv[optind - 1]);
            return JC_EXIT_USAGE;
        }
    }
    size_t n = (size_t)(argc - optind);
    if (n == 0) {
        fprintf(stderr, "joulecast analyze: error: no TRACE given (see 'joulecast analyze --help')\n");
        return JC_EXIT_USAGE;
    }
    unit *units = calloc(n + 1, sizeof *units);
    if (!units)
        return JC_EXIT_FAIL;
    int status = JC_EXIT_OK;
    size_t nread = 0;
    jc_progress *prog = n > 3 ? jc_progress_begin("analyze", (double)n) : NULL;
    for (size_t k = 0; k < n; k++) {
        unit *u = &units[k];
        u->label = argv[optind + (int)k];
        if (jc_trace_read(u->label, &ro, &u->trace)) {
            jc_print_error();
            status = JC_EXIT_FAIL;
            break;
        }
        nread++;
        if (u->trace->stats.skipped && mode == OUT_TEXT)
            jc_info("%s: skipped %zu damaged lines", u->label, u->trace->stats.skipped);
        if (!average && jc_trace_analyze(u->trace, &ao, &u->an)) {
            jc_print_error();
            status = JC_EXIT_FAIL;
            break;
        }
        jc_progress_update(prog, (double)k + 1);
    }
    jc_progress_end(prog);
    unit avg = {0};
    size_t nunits = nread;
    unit *shown = units;
    if (status == JC_EXIT_OK && average) {
        if (average_units(units, n, &ao, &avg)) {
            jc_print_error();
            status = JC_EXIT_FAIL;
        }
        shown = &avg;
        nunits = 1;
    }
    if (status == JC_EXIT_OK) {
        if (mode == OUT_JSON) {
            json_t *arr = json_array();
            for (size_t k = 0; k < nunits; k++)
                json_array_append_new(arr, unit_json(&shown[k], epoch_list));
            json_t *root = json_pack("{s:s,s:i,s:o}", "format", "joulecast-analysis", "version", 1, "traces", arr);
            json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
            putchar('\n');
            json_decref(root);
        } else if (mode == OUT_CSV) {
            print_csv_header();
            for (size_t k = 0; k < nunits; k++)
                print_csv_rows(&shown[k]);
        } else {
            for (size_t k = 0; k < nunits; k++) {
                if (k)
                    putchar('\n');
                print_text(&shown[k]);
            }
        }
        if (plot_path) {
            fflush(stdout); /* the summary first, then where the plot went */
            for (size_t k = 0; k < nunits && status == JC_EXIT_OK; k++) {
                char *p = nunits > 1 ? numbered_path(plot_path, k + 1) : NULL;
                if (plot_unit(&shown[k], p ? p : plot_path)) {
                    jc_print_error();
                    status = JC_EXIT_FAIL;
                } else if (mode == OUT_TEXT) {
                    fprintf(stderr, "plot written to %s\n", p ? p : plot_path);
                }
                free(p);
            }
        }
    }
    for (size_t k = 0; k < n; k++) {
        jc_analysis_free(&units[k].an);
        jc_trace_free(units[k].trace);
    }
    jc_analysis_free(&avg.an);
    free(units);
    return status;
}
