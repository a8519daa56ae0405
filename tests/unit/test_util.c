/* util: error messages with locations, log levels, RNG determinism and
 * distribution, growable buffers, calendar arithmetic, atomic file writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "joulecast/util.h"

static void test_error_location(void **state)
{
    (void)state;
    int rc = jc_fail_at(JC_ERR_PARSE, "trace.csv", 12, 5, "expected %s", "a number");
    assert_int_equal(rc, JC_ERR_PARSE);
    assert_string_equal(jc_last_error(), "trace.csv:12:5: expected a number");
    assert_string_equal(jc_last_error_file(), "trace.csv");
    assert_int_equal(jc_last_error_line(), 12);
    assert_int_equal(jc_last_error_column(), 5);
    jc_fail_at(JC_ERR_IO, "x.csv", 3, 0, "bad");
    assert_string_equal(jc_last_error(), "x.csv:3: bad");
    jc_fail(JC_ERR_INVALID, "no file here");
    assert_string_equal(jc_last_error(), "no file here");
    assert_null(jc_last_error_file());
    jc_clear_error();
    assert_string_equal(jc_last_error(), "");
    assert_string_equal(jc_status_name(JC_ERR_NOMEM), "out of memory");
}

static void test_log_levels(void **state)
{
    (void)state;
    assert_int_equal(jc_log_level_parse("debug"), JC_LOG_DEBUG);
    assert_int_equal(jc_log_level_parse("WARN"), JC_LOG_WARN);
    assert_int_equal(jc_log_level_parse("loud"), -1);
    jc_log_set_level(JC_LOG_ERROR);
    assert_int_equal(jc_log_get_level(), JC_LOG_ERROR);
    jc_log_set_level(JC_LOG_WARN);
}

static void test_rng(void **state)
{
    (void)state;
    jc_rng a, b;
    jc_rng_seed(&a, 42);
    jc_rng_seed(&b, 42);
    for (int i = 0; i < 1000; i++)
        assert_true(jc_rng_next(&a) == jc_rng_next(&b));
    jc_rng_seed(&b, 43);
    assert_true(jc_rng_next(&a) != jc_rng_next(&b));
    /* Uniform mean ~ 0.5, normal mean ~ 0 and variance ~ 1 over many draws. */
    jc_rng_seed(&a, 7);
    double su = 0, sn = 0, sn2 = 0;
    const int n = 200000;
    int counts[10] = {0};
    for (int i = 0; i < n; i++) {
        double u = jc_rng_uniform(&a);
        assert_true(u >= 0 && u < 1);
        su += u;
        double z = jc_rng_normal(&a);
        sn += z;
        sn2 += z * z;
        counts[jc_rng_below(&a, 10)]++;
    }
    assert_true(fabs(su / n - 0.5) < 0.005);
    assert_true(fabs(sn / n) < 0.01);
    assert_true(fabs(sn2 / n - 1) < 0.02);
    for (int k = 0; k < 10; k++)
        assert_true(abs(counts[k] - n / 10) < n / 100);
    /* Split streams: reproducible and distinct. */
    jc_rng c1, c2, c3;
    jc_rng_seed(&a, 99);
    jc_rng_split(&a, 1, &c1);
    jc_rng_split(&a, 1, &c2);
    jc_rng_split(&a, 2, &c3);
    uint64_t x1 = jc_rng_next(&c1), x2 = jc_rng_next(&c2), x3 = jc_rng_next(&c3);
    assert_true(x1 == x2);
    assert_true(x1 != x3);
}

static void test_grow(void **state)
{
    (void)state;
    int *buf = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < 10000; i++) {
        assert_int_equal(jc_grow((void **)&buf, &cap, i + 1, sizeof *buf), JC_OK);
        buf[i] = (int)i;
    }
    assert_true(cap >= 10000);
    assert_int_equal(buf[9999], 9999);
    free(buf);
}

static void test_days_from_civil(void **state)
{
    (void)state;
    assert_int_equal(jc_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(jc_days_from_civil(2000, 3, 1), 11017);
    /* 2023-03-08 is 19424 days after the epoch (date -d 2023-03-08 +%s / 86400). */
    assert_int_equal(jc_days_from_civil(2023, 3, 8), 19424);
    assert_int_equal(jc_days_from_civil(1969, 12, 31), -1);
}

static void test_atomic_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/jc-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    jc_atomic_file *af;
    FILE *f;
    assert_int_equal(jc_atomic_open(path, &af, &f), JC_OK);
    fputs("good\n", f);
    assert_int_equal(jc_atomic_commit(af), JC_OK);
    /* An aborted rewrite leaves the good file untouched. */
    assert_int_equal(jc_atomic_open(path, &af, &f), JC_OK);
    fputs("half-writ", f);
    jc_atomic_abort(af);
    FILE *r = fopen(path, "r");
    assert_non_null(r);
    char line[32] = {0};
    assert_non_null(fgets(line, sizeof line, r));
    fclose(r);
    assert_string_equal(line, "good\n");
    /* Missing folder: an i/o error naming the path. */
    char bad[300];
    snprintf(bad, sizeof bad, "%s/no/such/dir/x", dir);
    assert_int_equal(jc_atomic_open(bad, &af, &f), JC_ERR_IO);
    assert_non_null(strstr(jc_last_error(), bad));
    unlink(path);
    rmdir(dir);
}

static void test_progress_draws_only_when_enabled(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    jc_progress_force(mem, 1);
    jc_progress *p = jc_progress_begin("work", 10);
    jc_progress_update(p, 5);
    jc_progress_end(p);
    fflush(mem);
    assert_non_null(strstr(buf, "work"));
    assert_non_null(strstr(buf, "100.0%"));
    fclose(mem);
    free(buf);
    buf = NULL;
    mem = open_memstream(&buf, &len);
    jc_progress_force(mem, 0);
    p = jc_progress_begin("quiet", 10);
    jc_progress_update(p, 5);
    jc_progress_end(p);
    fflush(mem);
    assert_int_equal(len, 0);
    fclose(mem);
    free(buf);
    jc_progress_force(NULL, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_location),  cmocka_unit_test(test_log_levels),
        cmocka_unit_test(test_rng),             cmocka_unit_test(test_grow),
        cmocka_unit_test(test_days_from_civil), cmocka_unit_test(test_atomic_file),
        cmocka_unit_test(test_progress_draws_only_when_enabled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
