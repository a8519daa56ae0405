/* A progress bar for long work. It draws on stderr only when stderr is a
 * terminal, so pipes, logs and CI output stay clean, and redraws at most ten
 * times a second so that calling it in a hot loop costs next to nothing. */
#include "joulecast/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct jc_progress {
    char label[64];
    double total, done;
    double start, last_draw;
    FILE *stream;
    int enabled;
};

static int forced = -1;
static FILE *forced_stream;

void jc_progress_force(FILE *stream, int enabled)
{
    forced = enabled;
    forced_stream = stream;
}

static void draw(jc_progress *p, int final)
{
    double frac = p->total > 0 ? p->done / p->total : 0;
    if (frac < 0) frac = 0;
    if (frac > 1) frac = 1;
    const int width = 30;
    int fill = (int)(frac * width + 0.5);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    double elapsed = jc_now_monotonic() - p->start;
    double left = frac > 0 ? elapsed * (1 - frac) / frac : 0;
    fprintf(p->stream, "\r%s [%s] %5.1f%%  %.0fs left ", p->label, bar, 100 * frac, final ? 0 : left);
    if (final)
        fputc('\n', p->stream);
    fflush(p->stream);
}

jc_progress *jc_progress_begin(const char *label, double total)
{
    jc_progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    snprintf(p->label, sizeof p->label, "%s", label ? label : "");
    p->total = total;
    p->start = p->last_draw = jc_now_monotonic();
    if (forced >= 0) {
        p->enabled = forced;
        p->stream = forced_stream ? forced_stream : stderr;
    } else {
        p->enabled = isatty(STDERR_FILENO) && !getenv("JC_NO_PROGRESS");
        p->stream = stderr;
    }
    return p;
}

void jc_progress_update(jc_progress *p, double done)
{
    if (!p || !p->enabled)
        return;
    p->done = done;
    double now = jc_now_monotonic();
    if (now - p->last_draw < 0.1)
        return;
    p->last_draw = now;
    draw(p, 0);
}

void jc_progress_end(jc_progress *p)
{
    if (!p)
        return;
    if (p->enabled) {
        p->done = p->total;
        draw(p, 1);
    }
    free(p);
}
