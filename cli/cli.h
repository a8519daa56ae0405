/* Shared pieces of the joulecast command: the subcommand table, exit codes,
 * and small output helpers (numbers for people, durations). */
#ifndef JC_CLI_H
#define JC_CLI_H

#include <stdio.h>

/* Exit codes, the same for every subcommand. */
enum {
    JC_EXIT_OK = 0,
    JC_EXIT_FAIL = 1,   /* bad input file, failed computation */
    JC_EXIT_USAGE = 2   /* bad command line */
};

typedef struct {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    void (*help)(FILE *out);
} jc_command;

int jc_cmd_analyze(int argc, char **argv);
void jc_cmd_analyze_help(FILE *out);
int jc_cmd_dataset(int argc, char **argv);
void jc_cmd_dataset_help(FILE *out);
int jc_cmd_sr(int argc, char **argv);
void jc_cmd_sr_help(FILE *out);
int jc_cmd_flops(int argc, char **argv);
void jc_cmd_flops_help(FILE *out);
int jc_cmd_select(int argc, char **argv);
void jc_cmd_select_help(FILE *out);
int jc_cmd_solar(int argc, char **argv);
void jc_cmd_solar_help(FILE *out);
int jc_cmd_hc(int argc, char **argv);
void jc_cmd_hc_help(FILE *out);
int jc_cmd_calibrate(int argc, char **argv);
void jc_cmd_calibrate_help(FILE *out);
int jc_cmd_predict(int argc, char **argv);
void jc_cmd_predict_help(FILE *out);
int jc_cmd_curvefit(int argc, char **argv);
void jc_cmd_curvefit_help(FILE *out);
int jc_cmd_fit(int argc, char **argv);
void jc_cmd_fit_help(FILE *out);
int jc_cmd_importance(int argc, char **argv);
void jc_cmd_importance_help(FILE *out);
int jc_cmd_evaluate(int argc, char **argv);
void jc_cmd_evaluate_help(FILE *out);
int jc_cmd_record(int argc, char **argv);
void jc_cmd_record_help(FILE *out);
int jc_cmd_powercap(int argc, char **argv);
void jc_cmd_powercap_help(FILE *out);
int jc_cmd_gpus(int argc, char **argv);
void jc_cmd_gpus_help(FILE *out);
int jc_cmd_schedule(int argc, char **argv);
void jc_cmd_schedule_help(FILE *out);
int jc_cmd_sweep(int argc, char **argv);
void jc_cmd_sweep_help(FILE *out);

/* "1h 02m 03s" style; buf must hold 32 bytes. */
const char *jc_fmt_duration(double seconds, char *buf);
/* Parse an integer/double option value; prints a usage error naming the
 * option and returns -1 on failure. */
int jc_parse_int_opt(const char *opt, const char *val, long lo, long hi, long *out);
int jc_parse_double_opt(const char *opt, const char *val, double lo, double hi, double *out);
/* Print "joulecast: error: <jc_last_error()>" to stderr. */
void jc_print_error(void);

#endif
