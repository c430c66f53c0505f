package dev.tl.engine;

import java.util.Arrays;

/** A float tensor an engine computed, on the Java heap: values in row-major order and the shape. */
public record Tensor(float[] values, long[] shape) {

    /** The values as rows of the first dimension (one per image). */
    public float[][] rows() {
        int rows = (int) shape[0];
        int width = rows == 0 ? 0 : values.length / rows;
        float[][] out = new float[rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = Arrays.copyOfRange(values, i * width, (i + 1) * width);
        }
        return out;
    }
}
