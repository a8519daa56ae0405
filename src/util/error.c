/* Thread-local last-error store behind jc_last_error(), and the jc_fail
 * helpers every module uses to raise an error and return its status in one
 * statement. */
#include "joulecast/util.h"

#include <stdarg.h>
#include <string.h>

static _Thread_local char last_message[1024];
static _Thread_local char last_file[512];
static _Thread_local long last_line, last_column;

const char *jc_last_error(void) { return last_message; }
const char *jc_last_error_file(void) { return last_file[0] ? last_file : NULL; }
long jc_last_error_line(void) { return last_line; }
long jc_last_error_column(void) { return last_column; }

void jc_clear_error(void)
{
    last_message[0] = '\0';
    last_file[0] = '\0';
    last_line = last_column = 0;
}

static void set_message(const char *file, long line, long column, const char *fmt, va_list ap)
{
    size_t off = 0;
    last_message[0] = '\0';
    if (file) {
        /* file:line:column, the shape compilers use, so editors can jump there */
        int k;
        if (line > 0 && column > 0)
            k = snprintf(last_message, sizeof last_message, "%s:%ld:%ld: ", file, line, column);
        else if (line > 0)
            k = snprintf(last_message, sizeof last_message, "%s:%ld: ", file, line);
        else
            k = snprintf(last_message, sizeof last_message, "%s: ", file);
        if (k > 0)
            off = (size_t)k < sizeof last_message ? (size_t)k : sizeof last_message - 1;
    }
    vsnprintf(last_message + off, sizeof last_message - off, fmt, ap);
    snprintf(last_file, sizeof last_file, "%s", file ? file : "");
    last_line = line;
    last_column = column;
}

int jc_fail(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_message(NULL, 0, 0, fmt, ap);
    va_end(ap);
    return status;
}

int jc_fail_at(int status, const char *file, long line, long column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_message(file, line, column, fmt, ap);
    va_end(ap);
    return status;
}

const char *jc_status_name(int status)
{
    switch (status) {
    case JC_OK: return "ok";
    case JC_ERR_IO: return "i/o error";
    case JC_ERR_PARSE: return "parse error";
    case JC_ERR_INVALID: return "invalid argument";
    case JC_ERR_NOMEM: return "out of memory";
    case JC_ERR_EMPTY: return "no usable data";
    case JC_ERR_UNSUPPORTED: return "unsupported";
    case JC_ERR_INTERNAL: return "internal error";
    default: return "unknown error";
    }
}
