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
        return (float[][]) output(inputs, value -> value.getValue());
    }

    /** The model's single output of any shape, its values in row-major order. */
    public float[] values(Map<String, Tensor> inputs) throws OrtException {
        return (float[]) output(inputs, value -> {
            java.nio.FloatBuffer buffer = ((OnnxTensor) value).getFloatBuffer();
            float[] values = new float[buffer.remaining()];
            buffer.get(values);
            return values;
        });
    }

    private interface Read {
        Object from(ai.onnxruntime.OnnxValue value) throws OrtException;
    }

    private Object output(Map<String, Tensor> inputs, Read read) throws OrtException {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> input : inputs.entrySet()) {
                feed.put(input.getKey(), OnnxTensor.createTensor(environment,
                        FloatBuffer.wrap(input.getValue().values()), input.getValue().shape()));
            }
            try (OrtSession.Result result = session.run(feed)) {
                return read.from(result.get(0));
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
