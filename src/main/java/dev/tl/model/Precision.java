package dev.tl.model;

import dev.tl.TlException;
import java.util.Arrays;
import java.util.Locale;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The floating-point type a graph runs inference in. FP16 halves the memory of weights and activations and, on GPUs
 * with half-precision units, much of the time; it keeps about three significant digits. Training stays in FP32:
 * ND4J has no mixed precision (no FP32 master weights, no loss scaling), and Adam's epsilon of 1e-8 is below what
 * FP16 can hold.
 */
public enum Precision {
    FP32(DataType.FLOAT), FP16(DataType.HALF);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Precision fromId(String id) {
        return Arrays.stream(values()).filter(p -> p.id().equals(id.trim().toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new TlException("expected fp32 or fp16, got '" + id + "'"));
    }

    /**
     * {@code output} of {@code graph}, refused if half precision overflowed: FP16 ends at 65504, and a network
     * whose activations go beyond (e.g. large residual sums on caffe-scaled inputs) gives infinities and NaN.
     */
    public static INDArray checked(ComputationGraph graph, INDArray output) {
        if (graph.params().dataType() == DataType.HALF
                && output.castTo(DataType.FLOAT).isInfinite().castTo(DataType.INT).sumNumber().intValue()
                + output.castTo(DataType.FLOAT).isNaN().castTo(DataType.INT).sumNumber().intValue() > 0) {
            throw new TlException("fp16: the network's activations overflow half precision (infinite or NaN "
                    + "outputs); run it in fp32");
        }
        return output;
    }

    /** {@code graph} in this precision: itself if it is in it already, else a converted copy. */
    public ComputationGraph apply(ComputationGraph graph) {
        return graph.params().dataType() == dataType ? graph : graph.convertDataType(dataType);
    }
}
