/* record/device.c: choosing the GPUs to sample and probing what each one
 * supports, so that the sampler asks only for what answers. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "joulecast/util.h"
#include "record/device.h"

const char *const jc_query_names[JC_Q_COUNT] = {
    "power", "energy counter", "utilisation", "memory", "SM clock", "temperature", "power limit",
};

static int add_index(jc_nvml *n, unsigned count, unsigned idx, jc_rec_gpu *gpus, size_t *ngpu)
{
    if (idx >= count)
        return jc_fail(JC_ERR_INVALID, "GPU %u does not exist (NVML sees %u GPU%s: 0..%u)", idx, count,
                       count == 1 ? "" : "s", count ? count - 1 : 0);
    for (size_t i = 0; i < *ngpu; i++)
        if (gpus[i].index == idx)
            return JC_OK;  /* listed twice: sample once */
    jc_rec_gpu *g = &gpus[(*ngpu)++];
    memset(g, 0, sizeof *g);
    g->index = idx;
    nvmlReturn_t rc = n->DeviceGetHandleByIndex(idx, &g->h);
    if (rc != NVML_SUCCESS)
        return jc_fail(JC_ERR_IO, "GPU %u: cannot open it: %s", idx, jc_nvml_strerror(n, rc));
    if (!n->DeviceGetUUID || n->DeviceGetUUID(g->h, g->uuid, sizeof g->uuid) != NVML_SUCCESS)
        g->uuid[0] = 0;
    if (!n->DeviceGetName || n->DeviceGetName(g->h, g->name, sizeof g->name) != NVML_SUCCESS)
        snprintf(g->name, sizeof g->name, "GPU %u", idx);
    return JC_OK;
}

/* A UUID (or a unique prefix of one, as CUDA accepts) to its index. */
static int find_uuid(jc_nvml *n, unsigned count, const char *want, unsigned *idx)
{
    size_t len = strlen(want);
    int found = 0;
    for (unsigned i = 0; i < count; i++) {
        nvmlDevice_t h;
        char uuid[NVML_DEVICE_UUID_BUFFER_SIZE];
        if (n->DeviceGetHandleByIndex(i, &h) != NVML_SUCCESS || !n->DeviceGetUUID ||
            n->DeviceGetUUID(h, uuid, sizeof uuid) != NVML_SUCCESS)
            continue;
        if (strncasecmp(uuid, want, len) == 0) {
            if (found)
                return jc_fail(JC_ERR_INVALID, "'%s' matches more than one GPU's UUID", want);
            *idx = i;
            found = 1;
        }
    }
    return found ? JC_OK : jc_fail(JC_ERR_INVALID, "no GPU has a UUID starting with '%s'", want);
}

static int parse_list(jc_nvml *n, unsigned count, const char *list, const char *what,
                      jc_rec_gpu *gpus, size_t *ngpu)
{
    char *copy = jc_strdup(list), *save = NULL;
    if (!copy)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    int rc = JC_OK;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == JC_OK; tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        char *end = tok + strlen(tok);
        while (end > tok && isspace((unsigned char)end[-1]))
            *--end = 0;
        if (!*tok)
            continue;
        unsigned idx = 0;
        if (isdigit((unsigned char)tok[0])) {
            char *e;
            unsigned long v = strtoul(tok, &e, 10);
            if (*e || v > 4096) {
                rc = jc_fail(JC_ERR_INVALID, "%s: '%s' is not a GPU index or UUID", what, tok);
                break;
            }
            idx = (unsigned)v;
        } else if (strncasecmp(tok, "MIG-", 4) == 0) {
            rc = jc_fail(JC_ERR_UNSUPPORTED, "%s: '%s' is a MIG instance; joulecast samples whole GPUs "
                         "(NVML reports power per GPU, not per instance): name the GPU instead", what, tok);
            break;
        } else if ((rc = find_uuid(n, count, tok, &idx)) != JC_OK) {
            break;
        }
        rc = add_index(n, count, idx, gpus, ngpu);
    }
    free(copy);
    if (rc == JC_OK && *ngpu == 0)
        rc = jc_fail(JC_ERR_INVALID, "%s selects no GPU", what);
    return rc;
}

int jc_rec_gpus_open(jc_nvml *n, const char *list, jc_rec_gpu **out, size_t *ngpu)
{
    *out = NULL;
    *ngpu = 0;
    unsigned count = 0;
    nvmlReturn_t nrc = n->DeviceGetCount(&count);
    if (nrc != NVML_SUCCESS)
        return jc_fail(JC_ERR_IO, "NVML cannot count the GPUs: %s", jc_nvml_strerror(n, nrc));
    if (count == 0)
        return jc_fail(JC_ERR_UNSUPPORTED, "NVML sees no GPU on this machine");
    jc_rec_gpu *gpus = calloc(count, sizeof *gpus);
    if (!gpus)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    int rc = JC_OK;
    const char *cvd = getenv("CUDA_VISIBLE_DEVICES");
    if (list) {
        rc = parse_list(n, count, list, "--gpus", gpus, ngpu);
    } else if (cvd) {
        /* CUDA's own spellings of "no GPU" */
        if (!*cvd || strcmp(cvd, "-1") == 0 || strcasecmp(cvd, "NoDevFiles") == 0)
            rc = jc_fail(JC_ERR_INVALID, "CUDA_VISIBLE_DEVICES='%s' hides every GPU; unset it or pass --gpus", cvd);
        else
            rc = parse_list(n, count, cvd, "CUDA_VISIBLE_DEVICES", gpus, ngpu);
    } else {
        for (unsigned i = 0; i < count && rc == JC_OK; i++)
            rc = add_index(n, count, i, gpus, ngpu);
    }
    if (rc != JC_OK) {
        free(gpus);
        *ngpu = 0;
        return rc;
    }
    *out = gpus;
    return JC_OK;
}

/* A call that answers NOT_SUPPORTED at the probe is never asked again; any
 * other failure is counted as an error but the query stays on (it may be
 * transient). */
static int probe_ok(nvmlReturn_t rc)
{
    return rc != NVML_ERROR_NOT_SUPPORTED && rc != NVML_ERROR_FUNCTION_NOT_FOUND;
}

void jc_rec_gpus_probe(jc_nvml *n, jc_rec_gpu *gpus, size_t ngpu)
{
    for (size_t i = 0; i < ngpu; i++) {
        jc_rec_gpu *g = &gpus[i];
        unsigned v, lo, hi;
        unsigned long long e;
        nvmlUtilization_t u;
        nvmlMemory_t m;
        g->limit_w = g->default_limit_w = g->min_limit_w = g->max_limit_w = NAN;

        nvmlFieldValue_t fv;
        memset(&fv, 0, sizeof fv);
        fv.fieldId = NVML_FI_DEV_POWER_INSTANT;
        g->power_instant = n->DeviceGetFieldValues && n->DeviceGetFieldValues(g->h, 1, &fv) == NVML_SUCCESS &&
                           fv.nvmlReturn == NVML_SUCCESS;
        g->supported[JC_Q_POWER] = 1;
        g->supported[JC_Q_ENERGY] = n->DeviceGetTotalEnergyConsumption &&
                                    probe_ok(n->DeviceGetTotalEnergyConsumption(g->h, &e));
        g->supported[JC_Q_UTIL] = n->DeviceGetUtilizationRates && probe_ok(n->DeviceGetUtilizationRates(g->h, &u));
        g->supported[JC_Q_MEM] = n->DeviceGetMemoryInfo && probe_ok(n->DeviceGetMemoryInfo(g->h, &m));
        g->supported[JC_Q_CLOCK] = n->DeviceGetClockInfo && probe_ok(n->DeviceGetClockInfo(g->h, NVML_CLOCK_SM, &v));
        g->supported[JC_Q_TEMP] = n->DeviceGetTemperature &&
                                  probe_ok(n->DeviceGetTemperature(g->h, NVML_TEMPERATURE_GPU, &v));
        g->supported[JC_Q_LIMIT] = n->DeviceGetPowerManagementLimit &&
                                   probe_ok(n->DeviceGetPowerManagementLimit(g->h, &v));
        if (g->supported[JC_Q_LIMIT] && n->DeviceGetPowerManagementLimit(g->h, &v) == NVML_SUCCESS)
            g->limit_w = v / 1000.0;
        if (n->DeviceGetPowerManagementDefaultLimit && n->DeviceGetPowerManagementDefaultLimit(g->h, &v) == NVML_SUCCESS)
            g->default_limit_w = v / 1000.0;
        if (n->DeviceGetPowerManagementLimitConstraints &&
            n->DeviceGetPowerManagementLimitConstraints(g->h, &lo, &hi) == NVML_SUCCESS) {
            g->min_limit_w = lo / 1000.0;
            g->max_limit_w = hi / 1000.0;
        }
    }
}
