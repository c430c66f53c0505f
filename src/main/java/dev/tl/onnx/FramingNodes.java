package dev.tl.onnx;

import static dev.tl.onnx.OnnxGraph.attribute;

import dev.tl.data.Framing;
import java.util.List;
import onnx.Onnx.TensorProto;

/**
 * tl's framing as graph operations, for models that take decoded images of any size ([N, 3, H, W], RGB 0..255):
 * the centred square crop of {@link Framing} (Slice, its side rounded as tl rounds it, in integer arithmetic so no
 * runtime's float rounding can move it by a pixel), then the bilinear resize to the input size with half-pixel
 * centres and no antialiasing (Resize), as tl's OpenCV resize does. OpenCV resizes 8-bit pixels in fixed point and
 * rounds the result to whole values, which Round does here; what is left is OpenCV's fixed-point error, at most one
 * level of 255 (measured in FramingNodesTest).
 */
final class FramingNodes {

    /** The crop fraction as a whole-number ratio over this: exact for every fraction of up to six decimals. */
    private static final long DENOMINATOR = 1_000_000;

    private FramingNodes() {
    }

    /** Adds the nodes framing {@code image} to a {@code size} x {@code size} input; returns the framed tensor. */
    static String add(OnnxGraph graph, String image, Framing framing, int size) {
        String prefix = image + "/framing";
        String shape = graph.node("Shape", prefix + "/shape", List.of(image));
        String x = image;
        if (framing.crops()) {
            String heightWidth = graph.node("Gather", prefix + "/height_width",
                    List.of(shape, graph.int64s(prefix + "/spatial_axes", 2, 3)), attribute("axis", 0L));
            String shorter = graph.node("ReduceMin", prefix + "/shorter_side", List.of(heightWidth),
                    attribute("keepdims", 1L));
            // round(fraction * shorter) as tl computes it: (numerator * shorter + denominator / 2) / denominator
            long numerator = Math.round(framing.fraction() * DENOMINATOR);
            String scaled = graph.node("Mul", prefix + "/times_fraction",
                    List.of(shorter, graph.int64s(prefix + "/fraction_numerator", numerator)));
            String rounded = graph.node("Div", prefix + "/crop_side_rounded", List.of(
                    graph.node("Add", prefix + "/plus_half", List.of(scaled,
                            graph.int64s(prefix + "/half_denominator", DENOMINATOR / 2))),
                    graph.int64s(prefix + "/fraction_denominator", DENOMINATOR)));
            String empty = graph.node("Cast", prefix + "/crop_side_is_zero", List.of(graph.node("Equal",
                    prefix + "/crop_side_zero", List.of(rounded, graph.int64s(prefix + "/zero", 0)))),
                    attribute("to", (long) TensorProto.DataType.INT64.getNumber()));
            String side = graph.node("Add", prefix + "/crop_side", List.of(rounded, empty)); // at least one pixel
            String start = graph.node("Div", prefix + "/crop_start", List.of(
                    graph.node("Sub", prefix + "/margins", List.of(heightWidth, side)),
                    graph.int64s(prefix + "/two", 2)));
            String end = graph.node("Add", prefix + "/crop_end", List.of(start, side));
            x = graph.node("Slice", prefix + "/crop", List.of(x, start, end, graph.int64s(prefix + "/crop_axes", 2, 3)));
        }
        String sizes = graph.node("Concat", prefix + "/resized_shape", List.of(
                graph.node("Gather", prefix + "/batch_channels", List.of(shape,
                        graph.int64s(prefix + "/batch_channel_axes", 0, 1)), attribute("axis", 0L)),
                graph.int64s(prefix + "/input_size", size, size)), attribute("axis", 0L));
        String resized = graph.node("Resize", prefix + "/resize", List.of(x,
                graph.floats(prefix + "/no_roi", new long[] {0}), graph.floats(prefix + "/no_scales", new long[] {0}),
                sizes), attribute("mode", "linear"), attribute("coordinate_transformation_mode", "half_pixel"));
        return graph.node("Round", prefix + "/to_whole_values", List.of(resized));
    }
}
