/* Small shared helpers: growable buffers, clocks, calendar arithmetic,
 * atomic file replacement (write a temporary, fsync, rename). */
#include "joulecast/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int jc_grow(void **buf, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return JC_OK;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / size)
            return jc_fail(JC_ERR_NOMEM, "buffer of %zu elements is too large", need);
        ncap *= 2;
    }
    void *p = realloc(*buf, ncap * size);
    if (!p)
        return jc_fail(JC_ERR_NOMEM, "out of memory growing a buffer to %zu elements", ncap);
    *buf = p;
    *cap = ncap;
    return JC_OK;
}

double jc_now_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int64_t jc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

char *jc_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

struct jc_atomic_file {
    char *path, *tmp;
    FILE *stream;
};

int jc_atomic_open(const char *path, jc_atomic_file **out, FILE **stream)
{
    *out = NULL;
    *stream = NULL;
    jc_atomic_file *f = calloc(1, sizeof *f);
    if (!f)
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    size_t n = strlen(path) + 48;
    f->path = jc_strdup(path);
    f->tmp = malloc(n);
    if (!f->path || !f->tmp) {
        free(f->path);
        free(f->tmp);
        free(f);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    snprintf(f->tmp, n, "%s.tmp.%ld", path, (long)getpid());
    f->stream = fopen(f->tmp, "wb");
    if (!f->stream) {
        int e = errno;
        free(f->path);
        free(f->tmp);
        free(f);
        return jc_fail(JC_ERR_IO, "cannot write %s: %s", path, strerror(e));
    }
    *out = f;
    *stream = f->stream;
    return JC_OK;
}

static void atomic_free(jc_atomic_file *f)
{
    free(f->path);
    free(f->tmp);
    free(f);
}

int jc_atomic_commit(jc_atomic_file *f)
{
    if (!f)
        return jc_fail(JC_ERR_INVALID, "no file to commit");
    int bad = ferror(f->stream);
    if (fflush(f->stream) != 0)
        bad = 1;
    if (!bad && fsync(fileno(f->stream)) != 0 && errno != EINVAL)
        bad = 1;
    int e = errno;
    if (fclose(f->stream) != 0)
        bad = 1;
    if (bad) {
        remove(f->tmp);
        int rc = jc_fail(JC_ERR_IO, "cannot write %s: %s", f->path, strerror(e ? e : EIO));
        atomic_free(f);
        return rc;
    }
    if (rename(f->tmp, f->path) != 0) {
        e = errno;
        remove(f->tmp);
        int rc = jc_fail(JC_ERR_IO, "cannot replace %s: %s", f->path, strerror(e));
        atomic_free(f);
        return rc;
    }
    atomic_free(f);
    return JC_OK;
}

void jc_atomic_abort(jc_atomic_file *f)
{
    if (!f)
        return;
    fclose(f->stream);
    remove(f->tmp);
    atomic_free(f);
}
