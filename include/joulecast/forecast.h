/* forecast: before a job runs, what its GPU power will look like, for how
 * long, and what it will cost. This header gathers what the forecast stands
 * on, one section per part; the GPU specifications come first because every
 * other part needs to know the card a job will run on. */
#ifndef JOULECAST_FORECAST_H
#define JOULECAST_FORECAST_H

#include <stddef.h>
#include "joulecast/learn.h"
#include "joulecast/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- GPU specifications ----
 * One row per GPU model from data/gpus.csv (format and sources in
 * data/gpus.md): power envelope, peak rates and memory, facts from public
 * specification sheets. Numbers a sheet does not give are NaN, never 0. */
typedef struct {
    char *gpu;            /* canonical short name: "A100-SXM4-80GB", "RTX 3090" */
    char *architecture;   /* "Ampere", "Hopper", ... */
    int release_year;     /* 0 when unknown */
    double tdp_w;         /* board power (TDP / TGP / max power consumption) */
    double idle_w;        /* only where a sheet publishes it; NaN otherwise */
    double fp32_tflops;   /* peak FP32, without tensor cores */
    double fp16_tensor_tflops; /* dense FP16 tensor, FP32 accumulate (note says when otherwise) */
    double memory_gb;
    double memory_bandwidth_gbs;
    char *note, *source;  /* caveats; URL the figures come from */
    char *nvml_names;     /* as in the file: names NVML reports, '|'-separated */
    char *aliases;        /* as in the file: data-set labels, '|'-separated; "" if none */
} jc_gpu_spec;

typedef struct jc_gpu_table jc_gpu_table;

/* Read the table. path NULL: the shipped one, $JOULECAST_DATA/gpus.csv when
 * that environment variable is set and not empty, else gpus.csv in the data
 * folder compiled in (JC_DATA_DIR: the source tree's data/). Errors name
 * FILE:LINE:COL: a missing column (line 1), a cell that is not a number, a
 * number that is not positive (release_year: not a year), an empty gpu or
 * source cell, a name that clashes with another row's (see jc_gpu_find for
 * what "clashes" means); a file with no rows is JC_ERR_EMPTY. */
int jc_gpu_table_load(const char *path, jc_gpu_table **out);
size_t jc_gpu_table_count(const jc_gpu_table *t);
/* Row i in file order, NULL when i is out of range. */
const jc_gpu_spec *jc_gpu_table_at(const jc_gpu_table *t, size_t i);
/* The file the table was read from. */
const char *jc_gpu_table_path(const jc_gpu_table *t);

/* The row a GPU name means, or NULL with the reason in jc_last_error().
 * Names are compared in three steps; the first that gives an answer wins:
 *  1. literally (ignoring case and surrounding spaces) against the aliases
 *     and every other name of every row: "NVIDIA V100" is the alias of the
 *     Zeus traces' V100-PCIE-32GB;
 *  2. normalised against the canonical and NVML names: lower case, a leading
 *     "NVIDIA ", "GeForce ", "Tesla " or "Quadro " dropped (repeatedly), then
 *     spaces, dashes and underscores dropped: "rtx3090", "GeForce RTX 3090"
 *     and "NVIDIA GeForce RTX 3090" are all "rtx3090";
 *  3. partially, for names of 3 or more characters once normalised: a row
 *     matches when the normalised name is a prefix or a suffix of one of its
 *     normalised names ("3090", "h100sxm"), or when every word of the name
 *     begins a word of one of its names ("A100 80GB", "H100 PCIe").
 *     One matching row is the answer. Several is JC_ERR_INVALID naming them
 *     all ("'A100' could be A100-PCIE-40GB, A100-SXM4-40GB, ..."): the
 *     variants of a model differ in power and bandwidth, so none is picked
 *     silently.
 * No match is JC_ERR_INVALID with the nearest names, or all of them. Step 2's
 * normal forms are unique across rows (the loader checks), so steps 1 and 2
 * never find two rows. */
const jc_gpu_spec *jc_gpu_find(const jc_gpu_table *t, const char *name);

void jc_gpu_table_free(jc_gpu_table *t);

/* ---- the square wave and what follows from it (first seed, section
 * 4.4.6 and Table 5) ----
 * A training job's power on each GPU is a square wave, one period per
 * epoch: a valley (data loading, evaluation, between-epoch work) then a
 * peak (compute). From the four numbers follow the cycle, the job's
 * duration and energy, the daily energy when the job repeats back to back,
 * and its CO2 and cost. */

typedef struct {
    double valley_w, valley_s;   /* per GPU, per epoch */
    double peak_w, peak_s;
    double epochs;               /* epochs of the job */
    double gpus;                 /* GPUs per server */
    double servers;              /* servers running it (1) */
    double intensity_kg_per_kwh; /* grid carbon intensity (the seed's 0.5) */
    double price_per_kwh;        /* energy price; NaN: no cost figures */
} jc_wave;

typedef struct {
    double cycle_s;              /* one epoch: valley + peak */
    double duty;                 /* peak share of the cycle */
    double mean_power_w;         /* per GPU, over a cycle */
    double duration_s;           /* the job: epochs x cycle */
    double energy_gpu_j, energy_server_j, energy_all_j;  /* the job */
    double jobs_per_day;         /* back to back: 86400 / duration */
    double daily_gpu_kwh, daily_server_kwh, daily_all_kwh;
    double co2_job_server_kg, co2_job_all_kg;
    double co2_daily_server_kg, co2_daily_all_kg;
    double cost_job_all, cost_daily_all;  /* NaN without a price */
} jc_wave_figures;

void jc_wave_init(jc_wave *w);  /* 1 epoch, 1 GPU, 1 server, 0.5 kg/kWh, no price */
/* JC_ERR_INVALID for negative powers or durations, a zero cycle, or
 * non-positive counts. */
int jc_wave_figures_of(const jc_wave *w, jc_wave_figures *f);

/* ---- predicting a job's square wave from its metadata ---- */

/* What is known about a job before it runs; NaN or NULL where unknown. */
typedef struct {
    const char *arch;       /* a zoo name: params and flops come from the arch module */
    double params, flops;   /* per sample, forward FLOPs (2 x MACs); given values win */
    double image_size, samples, batch_size, epochs, workers;
    double gpus;            /* per server */
    const char *gpu;        /* GPU model, looked up in the GPU table */
    double power_limit_w;   /* NaN: the GPU's TDP */
} jc_task;

void jc_task_init(jc_task *t);

typedef struct {
    jc_wave wave;           /* the four numbers, with the job's counts */
    jc_wave_figures fig;
    size_t members;         /* bootstrap members behind the interval (0: none) */
    jc_wave lo_wave, hi_wave;     /* 5th and 95th percentiles of the members */
    jc_wave_figures lo, hi;       /* every figure's 5th and 95th percentile */
    int flat;               /* 1: the model knows epoch time and mean power only */
    const char *targets[4]; /* the model targets used */
    const jc_gpu_spec *gpu; /* the GPU's row, NULL when not in the table */
    double params, flops;   /* as used */
    size_t nwarnings;
    char **warnings;        /* outside what the model was fitted on, and why */
} jc_forecast;

/* Predict with a fitted model (learn.h's jc_model): its targets
 * peak_power_w, peak_s, valley_power_w and valley_s, or, failing those,
 * time_per_epoch_s and avg_power_w (a wave with no valley, flagged flat).
 * `counts` gives epochs, GPUs, servers, intensity and price (task->epochs
 * and task->gpus, when set, win). gpus may be NULL (no GPU features then).
 * A feature the model needs and the task lacks is JC_ERR_INVALID naming it. */
int jc_forecast_predict(const jc_model *m, const jc_task *task, const jc_gpu_table *gpus, const jc_wave *counts,
                        jc_forecast *out);
void jc_forecast_free(jc_forecast *f);

/* ---- HC x MACs (second seed, equation 4.1) ----
 * Energy = HC x MACs: the energy a GPU spends per multiply-accumulate of
 * training, one number per GPU. MACs here are the forward MACs per sample
 * (as ptflops counts them) times the samples processed; the backward pass
 * is inside HC. */
typedef struct {
    size_t n;
    double hc_j_per_mac;       /* least squares through the origin: E = HC x MACs */
    double r2;                 /* of that line, on E */
    double mre;                /* its mean relative error */
    double hc_median;          /* median of E / MACs over the runs */
    double loglog_slope, loglog_intercept, loglog_r2;  /* ln E = a + b ln MACs */
} jc_hc_fit;

/* energy_j and macs: n runs each (finite, > 0). */
int jc_hc_fit_runs(const double *energy_j, const double *macs, size_t n, jc_hc_fit *out);

/* ---- calibration (first seed, Discussion) ----
 * A model fitted on some GPUs and networks, adapted to a new one from a few
 * runs: per target, predictions are scaled by s, the least-squares ratio of
 * observed to predicted shrunk towards 1 (the old model is the prior) with
 * the weight of `prior_runs` pseudo-runs on which the old model was right:
 *   s = (sum y p + m mean(p^2)) / (sum p^2 + m mean(p^2)).
 * A scale, not a new fit: with 3 runs, one number per target is what the
 * data can carry; a GPU change mostly rescales power and time. */
typedef struct {
    size_t runs;
    double scale;
    double mre_before;         /* of the old model on the new runs */
    double mre_after_loo;      /* leave-one-out: each run predicted by a scale fitted on the others */
    double mre_after;          /* in-sample, with the final scale */
} jc_calibration;

/* x: n runs of each target's raw features in its order is taken from the
 * table by the caller; here per target: p (n predictions of the old
 * model) and y (n observations). */
int jc_calibrate_scale(const double *pred, const double *obs, size_t n, double prior_runs, jc_calibration *out);

#ifdef __cplusplus
}
#endif
#endif
