package dev.tl.bundle;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a bundle staged beside its target in place: files tl did not write are carried over from the old directory,
 * the old directory is renamed aside, the staged one renamed in, the old one deleted. Readers only ever see a
 * whole bundle. Staging and old directories carry the writer's pid in their names ({@code .NAME.saving-PID-*},
 * {@code .NAME.old-PID-*}), so the next save or load repairs what a killed writer left: it finishes a swap that
 * died between its two renames, puts carried files back, and deletes what only tl wrote.
 */
final class BundleSwap {

    private static final Logger log = LoggerFactory.getLogger(BundleSwap.class);
    private static final String STAGING = "saving";
    private static final String OLD = "old";

    private BundleSwap() {
    }

    /** A new, empty staging directory beside {@code target}. */
    static Path stage(Path target) throws IOException {
        Files.createDirectories(target.getParent());
        return Files.createTempDirectory(target.getParent(), prefix(target, STAGING));
    }

    /**
     * Replaces {@code target} with the complete bundle in {@code staging}; the target's files that tl did not write
     * ({@code foreign}) move into the new bundle, a name tl uses itself moving aside to {@code NAME.kept-TIME}.
     */
    static void replace(Path staging, Path target, List<String> foreign) throws IOException {
        List<String> carried = new ArrayList<>();
        for (String name : foreign) {
            String kept = ModelBundle.OWN_FILES.contains(name) ? name + ".kept-" + Instant.now().getEpochSecond()
                    : name;
            move(target.resolve(name), staging.resolve(kept));
            carried.add(kept);
        }
        Path old = null;
        if (Files.exists(target)) {
            old = Files.createTempDirectory(target.getParent(), prefix(target, OLD));
            Files.delete(old);
            move(target, old);
        }
        try {
            move(staging, target);
        } catch (IOException e) {
            if (old != null) {
                move(old, target);
                for (String name : carried) {
                    move(staging.resolve(name), target.resolve(name));
                }
            }
            throw e;
        }
        if (old != null) {
            deleteOwnFiles(old);
        }
    }

    /** Gives up a staged bundle that was not put in place: carried files go back, tl's own are deleted. */
    static void abandon(Path staging, Path target) {
        try {
            if (Files.isDirectory(target)) {
                moveForeignBack(staging, target);
            }
            deleteOwnFiles(staging);
        } catch (IOException e) {
            log.warn("could not clean up {}: {}", staging, e.getMessage());
        }
    }

    /** Repairs what writers of {@code target} that are no longer running left beside it. */
    static void repair(Path target) {
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return;
        }
        List<Path> stagings = leftovers(target, STAGING);
        List<Path> olds = leftovers(target, OLD);
        try {
            if (!Files.exists(target)) {
                Optional<Path> old = olds.stream().findFirst();
                Optional<Path> staged = old.flatMap(o -> stagings.stream().filter(s -> pid(s) == pid(o)).findFirst());
                if (staged.isPresent()) {
                    log.warn("finishing the bundle save that a killed tl left half done: {} becomes {}",
                            staged.get().getFileName(), target);
                    move(staged.get(), target);
                    stagings.remove(staged.get());
                } else if (old.isPresent()) {
                    log.warn("restoring the bundle a killed tl had moved aside: {} becomes {}",
                            old.get().getFileName(), target);
                    move(old.get(), target);
                    olds.remove(old.get());
                }
            }
            for (Path staging : stagings) {
                if (Files.isDirectory(target)) {
                    moveForeignBack(staging, target);
                }
                deleteOwnFiles(staging);
            }
            for (Path old : olds) {
                deleteOwnFiles(old);
            }
        } catch (IOException e) {
            log.warn("could not repair what an interrupted save left beside {}: {}", target, e.getMessage());
        }
    }

    private static String prefix(Path target, String kind) {
        return "." + target.getFileName() + "." + kind + "-" + ProcessHandle.current().pid() + "-";
    }

    /** Staging or old directories of {@code target} whose writer is not running. */
    private static List<Path> leftovers(Path target, String kind) {
        List<Path> found = new ArrayList<>();
        String glob = "." + target.getFileName() + "." + kind + "-*";
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(target.getParent(), glob)) {
            for (Path entry : entries) {
                long pid = pid(entry);
                if (Files.isDirectory(entry) && pid > 0 && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
                    found.add(entry);
                }
            }
        } catch (IOException e) {
            log.debug("cannot list {}: {}", target.getParent(), e.getMessage());
        }
        return found;
    }

    private static final Pattern PID = Pattern.compile("\\.(?:" + STAGING + "|" + OLD + ")-(\\d+)-");

    private static long pid(Path leftover) {
        Matcher matcher = PID.matcher(leftover.getFileName().toString());
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }

    /** Files tl did not write that a killed save had already carried into its staging directory. */
    private static void moveForeignBack(Path staging, Path target) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(staging)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!ModelBundle.OWN_FILES.contains(name) && !Files.exists(target.resolve(name))) {
                    log.warn("moving {} back into {}, where an interrupted save had taken it from", name, target);
                    move(entry, target.resolve(name));
                }
            }
        }
    }

    /** Deletes tl's own files from {@code dir}, then {@code dir} if that emptied it; anything else stays. */
    private static void deleteOwnFiles(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (ModelBundle.OWN_FILES.contains(entry.getFileName().toString()) && Files.isRegularFile(entry)) {
                    Files.delete(entry);
                }
            }
        }
        try (DirectoryStream<Path> rest = Files.newDirectoryStream(dir)) {
            if (rest.iterator().hasNext()) {
                log.warn("left {} in place: it holds files tl did not write", dir);
                return;
            }
        }
        Files.delete(dir);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }
}
