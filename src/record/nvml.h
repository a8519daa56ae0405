/* record/nvml.h: the part of NVIDIA's NVML C API joulecast uses, loaded at
 * run time with dlopen so that joulecast builds and runs on machines without
 * the driver. Types and constants follow NVML's documented API (nvml.h);
 * only what is used is declared. JOULECAST_NVML_LIB overrides the library
 * path (the tests point it at a fake libnvidia-ml). */
#ifndef JC_RECORD_NVML_H
#define JC_RECORD_NVML_H

typedef struct nvmlDevice_st *nvmlDevice_t;
typedef int nvmlReturn_t;

enum {
    NVML_SUCCESS = 0,
    NVML_ERROR_UNINITIALIZED = 1,
    NVML_ERROR_INVALID_ARGUMENT = 2,
    NVML_ERROR_NOT_SUPPORTED = 3,
    NVML_ERROR_NO_PERMISSION = 4,
    NVML_ERROR_NOT_FOUND = 6,
    NVML_ERROR_INSUFFICIENT_SIZE = 7,
    NVML_ERROR_DRIVER_NOT_LOADED = 9,
    NVML_ERROR_TIMEOUT = 10,
    NVML_ERROR_LIBRARY_NOT_FOUND = 12,
    NVML_ERROR_FUNCTION_NOT_FOUND = 13,
    NVML_ERROR_GPU_IS_LOST = 15,
    NVML_ERROR_UNKNOWN = 999
};

enum { NVML_CLOCK_SM = 1, NVML_TEMPERATURE_GPU = 0 };
enum { NVML_FI_DEV_POWER_AVERAGE = 185, NVML_FI_DEV_POWER_INSTANT = 186 };
enum {
    NVML_VALUE_TYPE_DOUBLE = 0,
    NVML_VALUE_TYPE_UNSIGNED_INT = 1,
    NVML_VALUE_TYPE_UNSIGNED_LONG = 2,
    NVML_VALUE_TYPE_UNSIGNED_LONG_LONG = 3,
    NVML_VALUE_TYPE_SIGNED_LONG_LONG = 4,
    NVML_VALUE_TYPE_SIGNED_INT = 5
};

typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef union {
    double dVal;
    unsigned int uiVal;
    unsigned long ulVal;
    unsigned long long ullVal;
    signed long long sllVal;
    signed int siVal;
} nvmlValue_t;
typedef struct {
    unsigned int fieldId;
    unsigned int scopeId;
    long long timestamp;     /* microseconds */
    long long latencyUsec;
    int valueType;           /* NVML_VALUE_TYPE_* */
    nvmlReturn_t nvmlReturn; /* per-field status */
    nvmlValue_t value;
} nvmlFieldValue_t;

#define NVML_DEVICE_NAME_BUFFER_SIZE 96
#define NVML_DEVICE_UUID_BUFFER_SIZE 96

/* The loaded library: one function pointer per call used. */
typedef struct {
    void *handle;
    char path[512];
    nvmlReturn_t (*Init)(void);
    nvmlReturn_t (*Shutdown)(void);
    const char *(*ErrorString)(nvmlReturn_t);
    nvmlReturn_t (*SystemGetDriverVersion)(char *, unsigned int);
    nvmlReturn_t (*DeviceGetCount)(unsigned int *);
    nvmlReturn_t (*DeviceGetHandleByIndex)(unsigned int, nvmlDevice_t *);
    nvmlReturn_t (*DeviceGetName)(nvmlDevice_t, char *, unsigned int);
    nvmlReturn_t (*DeviceGetUUID)(nvmlDevice_t, char *, unsigned int);
    nvmlReturn_t (*DeviceGetPowerUsage)(nvmlDevice_t, unsigned int *);
    nvmlReturn_t (*DeviceGetTotalEnergyConsumption)(nvmlDevice_t, unsigned long long *);
    nvmlReturn_t (*DeviceGetFieldValues)(nvmlDevice_t, int, nvmlFieldValue_t *);
    nvmlReturn_t (*DeviceGetUtilizationRates)(nvmlDevice_t, nvmlUtilization_t *);
    nvmlReturn_t (*DeviceGetMemoryInfo)(nvmlDevice_t, nvmlMemory_t *);
    nvmlReturn_t (*DeviceGetClockInfo)(nvmlDevice_t, int, unsigned int *);
    nvmlReturn_t (*DeviceGetTemperature)(nvmlDevice_t, int, unsigned int *);
    nvmlReturn_t (*DeviceGetPowerManagementLimit)(nvmlDevice_t, unsigned int *);
    nvmlReturn_t (*DeviceGetPowerManagementDefaultLimit)(nvmlDevice_t, unsigned int *);
    nvmlReturn_t (*DeviceGetPowerManagementLimitConstraints)(nvmlDevice_t, unsigned int *, unsigned int *);
    nvmlReturn_t (*DeviceSetPowerManagementLimit)(nvmlDevice_t, unsigned int);
} jc_nvml;

/* dlopen the library (JOULECAST_NVML_LIB, else libnvidia-ml.so.1), resolve
 * the calls and nvmlInit. Errors are JC_ERR_UNSUPPORTED with a message that
 * says what is missing (no driver, no library, init failed and why). Calls a
 * library lacks are NULL, except the core ones, whose absence is an error. */
int jc_nvml_open(jc_nvml *n);
void jc_nvml_close(jc_nvml *n);
/* NVML's text for a code, or "NVML error N". */
const char *jc_nvml_strerror(const jc_nvml *n, nvmlReturn_t rc);
/* A field value as a double (any value type). */
double jc_nvml_field_double(const nvmlFieldValue_t *f);

#endif
