package dev.tl.features;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Pooled backbone features of a set of images (one row each) with their labels. */
public record Features(INDArray matrix, int[] labels) {

    public int size() {
        return labels.length;
    }

    public int dimension() {
        return (int) matrix.size(1);
    }

    /** Feature rows and one-hot labels for the given row indices. */
    public INDArray[] batch(int[] rows, int numClasses) {
        INDArray x = matrix.getRows(rows);
        INDArray y = Nd4j.zeros(rows.length, numClasses);
        for (int i = 0; i < rows.length; i++) {
            y.putScalar(i, labels[rows[i]], 1f);
        }
        return new INDArray[] {x, y};
    }
}
