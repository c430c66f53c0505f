package dev.tl.eval;

/** Precision, recall and F1 of one class (0 where undefined, as scikit-learn's zero_division=0), and its support. */
public record ClassMetrics(String name, double precision, double recall, double f1, int support) {
}
