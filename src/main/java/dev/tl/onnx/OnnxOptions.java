package dev.tl.onnx;

import java.util.OptionalInt;

/**
 * How an ONNX model is written.
 *
 * @param opset              the ai.onnx operator set version
 * @param batchSize          a fixed batch size, or empty for a dynamic one
 * @param withPreprocessing  whether the graph starts with the framing and preprocessing (then it takes decoded
 *                           images of any size, RGB 0..255)
 */
public record OnnxOptions(int opset, OptionalInt batchSize, boolean withPreprocessing) {

    /** Pad and Clip take their pads and bounds as inputs from opset 11 on; every operation used is stable since. */
    public static final int MIN_OPSET = 11;
    /** The newest operator set ONNX Runtime 1.20, the runtime the tests use, implements. */
    public static final int MAX_OPSET = 21;
    /** ONNX 1.12's (2022): read by every runtime of the last years, nothing newer is needed. */
    public static final int DEFAULT_OPSET = 17;

    public OnnxOptions {
        if (opset < MIN_OPSET || opset > MAX_OPSET || batchSize.isPresent() && batchSize.getAsInt() < 1) {
            throw new IllegalArgumentException("opset " + MIN_OPSET + " to " + MAX_OPSET + ", a positive batch");
        }
    }

    /** The IR version ONNX released with the operator set (ONNX's docs/Versioning.md), so older runtimes load it. */
    public long irVersion() {
        if (opset == 11) {
            return 6;
        }
        if (opset <= 14) {
            return 7;
        }
        if (opset <= 18) {
            return 8;
        }
        return opset <= 20 ? 9 : 10;
    }
}
