package dev.tl.engine;

import dev.tl.TlException;
import dev.tl.model.Precision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine a command's inference passes run on. {@code auto} takes ONNX Runtime wherever the network converts to
 * ONNX and the runtime loads, else DL4J; half precision runs on DL4J only. A decision is logged with its reason the
 * first time it is made (later sessions that decide alike log at debug level).
 */
public final class EngineChoice {

    private static final Logger log = LoggerFactory.getLogger(EngineChoice.class);

    private final EngineRequest request;
    private final Dl4jEngine dl4j;
    private final InferenceEngine onnxRuntime;
    private final String noOnnxRuntime;
    private String logged;

    public EngineChoice(EngineRequest request, Precision precision) {
        this(request, precision, new OnnxRuntimeEngine());
    }

    /** With another engine in ONNX Runtime's place (tests). */
    EngineChoice(EngineRequest request, Precision precision, InferenceEngine onnxRuntime) {
        this.request = request;
        this.dl4j = new Dl4jEngine(precision);
        this.onnxRuntime = onnxRuntime;
        this.noOnnxRuntime = precision == Precision.FP32 ? null
                : precision.id() + " runs on the dl4j engine only (ONNX Runtime runs tl's graphs in fp32)";
        if (request == EngineRequest.ONNXRUNTIME && noOnnxRuntime != null) {
            throw new TlException(noOnnxRuntime);
        }
    }

    /** Inference on DL4J whatever was asked: for what only DL4J runs, e.g. fp16 passes in tests. */
    public static EngineChoice dl4j() {
        return new EngineChoice(EngineRequest.DL4J, Precision.FP32);
    }

    /** Starts loading ONNX Runtime in the background where sessions may open on it ({@link InferenceEngine#preload}). */
    public EngineChoice preloading() {
        if (mayUseOnnxRuntime()) {
            onnxRuntime.preload();
        }
        return this;
    }

    public EngineRequest request() {
        return request;
    }

    /** Whether sessions may open on ONNX Runtime (and conversions to ONNX are worth making). */
    public boolean mayUseOnnxRuntime() {
        return request != EngineRequest.DL4J && noOnnxRuntime == null;
    }

    /**
     * The engine {@link #open} would run {@code network} on, known without opening a session (ONNX Runtime's answer
     * may need the conversion, which the network's store then keeps for the session): what a cache of results
     * computed by the network is keyed on.
     */
    public String engineFor(Network network) {
        if (!mayUseOnnxRuntime()) {
            return Dl4jEngine.ID;
        }
        try {
            onnxRuntime.prepare(network);
            return onnxRuntime.id();
        } catch (EngineUnavailable e) {
            if (request == EngineRequest.ONNXRUNTIME) {
                throw new TlException("the onnxruntime engine cannot run " + network.description() + ": "
                        + e.getMessage(), e);
            }
            return Dl4jEngine.ID;
        }
    }

    /** {@code network} opened on the engine asked for; with {@code auto}, on ONNX Runtime unless it cannot run it. */
    public Session open(Network network) {
        if (!mayUseOnnxRuntime()) {
            Session session = dl4j.open(network);
            decided(session, request == EngineRequest.DL4J ? "as asked" : noOnnxRuntime);
            return session;
        }
        try {
            Session session = onnxRuntime.open(network);
            decided(session, request == EngineRequest.AUTO ? "the graph converts to ONNX" : "as asked");
            return session;
        } catch (EngineUnavailable e) {
            if (request == EngineRequest.ONNXRUNTIME) {
                throw new TlException("the onnxruntime engine cannot run " + network.description() + ": "
                        + e.getMessage(), e);
            }
            String why = "ONNX Runtime cannot run " + network.description() + ": " + e.getMessage();
            Session session;
            try {
                session = dl4j.open(network);
            } catch (TlException dl4jProblem) {
                throw new TlException(dl4jProblem.getMessage() + "; and " + why, dl4jProblem);
            }
            decided(session, why);
            return session;
        }
    }

    private void decided(Session session, String why) {
        String line = "inference engine: " + session.engine() + " on " + session.device().id() + " (" + why + ")";
        if (line.equals(logged)) {
            log.debug(line);
        } else {
            log.info(line);
            logged = line;
        }
    }
}
