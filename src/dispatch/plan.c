/* dispatch/plan.c: problems and plans. Cutting a problem out of a site,
 * the bounds every formulation derives from it, the greedy baselines the
 * optimum is compared with, and the checker that holds any plan to the
 * model's physics (tests run every solver's plans through it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/dispatch_internal.h"

const char *jc_dispatch_status_name(jc_dispatch_status s)
{
    switch (s) {
    case JC_DISPATCH_OPTIMAL: return "optimal";
    case JC_DISPATCH_INFEASIBLE: return "infeasible";
    case JC_DISPATCH_TIME_LIMIT: return "time_limit";
    case JC_DISPATCH_FAILED: return "failed";
    default: return "not_solved";
    }
}

double jc_dispatch_level_wh(const jc_dispatch_levels *l, int k)
{
    return k <= 0 ? l->idle_w : l->level[k - 1].draw_w;
}

double jc_dispatch_level_rate(const jc_dispatch_levels *l, int k)
{
    return k <= 0 ? 0.0 : 1.0 / l->level[k - 1].time_h;
}

void jc_dispatch_bounds_of(const jc_dispatch_problem *p, jc_dispatch_bounds *b)
{
    memset(b, 0, sizeof *b);
    const jc_dispatch_battery *bat = &p->battery;
    b->keep = 1.0;
    b->alpha = b->beta = 1.0;
    b->draw_max = p->levels->idle_w;
    for (size_t k = 0; k < p->levels->n; k++)
        if (p->levels->level[k].draw_w > b->draw_max)
            b->draw_max = p->levels->level[k].draw_w;
    if (!(bat->capacity_wh > 0))
        return;
    b->has_battery = 1;
    b->alpha = bat->charge_efficiency;
    b->beta = bat->discharge_efficiency;
    b->keep = 1.0 - bat->self_discharge_per_h;
    b->soc0 = bat->initial_soc * bat->capacity_wh;
    b->soc_min = bat->min_soc * bat->capacity_wh;
    b->soc_max = bat->max_soc * bat->capacity_wh;
    b->soc_end_min = fmax(b->soc_min, b->soc0);
    /* Beyond these the battery would have to charge and discharge in the same
     * hour, which only burns energy (docs/dispatch.md): never needed. */
    b->charge_max = fmin(bat->max_charge_w, b->soc_max / b->alpha);
    b->discharge_max = fmin(bat->max_discharge_w, b->beta * b->soc_max);
}

double jc_dispatch_import_max(const jc_dispatch_problem *p, const jc_dispatch_bounds *b, size_t t)
{
    (void)t;
    return fmin(p->grid.max_import_w, b->draw_max + b->charge_max);
}

double jc_dispatch_export_max(const jc_dispatch_problem *p, const jc_dispatch_bounds *b, size_t t)
{
    return fmin(p->grid.max_export_w, p->pv_wh[t] + b->discharge_max);
}

/* ---- problems ---- */

int jc_dispatch_problem_alloc(size_t hours, jc_dispatch_problem *out)
{
    memset(out, 0, sizeof *out);
    size_t n = hours ? hours : 1;
    out->pv_wh = calloc(n, sizeof *out->pv_wh);
    out->buy_eur_per_kwh = calloc(n, sizeof *out->buy_eur_per_kwh);
    out->sell_eur_per_kwh = calloc(n, sizeof *out->sell_eur_per_kwh);
    out->local_hour = calloc(n, sizeof *out->local_hour);
    if (!out->pv_wh || !out->buy_eur_per_kwh || !out->sell_eur_per_kwh || !out->local_hour) {
        jc_dispatch_problem_free(out);
        return jc_fail(JC_ERR_NOMEM, "out of memory for a %zu-hour problem", hours);
    }
    out->hours = hours;
    snprintf(out->name, sizeof out->name, "%zu-hour problem", hours);
    return JC_OK;
}

void jc_dispatch_problem_free(jc_dispatch_problem *p)
{
    if (!p)
        return;
    free(p->pv_wh);
    free(p->buy_eur_per_kwh);
    free(p->sell_eur_per_kwh);
    free(p->local_hour);
    memset(p, 0, sizeof *p);
}

int jc_dispatch_problem_make(const jc_dispatch_site *s, long start_hour, int hours, jc_dispatch_problem *out)
{
    memset(out, 0, sizeof *out);
    const jc_dispatch_pv *pv = s->pv;
    if (hours < 1)
        return jc_fail(JC_ERR_INVALID, "a window needs at least one hour, got %d", hours);
    if (start_hour < 0 || (size_t)start_hour >= pv->n)
        return jc_fail(JC_ERR_INVALID, "start hour %ld is outside the PV series %s (hours 0..%zu)", start_hour,
                       pv->source ? pv->source : "", pv->n ? pv->n - 1 : 0);
    /* A typical year is a cycle: a window may run past 31 December into
     * 1 January of the same series. A shorter series has no such meaning. */
    int wraps = pv->n == 8760 || pv->n == 8784;
    if (!wraps && (size_t)start_hour + (size_t)hours > pv->n)
        return jc_fail(JC_ERR_INVALID, "hours %ld..%ld run past the end of the PV series %s (%zu hours)", start_hour,
                       start_hour + hours - 1, pv->source ? pv->source : "", pv->n);
    int rc = jc_dispatch_problem_alloc((size_t)hours, out);
    if (rc)
        return rc;
    out->start_hour = start_hour;
    out->levels = s->levels;
    out->battery = *s->battery;
    out->grid = *s->grid;
    for (int t = 0; t < hours; t++) {
        size_t h = ((size_t)start_hour + (size_t)t) % pv->n;
        int local = (int)(h % 24);
        out->pv_wh[t] = pv->ac_w[h];
        out->local_hour[t] = local;
        out->buy_eur_per_kwh[t] = s->tariff->buy_eur_per_kwh[local];
        out->sell_eur_per_kwh[t] = s->tariff->sell_eur_per_kwh[local];
    }
    snprintf(out->name, sizeof out->name, "start %ld, %d h", start_hour, hours);
    return JC_OK;
}

int jc_dispatch_problem_check(const jc_dispatch_problem *p)
{
    const jc_dispatch_levels *l = p->levels;
    if (!l || l->n == 0)
        return jc_fail(JC_ERR_INVALID, "%s: no power levels", p->name);
    if (p->hours == 0)
        return jc_fail(JC_ERR_INVALID, "%s: no hours", p->name);
    double fastest = INFINITY;
    for (size_t k = 0; k < l->n; k++)
        fastest = fmin(fastest, l->level[k].time_h);
    if ((double)p->hours * (1.0 / fastest) < 1.0 - JC_DISPATCH_PROGRESS_EPS)
        return jc_fail(JC_ERR_INVALID,
                       "%s: infeasible deadline: the job needs at least %g h (its fastest level), the window has %zu h",
                       p->name, fastest, p->hours);
    for (size_t t = 0; t < p->hours; t++)
        if (!(p->pv_wh[t] >= 0) || !(p->buy_eur_per_kwh[t] >= 0) || !(p->sell_eur_per_kwh[t] >= 0))
            return jc_fail(JC_ERR_INVALID, "%s: hour %zu: PV and prices must be numbers >= 0", p->name, t);
    return JC_OK;
}

/* ---- plans ---- */

int jc_dispatch_plan_alloc(size_t hours, jc_dispatch_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    plan->hour = calloc(hours ? hours : 1, sizeof *plan->hour);
    if (!plan->hour)
        return jc_fail(JC_ERR_NOMEM, "out of memory for a %zu-hour plan", hours);
    plan->hours = hours;
    return JC_OK;
}

void jc_dispatch_plan_free(jc_dispatch_plan *plan)
{
    if (!plan)
        return;
    free(plan->hour);
    memset(plan, 0, sizeof *plan);
}

void jc_dispatch_plan_total(const jc_dispatch_problem *p, jc_dispatch_plan *plan)
{
    plan->cost_eur = plan->gpu_wh = plan->progress = 0;
    plan->pv_wh = plan->pv_used_wh = plan->pv_curtailed_wh = 0;
    plan->charge_wh = plan->discharge_wh = plan->buy_wh = plan->sell_wh = 0;
    for (size_t t = 0; t < plan->hours; t++) {
        jc_dispatch_hour *h = &plan->hour[t];
        h->cost_eur = (h->buy_wh * p->buy_eur_per_kwh[t] - h->sell_wh * p->sell_eur_per_kwh[t]) / 1000.0;
        plan->cost_eur += h->cost_eur;
        plan->gpu_wh += h->gpu_wh;
        plan->progress += h->progress;
        plan->pv_wh += h->pv_wh;
        plan->pv_used_wh += h->pv_used_wh;
        plan->pv_curtailed_wh += h->pv_curtailed_wh;
        plan->charge_wh += h->charge_wh;
        plan->discharge_wh += h->discharge_wh;
        plan->buy_wh += h->buy_wh;
        plan->sell_wh += h->sell_wh;
    }
}

/* ---- baselines ---- */

/* The fastest level: "full power" in the seed's sense when draws rise with
 * speed; ties go to the lower draw. */
static int fastest_level(const jc_dispatch_levels *l)
{
    int best = 1;
    for (size_t k = 2; k <= l->n; k++) {
        double r = jc_dispatch_level_rate(l, (int)k), rb = jc_dispatch_level_rate(l, best);
        if (r > rb || (r == rb && jc_dispatch_level_wh(l, (int)k) < jc_dispatch_level_wh(l, best)))
            best = (int)k;
    }
    return best;
}

/* One hour of the greedy rule: PV to the GPU, surplus to the battery, then
 * sold, then curtailed; deficit from the battery, then bought. The battery is
 * not drawn below `floor_wh` (its initial charge), as the optimum may not end
 * below it either. */
static void greedy_hour(const jc_dispatch_problem *p, const jc_dispatch_bounds *b, double floor_wh, size_t t,
                        double *soc, jc_dispatch_hour *h)
{
    double use = fmin(h->pv_wh, h->gpu_wh);
    double surplus = h->pv_wh - use, deficit = h->gpu_wh - use;
    double kept = b->keep * *soc;
    h->pv_used_wh = use;
    if (b->has_battery && surplus > 0) {
        double c = fmin(surplus, fmin(b->charge_max, fmax(0.0, (b->soc_max - kept) / b->alpha)));
        h->charge_wh = c;
        surplus -= c;
        h->pv_used_wh += c;
    }
    double sell = fmin(surplus, jc_dispatch_export_max(p, b, t));
    h->sell_wh = sell;
    h->pv_used_wh += sell;
    h->pv_curtailed_wh = h->pv_wh - h->pv_used_wh;
    if (b->has_battery && deficit > 0) {
        double d = fmin(deficit, fmin(b->discharge_max, fmax(0.0, b->beta * (kept - floor_wh))));
        h->discharge_wh = d;
        deficit -= d;
    }
    h->buy_wh = deficit;
    *soc = kept + b->alpha * h->charge_wh - h->discharge_wh / b->beta;
    h->soc_wh = *soc;
}

int jc_dispatch_baseline(const jc_dispatch_problem *p, int use_pv_battery, jc_dispatch_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    int rc = jc_dispatch_problem_check(p);
    if (rc)
        return rc;
    rc = jc_dispatch_plan_alloc(p->hours, plan);
    if (rc)
        return rc;
    jc_dispatch_bounds b;
    jc_dispatch_bounds_of(p, &b);
    if (!use_pv_battery)
        b.has_battery = 0;
    int k = fastest_level(p->levels);
    double rate = jc_dispatch_level_rate(p->levels, k), full = jc_dispatch_level_wh(p->levels, k);
    double idle = p->levels->idle_w, left = 1.0, soc = b.has_battery ? b.soc0 : 0.0;
    for (size_t t = 0; t < p->hours; t++) {
        jc_dispatch_hour *h = &plan->hour[t];
        /* the last working hour may be partly idle */
        double frac = left > JC_DISPATCH_PROGRESS_EPS ? fmin(1.0, left / rate) : 0.0;
        h->level = frac > 0 ? k : 0;
        h->progress = frac * rate;
        h->gpu_wh = frac * full + (1.0 - frac) * idle;
        left -= h->progress;
        h->pv_wh = use_pv_battery ? p->pv_wh[t] : 0.0;
        greedy_hour(p, &b, b.soc_end_min, t, &soc, h);
        if (!use_pv_battery)
            h->pv_curtailed_wh = 0;
        if (h->buy_wh > p->grid.max_import_w + 1e-9) {
            rc = jc_fail(JC_ERR_INVALID, "%s: hour %zu needs %.1f Wh from the grid, over its %.1f W import limit",
                         p->name, t, h->buy_wh, p->grid.max_import_w);
            jc_dispatch_plan_free(plan);
            return rc;
        }
    }
    /* Self-discharge can leave the battery below its initial charge: top it up
     * from the grid in the last hour, so the baseline ends where the optimum must. */
    if (b.has_battery && soc < b.soc_end_min) {
        jc_dispatch_hour *h = &plan->hour[p->hours - 1];
        double extra = (b.soc_end_min - soc) / b.alpha;
        h->charge_wh += extra;
        h->buy_wh += extra;
        h->soc_wh = b.soc_end_min;
    }
    plan->status = JC_DISPATCH_OPTIMAL; /* "solved": the rule has no optimum to prove */
    jc_dispatch_plan_total(p, plan);
    return JC_OK;
}

/* ---- the checker ---- */

static int violation(const jc_dispatch_problem *p, size_t t, const char *what, double got, double want)
{
    return jc_fail(JC_ERR_INTERNAL, "%s: hour %zu: %s (%.9g, expected %.9g)", p->name, t, what, got, want);
}

static int check_hour(const jc_dispatch_problem *p, const jc_dispatch_bounds *b, size_t t,
                      const jc_dispatch_hour *h, double soc_prev, double tol)
{
    const jc_dispatch_levels *l = p->levels;
    if (h->level < 0 || (size_t)h->level > l->n)
        return violation(p, t, "level out of range", h->level, 0);
    double rate = jc_dispatch_level_rate(l, h->level);
    double frac = rate > 0 ? h->progress / rate : 0.0;
    if (frac < -1e-9 || frac > 1 + 1e-9)
        return violation(p, t, "progress beyond the level's rate", h->progress, rate);
    double gpu = l->idle_w + frac * (jc_dispatch_level_wh(l, h->level) - l->idle_w);
    if (fabs(h->gpu_wh - gpu) > tol)
        return violation(p, t, "GPU energy does not match the level", h->gpu_wh, gpu);
    const double v[] = {h->pv_used_wh, h->pv_curtailed_wh, h->charge_wh, h->discharge_wh, h->buy_wh, h->sell_wh};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (!(v[i] >= -tol))
            return violation(p, t, "negative flow", v[i], 0);
    if (fabs(h->pv_used_wh + h->pv_curtailed_wh - h->pv_wh) > tol)
        return violation(p, t, "PV used + curtailed != PV available", h->pv_used_wh + h->pv_curtailed_wh, h->pv_wh);
    double in = h->pv_used_wh + h->buy_wh + h->discharge_wh, out = h->gpu_wh + h->charge_wh + h->sell_wh;
    if (fabs(in - out) > tol)
        return violation(p, t, "energy balance", in, out);
    if (h->buy_wh > tol && h->sell_wh > tol)
        return violation(p, t, "buys and sells in the same hour", h->buy_wh, h->sell_wh);
    if (h->buy_wh > p->grid.max_import_w + tol)
        return violation(p, t, "import over the grid limit", h->buy_wh, p->grid.max_import_w);
    if (h->sell_wh > p->grid.max_export_w + tol)
        return violation(p, t, "export over the grid limit", h->sell_wh, p->grid.max_export_w);
    if (!b->has_battery) {
        if (h->charge_wh > tol || h->discharge_wh > tol)
            return violation(p, t, "battery used but there is none", h->charge_wh + h->discharge_wh, 0);
        return JC_OK;
    }
    double soc = b->keep * soc_prev + b->alpha * h->charge_wh - h->discharge_wh / b->beta;
    if (fabs(soc - h->soc_wh) > tol)
        return violation(p, t, "battery state does not follow its dynamics", h->soc_wh, soc);
    if (h->soc_wh < b->soc_min - tol || h->soc_wh > b->soc_max + tol)
        return violation(p, t, "battery state out of bounds", h->soc_wh, h->soc_wh < b->soc_min ? b->soc_min : b->soc_max);
    if (h->charge_wh > p->battery.max_charge_w + tol)
        return violation(p, t, "charge over the limit", h->charge_wh, p->battery.max_charge_w);
    if (h->discharge_wh > p->battery.max_discharge_w + tol)
        return violation(p, t, "discharge over the limit", h->discharge_wh, p->battery.max_discharge_w);
    return JC_OK;
}

int jc_dispatch_plan_check(const jc_dispatch_problem *p, const jc_dispatch_plan *plan, double tol)
{
    if (plan->hours != p->hours)
        return jc_fail(JC_ERR_INTERNAL, "%s: plan has %zu hours, problem %zu", p->name, plan->hours, p->hours);
    jc_dispatch_bounds b;
    jc_dispatch_bounds_of(p, &b);
    double soc = b.soc0, progress = 0, cost = 0;
    for (size_t t = 0; t < p->hours; t++) {
        const jc_dispatch_hour *h = &plan->hour[t];
        if (fabs(h->pv_wh - p->pv_wh[t]) > tol && h->pv_wh != 0)
            return violation(p, t, "PV available differs from the problem", h->pv_wh, p->pv_wh[t]);
        int rc = check_hour(p, &b, t, h, soc, tol);
        if (rc)
            return rc;
        soc = h->soc_wh;
        progress += h->progress;
        cost += (h->buy_wh * p->buy_eur_per_kwh[t] - h->sell_wh * p->sell_eur_per_kwh[t]) / 1000.0;
    }
    if (progress < 1.0 - 1e-7)
        return jc_fail(JC_ERR_INTERNAL, "%s: the job is not done by the deadline (progress %.9g)", p->name, progress);
    if (b.has_battery && soc < b.soc_end_min - tol)
        return jc_fail(JC_ERR_INTERNAL, "%s: the battery ends at %.6g Wh, below its initial %.6g Wh", p->name, soc,
                       b.soc_end_min);
    if (fabs(cost - plan->cost_eur) > 1e-9 * (1 + fabs(cost)))
        return jc_fail(JC_ERR_INTERNAL, "%s: plan cost %.12g EUR, its hours add up to %.12g", p->name, plan->cost_eur,
                       cost);
    return JC_OK;
}
