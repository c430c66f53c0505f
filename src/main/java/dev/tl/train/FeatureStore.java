package dev.tl.train;

import dev.tl.data.LabelledImage;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where the frozen phase's base features come from when they need not be computed here: the on-disk
 * {@link FeatureCache}, or {@link PrecomputedFeatures} from a file (tl embed, on one machine or on Spark).
 */
public interface FeatureStore {

    /**
     * One base's features of {@code images} (a row each, in order), or those {@code compute} gives for chunks of them
     * in whole batches of {@code batchSize}.
     */
    INDArray features(FeatureCache.Source source, List<LabelledImage> images, int batchSize,
                      FeatureCache.Computation compute);
}
