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

    /**
     * Files as given; directories expanded to the image files below them as training reads folders (sorted, hidden
     * folders left out, links followed). A file that cannot be used is skipped with a warning naming it (with
     * {@code --strict}: an error); none usable at all is an error.
     */
    public static List<LabeledImage> of(List<Path> paths, ImageCheck check) {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                files.addAll(ImageFolder.listImages(path, path.toString()));
            } else if (Files.isRegularFile(path)) {
                files.add(path);
            } else {
                throw new TlException("no such image or directory: " + path);
            }
        }
        if (files.isEmpty()) {
            throw new TlException("no images (" + ImageFolder.EXTENSIONS + ") found in " + paths);
        }
        List<LabeledImage> images = files.stream().filter(check::usable).map(f -> new LabeledImage(f, -1)).toList();
        if (images.isEmpty()) {
            throw new TlException("none of the " + files.size() + " image files in " + paths + " can be read");
        }
        return images;
    }

    /**
     * Whether {@code dir} holds images but no class folders (folders tl wrote are none): a flat folder of images to
     * label nothing in.
     */
    public static boolean isFlatFolder(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> all = entries.filter(entry -> !entry.getFileName().toString().startsWith(".")).toList();
            return all.stream().noneMatch(entry -> Files.isDirectory(entry) && ImageFolder.tlOutput(entry) == null)
                    && all.stream().anyMatch(ImageFolder::isImageFile);
        } catch (IOException | UncheckedIOException e) {
            return false; // not a readable directory: the labelled scan reports it
        }
    }
}
