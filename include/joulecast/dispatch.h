/* dispatch: when, and how fast, to run one training job on PV panels, a
 * battery and a time-of-use grid. Hour by hour it picks the GPU's power level
 * (or idle) and the energy flows so that the job finishes within a deadline
 * at the least grid bill: the second seed's mixed-integer program (its
 * chapter 5), with its inconsistencies fixed (docs/dispatch.md), solved by
 * CBC through its C API, plus the baselines it is compared with, an
 * independent exact solver for small instances (tests), and the sweep over
 * start hours and deadlines (the seed's Figures 5.6 and 5.7).
 *
 * Energies are per one-hour slot, in Wh (numerically the mean W over the
 * hour); prices in EUR per kWh; costs in EUR. */
#ifndef JOULECAST_DISPATCH_H
#define JOULECAST_DISPATCH_H

#include <stddef.h>

#include "joulecast/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- inputs ---- */

/* One GPU power level: the job progresses by 1/time_h of itself per hour
 * spent at it, and the GPU draws draw_w meanwhile. */
typedef struct {
    double power_limit_w; /* the limit set (a label: the model uses draw_w) */
    double draw_w;        /* mean draw at this level: Wh per hour */
    double time_h;        /* the whole job's run time at this level */
} jc_dispatch_level;

/* The working levels, by draw ascending, and the idle level (no progress,
 * idle_w drawn) that turns the duration into a deadline. */
typedef struct {
    size_t n;
    jc_dispatch_level *level;
    double idle_w;
    int idle_given; /* the file had an idle row (else idle_w is the default) */
} jc_dispatch_levels;

/* Read a levels CSV: power_limit_w and time_s required; the draw is
 * avg_power_w, else energy_j / time_s, else power_limit_w. A row with an empty
 * time_s is the idle level (avg_power_w its draw); rows whose exit_status is
 * not 0 (a failed powercap run) are left out with a warning. So both
 * data/levels_*.csv and the levels.csv of `joulecast powercap` read. A level
 * no faster than one that draws no more is left out (with a warning): never
 * worth an hour. Errors name FILE:LINE:COL. idle_w_default is used when the
 * file has no idle row. */
int jc_dispatch_levels_read(const char *path, double idle_w_default, jc_dispatch_levels *out);
/* The seed's Table 5.1 (100..250 W, 32..22 h, drawing their limits) and an
 * idle draw of JC_DISPATCH_SEED_IDLE_W: data/levels_rtx4090.csv. */
int jc_dispatch_levels_seed(jc_dispatch_levels *out);
void jc_dispatch_levels_free(jc_dispatch_levels *l);
#define JC_DISPATCH_SEED_IDLE_W 30.0

/* Buy and sell prices by local clock hour (0..23). */
typedef struct {
    double buy_eur_per_kwh[24];
    double sell_eur_per_kwh[24];
    char window[24][16]; /* the tariff window's name (F1, ...) */
} jc_dispatch_tariff;

/* Read a tariff CSV: window,from,to,buy_eur_per_kwh,sell_eur_per_kwh with
 * from/to as HH:00 local clock time (to exclusive; a window may wrap past
 * midnight; 24:00 allowed as to). The windows must cover the 24 hours once;
 * prices must be finite and >= 0. */
int jc_dispatch_tariff_read(const char *path, jc_dispatch_tariff *out);
void jc_dispatch_tariff_seed(jc_dispatch_tariff *out); /* Table 5.3 */

typedef struct {
    double capacity_wh;
    double charge_efficiency;    /* alpha: stored per Wh taken from the bus */
    double discharge_efficiency; /* beta: delivered per Wh taken from storage */
    double self_discharge_per_h; /* theta: fraction of the stored energy lost per hour */
    double initial_soc, min_soc, max_soc; /* fractions of capacity */
    double max_charge_w, max_discharge_w; /* bus side; INFINITY: only the capacity limits */
} jc_dispatch_battery;

/* Read battery JSON ({"format": "joulecast-battery", "version": 1, ...},
 * keys as the struct; docs/dispatch.md). Errors name FILE:LINE. */
int jc_dispatch_battery_read(const char *path, jc_dispatch_battery *out);
void jc_dispatch_battery_seed(jc_dispatch_battery *out); /* Table 5.2 */

typedef struct {
    double max_import_w, max_export_w; /* INFINITY: no limit */
} jc_dispatch_grid;

/* Read grid JSON ({"format": "joulecast-grid", "version": 1, ...}). */
int jc_dispatch_grid_read(const char *path, jc_dispatch_grid *out);
void jc_dispatch_grid_seed(jc_dispatch_grid *out); /* 3 kW each way */

/* An hourly PV series: ac_w[h] is the mean AC power over hour_of_year h,
 * counted in local standard time from 1 January 00:00 (docs/formats.md), the
 * clock the tariff is written in: hour h is clock hour h % 24. */
typedef struct {
    size_t n;
    double *ac_w;
    char *source;
} jc_dispatch_pv;

/* Read the CSV of `joulecast solar` (columns hour_of_year and ac_w; others
 * ignored). hour_of_year must run 0, 1, 2, ... without gaps; ac_w must be a
 * number >= 0. */
int jc_dispatch_pv_read(const char *path, jc_dispatch_pv *out);
void jc_dispatch_pv_free(jc_dispatch_pv *pv);

/* Everything one problem is cut from. */
typedef struct {
    const jc_dispatch_pv *pv;
    const jc_dispatch_tariff *tariff;
    const jc_dispatch_levels *levels;
    const jc_dispatch_battery *battery;
    const jc_dispatch_grid *grid;
} jc_dispatch_site;

/* ---- one problem ---- */

/* A window of `hours` one-hour slots. Built by jc_dispatch_problem_make from a
 * site, or filled by hand (tests) after jc_dispatch_problem_alloc. */
typedef struct {
    size_t hours;
    long start_hour;        /* hour_of_year of the first slot */
    double *pv_wh;          /* PV energy available in each slot */
    double *buy_eur_per_kwh, *sell_eur_per_kwh;
    int *local_hour;        /* clock hour of each slot, 0..23 */
    const jc_dispatch_levels *levels; /* not owned */
    jc_dispatch_battery battery;
    jc_dispatch_grid grid;
    char name[64];          /* names the instance in messages: "start 115, 23 h" */
} jc_dispatch_problem;

int jc_dispatch_problem_alloc(size_t hours, jc_dispatch_problem *out);
/* The window start_hour .. start_hour+hours-1 of the site's PV series, priced
 * by its tariff. A window past the series' end wraps around when the series
 * is a whole year (8760 h), and is an error otherwise. */
int jc_dispatch_problem_make(const jc_dispatch_site *site, long start_hour, int hours,
                             jc_dispatch_problem *out);
void jc_dispatch_problem_free(jc_dispatch_problem *p);
/* JC_OK when the problem is well formed and the deadline can be met by the
 * fastest level at all; otherwise a message naming the instance (a deadline
 * shorter than the fastest completion time is JC_ERR_INVALID). */
int jc_dispatch_problem_check(const jc_dispatch_problem *p);

/* ---- plans ---- */

typedef enum {
    JC_DISPATCH_NOT_SOLVED = 0,
    JC_DISPATCH_OPTIMAL,     /* proven optimal */
    JC_DISPATCH_INFEASIBLE,  /* proven: no plan meets the deadline */
    JC_DISPATCH_TIME_LIMIT,  /* stopped by the time limit before proving optimality */
    JC_DISPATCH_FAILED       /* the solver gave up (numerical trouble) */
} jc_dispatch_status;
const char *jc_dispatch_status_name(jc_dispatch_status s);

typedef struct {
    int level;              /* 0 idle, k in 1..n: levels->level[k-1] */
    double gpu_wh;          /* GPU energy */
    double progress;        /* fraction of the job done in this hour */
    double pv_wh;           /* PV available */
    double pv_used_wh, pv_curtailed_wh;
    double charge_wh;       /* taken from the bus into the battery */
    double discharge_wh;    /* delivered to the bus by the battery */
    double soc_wh;          /* stored at the end of the hour */
    double buy_wh, sell_wh; /* grid import and export */
    double cost_eur;        /* buy x price - sell x price */
} jc_dispatch_hour;

typedef struct {
    size_t hours;
    jc_dispatch_hour *hour;
    jc_dispatch_status status;
    double cost_eur, gpu_wh, progress;
    double pv_wh, pv_used_wh, pv_curtailed_wh;
    double charge_wh, discharge_wh, buy_wh, sell_wh;
    double solve_s;         /* wall time of the solve */
    long nodes;             /* branch-and-bound nodes */
    double bound_eur;       /* the solver's proven lower bound */
} jc_dispatch_plan;
void jc_dispatch_plan_free(jc_dispatch_plan *plan);

typedef enum {
    JC_DISPATCH_TIGHT = 0, /* incremental level binaries, counts; the default */
    JC_DISPATCH_NAIVE = 1  /* the seed's one-hot levels and flow variables, big-M everywhere */
} jc_dispatch_formulation;

typedef struct {
    jc_dispatch_formulation formulation;
    double time_limit_s;   /* 0: none */
} jc_dispatch_options;

/* Solve with CBC. JC_OK only for a proven optimum (plan->status OPTIMAL); a
 * proven infeasible deadline, a time limit or a solver failure is an error
 * naming the instance, with plan->status telling which. */
int jc_dispatch_solve(const jc_dispatch_problem *p, const jc_dispatch_options *opt, jc_dispatch_plan *plan);

/* The optimum by exhaustive search over level sequences, each with its
 * battery dispatch solved exactly by enumerating the vertices of its
 * piecewise-linear cost: an independent check of the MILP, for small
 * instances only (at most 6 hours and 4 choices per hour, and an export limit
 * of at least the battery's discharge limit). JC_ERR_EMPTY when no plan is
 * feasible. */
int jc_dispatch_solve_exact(const jc_dispatch_problem *p, double *cost_eur);

/* Baselines over the same window: start at once at the fastest level until
 * the job is done, then idle; with use_pv_battery PV feeds the GPU first,
 * surplus charges the battery, then is sold, then curtailed, and deficits are
 * met by the battery, then the grid (greedy, no look-ahead); without it every
 * Wh comes from the grid. */
int jc_dispatch_baseline(const jc_dispatch_problem *p, int use_pv_battery, jc_dispatch_plan *plan);

/* Verify a plan against the problem: energy balance, bounds, battery
 * dynamics, the deadline, no simultaneous buying and selling, the cost. JC_OK
 * or JC_ERR_INTERNAL with the first violation (for tests and as a guard). */
int jc_dispatch_plan_check(const jc_dispatch_problem *p, const jc_dispatch_plan *plan, double tol_wh);

/* ---- sweeps ---- */

typedef struct {
    long start_hour;
    int hours;
    jc_dispatch_status status;
    double cost_eur, energy_kwh, grid_kwh, pv_kwh;
    double solve_ms;
    long nodes;
} jc_dispatch_sweep_row;

/* Called in the calling process only, as rows complete. */
typedef void (*jc_dispatch_progress_fn)(void *ctx, size_t done, size_t total);

/* Solve every (start, hours) with start in [start_from, start_to] and hours in
 * [hours_from, hours_to], in `workers` worker processes (0: one per online
 * CPU; 1: in this process), one CBC model per problem; processes, not
 * threads, because CBC 2.10's solve entry point is not thread-safe
 * (dispatch/sweep.c). Rows come in the order (hours, start), identical
 * whatever the number of workers. A problem that is not solved to optimality
 * keeps its status in its row; the call returns JC_OK when every row is
 * OPTIMAL, else an error naming the first failure and the count. *rows is set
 * in both cases (free()). */
int jc_dispatch_sweep(const jc_dispatch_site *site, long start_from, long start_to, int hours_from,
                      int hours_to, const jc_dispatch_options *opt, int workers,
                      jc_dispatch_progress_fn progress, void *ctx, jc_dispatch_sweep_row **rows,
                      size_t *nrows);

#ifdef __cplusplus
}
#endif
#endif
