package dev.tl.progress;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one live progress line at the bottom of a terminal's stderr, redrawn in place with a carriage return. Log
 * lines are printed above it ({@link #printAbove}): the bar is erased, the line printed, the bar drawn again, all
 * under one lock, so log output from any thread never lands in the middle of a bar.
 */
final class TerminalBar {

    private static final Object LOCK = new Object();
    private static final String ERASE_LINE = "\r\u001b[K";
    private static final int DEFAULT_COLUMNS = 80;

    private static Boolean terminal;
    private static int columns;
    /** The text on screen now, or null when no bar is drawn. */
    private static String shown;
    /** Whether the process is ending: no bar is drawn again. */
    private static boolean ended;

    private TerminalBar() {
    }

    /** Whether stderr is a terminal (not a pipe or file) that understands cursor controls. */
    static boolean available() {
        synchronized (LOCK) {
            if (terminal == null) {
                terminal = stderrIsTerminal() && !"dumb".equals(System.getenv("TERM"));
                columns = terminal ? readColumns() : DEFAULT_COLUMNS;
            }
            return terminal;
        }
    }

    /** How wide a bar may be without wrapping (which would break the redraw in place). */
    static int width() {
        available();
        return columns - 1;
    }

    static void draw(String text) {
        synchronized (LOCK) {
            if (ended) {
                return;
            }
            err().print(ERASE_LINE + text);
            err().flush();
            shown = text;
        }
    }

    static void clear() {
        synchronized (LOCK) {
            if (shown != null) {
                err().print(ERASE_LINE);
                err().flush();
                shown = null;
            }
        }
    }

    /** Erases the bar for good, then runs {@code print}: the last words of a process that is being ended. */
    static void end(Runnable print) {
        synchronized (LOCK) {
            ended = true;
            clear();
            print.run();
        }
    }

    /** Runs {@code print}, which writes whole lines to stderr, with the bar erased before and redrawn after. */
    static void printAbove(Runnable print) {
        synchronized (LOCK) {
            String bar = shown;
            if (bar != null) {
                err().print(ERASE_LINE);
            }
            print.run();
            if (bar != null) {
                err().print(bar);
                err().flush();
            }
        }
    }

    private static PrintStream err() {
        return System.err;
    }

    /** Linux names a terminal device behind each open file descriptor; Java has no isatty of its own for stderr. */
    private static boolean stderrIsTerminal() {
        try {
            String device = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return device.startsWith("/dev/pts/") || device.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** {@code $COLUMNS}, else what {@code stty size} says of the controlling terminal, else 80. */
    private static int readColumns() {
        try {
            int fromEnvironment = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "0").trim());
            if (fromEnvironment > 0) {
                return fromEnvironment;
            }
        } catch (NumberFormatException ignored) {
            // fall through to stty
        }
        try {
            Process stty = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String[] size = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim()
                    .split("\\s+");
            stty.waitFor();
            int width = size.length == 2 ? Integer.parseInt(size[1]) : 0;
            return width > 0 ? width : DEFAULT_COLUMNS;
        } catch (IOException | NumberFormatException e) {
            return DEFAULT_COLUMNS;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DEFAULT_COLUMNS;
        }
    }
}
