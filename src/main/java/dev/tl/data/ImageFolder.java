package dev.tl.data;

import dev.tl.TlException;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the class-per-folder layout of Keras' {@code image_dataset_from_directory}: every sub-folder of the root is a
 * class (sorted by name), every image file below it (recursively) is one example. Hidden files and folders (name
 * starting with a dot) are skipped, here, by the other {@link LabelSource}s and by {@code tl predict}, and so are
 * the folders tl writes (a model bundle, a checkpoint), which may sit inside the data. Symbolic links are followed,
 * except a link back up to a folder above (a loop) or into another class's folder: an image is never labelled from
 * a path through another class's folder, and is listed once however many links lead to it.
 */
public final class ImageFolder implements LabelSource {

    private static final Logger log = LoggerFactory.getLogger(ImageFolder.class);
    private static final List<String> IMAGE_EXTENSIONS = List.of("jpg", "jpeg", "png", "bmp", "gif");
    /** For messages. */
    static final String EXTENSIONS = String.join(", ", IMAGE_EXTENSIONS);
    /** The files that make a folder one tl wrote: a model bundle's metadata, a run's checkpoint. */
    public static final List<String> TL_FOLDER_MARKERS = List.of("tl-model.json", "checkpoint.zip");

    ImageFolder() {
    }

    public static boolean isImageFile(Path path) {
        return isImageName(path.getFileName().toString());
    }

    /** Whether a file of this name is an image tl reads (not hidden, a known extension), on any file system. */
    public static boolean isImageName(String name) {
        int dot = name.lastIndexOf('.');
        return !name.startsWith(".") && dot > 0
                && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    @Override
    public List<Entry> entries(Path root, String flag) {
        requireDirectory(root, flag);
        Map<Path, Path> classDirs = listClassDirs(root, flag);
        if (classDirs.isEmpty()) {
            throw new TlException(flag + ": no class folders in " + root
                    + " (expected one sub-folder of images per class)");
        }
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<Path, Path> dir : classDirs.entrySet()) {
            List<Path> otherClasses = classDirs.values().stream().filter(real -> !real.equals(dir.getValue()))
                    .toList();
            List<Path> files = listImages(dir.getKey(), flag, otherClasses);
            if (files.isEmpty()) {
                throw new TlException(flag + ": class folder has no images (" + EXTENSIONS + "): " + dir.getKey());
            }
            String className = dir.getKey().getFileName().toString();
            files.forEach(file -> entries.add(new Entry(file, className, file.toString())));
        }
        log.debug("{}: {} images in {} classes under {}", flag, entries.size(), classDirs.size(), root);
        return entries;
    }

    @Override
    public String description() {
        return "folders";
    }

    static void requireDirectory(Path root, String flag) {
        if (!Files.isDirectory(root)) {
            throw new TlException(flag + ": not a directory: " + root);
        }
    }

    /** Image files below {@code dir}, recursively, sorted (see the class comment for what is left out). */
    public static List<Path> listImages(Path dir, String flag) {
        return listImages(dir, flag, List.of());
    }

    /** The same, leaving out what leads into the folders {@code elsewhere} (real paths: other classes). */
    private static List<Path> listImages(Path dir, String flag, List<Path> elsewhere) {
        Walk walk;
        try {
            walk = new Walk(dir, dir.toRealPath(), flag, elsewhere);
            Files.walkFileTree(dir, Set.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, walk);
        } catch (IOException e) {
            throw new TlException(flag + ": cannot list " + dir + ": " + ImageProbe.describe(e), e);
        }
        return walk.images.values().stream().sorted().toList();
    }

    /** One listing: where each folder really is, so links are followed only where they may lead. */
    private static final class Walk extends SimpleFileVisitor<Path> {

        private final Path dir;
        private final Path start;
        private final String flag;
        private final List<Path> elsewhere;
        /** Each image file found, by its real path: the first of its paths in name order. */
        final Map<Path, Path> images = new HashMap<>();
        private final Deque<Path> realFolders = new ArrayDeque<>();
        private int duplicates;

        Walk(Path dir, Path start, String flag, List<Path> elsewhere) {
            this.dir = dir;
            this.start = start;
            this.flag = flag;
            this.elsewhere = elsewhere;
        }

        @Override
        public FileVisitResult preVisitDirectory(Path folder, BasicFileAttributes attributes) throws IOException {
            if (!folder.equals(dir)) {
                if (folder.getFileName().toString().startsWith(".")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                String written = tlOutput(folder);
                if (written != null) {
                    log.info("{}: not reading {} as images: it holds {}", flag, folder, written);
                    return FileVisitResult.SKIP_SUBTREE;
                }
            }
            Path real = folder.toRealPath();
            if (!folder.equals(dir) && start.startsWith(real)) {
                log.warn("{}: not following {}: it links back up to {}, a folder above it", flag, folder, real);
                return FileVisitResult.SKIP_SUBTREE;
            }
            Path other = inside(real);
            if (other != null) {
                log.warn("{}: not reading {}: it leads into {}, the folder of another class", flag, folder, other);
                return FileVisitResult.SKIP_SUBTREE;
            }
            realFolders.push(real);
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path folder, IOException e) throws IOException {
            realFolders.pop();
            if (folder.equals(dir) && duplicates > 0) {
                log.warn("{}: below {}, {} reached by more than one path (links); each is read once", flag, dir,
                        duplicates == 1 ? "1 image file is" : duplicates + " image files are");
            }
            return super.postVisitDirectory(folder, e);
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
            if (!attributes.isRegularFile() || !isImageFile(file)) {
                return FileVisitResult.CONTINUE;
            }
            boolean link = Files.isSymbolicLink(file);
            Path real = link ? file.toRealPath() : realFolders.element().resolve(file.getFileName());
            Path other = link ? inside(real) : null;
            if (other != null) {
                log.warn("{}: not reading {}: it links into {}, the folder of another class", flag, file, other);
            } else {
                Path listed = images.putIfAbsent(real, file);
                if (listed != null) {
                    duplicates++;
                    if (file.compareTo(listed) < 0) {
                        images.put(real, file);
                    }
                }
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof FileSystemLoopException) {
                log.warn("{}: not following {}: it links back up to a folder above it", flag, file);
                return FileVisitResult.CONTINUE;
            }
            throw e;
        }

        /** The other class folder that {@code real} is in, or null. */
        private Path inside(Path real) {
            return elsewhere.stream().filter(real::startsWith).findFirst().orElse(null);
        }
    }

    /** What tl wrote in {@code dir} ("a tl model bundle (tl-model.json)"), which makes it no data; or null. */
    static String tlOutput(Path dir) {
        return TL_FOLDER_MARKERS.stream().filter(marker -> Files.isRegularFile(dir.resolve(marker))).findFirst()
                .map(marker -> (marker.equals(TL_FOLDER_MARKERS.get(0)) ? "a tl model bundle" : "a tl checkpoint")
                        + " (" + marker + ")")
                .orElse(null);
    }

    /**
     * The class folders of {@code root} in name order, each with its real path. Left out, each named: folders tl
     * wrote, a link back up to the root or above, and a link into another class's folder.
     */
    private static Map<Path, Path> listClassDirs(Path root, String flag) {
        List<Path> candidates;
        Path realRoot;
        try (Stream<Path> entries = Files.list(root)) {
            candidates = entries.filter(Files::isDirectory)
                    .filter(path -> !path.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
            realRoot = root.toRealPath();
        } catch (IOException e) {
            throw new TlException(flag + ": cannot list " + root + ": " + e.getMessage(), e);
        }
        Map<Path, Path> real = new LinkedHashMap<>();
        // Folders first, then links: a link into a class folder is the one left out.
        List<Path> ordered = Stream.concat(candidates.stream().filter(dir -> !Files.isSymbolicLink(dir)),
                candidates.stream().filter(Files::isSymbolicLink)).toList();
        for (Path dir : ordered) {
            String written = tlOutput(dir);
            if (written != null) {
                log.info("{}: not reading {} as a class: it holds {}", flag, dir, written);
                continue;
            }
            Path realDir;
            try {
                realDir = dir.toRealPath();
            } catch (IOException e) {
                throw new TlException(flag + ": cannot read " + dir + ": " + e.getMessage(), e);
            }
            Path other = real.entrySet().stream().filter(kept -> realDir.startsWith(kept.getValue()))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
            if (realRoot.startsWith(realDir)) {
                log.warn("{}: not reading {} as a class: it links back up to {}, a folder above it", flag, dir,
                        realDir);
            } else if (other != null) {
                log.warn("{}: not reading {} as a class: it leads into {}, the folder of class {}", flag, dir,
                        realDir, other.getFileName());
            } else {
                real.put(dir, realDir);
            }
        }
        Map<Path, Path> sorted = new TreeMap<>(real);
        return new LinkedHashMap<>(sorted);
    }
}
