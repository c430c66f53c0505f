package dev.tl.zoo;

/** How BatchNormalization layers are built. */
public enum BatchNormMode {
    /** Inference mode with fixed statistics and affine parameters; gradients still flow through. */
    FROZEN,
    /** DL4J's BatchNormalization: batch statistics in training, running statistics updated, gamma/beta learn. */
    TRAINABLE
}
