package io.nexslice.dynamicslicing.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Latency samples in milliseconds, with nearest-rank percentiles. */
final class Stats {
  private final List<Double> samples = new ArrayList<>();

  synchronized void add(double ms) {
    samples.add(ms);
  }

  synchronized double mean() {
    return samples.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  synchronized double percentile(double p) {
    if (samples.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

}
