package io.nexslice.dynamicslicing.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.DoubleFunction;

/** Several samples of one measurement: their median, min and max, as the benchmark table prints them. */
record Spread(List<Double> samples) {
  Spread {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("no samples");
    }
    samples = List.copyOf(samples);
  }

  double median() {
    List<Double> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  double min() {
    return Collections.min(samples);
  }

  double max() {
    return Collections.max(samples);
  }

  /** "median [min-max]", each value formatted by {@code format}. */
  String show(DoubleFunction<String> format) {
    return samples.size() == 1 ? format.apply(median())
        : format.apply(median()) + " [" + format.apply(min()) + "-" + format.apply(max()) + "]";
  }
}
