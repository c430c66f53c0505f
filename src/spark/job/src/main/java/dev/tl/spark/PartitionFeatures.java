package dev.tl.spark;

import dev.tl.data.Batch;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageDecoder;
import dev.tl.data.ImageViews;
import dev.tl.engine.Session;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One partition's features, batch by batch: each image read from its file system, decoded and assembled into a batch
 * as tl does on one machine (the same decoder and {@link BatchLoader} assembly), the batch run through the executor's
 * session on the inference engine.
 */
final class PartitionFeatures implements FlatMapFunction<Iterator<ImageListing.Image>, Row> {

    private final Extractor extractor;
    private final int batchSize;

    PartitionFeatures(Extractor extractor, int batchSize) {
        this.extractor = extractor;
        this.batchSize = batchSize;
    }

    @Override
    public Iterator<Row> call(Iterator<ImageListing.Image> images) {
        Session session = extractor.session();
        Configuration hadoop = new Configuration();
        return new Iterator<>() {
            private Iterator<Row> batch = List.<Row>of().iterator();

            @Override
            public boolean hasNext() {
                while (!batch.hasNext() && images.hasNext()) {
                    batch = features(session, hadoop, images).iterator();
                }
                return batch.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return batch.next();
            }
        };
    }

    private List<Row> features(Session session, Configuration hadoop, Iterator<ImageListing.Image> images) {
        List<ImageListing.Image> batch = new ArrayList<>();
        while (batch.size() < batchSize && images.hasNext()) {
            batch.add(images.next());
        }
        Batch assembled;
        // Only the loader's assembly is used: this task decodes its own images, read from their file system.
        try (BatchLoader loader = new BatchLoader(session.inputs(), 0, 1)) {
            BatchLoader.Assembly assembly = loader.assembly(batch.size(), List.of(), ImageViews.PLAIN);
            for (int k = 0; k < batch.size(); k++) {
                try (ImageDecoder.Decoded decoded = ImageDecoder.decode(read(batch.get(k).uri(), hadoop),
                        batch.get(k).uri())) {
                    assembly.put(k, decoded, k);
                }
            }
            assembled = assembly.batch();
        }
        float[][] features;
        synchronized (session) {
            features = session.run(assembled).get(0).rows();
        }
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k < batch.size(); k++) {
            rows.add(RowFactory.create(batch.get(k).uri(), batch.get(k).label(), features[k]));
        }
        return rows;
    }

    private static byte[] read(String uri, Configuration hadoop) {
        Path path = new Path(uri);
        try (InputStream in = path.getFileSystem(hadoop).open(path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read image " + uri + ": " + e.getMessage(), e);
        }
    }
}
