package dev.tl.onnx;

import static dev.tl.onnx.OnnxGraph.attribute;

import dev.tl.data.Preprocessing;
import java.util.List;

/**
 * A backbone's preprocessing as graph operations, for models that take raw RGB pixels (0..255, NCHW float, framed by
 * {@link FramingNodes}): the
 * channel swap of caffe mode, then (x - mean) / std per channel, with the very constants and the same float
 * operations as {@link Preprocessing}, so the network sees the same values as in tl.
 */
final class PreprocessingNodes {

    private static final long[] PER_CHANNEL = {1, 3, 1, 1};

    private PreprocessingNodes() {
    }

    /** Adds the nodes reading {@code pixels}, named after {@code input}; returns the preprocessed tensor. */
    static String add(OnnxGraph graph, String pixels, String input, Preprocessing preprocessing) {
        String prefix = input + "/preprocessing_" + preprocessing.id();
        String x = pixels;
        if (preprocessing.bgr()) {
            x = graph.node("Gather", prefix + "/rgb_to_bgr", List.of(x, graph.int64s(prefix + "/bgr_order", 2, 1, 0)),
                    attribute("axis", 1L));
        }
        x = graph.node("Sub", prefix + "/subtract_mean",
                List.of(x, graph.floats(prefix + "/mean", PER_CHANNEL, preprocessing.mean())));
        return graph.node("Div", prefix + "/divide_by_std",
                List.of(x, graph.floats(prefix + "/std", PER_CHANNEL, preprocessing.std())));
    }
}
