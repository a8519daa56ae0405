/* record/nvml.c: loading NVML at run time (dlopen/dlsym), so that the
 * joulecast binary has no link-time dependency on the NVIDIA driver and can
 * say clearly, on a machine without one, what is missing. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joulecast/util.h"
#include "record/nvml.h"

/* Resolve `name`, falling back to older unversioned symbols (nvmlInit_v2 ->
 * nvmlInit) as NVML's own header does through #defines. */
static void *sym(void *h, const char *name, const char *fallback)
{
    void *p = dlsym(h, name);
    if (!p && fallback)
        p = dlsym(h, fallback);
    return p;
}

#define LOAD(field, name, fallback) (*(void **)(&n->field) = sym(n->handle, name, fallback))

int jc_nvml_open(jc_nvml *n)
{
    memset(n, 0, sizeof *n);
    const char *path = getenv("JOULECAST_NVML_LIB");
    if (!path || !*path)
        path = "libnvidia-ml.so.1";
    snprintf(n->path, sizeof n->path, "%s", path);
    n->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!n->handle)
        return jc_fail(JC_ERR_UNSUPPORTED,
                       "cannot load NVML (%s): %s; is the NVIDIA driver installed? "
                       "(JOULECAST_NVML_LIB names another library)", path, dlerror());
    int core = 1;
    core &= LOAD(Init, "nvmlInit_v2", "nvmlInit") != NULL;
    core &= LOAD(Shutdown, "nvmlShutdown", NULL) != NULL;
    core &= LOAD(ErrorString, "nvmlErrorString", NULL) != NULL;
    core &= LOAD(DeviceGetCount, "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount") != NULL;
    core &= LOAD(DeviceGetHandleByIndex, "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex") != NULL;
    core &= LOAD(DeviceGetPowerUsage, "nvmlDeviceGetPowerUsage", NULL) != NULL;
    LOAD(SystemGetDriverVersion, "nvmlSystemGetDriverVersion", NULL);
    LOAD(DeviceGetName, "nvmlDeviceGetName", NULL);
    LOAD(DeviceGetUUID, "nvmlDeviceGetUUID", NULL);
    LOAD(DeviceGetTotalEnergyConsumption, "nvmlDeviceGetTotalEnergyConsumption", NULL);
    LOAD(DeviceGetFieldValues, "nvmlDeviceGetFieldValues", NULL);
    LOAD(DeviceGetUtilizationRates, "nvmlDeviceGetUtilizationRates", NULL);
    LOAD(DeviceGetMemoryInfo, "nvmlDeviceGetMemoryInfo", NULL);
    LOAD(DeviceGetClockInfo, "nvmlDeviceGetClockInfo", NULL);
    LOAD(DeviceGetTemperature, "nvmlDeviceGetTemperature", NULL);
    LOAD(DeviceGetPowerManagementLimit, "nvmlDeviceGetPowerManagementLimit", NULL);
    LOAD(DeviceGetPowerManagementDefaultLimit, "nvmlDeviceGetPowerManagementDefaultLimit", NULL);
    LOAD(DeviceGetPowerManagementLimitConstraints, "nvmlDeviceGetPowerManagementLimitConstraints", NULL);
    LOAD(DeviceSetPowerManagementLimit, "nvmlDeviceSetPowerManagementLimit", NULL);
    if (!core) {
        dlclose(n->handle);
        n->handle = NULL;
        return jc_fail(JC_ERR_UNSUPPORTED, "%s is not a usable NVML library (core functions missing)", path);
    }
    nvmlReturn_t rc = n->Init();
    if (rc != NVML_SUCCESS) {
        int status = jc_fail(JC_ERR_UNSUPPORTED, "NVML could not start: %s (%d)%s", jc_nvml_strerror(n, rc), rc,
                             rc == NVML_ERROR_DRIVER_NOT_LOADED ? "; the NVIDIA driver is not loaded" :
                             rc == NVML_ERROR_NO_PERMISSION ? "; no permission to the GPU devices" : "");
        dlclose(n->handle);
        n->handle = NULL;
        return status;
    }
    return JC_OK;
}

void jc_nvml_close(jc_nvml *n)
{
    if (!n->handle)
        return;
    n->Shutdown();
    dlclose(n->handle);
    n->handle = NULL;
}

const char *jc_nvml_strerror(const jc_nvml *n, nvmlReturn_t rc)
{
    const char *s = n->ErrorString ? n->ErrorString(rc) : NULL;
    if (s && *s)
        return s;
    static _Thread_local char buf[32];
    snprintf(buf, sizeof buf, "NVML error %d", rc);
    return buf;
}

double jc_nvml_field_double(const nvmlFieldValue_t *f)
{
    switch (f->valueType) {
    case NVML_VALUE_TYPE_DOUBLE: return f->value.dVal;
    case NVML_VALUE_TYPE_UNSIGNED_INT: return f->value.uiVal;
    case NVML_VALUE_TYPE_UNSIGNED_LONG: return (double)f->value.ulVal;
    case NVML_VALUE_TYPE_UNSIGNED_LONG_LONG: return (double)f->value.ullVal;
    case NVML_VALUE_TYPE_SIGNED_LONG_LONG: return (double)f->value.sllVal;
    case NVML_VALUE_TYPE_SIGNED_INT: return f->value.siVal;
    default: return f->value.uiVal;
    }
}
