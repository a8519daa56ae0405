/* dispatch: the MILP against an independent exact solver on many random
 * small instances (both formulations, 1e-6 EUR), the model's fixes (no
 * buying and selling in one hour, battery within bounds, the deadline met,
 * curtailment when nothing can be sold, idle hours), infeasible deadlines
 * reported with the instance, the readers' errors naming FILE:LINE, the
 * shipped data equal to the seed's built-in values, baselines, and sweeps
 * that do not depend on the number of workers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dispatch/dispatch_internal.h"
#include "joulecast/dispatch.h"
#include "joulecast/util.h"

#define DATA_DIR JC_TEST_DATA "/../../data"

/* ---- helpers ---- */

static jc_dispatch_level g_lv[4];
static jc_dispatch_levels g_levels = {0, g_lv, 0, 1};

static void set_levels(size_t n, const double *draw, const double *time_h, double idle)
{
    g_levels.n = n;
    for (size_t k = 0; k < n; k++)
        g_lv[k] = (jc_dispatch_level){draw[k], draw[k], time_h[k]};
    g_levels.idle_w = idle;
}

static void no_battery(jc_dispatch_problem *p)
{
    memset(&p->battery, 0, sizeof p->battery);
    p->battery.charge_efficiency = p->battery.discharge_efficiency = 1;
}

/* A problem of `hours` hours over g_levels: flat prices, no PV, no battery. */
static void make_problem(jc_dispatch_problem *p, size_t hours)
{
    assert_int_equal(jc_dispatch_problem_alloc(hours, p), JC_OK);
    p->levels = &g_levels;
    for (size_t t = 0; t < hours; t++) {
        p->buy_eur_per_kwh[t] = 0.3;
        p->sell_eur_per_kwh[t] = 0.1;
        p->local_hour[t] = (int)(t % 24);
    }
    no_battery(p);
    p->grid.max_import_w = INFINITY;
    p->grid.max_export_w = INFINITY;
}

static double solve_cost(const jc_dispatch_problem *p, jc_dispatch_formulation f, jc_dispatch_plan *plan)
{
    jc_dispatch_options o = {f, 0};
    int rc = jc_dispatch_solve(p, &o, plan);
    if (rc)
        fail_msg("%s", jc_last_error());
    assert_int_equal(plan->status, JC_DISPATCH_OPTIMAL);
    assert_int_equal(jc_dispatch_plan_check(p, plan, 1e-6), JC_OK);
    return plan->cost_eur;
}

static double uni(jc_rng *r, double a, double b)
{
    return a + (b - a) * jc_rng_uniform(r);
}

/* A random small instance the exact solver can take: 2-5 hours, 1-3
 * working levels (sometimes a dominated one), PV in some hours, prices with
 * the sell price above the buy price in some hours, a battery of random
 * size, efficiencies, self-discharge, initial charge and limits, import
 * limits that sometimes bind. */
static void random_problem(jc_rng *r, jc_dispatch_problem *p)
{
    size_t hours = 2 + (size_t)jc_rng_below(r, 4);
    size_t nl = 1 + (size_t)jc_rng_below(r, 3);
    double draw[3], time_h[3];
    double d = uni(r, 60, 120);
    double t = (double)hours * uni(r, 0.25, 1.0); /* the slowest level's time */
    for (size_t k = 0; k < nl; k++) {
        draw[k] = d;
        time_h[k] = t;
        d += uni(r, 20, 90);
        t *= uni(r, 0.5, 0.95);
    }
    if (nl > 1 && jc_rng_below(r, 6) == 0)
        time_h[nl - 1] = time_h[nl - 2] * 1.1; /* a dominated level: slower and hungrier */
    /* the fastest must fit: scale the times down if not */
    double fastest = INFINITY;
    for (size_t k = 0; k < nl; k++)
        fastest = fmin(fastest, time_h[k]);
    if (fastest > (double)hours)
        for (size_t k = 0; k < nl; k++)
            time_h[k] *= (double)hours / fastest;
    set_levels(nl, draw, time_h, jc_rng_below(r, 3) ? uni(r, 0, 40) : 0);
    make_problem(p, hours);
    for (size_t h = 0; h < hours; h++) {
        p->pv_wh[h] = jc_rng_below(r, 3) ? 0 : uni(r, 0, 400);
        p->buy_eur_per_kwh[h] = uni(r, 0.1, 0.5);
        p->sell_eur_per_kwh[h] = jc_rng_below(r, 3) == 0 ? p->buy_eur_per_kwh[h] + uni(r, 0, 0.1)
                                                          : uni(r, 0, p->buy_eur_per_kwh[h]);
    }
    if (jc_rng_below(r, 5)) {
        jc_dispatch_battery *b = &p->battery;
        b->capacity_wh = uni(r, 50, 400);
        b->charge_efficiency = uni(r, 0.7, 1.0);
        b->discharge_efficiency = uni(r, 0.7, 1.0);
        b->self_discharge_per_h = jc_rng_below(r, 2) ? uni(r, 0, 0.05) : 0;
        b->min_soc = jc_rng_below(r, 2) ? uni(r, 0, 0.3) : 0;
        b->max_soc = uni(r, 0.7, 1.0);
        b->initial_soc = uni(r, b->min_soc, b->max_soc);
        b->max_charge_w = jc_rng_below(r, 2) ? uni(r, 30, 300) : INFINITY;
        b->max_discharge_w = jc_rng_below(r, 2) ? uni(r, 30, 300) : INFINITY;
    }
    p->grid.max_import_w = jc_rng_below(r, 3) ? INFINITY : uni(r, 100, 500);
    if (jc_rng_below(r, 15) == 0)
        p->grid.max_import_w = uni(r, 20, 80); /* often too little for any level */
    p->grid.max_export_w = jc_rng_below(r, 2) ? INFINITY : 1000;
    snprintf(p->name, sizeof p->name, "random %zu h", hours);
}

/* ---- the MILP against the exact solver ---- */

/* What a failing comparison needs to be reproduced by hand. */
static void print_instance(const jc_dispatch_problem *p, const jc_dispatch_plan *plan)
{
    const jc_dispatch_battery *b = &p->battery;
    printf("# levels idle %.6g W;", p->levels->idle_w);
    for (size_t k = 0; k < p->levels->n; k++)
        printf(" %.6g W %.6g h;", p->levels->level[k].draw_w, p->levels->level[k].time_h);
    printf("\n# battery %.6g Wh eff %.6g/%.6g theta %.6g soc %.6g [%.6g, %.6g] limits %.6g/%.6g; grid %.6g/%.6g\n",
           b->capacity_wh, b->charge_efficiency, b->discharge_efficiency, b->self_discharge_per_h, b->initial_soc,
           b->min_soc, b->max_soc, b->max_charge_w, b->max_discharge_w, p->grid.max_import_w, p->grid.max_export_w);
    for (size_t t = 0; t < p->hours; t++) {
        const jc_dispatch_hour *h = &plan->hour[t];
        printf("# t%zu pv %.6g buy %.6g sell %.6g | level %d gpu %.6g pv_used %.6g ch %.6g dis %.6g soc %.6g buy %.6g "
               "sell %.6g\n",
               t, p->pv_wh[t], p->buy_eur_per_kwh[t], p->sell_eur_per_kwh[t], h->level, h->gpu_wh, h->pv_used_wh,
               h->charge_wh, h->discharge_wh, h->soc_wh, h->buy_wh, h->sell_wh);
    }
}

static void test_milp_equals_exact(void **state)
{
    (void)state;
    jc_rng r;
    jc_rng_seed(&r, 20260801);
    int compared = 0, infeasible = 0, with_battery = 0, sell_above_buy = 0;
    for (int i = 0; i < 300; i++) {
        jc_dispatch_problem p;
        random_problem(&r, &p);
        snprintf(p.name, sizeof p.name, "random instance %d", i);
        double exact;
        int erc = jc_dispatch_solve_exact(&p, &exact);
        jc_dispatch_plan tight = {0}, naive = {0};
        jc_dispatch_options ot = {JC_DISPATCH_TIGHT, 0}, on = {JC_DISPATCH_NAIVE, 0};
        int rt = jc_dispatch_solve(&p, &ot, &tight), rn = jc_dispatch_solve(&p, &on, &naive);
        if (erc == JC_ERR_EMPTY) {
            /* no plan within the import limit: the MILP must prove it too */
            assert_int_not_equal(rt, JC_OK);
            assert_int_equal(tight.status, JC_DISPATCH_INFEASIBLE);
            assert_int_equal(naive.status, JC_DISPATCH_INFEASIBLE);
            infeasible++;
        } else {
            assert_int_equal(erc, JC_OK);
            if (rt || rn)
                fail_msg("instance %d: %s", i, jc_last_error());
            if (fabs(tight.cost_eur - exact) > 1e-6 || fabs(naive.cost_eur - exact) > 1e-6) {
                print_instance(&p, &tight);
                fail_msg("instance %d: tight %.9f naive %.9f exact %.9f EUR", i, tight.cost_eur, naive.cost_eur,
                         exact);
            }
            assert_int_equal(jc_dispatch_plan_check(&p, &tight, 1e-6), JC_OK);
            assert_int_equal(jc_dispatch_plan_check(&p, &naive, 1e-6), JC_OK);
            compared++;
            with_battery += p.battery.capacity_wh > 0;
            for (size_t t = 0; t < p.hours; t++)
                if (p.sell_eur_per_kwh[t] > p.buy_eur_per_kwh[t]) {
                    sell_above_buy++;
                    break;
                }
        }
        jc_dispatch_plan_free(&tight);
        jc_dispatch_plan_free(&naive);
        jc_dispatch_problem_free(&p);
    }
    printf("# %d instances equal to the exact optimum (%d with a battery, %d selling above buying), %d infeasible\n",
           compared, with_battery, sell_above_buy, infeasible);
    assert_true(compared >= 240);
    assert_true(infeasible >= 3);
    assert_true(with_battery >= 150);
    assert_true(sell_above_buy >= 100);
}

/* The exact solver itself on cases worked by hand. */
static void test_exact_by_hand(void **state)
{
    (void)state;
    double draw[] = {100}, time_h[] = {2};
    set_levels(1, draw, time_h, 0);
    jc_dispatch_problem p;
    make_problem(&p, 3);
    p.buy_eur_per_kwh[0] = 0.5, p.buy_eur_per_kwh[1] = 0.1, p.buy_eur_per_kwh[2] = 0.2;
    double cost;
    /* two of three hours at 100 Wh: the cheap ones, 0.1 and 0.2 EUR/kWh */
    assert_int_equal(jc_dispatch_solve_exact(&p, &cost), JC_OK);
    assert_true(fabs(cost - 0.03) < 1e-12);
    /* a lossless battery charged in the cheapest hour changes nothing here:
     * the same energy at 0.1 then moved costs 0.1 instead of 0.2 */
    p.battery.capacity_wh = 100;
    p.battery.max_soc = 1;
    p.battery.max_charge_w = p.battery.max_discharge_w = INFINITY;
    assert_int_equal(jc_dispatch_solve_exact(&p, &cost), JC_OK);
    assert_true(fabs(cost - 0.02) < 1e-12); /* 200 Wh bought at 0.1 */
    jc_dispatch_plan plan;
    assert_true(fabs(solve_cost(&p, JC_DISPATCH_TIGHT, &plan) - 0.02) < 1e-9);
    jc_dispatch_plan_free(&plan);
    jc_dispatch_problem_free(&p);
}

/* ---- the model's fixes ---- */

/* Selling above the buy price: buying to sell at once would pay; the plan
 * must not do it, in either formulation. */
static void test_no_simultaneous_buy_and_sell(void **state)
{
    (void)state;
    double draw[] = {200}, time_h[] = {2};
    set_levels(1, draw, time_h, 20);
    jc_dispatch_problem p;
    make_problem(&p, 3);
    for (size_t t = 0; t < 3; t++) {
        p.pv_wh[t] = 150;
        p.buy_eur_per_kwh[t] = 0.25;
        p.sell_eur_per_kwh[t] = 0.30;
    }
    p.grid.max_import_w = p.grid.max_export_w = 3000;
    for (int f = 0; f < 2; f++) {
        jc_dispatch_plan plan;
        solve_cost(&p, f ? JC_DISPATCH_NAIVE : JC_DISPATCH_TIGHT, &plan);
        for (size_t t = 0; t < 3; t++)
            assert_false(plan.hour[t].buy_wh > 1e-9 && plan.hour[t].sell_wh > 1e-9);
        /* with buying and selling at once it would earn 0.05 EUR/kWh x 3 kW: far below 0 */
        assert_true(plan.cost_eur > -0.2);
        jc_dispatch_plan_free(&plan);
    }
    jc_dispatch_problem_free(&p);
}

static void test_battery_bounds_and_progress(void **state)
{
    (void)state;
    jc_rng r;
    jc_rng_seed(&r, 7);
    for (int i = 0; i < 40; i++) {
        jc_dispatch_problem p;
        random_problem(&r, &p);
        jc_dispatch_plan plan;
        jc_dispatch_options o = {JC_DISPATCH_TIGHT, 0};
        if (jc_dispatch_solve(&p, &o, &plan) == JC_OK) {
            jc_dispatch_bounds b;
            jc_dispatch_bounds_of(&p, &b);
            double progress = 0;
            for (size_t t = 0; t < p.hours; t++) {
                const jc_dispatch_hour *h = &plan.hour[t];
                progress += h->progress;
                if (b.has_battery) {
                    assert_true(h->soc_wh >= b.soc_min - 1e-6 && h->soc_wh <= b.soc_max + 1e-6);
                    assert_true(h->charge_wh <= p.battery.max_charge_w + 1e-6);
                    assert_true(h->discharge_wh <= p.battery.max_discharge_w + 1e-6);
                }
                /* whole hours at one level: the seed's choice per hour */
                assert_true(fabs(h->progress - jc_dispatch_level_rate(p.levels, h->level)) < 1e-12);
            }
            assert_true(progress >= 1 - 1e-9);
            if (b.has_battery)
                assert_true(plan.hour[p.hours - 1].soc_wh >= b.soc_end_min - 1e-6);
        }
        jc_dispatch_plan_free(&plan);
        jc_dispatch_problem_free(&p);
    }
}

/* PV beyond what the GPU and battery take, and nothing can be sold: the
 * surplus is curtailed (the seed's (5.10) had no way to). */
static void test_curtailment(void **state)
{
    (void)state;
    double draw[] = {100}, time_h[] = {2};
    set_levels(1, draw, time_h, 10);
    jc_dispatch_problem p;
    make_problem(&p, 2);
    p.pv_wh[0] = p.pv_wh[1] = 500;
    p.grid.max_export_w = 0;
    p.battery.capacity_wh = 100;
    p.battery.charge_efficiency = p.battery.discharge_efficiency = 0.9;
    p.battery.max_soc = 1;
    p.battery.max_charge_w = p.battery.max_discharge_w = INFINITY;
    jc_dispatch_plan plan;
    assert_true(fabs(solve_cost(&p, JC_DISPATCH_TIGHT, &plan)) < 1e-12);
    assert_true(plan.pv_curtailed_wh > 680); /* 1000 - 200 used - at most 111 stored */
    assert_true(plan.sell_wh == 0);
    jc_dispatch_plan_free(&plan);
    jc_dispatch_problem_free(&p);
}

/* With a loose deadline the job waits for the sun: idle hours, then full
 * power on PV. */
static void test_idle_turns_duration_into_deadline(void **state)
{
    (void)state;
    double draw[] = {100, 250}, time_h[] = {6, 2};
    set_levels(2, draw, time_h, 20);
    jc_dispatch_problem p;
    make_problem(&p, 6);
    p.pv_wh[3] = p.pv_wh[4] = 300;
    jc_dispatch_plan plan;
    solve_cost(&p, JC_DISPATCH_TIGHT, &plan);
    assert_int_equal(plan.hour[3].level, 2);
    assert_int_equal(plan.hour[4].level, 2);
    assert_int_equal(plan.hour[0].level, 0);
    assert_true(fabs(plan.cost_eur - (4 * 20 * 0.3 - 2 * 50 * 0.1) / 1000) < 1e-9);
    jc_dispatch_plan_free(&plan);
    jc_dispatch_problem_free(&p);
}

static void test_infeasible_deadline(void **state)
{
    (void)state;
    double draw[] = {100, 250}, time_h[] = {32, 22};
    set_levels(2, draw, time_h, 20);
    jc_dispatch_problem p;
    make_problem(&p, 21);
    snprintf(p.name, sizeof p.name, "start 7, 21 h");
    jc_dispatch_plan plan;
    jc_dispatch_options o = {JC_DISPATCH_TIGHT, 0};
    assert_int_equal(jc_dispatch_solve(&p, &o, &plan), JC_ERR_INVALID);
    assert_int_equal(plan.status, JC_DISPATCH_INFEASIBLE);
    assert_non_null(strstr(jc_last_error(), "start 7, 21 h"));
    assert_non_null(strstr(jc_last_error(), "infeasible deadline"));
    assert_non_null(strstr(jc_last_error(), "22 h"));
    jc_dispatch_plan_free(&plan);
    double cost;
    assert_int_equal(jc_dispatch_solve_exact(&p, &cost), JC_ERR_INVALID);
    jc_dispatch_problem_free(&p);
    /* feasible in time but not within the grid's import limit: proven by CBC */
    set_levels(1, draw + 1, time_h + 1, 20); /* 250 W, 22 h */
    make_problem(&p, 23);
    p.grid.max_import_w = 200;
    snprintf(p.name, sizeof p.name, "start 0, 23 h");
    assert_int_equal(jc_dispatch_solve(&p, &o, &plan), JC_ERR_INVALID);
    assert_int_equal(plan.status, JC_DISPATCH_INFEASIBLE);
    assert_non_null(strstr(jc_last_error(), "start 0, 23 h: infeasible"));
    jc_dispatch_plan_free(&plan);
    jc_dispatch_problem_free(&p);
}

/* The seed's levels at a 23 h deadline: the case that defeats the plain
 * formulation (10^5 nodes and no proof) and needs the hull cuts. */
static void test_seed_levels_tight_deadline(void **state)
{
    (void)state;
    jc_dispatch_levels seed;
    assert_int_equal(jc_dispatch_levels_seed(&seed), JC_OK);
    jc_dispatch_hull h;
    assert_int_equal(jc_dispatch_hull_make(&seed, 23, &h), JC_OK);
    assert_int_equal((int)h.n, 383); /* minimal count vectors, as listed independently */
    jc_dispatch_hull_free(&h);
    jc_dispatch_problem p;
    assert_int_equal(jc_dispatch_problem_alloc(23, &p), JC_OK);
    p.levels = &seed;
    jc_dispatch_tariff tf;
    jc_dispatch_tariff_seed(&tf);
    jc_dispatch_battery_seed(&p.battery);
    jc_dispatch_grid_seed(&p.grid);
    for (size_t t = 0; t < 23; t++) {
        int hour = (int)((t + 6) % 24);
        p.local_hour[t] = hour;
        p.buy_eur_per_kwh[t] = tf.buy_eur_per_kwh[hour];
        p.sell_eur_per_kwh[t] = tf.sell_eur_per_kwh[hour];
        p.pv_wh[t] = hour >= 9 && hour <= 15 ? 300 - 40 * fabs(hour - 12.0) : 0;
    }
    jc_dispatch_plan plan;
    solve_cost(&p, JC_DISPATCH_TIGHT, &plan);
    assert_true(plan.progress >= 1 - 1e-9);
    assert_true(plan.gpu_wh >= 5125 - 1e-6); /* the least energy that finishes in 23 h (12, 5, 2, 4 h at 250, 225, 200, 125 W) */
    jc_dispatch_plan_free(&plan);
    jc_dispatch_problem_free(&p);
    jc_dispatch_levels_free(&seed);
}

static void test_baselines(void **state)
{
    (void)state;
    double draw[] = {100, 250}, time_h[] = {4, 2};
    set_levels(2, draw, time_h, 20);
    jc_dispatch_problem p;
    make_problem(&p, 4);
    p.pv_wh[0] = 300;
    p.pv_wh[3] = 300;
    p.battery.capacity_wh = 100;
    p.battery.charge_efficiency = p.battery.discharge_efficiency = 1;
    p.battery.max_soc = 1;
    p.battery.max_charge_w = p.battery.max_discharge_w = INFINITY;
    jc_dispatch_plan g, grid, opt;
    assert_int_equal(jc_dispatch_baseline(&p, 1, &g), JC_OK);
    assert_int_equal(jc_dispatch_plan_check(&p, &g, 1e-9), JC_OK);
    /* full power in hours 0-1 (2 h at 250 W), then idle; PV 300 covers hour 0, 50 into the battery */
    assert_int_equal(g.hour[0].level, 2);
    assert_int_equal(g.hour[2].level, 0);
    assert_true(fabs(g.hour[0].charge_wh - 50) < 1e-9);
    assert_true(fabs(g.hour[1].discharge_wh - 50) < 1e-9);
    assert_int_equal(jc_dispatch_baseline(&p, 0, &grid), JC_OK);
    assert_true(fabs(grid.cost_eur - (2 * 250 + 2 * 20) * 0.3 / 1000) < 1e-12);
    double c = solve_cost(&p, JC_DISPATCH_TIGHT, &opt);
    assert_true(c <= g.cost_eur + 1e-12 && g.cost_eur <= grid.cost_eur + 1e-12);
    jc_dispatch_plan_free(&g);
    jc_dispatch_plan_free(&grid);
    jc_dispatch_plan_free(&opt);
    jc_dispatch_problem_free(&p);
}

/* ---- inputs ---- */

static void test_shipped_data_is_the_seed(void **state)
{
    (void)state;
    jc_dispatch_levels a, b;
    assert_int_equal(jc_dispatch_levels_read(DATA_DIR "/levels_rtx4090.csv", 99, &a), JC_OK);
    assert_int_equal(jc_dispatch_levels_seed(&b), JC_OK);
    assert_int_equal(a.n, b.n);
    assert_true(a.idle_given);
    assert_true(a.idle_w == b.idle_w);
    for (size_t k = 0; k < a.n; k++) {
        assert_true(a.level[k].draw_w == b.level[k].draw_w);
        assert_true(fabs(a.level[k].time_h - b.level[k].time_h) < 1e-12);
        assert_true(a.level[k].power_limit_w == b.level[k].power_limit_w);
    }
    jc_dispatch_levels_free(&a);
    jc_dispatch_levels_free(&b);
    jc_dispatch_tariff ta, tb;
    assert_int_equal(jc_dispatch_tariff_read(DATA_DIR "/tariff.csv", &ta), JC_OK);
    jc_dispatch_tariff_seed(&tb);
    for (int h = 0; h < 24; h++) {
        assert_true(ta.buy_eur_per_kwh[h] == tb.buy_eur_per_kwh[h]);
        assert_true(ta.sell_eur_per_kwh[h] == tb.sell_eur_per_kwh[h]);
        assert_string_equal(ta.window[h], tb.window[h]);
    }
    jc_dispatch_battery ba, bb;
    assert_int_equal(jc_dispatch_battery_read(DATA_DIR "/battery.json", &ba), JC_OK);
    jc_dispatch_battery_seed(&bb);
    assert_memory_equal(&ba, &bb, sizeof ba);
    jc_dispatch_grid ga, gb;
    assert_int_equal(jc_dispatch_grid_read(DATA_DIR "/grid.json", &ga), JC_OK);
    jc_dispatch_grid_seed(&gb);
    assert_memory_equal(&ga, &gb, sizeof ga);
}

static char g_tmp[256];

static const char *write_tmp(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", g_tmp, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void expect_error(int rc, const char *where)
{
    assert_true(rc < 0);
    if (!strstr(jc_last_error(), where))
        fail_msg("expected '%s' in: %s", where, jc_last_error());
}

static void test_reader_errors(void **state)
{
    (void)state;
    jc_dispatch_levels l;
    const char *p = write_tmp("levels.csv", "power_limit_w,time_s,avg_power_w\n100,3600,90\n150,abc,140\n");
    expect_error(jc_dispatch_levels_read(p, 0, &l), "levels.csv:3:2:");
    p = write_tmp("levels.csv", "power_limit_w,time_s\n100,3600\n150,-5\n");
    expect_error(jc_dispatch_levels_read(p, 0, &l), "levels.csv:3:2:");
    p = write_tmp("levels.csv", "power_limit_w,energy\n100,3600\n");
    expect_error(jc_dispatch_levels_read(p, 0, &l), "no column 'time_s'");
    /* powercap's levels.csv: the draw from energy_j / time_s, failed runs left out */
    p = write_tmp("levels.csv", "power_limit_w,time_s,energy_j,avg_power_w,exit_status,energy_source\n"
                                "150,7200,,,137,samples\n200,3600,720000,,0,counter\n");
    assert_int_equal(jc_dispatch_levels_read(p, 12, &l), JC_OK);
    assert_int_equal(l.n, 1);
    assert_true(l.level[0].draw_w == 200 && l.level[0].time_h == 1 && l.idle_w == 12 && !l.idle_given);
    jc_dispatch_levels_free(&l);
    /* a level no faster than a cheaper one is left out */
    p = write_tmp("levels.csv", "power_limit_w,time_s,avg_power_w\n100,7200,90\n150,5400,140\n200,5400,180\n"
                                "250,6000,230\n,,25\n");
    assert_int_equal(jc_dispatch_levels_read(p, 0, &l), JC_OK);
    assert_int_equal(l.n, 2);
    assert_true(l.level[0].draw_w == 90 && l.level[1].draw_w == 140 && l.idle_w == 25 && l.idle_given);
    jc_dispatch_levels_free(&l);

    jc_dispatch_tariff tf;
    p = write_tmp("tariff.csv", "window,from,to,buy_eur_per_kwh,sell_eur_per_kwh\nA,00:00,12:00,0.2,0.1\n"
                                "B,11:00,24:00,0.3,0.1\n");
    expect_error(jc_dispatch_tariff_read(p, &tf), "tariff.csv:3:2: hour 11:00 is already in the window on line 2");
    p = write_tmp("tariff.csv", "window,from,to,buy_eur_per_kwh,sell_eur_per_kwh\nA,00:00,12:00,0.2,0.1\n");
    expect_error(jc_dispatch_tariff_read(p, &tf), "no window covers 12:00-13:00");
    p = write_tmp("tariff.csv", "window,from,to,buy_eur_per_kwh,sell_eur_per_kwh\nA,00:30,12:00,0.2,0.1\n");
    expect_error(jc_dispatch_tariff_read(p, &tf), "tariff.csv:2:2:");
    p = write_tmp("tariff.csv", "window,from,to,buy_eur_per_kwh,sell_eur_per_kwh\nA,22:00,22:00,0.2,0.1\n");
    expect_error(jc_dispatch_tariff_read(p, &tf), "tariff.csv:2:3:");
    p = write_tmp("tariff.csv", "window,from,to,buy_eur_per_kwh,sell_eur_per_kwh\nA,22:00,21:00,-1,0.1\n");
    expect_error(jc_dispatch_tariff_read(p, &tf), "tariff.csv:2:4:");

    jc_dispatch_battery bt;
    p = write_tmp("battery.json", "{\n  \"format\": \"joulecast-battery\",\n  \"version\": 1,\n"
                                  "  \"capacity_wh\": 100,\n  \"charge_efficiency\": 1.5\n}\n");
    expect_error(jc_dispatch_battery_read(p, &bt), "battery.json:5: \"charge_efficiency\"");
    p = write_tmp("battery.json", "{\n  \"format\": \"joulecast-battery\",\n  \"version\": 1,\n  \"capacity\": 1\n}\n");
    expect_error(jc_dispatch_battery_read(p, &bt), "battery.json:4: unknown key \"capacity\"");
    p = write_tmp("battery.json", "{\n  \"format\": \"joulecast-battery\",\n  \"version\": 1,\n  \"capacity_wh\": \n}\n");
    expect_error(jc_dispatch_battery_read(p, &bt), "battery.json:5:");
    jc_dispatch_grid gr;
    p = write_tmp("grid.json", "{\"format\": \"joulecast-battery\", \"version\": 1}\n");
    expect_error(jc_dispatch_grid_read(p, &gr), "grid.json:1: not a joulecast-grid file");

    jc_dispatch_pv pv;
    p = write_tmp("pv.csv", "time_utc,hour_of_year,ac_w\nx,0,0\nx,1,5\nx,3,7\n");
    expect_error(jc_dispatch_pv_read(p, &pv), "pv.csv:4:2: column 'hour_of_year': hours must follow one another");
    p = write_tmp("pv.csv", "hour_of_year,ac_w\n0,0\n1,-3\n");
    expect_error(jc_dispatch_pv_read(p, &pv), "pv.csv:3:2:");
    p = write_tmp("pv.csv", "hour_of_year,dc_w\n0,0\n");
    expect_error(jc_dispatch_pv_read(p, &pv), "no column 'ac_w'");
}

static void test_problem_windows(void **state)
{
    (void)state;
    jc_dispatch_pv pv = {0};
    pv.n = 48;
    pv.ac_w = calloc(48, sizeof *pv.ac_w);
    pv.source = jc_strdup("pv.csv");
    for (size_t h = 0; h < 48; h++)
        pv.ac_w[h] = (double)h;
    jc_dispatch_levels seed;
    jc_dispatch_levels_seed(&seed);
    jc_dispatch_tariff tf;
    jc_dispatch_tariff_seed(&tf);
    jc_dispatch_battery bt;
    jc_dispatch_battery_seed(&bt);
    jc_dispatch_grid gr;
    jc_dispatch_grid_seed(&gr);
    jc_dispatch_site site = {&pv, &tf, &seed, &bt, &gr};
    jc_dispatch_problem p;
    assert_int_equal(jc_dispatch_problem_make(&site, 20, 23, &p), JC_OK);
    assert_true(p.pv_wh[0] == 20 && p.local_hour[0] == 20 && p.buy_eur_per_kwh[0] == 0.35);
    assert_true(p.local_hour[4] == 0 && p.buy_eur_per_kwh[3] == 0.25 && p.buy_eur_per_kwh[12] == 0.45);
    assert_string_equal(p.name, "start 20, 23 h");
    jc_dispatch_problem_free(&p);
    /* a short series does not wrap */
    expect_error(jc_dispatch_problem_make(&site, 30, 23, &p), "run past the end of the PV series pv.csv");
    jc_dispatch_levels_free(&seed);
    jc_dispatch_pv_free(&pv);
}

/* ---- sweeps ---- */

static void test_sweep_independent_of_workers(void **state)
{
    (void)state;
    jc_dispatch_pv pv;
    assert_int_equal(jc_dispatch_pv_read(JC_TEST_DATA "/dispatch/pv_3days.csv", &pv), JC_OK);
    jc_dispatch_levels seed;
    jc_dispatch_levels_seed(&seed);
    jc_dispatch_tariff tf;
    jc_dispatch_tariff_seed(&tf);
    jc_dispatch_battery bt;
    jc_dispatch_battery_seed(&bt);
    jc_dispatch_grid gr;
    jc_dispatch_grid_seed(&gr);
    jc_dispatch_site site = {&pv, &tf, &seed, &bt, &gr};
    jc_dispatch_options o = {JC_DISPATCH_TIGHT, 0};
    jc_dispatch_sweep_row *a, *b;
    size_t na, nb;
    assert_int_equal(jc_dispatch_sweep(&site, 3, 14, 24, 25, &o, 1, NULL, NULL, &a, &na), JC_OK);
    assert_int_equal(jc_dispatch_sweep(&site, 3, 14, 24, 25, &o, 2, NULL, NULL, &b, &nb), JC_OK);
    assert_int_equal(na, 24);
    assert_int_equal(nb, na);
    for (size_t i = 0; i < na; i++) {
        assert_int_equal(a[i].start_hour, b[i].start_hour);
        assert_int_equal(a[i].hours, b[i].hours);
        assert_int_equal(a[i].status, JC_DISPATCH_OPTIMAL);
        assert_int_equal(b[i].status, JC_DISPATCH_OPTIMAL);
        assert_true(fabs(a[i].cost_eur - b[i].cost_eur) < 1e-9);
    }
    assert_int_equal(a[0].start_hour, 3);
    assert_int_equal(a[0].hours, 24);
    assert_int_equal(a[12].hours, 25);
    free(a);
    free(b);
    /* a deadline shorter than the fastest level: rows say infeasible, the call fails naming one */
    assert_int_not_equal(jc_dispatch_sweep(&site, 0, 1, 21, 22, &o, 2, NULL, NULL, &a, &na), JC_OK);
    assert_non_null(strstr(jc_last_error(), "2 of 4 problems not solved to optimality"));
    assert_non_null(strstr(jc_last_error(), "21 h"));
    assert_int_equal(a[0].status, JC_DISPATCH_INFEASIBLE);
    assert_int_equal(a[2].status, JC_DISPATCH_OPTIMAL);
    free(a);
    jc_dispatch_levels_free(&seed);
    jc_dispatch_pv_free(&pv);
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(g_tmp, sizeof g_tmp, "%s/jc_dispatch_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(g_tmp) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    const char *names[] = {"levels.csv", "tariff.csv", "battery.json", "grid.json", "pv.csv"};
    char p[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", g_tmp, names[i]);
        unlink(p);
    }
    return rmdir(g_tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_by_hand),
        cmocka_unit_test(test_milp_equals_exact),
        cmocka_unit_test(test_no_simultaneous_buy_and_sell),
        cmocka_unit_test(test_battery_bounds_and_progress),
        cmocka_unit_test(test_curtailment),
        cmocka_unit_test(test_idle_turns_duration_into_deadline),
        cmocka_unit_test(test_infeasible_deadline),
        cmocka_unit_test(test_seed_levels_tight_deadline),
        cmocka_unit_test(test_baselines),
        cmocka_unit_test(test_shipped_data_is_the_seed),
        cmocka_unit_test(test_reader_errors),
        cmocka_unit_test(test_problem_windows),
        cmocka_unit_test(test_sweep_independent_of_workers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
