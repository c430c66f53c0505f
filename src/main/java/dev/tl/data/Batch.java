package dev.tl.data;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A decoded minibatch: per network input its preprocessed pixels in row-major order and their shape (in the input's
 * layout), the class of each image (-1 where unlabelled), and the images it came from (empty for pixels decoded
 * elsewhere). With several views per image (test-time augmentation) an image's views are consecutive rows of the
 * inputs. The pixels stay on the Java heap: an engine that does not run on ND4J never starts it, and a DL4J graph
 * gets ND4J arrays of them with {@link #inputs()}.
 *
 * @param numClasses the width of the one-hot labels; 0 for unlabelled images
 */
public record Batch(float[][] pixels, long[][] shapes, int[] classes, int numClasses, List<LabelledImage> images) {

    public int size() {
        return classes.length;
    }

    /** The same images for input {@code input} alone (one base of a fused model). */
    public Batch only(int input) {
        return new Batch(new float[][] {pixels[input]}, new long[][] {shapes[input]}, classes, numClasses, images);
    }

    /** The inputs as ND4J arrays, for a DL4J graph (a copy each call). */
    public INDArray[] inputs() {
        INDArray[] arrays = new INDArray[pixels.length];
        for (int i = 0; i < arrays.length; i++) {
            arrays[i] = Nd4j.create(pixels[i], shapes[i], 'c');
        }
        return arrays;
    }

    /** One-hot labels [images, classes], or null for unlabelled images. */
    public INDArray labels() {
        if (numClasses == 0) {
            return null;
        }
        INDArray labels = Nd4j.zeros(classes.length, numClasses);
        for (int k = 0; k < classes.length; k++) {
            labels.putScalar(k, classes[k], 1f);
        }
        return labels;
    }
}
