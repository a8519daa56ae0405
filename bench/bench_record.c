/* bench_record: the recorder's cost and timing (issue 5's goals: at 10 Hz
 * with 8 GPUs, below 1 % of one core and p99 lateness below 5 ms).
 * Records `sleep SECONDS` on 8 simulated GPUs (the fake libnvidia-ml from
 * tests/fake_nvml, or JOULECAST_NVML_LIB) and prints the sampler thread's
 * CPU time, the whole recorder's CPU time (main thread included), and the
 * wake-up lateness percentiles. What it measures is joulecast's own cost:
 * a real driver's NVML calls cost what they cost on top (see
 * docs/record.md for the figures taken on a real GPU when one was lent).
 *
 * usage: bench_record [--seconds 20] [--gpus 8] [--interval-ms 100] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "joulecast/record.h"

#ifndef JC_DEFAULT_FAKE_NVML
#define JC_DEFAULT_FAKE_NVML "build/tests/fake_nvml/libnvidia-ml.so.1"
#endif

static double cpu_self(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

int main(int argc, char **argv)
{
    int seconds = 20, gpus = 8, interval_ms = 100;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--seconds")) seconds = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--gpus")) gpus = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--interval-ms")) interval_ms = atoi(argv[i + 1]);
    }
    if (!getenv("JOULECAST_NVML_LIB")) {
        const char *fake = getenv("JC_FAKE_NVML") ? getenv("JC_FAKE_NVML") : JC_DEFAULT_FAKE_NVML;
        if (access(fake, R_OK) != 0) {
            fprintf(stderr, "bench_record: no NVML to measure: build the fake (%s) or set JOULECAST_NVML_LIB\n", fake);
            return 1;
        }
        setenv("JOULECAST_NVML_LIB", fake, 1);
    }
    char n[16], secs[16], dir[] = "/tmp/bench_record.XXXXXX";
    snprintf(n, sizeof n, "%d", gpus);
    snprintf(secs, sizeof secs, "%d", seconds);
    setenv("FAKE_NVML_GPUS", n, 0);
    unsetenv("CUDA_VISIBLE_DEVICES");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char *cmd[] = {"sleep", secs, NULL};
    jc_record_opts o;
    jc_record_opts_init(&o);
    o.out_dir = dir;
    o.interval_s = interval_ms / 1000.0;
    o.argv = cmd;
    o.force = 1;
    jc_record_result r;
    double c0 = cpu_self();
    int rc = jc_record_run(&o, &r);
    double c1 = cpu_self();
    if (rc != JC_OK) {
        fprintf(stderr, "bench_record: %s\n", jc_last_error());
        return 1;
    }
    printf("recorder: %d GPUs at %d ms for %.1f s (%s)\n", gpus, interval_ms, r.duration_s, getenv("JOULECAST_NVML_LIB"));
    printf("  samples          %zu rows in %zu ticks, %zu missed deadlines\n", r.samples, r.ticks, r.missed_deadlines);
    printf("  sampler thread   %.3f s CPU = %.3f %% of one core   (goal < 1 %%)\n", r.sampler_cpu_s,
           100.0 * r.sampler_cpu_s / r.duration_s);
    printf("  whole recorder   %.3f s CPU = %.3f %% of one core (sampler + output, markers, file writes)\n",
           c1 - c0, 100.0 * (c1 - c0) / r.duration_s);
    printf("  lateness         p50 %.3f ms, p99 %.3f ms   (goal p99 < 5 ms)\n", r.jitter_p50_ms, r.jitter_p99_ms);
    jc_record_result_free(&r);
    char rm[96];
    snprintf(rm, sizeof rm, "rm -rf %s", dir);
    return system(rm) == 0 ? 0 : 1;
}
