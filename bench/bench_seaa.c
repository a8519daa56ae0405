/* bench_seaa: the trace module against real measurements. Reads every RTX
 * 3090 nvidia-smi trace of the seaa2023 data set (../shared/data/seaa2023),
 * analyses it without hints, and compares with the published per-run table:
 * integrated energy vs `energy (MJ)`, epochs found vs `trained epochs` (the
 * k-th trace of an architecture in time order is row run=k). Prints the error
 * distributions and the ingest+analysis throughput in MB/s.
 *
 *   bench_seaa [--check] [--reps N] [SEAA_DIR]
 *
 * The published `trained epochs` over-counts: the seaa2023 pipeline adds the
 * early-stopping patience (20) to the restored epoch, an absolute index that
 * already includes the 10 frozen epochs, while fine-tuning started at epoch
 * 10 and stopped 20 epochs after the best: the column is the real count + 9
 * whenever early stopping fired, and when it is capped at 150 the real count
 * lies anywhere in 141..150. The traces confirm it (docs/analyze.md). The
 * bench therefore prints the comparison twice: against the column as
 * published (the stated goal, which no correct count can meet) and
 * against the corrected reference.
 *
 * --check exits 1 when energy is within 1% for fewer than 95% of runs, or
 * epochs within 2 of the corrected reference for fewer than 90%; 77 when the
 * data is absent. The test suite runs it that way. The throughput is printed,
 * never asserted. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "joulecast/trace.h"
#include "joulecast/util.h"

#ifndef JC_DEFAULT_SEAA
#define JC_DEFAULT_SEAA "../shared/data/seaa2023"
#endif

typedef struct {
    char arch[64];
    int run;
    double energy_mj;
    int epochs;
} ref_row;

static int split_csv(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    return n;
}

static int col_index(char **f, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(f[i], name) == 0)
            return i;
    return -1;
}

static ref_row *load_refs(const char *path, size_t *count)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char line[8192];
    char *fs[128];
    ref_row *rows = NULL;
    size_t n = 0, cap = 0;
    int ienv = -1, iarch = -1, irun = -1, ien = -1, iep = -1;
    int header = 1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        int nf = split_csv(line, fs, 128);
        if (header) {
            ienv = col_index(fs, nf, "training environment");
            iarch = col_index(fs, nf, "architecture");
            irun = col_index(fs, nf, "run");
            ien = col_index(fs, nf, "energy (MJ)");
            iep = col_index(fs, nf, "trained epochs");
            header = 0;
            if (ienv < 0 || iarch < 0 || irun < 0 || ien < 0 || iep < 0) {
                fprintf(stderr, "%s: expected columns training environment, architecture, run, energy (MJ), "
                                "trained epochs\n", path);
                break;
            }
            continue;
        }
        if (nf <= iep || strcmp(fs[ienv], "Cloud") != 0)
            continue;
        if (jc_grow((void **)&rows, &cap, n + 1, sizeof *rows))
            break;
        snprintf(rows[n].arch, sizeof rows[n].arch, "%s", fs[iarch]);
        rows[n].run = atoi(fs[irun]);
        rows[n].energy_mj = atof(fs[ien]);
        rows[n].epochs = atoi(fs[iep]);
        n++;
    }
    fclose(f);
    *count = n;
    return rows;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Trace files of one architecture, in time order (their names carry it). */
static char **list_traces(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    *count = 0;
    if (!d)
        return NULL;
    char **names = NULL;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "gpu-power-", 10) != 0)
            continue;
        if (jc_grow((void **)&names, &cap, *count + 1, sizeof *names))
            break;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[*count] = malloc(len);
        snprintf(names[*count], len, "%s/%s", dir, e->d_name);
        (*count)++;
    }
    closedir(d);
    qsort(names, *count, sizeof *names, cmp_str);
    return names;
}

typedef struct {
    char arch[64];
    size_t runs, energy_ok, epochs_ok, fixed_ok;
    int hist[9];       /* epoch error vs the published column, -4..+4 clamped */
    int fixed_hist[9]; /* epoch error vs the corrected reference */
    double worst_energy;
} arch_result;

/* Distance from the count found to the corrected reference: trained - 9, or
 * the interval 141..150 when the column is capped at 150 (see the top). */
static long corrected_error(long found, int trained)
{
    if (trained >= 150) {
        if (found < 141)
            return found - 141;
        if (found > 150)
            return found - 150;
        return 0;
    }
    return found - (trained - 9);
}

static void print_hist_row(const arch_result *ar, const int *hist, size_t ok)
{
    printf("%-14s %5zu %10zu   ", ar->arch, ar->runs, ok);
    for (int h = 0; h < 9; h++)
        printf("%4d", hist[h]);
    printf("\n");
}

int main(int argc, char **argv)
{
    int check = 0, reps = 3;
    const char *root = JC_DEFAULT_SEAA;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--check"))
            check = 1;
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else
            root = argv[i];
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/processed/dl-training-energy-consumption-dataset.csv", root);
    size_t nref = 0;
    ref_row *refs = load_refs(path, &nref);
    if (!refs || nref == 0) {
        printf("skipped: seaa2023 data not found at %s\n", root);
        return 77;
    }
    static const char *archs[] = {"mobilenet_v2", "nasnet_mobile", "resnet50", "vgg16", "xception"};
    const size_t narch = sizeof archs / sizeof archs[0];
    arch_result res[8];
    memset(res, 0, sizeof res);
    size_t total = 0, energy_ok = 0, epochs_ok = 0, fixed_ok = 0, missing = 0;
    double best_s = 1e30;
    size_t bytes_all = 0;
    jc_analyze_opts ao;
    jc_analyze_opts_default(&ao);
    for (int rep = 0; rep < (reps > 0 ? reps : 1); rep++) {
        double t_start = jc_now_monotonic();
        size_t bytes = 0;
        for (size_t a = 0; a < narch; a++) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%s/raw/cloud/%s", root, archs[a]);
            size_t nf = 0;
            char **files = list_traces(dir, &nf);
            arch_result *ar = &res[a];
            if (rep == 0)
                snprintf(ar->arch, sizeof ar->arch, "%s", archs[a]);
            for (size_t k = 0; k < nf; k++) {
                jc_trace *tr = NULL;
                jc_analysis an = {0};
                if (jc_trace_read(files[k], NULL, &tr) || jc_trace_analyze(tr, &ao, &an)) {
                    fprintf(stderr, "%s\n", jc_last_error());
                    jc_trace_free(tr);
                    continue;
                }
                bytes += tr->stats.bytes;
                if (rep == 0) {
                    const ref_row *r = NULL;
                    for (size_t i = 0; i < nref; i++)
                        if (!strcmp(refs[i].arch, archs[a]) && refs[i].run == (int)k)
                            r = &refs[i];
                    if (!r) {
                        missing++;
                    } else {
                        double rel = an.energy_j / (r->energy_mj * 1e6) - 1;
                        const jc_gpu_analysis *g = &an.gpus[0];
                        long found = g->seg_status ? 0 : (long)g->seg.nepochs;
                        long err = found - r->epochs;
                        ar->runs++;
                        total++;
                        if (fabs(rel) <= 0.01) {
                            ar->energy_ok++;
                            energy_ok++;
                        }
                        if (fabs(rel) > fabs(ar->worst_energy))
                            ar->worst_energy = rel;
                        if (labs(err) <= 2) {
                            ar->epochs_ok++;
                            epochs_ok++;
                        }
                        ar->hist[err < -4 ? 0 : err > 4 ? 8 : err + 4]++;
                        long ferr = corrected_error(found, r->epochs);
                        if (labs(ferr) <= 2) {
                            ar->fixed_ok++;
                            fixed_ok++;
                        }
                        ar->fixed_hist[ferr < -4 ? 0 : ferr > 4 ? 8 : ferr + 4]++;
                        if (labs(ferr) > 2)
                            printf("  off by %+ld epochs (corrected reference): %s (found %ld, column %d)\n", ferr,
                                   files[k], found, r->epochs);
                    }
                }
                jc_analysis_free(&an);
                jc_trace_free(tr);
            }
            for (size_t k = 0; k < nf; k++)
                free(files[k]);
            free(files);
        }
        double el = jc_now_monotonic() - t_start;
        if (el < best_s)
            best_s = el;
        bytes_all = bytes;
    }
    printf("\nseaa2023 RTX 3090 cloud runs: %zu traces compared (%zu without a table row)\n\n", total, missing);
    printf("%-14s %5s %12s %14s\n", "architecture", "runs", "energy<=1%", "worst energy");
    for (size_t a = 0; a < narch; a++)
        printf("%-14s %5zu %11zu  %+13.3f%%\n", res[a].arch, res[a].runs, res[a].energy_ok,
               100 * res[a].worst_energy);
    const char *cols = "<=-4  -3  -2  -1   0  +1  +2  +3 >=+4";
    printf("\nepochs found (no hint) - `trained epochs` as published:\n");
    printf("%-14s %5s %10s    %s\n", "architecture", "runs", "within 2", cols);
    for (size_t a = 0; a < narch; a++)
        print_hist_row(&res[a], res[a].hist, res[a].epochs_ok);
    printf("\nepochs found (no hint) - corrected reference (trained - 9; 141..150 where capped at 150):\n");
    printf("%-14s %5s %10s    %s\n", "architecture", "runs", "within 2", cols);
    for (size_t a = 0; a < narch; a++)
        print_hist_row(&res[a], res[a].fixed_hist, res[a].fixed_ok);
    double fe = total ? (double)energy_ok / (double)total : 0, fp = total ? (double)epochs_ok / (double)total : 0;
    double ff = total ? (double)fixed_ok / (double)total : 0;
    printf("\nenergy within 1%% of the table:                    %zu/%zu = %.1f%% (goal >= 95%%)\n", energy_ok,
           total, 100 * fe);
    printf("epochs within 2 of `trained epochs` as published: %zu/%zu = %.1f%% (goal >= 90%%; the column is +9)\n",
           epochs_ok, total, 100 * fp);
    printf("epochs within 2 of the corrected reference:       %zu/%zu = %.1f%%\n", fixed_ok, total, 100 * ff);
    printf("ingest + analysis: %.1f MB in %.3f s = %.1f MB/s (best of %d; goal >= 50 MB/s)\n", bytes_all / 1e6,
           best_s, bytes_all / 1e6 / best_s, reps);
    free(refs);
    if (check && (total < 150 || fe < 0.95 || ff < 0.90)) {
        printf("FAILED: energy or epochs (corrected reference) below its goal\n");
        return 1;
    }
    return 0;
}
