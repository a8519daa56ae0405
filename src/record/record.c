/* record/record.c: `jc_record_run`, a whole recording: NVML up, GPUs chosen,
 * one session, NVML down. */
#include <stdlib.h>
#include <string.h>

#include "record/session.h"

void jc_record_opts_init(jc_record_opts *o)
{
    memset(o, 0, sizeof *o);
    o->interval_s = 0.1;
}

void jc_record_result_free(jc_record_result *r)
{
    free(r->problems);
    r->problems = NULL;
}

int jc_record_run(const jc_record_opts *o, jc_record_result *res)
{
    memset(res, 0, sizeof *res);
    jc_nvml n;
    int rc = jc_nvml_open(&n);
    if (rc != JC_OK)
        return rc;
    jc_rec_gpu *gpus;
    size_t ngpu;
    rc = jc_rec_gpus_open(&n, o->gpus, &gpus, &ngpu);
    if (rc == JC_OK) {
        rc = jc_record_session(&n, gpus, ngpu, o, NULL, res);
        free(gpus);
    }
    jc_nvml_close(&n);
    return rc;
}
