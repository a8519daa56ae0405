/* record/runjson.h: run.json, the description beside every trace.csv
 * (docs/formats.md): what ran, where, on which GPUs, markers, how it ended,
 * and how well the sampler kept time. Written atomically at the start, as
 * markers arrive, and at the end. */
#ifndef JC_RECORD_RUNJSON_H
#define JC_RECORD_RUNJSON_H

#include "joulecast/record.h"
#include "record/device.h"

typedef struct {
    double t;
    char *label;
    const char *source;     /* "output" (--mark-regex) or "JOULECAST_MARK" */
} jc_rec_marker;

typedef struct {
    const jc_record_opts *opts;
    const char *extra_meta;
    double start_unix;
    double interval_s;
    const char *driver_version;
    const jc_rec_gpu *gpus;
    size_t ngpu;
    const jc_rec_marker *markers;
    size_t nmarkers;
    int complete;                 /* 0 while running: exit status etc. absent */
    const jc_record_result *res;  /* final figures (complete only) */
    const double *gpu_energy_j;   /* per GPU (complete only) */
} jc_run_info;

int jc_run_json_write(const char *path, const jc_run_info *ri);

#endif
