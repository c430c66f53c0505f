package dev.tl.data;

import dev.tl.TlException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** Images without labels (label -1): files as given, directories searched for images, as predict and embed take. */
public final class UnlabelledImages {

    private UnlabelledImages() {
    }

    /**
     * Every image file found, in order (paths as given, or below a directory given), with why each one that cannot
     * be used is left out (null for the usable ones).
     */
    public record Listing(List<Path> files, List<ImageCheck.Skipped> checks) {

        /** The usable images, in order. */
        public List<LabelledImage> usable() {
            return IntStream.range(0, files.size()).filter(i -> checks.get(i) == null)
                    .mapToObj(i -> new LabelledImage(files.get(i), -1)).toList();
        }
    }

    /**
     * Files as given; directories expanded to the image files below them as training reads folders (sorted, hidden
     * folders left out, links followed). A file that cannot be used is skipped with a warning naming it (with
     * {@code --strict}: an error); none usable at all is an error.
     */
    public static Listing of(List<Path> paths, ImageCheck check) {
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
        List<ImageCheck.Skipped> checks = files.stream().map(check::check).toList();
        if (checks.stream().allMatch(Objects::nonNull)) {
            throw new TlException("none of the " + files.size() + " image files in " + paths + " can be read");
        }
        return new Listing(List.copyOf(files), Collections.unmodifiableList(new ArrayList<>(checks)));
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
