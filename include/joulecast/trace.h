/* trace: GPU power traces, from file to square wave.
 * Reading (joulecast's own CSV + run.json, nvidia-smi --format=csv output,
 * gzip or plain), cleaning (resample onto a uniform grid, moving-average
 * smoothing, idle trimming, averaging replicates), energy integration, and
 * segmentation into epochs of peak (compute) and valley (between-epoch work)
 * phases. Formats are documented in docs/formats.md. */
#ifndef JOULECAST_TRACE_H
#define JOULECAST_TRACE_H

#include <stddef.h>
#include "joulecast/util.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    JC_TRACE_AUTO = 0,   /* decide from content */
    JC_TRACE_JOULECAST,  /* joulecast trace CSV (time_s,gpu,power_w,...) */
    JC_TRACE_NVSMI       /* nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits] */
} jc_trace_format;

typedef struct {
    double t;    /* seconds since jc_trace.t0_unix */
    char *label;
} jc_marker;

/* One GPU's samples. Times are non-decreasing. power_w is never NaN (a sample
 * without a usable power reading is skipped and counted); extra fields are NaN
 * where missing ([N/A], [Not Supported], empty). */
typedef struct {
    char *id;         /* index or uuid as written in the file ("0" if none) */
    char *name;       /* GPU model name when the file has it, else NULL */
    size_t n, cap;
    double *t;        /* seconds since jc_trace.t0_unix */
    double *power_w;
    double *fields;   /* n x jc_trace.nfields, row-major */
} jc_trace_gpu;

/* What the reader met: real files are damaged (truncated last lines, [N/A],
 * stray bytes); the reader survives, and says what it left out. */
typedef struct {
    size_t bytes;          /* bytes of (decompressed) text read */
    size_t lines;          /* data lines seen (header and blank lines excluded) */
    size_t samples;        /* samples kept */
    size_t skipped;        /* lines left out, the sum of the reasons below */
    size_t skipped_truncated;  /* too few fields (a cut-off line) */
    size_t skipped_time;       /* unparsable timestamp */
    size_t skipped_power;      /* unparsable or missing power ([N/A] etc.) */
    long first_skipped_line;   /* 1-based, 0 if none */
    char first_skipped_reason[160];
} jc_trace_read_stats;

typedef struct {
    char *path;
    jc_trace_format format;
    double t0_unix;        /* time of t = 0, seconds since 1970 (as written; no time zone) */
    double interval_s;     /* nominal sampling interval from run.json, 0 if unknown */
    size_t ngpu;
    jc_trace_gpu *gpus;
    size_t nfields;        /* extra numeric fields, names with units: util_gpu_pct ... */
    char **field_names;
    size_t nmarkers;
    jc_marker *markers;    /* from run.json, sorted by time */
    jc_trace_read_stats stats;
} jc_trace;

typedef struct {
    jc_trace_format format;  /* JC_TRACE_AUTO unless forced */
    int strict;              /* 1: any damaged line is an error instead of skipped */
    /* For nvidia-smi output without a header: the --query-gpu field list, e.g.
     * "timestamp,index,power.draw". NULL: taken from the header, or guessed
     * from units (" W") and the timestamp's shape. */
    const char *columns;
} jc_trace_read_opts;

/* Read a trace file (gzip-compressed or plain; detected from content). For
 * the joulecast format a run.json in the same folder is read too (markers,
 * interval). opts may be NULL. On error returns a negative jc_status and
 * jc_last_error() names the file and line. */
int jc_trace_read(const char *path, const jc_trace_read_opts *opts, jc_trace **out);
/* Same from an in-memory text buffer; `name` is used in messages. */
int jc_trace_read_buffer(const char *name, const char *text, size_t len,
                         const jc_trace_read_opts *opts, jc_trace **out);
void jc_trace_free(jc_trace *tr);

/* Index of an extra field by name, -1 if absent. */
int jc_trace_field_index(const jc_trace *tr, const char *name);

/* Write the joulecast trace format (CSV) atomically; run.json is written by
 * the recorder. */
int jc_trace_write_csv(const jc_trace *tr, const char *path);

/* ---- energy ---- */
typedef struct {
    size_t samples;
    double duration_s;     /* last - first sample time */
    double energy_j;       /* trapezoidal integral of power over time */
    double mean_power_w;   /* energy / duration (time-weighted) */
    double min_power_w, max_power_w;
} jc_energy;

/* Integrate one GPU's raw samples. Gaps longer than max_gap_s (0: no limit)
 * are not bridged: they contribute nothing, and are counted as missing time. */
int jc_trace_gpu_energy(const jc_trace_gpu *g, double max_gap_s, jc_energy *out);

/* ---- uniform signals ---- */
typedef struct {
    double t0;   /* time of sample 0, seconds (trace time) */
    double dt;   /* grid step, seconds */
    size_t n;
    double *p;   /* power, W */
} jc_signal;

void jc_signal_free(jc_signal *s);
/* Median spacing of the samples: the natural grid step. */
double jc_trace_gpu_median_interval(const jc_trace_gpu *g);
/* Linear interpolation of the samples onto t0 + k*dt (dt <= 0: the median
 * interval). */
int jc_trace_gpu_resample(const jc_trace_gpu *g, double dt, jc_signal *out);
/* Centred moving average over `window` samples (1 or less: unchanged);
 * the ends use the samples that exist. */
int jc_signal_smooth(jc_signal *s, int window);
/* Drop the idle head and tail: the samples before the power first rises, and
 * after it last falls, past the midpoint between idle and working level.
 * Reports how many samples were cut at each end (may be NULL). */
int jc_signal_trim_idle(jc_signal *s, size_t *cut_head, size_t *cut_tail);
/* Point-by-point mean of replicate runs, aligned at their starts (t0 of each
 * taken as 0) and cut to the shortest; all must share dt. */
int jc_signal_average(const jc_signal *runs, size_t nruns, jc_signal *out);
double jc_signal_energy(const jc_signal *s); /* trapezoid, J */

/* ---- segmentation into epochs ---- */
typedef enum { JC_PHASE_VALLEY = 0, JC_PHASE_PEAK = 1 } jc_phase_kind;

typedef struct {
    double start_s, end_s;     /* trace time */
    double peak_s, valley_s;   /* time spent at peak and in the valley */
    double peak_power_w;       /* mean power during the peak */
    double valley_power_w;     /* mean power in the valley */
    double energy_j;
    int regime;                /* index into jc_segmentation.regimes */
    /* 1: the epoch runs into the start or the end of the trace, so the phase
     * at that edge is cut short: its power is NaN and the epoch is left out
     * of the duration, energy and level statistics (it still counts as an
     * epoch). A phase of no length has NaN power too. */
    int truncated;
} jc_epoch;

/* A stretch of training with one steady pattern (e.g. frozen-base epochs,
 * then fine-tuning at higher power). */
typedef struct {
    double start_s, end_s;
    double period_s;           /* epoch period in this regime */
    size_t first_epoch, nepochs;
    double peak_power_w, valley_power_w;
    int valley_is_spike;       /* boundaries show as short spikes/dips, not valleys */
} jc_regime;

typedef struct {
    double mean, std, min, max;
} jc_stat;

typedef struct {
    size_t nepochs;
    jc_epoch *epochs;
    size_t nregimes;
    jc_regime *regimes;
    double active_start_s, active_end_s;  /* the training span found */
    /* Summary over epochs: the four square-wave numbers and energy. */
    jc_stat peak_power_w, peak_s, valley_power_w, valley_s, epoch_s, epoch_energy_j;
    int used_markers, used_hint;
    int used_levels;  /* too few periods for the autocorrelation: found from the levels */
} jc_segmentation;

typedef struct {
    int epochs_hint;            /* >0: the run trained this many epochs */
    const jc_marker *markers;   /* epoch markers from run.json (may be NULL) */
    size_t nmarkers;
    double min_period_s;        /* 0: default */
    double max_period_s;        /* 0: default */
    /* The same signal before smoothing (same grid), or NULL. When given, the
     * peak and valley power of each epoch are the mean of these raw samples
     * inside the phase, edge_margin samples in from each end: smoothing
     * spreads every step over its window, and a phase mean taken over the
     * ramps would pull the levels towards each other. */
    const double *raw;
    int edge_margin;
} jc_segment_opts;

/* Find the epochs in a (resampled, optionally smoothed) signal. */
int jc_segment(const jc_signal *s, const jc_segment_opts *opts, jc_segmentation *out);
void jc_segmentation_free(jc_segmentation *seg);

/* ---- the whole analysis of one trace ---- */
typedef struct {
    int smooth;          /* moving-average window in samples; 0 (default): about
                            half a second (5 points at 10 Hz, none at 1 Hz) */
    double dt;           /* grid step in s; 0: the median sampling interval */
    int epochs_hint;     /* >0: passed to jc_segment */
    int use_markers;     /* use run.json markers when present (default 1) */
    double max_gap_s;    /* energy: do not bridge gaps longer than this (0: default 60 s) */
} jc_analyze_opts;

typedef struct {
    const jc_trace_gpu *gpu;  /* points into the analysed trace */
    jc_energy energy;         /* from the raw samples */
    jc_signal signal;         /* resampled and smoothed */
    jc_segmentation seg;
    int seg_status;           /* 0, or the jc_status jc_segment returned */
    char seg_error[256];      /* its message when seg_status != 0 */
} jc_gpu_analysis;

typedef struct {
    size_t ngpu;
    jc_gpu_analysis *gpus;
    double energy_j;          /* all GPUs */
    double duration_s;        /* longest GPU */
    double mean_power_w;      /* sum of the GPUs' mean power */
} jc_analysis;

void jc_analyze_opts_default(jc_analyze_opts *o);
/* Energy, resampling, smoothing and segmentation for every GPU of a trace.
 * A GPU whose segmentation fails still gets its energy (seg_status says why). */
int jc_trace_analyze(const jc_trace *tr, const jc_analyze_opts *o, jc_analysis *out);
/* Segmentation of an already clean signal (e.g. an average of replicates). */
int jc_signal_analyze(const jc_signal *s, const jc_analyze_opts *o, jc_gpu_analysis *out);
void jc_analysis_free(jc_analysis *a);
void jc_gpu_analysis_free(jc_gpu_analysis *g);

#ifdef __cplusplus
}
#endif
#endif
