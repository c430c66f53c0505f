package dev.tl;

import java.awt.image.RenderedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Writes a file so that readers (and a crash) only ever see the old file or the whole new one: the content goes to a
 * temporary file beside the target, which is then renamed over it.
 */
public final class AtomicFiles {

    /** Writes a file's content to {@code stream} (which the caller closes). */
    public interface Content {
        void writeTo(OutputStream stream) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Replaces {@code target} with {@code text} in UTF-8, as {@link #write} does. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, stream -> stream.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Replaces {@code target} with {@code image} as a PNG, as {@link #write} does; errors name the file. */
    public static void writePng(Path target, RenderedImage image) {
        try {
            write(target, stream -> ImageIO.write(image, "png", stream));
        } catch (IOException e) {
            throw new TlException("cannot write " + target.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The regular files in {@code directory} whose names match {@code names}, and the temporary files that writes of
     * such files left when killed ({@link #write}'s ".NAME....tmp"), sorted; none without the directory. What a cache
     * written this way holds, and nothing else a user keeps there.
     */
    public static List<Path> filesNamed(Path directory, String names) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        Pattern own = Pattern.compile("(?:" + names + ")|\\.(?:" + names + ").*\\.tmp");
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(Files::isRegularFile)
                    .filter(file -> own.matcher(file.getFileName().toString()).matches()).sorted().toList();
        }
    }

    /** Replaces {@code target} with {@code content}; on failure the target is untouched and no temporary remains. */
    public static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path temp = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".tmp");
        try {
            // Temporary files are created private (0600); the result should get a normal file's permissions.
            if (temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            try (OutputStream stream = Files.newOutputStream(temp)) {
                content.writeTo(stream);
            }
            Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
