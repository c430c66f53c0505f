package dev.tl.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** An exported file loaded in ONNX Runtime with full graph optimisation, as a deployment would load it. */
public final class OnnxRuntimeModel implements AutoCloseable {

    /** A float32 tensor to feed: values in row-major order and the shape. */
    public record Tensor(float[] values, long... shape) {
    }

    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    private OnnxRuntimeModel(OrtSession session) {
        this.session = session;
    }

    public static OnnxRuntimeModel load(Path file) throws OrtException {
        try (OrtSession.SessionOptions options = fullyOptimised()) {
            return new OnnxRuntimeModel(OrtEnvironment.getEnvironment().createSession(file.toString(), options));
        }
    }

    static OrtSession.SessionOptions fullyOptimised() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setIntraOpNumThreads(1);
        return options;
    }

    /** The model's single output (class probabilities, one row per example). */
    public float[][] run(Map<String, Tensor> inputs) throws OrtException {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> input : inputs.entrySet()) {
                feed.put(input.getKey(), OnnxTensor.createTensor(environment,
                        FloatBuffer.wrap(input.getValue().values()), input.getValue().shape()));
            }
            try (OrtSession.Result result = session.run(feed)) {
                return (float[][]) result.get(0).getValue();
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    public Map<String, String> metadata() throws OrtException {
        return session.getMetadata().getCustomMetadata();
    }

    public OrtSession session() {
        return session;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
