package dev.tl.data;

/**
 * The memory all images being decoded at once may take: each decode reserves what it will hold (the file's bytes,
 * the decoded pixels and the decoder's own working memory) before it reads anything, and waits while the
 * reservations of others would take the total above {@link #CAPACITY}. An image larger than that alone (only when a
 * raised pixel limit lets one through) waits until nothing else is decoding, then decodes by itself.
 */
final class DecodeBudget {

    /** 1 GiB: a few large photos at once, or hundreds of the images a data set usually holds. */
    static final long CAPACITY = 1L << 30;

    private static final DecodeBudget PROCESS = new DecodeBudget(CAPACITY);

    private final long capacity;
    private long reserved;

    DecodeBudget(long capacity) {
        this.capacity = capacity;
    }

    /** The budget of this process, shared by every decoding thread. */
    static DecodeBudget process() {
        return PROCESS;
    }

    /** What one decode holds until it is closed. */
    final class Reservation implements AutoCloseable {
        private long bytes;

        private Reservation(long bytes) {
            this.bytes = bytes;
        }

        @Override
        public void close() {
            release(bytes);
            bytes = 0;
        }
    }

    /** Reserves {@code bytes}, waiting for other decodes to finish while the total would exceed the capacity. */
    synchronized Reservation reserve(long bytes) {
        while (reserved > 0 && reserved + bytes > capacity) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting to decode an image", e);
            }
        }
        reserved += bytes;
        return new Reservation(bytes);
    }

    /** What the current reservations hold. */
    synchronized long reserved() {
        return reserved;
    }

    private synchronized void release(long bytes) {
        reserved -= bytes;
        notifyAll();
    }
}
