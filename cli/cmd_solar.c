/* joulecast solar: a year of hourly PV output from a weather file (PVGIS
 * TMY CSV, EPW) by the PVWatts v5 chain, or read from a PVWatts export;
 * the hourly series the dispatch model reads (-o), the annual figures, and
 * a plot of daily energy or of one week's hourly power. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "joulecast/plot.h"
#include "joulecast/solar.h"
#include "joulecast/util.h"

void jc_cmd_solar_help(FILE *out)
{
    fprintf(out,
            "usage: joulecast solar --weather FILE [--kwdc 0.76] [--tilt 20] [--azimuth 180]\n"
            "                       [--model perez|haydavies|isotropic] [--temp-model sapm|noct]\n"
            "                       [--albedo A] [--losses 14.08] [-o pv.csv] [--plot FILE [--plot-week N]]\n"
            "                       [--json]\n"
            "\n"
            "What a PV array makes, hour by hour, over a typical year. From a weather file\n"
            "it runs the chain PVWatts v5 uses: the sun's position (NREL SPA) at the instant\n"
            "each hour's irradiance stands for, the irradiance on the tilted panel (Perez\n"
            "1990 by default), the glass cover's reflection of the beam, the cell\n"
            "temperature (Sandia SAPM, open rack), DC power with a temperature coefficient\n"
            "of -0.47 %%/C, system losses (14.08 %%: soiling, shading, mismatch, wiring...),\n"
            "and the PVWatts inverter curve (96 %% nominal, DC/AC ratio 1.2, so a 0.76 kWdc\n"
            "array clips at 633 W AC). A PVWatts hourly export is read as it is: its AC\n"
            "output is used directly. docs/solar.md has the equations and their sources.\n"
            "\n"
            "The defaults are the seed's system: 4 m^2 of standard modules (0.76 kWdc),\n"
            "tilt 20, facing south.\n"
            "\n"
            "weather:\n"
            "  --weather FILE   PVGIS TMY CSV (UTC stamps), EPW, or PVWatts hourly CSV;\n"
            "                   the format is recognised from the content\n"
            "  --format F       auto (default), pvgis, epw or pvwatts\n"
            "  --utc-offset H   the local standard time the hours are counted in (whole\n"
            "                   hours): default from the file (EPW's time zone; PVGIS:\n"
            "                   longitude / 15, +1 for Turin)\n"
            "\n"
            "system:\n"
            "  --kwdc KW        DC nameplate in kW (default 0.76)\n"
            "  --tilt DEG       from horizontal, 0..90 (default 20)\n"
            "  --azimuth DEG    direction the panel faces, from north clockwise:\n"
            "                   180 south, 90 east, 270 west (default 180)\n"
            "  --model M        sky diffuse model: perez (default), haydavies, isotropic\n"
            "  --temp-model M   sapm (default) or noct\n"
            "  --mount M        SAPM coefficients: glass-polymer (open rack, default),\n"
            "                   glass-glass (open rack), close-roof, insulated-back\n"
            "  --noct C         NOCT for --temp-model noct (default 45)\n"
            "  --module-eff E   module efficiency at STC for noct (default 0.19)\n"
            "  --albedo A       ground reflectance 0..1 (default: the file's, else 0.2)\n"
            "  --losses PCT     system losses in percent (default 14.08)\n"
            "  --gamma PCT      power temperature coefficient in %%/C (default -0.47)\n"
            "  --dc-ac-ratio R  array DC size over inverter AC size (default 1.2)\n"
            "  --inv-eff PCT    inverter nominal efficiency (default 96)\n"
            "\n"
            "output:\n"
            "  -o FILE          the hourly series as CSV (docs/formats.md, \"PV series\"):\n"
            "                   time_utc,hour_of_year,ghi_w_m2,poa_w_m2,cell_temp_c,dc_w,ac_w;\n"
            "                   hour_of_year 0 is January 1st 00:00-01:00 local standard\n"
            "                   time, ac_w the AC power averaged over the hour (= Wh);\n"
            "                   '-o -' writes it to standard output (the summary then goes\n"
            "                   to standard error)\n"
            "  --plot FILE      .svg or .png: the daily energy over the year, or with\n"
            "  --plot-week N    week N (1..53, from January 1st) of hourly AC power\n"
            "  --json           the summary as JSON\n"
            "\n"
            "The summary: annual AC energy, specific yield (kWh per kWdc), capacity factor\n"
            "(annual energy over kWdc x 8760 h), the best month and each month's energy.\n"
            "\n"
            "examples:\n"
            "  joulecast solar --weather tmy_45.000_8.000_2005_2023.csv -o pv.csv\n"
            "  joulecast solar --weather turin.epw --kwdc 3 --tilt 30 --model haydavies --json\n"
            "  joulecast solar --weather tmy.csv --plot year.svg\n"
            "  joulecast solar --weather tmy.csv --plot june.png --plot-week 24\n"
            "  joulecast solar --weather pvwatts_hourly.csv -o pv.csv    (PVWatts' own AC output)\n");
}

typedef struct {
    const char *weather, *out, *plot;
    jc_weather_kind kind;
    double utc_offset_h;
    int plot_week, as_json;
    jc_pv_system sys;
} solar_opts;

static const char *const MONTH_NAMES[12] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};

static int parse_mount(const char *v, jc_sapm_temp *out)
{
    static const struct {
        const char *name;
        const jc_sapm_temp *p;
    } mounts[] = {{"glass-polymer", &JC_SAPM_OPEN_RACK_GLASS_POLYMER},
                  {"glass-glass", &JC_SAPM_OPEN_RACK_GLASS_GLASS},
                  {"close-roof", &JC_SAPM_CLOSE_ROOF_GLASS_GLASS},
                  {"insulated-back", &JC_SAPM_INSULATED_BACK_GLASS_POLYMER}};
    for (size_t i = 0; i < sizeof mounts / sizeof mounts[0]; i++)
        if (!strcmp(v, mounts[i].name)) {
            *out = *mounts[i].p;
            return 0;
        }
    fprintf(stderr,
            "joulecast solar: error: --mount '%s': expected glass-polymer, glass-glass, close-roof or "
            "insulated-back\n",
            v);
    return -1;
}

/* A named choice (model, temperature model, format). */
static int parse_choice(const char *opt, const char *v, int (*parse)(const char *), const char *expected, int *out)
{
    int k = parse(v);
    if (k < 0) {
        fprintf(stderr, "joulecast solar: error: %s '%s': expected %s\n", opt, v, expected);
        return -1;
    }
    *out = k;
    return 0;
}

static int parse_args(int argc, char **argv, solar_opts *o)
{
    enum { O_WEATHER = 256, O_FORMAT, O_UTC, O_KWDC, O_TILT, O_AZ, O_MODEL, O_TEMP, O_MOUNT, O_NOCT, O_MEFF,
           O_ALBEDO, O_LOSSES, O_GAMMA, O_RATIO, O_INV, O_PLOT, O_WEEK, O_JSON };
    static const struct option lo[] = {
        {"weather", required_argument, 0, O_WEATHER}, {"format", required_argument, 0, O_FORMAT},
        {"utc-offset", required_argument, 0, O_UTC},  {"kwdc", required_argument, 0, O_KWDC},
        {"tilt", required_argument, 0, O_TILT},       {"azimuth", required_argument, 0, O_AZ},
        {"model", required_argument, 0, O_MODEL},     {"temp-model", required_argument, 0, O_TEMP},
        {"mount", required_argument, 0, O_MOUNT},     {"noct", required_argument, 0, O_NOCT},
        {"module-eff", required_argument, 0, O_MEFF}, {"albedo", required_argument, 0, O_ALBEDO},
        {"losses", required_argument, 0, O_LOSSES},   {"gamma", required_argument, 0, O_GAMMA},
        {"dc-ac-ratio", required_argument, 0, O_RATIO}, {"inv-eff", required_argument, 0, O_INV},
        {"plot", required_argument, 0, O_PLOT},       {"plot-week", required_argument, 0, O_WEEK},
        {"json", no_argument, 0, O_JSON},             {"output", required_argument, 0, 'o'},
        {0, 0, 0, 0}};
    jc_pv_system *s = &o->sys;
    double v;
    long lv;
    int k;
    optind = 1;
    opterr = 0;
    for (;;) {
        int c = getopt_long(argc, argv, "o:", lo, NULL);
        if (c == -1)
            break;
        switch (c) {
        case O_WEATHER: o->weather = optarg; break;
        case 'o': o->out = optarg; break;
        case O_PLOT: o->plot = optarg; break;
        case O_JSON: o->as_json = 1; break;
        case O_FORMAT:
            if (parse_choice("--format", optarg, jc_weather_kind_parse, "auto, pvgis, epw or pvwatts", &k))
                return -1;
            o->kind = (jc_weather_kind)k;
            break;
        case O_MODEL:
            if (parse_choice("--model", optarg, jc_sky_model_parse, "perez, haydavies or isotropic", &k))
                return -1;
            s->sky = (jc_sky_model)k;
            break;
        case O_TEMP:
            if (parse_choice("--temp-model", optarg, jc_temp_model_parse, "sapm or noct", &k))
                return -1;
            s->temp_model = (jc_temp_model)k;
            break;
        case O_MOUNT:
            if (parse_mount(optarg, &s->sapm))
                return -1;
            break;
        case O_UTC:
            if (jc_parse_int_opt("--utc-offset", optarg, -14, 14, &lv))
                return -1;
            o->utc_offset_h = (double)lv;
            break;
        case O_WEEK:
            if (jc_parse_int_opt("--plot-week", optarg, 1, 53, &lv))
                return -1;
            o->plot_week = (int)lv;
            break;
        case O_KWDC: if (jc_parse_double_opt("--kwdc", optarg, 1e-6, 1e6, &s->kwdc)) return -1; break;
        case O_TILT: if (jc_parse_double_opt("--tilt", optarg, 0, 90, &s->tilt_deg)) return -1; break;
        case O_AZ: if (jc_parse_double_opt("--azimuth", optarg, 0, 360, &v)) return -1;
            s->azimuth_deg = fmod(v, 360.0);
            break;
        case O_NOCT: if (jc_parse_double_opt("--noct", optarg, 20, 100, &s->noct.noct_c)) return -1; break;
        case O_MEFF:
            if (jc_parse_double_opt("--module-eff", optarg, 0, 0.5, &s->noct.module_efficiency))
                return -1;
            break;
        case O_ALBEDO: if (jc_parse_double_opt("--albedo", optarg, 0, 1, &s->albedo)) return -1; break;
        case O_LOSSES: if (jc_parse_double_opt("--losses", optarg, 0, 99, &s->losses_pct)) return -1; break;
        case O_GAMMA: if (jc_parse_double_opt("--gamma", optarg, -5, 5, &v)) return -1;
            s->gamma_per_c = v / 100.0;
            break;
        case O_RATIO: if (jc_parse_double_opt("--dc-ac-ratio", optarg, 0.1, 10, &s->dc_ac_ratio)) return -1; break;
        case O_INV: if (jc_parse_double_opt("--inv-eff", optarg, 1, 100, &v)) return -1;
            s->inv_eff_nom = v / 100.0;
            break;
        default:
            fprintf(stderr,
                    "joulecast solar: error: unknown or incomplete option '%s' (see 'joulecast solar --help')\n",
                    argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "joulecast solar: error: unexpected argument '%s' (the weather file goes after --weather)\n",
                argv[optind]);
        return -1;
    }
    if (!o->weather) {
        fprintf(stderr, "joulecast solar: error: no weather: give --weather FILE (a PVGIS TMY CSV, an EPW or a "
                        "PVWatts hourly export)\n");
        return -1;
    }
    if (o->plot_week && !o->plot) {
        fprintf(stderr, "joulecast solar: error: --plot-week goes with --plot FILE\n");
        return -1;
    }
    return 0;
}

static const char *temp_model_text(const jc_pv_system *s, char *buf, size_t size)
{
    if (s->temp_model == JC_TEMP_NOCT)
        snprintf(buf, size, "NOCT %.0f C, module efficiency %.2f", s->noct.noct_c, s->noct.module_efficiency);
    else
        snprintf(buf, size, "SAPM, %s", s->sapm.name);
    return buf;
}

static void print_text(FILE *f, const jc_weather *w, const jc_pv_system *s, const jc_pv_series *p)
{
    char tm[128];
    fprintf(f, "weather          %s (%s)", w->source, jc_weather_kind_name(w->kind));
    if (isfinite(w->latitude_deg))
        fprintf(f, ", %.3f N %.3f E", w->latitude_deg, w->longitude_deg);
    fprintf(f, "; hours counted in UTC%+g\n", w->utc_offset_h);
    if (p->modeled) {
        fprintf(f, "system           %.3g kWdc, tilt %g, azimuth %g; %s sky; %s\n", s->kwdc, s->tilt_deg,
                s->azimuth_deg, jc_sky_model_name(s->sky), temp_model_text(s, tm, sizeof tm));
        fprintf(f, "                 losses %.2f %%, temperature coefficient %.2f %%/C, inverter %.0f %% nominal, "
                   "DC/AC %.2g (AC rating %.0f W)\n",
                s->losses_pct, s->gamma_per_c * 100, s->inv_eff_nom * 100, s->dc_ac_ratio,
                s->kwdc * 1000 / s->dc_ac_ratio);
    } else
        fprintf(f, "system           %.3g kWdc, AC output as PVWatts computed it\n", p->kwdc);
    fprintf(f, "annual energy    %.1f kWh (AC)\n", p->annual_kwh);
    fprintf(f, "specific yield   %.0f kWh/kWp\n", p->specific_kwh_kwp);
    fprintf(f, "capacity factor  %.1f %%\n", p->capacity_factor * 100);
    fprintf(f, "best month       %s (%.1f kWh)\n", MONTH_NAMES[p->best_month - 1], p->monthly_kwh[p->best_month - 1]);
    fprintf(f, "peak AC power    %.0f W\n", p->peak_ac_w);
    fprintf(f, "monthly kWh     ");
    for (int m = 0; m < 12; m++)
        fprintf(f, " %.3s %.1f", MONTH_NAMES[m], p->monthly_kwh[m]);
    fprintf(f, "\n");
}

static void print_json(FILE *f, const jc_weather *w, const jc_pv_system *s, const jc_pv_series *p, const char *out)
{
    json_t *o = json_object();
    json_t *jw = json_pack("{s:s,s:s,s:f}", "file", w->source, "format", jc_weather_kind_name(w->kind),
                           "utc_offset_h", w->utc_offset_h);
    if (isfinite(w->latitude_deg)) {
        json_object_set_new(jw, "latitude_deg", json_real(w->latitude_deg));
        json_object_set_new(jw, "longitude_deg", json_real(w->longitude_deg));
    }
    if (isfinite(w->irradiance_offset_h))
        json_object_set_new(jw, "irradiance_time_offset_h", json_real(w->irradiance_offset_h));
    json_object_set_new(o, "weather", jw);
    json_t *js = json_pack("{s:f,s:b}", "kwdc", p->kwdc, "modeled", p->modeled);
    if (p->modeled) {
        json_object_set_new(js, "tilt_deg", json_real(s->tilt_deg));
        json_object_set_new(js, "azimuth_deg", json_real(s->azimuth_deg));
        json_object_set_new(js, "sky_model", json_string(jc_sky_model_name(s->sky)));
        json_object_set_new(js, "temp_model", json_string(s->temp_model == JC_TEMP_NOCT ? "noct" : "sapm"));
        json_object_set_new(js, "losses_pct", json_real(s->losses_pct));
        json_object_set_new(js, "gamma_pct_per_c", json_real(s->gamma_per_c * 100));
        json_object_set_new(js, "inverter_eff_nom", json_real(s->inv_eff_nom));
        json_object_set_new(js, "dc_ac_ratio", json_real(s->dc_ac_ratio));
        json_object_set_new(js, "ac_rating_w", json_real(s->kwdc * 1000 / s->dc_ac_ratio));
    }
    json_object_set_new(o, "system", js);
    json_object_set_new(o, "annual_kwh", json_real(p->annual_kwh));
    json_object_set_new(o, "specific_yield_kwh_per_kwp", json_real(p->specific_kwh_kwp));
    json_object_set_new(o, "capacity_factor", json_real(p->capacity_factor));
    json_object_set_new(o, "best_month", json_integer(p->best_month));
    json_object_set_new(o, "best_month_name", json_string(MONTH_NAMES[p->best_month - 1]));
    json_object_set_new(o, "peak_ac_w", json_real(p->peak_ac_w));
    json_t *months = json_array();
    for (int m = 0; m < 12; m++)
        json_array_append_new(months, json_real(p->monthly_kwh[m]));
    json_object_set_new(o, "monthly_kwh", months);
    json_object_set_new(o, "hours", json_integer((json_int_t)p->n));
    json_object_set_new(o, "output", out ? json_string(out) : json_null());
    json_dumpf(o, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    fprintf(f, "\n");
    json_decref(o);
}

/* The year's daily energy, or one week of hourly AC power. */
static int write_plot(const char *path, int week, const jc_pv_series *p, const jc_pv_system *s)
{
    size_t first = 0, n = p->n / 24;
    if (week) {
        first = (size_t)(week - 1) * 168;
        if (first >= p->n)
            return jc_fail(JC_ERR_INVALID, "week %d starts after the last hour", week);
        n = p->n - first < 168 ? p->n - first : 168;
    }
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return jc_fail(JC_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        if (week) {
            x[i] = (double)(first + i);
            y[i] = p->ac_w[first + i];
        } else {
            double e = 0;
            for (int h = 0; h < 24; h++)
                e += p->ac_w[i * 24 + (size_t)h];
            x[i] = (double)(i + 1);
            y[i] = e / 1000.0;
        }
    }
    char title[256];
    if (week)
        snprintf(title, sizeof title, "PV AC power, week %d (hours %zu-%zu), %.3g kWdc", week, first, first + n - 1,
                 p->kwdc);
    else
        snprintf(title, sizeof title, "PV energy per day, %.3g kWdc: %.0f kWh a year, %.0f kWh/kWp", p->kwdc,
                 p->annual_kwh, p->specific_kwh_kwp);
    jc_plot_series ser = {.label = week ? "AC power" : "AC energy", .x = x, .y = y, .n = n,
                          .style = week ? JC_PLOT_LINE : JC_PLOT_STEP, .rgb = 0xE69F00, .width = 1.5};
    jc_plot_hline rating = {.label = "inverter AC rating", .y = s->kwdc * 1000 / s->dc_ac_ratio, .rgb = 0x555555,
                            .dashed = 1};
    jc_plot plot = {.title = title,
                    .xlabel = week ? "hour of the year (local standard time)" : "day of the year",
                    .ylabel = week ? "AC power (W)" : "AC energy (kWh/day)",
                    .y_from_zero = 1,
                    .nseries = 1,
                    .series = &ser,
                    .nhlines = week && p->modeled ? 1 : 0,
                    .hlines = &rating};
    int rc = jc_plot_write(&plot, path);
    free(x);
    free(y);
    return rc;
}

int jc_cmd_solar(int argc, char **argv)
{
    solar_opts o = {.kind = JC_WEATHER_AUTO, .utc_offset_h = NAN};
    jc_pv_system_defaults(&o.sys);
    if (parse_args(argc, argv, &o))
        return JC_EXIT_USAGE;
    jc_weather w;
    if (jc_weather_read(o.weather, o.kind, o.utc_offset_h, 0, &w)) {
        jc_print_error();
        return JC_EXIT_FAIL;
    }
    jc_pv_series p;
    int rc = jc_pv_simulate(&w, &o.sys, &p);
    if (rc) { /* the options were checked above: what fails here is the file */
        jc_print_error();
        jc_weather_free(&w);
        return JC_EXIT_FAIL;
    }
    int to_stdout = o.out && !strcmp(o.out, "-");
    if (o.out)
        rc = to_stdout ? jc_pv_series_write_stream(&p, stdout) : jc_pv_series_write_csv(&p, o.out);
    if (!rc && o.plot)
        rc = write_plot(o.plot, o.plot_week, &p, &o.sys);
    if (!rc) {
        FILE *sf = to_stdout ? stderr : stdout;
        if (o.as_json)
            print_json(sf, &w, &o.sys, &p, o.out);
        else
            print_text(sf, &w, &o.sys, &p);
    } else
        jc_print_error();
    jc_pv_series_free(&p);
    jc_weather_free(&w);
    return rc ? JC_EXIT_FAIL : JC_EXIT_OK;
}
