package dev.tl.features;

import dev.tl.data.LabelledImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The features of a file computed elsewhere, served to the frozen phase as if from the cache: each image's row of
 * the file, the columns of the base asked for. The images are the file's own (its rows labelled for the split), so
 * nothing is computed; the base's graph only carries the weights into the saved model.
 */
public final class PrecomputedFeatures implements FeatureStore {

    private final FeatureProvenance provenance;
    private final Map<Path, float[]> byPath = new HashMap<>();

    public PrecomputedFeatures(FeatureTable table) {
        this.provenance = table.provenance();
        table.rows().forEach(row -> byPath.put(Path.of(row.path()), row.features()));
    }

    @Override
    public INDArray features(FeatureStore.Source source, List<LabelledImage> images, int batchSize,
                             FeatureStore.Computation compute) {
        int base = baseIndex(source.backbone());
        int from = provenance.offset(base);
        int width = provenance.bases().get(base).featureSize();
        float[][] rows = new float[images.size()][];
        for (int i = 0; i < rows.length; i++) {
            float[] features = byPath.get(images.get(i).path());
            if (features == null) {
                throw new IllegalStateException("no precomputed features of " + images.get(i).path());
            }
            rows[i] = Arrays.copyOfRange(features, from, from + width);
        }
        return Nd4j.create(rows);
    }

    private int baseIndex(String backbone) {
        List<FeatureProvenance.Base> bases = provenance.bases();
        for (int i = 0; i < bases.size(); i++) {
            if (bases.get(i).backbone().equals(backbone)) {
                return i;
            }
        }
        throw new IllegalStateException("no precomputed features of " + backbone);
    }
}
