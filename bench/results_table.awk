# results_table.awk — turn results.tsv (workload, config, rep, key, value;
# tab-separated) into one Markdown table: a row per metric, a column per
# configuration (in the order given by -v order="a b c"), each cell the
# median over the runs and its ratio to the "boehm" column.
#
# Cells: "—" the configuration does not run that workload; "n/a" it runs it
# but has no such number (e.g. malloc has no full collection); "FAIL" a run
# failed its verification or crashed; "not built" the binary is missing.
# Portable awk (mawk): no asort, so medians use an insertion sort.

function add_row(w, k, label, unit, scale, better) {
  nrows++
  row_w[nrows] = w; row_k[nrows] = k; row_label[nrows] = label
  row_unit[nrows] = unit; row_scale[nrows] = scale; row_better[nrows] = better
}

BEGIN {
  FS = "\t"
  gsub(/^ +| +$/, "", order)
  ncfg = split(order, cfg, / +/)
  # workload key label unit scale better(lower|higher)
  add_row("gcbench", "time_s", "GCBench time", "s", 1, "lower")
  add_row("gcbench", "cpu_s", "GCBench CPU time, incl. verification", "s", 1, "lower")
  add_row("gcbench", "rss_kb", "GCBench peak RSS", "MiB", 1 / 1024, "lower")
  add_row("gcbench", "gcs", "GCBench: collections", "", 1, "")
  add_row("pause", "time_s", "Pause: total time", "s", 1, "lower")
  add_row("pause", "cpu_s", "Pause: CPU time", "s", 1, "lower")
  add_row("pause", "worst_us", "Pause: worst step", "ms", 1 / 1000, "lower")
  add_row("pause", "p999_us", "Pause: p99.9 step", "µs", 1, "lower")
  add_row("pause", "p99_us", "Pause: p99 step", "µs", 1, "lower")
  add_row("pause", "mmu10ms", "Pause: MMU at 10 ms, from step times", "", 1, "higher")
  add_row("pause", "gc_mmu10ms", "Pause: MMU at 10 ms, collector's own", "", 1, "higher")
  add_row("pause", "gcs", "Pause: collections", "", 1, "")
  add_row("pause", "gc_pause_max_us", "Pause: longest pause, collector's own", "ms", 1 / 1000, "lower")
  add_row("pause", "rss_kb", "Pause: peak RSS", "MiB", 1 / 1024, "lower")
  add_row("mark", "rate_mib_s", "Mark rate, random graph", "MiB/s", 1, "higher")
  add_row("mark", "gc_ms", "Mark: full collection", "ms", 1, "lower")
  add_row("mark", "rss_kb", "Mark: peak RSS", "MiB", 1 / 1024, "lower")
  add_row("alloc", "ir_per_alloc", "Alloc: instructions / 32 B alloc", "Ir", 1, "lower")
  add_row("alloc", "ns_per_alloc", "Alloc: time / 32 B alloc", "ns", 1, "lower")
}

{
  w = $1; c = $2; k = $4; v = $5
  ran[w, c] = 1
  if (k == "status") { status[w, c] = v; next }
  n = ++count[w, c, k]
  val[w, c, k, n] = v + 0
}

function median(w, c, k,    n, i, j, t, a) {
  n = count[w, c, k]
  for (i = 1; i <= n; i++) a[i] = val[w, c, k, i]
  for (i = 2; i <= n; i++) {
    t = a[i]
    for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
    a[j + 1] = t
  }
  if (n % 2) return a[(n + 1) / 2]
  return (a[n / 2] + a[n / 2 + 1]) / 2
}

function fmt(x) {
  if (x == int(x) && x < 1e6 && x > -1e6) return sprintf("%d", x)
  if (x >= 100 || x <= -100) return sprintf("%.0f", x)
  if (x >= 10 || x <= -10) return sprintf("%.1f", x)
  if (x >= 1 || x <= -1) return sprintf("%.2f", x)
  return sprintf("%.3g", x)
}

function cell(r, c,    w, k, m, b) {
  w = row_w[r]; k = row_k[r]
  if (status[w, c] == "fail") return "FAIL"
  if (status[w, c] == "missing") return "not built"
  if (!((w, c) in ran)) return "—"
  if (status[w, c] == "na" || count[w, c, k] == 0) return "n/a"
  m = median(w, c, k) * row_scale[r]
  if (c == "boehm" || count[w, "boehm", k] == 0 || row_better[r] == "") return fmt(m)
  b = median(w, "boehm", k) * row_scale[r]
  if (b == 0) return fmt(m)
  return fmt(m) " (" sprintf(m / b < 0.1 ? "%.3f" : "%.2f", m / b) "×)"
}

END {
  line = "| metric | better |"
  sep = "|---|---|"
  for (i = 1; i <= ncfg; i++) { line = line " " cfg[i] " |"; sep = sep "---:|" }
  print line
  print sep
  for (r = 1; r <= nrows; r++) {
    shown = 0
    for (i = 1; i <= ncfg; i++) if ((row_w[r], cfg[i]) in ran) shown = 1
    if (!shown) continue
    unit = row_unit[r] == "" ? "" : " (" row_unit[r] ")"
    line = "| " row_label[r] unit " | " row_better[r] " |"
    for (i = 1; i <= ncfg; i++) line = line " " cell(r, cfg[i]) " |"
    print line
  }
  print ""
  print "Cells: median (ratio to the boehm column). —: not run in that configuration; n/a: no such number."
}
