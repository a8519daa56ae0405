/* fake_nvml: a stand-in for libnvidia-ml.so.1 that simulates GPUs, so that
 * joulecast's GPU recorder and `joulecast powercap` can be tested on machines
 * without a GPU. It is built as tests/fake_nvml/libnvidia-ml.so.1 and loaded
 * with dlopen through JOULECAST_NVML_LIB (tests get its path in JC_FAKE_NVML).
 *
 * It exports the handful of NVML entry points joulecast uses, with NVML's C
 * signatures, numeric return codes and reference-counted init. Every GPU
 * draws the same square wave of power; the energy counter is its exact
 * integral, so tests can check a recorder's figures against closed forms.
 *
 * Configuration, read from the environment at each first nvmlInit (a re-init
 * after a full shutdown re-reads it and restarts the clock). Time t is the
 * seconds since that init (CLOCK_MONOTONIC). A malformed value makes nvmlInit
 * fail with NVML_ERROR_UNKNOWN and a "fake_nvml: ..." line on stderr.
 *
 *   FAKE_NVML_GPUS=N            number of GPUs, 0..64 (default 1)
 *   FAKE_NVML_NAME=TEXT         device name (default "Fake GPU 80GB")
 *   FAKE_NVML_MEM_MIB=N         total memory in MiB (default 81920)
 *   FAKE_NVML_PROFILE=VW,VS,PW,PS[,LEAD]
 *                               square wave: VW watts for VS seconds, then PW
 *                               watts for PS seconds, repeated; LEAD seconds
 *                               at VW before the first period (default
 *                               "60,2,250,8", LEAD 0)
 *   FAKE_NVML_NOISE_W=A         uniform noise in [-A, A] W on the instant
 *                               field (186) only; a hash of the GPU index and
 *                               the microsecond, so no shared RNG (default 0)
 *   FAKE_NVML_LIMIT_W=W         initial and default power limit (default 300)
 *   FAKE_NVML_LIMIT_MIN_W=W     lowest settable limit (default 100)
 *   FAKE_NVML_LIMIT_MAX_W=W     highest settable limit (default 350)
 *                               Every reading is min(profile, current limit).
 *   FAKE_NVML_STATE=FILE        limits that persist across processes: one
 *                               limit in mW per line, one line per GPU; read at
 *                               init (created with the initial limits if
 *                               absent), rewritten (FILE.tmp.PID, then rename)
 *                               after every successful set
 *   FAKE_NVML_INIT_ERROR=CODE   nvmlInit returns CODE (e.g. 9)
 *   FAKE_NVML_LOST=G:T[,G:T...] from t >= T on, every call on GPU G returns
 *                               NVML_ERROR_GPU_IS_LOST (field entries too)
 *   FAKE_NVML_UNSUPPORTED=LIST  comma list of instant, average (field 186 /
 *                               185 entries say NOT_SUPPORTED), power
 *                               (GetPowerUsage), energy, util, mem, clock,
 *                               temp, limit (every limit getter and the
 *                               setter): those return NVML_ERROR_NOT_SUPPORTED
 *   FAKE_NVML_SLOW_MS=N         every call on a device handle sleeps N ms
 *                               first (outside the lock)
 *   FAKE_NVML_SET_ERROR=CODE    every SetPowerManagementLimit returns CODE and
 *                               changes nothing (e.g. 4, NO_PERMISSION)
 *   FAKE_NVML_SET_FAIL_W=W      setting exactly W watts returns
 *                               NVML_ERROR_UNKNOWN and changes nothing
 *   FAKE_NVML_CALL_LOG=FILE     one line "set GPU MW RC" appended (O_APPEND)
 *                               per SetPowerManagementLimit call
 *
 * Readings: the energy counter (mJ) is 1e9 + the integral of the clipped,
 * noise-free profile since init, kept piecewise across limit changes;
 * GetPowerUsage and field 185 are its 1 s trailing average
 * (E(t) - E(max(0, t-1))) / min(1, t); field 186 is the instantaneous clipped
 * value plus noise. Utilisation, memory, clocks and temperature take one of
 * two fixed sets of values, peak or valley. All shared state sits behind one
 * mutex, as the recorder samples from its own thread. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the slice of nvml.h we implement (values as NVIDIA documents) ---- */

typedef enum {
    NVML_SUCCESS = 0,
    NVML_ERROR_UNINITIALIZED = 1,
    NVML_ERROR_INVALID_ARGUMENT = 2,
    NVML_ERROR_NOT_SUPPORTED = 3,
    NVML_ERROR_NO_PERMISSION = 4,
    NVML_ERROR_ALREADY_INITIALIZED = 5,
    NVML_ERROR_NOT_FOUND = 6,
    NVML_ERROR_INSUFFICIENT_SIZE = 7,
    NVML_ERROR_INSUFFICIENT_POWER = 8,
    NVML_ERROR_DRIVER_NOT_LOADED = 9,
    NVML_ERROR_TIMEOUT = 10,
    NVML_ERROR_IRQ_ISSUE = 11,
    NVML_ERROR_LIBRARY_NOT_FOUND = 12,
    NVML_ERROR_FUNCTION_NOT_FOUND = 13,
    NVML_ERROR_CORRUPTED_INFOROM = 14,
    NVML_ERROR_GPU_IS_LOST = 15,
    NVML_ERROR_RESET_REQUIRED = 16,
    NVML_ERROR_OPERATING_SYSTEM = 17,
    NVML_ERROR_LIB_RM_VERSION_MISMATCH = 18,
    NVML_ERROR_IN_USE = 19,
    NVML_ERROR_MEMORY = 20,
    NVML_ERROR_NO_DATA = 21,
    NVML_ERROR_UNKNOWN = 999
} nvmlReturn_t;

/* An opaque handle to NVML's users; here it points at our per-GPU record. */
typedef struct nvmlDevice_st *nvmlDevice_t;

typedef struct {
    unsigned int gpu;
    unsigned int memory;
} nvmlUtilization_t;

typedef struct {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
} nvmlMemory_t;

typedef enum {
    NVML_CLOCK_GRAPHICS = 0,
    NVML_CLOCK_SM = 1,
    NVML_CLOCK_MEM = 2,
    NVML_CLOCK_VIDEO = 3,
    NVML_CLOCK_COUNT
} nvmlClockType_t;

typedef enum { NVML_TEMPERATURE_GPU = 0, NVML_TEMPERATURE_COUNT } nvmlTemperatureSensors_t;

typedef enum {
    NVML_VALUE_TYPE_DOUBLE = 0,
    NVML_VALUE_TYPE_UNSIGNED_INT = 1,
    NVML_VALUE_TYPE_UNSIGNED_LONG = 2,
    NVML_VALUE_TYPE_UNSIGNED_LONG_LONG = 3,
    NVML_VALUE_TYPE_SIGNED_LONG_LONG = 4,
    NVML_VALUE_TYPE_SIGNED_INT = 5
} nvmlValueType_t;

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
    long long timestamp;   /* microseconds since 1970 */
    long long latencyUsec;
    int valueType;         /* nvmlValueType_t */
    int nvmlReturn;        /* nvmlReturn_t of this entry */
    nvmlValue_t value;
} nvmlFieldValue_t;

#define NVML_FI_DEV_POWER_AVERAGE 185
#define NVML_FI_DEV_POWER_INSTANT 186

/* The exported API (prototypes keep -Wmissing-prototypes quiet and make the
 * compiler check our definitions against NVML's signatures). */
nvmlReturn_t nvmlInit_v2(void);
nvmlReturn_t nvmlInit(void);
nvmlReturn_t nvmlShutdown(void);
const char *nvmlErrorString(nvmlReturn_t result);
nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length);
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount);
nvmlReturn_t nvmlDeviceGetCount(unsigned int *deviceCount);
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device);
nvmlReturn_t nvmlDeviceGetHandleByIndex(unsigned int index, nvmlDevice_t *device);
nvmlReturn_t nvmlDeviceGetIndex(nvmlDevice_t device, unsigned int *index);
nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length);
nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length);
nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power);
nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *energy);
nvmlReturn_t nvmlDeviceGetFieldValues(nvmlDevice_t device, int valuesCount, nvmlFieldValue_t *values);
nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization);
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory);
nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, nvmlClockType_t type, unsigned int *clock);
nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, nvmlTemperatureSensors_t sensorType,
                                      unsigned int *temp);
nvmlReturn_t nvmlDeviceGetPowerManagementLimit(nvmlDevice_t device, unsigned int *limit);
nvmlReturn_t nvmlDeviceGetPowerManagementDefaultLimit(nvmlDevice_t device, unsigned int *defaultLimit);
nvmlReturn_t nvmlDeviceGetPowerManagementLimitConstraints(nvmlDevice_t device, unsigned int *minLimit,
                                                          unsigned int *maxLimit);
nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, unsigned int *limit);
nvmlReturn_t nvmlDeviceSetPowerManagementLimit(nvmlDevice_t device, unsigned int limit);

/* ---- configuration and state ---- */

#define FAKE_MAX_GPUS 64
#define FAKE_PATH_MAX 4096
#define FAKE_ENERGY_OFFSET_MJ 1e9

/* Features FAKE_NVML_UNSUPPORTED can switch off, one bit each. */
enum {
    FEAT_NONE = 0,
    FEAT_INSTANT = 1 << 0,
    FEAT_AVERAGE = 1 << 1,
    FEAT_POWER = 1 << 2,
    FEAT_ENERGY = 1 << 3,
    FEAT_UTIL = 1 << 4,
    FEAT_MEM = 1 << 5,
    FEAT_CLOCK = 1 << 6,
    FEAT_TEMP = 1 << 7,
    FEAT_LIMIT = 1 << 8
};

struct config {
    unsigned gpus;
    char name[96];
    unsigned long long mem_bytes;
    double valley_w, valley_s, peak_w, peak_s, lead_s;
    double noise_w;
    unsigned limit_mw, limit_min_mw, limit_max_mw;
    double lost_at[FAKE_MAX_GPUS]; /* INFINITY: never lost */
    unsigned unsupported;          /* FEAT_* bits */
    unsigned slow_ms;
    int set_error;                 /* 0: none */
    long long set_fail_mw;         /* -1: none */
    char state_path[FAKE_PATH_MAX]; /* "" : none */
    char call_log[FAKE_PATH_MAX];   /* "" : none */
};

/* The power limit is constant between two sets, so the energy counter is a
 * chain of closed-form pieces: each starts at a set (or init) and carries the
 * energy accumulated before it. */
struct segment {
    double start_s;
    unsigned limit_mw;
    double energy_mj; /* integral from 0 to start_s, without the offset */
};

struct nvmlDevice_st {
    unsigned index;
    unsigned limit_mw;
    struct segment *seg;
    size_t nseg, capseg;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned g_refcount;
static double g_origin_s; /* CLOCK_MONOTONIC at the first init */
static struct config g_cfg;
static struct nvmlDevice_st g_gpus[FAKE_MAX_GPUS];

/* ---- small helpers ---- */

static double monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long long realtime_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* Seconds since init; caller holds the lock. */
static double now_s(void)
{
    double t = monotonic_s() - g_origin_s;
    return t > 0 ? t : 0;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int fail_config(const char *var, const char *value, const char *expected)
{
    fprintf(stderr, "fake_nvml: %s=%s: expected %s\n", var, value, expected);
    return -1;
}

/* Reads an integer variable into *out; absent leaves the default. */
static int env_ll(const char *var, long long lo, long long hi, long long *out)
{
    const char *s = getenv(var);
    if (!s || !*s)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < lo || v > hi) {
        char what[96];
        snprintf(what, sizeof what, "an integer in [%lld, %lld]", lo, hi);
        return fail_config(var, s, what);
    }
    *out = v;
    return 0;
}

static int env_double(const char *var, double lo, double hi, double *out)
{
    const char *s = getenv(var);
    if (!s || !*s)
        return 0;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi))
        return fail_config(var, s, "a number in range");
    *out = v;
    return 0;
}

static int env_string(const char *var, char *dst, size_t cap)
{
    const char *s = getenv(var);
    if (!s)
        return 0;
    if (strlen(s) >= cap)
        return fail_config(var, s, "a shorter value");
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

/* Watts (maybe fractional) from the environment to whole milliwatts. */
static int env_watts_mw(const char *var, unsigned *mw)
{
    double w = *mw / 1000.0;
    if (env_double(var, 0, 4e6, &w) != 0)
        return -1;
    *mw = (unsigned)llround(w * 1000.0);
    return 0;
}

static int parse_profile(struct config *c)
{
    const char *s = getenv("FAKE_NVML_PROFILE");
    if (!s || !*s)
        return 0;
    double v[5] = {0, 0, 0, 0, 0};
    int n = 0;
    const char *p = s;
    for (;;) {
        char *end;
        v[n] = strtod(p, &end);
        if (end == p || !(v[n] >= 0) || !isfinite(v[n]))
            break;
        n++;
        if (*end == '\0' || n == 5) {
            p = end;
            break;
        }
        if (*end != ',')
            break;
        p = end + 1;
    }
    if ((n != 4 && n != 5) || *p != '\0' || v[1] + v[3] <= 0)
        return fail_config("FAKE_NVML_PROFILE", s,
                           "VALLEY_W,VALLEY_S,PEAK_W,PEAK_S[,LEAD_S], non-negative, period > 0");
    c->valley_w = v[0];
    c->valley_s = v[1];
    c->peak_w = v[2];
    c->peak_s = v[3];
    c->lead_s = v[4];
    return 0;
}

/* "GPU:T[,GPU:T...]" */
static int parse_lost(struct config *c)
{
    const char *s = getenv("FAKE_NVML_LOST");
    if (!s || !*s)
        return 0;
    const char *p = s;
    for (;;) {
        char *end;
        errno = 0;
        unsigned long gpu = strtoul(p, &end, 10);
        if (end == p || errno || *end != ':' || gpu >= FAKE_MAX_GPUS)
            return fail_config("FAKE_NVML_LOST", s, "GPU:SECONDS[,GPU:SECONDS...]");
        p = end + 1;
        double t = strtod(p, &end);
        if (end == p || !(t >= 0))
            return fail_config("FAKE_NVML_LOST", s, "GPU:SECONDS[,GPU:SECONDS...]");
        c->lost_at[gpu] = t;
        if (*end == '\0')
            return 0;
        if (*end != ',')
            return fail_config("FAKE_NVML_LOST", s, "GPU:SECONDS[,GPU:SECONDS...]");
        p = end + 1;
    }
}

static int parse_unsupported(struct config *c)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"instant", FEAT_INSTANT}, {"average", FEAT_AVERAGE}, {"power", FEAT_POWER},
                 {"energy", FEAT_ENERGY},   {"util", FEAT_UTIL},       {"mem", FEAT_MEM},
                 {"clock", FEAT_CLOCK},     {"temp", FEAT_TEMP},       {"limit", FEAT_LIMIT}};
    const char *s = getenv("FAKE_NVML_UNSUPPORTED");
    if (!s)
        return 0;
    const char *p = s;
    while (*p) {
        size_t len = strcspn(p, ",");
        size_t k = 0;
        while (k < sizeof names / sizeof names[0] &&
               !(strlen(names[k].name) == len && strncmp(names[k].name, p, len) == 0))
            k++;
        if (len > 0 && k == sizeof names / sizeof names[0])
            return fail_config("FAKE_NVML_UNSUPPORTED", s,
                               "a comma list of instant,average,power,energy,util,mem,clock,temp,limit");
        if (len > 0)
            c->unsupported |= names[k].bit;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* Everything but the state file; returns 0, or -1 after a stderr message. */
static int read_config(struct config *c)
{
    memset(c, 0, sizeof *c);
    c->gpus = 1;
    snprintf(c->name, sizeof c->name, "%s", "Fake GPU 80GB");
    c->valley_w = 60;
    c->valley_s = 2;
    c->peak_w = 250;
    c->peak_s = 8;
    c->limit_mw = 300000;
    c->limit_min_mw = 100000;
    c->limit_max_mw = 350000;
    c->set_fail_mw = -1;
    for (int i = 0; i < FAKE_MAX_GPUS; i++)
        c->lost_at[i] = INFINITY;

    long long gpus = c->gpus, mem_mib = 81920, slow = 0, set_error = 0;
    if (env_ll("FAKE_NVML_GPUS", 0, FAKE_MAX_GPUS, &gpus) || env_ll("FAKE_NVML_MEM_MIB", 1, 1LL << 30, &mem_mib) ||
        env_ll("FAKE_NVML_SLOW_MS", 0, 600000, &slow) || env_ll("FAKE_NVML_SET_ERROR", 0, 1000000, &set_error) ||
        env_string("FAKE_NVML_NAME", c->name, sizeof c->name) ||
        env_string("FAKE_NVML_STATE", c->state_path, sizeof c->state_path) ||
        env_string("FAKE_NVML_CALL_LOG", c->call_log, sizeof c->call_log) || parse_profile(c) ||
        env_double("FAKE_NVML_NOISE_W", 0, 1e6, &c->noise_w) || env_watts_mw("FAKE_NVML_LIMIT_W", &c->limit_mw) ||
        env_watts_mw("FAKE_NVML_LIMIT_MIN_W", &c->limit_min_mw) ||
        env_watts_mw("FAKE_NVML_LIMIT_MAX_W", &c->limit_max_mw) || parse_lost(c) || parse_unsupported(c))
        return -1;
    c->gpus = (unsigned)gpus;
    c->mem_bytes = (unsigned long long)mem_mib << 20;
    c->slow_ms = (unsigned)slow;
    c->set_error = (int)set_error;
    const char *fail = getenv("FAKE_NVML_SET_FAIL_W");
    if (fail && *fail) {
        double w = 0;
        if (env_double("FAKE_NVML_SET_FAIL_W", 0, 4e6, &w))
            return -1;
        c->set_fail_mw = llround(w * 1000.0);
    }
    if (c->limit_min_mw > c->limit_max_mw) {
        fprintf(stderr, "fake_nvml: FAKE_NVML_LIMIT_MIN_W is above FAKE_NVML_LIMIT_MAX_W\n");
        return -1;
    }
    return 0;
}

/* ---- the simulated power draw ---- */

/* Is the unclipped profile in its peak at time t? (The lead-in is valley.) */
static int in_peak(double t)
{
    if (t < g_cfg.lead_s)
        return 0;
    double period = g_cfg.valley_s + g_cfg.peak_s;
    return fmod(t - g_cfg.lead_s, period) >= g_cfg.valley_s;
}

/* Instantaneous clipped, noise-free power in watts. */
static double profile_w(double t, unsigned limit_mw)
{
    double w = in_peak(t) ? g_cfg.peak_w : g_cfg.valley_w;
    double cap = limit_mw / 1000.0;
    return w < cap ? w : cap;
}

/* Joules from 0 to t under a constant limit: lead-in, whole periods, then the
 * part of the last period. Exact, so the counter drifts by no rounding. */
static double integral_j(double t, unsigned limit_mw)
{
    double cap = limit_mw / 1000.0;
    double v = fmin(g_cfg.valley_w, cap), p = fmin(g_cfg.peak_w, cap);
    if (t <= g_cfg.lead_s)
        return t * v;
    double u = t - g_cfg.lead_s, period = g_cfg.valley_s + g_cfg.peak_s;
    double n = floor(u / period);
    double r = u - n * period;
    if (r < 0) /* rounding in the division */
        r = 0;
    return g_cfg.lead_s * v + n * (g_cfg.valley_s * v + g_cfg.peak_s * p) + fmin(r, g_cfg.valley_s) * v +
           fmax(0.0, r - g_cfg.valley_s) * p;
}

/* Energy in mJ from 0 to t (without the offset), for any t the segments
 * still cover (at least the last second). */
static double energy_mj(const struct nvmlDevice_st *g, double t)
{
    size_t k = g->nseg;
    while (k > 1 && g->seg[k - 1].start_s > t)
        k--;
    const struct segment *s = &g->seg[k - 1];
    return s->energy_mj + 1000.0 * (integral_j(t, s->limit_mw) - integral_j(s->start_s, s->limit_mw));
}

/* The 1 s trailing average (mW), what GetPowerUsage reports on recent GPUs. */
static double average_mw(const struct nvmlDevice_st *g, double t)
{
    if (t <= 1e-9)
        return 1000.0 * profile_w(0, g->limit_mw);
    double from = t > 1 ? t - 1 : 0;
    return (energy_mj(g, t) - energy_mj(g, from)) / (t - from);
}

/* A mixing hash (splitmix64's finaliser) turned into [-1, 1): deterministic
 * in (gpu, microsecond) and free of shared state, so thread-safe. */
static double noise_unit(unsigned gpu, long long us)
{
    uint64_t z = (uint64_t)us ^ ((uint64_t)(gpu + 1) * 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-52 - 1.0;
}

static double instant_mw(const struct nvmlDevice_st *g, double t)
{
    double w = profile_w(t, g->limit_mw);
    if (g_cfg.noise_w > 0)
        w += g_cfg.noise_w * noise_unit(g->index, (long long)(t * 1e6));
    return w > 0 ? 1000.0 * w : 0;
}

static unsigned round_mw(double mw)
{
    return mw >= 4294967295.0 ? 4294967295U : (unsigned)llround(mw);
}

/* ---- persistence and logging ---- */

/* Reads one limit per line into the GPUs; missing lines keep the default. */
static int state_read(FILE *f)
{
    char line[64];
    for (unsigned i = 0; i < g_cfg.gpus && fgets(line, sizeof line, f); i++) {
        char *end;
        errno = 0;
        unsigned long mw = strtoul(line, &end, 10);
        while (*end == '\n' || *end == '\r' || *end == ' ')
            end++;
        if (end == line || errno || *end || mw == 0 || mw > 0xFFFFFFFFUL) {
            fprintf(stderr, "fake_nvml: %s:%u: expected a power limit in mW\n", g_cfg.state_path, i + 1);
            return -1;
        }
        g_gpus[i].limit_mw = (unsigned)mw;
    }
    return 0;
}

/* Writes the limits, with gpu `which` at `mw`, to PATH.tmp.PID and renames
 * it over PATH, so another process never reads half a file. */
static int state_write(unsigned which, unsigned mw)
{
    char tmp[FAKE_PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", g_cfg.state_path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "fake_nvml: cannot write %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    for (unsigned i = 0; i < g_cfg.gpus; i++)
        fprintf(f, "%u\n", i == which ? mw : g_gpus[i].limit_mw);
    if (fclose(f) != 0 || rename(tmp, g_cfg.state_path) != 0) {
        fprintf(stderr, "fake_nvml: cannot write %s: %s\n", g_cfg.state_path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int state_load(void)
{
    if (!g_cfg.state_path[0])
        return 0;
    FILE *f = fopen(g_cfg.state_path, "r");
    if (f) {
        int rc = state_read(f);
        fclose(f);
        return rc;
    }
    if (errno != ENOENT) {
        fprintf(stderr, "fake_nvml: cannot read %s: %s\n", g_cfg.state_path, strerror(errno));
        return -1;
    }
    return state_write(0, g_gpus[0].limit_mw); /* the initial limits, unchanged */
}

/* One write(2) of a short line with O_APPEND lands whole even when several
 * processes share the log. */
static void call_log(int gpu, unsigned mw, nvmlReturn_t rc)
{
    if (!g_cfg.call_log[0])
        return;
    char line[96];
    int n = snprintf(line, sizeof line, "set %d %u %d\n", gpu, mw, (int)rc);
    int fd = open(g_cfg.call_log, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0)
        return;
    if (write(fd, line, (size_t)n) != n)
        fprintf(stderr, "fake_nvml: cannot append to %s\n", g_cfg.call_log);
    close(fd);
}

/* ---- init and shutdown ---- */

static void free_gpus(void)
{
    for (int i = 0; i < FAKE_MAX_GPUS; i++) {
        free(g_gpus[i].seg);
        memset(&g_gpus[i], 0, sizeof g_gpus[i]);
    }
}

/* First init: configuration, limits, clock origin, one energy segment each. */
static nvmlReturn_t first_init(void)
{
    const char *code = getenv("FAKE_NVML_INIT_ERROR");
    if (code && *code && strtol(code, NULL, 10) != 0)
        return (nvmlReturn_t)strtol(code, NULL, 10);
    if (read_config(&g_cfg) != 0)
        return NVML_ERROR_UNKNOWN;
    for (unsigned i = 0; i < g_cfg.gpus; i++) {
        g_gpus[i].index = i;
        g_gpus[i].limit_mw = g_cfg.limit_mw;
        g_gpus[i].capseg = 8;
        g_gpus[i].seg = malloc(g_gpus[i].capseg * sizeof *g_gpus[i].seg);
        if (!g_gpus[i].seg) {
            free_gpus();
            return NVML_ERROR_MEMORY;
        }
    }
    if (state_load() != 0) {
        free_gpus();
        return NVML_ERROR_UNKNOWN;
    }
    for (unsigned i = 0; i < g_cfg.gpus; i++) {
        g_gpus[i].seg[0] = (struct segment){.start_s = 0, .limit_mw = g_gpus[i].limit_mw, .energy_mj = 0};
        g_gpus[i].nseg = 1;
    }
    g_origin_s = monotonic_s();
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlInit_v2(void)
{
    pthread_mutex_lock(&g_lock);
    nvmlReturn_t rc = g_refcount ? NVML_SUCCESS : first_init();
    if (rc == NVML_SUCCESS)
        g_refcount++;
    pthread_mutex_unlock(&g_lock);
    return rc;
}

nvmlReturn_t nvmlInit(void)
{
    return nvmlInit_v2();
}

nvmlReturn_t nvmlShutdown(void)
{
    pthread_mutex_lock(&g_lock);
    nvmlReturn_t rc = NVML_SUCCESS;
    if (g_refcount == 0)
        rc = NVML_ERROR_UNINITIALIZED;
    else if (--g_refcount == 0)
        free_gpus();
    pthread_mutex_unlock(&g_lock);
    return rc;
}

const char *nvmlErrorString(nvmlReturn_t result)
{
    switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_NO_PERMISSION: return "Insufficient Permissions";
    case NVML_ERROR_ALREADY_INITIALIZED: return "Already Initialized";
    case NVML_ERROR_NOT_FOUND: return "Not Found";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_INSUFFICIENT_POWER: return "Insufficient External Power";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    case NVML_ERROR_TIMEOUT: return "Timeout";
    case NVML_ERROR_IRQ_ISSUE: return "Interrupt request issue";
    case NVML_ERROR_LIBRARY_NOT_FOUND: return "NVML Shared Library Not Found";
    case NVML_ERROR_FUNCTION_NOT_FOUND: return "Function Not Found";
    case NVML_ERROR_CORRUPTED_INFOROM: return "Corrupted infoROM";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    case NVML_ERROR_RESET_REQUIRED: return "GPU requires restart";
    case NVML_ERROR_OPERATING_SYSTEM: return "GPU access blocked by the operating system";
    case NVML_ERROR_LIB_RM_VERSION_MISMATCH: return "Driver/library version mismatch";
    case NVML_ERROR_IN_USE: return "In use by another client";
    case NVML_ERROR_MEMORY: return "Insufficient Memory";
    case NVML_ERROR_NO_DATA: return "No data";
    case NVML_ERROR_UNKNOWN: return "Unknown Error";
    }
    return "Unknown Error";
}

/* ---- system and enumeration ---- */

/* Copies s into a caller's buffer the NVML way: too small is an error. */
static nvmlReturn_t copy_out(char *dst, unsigned length, const char *s)
{
    size_t n = strlen(s);
    if (length < n + 1)
        return NVML_ERROR_INSUFFICIENT_SIZE;
    memcpy(dst, s, n + 1);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length)
{
    pthread_mutex_lock(&g_lock);
    nvmlReturn_t rc = !g_refcount ? NVML_ERROR_UNINITIALIZED
                      : !version  ? NVML_ERROR_INVALID_ARGUMENT
                                  : copy_out(version, length, "550.0-fake");
    pthread_mutex_unlock(&g_lock);
    return rc;
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount)
{
    pthread_mutex_lock(&g_lock);
    nvmlReturn_t rc = !g_refcount    ? NVML_ERROR_UNINITIALIZED
                      : !deviceCount ? NVML_ERROR_INVALID_ARGUMENT
                                     : NVML_SUCCESS;
    if (rc == NVML_SUCCESS)
        *deviceCount = g_cfg.gpus;
    pthread_mutex_unlock(&g_lock);
    return rc;
}

nvmlReturn_t nvmlDeviceGetCount(unsigned int *deviceCount)
{
    return nvmlDeviceGetCount_v2(deviceCount);
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device)
{
    pthread_mutex_lock(&g_lock);
    nvmlReturn_t rc = NVML_SUCCESS;
    if (!g_refcount)
        rc = NVML_ERROR_UNINITIALIZED;
    else if (!device || index >= g_cfg.gpus)
        rc = NVML_ERROR_INVALID_ARGUMENT;
    else if (now_s() >= g_cfg.lost_at[index])
        rc = NVML_ERROR_GPU_IS_LOST;
    else
        *device = &g_gpus[index];
    pthread_mutex_unlock(&g_lock);
    return rc;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex(unsigned int index, nvmlDevice_t *device)
{
    return nvmlDeviceGetHandleByIndex_v2(index, device);
}

/* ---- the common prologue of every device call ---- */

/* Our GPU for a handle, or NULL if it is not one of ours (compared as
 * integers: a foreign pointer must not be compared with < against an array). */
static struct nvmlDevice_st *gpu_of(nvmlDevice_t dev)
{
    uintptr_t p = (uintptr_t)dev, base = (uintptr_t)g_gpus;
    if (p < base || (p - base) % sizeof g_gpus[0] != 0)
        return NULL;
    uintptr_t i = (p - base) / sizeof g_gpus[0];
    return i < g_cfg.gpus ? &g_gpus[i] : NULL;
}

/* Checks init, the handle and the output pointer, sleeps FAKE_NVML_SLOW_MS
 * without the lock (so a slow sampler never blocks a set), then checks loss
 * and support. On NVML_SUCCESS the lock is held and *t is the time; the
 * caller answers and calls leave(). On failure the lock is released. */
static nvmlReturn_t enter(nvmlDevice_t dev, const void *out, unsigned feature, struct nvmlDevice_st **gpu,
                          double *t)
{
    pthread_mutex_lock(&g_lock);
    if (!g_refcount) {
        pthread_mutex_unlock(&g_lock);
        return NVML_ERROR_UNINITIALIZED;
    }
    if (!gpu_of(dev) || !out) {
        pthread_mutex_unlock(&g_lock);
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    unsigned slow = g_cfg.slow_ms;
    if (slow) {
        pthread_mutex_unlock(&g_lock);
        sleep_ms(slow);
        pthread_mutex_lock(&g_lock);
    }
    nvmlReturn_t rc = NVML_SUCCESS;
    struct nvmlDevice_st *g = g_refcount ? gpu_of(dev) : NULL;
    if (!g_refcount)
        rc = NVML_ERROR_UNINITIALIZED; /* shut down while we slept */
    else if (!g)
        rc = NVML_ERROR_INVALID_ARGUMENT;
    else if ((*t = now_s()) >= g_cfg.lost_at[g->index])
        rc = NVML_ERROR_GPU_IS_LOST;
    else if (g_cfg.unsupported & feature)
        rc = NVML_ERROR_NOT_SUPPORTED;
    if (rc != NVML_SUCCESS) {
        pthread_mutex_unlock(&g_lock);
        return rc;
    }
    *gpu = g;
    return NVML_SUCCESS;
}

static nvmlReturn_t leave(void)
{
    pthread_mutex_unlock(&g_lock);
    return NVML_SUCCESS;
}

/* ---- identity ---- */

nvmlReturn_t nvmlDeviceGetIndex(nvmlDevice_t device, unsigned int *index)
{
    struct nvmlDevice_st *g;
    double t;
    nvmlReturn_t rc = enter(device, index, FEAT_NONE, &g, &t);
    if (rc != NVML_SUCCESS)
        return rc;
    *index = g->index;
    return leave();
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length)
{
    struct nvmlDevice_st *g;
    double t;
    nvmlReturn_t rc = enter(device, name, FEAT_NONE, &g, &t);
    if (rc != NVML_SUCCESS)
        return rc;
    rc = copy_out(name, length, g_cfg.name);
    leave();
    return rc;
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length)
{
    struct nvmlDevice_st *g;
    double t;
    nvmlReturn_t rc = enter(device, uuid, FEAT_NONE, &g, &t);
    if (rc != NVML_SUCCESS)
        return rc;
    char text[64];
    snprintf(text, sizeof text, "GPU-fake0000-0000-0000-0000-%012u", g->index);
    rc = copy_out(uuid, length, text);
    leave();
    return rc;
}

/* ---- power and energy ---- */

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power)
{
    struct nvmlDevice_st *g;
    double t;
    nvmlReturn_t rc = enter(device, power, FEAT_POWER, &g, &t);
    if (rc != NVML_SUCCESS)
        return rc;
    *power = round_mw(average_mw(g, t));
    return leave();
}

nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *energy)
{
    struct nvmlDevice_st *g;
    double t;
    nvmlReturn_t rc = enter(device, energy, FEAT_ENERGY, &g, &t);
    if (rc != NVML_SUCCESS)
        return rc;
    *energy = (unsigned long long)llround(FAKE_ENERGY_OFFSET_MJ + energy_mj(g, t));
    return leave();
}

/* One field entry: the two power fields, NOT_SUPPORTED for the rest. */
static void fill_field(const struct nvmlDevice_st *g, double t, long long stamp, nvmlFieldValue_t *v)
{
    v->timestamp = stamp;
    v->latencyUsec = (long long)g_cfg.slow_ms * 1000;
    v->valueType = NVML_VALUE_TYPE_UNSIGNED_INT;
    memset(&v->value, 0, sizeof v->value);
    if (v->fieldId == NVML_FI_DEV_POWER_INSTANT && !(g_cfg.unsupported & FEAT_INSTANT)) {
        v->value.uiVal = round_mw(instant_mw(g, t));
        v->nvmlReturn = NVML_SUCCESS;
    } else if (v->fieldId == NVML_FI_DEV_POWER_AVERAGE && !(g_cfg.unsupported & FEAT_AVERAGE)) {
        v->value.uiVal = round_mw(average_mw(g, t));
        v->nvmlReturn = NVML_SUCCESS;
    } else {
        v->nvmlReturn = NVML_ERROR_NOT_SUPPORTED;
    }
}

nvmlReturn_t nvmlDeviceGetFieldValues(nvmlDevice_t device, int valuesCount, nvmlFieldValue_t *values)
{
    struct nvmlDevice_st *g;
    double t;
    nvmlReturn_t rc = enter(device, valuesCount > 0 ? values : NULL, FEAT_NONE, &g, &t);
    if (rc == NVML_ERROR_GPU_IS_LOST) {
        for (int i = 0; i < valuesCount; i++) {
            values[i].nvmlReturn = NVML_ERROR_GPU_IS_LOST;
            values[i].timestamp = realtime_us();
        }
    }
    if (rc != NVML_SUCCESS)
        return rc;
    long long stamp = realtime_us();
    for (int i = 0; i < valuesCount; i++)
        fill_field(g, t, stamp, &values[i]);
    return leave();
}

/* ---- activity: two fixed sets of values, peak and valley ---- */

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization)
{
    struct nvmlDevice_st *g;
    double t;
    nvmlReturn_t rc = enter(device, utilization, FEAT_UTIL, &g, &t);
    if (rc != NVML_SUCCESS)
        return rc;
    int peak = in_peak(t);
    utilization->gpu = peak ? 100 : 5;
    utilization->memory = peak ? 60 : 2;
    return leave();
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory)
{
    struct nvmlDevice_st *g;
    double t;
    nvmlReturn_t rc = enter(device, memory, FEAT_MEM, &g, &t);
    if (rc != NVML_SUCCESS)
        return rc;
    memory->total = g_cfg.mem_bytes;
    memory->used = g_cfg.mem_bytes / 10 * (in_peak(t) ? 7 : 4);
    memory->free = memory->total - memory->used;
    return leave();
}

nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, nvmlClockType_t type, unsigned int *clock)
{
    /* MHz in valley and in peak, by nvmlClockType_t. */
    static const unsigned mhz[NVML_CLOCK_COUNT][2] = {{210, 1410}, {210, 1410}, {405, 1593}, {555, 1275}};
    struct nvmlDevice_st *g;
    double t;
    if ((unsigned)type >= NVML_CLOCK_COUNT)
        clock = NULL; /* answered as INVALID_ARGUMENT, after the init check */
    nvmlReturn_t rc = enter(device, clock, FEAT_CLOCK, &g, &t);
    if (rc != NVML_SUCCESS)
        return rc;
    *clock = mhz[type][in_peak(t)];
    return leave();
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, nvmlTemperatureSensors_t sensorType,
                                      unsigned int *temp)
{
    struct nvmlDevice_st *g;
    double t;
    if (sensorType != NVML_TEMPERATURE_GPU)
        temp = NULL;
    nvmlReturn_t rc = enter(device, temp, FEAT_TEMP, &g, &t);
    if (rc != NVML_SUCCESS)
        return rc;
    *temp = in_peak(t) ? 70 : 40;
    return leave();
}

/* ---- power limits ---- */

nvmlReturn_t nvmlDeviceGetPowerManagementLimit(nvmlDevice_t device, unsigned int *limit)
{
    struct nvmlDevice_st *g;
    double t;
    nvmlReturn_t rc = enter(device, limit, FEAT_LIMIT, &g, &t);
    if (rc != NVML_SUCCESS)
        return rc;
    *limit = g->limit_mw;
    return leave();
}

nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, unsigned int *limit)
{
    return nvmlDeviceGetPowerManagementLimit(device, limit);
}

nvmlReturn_t nvmlDeviceGetPowerManagementDefaultLimit(nvmlDevice_t device, unsigned int *defaultLimit)
{
    struct nvmlDevice_st *g;
    double t;
    nvmlReturn_t rc = enter(device, defaultLimit, FEAT_LIMIT, &g, &t);
    if (rc != NVML_SUCCESS)
        return rc;
    *defaultLimit = g_cfg.limit_mw;
    return leave();
}

nvmlReturn_t nvmlDeviceGetPowerManagementLimitConstraints(nvmlDevice_t device, unsigned int *minLimit,
                                                          unsigned int *maxLimit)
{
    struct nvmlDevice_st *g;
    double t;
    nvmlReturn_t rc = enter(device, minLimit && maxLimit ? minLimit : NULL, FEAT_LIMIT, &g, &t);
    if (rc != NVML_SUCCESS)
        return rc;
    *minLimit = g_cfg.limit_min_mw;
    *maxLimit = g_cfg.limit_max_mw;
    return leave();
}

/* Starts a new energy segment at t with the new limit, dropping segments that
 * end more than a second ago (nothing looks further back than t - 1). */
static nvmlReturn_t push_segment(struct nvmlDevice_st *g, double t, unsigned mw)
{
    size_t drop = 0;
    while (drop + 1 < g->nseg && g->seg[drop + 1].start_s <= t - 1)
        drop++;
    if (drop) {
        memmove(g->seg, g->seg + drop, (g->nseg - drop) * sizeof *g->seg);
        g->nseg -= drop;
    }
    if (g->nseg == g->capseg) {
        struct segment *grown = realloc(g->seg, 2 * g->capseg * sizeof *g->seg);
        if (!grown)
            return NVML_ERROR_MEMORY;
        g->seg = grown;
        g->capseg *= 2;
    }
    double e = energy_mj(g, t); /* before nseg grows: the old limit's piece */
    g->seg[g->nseg] = (struct segment){.start_s = t, .limit_mw = mw, .energy_mj = e};
    g->nseg++;
    return NVML_SUCCESS;
}

/* The checks NVML makes before changing anything, in its order: permission
 * first (FAKE_NVML_SET_ERROR), then the range, then the injected failure. */
static nvmlReturn_t set_limit_locked(struct nvmlDevice_st *g, double t, unsigned mw)
{
    if (g_cfg.set_error)
        return (nvmlReturn_t)g_cfg.set_error;
    if (mw < g_cfg.limit_min_mw || mw > g_cfg.limit_max_mw)
        return NVML_ERROR_INVALID_ARGUMENT;
    if (g_cfg.set_fail_mw >= 0 && (long long)mw == g_cfg.set_fail_mw)
        return NVML_ERROR_UNKNOWN;
    if (g_cfg.state_path[0] && state_write(g->index, mw) != 0)
        return NVML_ERROR_UNKNOWN;
    nvmlReturn_t rc = push_segment(g, t, mw);
    if (rc == NVML_SUCCESS)
        g->limit_mw = mw;
    return rc;
}

nvmlReturn_t nvmlDeviceSetPowerManagementLimit(nvmlDevice_t device, unsigned int limit)
{
    struct nvmlDevice_st *g;
    double t;
    unsigned dummy = 0;
    nvmlReturn_t rc = enter(device, &dummy, FEAT_LIMIT, &g, &t);
    if (rc == NVML_SUCCESS) {
        rc = set_limit_locked(g, t, limit);
        call_log((int)g->index, limit, rc);
        leave();
        return rc;
    }
    /* Failed before reaching a GPU: still logged while initialised, with the
     * index when the handle is ours (-1 otherwise). */
    pthread_mutex_lock(&g_lock);
    if (g_refcount) {
        struct nvmlDevice_st *known = gpu_of(device);
        call_log(known ? (int)known->index : -1, limit, rc);
    }
    pthread_mutex_unlock(&g_lock);
    return rc;
}
