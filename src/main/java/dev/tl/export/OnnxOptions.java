package dev.tl.export;

import dev.tl.TlException;
import java.util.OptionalInt;

/**
 * How an ONNX model is written.
 *
 * @param opset              the ai.onnx operator set version
 * @param batchSize          a fixed batch size, or empty for a dynamic one
 * @param withPreprocessing  whether the graph starts with the preprocessing (then it takes raw RGB 0..255)
 */
public record OnnxOptions(int opset, OptionalInt batchSize, boolean withPreprocessing) {

    /** Pad and Clip take their pads and bounds as inputs from opset 11 on; every operation used is stable since. */
    public static final int MIN_OPSET = 11;
    /** The newest operator set ONNX Runtime 1.20, the runtime the tests use, implements. */
    public static final int MAX_OPSET = 21;
    /** ONNX 1.12's (2022): read by every runtime of the last years, nothing newer is needed. */
    public static final int DEFAULT_OPSET = 17;

    public OnnxOptions {
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new TlException("--opset: " + opset + " is not supported; choose " + MIN_OPSET + " to "
                    + MAX_OPSET + " (default " + DEFAULT_OPSET + ")");
        }
        if (batchSize.isPresent() && batchSize.getAsInt() < 1) {
            throw new TlException("--batch: expected 'dynamic' or a positive whole number, got "
                    + batchSize.getAsInt());
        }
    }

    /** {@code --batch dynamic|N}. */
    public static OptionalInt parseBatch(String value) {
        if (value.equalsIgnoreCase("dynamic")) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            throw new TlException("--batch: expected 'dynamic' or a positive whole number, got '" + value + "'");
        }
    }

    /** The IR version ONNX released with the operator set (ONNX's docs/Versioning.md), so older runtimes load it. */
    long irVersion() {
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
