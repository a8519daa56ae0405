/* bench_onnx: how long counting a full ONNX model takes, weights included
 * (ResNet-50 is about 100 MB; goal: under 1 s). Prints the best and mean of
 * --reps passes and the counts.
 *
 *   bench_onnx [--reps N] [MODEL.onnx]     default /tmp/resnet50.onnx, made by
 *   /usr/bin/python3 scripts/gen_onnx_fixtures.py --bench */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "joulecast/arch.h"
#include "joulecast/util.h"

int main(int argc, char **argv)
{
    const char *path = "/tmp/resnet50.onnx";
    int reps = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: bench_onnx [--reps N] [MODEL.onnx]\n");
            return 2;
        } else
            path = argv[i];
    }
    if (reps < 1)
        reps = 1;
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("bench_onnx: %s not found; make it (with weights, about 100 MB) with\n"
               "  /usr/bin/python3 scripts/gen_onnx_fixtures.py --bench\n"
               "(needs python3-torch python3-torchvision python3-onnx), or pass a model path.\n",
               path);
        return 0;
    }
    jc_arch_counts c;
    double best = 1e30, sum = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = jc_now_monotonic();
        if (jc_arch_onnx_count(path, NULL, &c) != 0) {
            fprintf(stderr, "bench_onnx: %s\n", jc_last_error());
            return 1;
        }
        double dt = jc_now_monotonic() - t0;
        sum += dt;
        if (dt < best)
            best = dt;
    }
    printf("model        %s (%.1f MB)\n", path, (double)st.st_size / 1e6);
    printf("time         best %.2f ms, mean %.2f ms over %d passes (goal < 1 s)\n", 1e3 * best,
           1e3 * sum / reps, reps);
    printf("params       %lld\n", (long long)c.params);
    printf("MACs         %lld (conv %lld, linear %lld, attention %lld)\n", (long long)c.macs,
           (long long)c.kind_macs[JC_LAYER_CONV], (long long)c.kind_macs[JC_LAYER_LINEAR],
           (long long)c.kind_macs[JC_LAYER_ATTENTION]);
    printf("FLOPs        %.4g forward, %.4g training per sample\n", c.flops, c.train_flops);
    printf("layers       %d with weights, %d branches at most\n", c.weight_layers, c.branches);
    return 0;
}
