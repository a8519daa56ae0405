/* util: the ground every other module stands on.
 * Error reporting (jc_last_error, with file/line/column), stderr logging with
 * levels, a progress bar that draws only on a terminal, a seeded RNG, and
 * small helpers (growable buffers, wall-clock time). Library code never prints
 * to stdout and never exits; it returns a negative jc_status and leaves a
 * message here. */
#ifndef JOULECAST_UTIL_H
#define JOULECAST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define JC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define JC_PRINTF(a, b)
#endif

/* Every library function returns 0 (JC_OK) or one of these. */
typedef enum {
    JC_OK = 0,
    JC_ERR_IO = -1,       /* file missing, unreadable, unwritable */
    JC_ERR_PARSE = -2,    /* input present but not what was expected */
    JC_ERR_INVALID = -3,  /* bad argument or option value */
    JC_ERR_NOMEM = -4,    /* allocation failed */
    JC_ERR_EMPTY = -5,    /* input holds no usable data */
    JC_ERR_UNSUPPORTED = -6,
    JC_ERR_INTERNAL = -7
} jc_status;

/* Message of the last error raised on this thread, "" if none. Like
 * XGBGetLastError: valid until the next failing call on the same thread. */
const char *jc_last_error(void);
/* Where the last error was, when it came from a file (file may be NULL). */
const char *jc_last_error_file(void);
long jc_last_error_line(void);
long jc_last_error_column(void);
void jc_clear_error(void);

/* Raise an error and return status, so that `return jc_fail(...)` reads well.
 * The message is formatted as "FILE:LINE:COL: text" when a location is given
 * (line/column 0 means unknown). */
int jc_fail(int status, const char *fmt, ...) JC_PRINTF(2, 3);
int jc_fail_at(int status, const char *file, long line, long column,
               const char *fmt, ...) JC_PRINTF(5, 6);

const char *jc_status_name(int status);

/* ---- logging to stderr ---- */
typedef enum { JC_LOG_ERROR = 0, JC_LOG_WARN, JC_LOG_INFO, JC_LOG_DEBUG } jc_log_level;
void jc_log_set_level(jc_log_level level);
jc_log_level jc_log_get_level(void);
/* Parse "error|warn|info|debug"; returns -1 if unknown. */
int jc_log_level_parse(const char *name);
void jc_log(jc_log_level level, const char *fmt, ...) JC_PRINTF(2, 3);
#define jc_error(...) jc_log(JC_LOG_ERROR, __VA_ARGS__)
#define jc_warn(...) jc_log(JC_LOG_WARN, __VA_ARGS__)
#define jc_info(...) jc_log(JC_LOG_INFO, __VA_ARGS__)
#define jc_debug(...) jc_log(JC_LOG_DEBUG, __VA_ARGS__)

/* ---- progress bar ----
 * Draws on stderr only when stderr is a terminal (and JC_NO_PROGRESS is not
 * set), at most ~10 times a second; otherwise every call is a cheap no-op. */
typedef struct jc_progress jc_progress;
jc_progress *jc_progress_begin(const char *label, double total);
void jc_progress_update(jc_progress *p, double done);
void jc_progress_end(jc_progress *p);
/* For tests: force drawing on (1) or off (0) regardless of the terminal. */
void jc_progress_force(FILE *stream, int enabled);

/* ---- seeded RNG (xoshiro256**, seeded through splitmix64) ----
 * Same seed, same stream on every platform. */
typedef struct { uint64_t s[4]; } jc_rng;
void jc_rng_seed(jc_rng *rng, uint64_t seed);
uint64_t jc_rng_next(jc_rng *rng);
double jc_rng_uniform(jc_rng *rng);            /* [0, 1) */
uint64_t jc_rng_below(jc_rng *rng, uint64_t n); /* [0, n), unbiased */
double jc_rng_normal(jc_rng *rng);             /* N(0, 1) */
/* Independent stream number k from the same seed (for per-thread work whose
 * result must not depend on the thread count). */
void jc_rng_split(const jc_rng *parent, uint64_t k, jc_rng *child);

/* ---- growable buffers ---- */
/* Ensure *buf has room for `need` elements of `size` bytes; grows
 * geometrically. Returns JC_OK or JC_ERR_NOMEM (the old buffer is kept). */
int jc_grow(void **buf, size_t *cap, size_t need, size_t size);

/* ---- time ---- */
double jc_now_monotonic(void); /* seconds, monotonic clock */
/* Days since 1970-01-01 of a proleptic Gregorian date (no time zone). */
int64_t jc_days_from_civil(int64_t y, unsigned m, unsigned d);

/* ---- files ---- */
/* Write a whole file atomically: writes PATH.tmp.PID then renames, so a crash
 * or error never leaves a half-written file in place of a good one. */
typedef struct jc_atomic_file jc_atomic_file;
int jc_atomic_open(const char *path, jc_atomic_file **out, FILE **stream);
int jc_atomic_commit(jc_atomic_file *f);  /* fsync+rename; frees f */
void jc_atomic_abort(jc_atomic_file *f);  /* remove temp; frees f */

char *jc_strdup(const char *s);

/* ---- shipped data (data/) ----
 * The folder: $JOULECAST_DATA when set, else the source tree's data/ as
 * recorded at build time. jc_data_path writes DIR/name into buf. */
const char *jc_data_dir(void);
int jc_data_path(const char *name, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
