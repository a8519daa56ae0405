/* record/sampler.c: the sampling loop. One tick = every GPU read once; rows
 * are time-stamped when each GPU's power is read. Failures are tallied per
 * GPU and query kind, never fatal: a lost GPU is left out from then on, the
 * other GPUs go on. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/util.h"
#include "record/sampler.h"

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
    return (double)(a->tv_sec - b->tv_sec) + (double)(a->tv_nsec - b->tv_nsec) * 1e-9;
}

double jc_sampler_now(const jc_sampler *s)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return ts_diff(&now, &s->t0);
}

const char *jc_sampler_header(void)
{
    return "time_s,gpu,power_w,energy_j,util_gpu_pct,util_mem_pct,mem_used_mib,sm_clock_mhz,temp_c,power_limit_w\n";
}

static void note_error(jc_sampler *s, jc_rec_gpu *g, jc_query q, nvmlReturn_t rc, double t)
{
    jc_query_errors *e = &g->errors[q];
    if (e->count++ == 0)
        e->first_t = t;
    e->last_rc = rc;
    if (rc == NVML_ERROR_GPU_IS_LOST && !g->lost) {
        g->lost = 1;
        g->lost_t = t;
    }
    (void)s;
}

/* Append formatted text to the row buffer (caller holds mu). */
static void emit(jc_sampler *s, const char *text, size_t n)
{
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 1 << 16;
        while (cap < s->len + n + 1)
            cap *= 2;
        char *nb = realloc(s->buf, cap);
        if (!nb)
            return;  /* out of memory: this row is lost, the recording goes on */
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, text, n);
    s->len += n;
    s->buf[s->len] = 0;
}

static void cell(char **p, char *end, int ok, const char *fmt, double v)
{
    if (ok && *p < end)
        *p += snprintf(*p, (size_t)(end - *p), fmt, v);
    if (*p < end)
        *(*p)++ = ',';
}

/* Read one GPU and append its row. Returns 1 if a row was written. */
static int sample_gpu(jc_sampler *s, size_t gi)
{
    jc_rec_gpu *g = &s->gpus[gi];
    jc_nvml *n = s->nvml;
    if (g->lost)
        return 0;
    nvmlReturn_t rc;
    double power = NAN;
    if (g->power_instant) {
        nvmlFieldValue_t fv;
        memset(&fv, 0, sizeof fv);
        fv.fieldId = NVML_FI_DEV_POWER_INSTANT;
        rc = n->DeviceGetFieldValues(g->h, 1, &fv);
        if (rc == NVML_SUCCESS)
            rc = fv.nvmlReturn;
        if (rc == NVML_SUCCESS)
            power = jc_nvml_field_double(&fv) / 1000.0;
    } else {
        unsigned mw;
        rc = n->DeviceGetPowerUsage(g->h, &mw);
        if (rc == NVML_SUCCESS)
            power = mw / 1000.0;
    }
    double t = jc_sampler_now(s);
    if (rc != NVML_SUCCESS) {
        pthread_mutex_lock(&s->mu);
        note_error(s, g, JC_Q_POWER, rc, t);
        pthread_mutex_unlock(&s->mu);
        return 0;  /* no power, no row */
    }

    double v[JC_Q_COUNT] = {0};
    int ok[JC_Q_COUNT] = {0};
    nvmlReturn_t qrc[JC_Q_COUNT] = {0};
    unsigned u32, u32b;
    unsigned long long e;
    nvmlUtilization_t util;
    nvmlMemory_t mem;
    if (g->supported[JC_Q_ENERGY] && (qrc[JC_Q_ENERGY] = n->DeviceGetTotalEnergyConsumption(g->h, &e)) == NVML_SUCCESS) {
        ok[JC_Q_ENERGY] = 1;
        v[JC_Q_ENERGY] = (double)(e - g->energy0_mj) / 1000.0;
        s->energy_mj_last[gi] = e;
    }
    if (g->supported[JC_Q_UTIL] && (qrc[JC_Q_UTIL] = n->DeviceGetUtilizationRates(g->h, &util)) == NVML_SUCCESS)
        ok[JC_Q_UTIL] = 1;
    if (g->supported[JC_Q_MEM] && (qrc[JC_Q_MEM] = n->DeviceGetMemoryInfo(g->h, &mem)) == NVML_SUCCESS) {
        ok[JC_Q_MEM] = 1;
        v[JC_Q_MEM] = (double)mem.used / (1024.0 * 1024.0);
    }
    if (g->supported[JC_Q_CLOCK] && (qrc[JC_Q_CLOCK] = n->DeviceGetClockInfo(g->h, NVML_CLOCK_SM, &u32)) == NVML_SUCCESS) {
        ok[JC_Q_CLOCK] = 1;
        v[JC_Q_CLOCK] = u32;
    }
    if (g->supported[JC_Q_TEMP] && (qrc[JC_Q_TEMP] = n->DeviceGetTemperature(g->h, NVML_TEMPERATURE_GPU, &u32b)) == NVML_SUCCESS) {
        ok[JC_Q_TEMP] = 1;
        v[JC_Q_TEMP] = u32b;
    }
    if (g->supported[JC_Q_LIMIT] && (qrc[JC_Q_LIMIT] = n->DeviceGetPowerManagementLimit(g->h, &u32)) == NVML_SUCCESS) {
        ok[JC_Q_LIMIT] = 1;
        v[JC_Q_LIMIT] = u32 / 1000.0;
    }

    /* trapezoid energy from the samples, for GPUs without a counter */
    if (s->has_last[gi])
        s->energy_j[gi] += 0.5 * (power + s->last_p[gi]) * (t - s->last_t[gi]);
    s->has_last[gi] = 1;
    s->last_t[gi] = t;
    s->last_p[gi] = power;

    char row[320], *p = row, *end = row + sizeof row - 2;
    p += snprintf(p, (size_t)(end - p), "%.4f,%u,%.3f,", t, g->index, power);
    cell(&p, end, ok[JC_Q_ENERGY], "%.3f", v[JC_Q_ENERGY]);
    cell(&p, end, ok[JC_Q_UTIL], "%.0f", ok[JC_Q_UTIL] ? (double)util.gpu : 0);
    cell(&p, end, ok[JC_Q_UTIL], "%.0f", ok[JC_Q_UTIL] ? (double)util.memory : 0);
    cell(&p, end, ok[JC_Q_MEM], "%.1f", v[JC_Q_MEM]);
    cell(&p, end, ok[JC_Q_CLOCK], "%.0f", v[JC_Q_CLOCK]);
    cell(&p, end, ok[JC_Q_TEMP], "%.0f", v[JC_Q_TEMP]);
    cell(&p, end, ok[JC_Q_LIMIT], "%.3f", v[JC_Q_LIMIT]);
    p[-1] = '\n';  /* the last cell's comma becomes the line end */

    pthread_mutex_lock(&s->mu);
    for (int q = 1; q < JC_Q_COUNT; q++)
        if (g->supported[q] && !ok[q])
            note_error(s, g, (jc_query)q, qrc[q], t);
    emit(s, row, (size_t)(p - row));
    s->rows++;
    pthread_mutex_unlock(&s->mu);
    return 1;
}

static void add_deadline(struct timespec *d, const struct timespec *t0, double interval, size_t k)
{
    double off = interval * (double)k;  /* from t0, not accumulated: no drift */
    time_t sec = (time_t)off;
    long ns = (long)((off - (double)sec) * 1e9 + 0.5);
    d->tv_sec = t0->tv_sec + sec;
    d->tv_nsec = t0->tv_nsec + ns;
    while (d->tv_nsec >= 1000000000L) {
        d->tv_nsec -= 1000000000L;
        d->tv_sec++;
    }
}

static void *sampler_main(void *arg)
{
    jc_sampler *s = arg;
    /* signals are the main thread's business: keep their handlers off this
     * thread's deadlines */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    size_t k = 0;
    while (!atomic_load(&s->stop)) {
        struct timespec deadline, now;
        add_deadline(&deadline, &s->t0, s->interval_s, k);
        int err;
        do
            err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
        while (err == EINTR);
        if (atomic_load(&s->stop))
            break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (s->nlate == s->caplate) {
            size_t cap = s->caplate ? s->caplate * 2 : 4096;
            float *nl = realloc(s->late_ms, cap * sizeof *nl);
            if (nl) {
                s->late_ms = nl;
                s->caplate = cap;
            }
        }
        if (s->nlate < s->caplate)
            s->late_ms[s->nlate++] = (float)(ts_diff(&now, &deadline) * 1e3);
        for (size_t i = 0; i < s->ngpu; i++)
            sample_gpu(s, i);
        s->ticks++;
        /* Past the next deadline already (slow NVML, overloaded machine)? Skip
         * the ticks that cannot be made and count them, keeping the grid. */
        k++;
        double t = jc_sampler_now(s);
        while (s->interval_s * (double)k < t) {
            k++;
            s->missed++;
        }
    }
    struct timespec cpu;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    s->cpu_s = (double)cpu.tv_sec + (double)cpu.tv_nsec * 1e-9;
    return NULL;
}

int jc_sampler_start(jc_sampler *s)
{
    size_t n = s->ngpu ? s->ngpu : 1;
    pthread_mutex_init(&s->mu, NULL);
    s->mu_ready = 1;
    s->last_t = calloc(n, sizeof *s->last_t);
    s->last_p = calloc(n, sizeof *s->last_p);
    s->energy_j = calloc(n, sizeof *s->energy_j);
    s->energy_mj_last = calloc(n, sizeof *s->energy_mj_last);
    s->has_last = calloc(n, sizeof *s->has_last);
    if (!s->last_t || !s->last_p || !s->energy_j || !s->energy_mj_last || !s->has_last)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    atomic_store(&s->stop, 0);
    for (size_t i = 0; i < s->ngpu; i++)
        s->energy_mj_last[i] = s->gpus[i].energy0_mj;
    int err = pthread_create(&s->thread, NULL, sampler_main, s);
    if (err)
        return jc_fail(JC_ERR_INTERNAL, "cannot start the sampling thread: %s", strerror(err));
    s->running = 1;
    return JC_OK;
}

void jc_sampler_stop(jc_sampler *s)
{
    if (!s->running)
        return;
    atomic_store(&s->stop, 1);
    pthread_join(s->thread, NULL);
    s->running = 0;
}

size_t jc_sampler_take(jc_sampler *s, char **out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->buf;
    size_t n = s->len;
    s->buf = NULL;
    s->len = s->cap = 0;
    pthread_mutex_unlock(&s->mu);
    return n;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

double jc_sampler_lateness(const jc_sampler *s, double p)
{
    if (s->nlate == 0)
        return NAN;
    float *tmp = malloc(s->nlate * sizeof *tmp);
    if (!tmp)
        return NAN;
    memcpy(tmp, s->late_ms, s->nlate * sizeof *tmp);
    qsort(tmp, s->nlate, sizeof *tmp, cmp_float);
    size_t i = (size_t)ceil(p / 100.0 * (double)s->nlate);
    i = i ? i - 1 : 0;
    if (i >= s->nlate)
        i = s->nlate - 1;
    double v = tmp[i];
    free(tmp);
    return v;
}

void jc_sampler_free(jc_sampler *s)
{
    jc_sampler_stop(s);
    free(s->buf);
    free(s->late_ms);
    free(s->last_t);
    free(s->last_p);
    free(s->energy_j);
    free(s->energy_mj_last);
    free(s->has_last);
    if (s->mu_ready)
        pthread_mutex_destroy(&s->mu);
    memset(s, 0, sizeof *s);
}
