package dev.tl.data;

import dev.tl.TlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the class-per-folder layout of Keras' {@code image_dataset_from_directory}: every sub-folder of the root is a
 * class (sorted by name), every image file below it (recursively) is one example.
 */
public final class ImageFolder {

    private static final Logger log = LoggerFactory.getLogger(ImageFolder.class);
    private static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif");

    private ImageFolder() {
    }

    public static boolean isImageFile(Path path) {
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return !name.startsWith(".") && dot > 0
                && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** Scans {@code root}; {@code flag} names the option it came from, for error messages. */
    public static ImageSet scan(Path root, String flag) {
        if (!Files.isDirectory(root)) {
            throw new TlException(flag + ": not a directory: " + root);
        }
        List<Path> classDirs = listClassDirs(root, flag);
        if (classDirs.isEmpty()) {
            throw new TlException(flag + ": no class folders in " + root
                    + " (expected one sub-folder of images per class)");
        }
        List<String> classes = new ArrayList<>();
        List<LabeledImage> images = new ArrayList<>();
        for (Path dir : classDirs) {
            int label = classes.size();
            classes.add(dir.getFileName().toString());
            List<Path> files = listImages(dir, flag);
            if (files.isEmpty()) {
                throw new TlException(flag + ": class folder has no images (jpg, jpeg, png, bmp, gif): " + dir);
            }
            files.forEach(file -> images.add(new LabeledImage(file, label)));
        }
        log.debug("{}: {} images in {} classes under {}", flag, images.size(), classes.size(), root);
        return new ImageSet(classes, images);
    }

    /** Re-labels a scanned set with the class order of a trained model; unknown class folders are an error. */
    public static ImageSet scanWithClasses(Path root, String flag, List<String> modelClasses) {
        ImageSet scanned = scan(root, flag);
        List<LabeledImage> relabeled = new ArrayList<>();
        for (LabeledImage image : scanned.images()) {
            String name = scanned.classes().get(image.label());
            int label = modelClasses.indexOf(name);
            if (label < 0) {
                throw new TlException(flag + ": class folder '" + name + "' in " + root
                        + " is not one of the model's classes " + modelClasses);
            }
            relabeled.add(new LabeledImage(image.path(), label));
        }
        return new ImageSet(modelClasses, relabeled);
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

    private static List<Path> listImages(Path dir, String flag) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(ImageFolder::isImageFile).sorted().toList();
        } catch (IOException e) {
            throw new TlException(flag + ": cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
