package dev.tl.export;

import dev.tl.TlException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/** The formats {@code tl export} writes, by the name {@code --format} takes, and the file name each needs. */
public enum ExportFormat {
    ONNX(".onnx");

    private final String extension;

    ExportFormat(String extension) {
        this.extension = extension;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ExportFormat parse(String id) {
        return Arrays.stream(values()).filter(format -> format.id().equals(id.trim().toLowerCase(Locale.ROOT)))
                .findFirst()
                .orElseThrow(() -> new TlException("unknown format '" + id + "'; tl exports "
                        + Arrays.stream(values()).map(ExportFormat::id).toList()));
    }

    /** Checks, before any work, that the model can be written to {@code out}; returns it absolute. */
    public Path checkOutput(Path out) {
        Path target = out.toAbsolutePath().normalize();
        if (!target.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(extension)) {
            throw new TlException(id() + " models go to a " + extension + " file, not " + out);
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
