package dev.tl.bundle;

import dev.tl.Json;
import dev.tl.TlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What is at the place a bundle is about to be saved, and whether saving there may replace it: tl replaces only
 * what it wrote. A directory is a bundle only if its {@code tl-model.json} reads as one; a file tl did not write
 * is never deleted — a save that would replace such files is refused unless the caller allows it, and then they
 * are carried over into the new bundle.
 *
 * @param bundle  the metadata of the bundle there, or null
 * @param foreign the entries there that tl did not write (file names)
 */
record BundleTarget(Path path, boolean exists, BundleMetadata bundle, List<String> foreign) {

    static BundleTarget inspect(Path target) {
        if (target.getParent() == null) {
            throw new TlException(target + " cannot hold a bundle (choose a directory below it)");
        }
        if (Files.isRegularFile(target)) {
            throw new TlException(target + " is a file, not a directory");
        }
        requireNotAroundWorkingDirectory(target);
        if (!Files.isDirectory(target)) {
            return new BundleTarget(target, false, null, List.of());
        }
        BundleMetadata bundle = readMetadata(target);
        try (Stream<Path> entries = Files.list(target)) {
            List<String> foreign = entries.map(entry -> entry.getFileName().toString())
                    .filter(name -> bundle == null || !ModelBundle.OWN_FILES.contains(name)).sorted().toList();
            return new BundleTarget(target, true, bundle, foreign);
        } catch (IOException e) {
            throw new TlException("cannot read " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * A save replaces the target directory as a whole (renamed aside, then deleted), which would pull the working
     * directory from under the shell that started tl: the target may not be it, nor hold it.
     */
    private static void requireNotAroundWorkingDirectory(Path target) {
        if (!Files.isDirectory(target)) {
            return;
        }
        try {
            Path workingDirectory = Path.of("").toRealPath();
            Path real = target.toRealPath();
            if (workingDirectory.startsWith(real)) {
                throw new TlException(target + (workingDirectory.equals(real) ? " is the working directory"
                        : " holds the working directory " + workingDirectory) + ", which saving a bundle there would "
                        + "replace as a whole; choose a directory below it, such as " + real.resolve("tl-model"));
            }
        } catch (IOException e) {
            throw new TlException("cannot read " + target + ": " + e.getMessage(), e);
        }
    }

    /** Null where there is no {@code tl-model.json} or it is not a bundle's. */
    private static BundleMetadata readMetadata(Path dir) {
        Path file = dir.resolve(ModelBundle.METADATA_FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            BundleMetadata metadata = Json.MAPPER.readValue(file.toFile(), BundleMetadata.class);
            boolean complete = metadata.formatVersion() >= 1 && metadata.modelFile() != null
                    && metadata.classes() != null && !metadata.classes().isEmpty() && metadata.inputs() != null;
            return complete ? metadata : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Refuses, naming the files, a save that would replace files tl did not write, unless {@code carryOver}
     * (they are then moved into the new bundle, never deleted).
     */
    void requireReplaceable(boolean carryOver) {
        if (foreign.isEmpty() || carryOver) {
            return;
        }
        String what = bundle == null ? path + " is not a tl model bundle, and holds " + describe(foreign)
                : path + " is a tl model bundle, but also holds files tl did not write: " + describe(foreign);
        throw new ModelBundle.NotReplaceable(what + "; choose an empty or new directory, or let tl save there and keep "
                + "those files in the new bundle");
    }

    /** Where a replaced bundle came from, for a log line; null when nothing is replaced. */
    String replacing() {
        if (bundle == null) {
            return null;
        }
        String backbones = bundle.inputs().stream().map(BundleMetadata.Input::backbone).toList().toString();
        return path + " (" + backbones + ", " + bundle.classes().size() + " classes, saved " + bundle.createdAt() + ")";
    }

    private static String describe(List<String> names) {
        return names.size() <= 5 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 5)) + " and " + (names.size() - 5) + " more";
    }
}
