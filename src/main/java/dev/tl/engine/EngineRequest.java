package dev.tl.engine;

import dev.tl.TlException;
import java.util.Arrays;
import java.util.Locale;

/** Which engine runs inference: ONNX Runtime where the graph converts and DL4J otherwise, or one of them. */
public enum EngineRequest {
    AUTO, ONNXRUNTIME, DL4J;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static EngineRequest fromId(String id) {
        return Arrays.stream(values()).filter(request -> request.id().equals(id.trim().toLowerCase(Locale.ROOT)))
                .findFirst()
                .orElseThrow(() -> new TlException("expected auto, onnxruntime or dl4j, got '" + id + "'"));
    }
}
