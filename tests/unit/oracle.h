/* Shared by the unit tests whose reference answers come from Debian's
 * python3-sklearn / python3-scipy: run a script of tests/oracles/ into a fresh
 * temporary folder, read the CSVs it writes, remove them afterwards. The
 * scripts exit 77 when the Python stack is missing; the tests then report
 * themselves skipped (77) rather than failed. */
#ifndef JC_TEST_ORACLE_H
#define JC_TEST_ORACLE_H

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "joulecast/table.h"

#define ORACLE_DIR JC_TEST_DATA "/../oracles"
#define ORACLE_PYTHON "/usr/bin/python3"

/* Run ORACLE_DIR/script into a new temporary folder (its path into dir, of
 * size >= 256). Returns 0 on success, 77 when the oracle cannot run here,
 * 1 on failure (with a message on stderr). */
static inline int oracle_run(const char *script, char *dir)
{
    if (access(ORACLE_PYTHON, X_OK) != 0) {
        fprintf(stderr, "skipped: %s not installed\n", ORACLE_PYTHON);
        return 77;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, 256, "%s/jc-oracle-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s '%s/%s' '%s' '%s'", ORACLE_PYTHON, ORACLE_DIR, script, dir, JC_TEST_DATA);
    int st = system(cmd);
    int code = st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : 1;
    if (code == 77)
        fprintf(stderr, "skipped: %s needs python3-numpy, python3-scipy and python3-sklearn\n", script);
    else if (code != 0)
        fprintf(stderr, "oracle %s failed (exit %d)\n", script, code);
    return code == 0 ? 0 : code == 77 ? 77 : 1;
}

/* The folder holds only the files the oracle wrote: remove them, then it. */
static inline void oracle_cleanup(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* dir/name read as a table; NULL (with the reason on stderr) on failure. */
static inline jc_table *oracle_read(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    jc_table *t = NULL;
    if (jc_table_read_csv(path, &t) != JC_OK)
        fprintf(stderr, "%s\n", jc_last_error());
    return t;
}

/* |got - want| within tol, relative once |want| > 1; both NaN also agree. */
static inline int oracle_close(double got, double want, double tol)
{
    if (isnan(got) || isnan(want))
        return isnan(got) && isnan(want);
    double scale = fabs(want) > 1 ? fabs(want) : 1;
    return fabs(got - want) <= tol * scale;
}

/* The error oracle_close measures. */
static inline double oracle_err(double got, double want)
{
    double scale = fabs(want) > 1 ? fabs(want) : 1;
    return fabs(got - want) / scale;
}

#endif
