/* Helpers shared by the subcommands: option parsing with messages that name
 * the option, and human-friendly formatting. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "cli.h"
#include "joulecast/util.h"

const char *jc_fmt_duration(double s, char *buf)
{
    if (!isfinite(s)) {
        snprintf(buf, 32, "-");
        return buf;
    }
    if (s < 60) {
        snprintf(buf, 32, "%.1f s", s);
        return buf;
    }
    long t = lround(s);
    long h = t / 3600, m = (t / 60) % 60, sec = t % 60;
    if (h)
        snprintf(buf, 32, "%ldh %02ldm %02lds", h, m, sec);
    else
        snprintf(buf, 32, "%ldm %02lds", m, sec);
    return buf;
}

int jc_parse_int_opt(const char *opt, const char *val, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(val ? val : "", &end, 10);
    if (!val || end == val || *end || errno || v < lo || v > hi) {
        fprintf(stderr, "joulecast: error: %s: expected an integer from %ld to %ld, got '%s'\n", opt, lo, hi,
                val ? val : "");
        return -1;
    }
    *out = v;
    return 0;
}

int jc_parse_double_opt(const char *opt, const char *val, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(val ? val : "", &end);
    if (!val || end == val || *end || errno || !(v >= lo && v <= hi)) {
        fprintf(stderr, "joulecast: error: %s: expected a number from %g to %g, got '%s'\n", opt, lo, hi,
                val ? val : "");
        return -1;
    }
    *out = v;
    return 0;
}

void jc_print_error(void)
{
    fprintf(stderr, "joulecast: error: %s\n", jc_last_error());
}
