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
    public Iterator<Batch> batches(List<LabeledImage> images, int batchSize, ImageViews views) {
        return new Prefetcher(images, batchSize, views);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    /**
     * The batch of {@code images} whose pixels {@link #pixels} gave, in order: the one assembly of every batch, also
     * of images decoded elsewhere (a Spark executor reads them from its file system).
     */
    public Batch assemble(List<LabeledImage> images, List<float[][]> pixels, int viewsPerImage) {
        int n = pixels.size();
        float[][] data = new float[inputs.size()][];
        long[][] shapes = new long[inputs.size()][];
        for (int i = 0; i < inputs.size(); i++) {
            int size = inputs.get(i).imageSize();
            int perImage = 3 * size * size * viewsPerImage;
            data[i] = new float[n * perImage];
            for (int k = 0; k < n; k++) {
                System.arraycopy(pixels.get(k)[i], 0, data[i], k * perImage, perImage);
            }
            shapes[i] = inputs.get(i).batchShape(n * viewsPerImage);
        }
        int[] classes = new int[n];
        for (int k = 0; k < n; k++) {
            classes[k] = images.isEmpty() ? -1 : images.get(k).label();
        }
        return new Batch(data, shapes, classes, numClasses, images);
    }

    /** Per input, one decoded image's preprocessed pixels in the input's layout, its views one after another. */
    public float[][] pixels(ImageDecoder.Decoded decoded, int index, ImageViews views) {
        float[][] planes = new float[inputs.size()][];
        for (int i = 0; i < inputs.size(); i++) {
            InputSpec spec = inputs.get(i);
            int perView = 3 * spec.imageSize() * spec.imageSize();
            planes[i] = new float[views.perImage() * perView];
            try (ImageDecoder.Decoded framed = decoded.framed(spec.framing())) {
                for (int v = 0; v < views.perImage(); v++) {
                    spec.write(framed.transformedRgb(spec.imageSize(), views.view(index, v)), planes[i],
                            v * perView);
                }
            }
        }
        return planes;
    }

    private float[][] decode(LabeledImage image, int index, ImageViews views) {
        try (ImageDecoder.Decoded decoded = ImageDecoder.decode(image.path())) {
            return pixels(decoded, index, views);
        }
    }

    private final class Prefetcher implements Iterator<Batch> {
        private final List<LabeledImage> images;
        private final int batchSize;
        private final ImageViews views;
        private final Deque<CompletableFuture<Batch>> ahead = new ArrayDeque<>();
        private int nextStart;

        Prefetcher(List<LabeledImage> images, int batchSize, ImageViews views) {
            this.images = images;
            this.batchSize = batchSize;
            this.views = views;
            fill();
        }

        private void fill() {
            while (ahead.size() < PREFETCH_BATCHES && nextStart < images.size()) {
                int start = nextStart;
                List<LabeledImage> slice = images.subList(start, Math.min(start + batchSize, images.size()));
                nextStart += slice.size();
                List<CompletableFuture<float[][]>> parts = new ArrayList<>();
                for (int k = 0; k < slice.size(); k++) {
                    int index = start + k;
                    parts.add(CompletableFuture.supplyAsync(() -> decode(images.get(index), index, views), pool));
                }
                ahead.add(CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                        .thenApply(done -> assemble(slice, parts.stream().map(CompletableFuture::join).toList(),
                                views.perImage())));
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
