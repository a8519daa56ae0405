/* record: sample GPUs through NVML while a command runs, into joulecast's
 * trace format (docs/formats.md), and sweep GPU power limits over repeated
 * runs (the second seed's Table 5.1). NVML is loaded at run time, so this
 * module builds and links everywhere; on a machine without the NVIDIA driver
 * the calls fail with JC_ERR_UNSUPPORTED and a message saying so. */
#ifndef JOULECAST_RECORD_H
#define JOULECAST_RECORD_H

#include <stddef.h>
#include "joulecast/util.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *out_dir;      /* created if missing */
    double interval_s;        /* sampling interval (0.1) */
    const char *gpus;         /* "0,2" or UUIDs; NULL: CUDA_VISIBLE_DEVICES, else all */
    size_t nmeta;
    char *const *meta;        /* "KEY=VALUE" pairs for run.json */
    const char *mark_regex;   /* POSIX extended regex over the command's output lines; NULL: none */
    char *const *argv;        /* the command, NULL-terminated */
    int force;                /* replace a trace already in out_dir */
    int quiet;                /* no summary lines on stderr */
} jc_record_opts;

void jc_record_opts_init(jc_record_opts *o);

typedef struct {
    int exit_status;          /* shell style: the command's code, or 128 + signal */
    int exit_signal;          /* the signal that ended the command, 0 if none */
    int signal_received;      /* SIGINT/SIGTERM/SIGHUP/SIGQUIT joulecast got (forwarded), 0 if none */
    int spawn_failed;         /* 1: the command could not be started (exit_status 126/127) */
    double duration_s;        /* start of recording to the command's exit */
    size_t ngpu;
    double energy_j;          /* all GPUs: energy counters where every GPU has one, else integrated power */
    int energy_from_counter;
    double mean_power_w;      /* energy / duration, all GPUs together */
    size_t samples;           /* rows written (all GPUs) */
    size_t ticks, missed_deadlines, nmarkers;
    double jitter_p50_ms, jitter_p99_ms;
    double sampler_cpu_s;     /* CPU time of the sampling thread */
    size_t nvml_errors;       /* failed NVML calls, all kinds */
    char *problems;           /* one line per NVML problem (kind, GPU, count); NULL if none */
} jc_record_result;

void jc_record_result_free(jc_record_result *r);

/* Run argv while sampling; writes OUT/trace.csv (flushed at least once a
 * second) and OUT/run.json (written at the start, rewritten as markers
 * arrive and at the end). SIGINT/SIGTERM/SIGHUP/SIGQUIT are forwarded to
 * the command. Returns JC_OK when the command ran (whatever its exit status,
 * which is in res), or an error before or while starting it. */
int jc_record_run(const jc_record_opts *o, jc_record_result *res);

/* ---- power-limit sweep ---- */

typedef struct jc_powercap_level {
    double limit_w;
    double time_s, energy_j, avg_power_w;
    int exit_status;
    int energy_from_counter;
} jc_powercap_level;

typedef struct {
    jc_record_opts rec;       /* out_dir is the sweep's folder; one subfolder per level */
    const double *limits_w;
    size_t nlimits;
    int keep_going;           /* 1: go on after a run that fails */
    /* Called before each level (done == NULL) and after it; may be NULL. */
    void (*progress)(void *ctx, size_t k, size_t n, double limit_w, const struct jc_powercap_level *done);
    void *progress_ctx;
} jc_powercap_opts;


/* For each limit: set it on every selected GPU, run and record the command,
 * measure. The original limits are restored after the sweep, on error and on
 * a signal; before changing anything they are saved in OUT/restore.json so
 * that `jc_powercap_restore` can put them back after a crash. The levels
 * table is OUT/levels.csv (power_limit_w,time_s,energy_j,avg_power_w,...),
 * rewritten after every level. *levels is malloc'ed. *exit_status is 0, the
 * first failing run's status, or 128 + signal when interrupted. */
int jc_powercap_run(const jc_powercap_opts *o, jc_powercap_level **levels, size_t *nlevels,
                    int *exit_status);
/* Put back the limits saved in DIR/restore.json. */
int jc_powercap_restore(const char *dir);

#ifdef __cplusplus
}
#endif
#endif
