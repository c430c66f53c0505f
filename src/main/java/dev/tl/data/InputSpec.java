package dev.tl.data;

/** What one network input expects: square images of {@code imageSize} pixels, preprocessed with a mode. */
public record InputSpec(int imageSize, Preprocessing preprocessing) {
}
