/* plot: renders a jc_plot to SVG or PNG through cairo.
 * Margins are sized from the measured text, ticks are 1/2/5 x 10^k, series
 * denser than the pixel grid are reduced per pixel column before drawing. */
#include "joulecast/plot.h"
#include "joulecast/util.h"

#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { DEFAULT_W = 1000, DEFAULT_H = 500, MIN_W = 120, MIN_H = 100, MAX_DIM = 32767 };

#define FONT_FAMILY "sans-serif"
#define TITLE_SIZE 17.0
#define LABEL_SIZE 14.0
#define TICK_SIZE 12.0
#define LEGEND_SIZE 12.0
#define OUTER_PAD 12.0
#define TICK_LEN 5.0
#define TICK_GAP 4.0
/* Beyond cairo's 24.8 fixed-point range coordinates wrap around, so points far
 * off the chart are pulled in to a distance that is still invisible. */
#define COORD_LIMIT 1e5
#define MAX_TICKS 64
#define PI 3.14159265358979323846

/* Okabe-Ito, reordered so neighbours contrast most and yellow (weak on white)
 * comes last. */
static const unsigned PALETTE[] = {0x0072B2, 0xD55E00, 0x009E73, 0xE69F00,
                                   0xCC79A7, 0x56B4E9, 0x000000, 0xF0E442};
#define PALETTE_N (sizeof PALETTE / sizeof PALETTE[0])

typedef struct {
    double lo, hi;
} span;

typedef struct {
    double v[MAX_TICKS];
    int n;
    double step;
} ticks;

/* Everything the drawing passes share: the page, the plot rectangle, ranges. */
typedef struct {
    cairo_t *cr;
    const jc_plot *p;
    int W, H;
    double left, top, pw, ph;
    span x, y;
    ticks xt, yt;
} chart;

/* ---------------------------------------------------------------- text */

/* cairo refuses a whole string (and poisons the context) on one bad UTF-8
 * byte; labels often come from file names, so bad bytes become '?'. */
static char *clean_utf8(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < n) {
        unsigned c = u[i];
        size_t len = 0;
        uint32_t cp = 0, minv = 0;
        if (c < 0x80) {
            out[o++] = c < 0x20 ? ' ' : (char)c;
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1F, minv = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0F, minv = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07, minv = 0x10000;
        }
        int ok = len > 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; k++) {
            if ((u[i + k] & 0xC0) != 0x80)
                ok = 0;
            else
                cp = (cp << 6) | (u[i + k] & 0x3F);
        }
        if (ok && (cp < minv || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
            ok = 0;
        if (ok) {
            memcpy(out + o, s + i, len);
            o += len;
            i += len;
        } else {
            out[o++] = '?';
            i++;
        }
    }
    out[o] = '\0';
    return out;
}

static int has_text(const char *s) { return s && *s; }

static void set_font(cairo_t *cr, double size, int bold)
{
    cairo_select_font_face(cr, FONT_FAMILY, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

static double text_width(cairo_t *cr, const char *s)
{
    if (!has_text(s))
        return 0;
    char *c = clean_utf8(s);
    if (!c)
        return 0;
    cairo_text_extents_t te;
    cairo_text_extents(cr, c, &te);
    free(c);
    return te.x_advance;
}

/* Height of a line of text in the current font (ascent + descent). */
static double line_height(cairo_t *cr)
{
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    return fe.ascent + fe.descent;
}

/* Draw s with its box's (ax, ay) point at (x, y); ax/ay in 0..1 of the
 * advance width and of ascent+descent, so 0.5/0.5 centres it. */
static void draw_text(cairo_t *cr, const char *s, double x, double y, double ax, double ay)
{
    if (!has_text(s))
        return;
    char *c = clean_utf8(s);
    if (!c)
        return;
    cairo_text_extents_t te;
    cairo_font_extents_t fe;
    cairo_text_extents(cr, c, &te);
    cairo_font_extents(cr, &fe);
    double h = fe.ascent + fe.descent;
    cairo_move_to(cr, x - ax * te.x_advance, y - ay * h + fe.ascent);
    cairo_show_text(cr, c);
    free(c);
}

/* s cut to whole characters plus an ellipsis so that it fits in avail;
 * NULL when out of memory. */
static char *fit_text(cairo_t *cr, const char *s, double avail)
{
    char *c = clean_utf8(s);
    if (!c || text_width(cr, c) <= avail)
        return c;
    size_t n = strlen(c);
    char *buf = malloc(n + 4);
    if (!buf) {
        free(c);
        return NULL;
    }
    while (n > 0) {
        do /* back up to the start of a UTF-8 character */
            n--;
        while (n > 0 && ((unsigned char)c[n] & 0xC0) == 0x80);
        memcpy(buf, c, n);
        memcpy(buf + n, "\xe2\x80\xa6", 4);
        if (text_width(cr, buf) <= avail)
            break;
    }
    if (n == 0)
        memcpy(buf, "\xe2\x80\xa6", 4);
    free(c);
    return buf;
}

/* draw_text after fit_text. */
static void draw_fitted(cairo_t *cr, const char *s, double avail, double x, double y,
                        double ax, double ay)
{
    if (!has_text(s))
        return;
    char *f = fit_text(cr, s, avail);
    if (f)
        draw_text(cr, f, x, y, ax, ay);
    free(f);
}

static void set_rgb(cairo_t *cr, unsigned rgb, double alpha)
{
    cairo_set_source_rgba(cr, ((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0,
                          (rgb & 0xFF) / 255.0, alpha);
}

/* ---------------------------------------------------------------- ranges */

/* A step series holds y[i] until x[i+1], so that x belongs to the range too. */
static void series_extent(const jc_plot_series *s, span *x, span *y, int *have)
{
    for (size_t i = 0; i < s->n; i++) {
        double xi = s->x[i], yi = s->y[i];
        if (!isfinite(xi) || !isfinite(yi))
            continue;
        if (!*have) {
            x->lo = x->hi = xi;
            y->lo = y->hi = yi;
            *have = 1;
        }
        x->lo = fmin(x->lo, xi);
        x->hi = fmax(x->hi, xi);
        y->lo = fmin(y->lo, yi);
        y->hi = fmax(y->hi, yi);
        if (s->style == JC_PLOT_STEP && i + 1 < s->n && isfinite(s->x[i + 1])) {
            x->lo = fmin(x->lo, s->x[i + 1]);
            x->hi = fmax(x->hi, s->x[i + 1]);
        }
    }
}

/* Widen a zero-width range around its value so the scale has a denominator. */
static void widen(span *r)
{
    if (r->hi > r->lo)
        return;
    double v = r->lo;
    double half = v != 0 ? fabs(v) * 0.1 : 1.0;
    r->lo = v - half;
    r->hi = v + half;
}

static int compute_ranges(const jc_plot *p, span *xr, span *yr)
{
    int have = 0;
    span x = {0, 1}, y = {0, 1};
    for (size_t i = 0; i < p->nseries; i++)
        series_extent(&p->series[i], &x, &y, &have);
    int have_x = have, have_y = have;
    for (size_t i = 0; i < p->nhlines; i++) {
        double v = p->hlines[i].y;
        if (!isfinite(v))
            continue;
        if (!have_y) {
            y.lo = y.hi = v;
            have_y = 1;
        }
        y.lo = fmin(y.lo, v);
        y.hi = fmax(y.hi, v);
    }
    if (!have_x)
        x = (span){0, 1};
    if (!have_y)
        y = (span){0, 1};

    widen(&x);
    double dx = (x.hi - x.lo) * 0.02;
    x.lo -= dx;
    x.hi += dx;

    int manual = !(p->ymin == 0 && p->ymax == 0);
    if (manual) {
        y.lo = p->ymin;
        y.hi = p->ymax;
    } else {
        if (p->y_from_zero) {
            y.lo = fmin(y.lo, 0);
            y.hi = fmax(y.hi, 0);
        }
        if (p->y_from_zero && y.lo == 0 && y.hi == 0)
            y.hi = 1;
        widen(&y);
        double dy = (y.hi - y.lo) * 0.05;
        /* A range that starts at zero on purpose should touch the axis. */
        if (!(p->y_from_zero && y.lo == 0))
            y.lo -= dy;
        if (!(p->y_from_zero && y.hi == 0))
            y.hi += dy;
    }
    if (!isfinite(x.hi - x.lo) || !isfinite(y.hi - y.lo))
        return jc_fail(JC_ERR_INVALID, "plot data range is too large to draw "
                                       "(x %g..%g, y %g..%g)", x.lo, x.hi, y.lo, y.hi);
    *xr = x;
    *yr = y;
    return JC_OK;
}

/* ---------------------------------------------------------------- ticks */

/* Smallest 1, 2 or 5 x 10^k not below raw. */
static double nice_step(double raw)
{
    double e = floor(log10(raw));
    double mag = pow(10, e);
    double f = raw / mag;
    double m = f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10;
    return m * mag;
}

static double next_step(double step) { return nice_step(step * 1.5); }

static void make_ticks(span r, double step, ticks *t)
{
    t->step = step;
    t->n = 0;
    double k0 = ceil(r.lo / step - 1e-9), k1 = floor(r.hi / step + 1e-9);
    for (double k = k0; k <= k1 && t->n < MAX_TICKS; k++) {
        double v = k * step;
        if (fabs(v) < step * 1e-9)
            v = 0; /* no "-0" label */
        t->v[t->n++] = v;
    }
}

/* All labels of one axis share the step's precision, so 0.5 steps read
 * 0.0, 0.5, 1.0 and large or tiny magnitudes switch to exponents. */
static void format_tick(char *buf, size_t n, double v, double step, span r)
{
    if (v == 0) {
        snprintf(buf, n, "0");
        return;
    }
    double maxabs = fmax(fabs(r.lo), fabs(r.hi));
    int estep = (int)floor(log10(step) + 1e-9);
    if (maxabs >= 1e6 || maxabs < 1e-3) {
        int digits = (int)floor(log10(maxabs)) - estep;
        digits = digits < 0 ? 0 : digits > 12 ? 12 : digits;
        snprintf(buf, n, "%.*e", digits, v);
    } else {
        int dec = estep < 0 ? -estep : 0;
        snprintf(buf, n, "%.*f", dec > 12 ? 12 : dec, v);
    }
}

static double max_label_width(cairo_t *cr, const ticks *t, span r)
{
    double w = 0;
    char buf[64];
    for (int i = 0; i < t->n; i++) {
        format_tick(buf, sizeof buf, t->v[i], t->step, r);
        w = fmax(w, text_width(cr, buf));
    }
    return w;
}

/* Y ticks: the finest 1/2/5 step that leaves 40 px, and at least two text
 * lines, between neighbours. */
static void choose_yticks(cairo_t *cr, span r, double len, ticks *t)
{
    double gap = fmax(40, 1.8 * line_height(cr));
    double step = nice_step((r.hi - r.lo) / fmax(1, len / gap));
    while ((r.hi - r.lo) / step > MAX_TICKS - 1)
        step = next_step(step);
    make_ticks(r, step, t);
}

/* X ticks: as for y with 70 px, then widen the step until the widest label
 * fits between neighbours. */
static void choose_xticks(cairo_t *cr, span r, double len, ticks *t)
{
    double step = nice_step((r.hi - r.lo) / fmax(1, len / 70));
    for (int guard = 0; guard < 40; guard++) {
        if ((r.hi - r.lo) / step <= MAX_TICKS - 1) {
            make_ticks(r, step, t);
            if (step / (r.hi - r.lo) * len >= max_label_width(cr, t, r) + 16)
                return;
        }
        step = next_step(step);
    }
    make_ticks(r, step, t);
}

/* ---------------------------------------------------------------- mapping */

static double clampc(double v) { return v < -COORD_LIMIT ? -COORD_LIMIT : v > COORD_LIMIT ? COORD_LIMIT : v; }

static double map_x(const chart *c, double x)
{
    return clampc(c->left + (x - c->x.lo) / (c->x.hi - c->x.lo) * c->pw);
}

static double map_y(const chart *c, double y)
{
    return clampc(c->top + c->ph - (y - c->y.lo) / (c->y.hi - c->y.lo) * c->ph);
}

/* ---------------------------------------------------------------- path sink */

/* Consumers of the reduced vertex stream: cairo for drawing, and a counter of
 * how much of each candidate legend box the data crosses. */
typedef struct {
    double x0, y0, x1, y1;
} rect;

typedef struct {
    cairo_t *cr;      /* draw into cr when set */
    const rect *boxes; /* else count hits on these */
    int nboxes;
    double *hits;      /* length of data inside each box, in px */
    double *lone;     /* x,y pairs of points with no neighbour to join */
    size_t nlone, caplone;
    int pen;          /* a subpath is open */
    size_t npts;      /* vertices in the open subpath */
    double px, py;    /* last vertex emitted */
} out_path;

/* Length of the part of a segment inside r (Liang-Barsky clip), plus one so
 * that a point counts; 0 when it misses r. */
static double seg_in_rect(double x0, double y0, double x1, double y1, const rect *r)
{
    double t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
    double pq[4][2] = {{-dx, x0 - r->x0}, {dx, r->x1 - x0}, {-dy, y0 - r->y0}, {dy, r->y1 - y0}};
    for (int i = 0; i < 4; i++) {
        double pp = pq[i][0], q = pq[i][1];
        if (pp == 0) {
            if (q < 0)
                return 0;
            continue;
        }
        double t = q / pp;
        if (pp < 0) {
            if (t > t1)
                return 0;
            if (t > t0)
                t0 = t;
        } else {
            if (t < t0)
                return 0;
            if (t < t1)
                t1 = t;
        }
    }
    return 1 + (t1 - t0) * hypot(dx, dy);
}

static void out_vertex(out_path *o, double x, double y)
{
    if (o->cr) {
        if (o->pen)
            cairo_line_to(o->cr, x, y);
        else
            cairo_move_to(o->cr, x, y);
    } else {
        for (int b = 0; b < o->nboxes; b++) {
            double x0 = o->pen ? o->px : x, y0 = o->pen ? o->py : y;
            o->hits[b] += seg_in_rect(x0, y0, x, y, &o->boxes[b]);
        }
    }
    o->pen = 1;
    o->npts++;
    o->px = x;
    o->py = y;
}

static void out_break(out_path *o)
{
    /* A lone point between gaps would vanish as a zero-length segment; it
     * is kept to be drawn as a dot. */
    if (o->cr && o->pen && o->npts == 1) {
        if (o->nlone == o->caplone) {
            size_t cap = o->caplone ? 2 * o->caplone : 64;
            double *p = realloc(o->lone, cap * 2 * sizeof *p);
            if (p) { /* out of memory only costs the dot */
                o->lone = p;
                o->caplone = cap;
            }
        }
        if (o->nlone < o->caplone) {
            o->lone[2 * o->nlone] = o->px;
            o->lone[2 * o->nlone + 1] = o->py;
            o->nlone++;
        }
    }
    o->pen = 0;
    o->npts = 0;
}

/* Per pixel column keep the first, lowest, highest and last vertex, in their
 * original order: the drawn line then covers exactly the pixels the full
 * line would (the "M4" reduction). */
typedef struct {
    out_path *out;
    int reduce;
    long col;
    int nb;
    size_t seq;
    size_t sf, sl, smin, smax;
    double fx, fy, lx, ly, minx, miny, maxx, maxy;
} reducer;

typedef struct {
    size_t s;
    double x, y;
} bucket_pt;

static void red_flush(reducer *r)
{
    if (r->nb == 0)
        return;
    bucket_pt v[4] = {{r->sf, r->fx, r->fy}, {r->smin, r->minx, r->miny},
              {r->smax, r->maxx, r->maxy}, {r->sl, r->lx, r->ly}};
    /* min and max may come in either order between first and last. */
    if (v[1].s > v[2].s) {
        bucket_pt t = v[1];
        v[1] = v[2];
        v[2] = t;
    }
    size_t last = (size_t)-1;
    for (int i = 0; i < 4; i++) {
        if (v[i].s == last)
            continue;
        out_vertex(r->out, v[i].x, v[i].y);
        last = v[i].s;
    }
    r->nb = 0;
}

static void red_vertex(reducer *r, double x, double y)
{
    if (!r->reduce) {
        out_vertex(r->out, x, y);
        return;
    }
    long col = (long)floor(x);
    if (r->nb && col != r->col)
        red_flush(r);
    size_t s = r->seq++;
    if (r->nb == 0) {
        r->col = col;
        r->sf = r->sl = r->smin = r->smax = s;
        r->fx = r->lx = r->minx = r->maxx = x;
        r->fy = r->ly = r->miny = r->maxy = y;
        r->nb = 1;
        return;
    }
    r->nb++;
    r->sl = s, r->lx = x, r->ly = y;
    if (y < r->miny)
        r->smin = s, r->minx = x, r->miny = y;
    if (y > r->maxy)
        r->smax = s, r->maxx = x, r->maxy = y;
}

static void red_break(reducer *r)
{
    red_flush(r);
    out_break(r->out);
}

static int x_sorted(const jc_plot_series *s)
{
    double prev = -INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        if (!isfinite(s->x[i]))
            continue;
        if (s->x[i] < prev)
            return 0;
        prev = s->x[i];
    }
    return 1;
}

/* Feed a line or step series through the reducer into out. */
static void trace_series(const chart *c, const jc_plot_series *s, out_path *o)
{
    reducer r = {.out = o};
    size_t verts = s->style == JC_PLOT_STEP ? 2 * s->n : s->n;
    /* Reduction needs columns visited left to right; unsorted x is drawn as is. */
    r.reduce = verts > (size_t)(2 * c->pw) && x_sorted(s);
    for (size_t i = 0; i < s->n; i++) {
        double xi = s->x[i], yi = s->y[i];
        if (!isfinite(xi) || !isfinite(yi)) {
            red_break(&r);
            continue;
        }
        double py = map_y(c, yi);
        red_vertex(&r, map_x(c, xi), py);
        if (s->style == JC_PLOT_STEP && i + 1 < s->n) {
            if (isfinite(s->x[i + 1]))
                red_vertex(&r, map_x(c, s->x[i + 1]), py);
            else
                red_break(&r);
        }
    }
    red_break(&r);
}

/* ---------------------------------------------------------------- series */

static unsigned series_color(const jc_plot *p, size_t idx)
{
    const jc_plot_series *s = &p->series[idx];
    if (!s->auto_color || s->rgb != 0)
        return s->rgb;
    size_t k = 0; /* palette slot: count of earlier palette-coloured series */
    for (size_t i = 0; i < idx; i++)
        if (p->series[i].auto_color && p->series[i].rgb == 0)
            k++;
    return PALETTE[k % PALETTE_N];
}

static double series_width(const jc_plot_series *s)
{
    return s->width > 0 && isfinite(s->width) ? s->width : 1.5;
}

static double series_alpha(const jc_plot_series *s)
{
    return s->alpha > 0 && s->alpha <= 1 ? s->alpha : 1.0;
}

static double dot_radius(const jc_plot_series *s) { return series_width(s) + 1.0; }

/* Dense scatter: a dot is skipped when one already covers its grid cell, so
 * the work is bounded by the plot area, not by the number of points. Past
 * RASTER_POINTS the dots go into a pixel mask that is painted once, which
 * keeps an SVG of a million points small. */
#define RASTER_POINTS 20000
static int draw_points(const chart *c, const jc_plot_series *s)
{
    double rad = dot_radius(s);
    double gx0 = c->left - rad, gy0 = c->top - rad;
    double cell = 1.0;
    double area = (c->pw + 2 * rad) * (c->ph + 2 * rad);
    if (area > 4e6)
        cell = sqrt(area / 4e6);
    size_t gw = (size_t)ceil((c->pw + 2 * rad) / cell) + 1;
    size_t gh = (size_t)ceil((c->ph + 2 * rad) / cell) + 1;
    unsigned char *seen = NULL;
    if (s->n > 4096) {
        seen = calloc(gw * gh, 1);
        if (!seen)
            return jc_fail(JC_ERR_NOMEM, "out of memory drawing %zu points", s->n);
    }
    cairo_t *cr = c->cr;
    cairo_surface_t *mask = NULL;
    double ox = floor(gx0) - 1, oy = floor(gy0) - 1;
    if (s->n > RASTER_POINTS) {
        mask = cairo_image_surface_create(CAIRO_FORMAT_A8, (int)ceil(c->pw + 2 * rad) + 3,
                                          (int)ceil(c->ph + 2 * rad) + 3);
        cr = cairo_create(mask);
        if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
            cairo_destroy(cr);
            cairo_surface_destroy(mask);
            free(seen);
            return jc_fail(JC_ERR_NOMEM, "out of memory drawing %zu points", s->n);
        }
        cairo_translate(cr, -ox, -oy);
        cairo_set_source_rgba(cr, 0, 0, 0, 1);
    }
    size_t inpath = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!isfinite(s->x[i]) || !isfinite(s->y[i]))
            continue;
        double px = map_x(c, s->x[i]), py = map_y(c, s->y[i]);
        if (seen) {
            double fx = (px - gx0) / cell, fy = (py - gy0) / cell;
            if (fx < 0 || fy < 0 || fx >= (double)gw || fy >= (double)gh)
                continue; /* outside the plot, clipped anyway */
            size_t k = (size_t)fy * gw + (size_t)fx;
            if (seen[k])
                continue;
            seen[k] = 1;
        }
        cairo_new_sub_path(cr);
        cairo_arc(cr, px, py, rad, 0, 2 * PI);
        /* Fill in batches: one path of a million arcs is slow to tessellate. */
        if (++inpath == 2048) {
            cairo_fill(cr);
            inpath = 0;
        }
    }
    if (inpath)
        cairo_fill(cr);
    free(seen);
    if (mask) {
        cairo_status_t st = cairo_status(cr);
        cairo_destroy(cr);
        cairo_surface_flush(mask);
        if (st == CAIRO_STATUS_SUCCESS)
            cairo_mask_surface(c->cr, mask, ox, oy);
        cairo_surface_destroy(mask);
        if (st != CAIRO_STATUS_SUCCESS)
            return jc_fail(JC_ERR_NOMEM, "out of memory drawing %zu points", s->n);
    }
    return JC_OK;
}

static int draw_series(const chart *c, size_t idx)
{
    cairo_t *cr = c->cr;
    const jc_plot_series *s = &c->p->series[idx];
    if (s->n == 0)
        return JC_OK;
    set_rgb(cr, series_color(c->p, idx), series_alpha(s));
    if (s->style == JC_PLOT_POINTS)
        return draw_points(c, s);
    cairo_set_line_width(cr, series_width(s));
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_join(cr, s->style == JC_PLOT_STEP ? CAIRO_LINE_JOIN_MITER : CAIRO_LINE_JOIN_ROUND);
    cairo_set_dash(cr, NULL, 0, 0);
    out_path o = {.cr = cr};
    cairo_new_path(cr);
    trace_series(c, s, &o);
    cairo_stroke(cr);
    for (size_t i = 0; i < o.nlone; i++) {
        cairo_new_sub_path(cr);
        cairo_arc(cr, o.lone[2 * i], o.lone[2 * i + 1], dot_radius(s), 0, 2 * PI);
    }
    cairo_fill(cr);
    free(o.lone);
    return JC_OK;
}

/* Centre 1 px lines on pixel centres so they stay sharp in a PNG. */
static double crisp(double v) { return floor(v) + 0.5; }

static void hline_dash(cairo_t *cr, int dashed)
{
    static const double dash[] = {7, 4};
    cairo_set_dash(cr, dash, dashed ? 2 : 0, 0);
}

static void draw_hlines(const chart *c)
{
    cairo_t *cr = c->cr;
    for (size_t i = 0; i < c->p->nhlines; i++) {
        const jc_plot_hline *h = &c->p->hlines[i];
        if (!isfinite(h->y))
            continue;
        double py = crisp(map_y(c, h->y));
        set_rgb(cr, h->rgb, 1.0);
        cairo_set_line_width(cr, 1.5);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
        hline_dash(cr, h->dashed);
        cairo_move_to(cr, c->left, py);
        cairo_line_to(cr, c->left + c->pw, py);
        cairo_stroke(cr);
    }
    cairo_set_dash(cr, NULL, 0, 0);
}

/* ---------------------------------------------------------------- legend */

typedef struct {
    double w, h, row, swatch, text_max;
    int rows;
} legend_box;

/* Long labels are cut rather than letting the box cover the chart. */
static double legend_text_max(const chart *c) { return fmax(80, 0.4 * c->pw); }

static void legend_measure(const chart *c, legend_box *lb)
{
    cairo_t *cr = c->cr;
    set_font(cr, LEGEND_SIZE, 0);
    double tw = 0, cap = legend_text_max(c);
    int rows = 0;
    for (size_t i = 0; i < c->p->nseries; i++)
        if (has_text(c->p->series[i].label)) {
            tw = fmax(tw, text_width(cr, c->p->series[i].label));
            rows++;
        }
    for (size_t i = 0; i < c->p->nhlines; i++)
        if (has_text(c->p->hlines[i].label)) {
            tw = fmax(tw, text_width(cr, c->p->hlines[i].label));
            rows++;
        }
    lb->rows = rows;
    lb->text_max = cap;
    tw = fmin(tw, cap);
    lb->row = line_height(cr) + 5;
    lb->swatch = 26;
    lb->w = 10 + lb->swatch + 8 + tw + 10;
    lb->h = 8 + rows * lb->row + 8 - 5;
}

/* The corner whose box covers the least length of drawn data; ties go to
 * top right, the customary place. */
static void legend_place(const chart *c, const legend_box *lb, rect *where)
{
    const double inset = 8;
    double l = c->left + inset, r = c->left + c->pw - inset - lb->w;
    double t = c->top + inset, b = c->top + c->ph - inset - lb->h;
    rect boxes[4] = {{r, t, r + lb->w, t + lb->h},
                     {l, t, l + lb->w, t + lb->h},
                     {r, b, r + lb->w, b + lb->h},
                     {l, b, l + lb->w, b + lb->h}};
    double hits[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < c->p->nseries; i++) {
        const jc_plot_series *s = &c->p->series[i];
        if (s->n == 0)
            continue;
        if (s->style == JC_PLOT_POINTS) {
            for (size_t k = 0; k < s->n; k++) {
                if (!isfinite(s->x[k]) || !isfinite(s->y[k]))
                    continue;
                double px = map_x(c, s->x[k]), py = map_y(c, s->y[k]);
                for (int q = 0; q < 4; q++)
                    if (px >= boxes[q].x0 && px <= boxes[q].x1 && py >= boxes[q].y0 && py <= boxes[q].y1)
                        hits[q] += 2 * dot_radius(s);
            }
            continue;
        }
        out_path o = {.boxes = boxes, .nboxes = 4, .hits = hits};
        trace_series(c, s, &o);
    }
    for (size_t i = 0; i < c->p->nhlines; i++) {
        if (!isfinite(c->p->hlines[i].y))
            continue;
        double py = map_y(c, c->p->hlines[i].y);
        for (int q = 0; q < 4; q++)
            if (py >= boxes[q].y0 - 2 && py <= boxes[q].y1 + 2)
                hits[q] += lb->w;
    }
    int best = 0;
    for (int q = 1; q < 4; q++)
        if (hits[q] < hits[best])
            best = q;
    *where = boxes[best];
}

static void legend_swatch_series(const chart *c, size_t idx, double x, double y, double w)
{
    cairo_t *cr = c->cr;
    const jc_plot_series *s = &c->p->series[idx];
    set_rgb(cr, series_color(c->p, idx), series_alpha(s));
    if (s->style == JC_PLOT_POINTS) {
        cairo_new_path(cr);
        cairo_arc(cr, x + w / 2, y, fmin(dot_radius(s), 5), 0, 2 * PI);
        cairo_fill(cr);
        return;
    }
    cairo_set_line_width(cr, fmin(series_width(s), 4));
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x + w, y);
    cairo_stroke(cr);
}

static void draw_legend(const chart *c)
{
    cairo_t *cr = c->cr;
    legend_box lb;
    legend_measure(c, &lb);
    if (lb.rows == 0)
        return;
    rect box;
    legend_place(c, &lb, &box);

    cairo_rectangle(cr, box.x0, box.y0, lb.w, lb.h);
    set_rgb(cr, 0xFFFFFF, 0.8);
    cairo_fill_preserve(cr);
    set_rgb(cr, 0xBBBBBB, 1.0);
    cairo_set_line_width(cr, 1.0);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_stroke(cr);

    set_font(cr, LEGEND_SIZE, 0);
    double sx = box.x0 + 10, tx = sx + lb.swatch + 8;
    double y = box.y0 + 8 + (lb.row - 5) / 2;
    for (size_t i = 0; i < c->p->nseries; i++) {
        const char *label = c->p->series[i].label;
        if (!has_text(label))
            continue;
        legend_swatch_series(c, i, sx, y, lb.swatch);
        set_rgb(cr, 0x222222, 1.0);
        draw_fitted(cr, label, lb.text_max, tx, y, 0, 0.5);
        y += lb.row;
    }
    for (size_t i = 0; i < c->p->nhlines; i++) {
        const jc_plot_hline *h = &c->p->hlines[i];
        if (!has_text(h->label))
            continue;
        set_rgb(cr, h->rgb, 1.0);
        cairo_set_line_width(cr, 1.5);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
        hline_dash(cr, h->dashed);
        cairo_move_to(cr, sx, y);
        cairo_line_to(cr, sx + lb.swatch, y);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        set_rgb(cr, 0x222222, 1.0);
        draw_fitted(cr, h->label, lb.text_max, tx, y, 0, 0.5);
        y += lb.row;
    }
}

/* ---------------------------------------------------------------- layout */

/* Fit the title to the page width by shrinking it, down to a floor. */
static double title_size(cairo_t *cr, const char *title, double avail)
{
    double size = TITLE_SIZE;
    set_font(cr, size, 1);
    double w = text_width(cr, title);
    if (w > avail && w > 0)
        size = fmax(11, size * avail / w);
    return size;
}

static void layout(chart *c)
{
    cairo_t *cr = c->cr;
    const jc_plot *p = c->p;

    double top = OUTER_PAD;
    if (has_text(p->title)) {
        set_font(cr, title_size(cr, p->title, c->W - 2 * OUTER_PAD), 1);
        top += line_height(cr) + 10;
    } else {
        top += 6;
    }
    set_font(cr, TICK_SIZE, 0);
    double tick_h = line_height(cr);
    double bottom = OUTER_PAD + TICK_LEN + TICK_GAP + tick_h;
    set_font(cr, LABEL_SIZE, 0);
    double label_h = line_height(cr);
    if (has_text(p->xlabel))
        bottom += 6 + label_h;

    c->top = top;
    c->ph = fmax(10, c->H - top - bottom);
    set_font(cr, TICK_SIZE, 0);
    choose_yticks(cr, c->y, c->ph, &c->yt);
    double ylab_w = max_label_width(cr, &c->yt, c->y);

    double left = OUTER_PAD + ylab_w + TICK_GAP + TICK_LEN;
    if (has_text(p->ylabel))
        left += label_h + 8;
    /* The last x label is centred on its tick and may overhang the frame. */
    char buf[64];
    format_tick(buf, sizeof buf, c->x.hi, nice_step((c->x.hi - c->x.lo) / 8), c->x);
    double right = OUTER_PAD + fmax(6, text_width(cr, buf) / 2);
    c->left = left;
    c->pw = fmax(10, c->W - left - right);
    choose_xticks(cr, c->x, c->pw, &c->xt);
}

static void draw_grid(const chart *c)
{
    cairo_t *cr = c->cr;
    double x0 = c->left, x1 = c->left + c->pw, y0 = c->top, y1 = c->top + c->ph;

    cairo_set_line_width(cr, 1.0);
    cairo_set_dash(cr, NULL, 0, 0);
    set_rgb(cr, 0xE6E6E6, 1.0);
    for (int i = 0; i < c->xt.n; i++) {
        double px = crisp(map_x(c, c->xt.v[i]));
        cairo_move_to(cr, px, y0);
        cairo_line_to(cr, px, y1);
    }
    for (int i = 0; i < c->yt.n; i++) {
        double py = crisp(map_y(c, c->yt.v[i]));
        cairo_move_to(cr, x0, py);
        cairo_line_to(cr, x1, py);
    }
    cairo_stroke(cr);
}

static void draw_frame(const chart *c)
{
    cairo_t *cr = c->cr;
    const jc_plot *p = c->p;
    double x0 = c->left, x1 = c->left + c->pw, y0 = c->top, y1 = c->top + c->ph;
    char buf[64];

    cairo_set_line_width(cr, 1.0);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
    set_rgb(cr, 0x666666, 1.0);
    cairo_rectangle(cr, crisp(x0), crisp(y0), floor(x1) - floor(x0), floor(y1) - floor(y0));
    for (int i = 0; i < c->xt.n; i++) {
        double px = crisp(map_x(c, c->xt.v[i]));
        cairo_move_to(cr, px, crisp(y1));
        cairo_line_to(cr, px, crisp(y1) + TICK_LEN);
    }
    for (int i = 0; i < c->yt.n; i++) {
        double py = crisp(map_y(c, c->yt.v[i]));
        cairo_move_to(cr, crisp(x0), py);
        cairo_line_to(cr, crisp(x0) - TICK_LEN, py);
    }
    cairo_stroke(cr);

    set_font(cr, TICK_SIZE, 0);
    set_rgb(cr, 0x333333, 1.0);
    for (int i = 0; i < c->xt.n; i++) {
        format_tick(buf, sizeof buf, c->xt.v[i], c->xt.step, c->x);
        draw_text(cr, buf, map_x(c, c->xt.v[i]), y1 + TICK_LEN + TICK_GAP, 0.5, 0);
    }
    double tick_h = line_height(cr);
    for (int i = 0; i < c->yt.n; i++) {
        format_tick(buf, sizeof buf, c->yt.v[i], c->yt.step, c->y);
        draw_text(cr, buf, x0 - TICK_LEN - TICK_GAP, map_y(c, c->yt.v[i]), 1, 0.5);
    }

    set_font(cr, LABEL_SIZE, 0);
    set_rgb(cr, 0x222222, 1.0);
    if (has_text(p->xlabel))
        draw_fitted(cr, p->xlabel, c->pw, x0 + c->pw / 2, y1 + TICK_LEN + TICK_GAP + tick_h + 6, 0.5, 0);
    if (has_text(p->ylabel)) {
        cairo_save(cr);
        cairo_translate(cr, OUTER_PAD, y0 + c->ph / 2);
        cairo_rotate(cr, -PI / 2);
        draw_fitted(cr, p->ylabel, c->ph, 0, 0, 0.5, 0);
        cairo_restore(cr);
    }
    if (has_text(p->title)) {
        set_font(cr, title_size(cr, p->title, c->W - 2 * OUTER_PAD), 1);
        set_rgb(cr, 0x111111, 1.0);
        draw_fitted(cr, p->title, c->W - 2 * OUTER_PAD, c->W / 2.0, OUTER_PAD, 0.5, 0);
    }
}

static int render(cairo_t *cr, const jc_plot *p, int W, int H, span xr, span yr)
{
    chart c = {.cr = cr, .p = p, .W = W, .H = H, .x = xr, .y = yr};
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    layout(&c);
    draw_grid(&c);

    cairo_save(cr);
    /* A little slack so a line lying on the frame (y = 0 with y_from_zero)
     * keeps its full width. */
    cairo_rectangle(cr, c.left - 2, c.top - 2, c.pw + 4, c.ph + 4);
    cairo_clip(cr);
    int rc = JC_OK;
    for (size_t i = 0; i < p->nseries && rc == JC_OK; i++)
        rc = draw_series(&c, i);
    draw_hlines(&c);
    cairo_restore(cr);
    if (rc != JC_OK)
        return rc;

    draw_frame(&c);
    draw_legend(&c);
    return JC_OK;
}

/* ---------------------------------------------------------------- output */

typedef struct {
    FILE *fp;
    int err;
} sink;

static cairo_status_t write_stream(void *closure, const unsigned char *data, unsigned int len)
{
    sink *s = closure;
    errno = 0;
    if (len && fwrite(data, 1, len, s->fp) != len) {
        s->err = errno ? errno : EIO;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

static int fail_cairo(cairo_status_t st, const sink *s, const char *path)
{
    if (st == CAIRO_STATUS_NO_MEMORY)
        return jc_fail(JC_ERR_NOMEM, "out of memory drawing %s", path);
    if (st == CAIRO_STATUS_WRITE_ERROR)
        return jc_fail(JC_ERR_IO, "cannot write %s: %s", path, strerror(s && s->err ? s->err : EIO));
    return jc_fail(JC_ERR_INTERNAL, "cairo failed drawing %s: %s", path, cairo_status_to_string(st));
}

static int write_svg(const jc_plot *p, const char *path, int W, int H, span xr, span yr)
{
    jc_atomic_file *af;
    sink s = {0};
    int rc = jc_atomic_open(path, &af, &s.fp);
    if (rc < 0)
        return rc;
    cairo_surface_t *surf = cairo_svg_surface_create_for_stream(write_stream, &s, W, H);
    cairo_svg_surface_set_document_unit(surf, CAIRO_SVG_UNIT_PT);
    cairo_t *cr = cairo_create(surf);
    rc = render(cr, p, W, H, xr, yr);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(surf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(surf);
    cairo_surface_destroy(surf);
    if (rc == JC_OK && st != CAIRO_STATUS_SUCCESS)
        rc = fail_cairo(st, &s, path);
    if (rc < 0) {
        jc_atomic_abort(af);
        return rc;
    }
    return jc_atomic_commit(af);
}

static int write_png(const jc_plot *p, const char *path, int W, int H, span xr, span yr)
{
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H);
    cairo_t *cr = cairo_create(surf);
    /* Unhinted metrics: the same layout as the SVG of the same chart. */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_set_font_options(cr, fo);
    cairo_font_options_destroy(fo);
    int rc = render(cr, p, W, H, xr, yr);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    if (rc == JC_OK && st != CAIRO_STATUS_SUCCESS)
        rc = fail_cairo(st, NULL, path);
    if (rc < 0) {
        cairo_surface_destroy(surf);
        return rc;
    }
    jc_atomic_file *af;
    sink s = {0};
    rc = jc_atomic_open(path, &af, &s.fp);
    if (rc < 0) {
        cairo_surface_destroy(surf);
        return rc;
    }
    st = cairo_surface_write_to_png_stream(surf, write_stream, &s);
    cairo_surface_destroy(surf);
    if (st != CAIRO_STATUS_SUCCESS) {
        rc = fail_cairo(st, &s, path);
        jc_atomic_abort(af);
        return rc;
    }
    return jc_atomic_commit(af);
}

static int check_plot(const jc_plot *p, const char *path)
{
    if (p->width < 0 || p->height < 0 || p->width > MAX_DIM || p->height > MAX_DIM ||
        (p->width > 0 && p->width < MIN_W) || (p->height > 0 && p->height < MIN_H))
        return jc_fail(JC_ERR_INVALID, "%s: plot size %dx%d is out of range (%dx%d to %dx%d, 0 for %dx%d)",
                       path, p->width, p->height, MIN_W, MIN_H, MAX_DIM, MAX_DIM, DEFAULT_W, DEFAULT_H);
    if (p->nseries && !p->series)
        return jc_fail(JC_ERR_INVALID, "%s: plot has %zu series but no series array", path, p->nseries);
    if (p->nhlines && !p->hlines)
        return jc_fail(JC_ERR_INVALID, "%s: plot has %zu hlines but no hline array", path, p->nhlines);
    for (size_t i = 0; i < p->nseries; i++) {
        const jc_plot_series *s = &p->series[i];
        if (s->n && (!s->x || !s->y))
            return jc_fail(JC_ERR_INVALID, "%s: series %zu (%s) has %zu points but no x or y array",
                           path, i, s->label ? s->label : "unlabelled", s->n);
        if (s->style != JC_PLOT_LINE && s->style != JC_PLOT_STEP && s->style != JC_PLOT_POINTS)
            return jc_fail(JC_ERR_INVALID, "%s: series %zu has unknown style %d", path, i, (int)s->style);
    }
    if (!(p->ymin == 0 && p->ymax == 0) &&
        !(isfinite(p->ymin) && isfinite(p->ymax) && p->ymin < p->ymax))
        return jc_fail(JC_ERR_INVALID, "%s: y range %g..%g is empty; ymin must be below ymax "
                                       "(both 0 for automatic)", path, p->ymin, p->ymax);
    return JC_OK;
}

/* 1 for SVG, 2 for PNG, 0 for anything else. */
static int format_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        return 0;
    if (strcasecmp(dot, ".svg") == 0)
        return 1;
    if (strcasecmp(dot, ".png") == 0)
        return 2;
    return 0;
}

int jc_plot_write(const jc_plot *plot, const char *path)
{
    if (!plot || !path || !*path)
        return jc_fail(JC_ERR_INVALID, "jc_plot_write: %s is NULL or empty", !plot ? "plot" : "path");
    int fmt = format_of(path);
    if (!fmt)
        return jc_fail(JC_ERR_INVALID, "%s: cannot tell the image format; the name must end in "
                                       ".svg or .png", path);
    int rc = check_plot(plot, path);
    if (rc < 0)
        return rc;
    span xr, yr;
    rc = compute_ranges(plot, &xr, &yr);
    if (rc < 0)
        return rc;
    int W = plot->width ? plot->width : DEFAULT_W;
    int H = plot->height ? plot->height : DEFAULT_H;
    return fmt == 1 ? write_svg(plot, path, W, H, xr, yr) : write_png(plot, path, W, H, xr, yr);
}
