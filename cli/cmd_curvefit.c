/* joulecast curvefit: how one column depends on another, as the first
 * seed's Observations 1 to 3 put it (energy against batch size follows
 * y = a ln x + b): linear, logarithmic, exponential and power fits with R^2,
 * the best marked. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "joulecast/learn.h"
#include "joulecast/table.h"
#include "joulecast/util.h"
#include "learn_cli.h"

void jc_cmd_curvefit_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast curvefit FILE.csv --x COL --y COL [--where COL=VAL]... [--json]\n"
            "\n"
            "Fits y against x four ways, by least squares on y:\n"
            "  linear        y = a x + b\n"
            "  logarithmic   y = a ln(x) + b          (x > 0)\n"
            "  exponential   y = a exp(b x)           (y > 0)\n"
            "  power         y = a x^b                (x > 0, y > 0)\n"
            "and prints a, b, R^2 and RMSE of each, the best (highest R^2) marked with *.\n"
            "Rows where x or y is missing are left out (counted).\n"
            "\n"
            "example (energy per epoch against batch size, ResNet-50 on the A40):\n"
            "  joulecast curvefit data/zeus_runs.csv --x batch_size --y epoch_energy_j \\\n"
            "      --where arch=resnet50 --where gpu_model=A40 --where power_limit_w=300\n");
}

int jc_cmd_curvefit(int argc, char **argv)
{
    const char *path = NULL, *xc = NULL, *yc = NULL;
    char **where = NULL;
    size_t nwhere = 0;
    int json = 0, status = JC_EXIT_USAGE;
    jc_table *t = NULL;
    unsigned char *keep = NULL;
    double *x = NULL, *y = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if ((!strcmp(a, "--x") || !strcmp(a, "--y") || !strcmp(a, "--where")) && !v) {
            fprintf(stderr, "joulecast: error: %s needs a value\n", a);
            goto out;
        }
        if (!strcmp(a, "--x")) xc = argv[++i];
        else if (!strcmp(a, "--y")) yc = argv[++i];
        else if (!strcmp(a, "--where")) { where = realloc(where, (nwhere + 1) * sizeof *where); where[nwhere++] = argv[++i]; }
        else if (!strcmp(a, "--json")) json = 1;
        else if (a[0] == '-') { fprintf(stderr, "joulecast: error: curvefit: unknown option '%s'\n", a); goto out; }
        else if (!path) path = a;
        else { fprintf(stderr, "joulecast: error: curvefit: one CSV, got '%s' too\n", a); goto out; }
    }
    if (!path || !xc || !yc) {
        fprintf(stderr, "joulecast: error: curvefit needs FILE.csv, --x and --y (joulecast curvefit --help)\n");
        goto out;
    }
    if ((status = jc_cli_read_rows(path, where, nwhere, &t, &keep)) != 0)
        goto out;
    status = JC_EXIT_FAIL;
    int cx = jc_table_find(t, xc), cy = jc_table_find(t, yc);
    if (cx < 0 || cy < 0) {
        fprintf(stderr, "joulecast: error: %s has no column '%s'\n", path, cx < 0 ? xc : yc);
        status = JC_EXIT_USAGE;
        goto out;
    }
    if (jc_table_require_numeric(t, cx, 0) != JC_OK || jc_table_require_numeric(t, cy, 0) != JC_OK) {
        jc_print_error();
        goto out;
    }
    size_t nrows = jc_table_nrows(t), n = 0, missing = 0;
    const double *vx = jc_table_column_values(t, cx), *vy = jc_table_column_values(t, cy);
    x = malloc((nrows ? nrows : 1) * sizeof *x);
    y = malloc((nrows ? nrows : 1) * sizeof *y);
    for (size_t i = 0; i < nrows; i++) {
        if (!keep[i])
            continue;
        if (!isfinite(vx[i]) || !isfinite(vy[i])) {
            missing++;
            continue;
        }
        x[n] = vx[i];
        y[n++] = vy[i];
    }
    if (n < 3) {
        fprintf(stderr, "joulecast: error: %s: %zu rows with both '%s' and '%s'; at least 3 are needed\n", path, n, xc,
                yc);
        goto out;
    }
    jc_curve_fit fits[JC_CURVE_COUNT];
    jc_curve_fit_all(x, y, n, fits);
    int best = -1;
    for (int k = 0; k < JC_CURVE_COUNT; k++)
        if (fits[k].ok && (best < 0 || fits[k].r2 > fits[best].r2))
            best = k;
    if (json) {
        json_t *arr = json_array();
        for (int k = 0; k < JC_CURVE_COUNT; k++) {
            const jc_curve_fit *f = &fits[k];
            json_array_append_new(arr, f->ok ? json_pack("{s:s, s:f, s:f, s:f, s:f, s:b}", "form", jc_curve_name(f->kind),
                                                         "a", f->a, "b", f->b, "r2", f->r2, "rmse", f->rmse, "best",
                                                         k == best)
                                             : json_pack("{s:s, s:n, s:s}", "form", jc_curve_name(f->kind), "r2",
                                                         "why", f->why));
        }
        json_t *root = json_pack("{s:s, s:s, s:s, s:I, s:o}", "file", path, "x", xc, "y", yc, "rows", (json_int_t)n,
                                 "fits", arr);
        json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
        putchar('\n');
        json_decref(root);
    } else {
        printf("%s against %s, %zu rows%s\n", yc, xc, n, missing ? " (some left out: missing values)" : "");
        printf("  %-13s %-28s %14s %14s %10s %12s\n", "", "form", "a", "b", "R^2", "RMSE");
        static const char *const forms[] = {"y = a x + b", "y = a ln(x) + b", "y = a exp(b x)", "y = a x^b"};
        for (int k = 0; k < JC_CURVE_COUNT; k++) {
            const jc_curve_fit *f = &fits[k];
            if (f->ok)
                printf("%c %-13s %-28s %14.6g %14.6g %10.4f %12.5g\n", k == best ? '*' : ' ', jc_curve_name(f->kind),
                       forms[k], f->a, f->b, f->r2, f->rmse);
            else
                printf("  %-13s %-28s %s\n", jc_curve_name(f->kind), forms[k], f->why);
        }
    }
    status = JC_EXIT_OK;
out:
    free(where);
    free(keep);
    free(x);
    free(y);
    jc_table_free(t);
    return status;
}
