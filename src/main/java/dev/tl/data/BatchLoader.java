package dev.tl.data;

import dev.tl.TlException;
import dev.tl.device.ComputeBackend;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Streams images from disk as minibatches: files are decoded and preprocessed in parallel on a small thread pool,
 * and a few batches are prepared ahead of the one being consumed. Only those batches are ever in memory.
 */
public final class BatchLoader implements AutoCloseable {

    private static final int PREFETCH_BATCHES = 2;

    private final List<InputSpec> inputs;
    private final int numClasses;
    private final ExecutorService pool;

    /** {@code numClasses} 0 means unlabelled images (labels are null). */
    public BatchLoader(List<InputSpec> inputs, int numClasses, int threads) {
        this.inputs = List.copyOf(inputs);
        this.numClasses = numClasses;
        this.pool = Executors.newFixedThreadPool(threads, daemonThreads());
    }

    /** Decoding threads as many as the device computing on the batches wants ({@link ComputeBackend.Kind}). */
    public BatchLoader(List<InputSpec> inputs, int numClasses, ComputeBackend.Kind device) {
        this(inputs, numClasses, device.decodeThreads());
    }

    /** For ND4J's backend (which this starts). */
    public BatchLoader(List<InputSpec> inputs, int numClasses) {
        this(inputs, numClasses, ComputeBackend.current().kind());
    }

    /** What each network input gets, in order. */
    public List<InputSpec> inputs() {
        return inputs;
    }

    /**
     * Batches of {@code batchSize} images in the given order (the last may be smaller), each image as
     * {@code views.perImage()} consecutive rows of the inputs (one label row per image).
     */
    public Iterator<Batch> batches(List<LabelledImage> images, int batchSize, ImageViews views) {
        return new Prefetcher(images, batchSize, views);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    /**
     * A batch of {@code count} images being assembled, each written straight into its place: the one assembly of
     * every batch, also of images decoded elsewhere (a Spark executor reads them from its file system).
     *
     * @param images the images, or empty for images that are not files here (labels then -1)
     */
    public Assembly assembly(int count, List<LabelledImage> images, ImageViews views) {
        return new Assembly(count, images, views);
    }

    /** A batch whose images are written into it one by one, from any thread, each into its own place. */
    public final class Assembly {
        private final List<LabelledImage> images;
        private final ImageViews views;
        private final float[][] pixels = new float[inputs.size()][];
        private final long[][] shapes = new long[inputs.size()][];
        private final int[] classes;

        private Assembly(int count, List<LabelledImage> images, ImageViews views) {
            this.images = images;
            this.views = views;
            this.classes = new int[count];
            for (int i = 0; i < inputs.size(); i++) {
                int size = inputs.get(i).imageSize();
                pixels[i] = floats((long) count * views.perImage() * 3 * size * size,
                        count * views.perImage() + " views of " + size + " px");
                shapes[i] = inputs.get(i).batchShape(count * views.perImage());
            }
            for (int k = 0; k < count; k++) {
                classes[k] = images.isEmpty() ? -1 : images.get(k).label();
            }
        }

        /**
         * Writes image {@code k} of the batch, per input its preprocessed pixels in the input's layout, its views
         * one after another; {@code index} is its position in the whole list, which picks its views.
         */
        public void put(int k, ImageDecoder.Decoded decoded, int index) {
            for (int i = 0; i < inputs.size(); i++) {
                InputSpec spec = inputs.get(i);
                int perView = 3 * spec.imageSize() * spec.imageSize();
                try (ImageDecoder.Decoded framed = decoded.framed(spec.framing())) {
                    for (int v = 0; v < views.perImage(); v++) {
                        spec.write(framed.transformedRgb(spec.imageSize(), views.view(index, v)), pixels[i],
                                (k * views.perImage() + v) * perView);
                    }
                }
            }
        }

        public Batch batch() {
            return new Batch(pixels, shapes, classes, numClasses, images);
        }
    }

    /** An array of {@code count} floats; beyond what a Java array holds, an out-of-memory error saying so. */
    private static float[] floats(long count, String what) {
        if (count > Integer.MAX_VALUE - 8) {
            throw new OutOfMemoryError(what + " take " + count + " numbers, more than one Java array holds");
        }
        return new float[(int) count];
    }

    private final class Prefetcher implements Iterator<Batch> {
        private final List<LabelledImage> images;
        private final int batchSize;
        private final ImageViews views;
        private final Deque<CompletableFuture<Batch>> ahead = new ArrayDeque<>();
        private int nextStart;

        Prefetcher(List<LabelledImage> images, int batchSize, ImageViews views) {
            this.images = images;
            this.batchSize = batchSize;
            this.views = views;
            fill();
        }

        private void fill() {
            while (ahead.size() < PREFETCH_BATCHES && nextStart < images.size()) {
                int start = nextStart;
                List<LabelledImage> slice = images.subList(start, Math.min(start + batchSize, images.size()));
                nextStart += slice.size();
                Assembly assembly = assembly(slice.size(), slice, views);
                List<CompletableFuture<Void>> parts = new ArrayList<>();
                for (int k = 0; k < slice.size(); k++) {
                    int place = k;
                    int index = start + k;
                    parts.add(CompletableFuture.runAsync(() -> {
                        try (ImageDecoder.Decoded decoded = ImageDecoder.decode(images.get(index).path())) {
                            assembly.put(place, decoded, index);
                        }
                    }, pool));
                }
                ahead.add(CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                        .thenApply(done -> assembly.batch()));
            }
        }

        @Override
        public boolean hasNext() {
            return !ahead.isEmpty();
        }

        @Override
        public Batch next() {
            if (ahead.isEmpty()) {
                throw new NoSuchElementException();
            }
            CompletableFuture<Batch> head = ahead.poll();
            fill();
            try {
                return head.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while loading images", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() instanceof CompletionException ? e.getCause().getCause() : e.getCause();
                if (cause instanceof TlException tl) {
                    throw new TlException(tl.getMessage(), tl);
                }
                throw new IllegalStateException("image loading failed: " + cause, cause);
            }
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "tl-decode-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
