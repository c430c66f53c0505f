package dev.tl.model;

/** The classifier on top of the pooled features: optional Dense(ReLU) of {@code denseUnits}, then Dropout. */
public record HeadSpec(int denseUnits, double dropout) {
}
