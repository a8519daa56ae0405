/* Unit tests for plot: files come out as valid SVG/PNG of the asked size with
 * the data visible in them, bad paths fail cleanly without leaving files, and
 * degenerate or very large series render without trouble.
 * JC_TEST_KEEP=1 keeps the output folder for a look at the images. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cairo.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "joulecast/plot.h"
#include "joulecast/util.h"

static char g_dir[256];

/* fontconfig parses its configuration once and keeps it for
 * the life of the process; that is not a leak of ours. Read by LeakSanitizer
 * in -DJC_SANITIZE=ON builds, unused otherwise. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }

static int setup_dir(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/jc_plot_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    /* Drop cairo's font caches so LeakSanitizer sees only real leaks. */
    cairo_debug_reset_static_data();
    const char *keep = getenv("JC_TEST_KEEP");
    if (keep && *keep && strcmp(keep, "0") != 0) {
        printf("plots kept in %s\n", g_dir);
        return 0;
    }
    DIR *d = opendir(g_dir);
    if (d) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", g_dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(g_dir);
    return 0;
}

static const char *out_path(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", g_dir, name);
    return buf[k];
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    if (len)
        *len = got;
    return buf;
}

/* Entries in the output folder whose name contains ".tmp." (leftovers of a
 * write that was not atomic). */
static int temp_files_left(void)
{
    int n = 0;
    DIR *d = opendir(g_dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp."))
            n++;
    if (d)
        closedir(d);
    return n;
}

/* Width and height from the IHDR chunk, after checking the signature. */
static void png_dims(const char *path, unsigned *w, unsigned *h)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    unsigned char b[24];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(b, 1, sizeof b, f), sizeof b);
    fclose(f);
    assert_memory_equal(b, sig, 8);
    assert_memory_equal(b + 12, "IHDR", 4);
    *w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
    *h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
}

/* Reads attr="123..." (any unit after the number) from the <svg> element. */
static double svg_attr(const char *svg, const char *attr)
{
    const char *el = strstr(svg, "<svg");
    assert_non_null(el);
    char key[32];
    snprintf(key, sizeof key, " %s=\"", attr);
    const char *a = strstr(el, key);
    assert_non_null(a);
    assert_true(a < strchr(el, '>'));
    return strtod(a + strlen(key), NULL);
}

typedef struct {
    cairo_surface_t *s;
    int w, h, stride;
    unsigned char *px;
} image;

static void image_load(image *im, const char *path)
{
    im->s = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(im->s), CAIRO_STATUS_SUCCESS);
    cairo_surface_flush(im->s);
    im->w = cairo_image_surface_get_width(im->s);
    im->h = cairo_image_surface_get_height(im->s);
    im->stride = cairo_image_surface_get_stride(im->s);
    im->px = cairo_image_surface_get_data(im->s);
}

static unsigned image_rgb(const image *im, int x, int y)
{
    uint32_t v;
    memcpy(&v, im->px + (size_t)y * im->stride + (size_t)x * 4, 4);
    return v & 0xFFFFFF;
}

static int near(unsigned a, unsigned b, int tol)
{
    for (int sh = 0; sh < 24; sh += 8) {
        int d = (int)((a >> sh) & 0xFF) - (int)((b >> sh) & 0xFF);
        if (d < -tol || d > tol)
            return 0;
    }
    return 1;
}

/* Count pixels of colour rgb and the rows they span. */
static long image_count(const image *im, unsigned rgb, int *ymin, int *ymax)
{
    long n = 0;
    *ymin = im->h;
    *ymax = -1;
    for (int y = 0; y < im->h; y++)
        for (int x = 0; x < im->w; x++)
            if (near(image_rgb(im, x, y), rgb, 12)) {
                n++;
                *ymin = y < *ymin ? y : *ymin;
                *ymax = y > *ymax ? y : *ymax;
            }
    return n;
}

/* ---------------------------------------------------------------- fixtures */

enum { EPOCHS = 5, SAMPLES = EPOCHS * 60 };

/* A training job's power: 5 epochs of 50 s peak at 300 W and 10 s valley at
 * 80 W, as the square-wave model and as a noisy 1 Hz "measurement". */
typedef struct {
    double wx[2 * EPOCHS + 1], wy[2 * EPOCHS + 1];
    double mx[SAMPLES], my[SAMPLES];
    jc_plot_series series[2];
    jc_plot_hline tdp;
    jc_plot plot;
} square_wave;

static void square_wave_init(square_wave *sw)
{
    memset(sw, 0, sizeof *sw);
    for (int e = 0; e < EPOCHS; e++) {
        sw->wx[2 * e] = 60.0 * e;
        sw->wy[2 * e] = 300;
        sw->wx[2 * e + 1] = 60.0 * e + 50;
        sw->wy[2 * e + 1] = 80;
    }
    sw->wx[2 * EPOCHS] = 60.0 * EPOCHS;
    sw->wy[2 * EPOCHS] = 80;
    for (int i = 0; i < SAMPLES; i++) {
        sw->mx[i] = i;
        int in_peak = (i % 60) < 50;
        sw->my[i] = (in_peak ? 290 : 85) + 12 * sin(i * 1.7) + 5 * sin(i * 0.31);
    }
    sw->my[123] = NAN; /* a dropped sample */
    sw->series[0] = (jc_plot_series){.label = "measured", .x = sw->mx, .y = sw->my,
                                     .n = SAMPLES, .style = JC_PLOT_LINE, .auto_color = 1,
                                     .width = 1.2};
    sw->series[1] = (jc_plot_series){.label = "square-wave model", .x = sw->wx, .y = sw->wy,
                                     .n = 2 * EPOCHS + 1, .style = JC_PLOT_STEP,
                                     .auto_color = 1, .width = 2.0};
    sw->tdp = (jc_plot_hline){.label = "TDP 350 W", .y = 350, .rgb = 0xCC0000, .dashed = 1};
    sw->plot = (jc_plot){.title = "ResNet-50 training on one GPU: power",
                         .xlabel = "time (s)", .ylabel = "power (W)", .y_from_zero = 1,
                         .nseries = 2, .series = sw->series, .nhlines = 1, .hlines = &sw->tdp};
}

/* ---------------------------------------------------------------- tests */

static void test_square_wave_png(void **state)
{
    (void)state;
    square_wave sw;
    square_wave_init(&sw);
    const char *path = out_path("square_wave.png");
    assert_int_equal(jc_plot_write(&sw.plot, path), JC_OK);
    unsigned w, h;
    png_dims(path, &w, &h);
    assert_int_equal(w, 1000);
    assert_int_equal(h, 500);
    assert_int_equal(temp_files_left(), 0);

    image im;
    image_load(&im, path);
    assert_int_equal(image_rgb(&im, 1, 1), 0xFFFFFF); /* white background */
    int y0, y1;
    /* First palette colour (measured line) spans peak and valley rows. */
    long n = image_count(&im, 0x0072B2, &y0, &y1);
    assert_true(n > 1000);
    assert_true(y1 - y0 > 200);
    /* Second palette colour: the model. */
    assert_true(image_count(&im, 0xD55E00, &y0, &y1) > 500);
    /* The TDP line runs across most of the width. */
    assert_true(image_count(&im, 0xCC0000, &y0, &y1) > 300);
    cairo_surface_destroy(im.s);

    /* A custom size is honoured. */
    sw.plot.width = 640;
    sw.plot.height = 360;
    path = out_path("square_wave_small.PNG");
    assert_int_equal(jc_plot_write(&sw.plot, path), JC_OK);
    png_dims(path, &w, &h);
    assert_int_equal(w, 640);
    assert_int_equal(h, 360);
}

static void test_square_wave_svg(void **state)
{
    (void)state;
    square_wave sw;
    square_wave_init(&sw);
    const char *path = out_path("square_wave.svg");
    assert_int_equal(jc_plot_write(&sw.plot, path), JC_OK);
    assert_int_equal(temp_files_left(), 0);
    size_t len;
    char *svg = slurp(path, &len);
    assert_non_null(svg);
    assert_true(strncmp(svg, "<?xml", 5) == 0);
    assert_non_null(strstr(svg, "<svg"));
    assert_non_null(strstr(svg, "</svg>"));
    assert_true(svg_attr(svg, "width") == 1000);
    assert_true(svg_attr(svg, "height") == 500);
    /* cairo writes text as glyph outlines and data as paths. */
    assert_non_null(strstr(svg, "glyph"));
    assert_non_null(strstr(svg, "<path"));
    /* The TDP colour is in there. */
    assert_non_null(strstr(svg, "rgb(80%,0%,0%)"));
    free(svg);
}

static void test_overwrite_is_atomic(void **state)
{
    (void)state;
    square_wave sw;
    square_wave_init(&sw);
    const char *path = out_path("keep.svg");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("old", f);
    fclose(f);
    /* A failing call leaves the old file alone. */
    sw.plot.ymin = 10;
    sw.plot.ymax = 10;
    assert_int_equal(jc_plot_write(&sw.plot, path), JC_ERR_INVALID);
    assert_int_equal(file_size(path), 3);
    /* A good one replaces it. */
    sw.plot.ymin = 0;
    sw.plot.ymax = 400;
    assert_int_equal(jc_plot_write(&sw.plot, path), JC_OK);
    assert_true(file_size(path) > 1000);
    assert_int_equal(temp_files_left(), 0);
}

static void test_bad_extension(void **state)
{
    (void)state;
    square_wave sw;
    square_wave_init(&sw);
    const char *bad[] = {"plot.txt", "plot", "plot.svg.bak", "plot.pngx", ".png"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *path = out_path(bad[i]);
        jc_clear_error();
        assert_int_equal(jc_plot_write(&sw.plot, path), JC_ERR_INVALID);
        assert_non_null(strstr(jc_last_error(), path));
        assert_non_null(strstr(jc_last_error(), ".svg"));
        assert_false(exists(path));
    }
    assert_int_equal(temp_files_left(), 0);
    assert_int_equal(jc_plot_write(NULL, out_path("x.svg")), JC_ERR_INVALID);
    assert_int_equal(jc_plot_write(&sw.plot, NULL), JC_ERR_INVALID);
}

static void test_missing_folder(void **state)
{
    (void)state;
    square_wave sw;
    square_wave_init(&sw);
    const char *svg = out_path("no/such/folder/plot.svg");
    jc_clear_error();
    assert_int_equal(jc_plot_write(&sw.plot, svg), JC_ERR_IO);
    assert_non_null(strstr(jc_last_error(), svg));
    const char *png = out_path("no/such/folder/plot.png");
    assert_int_equal(jc_plot_write(&sw.plot, png), JC_ERR_IO);
    assert_non_null(strstr(jc_last_error(), png));
}

static void test_invalid_arguments(void **state)
{
    (void)state;
    jc_plot_series s = {.label = "x", .n = 3}; /* points but no arrays */
    jc_plot p = {.nseries = 1, .series = &s};
    assert_int_equal(jc_plot_write(&p, out_path("noarrays.svg")), JC_ERR_INVALID);
    p = (jc_plot){.width = -5};
    assert_int_equal(jc_plot_write(&p, out_path("negative.png")), JC_ERR_INVALID);
    p = (jc_plot){.ymin = 5, .ymax = 1};
    assert_int_equal(jc_plot_write(&p, out_path("inverted.png")), JC_ERR_INVALID);
    p = (jc_plot){.ymin = NAN, .ymax = 1};
    assert_int_equal(jc_plot_write(&p, out_path("nanrange.png")), JC_ERR_INVALID);
    assert_false(exists(out_path("noarrays.svg")));
    assert_false(exists(out_path("inverted.png")));
}

/* Each degenerate case renders to both formats. */
static void write_both(const jc_plot *p, const char *stem)
{
    char name[128];
    snprintf(name, sizeof name, "%s.svg", stem);
    assert_int_equal(jc_plot_write(p, out_path(name)), JC_OK);
    snprintf(name, sizeof name, "%s.png", stem);
    assert_int_equal(jc_plot_write(p, out_path(name)), JC_OK);
    unsigned w, h;
    png_dims(out_path(name), &w, &h);
    assert_int_equal(w, p->width ? (unsigned)p->width : 1000);
}

static void test_degenerate(void **state)
{
    (void)state;
    double nan3[3] = {NAN, NAN, NAN}, x3[3] = {0, 1, 2};
    double one_x = 42, one_y = 7;
    double flat[3] = {5, 5, 5};
    double zeros[3] = {0, 0, 0};
    double inf_y[3] = {1, INFINITY, 2};
    jc_plot p;

    p = (jc_plot){0}; /* nothing at all, no labels */
    write_both(&p, "nothing");

    jc_plot_series empty = {.label = NULL, .n = 0, .auto_color = 1};
    p = (jc_plot){.title = "empty", .nseries = 1, .series = &empty};
    write_both(&p, "empty");

    for (int style = JC_PLOT_LINE; style <= JC_PLOT_POINTS; style++) {
        char stem[64];
        jc_plot_series s = {.label = "all NaN", .x = x3, .y = nan3, .n = 3,
                            .style = (jc_plot_style)style, .auto_color = 1};
        p = (jc_plot){.title = "all NaN", .nseries = 1, .series = &s, .y_from_zero = 1};
        snprintf(stem, sizeof stem, "allnan%d", style);
        write_both(&p, stem);

        s = (jc_plot_series){.label = "one point", .x = &one_x, .y = &one_y, .n = 1,
                             .style = (jc_plot_style)style, .auto_color = 1};
        p = (jc_plot){.title = "single point", .xlabel = "time (s)", .ylabel = "power (W)",
                      .nseries = 1, .series = &s};
        snprintf(stem, sizeof stem, "single%d", style);
        write_both(&p, stem);

        s = (jc_plot_series){.label = "flat", .x = x3, .y = flat, .n = 3,
                             .style = (jc_plot_style)style, .auto_color = 1};
        p = (jc_plot){.title = "flat", .nseries = 1, .series = &s};
        snprintf(stem, sizeof stem, "flat%d", style);
        write_both(&p, stem);

        s.y = zeros;
        p.y_from_zero = 1;
        snprintf(stem, sizeof stem, "zeros%d", style);
        write_both(&p, stem);

        s.y = inf_y;
        snprintf(stem, sizeof stem, "inf%d", style);
        write_both(&p, stem);
    }

    /* Only a reference line. */
    jc_plot_hline tdp = {.label = "TDP", .y = 450, .rgb = 0xCC0000};
    p = (jc_plot){.nhlines = 1, .hlines = &tdp};
    write_both(&p, "hline_only");

    /* Odd labels: invalid UTF-8 and a title far wider than the page. */
    jc_plot_series s = {.label = "bad \xff\xfe utf-8 \xc3", .x = x3, .y = x3, .n = 3,
                        .auto_color = 1};
    p = (jc_plot){.title = "a very long title that goes on and on and on and on and on "
                           "and on and on and on and on and on and on and on and on",
                  .xlabel = "x \xe2\x82", .width = 300, .height = 200,
                  .nseries = 1, .series = &s};
    write_both(&p, "oddlabels");

    /* Huge and tiny magnitudes. */
    double big[3] = {1e12, 2e12, 3e12}, tiny[3] = {1e-9, 3e-9, 2e-9};
    s = (jc_plot_series){.label = "big", .x = big, .y = tiny, .n = 3, .auto_color = 1};
    p = (jc_plot){.nseries = 1, .series = &s};
    write_both(&p, "magnitudes");
}

static void test_large_series(void **state)
{
    (void)state;
    enum { N = 200000 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    for (size_t i = 0; i < N; i++) {
        x[i] = i * 0.1;
        y[i] = 200 + 50 * sin(i * 0.001) + 10 * sin(i * 0.37);
    }
    for (size_t i = 50000; i < 50100; i++)
        y[i] = NAN;

    for (int style = JC_PLOT_LINE; style <= JC_PLOT_POINTS; style++) {
        jc_plot_series s = {.label = "200k samples", .x = x, .y = y, .n = N,
                            .style = (jc_plot_style)style, .auto_color = 1};
        jc_plot p = {.title = "dense", .xlabel = "time (s)", .ylabel = "power (W)",
                     .nseries = 1, .series = &s};
        char name[64];
        snprintf(name, sizeof name, "dense%d.svg", style);
        assert_int_equal(jc_plot_write(&p, out_path(name)), JC_OK);
        /* Reduced to pixel columns, the SVG stays small. */
        assert_true(file_size(out_path(name)) < 2000000);
        snprintf(name, sizeof name, "dense%d.png", style);
        assert_int_equal(jc_plot_write(&p, out_path(name)), JC_OK);
    }

    /* The reduction keeps extremes: a one-sample spike in 200k must reach the
     * top of the plot. */
    for (size_t i = 0; i < N; i++)
        y[i] = 100;
    y[123457] = 1000;
    jc_plot_series s = {.x = x, .y = y, .n = N, .style = JC_PLOT_LINE, .rgb = 0x0000FF};
    jc_plot p = {.nseries = 1, .series = &s, .y_from_zero = 1};
    const char *path = out_path("spike.png");
    assert_int_equal(jc_plot_write(&p, path), JC_OK);
    image im;
    image_load(&im, path);
    int y0, y1;
    assert_true(image_count(&im, 0x0000FF, &y0, &y1) > 500);
    assert_true(y1 - y0 > 0.7 * im.h);
    cairo_surface_destroy(im.s);

    /* Unsorted x (not reducible) still draws. */
    for (size_t i = 0; i < N; i++)
        x[i] = sin(i * 0.01) * 100;
    s.n = 20000;
    assert_int_equal(jc_plot_write(&p, out_path("unsorted.png")), JC_OK);
    free(x);
    free(y);
}

static void test_many_series(void **state)
{
    (void)state;
    enum { S = 10, N = 100 };
    static double x[N], y[S][N];
    jc_plot_series s[S];
    char labels[S][32];
    for (int i = 0; i < N; i++)
        x[i] = i;
    for (int k = 0; k < S; k++) {
        for (int i = 0; i < N; i++)
            y[k][i] = k * 10 + 5 * sin(i * 0.1 + k);
        snprintf(labels[k], sizeof labels[k], "GPU %d", k);
        s[k] = (jc_plot_series){.label = k == 3 ? NULL : labels[k], .x = x, .y = y[k], .n = N,
                                .style = (jc_plot_style)(k % 3), .auto_color = 1};
    }
    jc_plot_hline hl[2] = {{.label = "limit", .y = 95, .rgb = 0x333333, .dashed = 1},
                           {.label = NULL, .y = -2, .rgb = 0x999999}};
    jc_plot p = {.title = "ten series", .xlabel = "step", .ylabel = "power (W)",
                 .nseries = S, .series = s, .nhlines = 2, .hlines = hl};
    write_both(&p, "many");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_square_wave_png),
        cmocka_unit_test(test_square_wave_svg),
        cmocka_unit_test(test_overwrite_is_atomic),
        cmocka_unit_test(test_bad_extension),
        cmocka_unit_test(test_missing_folder),
        cmocka_unit_test(test_invalid_arguments),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_large_series),
        cmocka_unit_test(test_many_series),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
