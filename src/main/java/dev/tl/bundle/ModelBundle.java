package dev.tl.bundle;

import dev.tl.Json;
import dev.tl.TlException;
import dev.tl.model.Classifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A trained model on disk: a directory holding the DL4J model file and {@code tl-model.json}.
 * Saving writes a complete bundle beside the target and renames it into place, so the target directory is always
 * either the previous complete bundle or the new one, never a half-written mix.
 */
public final class ModelBundle {

    public static final String METADATA_FILE = "tl-model.json";
    public static final String MODEL_FILE = "model.zip";
    /** The held-out test images of {@code tl train --test-split}, as a labels CSV (path,label). */
    public static final String TEST_SET_FILE = "test-set.csv";

    /** A bundle read back from disk. */
    public record Loaded(Path directory, ComputationGraph graph, BundleMetadata metadata) {
        public Classifier classifier() {
            return new Classifier(graph, metadata.inputSpecs(), metadata.classes());
        }
    }

    private ModelBundle() {
    }

    /**
     * Saves the bundle with {@code extraFiles} (file name to text, e.g. a held-out test set) beside the model,
     * written into the staged bundle so they appear together with it or not at all.
     */
    public static void save(Path directory, ComputationGraph graph, BundleMetadata metadata,
                            Map<String, String> extraFiles) {
        Path target = directory.toAbsolutePath().normalize();
        extraFiles.keySet().forEach(ModelBundle::requirePlainExtraName);
        refuseToReplaceForeignDirectory(target);
        Path staging = null;
        try {
            Files.createDirectories(target.getParent());
            staging = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".saving-");
            makeReadable(staging, "rwxr-xr-x");
            ModelSerializer.writeModel(graph, staging.resolve(MODEL_FILE).toFile(), false);
            Files.writeString(staging.resolve(METADATA_FILE), Json.write(metadata), StandardCharsets.UTF_8);
            for (Map.Entry<String, String> file : extraFiles.entrySet()) {
                Files.writeString(staging.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
            }
            replace(staging, target);
            staging = null;
        } catch (IOException e) {
            throw new TlException("cannot write model bundle to " + target + ": " + e.getMessage(), e);
        } finally {
            if (staging != null) {
                deleteRecursively(staging);
            }
        }
    }

    private static void requirePlainExtraName(String name) {
        if (name.isEmpty() || name.startsWith(".") || name.contains("/") || name.contains("\\")
                || name.equals(MODEL_FILE) || name.equals(METADATA_FILE)) {
            throw new IllegalArgumentException("not a name for an extra bundle file: '" + name + "'");
        }
    }

    public static Loaded load(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new TlException("no model at " + dir + " (train one with: tl train ... --output "
                    + directory + ")");
        }
        Path metadataFile = dir.resolve(METADATA_FILE);
        if (!Files.isRegularFile(metadataFile)) {
            throw new TlException(dir + " is not a tl model bundle (no " + METADATA_FILE + ")");
        }
        BundleMetadata metadata;
        try {
            metadata = Json.MAPPER.readValue(metadataFile.toFile(), BundleMetadata.class);
        } catch (IOException e) {
            throw new TlException("cannot read " + metadataFile + ": " + e.getMessage(), e);
        }
        if (metadata.formatVersion() > BundleMetadata.FORMAT_VERSION) {
            throw new TlException(dir + " was written by a newer tl (bundle format "
                    + metadata.formatVersion() + "); upgrade tl to read it");
        }
        Path modelFile = dir.resolve(metadata.modelFile());
        try {
            return new Loaded(dir, ModelSerializer.restoreComputationGraph(modelFile.toFile(), false), metadata);
        } catch (IOException | RuntimeException e) {
            throw new TlException("cannot read model file " + modelFile + ": " + e.getMessage(), e);
        }
    }

    /** Temp files are created private (0600/0700); a bundle should get the usual permissions. */
    private static void makeReadable(Path path, String permissions) throws IOException {
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        }
    }

    private static void refuseToReplaceForeignDirectory(Path target) {
        if (Files.isRegularFile(target)) {
            throw new TlException(target + " is a file, not a directory");
        }
        if (Files.isDirectory(target) && !Files.exists(target.resolve(METADATA_FILE))) {
            try (Stream<Path> entries = Files.list(target)) {
                if (entries.findAny().isPresent()) {
                    throw new TlException(target + " exists and is not a tl model bundle; "
                            + "refusing to replace it (choose an empty or new directory)");
                }
            } catch (IOException e) {
                throw new TlException("cannot read " + target + ": " + e.getMessage(), e);
            }
        }
    }

    /** Swaps the staged bundle in; the old bundle is moved aside first and deleted only once the new one is in. */
    private static void replace(Path staging, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
            Files.delete(old);
            move(target, old);
        }
        try {
            move(staging, target);
        } catch (IOException e) {
            if (old != null) {
                move(old, target);
            }
            throw e;
        }
        if (old != null) {
            deleteRecursively(old);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteRecursively(Path path) {
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // leftovers are hidden (dot-prefixed) and harmless
        }
    }
}
