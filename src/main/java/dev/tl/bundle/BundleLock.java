package dev.tl.bundle;

import dev.tl.TlException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * One writer per bundle: a process that will write to a directory holds an operating-system lock on a file beside it
 * ({@code .NAME.lock}, holding its pid), from before its first piece of work until it is done. Another process is
 * refused, naming the first; a lock of a process that died is released by the system.
 *
 * <p>The lock file is deleted when the lock is released (and when SIGINT or SIGTERM ends the process), always while
 * the lock is still held. A process may then have locked the deleted file (it had opened it just before) while
 * another creates a new one, so a lock counts only if the file at the path is the one locked: this process has it
 * open, as the system's list of open files ({@code /dev/fd}) shows. The path cannot simply be read back: closing
 * any descriptor of a file drops all of the process's locks on it (POSIX). Where that list does not show open files,
 * lock files are left in place instead.
 */
public final class BundleLock implements AutoCloseable {

    /** The lock files this process holds: a second channel on one of them would drop its lock when closed (POSIX). */
    private static final Set<Path> HELD = new HashSet<>();
    private static final Duration RETRY = Duration.ofMillis(50);

    private final Path file;
    private final FileChannel channel;
    private final Thread removeOnExit;
    private boolean held = true;

    private BundleLock(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
        // Ctrl-C and SIGTERM end the process without closing the lock: the system releases it, this removes the file.
        this.removeOnExit = new Thread(() -> {
            synchronized (HELD) {
                if (held) {
                    deleteFile();
                }
            }
        }, "tl-lock-" + file.getFileName());
        Runtime.getRuntime().addShutdownHook(removeOnExit);
    }

    /** The lock is held by another process, or another run of this one. */
    public static final class Busy extends TlException {
        private final String holder;

        private Busy(Path target, String holder) {
            super("another tl run (pid " + holder + ") is writing " + target
                    + "; wait for it to finish, or choose another directory");
            this.holder = holder;
        }

        /** The holder's pid, or "unknown". */
        public String holder() {
            return holder;
        }
    }

    /** Locks {@code target} for this process, or fails at once ({@link Busy}) naming the process that has it. */
    public static BundleLock acquire(Path target) {
        return acquire(target, Duration.ZERO);
    }

    /** Locks {@code target}, waiting up to {@code patience} for another holder to finish, else {@link Busy}. */
    public static BundleLock acquire(Path target, Duration patience) {
        Path absolute = target.toAbsolutePath().normalize();
        if (absolute.getParent() == null) {
            throw new TlException(absolute + " cannot hold a bundle (choose a directory below it)");
        }
        Path file = absolute.resolveSibling("." + absolute.getFileName() + ".lock");
        long deadline = System.nanoTime() + patience.toNanos();
        try {
            Files.createDirectories(absolute.getParent());
            while (true) {
                BundleLock lock = tryLock(file);
                if (lock != null) {
                    return lock;
                }
                if (System.nanoTime() >= deadline) {
                    throw new Busy(absolute, holder(file));
                }
                Thread.sleep(RETRY.toMillis());
            }
        } catch (IOException e) {
            throw new TlException("cannot lock " + absolute + " for writing (" + file + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TlException("interrupted while waiting for the lock on " + absolute, e);
        }
    }

    /** The lock, or null while another holds it. */
    private static BundleLock tryLock(Path file) throws IOException {
        synchronized (HELD) {
            if (HELD.contains(file)) {
                return null;
            }
            while (true) {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                try {
                    if (channel.tryLock() == null) {
                        channel.close();
                        return null;
                    }
                    if (!OpenFiles.VISIBLE || OpenFiles.isOpen(file)) {
                        channel.truncate(0);
                        channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid())
                                .getBytes(StandardCharsets.UTF_8)), 0);
                        HELD.add(file);
                        return new BundleLock(file, channel);
                    }
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    throw e;
                }
                channel.close(); // its last holder deleted the file after this process had opened it
            }
        }
    }

    /** The pid in a lock file, or "unknown" (removed, or not written yet). */
    private static String holder(Path file) {
        try {
            String pid = Files.readString(file, StandardCharsets.UTF_8).trim();
            return pid.isEmpty() ? "unknown" : pid;
        } catch (IOException e) {
            return "unknown";
        }
    }

    private void deleteFile() {
        if (!OpenFiles.VISIBLE) {
            return; // a holder could not tell a deleted lock file from the one at the path: it stays
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a stale file is harmless: the next holder locks and reuses it
        }
    }

    @Override
    public void close() {
        synchronized (HELD) {
            if (!held) {
                return;
            }
            held = false;
            try {
                Runtime.getRuntime().removeShutdownHook(removeOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
            deleteFile(); // before releasing: only a holder may remove the file
            try {
                channel.close(); // releases the lock
            } catch (IOException ignored) {
                // the system releases the lock with the process
            }
            HELD.remove(file);
        }
    }

    /** The files this process has open, as {@code /dev/fd} lists their descriptors (Linux, macOS, the BSDs). */
    private static final class OpenFiles {

        private static final Path DESCRIPTORS = Path.of("/dev/fd");
        /** Whether that list shows this process's open files (checked once, on a file of its own). */
        static final boolean VISIBLE = selfTest();

        /** Whether this process has the file at {@code path} open (false where nothing is there). */
        static boolean isOpen(Path path) throws IOException {
            Object key;
            try {
                key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            } catch (NoSuchFileException e) {
                return false;
            }
            if (key == null) {
                return false;
            }
            try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(DESCRIPTORS)) {
                for (Path descriptor : descriptors) {
                    try {
                        if (key.equals(Files.readAttributes(descriptor, BasicFileAttributes.class).fileKey())) {
                            return true;
                        }
                    } catch (IOException notAFile) {
                        // closed meanwhile, or the listing's own descriptor
                    }
                }
            }
            return false;
        }

        private static boolean selfTest() {
            try {
                Path probe = Files.createTempFile("tl-lock-probe", ".tmp");
                try (FileChannel open = FileChannel.open(probe, StandardOpenOption.READ)) {
                    return Files.isDirectory(DESCRIPTORS) && isOpen(probe);
                } finally {
                    Files.deleteIfExists(probe);
                }
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
    }
}
