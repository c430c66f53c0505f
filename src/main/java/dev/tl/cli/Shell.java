package dev.tl.cli;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** Quoting for the commands tl prints for the user to copy into a POSIX shell. */
final class Shell {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./:=+-]+");

    private Shell() {
    }

    static String quote(Path path) {
        return quote(path.toString());
    }

    static String quote(String text) {
        return SAFE.matcher(text).matches() ? text : "'" + text.replace("'", "'\\''") + "'";
    }
}
