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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the class-per-folder layout of Keras' {@code image_dataset_from_directory}: every sub-folder of the root is a
 * class (sorted by name), every image file below it (recursively) is one example. Hidden files and folders (name
 * starting with a dot) are skipped, here, by the other {@link LabelSource}s and by {@code tl predict}; symbolic
 * links are followed.
 */
public final class ImageFolder implements LabelSource {

    private static final Logger log = LoggerFactory.getLogger(ImageFolder.class);
    private static final List<String> IMAGE_EXTENSIONS = List.of("jpg", "jpeg", "png", "bmp", "gif");
    /** For messages. */
    static final String EXTENSIONS = String.join(", ", IMAGE_EXTENSIONS);

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
        List<Path> classDirs = listClassDirs(root, flag);
        if (classDirs.isEmpty()) {
            throw new TlException(flag + ": no class folders in " + root
                    + " (expected one sub-folder of images per class)");
        }
        List<Entry> entries = new ArrayList<>();
        for (Path dir : classDirs) {
            List<Path> files = listImages(dir, flag);
            if (files.isEmpty()) {
                throw new TlException(flag + ": class folder has no images (" + EXTENSIONS + "): " + dir);
            }
            String className = dir.getFileName().toString();
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

    /**
     * Image files below {@code dir}, recursively, sorted, outside hidden folders. Symbolic links are followed (a
     * class folder may be a link); a link back to a folder above it is reported once and not followed again.
     */
    public static List<Path> listImages(Path dir, String flag) {
        List<Path> images = new ArrayList<>();
        try {
            Files.walkFileTree(dir, Set.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path folder, BasicFileAttributes attributes) {
                    boolean hidden = !folder.equals(dir) && folder.getFileName().toString().startsWith(".");
                    return hidden ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile() && isImageFile(file)) {
                        images.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof FileSystemLoopException) {
                        log.warn("{}: not following {} again: it links back to a folder above it", flag, file);
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw new TlException(flag + ": cannot list " + dir + ": " + ImageProbe.describe(e), e);
        }
        images.sort(null);
        return images;
    }

    private static List<Path> listClassDirs(Path root, String flag) {
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(Files::isDirectory)
                    .filter(path -> !path.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new TlException(flag + ": cannot list " + root + ": " + e.getMessage(), e);
        }
    }
}
