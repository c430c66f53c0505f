package dev.tl.zoo;

/** A vertex output while a network is being built: its vertex name and its shape (channels, height, width). */
public record FeatureMap(String name, int channels, int height, int width) {
}
