package dev.tl.data;

import dev.tl.TlException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Images without labels (label -1): files as given, directories searched for images, as predict and embed take. */
public final class UnlabelledImages {

    private UnlabelledImages() {
    }

    /** Files as given, directories expanded to the image files below them, sorted; never none. */
    public static List<LabeledImage> of(List<Path> paths) {
        List<LabeledImage> images = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                ImageFolder.listImages(path, path.toString()).forEach(file -> images.add(new LabeledImage(file, -1)));
            } else if (Files.isRegularFile(path)) {
                images.add(new LabeledImage(path, -1));
            } else {
                throw new TlException("no such image or directory: " + path);
            }
        }
        if (images.isEmpty()) {
            throw new TlException("no images (" + ImageFolder.EXTENSIONS + ") found in " + paths);
        }
        return images;
    }

    /** Whether {@code dir} holds images but no class folders: a flat folder of images to label nothing in. */
    public static boolean isFlatFolder(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> all = entries.filter(entry -> !entry.getFileName().toString().startsWith(".")).toList();
            return all.stream().noneMatch(Files::isDirectory) && all.stream().anyMatch(ImageFolder::isImageFile);
        } catch (IOException | UncheckedIOException e) {
            return false; // not a readable directory: the labelled scan reports it
        }
    }
}
