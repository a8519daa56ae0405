/* joulecast dataset: the runs dataset, one row per training run, that the
 * learning commands read. `build` makes it from folders written by
 * `joulecast record`; `import zeus` and `import seaa` from published
 * measurements. Columns: docs/formats.md, "Runs dataset". */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "joulecast/learn.h"
#include "joulecast/table.h"
#include "joulecast/util.h"

void jc_cmd_dataset_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast dataset build RUN_DIR... -o runs.csv\n"
            "       joulecast dataset import zeus FILE... -o zeus.csv [--gpu NAME]\n"
            "       joulecast dataset import seaa TABLE.csv [--traces DIR] -o seaa.csv\n"
            "\n"
            "Writes the runs dataset: one CSV row per training run, what the run was and\n"
            "what it drew, for 'joulecast select' and the models to learn from. Empty\n"
            "cells where a source has no value.\n"
            "\n"
            "build: each RUN_DIR is a folder written by 'joulecast record' (trace.csv and\n"
            "run.json). The trace is analysed as 'joulecast analyze' does; the metadata\n"
            "comes from the --meta KEY=VALUE pairs given to record. Keys read (case and\n"
            "'-'/'_' do not matter; others are ignored):\n"
            "  arch, model, network, architecture   the network (a zoo name counts params, flops)\n"
            "  batch, batch_size, bs                batch size\n"
            "  image, image_size, img_size, resolution   input height = width, px\n"
            "  samples, data_size, dataset_size, train_size, training_size   training-set size\n"
            "  epochs, num_epochs, num_epoch        epochs trained (else: the count the trace shows)\n"
            "  workers, num_workers                 CPU data-loader workers\n"
            "  dataset, data; optimizer, optim      names, copied\n"
            "  params, parameters; flops            override the zoo's counts (flops: forward, per sample)\n"
            "  classes, num_classes; seq_len, max_seq_length   the input the zoo counts at\n"
            "  run_id, name                         the row's id (default: the folder's name)\n"
            "GPU count, model and power limit come from run.json.\n"
            "\n"
            "import zeus: summary_power_<gpu>.csv files of the Zeus (NSDI 2023) power trace;\n"
            "  the GPU comes from the file name, or --gpu NAME for all of them.\n"
            "import seaa: the seaa2023 per-run table (dl-training-energy-consumption-\n"
            "  dataset.csv); --traces DIR (its raw/cloud folder: DIR/<arch>/gpu-power-*.csv,\n"
            "  or DIR/<arch>-run<k>.csv[.gz]) adds the square-wave targets of the Cloud runs.\n"
            "\n"
            "columns (docs/formats.md has the details):\n"
            "  source, run_id        where the row comes from, its id there\n"
            "  arch                  network (zoo name when known), params, flops (forward\n"
            "                        FLOPs per sample at the run's input), image_size (px)\n"
            "  samples, batch_size, epochs, workers, gpus, gpu_model, power_limit_w (W),\n"
            "  dataset, optimizer    the run's setup\n"
            "  peak_power_w, peak_s, valley_power_w, valley_s   the square wave per epoch\n"
            "                        (compute phase, between-epoch phase), per GPU\n"
            "  epoch_energy_j, time_per_epoch_s   per epoch, per GPU\n"
            "  energy_j, duration_s, avg_power_w  the whole run, per GPU\n"
            "\n"
            "options:\n"
            "  -o, --output FILE   the CSV to write (replaced atomically; required)\n"
            "  --gpu NAME          import zeus: the GPU's name for every row\n"
            "  --traces DIR        import seaa: the folder of nvidia-smi traces\n"
            "\n"
            "examples:\n"
            "  joulecast record -o runs/r1 --meta arch=resnet50 --meta batch=128 -- python train.py\n"
            "  joulecast dataset build runs/* -o runs.csv\n"
            "  joulecast dataset import zeus ../shared/data/zeus-nsdi23/summary_power_*.csv -o zeus.csv\n"
            "  joulecast dataset import seaa seaa/processed/dl-training-energy-consumption-dataset.csv \\\n"
            "      --traces seaa/raw/cloud -o seaa.csv\n");
}

/* The progress bar follows the trace analysis (drawn only on a terminal). */
static void on_progress(void *ctx, size_t done, size_t total)
{
    jc_progress **bar = ctx;
    if (!*bar)
        *bar = jc_progress_begin("dataset", (double)total);
    jc_progress_update(*bar, (double)done);
}

/* Rows, and how many have the square wave: what the user checks first. */
static void summary(const jc_table *t, const char *path)
{
    size_t n = jc_table_nrows(t), wave = 0;
    const double *peak = jc_table_column_values(t, jc_table_find(t, "peak_power_w"));
    for (size_t i = 0; i < n; i++)
        wave += peak && isfinite(peak[i]);
    printf("%s: %zu row%s, %zu with square-wave targets\n", path, n, n == 1 ? "" : "s", wave);
}

static int write_out(jc_table *t, const char *path)
{
    int rc = jc_table_write_csv(t, path);
    if (rc) {
        jc_print_error();
        return JC_EXIT_FAIL;
    }
    summary(t, path);
    return JC_EXIT_OK;
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "joulecast dataset: error: %s (see 'joulecast dataset --help')\n", msg);
    return JC_EXIT_USAGE;
}

int jc_cmd_dataset(int argc, char **argv)
{
    enum { OPT_GPU = 256, OPT_TRACES };
    static const struct option longopts[] = {{"output", required_argument, 0, 'o'},
                                             {"gpu", required_argument, 0, OPT_GPU},
                                             {"traces", required_argument, 0, OPT_TRACES},
                                             {0, 0, 0, 0}};
    const char *output = NULL, *gpu = NULL, *traces = NULL;
    optind = 1;
    opterr = 0;
    int c;
    /* '+' would stop at the first word; permuting lets options go anywhere. */
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case OPT_GPU: gpu = optarg; break;
        case OPT_TRACES: traces = optarg; break;
        default:
            fprintf(stderr, "joulecast dataset: error: unknown or incomplete option '%s' (see --help)\n",
                    argv[optind - 1]);
            return JC_EXIT_USAGE;
        }
    }
    char **words = argv + optind;
    int nwords = argc - optind;
    if (nwords < 1)
        return usage_error("expected 'build' or 'import'");
    const char *what = words[0];
    int first = 1;
    if (!strcmp(what, "import")) {
        if (nwords < 2 || (strcmp(words[1], "zeus") && strcmp(words[1], "seaa")))
            return usage_error("expected 'import zeus' or 'import seaa'");
        what = words[1];
        first = 2;
    } else if (strcmp(what, "build")) {
        fprintf(stderr, "joulecast dataset: error: no subcommand '%s' (build, import zeus, import seaa)\n", what);
        return JC_EXIT_USAGE;
    }
    const char *const *inputs = (const char *const *)(words + first);
    size_t ninputs = (size_t)(nwords - first);
    if (!output)
        return usage_error("no output file: give -o FILE");
    if (ninputs == 0)
        return usage_error("no input given");
    if (gpu && strcmp(what, "zeus"))
        return usage_error("--gpu is for 'import zeus'");
    if (traces && strcmp(what, "seaa"))
        return usage_error("--traces is for 'import seaa'");
    if (!strcmp(what, "seaa") && ninputs != 1)
        return usage_error("import seaa takes one table");

    jc_progress *bar = NULL;
    jc_runs_opts o = {gpu, on_progress, &bar};
    jc_table *t = NULL;
    int rc;
    if (!strcmp(what, "build"))
        rc = jc_runs_build(inputs, ninputs, &o, &t);
    else if (!strcmp(what, "zeus"))
        rc = jc_runs_import_zeus(inputs, ninputs, &o, &t);
    else
        rc = jc_runs_import_seaa(inputs[0], traces, &o, &t);
    jc_progress_end(bar);
    if (rc) {
        jc_print_error();
        return JC_EXIT_FAIL;
    }
    int status = write_out(t, output);
    jc_table_free(t);
    return status;
}
