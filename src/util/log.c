/* Levelled logging to stderr. Library code logs warnings here (never to
 * stdout, which belongs to the command's output). */
#include "joulecast/util.h"

#include <stdarg.h>
#include <string.h>
#include <strings.h>

static jc_log_level current_level = JC_LOG_WARN;

void jc_log_set_level(jc_log_level level) { current_level = level; }
jc_log_level jc_log_get_level(void) { return current_level; }

int jc_log_level_parse(const char *name)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    for (int i = 0; i < 4; i++)
        if (name && strcasecmp(name, names[i]) == 0)
            return i;
    return -1;
}

void jc_log(jc_log_level level, const char *fmt, ...)
{
    static const char *prefix[] = {"error", "warning", "info", "debug"};
    if (level > current_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    /* One fprintf per line would interleave under threads; build it first. */
    char buf[2048];
    int k = snprintf(buf, sizeof buf, "joulecast: %s: ", prefix[level]);
    if (k < 0)
        k = 0;
    vsnprintf(buf + k, sizeof buf - (size_t)k, fmt, ap);
    va_end(ap);
    size_t len = strlen(buf);
    if (len == 0 || buf[len - 1] != '\n') {
        if (len + 1 < sizeof buf) {
            buf[len++] = '\n';
            buf[len] = '\0';
        }
    }
    fputs(buf, stderr);
}
