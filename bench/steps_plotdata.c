/*
 * steps_plotdata.c — turn a pause run's per-step times (one ns value per
 * line, '#' comments allowed; written by `pause -o`) into the two data
 * files scripts/bench-plot.sh draws:
 *
 *   OUT.ccdf  "step_us fraction": the fraction of steps that took at least
 *             step_us, at about 40 quantiles per decade down to 1/n, so
 *             the tail (where pauses live) is fully resolved;
 *   OUT.mmu   "window_ms mmu": minimum mutator utilization for windows
 *             from 0.1 ms up to the whole run, 20 per decade (model in
 *             step_stats.h).
 *
 * Usage: steps_plotdata STEPS_FILE OUT_PREFIX
 */
#include "step_stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void die(const char *what, const char *path) {
  fprintf(stderr, "steps_plotdata: %s %s\n", what, path);
  exit(1);
}

static uint64_t *read_steps(const char *path, size_t *n) {
  FILE *f = fopen(path, "r");
  if (!f)
    die("cannot read", path);
  size_t cap = 1 << 20, len = 0;
  uint64_t *v = malloc(cap * sizeof *v);
  char line[128];
  while (v && fgets(line, sizeof line, f)) {
    if (line[0] == '#' || line[0] == '\n')
      continue;
    if (len == cap) {
      cap *= 2;
      uint64_t *nv = realloc(v, cap * sizeof *v);
      if (!nv)
        free(v);
      v = nv;
      if (!v)
        break;
    }
    v[len++] = strtoull(line, NULL, 10);
  }
  fclose(f);
  if (!v)
    die("out of memory reading", path);
  if (len == 0)
    die("no steps in", path);
  *n = len;
  return v;
}

static FILE *open_out(const char *prefix, const char *suffix) {
  char path[4096];
  snprintf(path, sizeof path, "%s.%s", prefix, suffix);
  FILE *f = fopen(path, "w");
  if (!f)
    die("cannot write", path);
  return f;
}

static void write_ccdf(const uint64_t *sorted, size_t n, const char *prefix) {
  FILE *f = open_out(prefix, "ccdf");
  fprintf(f, "# step_us fraction_of_steps_at_least_this_long\n");
  double decades = log10((double)n);
  for (int i = 0; i <= (int)(decades * 40); i++) {
    double frac = pow(10.0, -(double)i / 40.0);
    size_t above = (size_t)ceil(frac * (double)n); /* steps at or above */
    if (above < 1)
      above = 1;
    fprintf(f, "%.4f %.3e\n", (double)sorted[n - above] / 1e3,
            (double)above / (double)n);
  }
  fprintf(f, "%.4f %.3e\n", (double)sorted[n - 1] / 1e3, 1.0 / (double)n);
  fclose(f);
}

static void write_mmu(const uint64_t *steps, uint64_t median, size_t n,
                      const char *prefix) {
  mmu_timeline t;
  if (mmu_build(&t, steps, n, median) != 0)
    die("out of memory for", prefix);
  FILE *f = open_out(prefix, "mmu");
  fprintf(f, "# window_ms mmu (loss = step time beyond the median %.3f us)\n",
          (double)median / 1e3);
  for (int i = 0;; i++) {
    double ms = 0.1 * pow(10.0, (double)i / 20.0);
    uint64_t w = (uint64_t)(ms * 1e6);
    if (w >= t.total_ns) {
      fprintf(f, "%.4f %.4f\n", (double)t.total_ns / 1e6, mmu_at(&t, t.total_ns));
      break;
    }
    fprintf(f, "%.4f %.4f\n", ms, mmu_at(&t, w));
  }
  fclose(f);
  mmu_free(&t);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: steps_plotdata STEPS_FILE OUT_PREFIX\n");
    return 2;
  }
  size_t n;
  uint64_t *steps = read_steps(argv[1], &n);
  uint64_t *sorted = malloc(n * sizeof *sorted);
  if (!sorted)
    die("out of memory for", argv[1]);
  steps_sort(steps, n, sorted);
  write_ccdf(sorted, n, argv[2]);
  write_mmu(steps, steps_percentile(sorted, n, 50), n, argv[2]);
  free(sorted);
  free(steps);
  return 0;
}
