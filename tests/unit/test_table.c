/* table: reading a real dataset and hand-made CSVs (quotes, CRLF, BOM, gzip),
 * every reading error with its FILE:LINE[:COL], the numeric checks, building
 * tables in memory, and writing then reading back bit-identically. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "joulecast/table.h"

#define TDATA JC_TEST_DATA "/table/"
#define SEAA JC_TEST_DATA "/seaa2023/runs.csv"

static jc_table *read_ok(const char *path)
{
    jc_table *t = NULL;
    int rc = jc_table_read_csv(path, &t);
    if (rc != JC_OK)
        fail_msg("reading %s: status %d: %s", path, rc, jc_last_error());
    return t;
}

/* Reading must fail with this status and a message containing want. */
static void read_fails(const char *path, int status, const char *want)
{
    jc_table *t = (jc_table *)1;
    int rc = jc_table_read_csv(path, &t);
    assert_null(t);
    if (rc != status || !strstr(jc_last_error(), want))
        fail_msg("reading %s: expected status %d and '%s', got %d: '%s'", path, status, want, rc, jc_last_error());
}

static int same_bits(double a, double b)
{
    if (isnan(a) && isnan(b))
        return 1;
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Every cell that is a number must hold exactly what strtod makes of it. */
static void check_values_match_strtod(const jc_table *t)
{
    for (int j = 0; j < jc_table_ncols(t); j++) {
        const double *v = jc_table_column_values(t, j);
        for (size_t i = 0; i < jc_table_nrows(t); i++) {
            const char *s = jc_table_text(t, i, j);
            char *end;
            double d = strtod(s, &end);
            if (end != s && *end == '\0' && s[0] != '\0' && !isnan(d)) {
                if (!same_bits(v[i], d))
                    fail_msg("row %zu col %d '%s': %.17g != %.17g", i, j, s, v[i], d);
            } else if (!isnan(v[i])) {
                fail_msg("row %zu col %d '%s' read as %.17g", i, j, s, v[i]);
            }
        }
    }
}

static void test_seaa_runs(void **state)
{
    (void)state;
    jc_table *t = read_ok(SEAA);
    assert_int_equal(jc_table_nrows(t), 5);
    assert_int_equal(jc_table_ncols(t), 31);
    assert_string_equal(jc_table_source(t), SEAA);
    assert_string_equal(jc_table_name(t, 0), "training environment");
    assert_string_equal(jc_table_name(t, 30), "f1-score");
    assert_null(jc_table_name(t, 31));
    assert_null(jc_table_name(t, -1));
    int e = jc_table_find(t, "energy (MJ)");
    assert_int_equal(e, 17);
    assert_int_equal(jc_table_find(t, "average power draw (W)"), 12);
    assert_int_equal(jc_table_find(t, "gpu usage (%)"), 6);
    assert_int_equal(jc_table_find(t, "energy"), -1);
    assert_int_equal(jc_table_find(t, "Energy (MJ)"), -1);

    const double *mj = jc_table_column_values(t, e);
    assert_true(mj[0] == 0.4151704675);
    assert_true(mj[1] == 0.9327745579999999);
    assert_true(mj[4] == strtod(jc_table_text(t, 4, e), NULL));
    const double *gflops = jc_table_column_values(t, jc_table_find(t, "GFLOPs"));
    assert_true(gflops[3] == 10.028770304);
    const double *run = jc_table_column_values(t, jc_table_find(t, "run"));
    for (size_t i = 0; i < 5; i++)
        assert_true(run[i] == 0);

    /* Text columns: text kept, numbers NaN. */
    assert_string_equal(jc_table_text(t, 0, 0), "Cloud");
    assert_string_equal(jc_table_text(t, 0, 1), "mobilenet_v2");
    assert_string_equal(jc_table_text(t, 4, 1), "xception");
    assert_string_equal(jc_table_text(t, 2, 4), "NVIDIA GeForce RTX 3090");
    assert_string_equal(jc_table_text(t, 0, e), "0.4151704675");
    assert_true(isnan(jc_table_column_values(t, 1)[0]));
    assert_null(jc_table_text(t, 5, 0));
    assert_int_equal(jc_table_row_line(t, 0), 2);
    assert_int_equal(jc_table_row_line(t, 4), 6);
    check_values_match_strtod(t);

    for (int j = 0; j < 31; j++)
        if (j != 0 && j != 1 && j != 4)
            assert_int_equal(jc_table_require_numeric(t, j, JC_TABLE_NO_MISSING), JC_OK);
    assert_int_equal(jc_table_require_numeric(t, 0, 0), JC_ERR_PARSE);
    assert_string_equal(jc_last_error(),
                        SEAA ":2:1: column 'training environment': expected a number, found 'Cloud'");
    assert_int_equal(jc_last_error_line(), 2);
    assert_int_equal(jc_last_error_column(), 1);
    assert_int_equal(jc_table_require_numeric(t, 4, 0), JC_ERR_PARSE);
    assert_string_equal(jc_last_error(),
                        SEAA ":2:5: column 'gpu model': expected a number, found 'NVIDIA GeForce RTX 3090'");
    assert_int_equal(jc_table_require_numeric(t, 31, 0), JC_ERR_INVALID);
    jc_table_free(t);
}

/* The whole published dataset (210 runs), when the shared data is there. */
static void test_shared_dataset(void **state)
{
    (void)state;
    const char *path = JC_SHARED_DATA "/seaa2023/processed/dl-training-energy-consumption-dataset.csv";
    if (access(path, R_OK) != 0)
        skip();
    jc_table *t = read_ok(path);
    assert_int_equal(jc_table_ncols(t), 31);
    assert_int_equal(jc_table_nrows(t), 210);
    check_values_match_strtod(t);
    int e = jc_table_find(t, "energy (MJ)");
    assert_int_equal(jc_table_require_numeric(t, e, JC_TABLE_NO_MISSING), JC_OK);
    jc_table_free(t);
}

static void check_quoted(const jc_table *t)
{
    assert_int_equal(jc_table_ncols(t), 3);
    assert_int_equal(jc_table_nrows(t), 3);
    assert_string_equal(jc_table_name(t, 1), "note, with comma");
    assert_int_equal(jc_table_find(t, "power_w"), 2);
    assert_string_equal(jc_table_text(t, 0, 0), "resnet50, v1.5");
    assert_string_equal(jc_table_text(t, 0, 1), "said \"fast\"");
    assert_true(jc_table_column_values(t, 2)[0] == 250.5);
    /* Unquoted fields are trimmed; quoted ones keep their line break. */
    assert_string_equal(jc_table_text(t, 1, 0), "plain");
    assert_string_equal(jc_table_text(t, 1, 1), "two\nlines");
    assert_true(jc_table_column_values(t, 2)[1] == -300);
    assert_string_equal(jc_table_text(t, 2, 0), "");
    assert_string_equal(jc_table_text(t, 2, 1), "NA");
    assert_string_equal(jc_table_text(t, 2, 2), "");
    assert_true(isnan(jc_table_column_values(t, 2)[2]));
    /* Lines: comment, blank, header on 3, rows on 4, 5 (two lines), 7. */
    assert_int_equal(jc_table_row_line(t, 0), 4);
    assert_int_equal(jc_table_row_line(t, 1), 5);
    assert_int_equal(jc_table_row_line(t, 2), 7);
    /* NA and empty are missing, not text that fails the check... */
    assert_int_equal(jc_table_require_numeric(t, 2, 0), JC_OK);
    assert_int_equal(jc_table_require_numeric(t, 1, 0), JC_ERR_PARSE);
    char want[512];
    snprintf(want, sizeof want, "%s:4:2: column 'note, with comma': expected a number, found 'said \"fast\"'",
             jc_table_source(t));
    assert_string_equal(jc_last_error(), want);
    /* ...unless missing values are refused. */
    assert_int_equal(jc_table_require_numeric(t, 2, JC_TABLE_NO_MISSING), JC_ERR_PARSE);
    snprintf(want, sizeof want, "%s:7:3: column 'power_w': missing value", jc_table_source(t));
    assert_string_equal(jc_last_error(), want);
}

static void test_quoted(void **state)
{
    (void)state;
    jc_table *t = read_ok(TDATA "quoted.csv");
    check_quoted(t);
    jc_table_free(t);
}

static void test_bom_crlf(void **state)
{
    (void)state;
    jc_table *t = read_ok(TDATA "bom_crlf.csv");
    assert_int_equal(jc_table_ncols(t), 2);
    assert_int_equal(jc_table_nrows(t), 2);
    assert_string_equal(jc_table_name(t, 0), "arch"); /* no BOM in the name */
    assert_string_equal(jc_table_name(t, 1), "batch"); /* no CR either */
    assert_string_equal(jc_table_text(t, 0, 0), "vgg16");
    assert_string_equal(jc_table_text(t, 0, 1), "32");
    assert_true(jc_table_column_values(t, 1)[0] == 32);
    /* A line break inside quotes is kept as written (CRLF here). */
    assert_string_equal(jc_table_text(t, 1, 0), "mobile\r\nnet");
    assert_true(jc_table_column_values(t, 1)[1] == 64);
    assert_int_equal(jc_table_row_line(t, 1), 4);
    jc_table_free(t);
}

static char tmpdir[64];

static int setup_tmp(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/jc_test_table.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void tmp_path(char *buf, size_t n, const char *name) { snprintf(buf, n, "%s/%s", tmpdir, name); }

static void test_gzip(void **state)
{
    (void)state;
    jc_table *t = read_ok(TDATA "quoted.csv.gz");
    check_quoted(t);
    jc_table_free(t);

    /* Detected by content, not name: gzip data in a file called .csv. */
    FILE *f = fopen(TDATA "quoted.csv.gz", "rb");
    assert_non_null(f);
    unsigned char gz[4096];
    size_t n = fread(gz, 1, sizeof gz, f);
    fclose(f);
    assert_true(n > 20 && gz[0] == 0x1f && gz[1] == 0x8b);
    char path[256];
    tmp_path(path, sizeof path, "compressed.csv");
    f = fopen(path, "wb");
    fwrite(gz, 1, n, f);
    fclose(f);
    t = read_ok(path);
    check_quoted(t);
    jc_table_free(t);

    /* Cut short: an error, never a silently shorter dataset. */
    tmp_path(path, sizeof path, "cut.csv.gz");
    f = fopen(path, "wb");
    fwrite(gz, 1, n - 12, f);
    fclose(f);
    read_fails(path, JC_ERR_IO, "cut.csv.gz: truncated gzip data");
}

static void test_errors(void **state)
{
    (void)state;
    read_fails(TDATA "short_row.csv", JC_ERR_PARSE, TDATA "short_row.csv:3: expected 5 fields, found 4");
    assert_int_equal(jc_last_error_line(), 3);
    /* Line numbers count the line break inside the quoted field of row 2. */
    read_fails(TDATA "long_row.csv", JC_ERR_PARSE, TDATA "long_row.csv:5: expected 2 fields, found 3");
    read_fails(TDATA "duplicate.csv", JC_ERR_PARSE,
               TDATA "duplicate.csv:1:4: duplicate column name 'energy_j': columns 2 and 4");
    read_fails(TDATA "unclosed_quote.csv", JC_ERR_PARSE,
               TDATA "unclosed_quote.csv:3:2: quoted field is never closed");
    read_fails(TDATA "after_quote.csv", JC_ERR_PARSE,
               TDATA "after_quote.csv:2:2: unexpected 'y' after the closing quote of a field");
    read_fails(TDATA "binary.csv", JC_ERR_PARSE, TDATA "binary.csv:3: binary data");
    read_fails(TDATA "empty.csv", JC_ERR_EMPTY, TDATA "empty.csv: empty file");
    read_fails(TDATA "comments_only.csv", JC_ERR_EMPTY, TDATA "comments_only.csv: no header line");
    read_fails(TDATA "no_such_file.csv", JC_ERR_IO, TDATA "no_such_file.csv: cannot open: No such file");
    read_fails(TDATA, JC_ERR_IO, "is a directory");

    /* A header with no rows is a table, the caller decides. */
    jc_table *t = read_ok(TDATA "header_only.csv");
    assert_int_equal(jc_table_nrows(t), 0);
    assert_int_equal(jc_table_ncols(t), 2);
    assert_non_null(jc_table_column_values(t, 1));
    assert_int_equal(jc_table_require_numeric(t, 1, JC_TABLE_NO_MISSING), JC_OK);
    jc_table_free(t);

    t = read_ok(TDATA "not_numeric.csv");
    assert_int_equal(jc_table_require_numeric(t, 1, 0), JC_OK);
    assert_int_equal(jc_table_require_numeric(t, 1, JC_TABLE_NO_MISSING), JC_ERR_PARSE);
    assert_string_equal(jc_last_error(), TDATA "not_numeric.csv:3:2: column 'batch': missing value");
    assert_int_equal(jc_table_require_numeric(t, 2, 0), JC_ERR_PARSE);
    assert_string_equal(jc_last_error(),
                        TDATA "not_numeric.csv:4:3: column 'power_w': expected a number, found 'abc'");
    assert_int_equal(jc_last_error_line(), 4);
    assert_int_equal(jc_last_error_column(), 3);
    jc_table_free(t);
}

static jc_table *buffer_ok(const char *text)
{
    jc_table *t = NULL;
    int rc = jc_table_read_buffer("buf.csv", text, strlen(text), &t);
    if (rc != JC_OK)
        fail_msg("reading '%s': %s", text, jc_last_error());
    return t;
}

static int read_buf(const char *name, const char *text, jc_table **out)
{
    return jc_table_read_buffer(name, text, strlen(text), out);
}

static void test_buffer_dialect(void **state)
{
    (void)state;
    /* Comments only before the header; after it '#' is data. A trailing
     * line without a line break is a row. Spaces around quotes are dropped. */
    jc_table *t = buffer_ok("#c\n a , b \n#1,  \"x\"  \n\n  \n2,\"\"\"\"\r\n3,\"a\"\"b\"");
    assert_string_equal(jc_table_name(t, 0), "a");
    assert_string_equal(jc_table_name(t, 1), "b");
    assert_int_equal(jc_table_nrows(t), 3);
    assert_string_equal(jc_table_text(t, 0, 0), "#1");
    assert_string_equal(jc_table_text(t, 0, 1), "x");
    assert_string_equal(jc_table_text(t, 1, 1), "\"");
    assert_string_equal(jc_table_text(t, 2, 1), "a\"b");
    assert_int_equal(jc_table_row_line(t, 1), 6);
    assert_true(jc_table_column_values(t, 0)[2] == 3);
    jc_table_free(t);

    /* A lone column: an empty quoted field is a row, a blank line is not. */
    t = buffer_ok("x\n1\n\"\"\n\n2\n");
    assert_int_equal(jc_table_nrows(t), 3);
    assert_true(isnan(jc_table_column_values(t, 0)[1]));
    jc_table_free(t);

    jc_table *bad = NULL;
    assert_int_equal(read_buf("b.csv", "a,b\n1,\"2\"\"\n", &bad), JC_ERR_PARSE);
    assert_string_equal(jc_last_error(), "b.csv:2:2: quoted field is never closed (no matching '\"')");
    assert_int_equal(read_buf("b.csv", "a,b\n\"1\"\x01,2\n", &bad), JC_ERR_PARSE);
    assert_string_equal(jc_last_error(), "b.csv:2:1: unexpected byte 0x01 after the closing quote of a field");
    assert_int_equal(read_buf("b.csv", "\xEF\xBB\xBF", &bad), JC_ERR_EMPTY);
    assert_int_equal(read_buf("b.csv", "x,y\n1\n", &bad), JC_ERR_PARSE);
    assert_string_equal(jc_last_error(), "b.csv:2: expected 2 fields, found 1");
    assert_int_equal(read_buf("b.csv", "x\n1,2\n", &bad), JC_ERR_PARSE);
    assert_string_equal(jc_last_error(), "b.csv:2: expected 1 field, found 2");
    assert_null(bad);
}

/* What counts as a number, as missing, and as text. */
static void test_numbers(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double value; /* NaN: not a number */
        int missing;
    } cases[] = {
        {"0", 0, 0}, {"-0", -0.0, 0}, {"+7", 7, 0}, {"1.", 1, 0}, {".5", 0.5, 0}, {"1e3", 1000, 0},
        {"-2.5E-3", -2.5e-3, 0}, {" 42 ", 42, 0}, {"inf", INFINITY, 0}, {"-Infinity", -INFINITY, 0},
        {"1e-320", 1e-320, 0}, {"123456789012345678901234", 123456789012345678901234.0, 0},
        {"0.1000000000000000055511151231257827", 0.1, 0},
        {"", NAN, 1}, {"NA", NAN, 1}, {"n/a", NAN, 1}, {"NaN", NAN, 1}, {"-nan", NAN, 1},
        {"null", NAN, 1}, {"NULL", NAN, 1}, {"   ", NAN, 1},
        {"abc", NAN, 0}, {"0x1A", NAN, 0}, {"1e", NAN, 0}, {".", NAN, 0}, {"-", NAN, 0},
        {"1 2", NAN, 0}, {"12 W", NAN, 0}, {"nan(1)", NAN, 0}, {"1,5", NAN, 0}, {"e5", NAN, 0},
    };
    size_t n = sizeof cases / sizeof cases[0];
    const char *cells[sizeof cases / sizeof cases[0]];
    for (size_t i = 0; i < n; i++)
        cells[i] = cases[i].text;
    jc_table *t;
    assert_int_equal(jc_table_new(n, &t), JC_OK);
    assert_int_equal(jc_table_add_text(t, "x", cells), 0);
    const double *v = jc_table_column_values(t, 0);
    for (size_t i = 0; i < n; i++) {
        if (!same_bits(v[i], cases[i].value))
            fail_msg("'%s' read as %.17g, expected %.17g", cases[i].text, v[i], cases[i].value);
        /* A one-row table tells missing from not-a-number. */
        jc_table *one;
        assert_int_equal(jc_table_new(1, &one), JC_OK);
        assert_int_equal(jc_table_add_text(one, "c", &cells[i]), 0);
        int rc = jc_table_require_numeric(one, 0, 0);
        int is_number = !isnan(cases[i].value) || cases[i].missing;
        if ((rc == JC_OK) != is_number)
            fail_msg("'%s': require_numeric gave %d", cases[i].text, rc);
        jc_table_free(one);
    }
    jc_table_free(t);

    /* The fast path must agree with strtod, bit for bit, on many numbers in
     * the shapes programs print them. */
    static const char *fmts[] = {"%.17g", "%.16g", "%.15g", "%.6g", "%g", "%.3e", "%.10f", "%.0f"};
    const size_t m = 4000;
    size_t total = m * (sizeof fmts / sizeof fmts[0]);
    char *texts = malloc(total * 48);
    const char **ptrs = malloc(total * sizeof *ptrs);
    assert_non_null(texts);
    assert_non_null(ptrs);
    jc_rng rng;
    jc_rng_seed(&rng, 20240521);
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        double x;
        switch (i % 4) {
        case 0: x = jc_rng_uniform(&rng); break;
        case 1: x = (jc_rng_uniform(&rng) - 0.5) * pow(10, (double)jc_rng_below(&rng, 40) - 20); break;
        case 2: x = (double)jc_rng_below(&rng, UINT64_C(1) << 60); break;
        default: {
            uint64_t bits = jc_rng_next(&rng);
            memcpy(&x, &bits, sizeof x);
            if (!isfinite(x))
                x = 1.5;
        }
        }
        for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++, k++) {
            snprintf(texts + k * 48, 48, fmts[f], x);
            ptrs[k] = texts + k * 48;
        }
    }
    assert_int_equal(jc_table_new(total, &t), JC_OK);
    assert_int_equal(jc_table_add_text(t, "x", ptrs), 0);
    v = jc_table_column_values(t, 0);
    for (size_t i = 0; i < total; i++)
        if (!same_bits(v[i], strtod(ptrs[i], NULL)))
            fail_msg("'%s' read as %.17g", ptrs[i], v[i]);
    jc_table_free(t);
    free(texts);
    free(ptrs);
}

static void test_build(void **state)
{
    (void)state;
    jc_table *t;
    assert_int_equal(jc_table_new(3, &t), JC_OK);
    assert_int_equal(jc_table_nrows(t), 3);
    assert_int_equal(jc_table_ncols(t), 0);
    assert_null(jc_table_source(t));
    const double y[] = {1.5, NAN, -2};
    assert_int_equal(jc_table_add_numeric(t, "y", y), 0);
    assert_int_equal(jc_table_add_numeric(t, "z", NULL), 1);
    const char *arch[] = {"vgg16", NULL, "12"};
    assert_int_equal(jc_table_add_text(t, "arch", arch), 2);
    assert_int_equal(jc_table_add_numeric(t, "y", y), JC_ERR_INVALID);
    assert_non_null(strstr(jc_last_error(), "'y' already exists"));
    assert_int_equal(jc_table_add_text(t, "arch", NULL), JC_ERR_INVALID);
    assert_int_equal(jc_table_ncols(t), 3);

    assert_null(jc_table_text(t, 0, 0)); /* a numeric column keeps no text */
    assert_string_equal(jc_table_text(t, 1, 2), "");
    assert_true(isnan(jc_table_column_values(t, 1)[2]));
    assert_true(jc_table_column_values(t, 2)[2] == 12);
    assert_int_equal(jc_table_row_line(t, 0), 0);

    assert_int_equal(jc_table_set_number(t, 1, 0, 4.25), JC_OK);
    assert_true(jc_table_column_values(t, 0)[1] == 4.25);
    assert_int_equal(jc_table_set_text(t, 0, 0, "5"), JC_ERR_INVALID);
    assert_int_equal(jc_table_set_text(t, 1, 2, "resnet50"), JC_OK);
    assert_string_equal(jc_table_text(t, 1, 2), "resnet50");
    /* A number set in a text column becomes its text too. */
    assert_int_equal(jc_table_set_number(t, 0, 2, 0.1), JC_OK);
    assert_string_equal(jc_table_text(t, 0, 2), "0.10000000000000001");
    assert_true(jc_table_column_values(t, 2)[0] == 0.1);
    assert_int_equal(jc_table_set_number(t, 3, 0, 1), JC_ERR_INVALID);
    assert_int_equal(jc_table_set_number(t, 0, 3, 1), JC_ERR_INVALID);

    assert_int_equal(jc_table_require_numeric(t, 0, 0), JC_OK);
    assert_int_equal(jc_table_require_numeric(t, 1, JC_TABLE_NO_MISSING), JC_ERR_PARSE);
    assert_string_equal(jc_last_error(), "row 1, column 2 ('z'): missing value");
    assert_int_equal(jc_table_require_numeric(t, 2, 0), JC_ERR_PARSE);
    assert_string_equal(jc_last_error(), "row 2, column 3 ('arch'): expected a number, found 'resnet50'");

    assert_int_equal(jc_table_add_rows(t, 100), JC_OK);
    assert_int_equal(jc_table_nrows(t), 103);
    assert_true(isnan(jc_table_column_values(t, 0)[102]));
    assert_string_equal(jc_table_text(t, 102, 2), "");
    assert_true(jc_table_column_values(t, 0)[0] == 1.5);
    assert_int_equal(jc_table_set_number(t, 102, 1, 9), JC_OK);
    jc_table_free(t);
    jc_table_free(NULL);

    /* Rows added to a table read from a file have no line. */
    t = read_ok(TDATA "quoted.csv");
    assert_int_equal(jc_table_add_rows(t, 1), JC_OK);
    assert_int_equal(jc_table_row_line(t, 3), 0);
    assert_int_equal(jc_table_row_line(t, 2), 7);
    assert_int_equal(jc_table_add_numeric(t, "pred_w", NULL), 3);
    assert_int_equal(jc_table_nrows(t), 4);
    jc_table_free(t);
}

static void test_write_roundtrip(void **state)
{
    (void)state;
    const double vals[] = {0.1, 1.0 / 3, -0.0, 4.9406564584124654e-324, 2.2250738585072014e-308, DBL_MAX,
                           -DBL_MIN, INFINITY, -INFINITY, NAN, 123456789012345678.0, M_PI, 1e22, 1e23,
                           9007199254740993.0, 0.30000000000000004};
    const size_t n = sizeof vals / sizeof vals[0];
    const char *texts[] = {"a,b", "say \"hi\"", "two\nlines", " padded ", "", "#x", "NA", "crlf\r\n",
                           "\ttab", "plain", "ünïcödé", ",", "\"", "x", "y", "z"};
    _Static_assert(sizeof texts / sizeof texts[0] == sizeof vals / sizeof vals[0], "same length");
    jc_table *t;
    assert_int_equal(jc_table_new(n, &t), JC_OK);
    assert_int_equal(jc_table_add_text(t, "#name, with comma", texts), 0);
    assert_int_equal(jc_table_add_numeric(t, "value \"v\"", vals), 1);
    assert_int_equal(jc_table_add_numeric(t, " spaced ", NULL), 2);
    char path[256];
    tmp_path(path, sizeof path, "out.csv");
    assert_int_equal(jc_table_write_csv(t, path), JC_OK);

    jc_table *r = read_ok(path);
    assert_int_equal(jc_table_nrows(r), n);
    assert_int_equal(jc_table_ncols(r), 3);
    assert_string_equal(jc_table_name(r, 0), "#name, with comma");
    assert_string_equal(jc_table_name(r, 1), "value \"v\"");
    assert_string_equal(jc_table_name(r, 2), " spaced ");
    const double *v = jc_table_column_values(r, 1);
    for (size_t i = 0; i < n; i++) {
        if (!same_bits(v[i], vals[i]))
            fail_msg("row %zu: wrote %.17g, read %.17g", i, vals[i], v[i]);
        assert_string_equal(jc_table_text(r, i, 0), texts[i]);
        assert_true(isnan(jc_table_column_values(r, 2)[i]));
    }
    assert_int_equal(jc_table_require_numeric(r, 1, 0), JC_OK);

    /* Written twice, the same bytes: the reader's text is what the writer
     * needs to reproduce the file. */
    char path2[256];
    tmp_path(path2, sizeof path2, "out2.csv");
    assert_int_equal(jc_table_write_csv(r, path2), JC_OK);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", path, path2);
    assert_int_equal(system(cmd), 0);
    jc_table_free(r);
    jc_table_free(t);

    /* One column with missing cells: each must stay a row, not a blank line. */
    const double one[] = {NAN, 2, NAN};
    assert_int_equal(jc_table_new(3, &t), JC_OK);
    assert_int_equal(jc_table_add_numeric(t, "only", one), 0);
    assert_int_equal(jc_table_write_csv(t, path), JC_OK);
    r = read_ok(path);
    assert_int_equal(jc_table_nrows(r), 3);
    assert_true(jc_table_column_values(r, 0)[1] == 2);
    assert_true(isnan(jc_table_column_values(r, 0)[2]));
    jc_table_free(r);

    /* A failed write leaves the old file and no temporary behind. */
    assert_int_equal(jc_table_write_csv(t, "/nonexistent-dir/x.csv"), JC_ERR_IO);
    assert_non_null(strstr(jc_last_error(), "/nonexistent-dir/x.csv"));
    jc_table_free(t);
    assert_int_equal(jc_table_new(0, &t), JC_OK);
    assert_int_equal(jc_table_write_csv(t, path), JC_ERR_INVALID);
    r = read_ok(path);
    assert_int_equal(jc_table_nrows(r), 3);
    jc_table_free(r);
    jc_table_free(t);

    /* The real dataset: written, read back, same text and bits everywhere. */
    r = read_ok(SEAA);
    assert_int_equal(jc_table_write_csv(r, path), JC_OK);
    jc_table *r2 = read_ok(path);
    assert_int_equal(jc_table_ncols(r2), 31);
    for (int j = 0; j < 31; j++) {
        assert_string_equal(jc_table_name(r, j), jc_table_name(r2, j));
        for (size_t i = 0; i < jc_table_nrows(r); i++) {
            assert_string_equal(jc_table_text(r, i, j), jc_table_text(r2, i, j));
            assert_true(same_bits(jc_table_column_values(r, j)[i], jc_table_column_values(r2, j)[i]));
        }
    }
    jc_table_free(r2);
    /* runs.csv has CRLF line ends; the writer's are LF, the rest the same. */
    snprintf(cmd, sizeof cmd, "tr -d '\\r' < '%s' | cmp -s - '%s'", SEAA, path);
    assert_int_equal(system(cmd), 0);
    jc_table_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seaa_runs),
        cmocka_unit_test(test_shared_dataset),
        cmocka_unit_test(test_quoted),
        cmocka_unit_test(test_bom_crlf),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_buffer_dialect),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_write_roundtrip),
    };
    return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
