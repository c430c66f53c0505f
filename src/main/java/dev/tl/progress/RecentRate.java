package dev.tl.progress;

/**
 * A pass's rate over the more recent half of its items, which the time left is estimated from. The first batches
 * of a pass are slow — native code loads, caches and buffers fill, the JIT compiles — often ten times slower than
 * the rest, so a mean from the start overestimates the time left for most of the pass. Here the first report is
 * left out (it is all warm-up), and the rate counts from the report nearest below half the items done: a warm-up
 * is forgotten once twice its items are done, and the estimate still averages over many batches late in a pass.
 */
final class RecentRate {

    /** Reports kept; beyond that every other one goes, so a pass of any length keeps a bounded history. */
    private static final int KEPT = 256;
    private static final double NANOS = 1e9;

    private final long[] items = new long[KEPT];
    private final long[] nanos = new long[KEPT];
    private int size;

    /** {@code done} items were done at time {@code now} (nanoseconds). */
    void record(long done, long now) {
        if (size == KEPT) {
            thin();
        }
        items[size] = done;
        nanos[size] = now;
        size++;
    }

    /** Items per second over the recent half, or NaN before two reports. */
    double perSecond() {
        if (size < 2) {
            return Double.NaN;
        }
        int last = size - 1;
        int from = 0;
        while (from + 1 < last && items[from + 1] <= items[last] / 2) {
            from++;
        }
        long elapsed = nanos[last] - nanos[from];
        return elapsed > 0 ? (items[last] - items[from]) * NANOS / elapsed : Double.NaN;
    }

    /** Keeps the first report and every other one after it. */
    private void thin() {
        int kept = 1;
        for (int i = 2; i < size; i += 2) {
            items[kept] = items[i];
            nanos[kept] = nanos[i];
            kept++;
        }
        size = kept;
    }
}
