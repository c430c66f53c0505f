package dev.tl.cli;

import dev.tl.TlException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Names the flag behind a domain error. Library code says what is wrong with a value ("unknown backbone 'x'");
 * the command that passed the value on knows which flag it came from.
 */
final class Flags {

    private Flags() {
    }

    /** {@code call}'s result; a {@link TlException} it throws comes back prefixed with {@code flag}. */
    static <T> T about(String flag, Supplier<T> call) {
        try {
            return call.get();
        } catch (TlException e) {
            throw new TlException(flag + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code check}; a {@link TlException} it throws comes back prefixed with {@code flag}. */
    static void check(String flag, Runnable check) {
        about(flag, () -> {
            check.run();
            return flag;
        });
    }

    /** An error "flag: problem" unless {@code holds}. */
    static void require(boolean holds, String flag, String problem) {
        if (!holds) {
            throw new TlException(flag + ": " + problem);
        }
    }

    /** A file to write: its name must end in {@code extension} (what it holds: {@code what}), its directory exist. */
    static void outputFile(String flag, Path file, String extension, String what) {
        require(file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(extension), flag,
                "writes " + what + "; give a name ending in " + extension + ", not " + file.getFileName());
        Path dir = file.toAbsolutePath().getParent();
        require(Files.isDirectory(dir), flag, "directory " + dir + " does not exist");
    }

    /** Options given together that exclude each other (picocli's exclusive groups ignore config-file values). */
    static void exclusive(String first, boolean firstGiven, String second, boolean secondGiven) {
        if (firstGiven && secondGiven) {
            throw new TlException(first + " and " + second + " exclude each other");
        }
    }
}
