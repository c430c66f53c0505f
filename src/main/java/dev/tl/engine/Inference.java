package dev.tl.engine;

import dev.tl.data.Batch;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageViews;
import dev.tl.data.LabelledImage;
import dev.tl.progress.Progress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An inference pass: images streamed from disk through a {@link Session}, whatever its engine, with the pass's
 * progress shown as {@code task}. The loader must assemble batches for the session ({@link #loaderFor}).
 */
public final class Inference {

    private static final Logger log = LoggerFactory.getLogger(Inference.class);

    private Inference() {
    }

    /** A loader of unlabelled batches as {@code session} takes them, with as many decoding threads as its device wants. */
    public static BatchLoader loaderFor(Session session) {
        return new BatchLoader(session.inputs(), 0, session.device());
    }

    /**
     * Calls {@code onOutput} with every batch and the network's (first) output for it, one row per image, in order.
     * With several views of each image (test-time augmentation) an image's output is the mean of its views'
     * outputs, i.e. averaged class probabilities for a softmax classifier. A batch holds {@code batchSize / views}
     * images, so the network still sees about {@code batchSize} rows at a time.
     */
    public static void run(String task, Session session, BatchLoader loader, List<LabelledImage> images,
                           int batchSize, ImageViews views, BiConsumer<Batch, float[][]> onOutput) {
        try (Progress progress = Progress.start(task, images.size(), "img")) {
            run(progress, session, loader, images, batchSize, views, onOutput);
        }
    }

    /** As {@link #run(String, Session, BatchLoader, List, int, ImageViews, BiConsumer)}, on a part of a pass whose
     * progress the caller shows. */
    public static void run(Progress progress, Session session, BatchLoader loader, List<LabelledImage> images,
                           int batchSize, ImageViews views, BiConsumer<Batch, float[][]> onOutput) {
        if (!loader.inputs().equals(session.inputs())) {
            throw new IllegalArgumentException("the loader assembles " + loader.inputs() + ", the " + session.engine()
                    + " session takes " + session.inputs());
        }
        int perImage = views.perImage();
        Iterator<Batch> batches = loader.batches(images, Math.max(1, batchSize / perImage), views);
        long waited = 0;
        long computed = 0;
        long first = 0;
        int count = 0;
        while (batches.hasNext()) {
            long start = System.nanoTime();
            Batch batch = batches.next();
            long loaded = System.nanoTime();
            float[][] rows = session.run(batch).get(0).rows();
            long done = System.nanoTime();
            waited += loaded - start;
            computed += done - loaded;
            first = count++ == 0 ? done - loaded : first;
            onOutput.accept(batch, perImage == 1 ? rows : meanOfViews(rows, perImage));
            progress.advance(batch.size());
        }
        // where a pass's time went: images not decoded yet, or the network (its first batch apart, warm-up)
        log.debug("{} batches on {}: waited {} s for images, network {} s (first batch {} s)", count,
                session.engine(), seconds(waited), seconds(computed), seconds(first));
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e9);
    }

    /** The network's output for every image, averaged over its views, one row each, in order. */
    public static float[][] outputs(String task, Session session, BatchLoader loader, List<LabelledImage> images,
                                    int batchSize, ImageViews views) {
        try (Progress progress = Progress.start(task, images.size(), "img")) {
            return outputs(progress, session, loader, images, batchSize, views);
        }
    }

    /** The network's output for every image of a part of a pass whose progress the caller shows. */
    public static float[][] outputs(Progress progress, Session session, BatchLoader loader,
                                    List<LabelledImage> images, int batchSize, ImageViews views) {
        List<float[]> rows = new ArrayList<>(images.size());
        run(progress, session, loader, images, batchSize, views, (batch, output) -> rows.addAll(List.of(output)));
        return rows.toArray(float[][]::new);
    }

    private static float[][] meanOfViews(float[][] rows, int perImage) {
        float[][] means = new float[rows.length / perImage][];
        for (int image = 0; image < means.length; image++) {
            float[] sum = new float[rows[0].length];
            for (int v = 0; v < perImage; v++) {
                float[] row = rows[image * perImage + v];
                for (int j = 0; j < sum.length; j++) {
                    sum[j] += row[j];
                }
            }
            for (int j = 0; j < sum.length; j++) {
                sum[j] /= perImage;
            }
            means[image] = sum;
        }
        return means;
    }
}
