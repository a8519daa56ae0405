/* joulecast: the command. Dispatches to one subcommand per cli/cmd_<name>.c,
 * and handles what all of them share: --help, --version, --log-level. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "joulecast/util.h"

#ifndef JC_VERSION
#define JC_VERSION "0.1.0"
#endif

static const jc_command commands[] = {
    {"predict", "the forecast: a job's GPU power, duration, energy, CO2 and cost before it runs", jc_cmd_predict,
     jc_cmd_predict_help},
    {"record", "run a command while sampling its GPUs' power through NVML", jc_cmd_record, jc_cmd_record_help},
    {"powercap", "run a command once per GPU power limit: time, energy, power per level", jc_cmd_powercap,
     jc_cmd_powercap_help},
    {"analyze", "read GPU power traces; energy, epochs, the square wave, a plot", jc_cmd_analyze,
     jc_cmd_analyze_help},
    {"dataset", "the runs dataset, one row per run: from recordings, Zeus or seaa2023", jc_cmd_dataset,
     jc_cmd_dataset_help},
    {"sr", "symbolic regression on a CSV: fit, predict, show a formula", jc_cmd_sr, jc_cmd_sr_help},
    {"evaluate", "compare models on targets over repeated splits: MSE and MRE mean +- std", jc_cmd_evaluate,
     jc_cmd_evaluate_help},
    {"hc", "energy = HC x MACs: fit joules per MAC per GPU, predict a job's energy", jc_cmd_hc, jc_cmd_hc_help},
    {"calibrate", "adapt a model to a new GPU or network from a few runs", jc_cmd_calibrate,
     jc_cmd_calibrate_help},
    {"fit", "fit a model per target on runs and write the model file the forecast reads", jc_cmd_fit,
     jc_cmd_fit_help},
    {"importance", "input-perturbation importance of each feature of a fitted model", jc_cmd_importance,
     jc_cmd_importance_help},
    {"curvefit", "linear, logarithmic, exponential and power fits of one column on another", jc_cmd_curvefit,
     jc_cmd_curvefit_help},
    {"flops", "params, MACs, FLOPs and branches of a network from the built-in zoo", jc_cmd_flops,
     jc_cmd_flops_help},
    {"select", "score features against a target (Pearson, mutual information); pick them",
     jc_cmd_select, jc_cmd_select_help},
    {"solar", "hourly PV output for a year from PVGIS/EPW weather or a PVWatts export", jc_cmd_solar,
     jc_cmd_solar_help},
    {"gpus", "the GPU specifications the forecast uses: TDP, FP32/FP16 rates, bandwidth", jc_cmd_gpus,
     jc_cmd_gpus_help},
    {"schedule", "plan a job hour by hour on PV, battery and grid: power level, flows, least cost",
     jc_cmd_schedule, jc_cmd_schedule_help},
    {"sweep", "least cost of a job for every start hour and deadline (CSV, the seed's Figs 5.6/5.7)",
     jc_cmd_sweep, jc_cmd_sweep_help},
};
static const size_t ncommands = sizeof commands / sizeof commands[0];

static void usage(FILE *out)
{
    fprintf(out,
            "usage: joulecast [--log-level error|warn|info|debug] <command> [options]\n"
            "\n"
            "joulecast tells, before a GPU training job runs, what power it will draw,\n"
            "for how long, and what it will cost in energy and CO2.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < ncommands; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n"
            "'joulecast help <command>' or 'joulecast <command> --help' explains one command.\n"
            "Exit status: 0 success, 1 failure (bad input, failed computation), 2 bad usage.\n");
}

static const jc_command *find(const char *name)
{
    for (size_t i = 0; i < ncommands; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return JC_EXIT_OK;
        } else if (!strcmp(a, "--version")) {
            printf("joulecast %s\n", JC_VERSION);
            return JC_EXIT_OK;
        } else if (!strcmp(a, "--log-level") && i + 1 < argc) {
            int lv = jc_log_level_parse(argv[i + 1]);
            if (lv < 0) {
                fprintf(stderr, "joulecast: error: --log-level: expected error, warn, info or debug, got '%s'\n",
                        argv[i + 1]);
                return JC_EXIT_USAGE;
            }
            jc_log_set_level((jc_log_level)lv);
            i += 2;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            jc_log_set_level(JC_LOG_INFO);
            i++;
        } else {
            fprintf(stderr, "joulecast: error: unknown option '%s'\n\n", a);
            usage(stderr);
            return JC_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return JC_EXIT_USAGE;
    }
    if (!strcmp(argv[i], "help")) {
        if (i + 1 >= argc) {
            usage(stdout);
            return JC_EXIT_OK;
        }
        const jc_command *c = find(argv[i + 1]);
        if (!c) {
            fprintf(stderr, "joulecast: error: no command '%s'\n", argv[i + 1]);
            return JC_EXIT_USAGE;
        }
        c->help(stdout);
        return JC_EXIT_OK;
    }
    const jc_command *c = find(argv[i]);
    if (!c) {
        fprintf(stderr, "joulecast: error: no command '%s' (see 'joulecast --help')\n", argv[i]);
        return JC_EXIT_USAGE;
    }
    for (int k = i + 1; k < argc; k++) {
        if (!strcmp(argv[k], "--"))
            break;
        if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h")) {
            c->help(stdout);
            return JC_EXIT_OK;
        }
    }
    return c->run(argc - i, argv + i);
}
