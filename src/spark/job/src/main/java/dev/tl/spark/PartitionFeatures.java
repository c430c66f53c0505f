package dev.tl.spark;

import dev.tl.data.ImageDecoder;
import dev.tl.data.InputSpec;
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
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One partition's features, batch by batch: each image read from its file system, decoded and preprocessed as tl
 * does on one machine (the same decoder and input specs), the batch run through the executor's extractor.
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
        List<InputSpec> inputs = extractor.spec().inputSpecs();
        ComputationGraph graph = extractor.graph();
        Configuration hadoop = new Configuration();
        return new Iterator<>() {
            private Iterator<Row> batch = List.<Row>of().iterator();

            @Override
            public boolean hasNext() {
                while (!batch.hasNext() && images.hasNext()) {
                    batch = features(graph, inputs, hadoop, images).iterator();
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

    private List<Row> features(ComputationGraph graph, List<InputSpec> inputs, Configuration hadoop,
                           Iterator<ImageListing.Image> images) {
        List<ImageListing.Image> batch = new ArrayList<>();
        while (batch.size() < batchSize && images.hasNext()) {
            batch.add(images.next());
        }
        INDArray[] arrays = new INDArray[inputs.size()];
        float[][] data = new float[inputs.size()][];
        for (int i = 0; i < inputs.size(); i++) {
            int size = inputs.get(i).imageSize();
            data[i] = new float[batch.size() * 3 * size * size];
        }
        for (int k = 0; k < batch.size(); k++) {
            try (ImageDecoder.Decoded decoded = ImageDecoder.decode(read(batch.get(k).uri(), hadoop),
                    batch.get(k).uri())) {
                for (int i = 0; i < inputs.size(); i++) {
                    InputSpec input = inputs.get(i);
                    int perImage = 3 * input.imageSize() * input.imageSize();
                    try (ImageDecoder.Decoded framed = decoded.framed(input.framing())) {
                        input.write(framed.resizedRgb(input.imageSize()), data[i], k * perImage);
                    }
                }
            }
        }
        for (int i = 0; i < inputs.size(); i++) {
            arrays[i] = Nd4j.create(data[i], inputs.get(i).batchShape(batch.size()), 'c');
        }
        float[][] features;
        synchronized (graph) {
            features = graph.output(false, arrays)[0].castTo(DataType.FLOAT).toFloatMatrix();
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
