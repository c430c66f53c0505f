package dev.tl.export;

import dev.tl.TlException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The formats {@code tl export} writes, each named as {@code --format} takes it (picocli matches it in any case),
 * and the file name each needs.
 */
public enum ExportFormat {
    onnx(".onnx");

    private final String extension;

    ExportFormat(String extension) {
        this.extension = extension;
    }

    /** Checks, before any work, that the model can be written to {@code out}; returns it absolute. */
    public Path checkOutput(Path out) {
        Path target = out.toAbsolutePath().normalize();
        if (!target.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(extension)) {
            throw new TlException(name() + " models go to a " + extension + " file, not " + out);
        }
        if (Files.isDirectory(target)) {
            throw new TlException(out + " is a directory");
        }
        if (!Files.isDirectory(target.getParent())) {
            throw new TlException("directory " + target.getParent() + " does not exist");
        }
        return target;
    }
}
