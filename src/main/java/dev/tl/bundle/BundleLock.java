package dev.tl.bundle;

import dev.tl.TlException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One writer per bundle: a run that will save to a directory holds an operating-system lock on a file beside it
 * ({@code .NAME.lock}, holding the pid), from before its first piece of work until it is done. A second run on the
 * same directory is refused, naming the first; a lock of a process that died is released by the system.
 */
public final class BundleLock implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private BundleLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks {@code target} for this process, or fails naming the process that has it. */
    public static BundleLock acquire(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        if (absolute.getParent() == null) {
            throw new TlException(absolute + " cannot hold a bundle (choose a directory below it)");
        }
        Path file = absolute.resolveSibling("." + absolute.getFileName() + ".lock");
        FileChannel channel = null;
        try {
            Files.createDirectories(absolute.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException heldHere) {
                lock = null; // this process holds it already, for another run
            }
            if (lock == null) {
                String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
                channel.close();
                throw new TlException("another tl run (pid " + (holder.isEmpty() ? "unknown" : holder)
                        + ") is writing " + absolute + "; wait for it to finish, or choose another directory");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)));
            return new BundleLock(file, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new TlException("cannot lock " + absolute + " for writing (" + file + "): " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
            lock.release();
        } catch (IOException ignored) {
            // the system releases the lock with the process
        } finally {
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }
}
