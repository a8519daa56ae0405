/* record/device.h: the GPUs a recording samples: which ones (a list, or
 * CUDA_VISIBLE_DEVICES, or all), what each supports (probed once), and the
 * tally of NVML failures per GPU and query kind, reported at the end. */
#ifndef JC_RECORD_DEVICE_H
#define JC_RECORD_DEVICE_H

#include <stddef.h>
#include "record/nvml.h"

/* The queries made per sample; the order is the trace's column order after
 * power_w. */
typedef enum {
    JC_Q_POWER = 0, JC_Q_ENERGY, JC_Q_UTIL, JC_Q_MEM, JC_Q_CLOCK, JC_Q_TEMP, JC_Q_LIMIT, JC_Q_COUNT
} jc_query;

typedef struct {
    size_t count;           /* failed calls */
    nvmlReturn_t last_rc;
    double first_t;         /* trace time of the first failure */
} jc_query_errors;

typedef struct {
    unsigned index;
    nvmlDevice_t h;
    char name[NVML_DEVICE_NAME_BUFFER_SIZE];
    char uuid[NVML_DEVICE_UUID_BUFFER_SIZE];
    double limit_w, default_limit_w, min_limit_w, max_limit_w;  /* NaN if unknown */
    int power_instant;            /* 1: NVML_FI_DEV_POWER_INSTANT works, else nvmlDeviceGetPowerUsage */
    int supported[JC_Q_COUNT];    /* probed before sampling; 0: column left empty */
    unsigned long long energy0_mj;
    int lost;                     /* NVML said GPU_IS_LOST: no more queries */
    double lost_t;
    jc_query_errors errors[JC_Q_COUNT];
} jc_rec_gpu;

extern const char *const jc_query_names[JC_Q_COUNT];

/* Open the GPUs to sample. list: "0,2", "GPU-8f1c...,GPU-77aa" (UUID
 * prefixes), or NULL: CUDA_VISIBLE_DEVICES when set, else every GPU. */
int jc_rec_gpus_open(jc_nvml *n, const char *list, jc_rec_gpu **gpus, size_t *ngpu);
/* Probe what each GPU supports and read its static facts. */
void jc_rec_gpus_probe(jc_nvml *n, jc_rec_gpu *gpus, size_t ngpu);

#endif
