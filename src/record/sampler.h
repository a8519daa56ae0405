/* record/sampler.h: the sampling thread. It wakes on absolute deadlines
 * (clock_nanosleep TIMER_ABSTIME, so delays never accumulate), reads every
 * GPU, and appends CSV rows to an in-memory buffer; the recording's main
 * thread drains the buffer to the file, so file I/O never delays a sample. */
#ifndef JC_RECORD_SAMPLER_H
#define JC_RECORD_SAMPLER_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "record/device.h"

typedef struct {
    jc_nvml *nvml;
    jc_rec_gpu *gpus;
    size_t ngpu;
    double interval_s;
    struct timespec t0;        /* CLOCK_MONOTONIC at trace time 0 */

    pthread_t thread;
    int running;
    atomic_int stop;

    pthread_mutex_t mu;        /* guards buf and the error tallies in gpus */
    int mu_ready;
    char *buf;
    size_t len, cap;

    /* per-GPU energy from the samples (trapezoid), for GPUs without counter */
    double *last_t, *last_p, *energy_j;
    unsigned long long *energy_mj_last;  /* last counter reading */
    int *has_last;

    /* statistics, read after stop */
    size_t ticks, missed, rows;
    float *late_ms;            /* lateness of each wake-up */
    size_t nlate, caplate;
    double cpu_s;
} jc_sampler;

/* Trace time now, seconds since t0. */
double jc_sampler_now(const jc_sampler *s);
/* The trace.csv header line (with "\n"). */
const char *jc_sampler_header(void);
int jc_sampler_start(jc_sampler *s);
/* Stop and join; the last tick's rows stay in the buffer. */
void jc_sampler_stop(jc_sampler *s);
/* Move the pending rows out: *out (malloc'ed, may be NULL when empty). */
size_t jc_sampler_take(jc_sampler *s, char **out);
void jc_sampler_free(jc_sampler *s);
/* p-th percentile (0..100) of the wake-up lateness, ms. */
double jc_sampler_lateness(const jc_sampler *s, double p);

#endif
