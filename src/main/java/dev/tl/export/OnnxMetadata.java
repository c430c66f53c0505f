package dev.tl.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tl.Json;
import dev.tl.bundle.BundleMetadata;
import dev.tl.data.Preprocessing;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import onnx.Onnx.StringStringEntryProto;

/**
 * What an exported model says about itself in ONNX's metadata_props (ONNX Runtime: {@code
 * session.getModelMeta().custom_metadata_map}): the class names in output order and, for every input, what to feed
 * it, so a caller needs nothing but the file. Values are compact JSON.
 */
final class OnnxMetadata {

    static final String CLASSES = "classes";
    static final String INPUTS = "inputs";
    static final String HEAD = "head";
    static final String TL_VERSION = "tl_version";

    private static final ObjectWriter COMPACT = Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);

    /**
     * One input. Without the preprocessing in the graph, it takes the image framed as tl frames it ({@code squash}:
     * the whole image resized to the input size; {@code crop:F}: the centred square covering F of its shorter
     * side, resized), bilinearly, and channel c of the tensor is (p - mean[c]) / std[c] for the pixel value p
     * (0..255) of colour channel_order[c]. With it ({@code framing_in_graph} and {@code preprocessing_in_graph}),
     * it takes the decoded image itself, RGB 0..255 at any size, and the graph does both.
     */
    record Input(String name, String backbone, int imageSize, String layout, String framing, boolean framingInGraph,
                 String preprocessing, boolean preprocessingInGraph, String channelOrder, float[] mean, float[] std) {
    }

    private OnnxMetadata() {
    }

    /** @param inputNames the graph's input names, in the order of {@code metadata}'s inputs */
    static List<StringStringEntryProto> of(BundleMetadata metadata, List<String> inputNames,
                                           boolean preprocessingInGraph, String tlVersion) {
        List<Input> described = new ArrayList<>();
        for (int i = 0; i < inputNames.size(); i++) {
            BundleMetadata.Input input = metadata.inputs().get(i);
            Preprocessing preprocessing = input.inputSpec().preprocessing();
            described.add(new Input(inputNames.get(i), input.backbone(), input.imageSize(), "NCHW",
                    input.inputSpec().framing().id(), preprocessingInGraph, preprocessing.id(), preprocessingInGraph,
                    preprocessing.bgr() ? "BGR" : "RGB", preprocessing.mean(), preprocessing.std()));
        }
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(CLASSES, json(metadata.classes()));
        properties.put(INPUTS, json(described));
        properties.put(HEAD, json(metadata.head()));
        properties.put(TL_VERSION, tlVersion);
        return properties.entrySet().stream()
                .map(entry -> StringStringEntryProto.newBuilder().setKey(entry.getKey()).setValue(entry.getValue())
                        .build())
                .toList();
    }

    private static String json(Object value) {
        try {
            return COMPACT.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value, e);
        }
    }
}
