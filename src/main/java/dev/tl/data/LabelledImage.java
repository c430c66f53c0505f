package dev.tl.data;

import java.nio.file.Path;

/** One image file and the index of its class. */
public record LabelledImage(Path path, int label) {
}
