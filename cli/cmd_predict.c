/* joulecast predict: the forecast, before the job runs. From a training
 * task's metadata, a fitted model (the shipped default unless --model)
 * predicts each GPU's square wave (valley and peak power and duration per
 * epoch); from it follow the job's duration, energy per GPU, server and
 * data centre, daily energy when it repeats back to back, CO2 and cost,
 * each with a prediction interval from the model's bootstrap members, and
 * plain warnings where the task is outside what the model was fitted on.
 * The first seed's section 4.4.6, Table 5 and Figure 7. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "joulecast/forecast.h"
#include "joulecast/plot.h"
#include "joulecast/util.h"

#define DEFAULT_MODEL "default_model.json"

void jc_cmd_predict_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast predict [--model MODEL.json] (--arch NAME | --params N --flops N)\n"
            "                         [--image S] [--samples N] [--batch N] [--epochs N] [--workers N]\n"
            "                         [--gpus N] [--gpu MODEL] [--power-limit W] [--servers N]\n"
            "                         [--intensity KG_PER_KWH] [--price PER_KWH] [--json] [--plot FILE]\n"
            "\n"
            "Says before a training job runs what each GPU's power will look like (the\n"
            "first seed's square wave: per epoch a valley, between-epoch work, then a\n"
            "peak, compute), how long the job takes, and its energy, CO2 and cost:\n"
            "  cycle = valley + peak time; duration = epochs x cycle; duty = peak / cycle\n"
            "  energy per GPU = epochs x (valley W x valley s + peak W x peak s);\n"
            "  per server x GPUs, for N servers x N; daily = mean power x 24 h (the job\n"
            "  repeated back to back); CO2 = kWh x intensity; cost = kWh x price.\n"
            "Every figure comes with a 90 %% interval (5th to 95th percentile over the\n"
            "model's bootstrap members) when the model has them, and warnings say when\n"
            "the task lies outside what the model was fitted on (a GPU or network it never\n"
            "saw, a feature beyond its training range).\n"
            "\n"
            "The default model (data/default_model.json, made by scripts/make_default_model.sh\n"
            "from the public measurements in data/) knows the RTX 3090's square wave\n"
            "(seaa2023) and epoch time and mean power on the A40, V100 and RTX 6000 (Zeus):\n"
            "`joulecast predict --model data/default_model.json --help-model` lists what it needs.\n"
            "\n"
            "options:\n"
            "  --model FILE        a model from `joulecast fit` (default: the shipped one)\n"
            "  --arch NAME         a zoo network (`joulecast flops --list`): params and FLOPs\n"
            "  --params N          parameters, and --flops N: forward FLOPs per sample\n"
            "                      (2 x MACs), for a network outside the zoo\n"
            "  --image S           input size in pixels       --samples N   training-set size\n"
            "  --batch N           batch size                  --epochs N    epochs (default 1)\n"
            "  --workers N         data-loader workers         --gpus N      GPUs per server (1)\n"
            "  --gpu MODEL         the GPU (`joulecast gpus`: its specifications are features)\n"
            "  --power-limit W     the GPU's power limit (default: its TDP)\n"
            "  --servers N         servers running the job (1)\n"
            "  --intensity K       kg CO2 per kWh (default 0.5, the seed's)\n"
            "  --price P           price per kWh, for cost figures (none by default)\n"
            "  --json              JSON on stdout       --plot FILE   the square wave, .svg or .png\n"
            "  --plot-epochs N     epochs drawn (default 5)\n"
            "\n"
            "examples:\n"
            "  joulecast predict --arch resnet50 --gpu 'RTX 3090' --image 128 --samples 23807 \\\n"
            "      --batch 32 --epochs 30 --plot forecast.png\n"
            "  joulecast predict --arch resnet50 --gpu A40 --batch 256 --samples 1281167 --image 224 \\\n"
            "      --power-limit 250 --gpus 4 --servers 1000 --price 0.25 --json\n");
}

typedef struct {
    const char *name;
    double *dst;
    double lo, hi;
} num_opt;

static void interval_text(double lo, double hi, int have, const char *fmt, char *buf, size_t size)
{
    if (!have) {
        buf[0] = 0;
        return;
    }
    char a[32], b[32];
    snprintf(a, sizeof a, fmt, lo);
    snprintf(b, sizeof b, fmt, hi);
    snprintf(buf, size, "[%s, %s]", a, b);
}

static void print_text(const jc_forecast *f, const jc_task *t, const char *model_path, double servers)
{
    const jc_wave *w = &f->wave;
    const jc_wave_figures *g = &f->fig, *lo = &f->lo, *hi = &f->hi;
    int iv = f->members >= 2;
    char buf[96], d[32];
    printf("joulecast forecast: %s on %s, %g GPU%s per server, %g server%s, %g epoch%s\n",
           t->arch ? t->arch : "a custom network", f->gpu ? f->gpu->gpu : t->gpu ? t->gpu : "an unnamed GPU",
           w->gpus, w->gpus == 1 ? "" : "s", servers, servers == 1 ? "" : "s", w->epochs, w->epochs == 1 ? "" : "s");
    printf("  model %s%s\n", model_path, f->flat ? " (epoch time and mean power: no valley)" : "");
    printf("\n  per GPU, per epoch      %14s   %s\n", "predicted", iv ? "90 % interval" : "");
    interval_text(f->lo_wave.valley_w, f->hi_wave.valley_w, iv && !f->flat, "%.1f", buf, sizeof buf);
    printf("  valley power            %12.1f W   %s\n", w->valley_w, buf);
    interval_text(f->lo_wave.valley_s, f->hi_wave.valley_s, iv && !f->flat, "%.2f", buf, sizeof buf);
    printf("  valley duration         %12.2f s   %s\n", w->valley_s, buf);
    interval_text(f->lo_wave.peak_w, f->hi_wave.peak_w, iv, "%.1f", buf, sizeof buf);
    printf("  peak power              %12.1f W   %s\n", w->peak_w, buf);
    interval_text(f->lo_wave.peak_s, f->hi_wave.peak_s, iv, "%.2f", buf, sizeof buf);
    printf("  peak duration           %12.2f s   %s\n", w->peak_s, buf);
    printf("  cycle                   %12.2f s   duty %.1f %%, mean %.1f W\n", g->cycle_s, 100 * g->duty,
           g->mean_power_w);
    printf("\n  the job\n");
    interval_text(lo->duration_s / 3600, hi->duration_s / 3600, iv, "%.2f h", buf, sizeof buf);
    printf("  duration                %14s   %s\n", jc_fmt_duration(g->duration_s, d), buf);
    interval_text(lo->energy_gpu_j / 3.6e6, hi->energy_gpu_j / 3.6e6, iv, "%.3f", buf, sizeof buf);
    printf("  energy per GPU          %10.3f kWh   %s\n", g->energy_gpu_j / 3.6e6, buf);
    interval_text(lo->energy_server_j / 3.6e6, hi->energy_server_j / 3.6e6, iv, "%.3f", buf, sizeof buf);
    printf("  energy per server       %10.3f kWh   %s\n", g->energy_server_j / 3.6e6, buf);
    if (servers != 1) {
        interval_text(lo->energy_all_j / 3.6e6, hi->energy_all_j / 3.6e6, iv, "%.1f", buf, sizeof buf);
        printf("  energy, %g servers  %12.1f kWh   %s\n", servers, g->energy_all_j / 3.6e6, buf);
    }
    interval_text(lo->co2_job_all_kg, hi->co2_job_all_kg, iv, "%.3g", buf, sizeof buf);
    printf("  CO2 at %.2f kg/kWh     %11.3g kg    %s\n", w->intensity_kg_per_kwh, g->co2_job_all_kg, buf);
    if (isfinite(w->price_per_kwh)) {
        interval_text(lo->cost_job_all, hi->cost_job_all, iv, "%.2f", buf, sizeof buf);
        printf("  cost at %g per kWh  %13.2f      %s\n", w->price_per_kwh, g->cost_job_all, buf);
    }
    printf("\n  daily, repeated back to back\n");
    interval_text(lo->daily_server_kwh, hi->daily_server_kwh, iv, "%.2f", buf, sizeof buf);
    printf("  energy per server       %10.2f kWh   %s\n", g->daily_server_kwh, buf);
    if (servers != 1) {
        interval_text(lo->daily_all_kwh, hi->daily_all_kwh, iv, "%.0f", buf, sizeof buf);
        printf("  energy, %g servers  %12.0f kWh   %s\n", servers, g->daily_all_kwh, buf);
    }
    interval_text(lo->co2_daily_server_kg, hi->co2_daily_server_kg, iv, "%.2f", buf, sizeof buf);
    printf("  CO2 per server          %11.2f kg    %s\n", g->co2_daily_server_kg, buf);
    if (servers != 1) {
        interval_text(lo->co2_daily_all_kg, hi->co2_daily_all_kg, iv, "%.0f", buf, sizeof buf);
        printf("  CO2, %g servers     %13.0f kg    %s\n", servers, g->co2_daily_all_kg, buf);
    }
    if (isfinite(w->price_per_kwh)) {
        interval_text(lo->cost_daily_all, hi->cost_daily_all, iv, "%.2f", buf, sizeof buf);
        printf("  cost per day            %13.2f      %s\n", g->cost_daily_all, buf);
    }
    if (iv)
        printf("\n  intervals: 5th to 95th percentile over %zu bootstrap refits of the model\n", f->members);
    for (size_t i = 0; i < f->nwarnings; i++)
        printf("%s  warning: %s\n", i ? "" : "\n", f->warnings[i]);
}

static json_t *jv(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *figures_json(const jc_wave_figures *g)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "cycle_s",
                     jv(g->cycle_s), "duty", jv(g->duty), "mean_power_w", jv(g->mean_power_w), "duration_s",
                     jv(g->duration_s), "energy_gpu_j", jv(g->energy_gpu_j), "energy_server_j", jv(g->energy_server_j),
                     "energy_all_j", jv(g->energy_all_j), "daily_gpu_kwh", jv(g->daily_gpu_kwh), "daily_server_kwh",
                     jv(g->daily_server_kwh), "daily_all_kwh", jv(g->daily_all_kwh), "co2_job_server_kg",
                     jv(g->co2_job_server_kg), "co2_job_all_kg", jv(g->co2_job_all_kg), "co2_daily_server_kg",
                     jv(g->co2_daily_server_kg), "co2_daily_all_kg", jv(g->co2_daily_all_kg), "cost_job_all",
                     jv(g->cost_job_all), "cost_daily_all", jv(g->cost_daily_all));
}

static json_t *wave_json(const jc_wave *w)
{
    return json_pack("{s:o, s:o, s:o, s:o}", "valley_power_w", jv(w->valley_w), "valley_s", jv(w->valley_s),
                     "peak_power_w", jv(w->peak_w), "peak_s", jv(w->peak_s));
}

static void print_json(const jc_forecast *f, const jc_task *t, const char *model_path)
{
    json_t *warn = json_array();
    for (size_t i = 0; i < f->nwarnings; i++)
        json_array_append_new(warn, json_string(f->warnings[i]));
    json_t *root = json_pack("{s:s, s:i, s:s, s:{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}, s:o, s:o, s:b}",
                             "format", "joulecast-forecast", "version", 1, "model", model_path, "task", "arch",
                             t->arch ? json_string(t->arch) : json_null(), "gpu",
                             f->gpu ? json_string(f->gpu->gpu) : t->gpu ? json_string(t->gpu) : json_null(),
                             "params", jv(f->params), "flops", jv(f->flops), "epochs", jv(f->wave.epochs), "gpus",
                             jv(f->wave.gpus), "servers", jv(f->wave.servers), "intensity_kg_per_kwh",
                             jv(f->wave.intensity_kg_per_kwh), "price_per_kwh", jv(f->wave.price_per_kwh), "wave",
                             wave_json(&f->wave), "figures", figures_json(&f->fig), "flat", f->flat);
    if (f->members >= 2) {
        json_object_set_new(root, "interval", json_pack("{s:I, s:f, s:f, s:{s:o, s:o}, s:{s:o, s:o}}", "members",
                                                        (json_int_t)f->members, "lo_percentile", 5.0,
                                                        "hi_percentile", 95.0, "wave", "lo", wave_json(&f->lo_wave),
                                                        "hi", wave_json(&f->hi_wave), "figures", "lo",
                                                        figures_json(&f->lo), "hi", figures_json(&f->hi)));
    }
    json_object_set_new(root, "warnings", warn);
    json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    putchar('\n');
    json_decref(root);
}

/* The seed's Figure 7: the predicted square wave of a GPU over the first
 * epochs, with the GPU's TDP for scale. */
static int plot_wave(const jc_forecast *f, const char *path, int nep)
{
    const jc_wave *w = &f->wave;
    int n = (int)fmin(nep, fmax(1, floor(w->epochs)));
    double *x = malloc((size_t)(2 * n + 1) * sizeof *x), *y = malloc((size_t)(2 * n + 1) * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    size_t k = 0;
    double t = 0;
    for (int e = 0; e < n; e++) {
        x[k] = t;
        y[k++] = w->valley_w;
        t += w->valley_s;
        x[k] = t;
        y[k++] = w->peak_w;
        t += w->peak_s;
    }
    x[k] = t;
    y[k] = w->peak_w;
    k++;
    jc_plot_series s = {.label = "predicted power per GPU", .x = x, .y = y, .n = k, .style = JC_PLOT_STEP,
                        .rgb = 0xD55E00, .width = 2.0};
    jc_plot_hline tdp = {.label = "TDP", .y = f->gpu ? f->gpu->tdp_w : NAN, .rgb = 0x555555, .dashed = 1};
    char title[160];
    snprintf(title, sizeof title, "Predicted GPU power%s%s (first %d epoch%s)", f->gpu ? ", " : "",
             f->gpu ? f->gpu->gpu : "", n, n == 1 ? "" : "s");
    jc_plot p = {.title = title, .xlabel = "time (s)", .ylabel = "power (W)", .y_from_zero = 1, .nseries = 1,
                 .series = &s, .nhlines = f->gpu && isfinite(f->gpu->tdp_w) ? 1 : 0, .hlines = &tdp};
    int rc = jc_plot_write(&p, path);
    free(x);
    free(y);
    return rc;
}

int jc_cmd_predict(int argc, char **argv)
{
    jc_task t;
    jc_task_init(&t);
    jc_wave counts;
    jc_wave_init(&counts);
    const char *model_path = NULL, *plot = NULL;
    int json = 0;
    long plot_epochs = 5;
    num_opt nums[] = {
        {"--params", &t.params, 1, 1e15},       {"--flops", &t.flops, 1, 1e18},
        {"--image", &t.image_size, 1, 100000},  {"--samples", &t.samples, 1, 1e12},
        {"--batch", &t.batch_size, 1, 1e7},     {"--epochs", &t.epochs, 1e-3, 1e7},
        {"--workers", &t.workers, 0, 4096},     {"--gpus", &t.gpus, 1, 1e6},
        {"--power-limit", &t.power_limit_w, 1, 10000},
        {"--servers", &counts.servers, 1, 1e9}, {"--intensity", &counts.intensity_kg_per_kwh, 0, 10},
        {"--price", &counts.price_per_kwh, 0, 1e6},
    };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int done = 0;
        for (size_t k = 0; k < sizeof nums / sizeof nums[0] && !done; k++)
            if (!strcmp(a, nums[k].name)) {
                if (!v || jc_parse_double_opt(a, v, nums[k].lo, nums[k].hi, nums[k].dst) != 0) {
                    if (!v)
                        fprintf(stderr, "joulecast: error: %s needs a value\n", a);
                    return JC_EXIT_USAGE;
                }
                i++;
                done = 1;
            }
        if (done)
            continue;
        if ((!strcmp(a, "--model") || !strcmp(a, "--arch") || !strcmp(a, "--gpu") || !strcmp(a, "--plot") ||
             !strcmp(a, "--plot-epochs")) && !v) {
            fprintf(stderr, "joulecast: error: %s needs a value\n", a);
            return JC_EXIT_USAGE;
        }
        if (!strcmp(a, "--model")) model_path = argv[++i];
        else if (!strcmp(a, "--arch")) t.arch = argv[++i];
        else if (!strcmp(a, "--gpu")) t.gpu = argv[++i];
        else if (!strcmp(a, "--plot")) plot = argv[++i];
        else if (!strcmp(a, "--plot-epochs")) { if (jc_parse_int_opt(a, argv[++i], 1, 1000, &plot_epochs)) return JC_EXIT_USAGE; }
        else if (!strcmp(a, "--json")) json = 1;
        else {
            fprintf(stderr, "joulecast: error: predict: unknown option '%s' (joulecast predict --help)\n", a);
            return JC_EXIT_USAGE;
        }
    }
    if (!t.arch && !(isfinite(t.params) || isfinite(t.flops))) {
        fprintf(stderr, "joulecast: error: predict needs --arch NAME, or --params and --flops\n");
        return JC_EXIT_USAGE;
    }
    char defpath[4096];
    if (!model_path) {
        if (jc_data_path(DEFAULT_MODEL, defpath, sizeof defpath) != JC_OK) {
            jc_print_error();
            return JC_EXIT_FAIL;
        }
        model_path = defpath;
    }
    jc_model m;
    if (jc_model_load(model_path, &m) != JC_OK) {
        jc_print_error();
        return JC_EXIT_FAIL;
    }
    jc_gpu_table *gt = NULL;
    if (jc_gpu_table_load(NULL, &gt) != JC_OK) {
        jc_print_error();
        jc_model_free(&m);
        return JC_EXIT_FAIL;
    }
    jc_forecast f;
    int rc = jc_forecast_predict(&m, &t, gt, &counts, &f);
    int status = JC_EXIT_OK;
    if (rc != JC_OK) {
        jc_print_error();
        status = rc == JC_ERR_INVALID ? JC_EXIT_USAGE : JC_EXIT_FAIL;
    } else {
        if (json)
            print_json(&f, &t, model_path);
        else
            print_text(&f, &t, model_path, counts.servers);
        if (plot) {
            if (plot_wave(&f, plot, (int)plot_epochs) != JC_OK) {
                jc_print_error();
                status = JC_EXIT_FAIL;
            } else if (!json) {
                printf("\n  plot: %s\n", plot);
            }
        }
        jc_forecast_free(&f);
    }
    jc_gpu_table_free(gt);
    jc_model_free(&m);
    return status;
}
