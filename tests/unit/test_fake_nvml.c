/* fake_nvml: the fake libnvidia-ml.so.1 that stands in for a GPU in the
 * recorder and powercap tests. Loaded with dlopen from $JC_FAKE_NVML like the
 * recorder loads the real one; checks init reference counting, devices, the
 * square wave, the energy counter against a numerical integral, the 1 s
 * average, limits (set, clip, constraints, persistence), every fault, and
 * concurrent use.
 *
 * Times are bracketed: the fake's clock starts inside our nvmlInit call, so a
 * reading taken between our clock readings m0 and m1 happened at fake time
 * within [m0 - after_init, m1 - before_init]. Checks hold over that whole
 * interval, so a loaded machine makes tests retry, not fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- NVML's types, as the fake and the real library define them ---- */
typedef enum {
    NVML_SUCCESS = 0,
    NVML_ERROR_UNINITIALIZED = 1,
    NVML_ERROR_INVALID_ARGUMENT = 2,
    NVML_ERROR_NOT_SUPPORTED = 3,
    NVML_ERROR_NO_PERMISSION = 4,
    NVML_ERROR_INSUFFICIENT_SIZE = 7,
    NVML_ERROR_DRIVER_NOT_LOADED = 9,
    NVML_ERROR_GPU_IS_LOST = 15,
    NVML_ERROR_UNKNOWN = 999
} nvmlReturn_t;
typedef struct nvmlDevice_st *nvmlDevice_t;
typedef struct {
    unsigned int gpu, memory;
} nvmlUtilization_t;
typedef struct {
    unsigned long long total, free, used;
} nvmlMemory_t;
typedef struct {
    unsigned int fieldId;
    unsigned int scopeId;
    long long timestamp;
    long long latencyUsec;
    int valueType;
    int nvmlReturn;
    union {
        double dVal;
        unsigned int uiVal;
        unsigned long ulVal;
        unsigned long long ullVal;
        signed long long sllVal;
        signed int siVal;
    } value;
} nvmlFieldValue_t;
typedef int nvmlClockType_t;
typedef int nvmlTemperatureSensors_t;

enum { FI_AVERAGE = 185, FI_INSTANT = 186, CLOCK_SM = 1 };

/* The library's entry points, looked up by name. */
static struct {
    void *lib;
    nvmlReturn_t (*init_v2)(void);
    nvmlReturn_t (*init_v1)(void);
    nvmlReturn_t (*shutdown)(void);
    const char *(*error_string)(nvmlReturn_t);
    nvmlReturn_t (*driver_version)(char *, unsigned);
    nvmlReturn_t (*count)(unsigned *);
    nvmlReturn_t (*handle)(unsigned, nvmlDevice_t *);
    nvmlReturn_t (*index)(nvmlDevice_t, unsigned *);
    nvmlReturn_t (*name)(nvmlDevice_t, char *, unsigned);
    nvmlReturn_t (*uuid)(nvmlDevice_t, char *, unsigned);
    nvmlReturn_t (*power)(nvmlDevice_t, unsigned *);
    nvmlReturn_t (*energy)(nvmlDevice_t, unsigned long long *);
    nvmlReturn_t (*fields)(nvmlDevice_t, int, nvmlFieldValue_t *);
    nvmlReturn_t (*util)(nvmlDevice_t, nvmlUtilization_t *);
    nvmlReturn_t (*mem)(nvmlDevice_t, nvmlMemory_t *);
    nvmlReturn_t (*clock)(nvmlDevice_t, nvmlClockType_t, unsigned *);
    nvmlReturn_t (*temp)(nvmlDevice_t, nvmlTemperatureSensors_t, unsigned *);
    nvmlReturn_t (*limit)(nvmlDevice_t, unsigned *);
    nvmlReturn_t (*default_limit)(nvmlDevice_t, unsigned *);
    nvmlReturn_t (*constraints)(nvmlDevice_t, unsigned *, unsigned *);
    nvmlReturn_t (*enforced)(nvmlDevice_t, unsigned *);
    nvmlReturn_t (*set_limit)(nvmlDevice_t, unsigned);
} N;

static int load_library(const char *path)
{
    N.lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!N.lib) {
        fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
        return -1;
    }
    const struct {
        const char *name;
        void **slot;
    } table[] = {
        {"nvmlInit_v2", (void **)&N.init_v2},
        {"nvmlInit", (void **)&N.init_v1},
        {"nvmlShutdown", (void **)&N.shutdown},
        {"nvmlErrorString", (void **)&N.error_string},
        {"nvmlSystemGetDriverVersion", (void **)&N.driver_version},
        {"nvmlDeviceGetCount_v2", (void **)&N.count},
        {"nvmlDeviceGetHandleByIndex_v2", (void **)&N.handle},
        {"nvmlDeviceGetIndex", (void **)&N.index},
        {"nvmlDeviceGetName", (void **)&N.name},
        {"nvmlDeviceGetUUID", (void **)&N.uuid},
        {"nvmlDeviceGetPowerUsage", (void **)&N.power},
        {"nvmlDeviceGetTotalEnergyConsumption", (void **)&N.energy},
        {"nvmlDeviceGetFieldValues", (void **)&N.fields},
        {"nvmlDeviceGetUtilizationRates", (void **)&N.util},
        {"nvmlDeviceGetMemoryInfo", (void **)&N.mem},
        {"nvmlDeviceGetClockInfo", (void **)&N.clock},
        {"nvmlDeviceGetTemperature", (void **)&N.temp},
        {"nvmlDeviceGetPowerManagementLimit", (void **)&N.limit},
        {"nvmlDeviceGetPowerManagementDefaultLimit", (void **)&N.default_limit},
        {"nvmlDeviceGetPowerManagementLimitConstraints", (void **)&N.constraints},
        {"nvmlDeviceGetEnforcedPowerLimit", (void **)&N.enforced},
        {"nvmlDeviceSetPowerManagementLimit", (void **)&N.set_limit},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        *table[i].slot = dlsym(N.lib, table[i].name);
        if (!*table[i].slot) {
            fprintf(stderr, "%s: %s is missing\n", path, table[i].name);
            return -1;
        }
    }
    return 0;
}

/* ---- clock, environment, init ---- */

static double g_before_init, g_after_init; /* our clock around the last init */
static char g_dir[64];                      /* scratch folder for state and logs */

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_s(double s)
{
    struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Fake time of a moment of ours: earliest and latest possible. */
static double fake_lo(double m)
{
    return m - g_after_init;
}
static double fake_hi(double m)
{
    return m - g_before_init;
}

static const char *const fake_vars[] = {
    "FAKE_NVML_GPUS",       "FAKE_NVML_NAME",       "FAKE_NVML_MEM_MIB",     "FAKE_NVML_PROFILE",
    "FAKE_NVML_NOISE_W",    "FAKE_NVML_LIMIT_W",    "FAKE_NVML_LIMIT_MIN_W", "FAKE_NVML_LIMIT_MAX_W",
    "FAKE_NVML_STATE",      "FAKE_NVML_INIT_ERROR", "FAKE_NVML_LOST",        "FAKE_NVML_UNSUPPORTED",
    "FAKE_NVML_SLOW_MS",    "FAKE_NVML_SET_ERROR",  "FAKE_NVML_SET_FAIL_W",  "FAKE_NVML_CALL_LOG",
};

/* Each test starts from defaults and a library that is shut down. */
static int reset(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof fake_vars / sizeof fake_vars[0]; i++)
        unsetenv(fake_vars[i]);
    for (int i = 0; i < 100 && N.shutdown() == NVML_SUCCESS; i++) {
    }
    return 0;
}

static void start(void)
{
    g_before_init = mono();
    assert_int_equal(N.init_v2(), NVML_SUCCESS);
    g_after_init = mono();
}

static nvmlDevice_t device(unsigned i)
{
    nvmlDevice_t d = NULL;
    assert_int_equal(N.handle(i, &d), NVML_SUCCESS);
    assert_non_null(d);
    return d;
}

static void scratch_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", g_dir, name);
    unlink(out);
}

static void read_file(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    fclose(f);
}

/* ---- an independent model of the profile ---- */

typedef struct {
    double vw, vs, pw, ps, lead;
} profile;

static const profile g_prof = {60, 0.05, 250, 0.1, 0};
#define PROFILE_TEXT "60,0.05,250,0.1"

static int is_peak(const profile *p, double t)
{
    return t >= p->lead && fmod(t - p->lead, p->vs + p->ps) >= p->vs;
}

/* Which piece of the wave t falls in: -1 lead-in, then 0, 1, 2, ... */
static long piece(const profile *p, double t)
{
    if (t < p->lead)
        return -1;
    return 2 * (long)floor((t - p->lead) / (p->vs + p->ps)) + is_peak(p, t);
}

static double watts(const profile *p, double t, double limit_w)
{
    return fmin(is_peak(p, t) ? p->pw : p->vw, limit_w);
}

/* Joules from a to b by the midpoint rule in 10 us steps: deliberately not
 * the fake's closed form, and off by at most a few mJ per edge. */
static double joules(const profile *p, double a, double b, double limit_w)
{
    const double h = 1e-5;
    double sum = 0;
    if (a < 0)
        a = 0;
    for (double t = a; t < b; t += h) {
        double step = fmin(h, b - t);
        sum += watts(p, t + step / 2, limit_w) * step;
    }
    return sum;
}

/* ---- sampling inside one piece of the wave ---- */

enum probe { P_INSTANT, P_AVERAGE, P_POWER, P_UTIL, P_CLOCK, P_TEMP };

static unsigned probe_once(nvmlDevice_t d, enum probe what)
{
    nvmlFieldValue_t f = {.fieldId = what == P_AVERAGE ? FI_AVERAGE : FI_INSTANT};
    nvmlUtilization_t u;
    unsigned v = 0;
    switch (what) {
    case P_INSTANT:
    case P_AVERAGE:
        assert_int_equal(N.fields(d, 1, &f), NVML_SUCCESS);
        assert_int_equal(f.nvmlReturn, NVML_SUCCESS);
        assert_int_equal(f.valueType, 1);
        return f.value.uiVal;
    case P_POWER: assert_int_equal(N.power(d, &v), NVML_SUCCESS); return v;
    case P_UTIL: assert_int_equal(N.util(d, &u), NVML_SUCCESS); return u.gpu;
    case P_CLOCK: assert_int_equal(N.clock(d, CLOCK_SM, &v), NVML_SUCCESS); return v;
    case P_TEMP: assert_int_equal(N.temp(d, 0, &v), NVML_SUCCESS); return v;
    }
    return 0;
}

/* A reading taken wholly inside a valley (peak = 0) or peak (1) piece. */
static unsigned probe_in(const profile *p, nvmlDevice_t d, enum probe what, int peak)
{
    double give_up = mono() + 20;
    while (mono() < give_up) {
        double m0 = mono();
        unsigned v = probe_once(d, what);
        double m1 = mono();
        double a = fake_lo(m0), b = fake_hi(m1);
        if (piece(p, a) == piece(p, b) && is_peak(p, a) == peak)
            return v;
        sleep_s(0.003);
    }
    fail_msg("never sampled inside one %s", peak ? "peak" : "valley");
    return 0;
}

/* ---- tests ---- */

static void test_init_refcount_and_errors(void **state)
{
    (void)state;
    unsigned n;
    assert_int_equal(N.count(&n), NVML_ERROR_UNINITIALIZED);
    assert_int_equal(N.shutdown(), NVML_ERROR_UNINITIALIZED);
    assert_int_equal(N.init_v2(), NVML_SUCCESS);
    assert_int_equal(N.init_v1(), NVML_SUCCESS);
    assert_int_equal(N.shutdown(), NVML_SUCCESS);
    assert_int_equal(N.count(&n), NVML_SUCCESS); /* one reference left */
    assert_int_equal(n, 1);
    assert_int_equal(N.count(NULL), NVML_ERROR_INVALID_ARGUMENT);
    assert_int_equal(N.shutdown(), NVML_SUCCESS);
    assert_int_equal(N.count(&n), NVML_ERROR_UNINITIALIZED);
    assert_int_equal(N.shutdown(), NVML_ERROR_UNINITIALIZED);

    assert_string_equal(N.error_string(NVML_SUCCESS), "Success");
    assert_string_equal(N.error_string(NVML_ERROR_GPU_IS_LOST), "GPU is lost");
    assert_string_equal(N.error_string(NVML_ERROR_NO_PERMISSION), "Insufficient Permissions");
    assert_string_equal(N.error_string(NVML_ERROR_UNKNOWN), "Unknown Error");
    assert_string_equal(N.error_string((nvmlReturn_t)12345), "Unknown Error");
}

static void test_devices(void **state)
{
    (void)state;
    setenv("FAKE_NVML_GPUS", "3", 1);
    setenv("FAKE_NVML_NAME", "Test GPU 1GB", 1);
    setenv("FAKE_NVML_MEM_MIB", "1024", 1);
    start();
    unsigned n = 0;
    assert_int_equal(N.count(&n), NVML_SUCCESS);
    assert_int_equal(n, 3);
    char text[96];
    for (unsigned i = 0; i < 3; i++) {
        nvmlDevice_t d = device(i);
        unsigned idx = 99;
        assert_int_equal(N.index(d, &idx), NVML_SUCCESS);
        assert_int_equal(idx, i);
        assert_int_equal(N.name(d, text, sizeof text), NVML_SUCCESS);
        assert_string_equal(text, "Test GPU 1GB");
        assert_int_equal(N.uuid(d, text, sizeof text), NVML_SUCCESS);
        char want[64];
        snprintf(want, sizeof want, "GPU-fake0000-0000-0000-0000-%012u", i);
        assert_string_equal(text, want);
        nvmlMemory_t m;
        assert_int_equal(N.mem(d, &m), NVML_SUCCESS);
        assert_true(m.total == 1024ULL << 20);
        assert_true(m.used + m.free == m.total && m.used > 0);
    }
    nvmlDevice_t d = device(2), other = NULL;
    assert_true(device(1) != d);
    assert_int_equal(N.handle(3, &other), NVML_ERROR_INVALID_ARGUMENT);
    assert_int_equal(N.handle(0, NULL), NVML_ERROR_INVALID_ARGUMENT);
    assert_int_equal(N.name(d, text, 4), NVML_ERROR_INSUFFICIENT_SIZE);
    assert_int_equal(N.name(d, NULL, 64), NVML_ERROR_INVALID_ARGUMENT);
    assert_int_equal(N.power(d, NULL), NVML_ERROR_INVALID_ARGUMENT);
    assert_int_equal(N.power(NULL, &n), NVML_ERROR_INVALID_ARGUMENT);
    assert_int_equal(N.power((nvmlDevice_t)(void *)text, &n), NVML_ERROR_INVALID_ARGUMENT);
    assert_int_equal(N.clock(d, 17, &n), NVML_ERROR_INVALID_ARGUMENT);
    assert_int_equal(N.temp(d, 1, &n), NVML_ERROR_INVALID_ARGUMENT);
    assert_int_equal(N.constraints(d, &n, NULL), NVML_ERROR_INVALID_ARGUMENT);
    assert_int_equal(N.fields(d, 0, NULL), NVML_ERROR_INVALID_ARGUMENT);
    assert_int_equal(N.driver_version(text, sizeof text), NVML_SUCCESS);
    assert_true(strlen(text) > 0);
    assert_int_equal(N.driver_version(text, 2), NVML_ERROR_INSUFFICIENT_SIZE);
    assert_int_equal(N.shutdown(), NVML_SUCCESS);
    assert_int_equal(N.power(d, &n), NVML_ERROR_UNINITIALIZED);

    /* A re-init re-reads the environment: back to the defaults. */
    unsetenv("FAKE_NVML_GPUS");
    unsetenv("FAKE_NVML_NAME");
    unsetenv("FAKE_NVML_MEM_MIB");
    start();
    assert_int_equal(N.count(&n), NVML_SUCCESS);
    assert_int_equal(n, 1);
    assert_int_equal(N.name(device(0), text, sizeof text), NVML_SUCCESS);
    assert_string_equal(text, "Fake GPU 80GB");
    nvmlMemory_t m;
    assert_int_equal(N.mem(device(0), &m), NVML_SUCCESS);
    assert_true(m.total == 81920ULL << 20);
}

static void test_square_wave(void **state)
{
    (void)state;
    const profile p = {60, 0.05, 250, 0.1, 0.15};
    setenv("FAKE_NVML_PROFILE", "60,0.05,250,0.1,0.15", 1);
    start();
    nvmlDevice_t d = device(0);
    /* In the lead-in (unless this machine stalled past it): valley. */
    unsigned lead_w = probe_once(d, P_INSTANT), lead_util = probe_once(d, P_UTIL);
    if (fake_hi(mono()) < p.lead) {
        assert_int_equal(lead_w, 60000);
        assert_int_equal(lead_util, 5);
    }
    for (int rep = 0; rep < 3; rep++) {
        assert_int_equal(probe_in(&p, d, P_INSTANT, 0), 60000);
        assert_int_equal(probe_in(&p, d, P_INSTANT, 1), 250000);
    }
    assert_int_equal(probe_in(&p, d, P_UTIL, 1), 100);
    assert_int_equal(probe_in(&p, d, P_UTIL, 0), 5);
    assert_int_equal(probe_in(&p, d, P_CLOCK, 1), 1410);
    assert_int_equal(probe_in(&p, d, P_CLOCK, 0), 210);
    assert_int_equal(probe_in(&p, d, P_TEMP, 1), 70);
    assert_int_equal(probe_in(&p, d, P_TEMP, 0), 40);
    nvmlUtilization_t u;
    nvmlMemory_t mp, mv;
    while (1) { /* memory use follows the wave too */
        double a = mono();
        assert_int_equal(N.mem(d, &mp), NVML_SUCCESS);
        assert_int_equal(N.util(d, &u), NVML_SUCCESS);
        double b = mono();
        if (piece(&p, fake_lo(a)) == piece(&p, fake_hi(b)) && is_peak(&p, fake_lo(a)))
            break;
        sleep_s(0.003);
    }
    assert_int_equal(u.memory, 60);
    assert_true(mp.used == mp.total / 10 * 7);
    while (1) {
        double a = mono();
        assert_int_equal(N.mem(d, &mv), NVML_SUCCESS);
        double b = mono();
        if (piece(&p, fake_lo(a)) == piece(&p, fake_hi(b)) && !is_peak(&p, fake_lo(a)))
            break;
        sleep_s(0.003);
    }
    assert_true(mv.used == mv.total / 10 * 4);
}

/* Energy read with our clock around it. */
static unsigned long long energy_at(nvmlDevice_t d, double *lo, double *hi)
{
    unsigned long long e = 0;
    double m0 = mono();
    assert_int_equal(N.energy(d, &e), NVML_SUCCESS);
    double m1 = mono();
    *lo = fake_lo(m0);
    *hi = fake_hi(m1);
    return e;
}

/* Measured mJ within 1 % of the integral over the widest and narrowest
 * intervals the bracketing allows. */
static void assert_energy(double mj, double narrow_j, double wide_j)
{
    if (!(mj >= 0.99 * 1000 * narrow_j && mj <= 1.01 * 1000 * wide_j))
        fail_msg("energy %.1f mJ, expected %.1f..%.1f mJ", mj, 1000 * narrow_j, 1000 * wide_j);
}

static void test_energy_counter(void **state)
{
    (void)state;
    setenv("FAKE_NVML_PROFILE", PROFILE_TEXT, 1);
    start();
    nvmlDevice_t d = device(0);
    double a_lo, a_hi, b_lo, b_hi;
    unsigned long long e0 = energy_at(d, &a_lo, &a_hi);
    /* The counter starts at 1e9 mJ, plus what was drawn since init. */
    assert_true(e0 >= 1000000000ULL && e0 <= 1000000000ULL + (unsigned long long)(250e3 * fmax(a_hi, 0) + 1));
    sleep_s(0.73);
    unsigned long long e1 = energy_at(d, &b_lo, &b_hi);
    assert_energy((double)(e1 - e0), joules(&g_prof, a_hi, b_lo, 1e9), joules(&g_prof, a_lo, b_hi, 1e9));
    sleep_s(0.41);
    unsigned long long e2 = energy_at(d, &a_lo, &a_hi);
    assert_energy((double)(e2 - e1), joules(&g_prof, b_hi, a_lo, 1e9), joules(&g_prof, b_lo, a_hi, 1e9));
    /* A re-init restarts the clock and the counter. */
    assert_int_equal(N.shutdown(), NVML_SUCCESS);
    start();
    e0 = energy_at(device(0), &a_lo, &a_hi);
    assert_true(e0 < e2 && e0 <= 1000000000ULL + (unsigned long long)(250e3 * fmax(a_hi, 0) + 1));
}

/* The 1 s trailing average over every fake time a reading may have had. */
static void assert_average(unsigned mw, double lo, double hi, double limit_w)
{
    double min = INFINITY, max = -INFINITY;
    for (int k = 0; k <= 20; k++) {
        double t = fmax(lo + (hi - lo) * k / 20, 1e-6);
        double from = fmax(0, t - 1);
        double w = joules(&g_prof, from, t, limit_w) / (t - from);
        min = fmin(min, w);
        max = fmax(max, w);
    }
    if (!(mw >= 1000 * min * 0.995 - 1 && mw <= 1000 * max * 1.005 + 1))
        fail_msg("average %u mW, expected %.0f..%.0f mW", mw, 1000 * min, 1000 * max);
}

static void test_power_usage_is_one_second_average(void **state)
{
    (void)state;
    setenv("FAKE_NVML_PROFILE", PROFILE_TEXT, 1);
    start();
    nvmlDevice_t d = device(0);
    const double when[] = {0.33, 0.8, 1.27, 1.9};
    for (size_t i = 0; i < sizeof when / sizeof when[0]; i++) {
        double wait = when[i] - fake_lo(mono());
        if (wait > 0)
            sleep_s(wait);
        double m0 = mono();
        unsigned power = probe_once(d, P_POWER);
        unsigned field = probe_once(d, P_AVERAGE);
        double m1 = mono();
        assert_average(power, fake_lo(m0), fake_hi(m1), 1e9);
        assert_average(field, fake_lo(m0), fake_hi(m1), 1e9);
    }
}

static void test_limits_and_persistence(void **state)
{
    (void)state;
    char path[128], text[256];
    scratch_path(path, sizeof path, "state");
    setenv("FAKE_NVML_GPUS", "2", 1);
    setenv("FAKE_NVML_PROFILE", PROFILE_TEXT, 1);
    setenv("FAKE_NVML_STATE", path, 1);
    setenv("FAKE_NVML_LIMIT_W", "300", 1);
    setenv("FAKE_NVML_LIMIT_MIN_W", "100", 1);
    setenv("FAKE_NVML_LIMIT_MAX_W", "350", 1);
    start();
    read_file(path, text, sizeof text); /* created with the initial limits */
    assert_string_equal(text, "300000\n300000\n");
    nvmlDevice_t d0 = device(0), d1 = device(1);
    unsigned v = 0, lo = 0, hi = 0;
    assert_int_equal(N.constraints(d1, &lo, &hi), NVML_SUCCESS);
    assert_int_equal(lo, 100000);
    assert_int_equal(hi, 350000);
    assert_int_equal(N.default_limit(d1, &v), NVML_SUCCESS);
    assert_int_equal(v, 300000);
    assert_int_equal(N.limit(d1, &v), NVML_SUCCESS);
    assert_int_equal(v, 300000);
    assert_int_equal(N.set_limit(d1, 99999), NVML_ERROR_INVALID_ARGUMENT);
    assert_int_equal(N.set_limit(d1, 350001), NVML_ERROR_INVALID_ARGUMENT);

    /* Set 150 W mid-run: the counter integrates 300 W before, 150 W after. */
    double a_lo, a_hi, b_lo, b_hi;
    unsigned long long e0 = energy_at(d1, &a_lo, &a_hi);
    sleep_s(0.37);
    double s0 = fake_lo(mono());
    assert_int_equal(N.set_limit(d1, 150000), NVML_SUCCESS);
    double s1 = fake_hi(mono());
    sleep_s(0.44);
    unsigned long long e1 = energy_at(d1, &b_lo, &b_hi);
    /* Lowering the limit at a later moment can only add energy. */
    double narrow = joules(&g_prof, a_hi, s0, 300) + joules(&g_prof, s0, b_lo, 150);
    double wide = joules(&g_prof, a_lo, s1, 300) + joules(&g_prof, s1, b_hi, 150);
    assert_energy((double)(e1 - e0), narrow, wide);

    assert_int_equal(N.limit(d1, &v), NVML_SUCCESS);
    assert_int_equal(v, 150000);
    assert_int_equal(N.enforced(d1, &v), NVML_SUCCESS);
    assert_int_equal(v, 150000);
    assert_int_equal(N.default_limit(d1, &v), NVML_SUCCESS);
    assert_int_equal(v, 300000);
    assert_int_equal(N.limit(d0, &v), NVML_SUCCESS);
    assert_int_equal(v, 300000);
    read_file(path, text, sizeof text);
    assert_string_equal(text, "300000\n150000\n");
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    assert_int_equal(access(tmp, F_OK), -1);

    /* Clipping: readings are min(profile, limit). */
    assert_int_equal(probe_in(&g_prof, d1, P_INSTANT, 1), 150000);
    assert_int_equal(probe_in(&g_prof, d0, P_INSTANT, 1), 250000);
    assert_int_equal(probe_in(&g_prof, d1, P_INSTANT, 0), 60000);
    sleep_s(1.05); /* a whole second after the set: the average is clipped too */
    double m0 = mono();
    v = probe_once(d1, P_POWER);
    assert_average(v, fake_lo(m0), fake_hi(mono()), 150);

    /* The limits outlive the process: a fresh init reads the state file. */
    assert_int_equal(N.shutdown(), NVML_SUCCESS);
    start();
    assert_int_equal(N.limit(device(1), &v), NVML_SUCCESS);
    assert_int_equal(v, 150000);
    assert_int_equal(N.limit(device(0), &v), NVML_SUCCESS);
    assert_int_equal(v, 300000);
    assert_int_equal(N.set_limit(device(1), 300000), NVML_SUCCESS);
    read_file(path, text, sizeof text);
    assert_string_equal(text, "300000\n300000\n");
    assert_int_equal(N.shutdown(), NVML_SUCCESS);

    /* A damaged state file fails init rather than being guessed at. */
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("lots\n", f);
    fclose(f);
    assert_int_equal(N.init_v2(), NVML_ERROR_UNKNOWN);
    unlink(path);
}

static void test_init_faults(void **state)
{
    (void)state;
    unsigned n;
    setenv("FAKE_NVML_INIT_ERROR", "9", 1);
    assert_int_equal(N.init_v2(), NVML_ERROR_DRIVER_NOT_LOADED);
    assert_int_equal(N.count(&n), NVML_ERROR_UNINITIALIZED);
    assert_int_equal(N.shutdown(), NVML_ERROR_UNINITIALIZED);
    unsetenv("FAKE_NVML_INIT_ERROR");
    /* A malformed setting is an error too, not a silent default. */
    const char *bad[][2] = {{"FAKE_NVML_PROFILE", "60,2"},   {"FAKE_NVML_GPUS", "65"},
                            {"FAKE_NVML_LOST", "0-1"},       {"FAKE_NVML_UNSUPPORTED", "power,fan"},
                            {"FAKE_NVML_NOISE_W", "loud"},   {"FAKE_NVML_PROFILE", "60,0,250,0"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv(bad[i][0], bad[i][1], 1);
        assert_int_equal(N.init_v2(), NVML_ERROR_UNKNOWN);
        unsetenv(bad[i][0]);
    }
    start();
    assert_int_equal(N.count(&n), NVML_SUCCESS);
}

static void test_lost_gpu(void **state)
{
    (void)state;
    setenv("FAKE_NVML_GPUS", "2", 1);
    setenv("FAKE_NVML_LOST", "1:0.3", 1);
    start();
    nvmlDevice_t d0 = device(0), d1 = device(1);
    unsigned v;
    if (fake_hi(mono()) < 0.3)
        assert_int_equal(N.power(d1, &v), NVML_SUCCESS);
    double wait = 0.32 - fake_lo(mono());
    if (wait > 0)
        sleep_s(wait);
    assert_int_equal(N.power(d1, &v), NVML_ERROR_GPU_IS_LOST);
    assert_int_equal(N.limit(d1, &v), NVML_ERROR_GPU_IS_LOST);
    assert_int_equal(N.set_limit(d1, 200000), NVML_ERROR_GPU_IS_LOST);
    nvmlDevice_t again;
    assert_int_equal(N.handle(1, &again), NVML_ERROR_GPU_IS_LOST);
    nvmlFieldValue_t f[2] = {{.fieldId = FI_INSTANT}, {.fieldId = FI_AVERAGE}};
    assert_int_equal(N.fields(d1, 2, f), NVML_ERROR_GPU_IS_LOST);
    assert_int_equal(f[0].nvmlReturn, NVML_ERROR_GPU_IS_LOST);
    assert_int_equal(f[1].nvmlReturn, NVML_ERROR_GPU_IS_LOST);
    assert_int_equal(N.power(d0, &v), NVML_SUCCESS);
    assert_int_equal(N.fields(d0, 2, f), NVML_SUCCESS);
    assert_int_equal(f[0].nvmlReturn, NVML_SUCCESS);
}

static void test_unsupported(void **state)
{
    (void)state;
    setenv("FAKE_NVML_UNSUPPORTED", "instant,power,energy,util,mem,clock,temp,limit", 1);
    start();
    nvmlDevice_t d = device(0);
    nvmlFieldValue_t f[3] = {{.fieldId = FI_INSTANT}, {.fieldId = FI_AVERAGE}, {.fieldId = 1}};
    assert_int_equal(N.fields(d, 3, f), NVML_SUCCESS);
    assert_int_equal(f[0].nvmlReturn, NVML_ERROR_NOT_SUPPORTED);
    assert_int_equal(f[1].nvmlReturn, NVML_SUCCESS);
    assert_true(f[1].value.uiVal > 0 && f[1].timestamp > 1600000000LL * 1000000);
    assert_int_equal(f[2].nvmlReturn, NVML_ERROR_NOT_SUPPORTED);
    unsigned v, w;
    unsigned long long e;
    nvmlUtilization_t u;
    nvmlMemory_t m;
    assert_int_equal(N.power(d, &v), NVML_ERROR_NOT_SUPPORTED);
    assert_int_equal(N.energy(d, &e), NVML_ERROR_NOT_SUPPORTED);
    assert_int_equal(N.util(d, &u), NVML_ERROR_NOT_SUPPORTED);
    assert_int_equal(N.mem(d, &m), NVML_ERROR_NOT_SUPPORTED);
    assert_int_equal(N.clock(d, CLOCK_SM, &v), NVML_ERROR_NOT_SUPPORTED);
    assert_int_equal(N.temp(d, 0, &v), NVML_ERROR_NOT_SUPPORTED);
    assert_int_equal(N.limit(d, &v), NVML_ERROR_NOT_SUPPORTED);
    assert_int_equal(N.default_limit(d, &v), NVML_ERROR_NOT_SUPPORTED);
    assert_int_equal(N.enforced(d, &v), NVML_ERROR_NOT_SUPPORTED);
    assert_int_equal(N.constraints(d, &v, &w), NVML_ERROR_NOT_SUPPORTED);
    assert_int_equal(N.set_limit(d, 200000), NVML_ERROR_NOT_SUPPORTED);
    assert_int_equal(N.index(d, &v), NVML_SUCCESS);

    assert_int_equal(N.shutdown(), NVML_SUCCESS);
    setenv("FAKE_NVML_UNSUPPORTED", "average", 1);
    start();
    d = device(0);
    assert_int_equal(N.fields(d, 2, f), NVML_SUCCESS);
    assert_int_equal(f[0].nvmlReturn, NVML_SUCCESS);
    assert_int_equal(f[1].nvmlReturn, NVML_ERROR_NOT_SUPPORTED);
    assert_int_equal(N.power(d, &v), NVML_SUCCESS);
    assert_int_equal(N.energy(d, &e), NVML_SUCCESS);
}

static void test_slow_queries(void **state)
{
    (void)state;
    setenv("FAKE_NVML_SLOW_MS", "60", 1);
    start();
    nvmlDevice_t d = device(0);
    unsigned v;
    double m0 = mono();
    assert_int_equal(N.power(d, &v), NVML_SUCCESS);
    assert_true(mono() - m0 >= 0.059);
    m0 = mono();
    assert_int_equal(N.set_limit(d, 200000), NVML_SUCCESS);
    assert_true(mono() - m0 >= 0.059);
}

static void test_set_faults_and_call_log(void **state)
{
    (void)state;
    char logpath[128], text[512];
    scratch_path(logpath, sizeof logpath, "calls.log");
    setenv("FAKE_NVML_SET_ERROR", "4", 1);
    setenv("FAKE_NVML_CALL_LOG", logpath, 1);
    start();
    nvmlDevice_t d = device(0);
    unsigned v;
    assert_int_equal(N.set_limit(d, 200000), NVML_ERROR_NO_PERMISSION);
    assert_int_equal(N.limit(d, &v), NVML_SUCCESS);
    assert_int_equal(v, 300000);
    assert_int_equal(N.shutdown(), NVML_SUCCESS);

    unsetenv("FAKE_NVML_SET_ERROR");
    setenv("FAKE_NVML_SET_FAIL_W", "200", 1);
    start();
    d = device(0);
    assert_int_equal(N.set_limit(d, 200000), NVML_ERROR_UNKNOWN);
    assert_int_equal(N.limit(d, &v), NVML_SUCCESS);
    assert_int_equal(v, 300000);
    assert_int_equal(N.set_limit(d, 210000), NVML_SUCCESS);
    assert_int_equal(N.set_limit(d, 50000), NVML_ERROR_INVALID_ARGUMENT);
    assert_int_equal(N.limit(d, &v), NVML_SUCCESS);
    assert_int_equal(v, 210000);
    read_file(logpath, text, sizeof text);
    assert_string_equal(text, "set 0 200000 4\n"
                              "set 0 200000 999\n"
                              "set 0 210000 0\n"
                              "set 0 50000 2\n");
    unlink(logpath);
}

static void test_noise(void **state)
{
    (void)state;
    setenv("FAKE_NVML_PROFILE", "60,1,60,1", 1);
    setenv("FAKE_NVML_NOISE_W", "5", 1);
    setenv("FAKE_NVML_GPUS", "2", 1);
    start();
    nvmlDevice_t d = device(1);
    unsigned lo = UINT32_MAX, hi = 0;
    double sum = 0;
    const int n = 400;
    for (int i = 0; i < n; i++) {
        unsigned v = probe_once(d, P_INSTANT);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        sum += v;
        sleep_s(0.0002);
    }
    assert_true(lo >= 55000 && hi <= 65000);
    assert_true(hi - lo > 2000); /* it does move */
    assert_true(fabs(sum / n - 60000) < 1000);
    /* The average and the energy are noise-free. */
    assert_int_equal(probe_once(d, P_AVERAGE), 60000);
    assert_int_equal(probe_once(d, P_POWER), 60000);
}

/* The recorder samples on its own thread while the main thread sets limits:
 * readings must keep working and the energy counter never run backwards. */
static void *sampler(void *arg)
{
    nvmlDevice_t d = arg;
    unsigned long long last = 0;
    for (int i = 0; i < 3000; i++) {
        nvmlFieldValue_t f[2] = {{.fieldId = FI_INSTANT}, {.fieldId = FI_AVERAGE}};
        unsigned long long e;
        if (N.fields(d, 2, f) != NVML_SUCCESS || f[0].nvmlReturn || f[1].nvmlReturn ||
            N.energy(d, &e) != NVML_SUCCESS || e < last)
            return (void *)1;
        last = e;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    setenv("FAKE_NVML_PROFILE", "60,0.01,250,0.02", 1);
    start();
    nvmlDevice_t d = device(0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, sampler, d), 0);
    for (int i = 0; i < 300; i++) {
        assert_int_equal(N.set_limit(d, i % 2 ? 120000 : 330000), NVML_SUCCESS);
        sleep_s(0.0001);
    }
    void *res;
    assert_int_equal(pthread_join(th, &res), 0);
    assert_null(res);
}

int main(void)
{
    const char *path = getenv("JC_FAKE_NVML");
    if (!path || !*path) {
        printf("skipped: JC_FAKE_NVML (the fake libnvidia-ml.so.1) is not set\n");
        return 77;
    }
    if (load_library(path) != 0)
        return 1;
    snprintf(g_dir, sizeof g_dir, "/tmp/jc_fake_nvml.XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_refcount_and_errors, reset, reset),
        cmocka_unit_test_setup_teardown(test_devices, reset, reset),
        cmocka_unit_test_setup_teardown(test_square_wave, reset, reset),
        cmocka_unit_test_setup_teardown(test_energy_counter, reset, reset),
        cmocka_unit_test_setup_teardown(test_power_usage_is_one_second_average, reset, reset),
        cmocka_unit_test_setup_teardown(test_limits_and_persistence, reset, reset),
        cmocka_unit_test_setup_teardown(test_init_faults, reset, reset),
        cmocka_unit_test_setup_teardown(test_lost_gpu, reset, reset),
        cmocka_unit_test_setup_teardown(test_unsupported, reset, reset),
        cmocka_unit_test_setup_teardown(test_slow_queries, reset, reset),
        cmocka_unit_test_setup_teardown(test_set_faults_and_call_log, reset, reset),
        cmocka_unit_test_setup_teardown(test_noise, reset, reset),
        cmocka_unit_test_setup_teardown(test_threads, reset, reset),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(g_dir); /* empty unless a test failed midway: then keep the evidence */
    dlclose(N.lib);
    return failed;
}
