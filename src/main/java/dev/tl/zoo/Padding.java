package dev.tl.zoo;

/** Keras' padding modes. DL4J's Same mode pads like TensorFlow (extra row/column at the bottom/right). */
public enum Padding {
    SAME, VALID;

    int outputSize(int in, int kernel, int stride) {
        return this == SAME ? (in + stride - 1) / stride : (in - kernel) / stride + 1;
    }
}
