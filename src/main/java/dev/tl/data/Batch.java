package dev.tl.data;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A decoded minibatch: one array per network input (in its layout), one-hot labels, and the images it came from.
 * With several views per image (test-time augmentation) an image's views are consecutive rows of the inputs.
 */
public record Batch(INDArray[] inputs, INDArray labels, List<LabeledImage> images) {

    public int size() {
        return images.size();
    }
}
