package dev.tl.cli;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Waits for a file that another process writes, woken by the file system's change events (inotify on Linux) and by
 * the process's exit, instead of polling on a timer. The file's directory may not exist yet: its nearest existing
 * ancestor is watched until it does.
 */
final class FileWatch {

    private FileWatch() {
    }

    /**
     * Returns once {@code ready} holds for {@code file} (true), or once the writer has exited or the time is up
     * without it (false). {@code ready} is asked again after every change in the watched directories.
     */
    static boolean await(Path file, Predicate<Path> ready, Process writer, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            writer.onExit().thenRun(() -> close(watch));
            Set<Path> watched = new HashSet<>();
            while (true) {
                // Register first, then look: a change between the two still wakes the next poll.
                Path dir = file.toAbsolutePath().getParent();
                while (!Files.isDirectory(dir)) {
                    dir = dir.getParent();
                }
                if (watched.add(dir)) {
                    dir.register(watch, ENTRY_CREATE, ENTRY_MODIFY);
                }
                if (Files.exists(file) && ready.test(file)) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                WatchKey key = left > 0 ? watch.poll(left, java.util.concurrent.TimeUnit.NANOSECONDS) : null;
                if (key == null) {
                    return false;
                }
                key.pollEvents();
                key.reset();
            }
        } catch (ClosedWatchServiceException exited) {
            return Files.exists(file) && ready.test(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void close(WatchService watch) {
        try {
            watch.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
