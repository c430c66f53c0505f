package dev.tl.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.tl.TlException;
import dev.tl.data.Batch;
import dev.tl.data.InputSpec;
import dev.tl.device.ComputeBackend;
import dev.tl.device.DeviceRequest;
import dev.tl.device.DeviceSelection;
import dev.tl.device.OnnxRuntimeCuda;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inference on ONNX Runtime: the graph converted to ONNX by the export package — in memory, or read from where an
 * earlier conversion was kept (a bundle's model file, the $TL_HOME cache) without building the DL4J graph — and run
 * as one optimised graph (BatchNorm folded, activations fused into the convolutions, blocked layouts). Its inputs
 * are NCHW, ONNX's own layout. ONNX Runtime's classes and native library load when the first session opens.
 */
public final class OnnxRuntimeEngine implements InferenceEngine {

    public static final String ID = "onnxruntime";

    private static final Logger log = LoggerFactory.getLogger(OnnxRuntimeEngine.class);

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Session open(Network network) {
        Runtime runtime = Runtime.get();
        Optional<byte[]> kept = network.store().load();
        if (kept.isPresent()) {
            OrtSession session = runtime.session(kept.get(), network.description());
            if (session != null && isCurrent(network, session)) {
                return new OrtBackedSession(runtime, session, network.inputs());
            }
            closeQuietly(session);
            log.info("{}: its kept ONNX model is not the graph's current one; converting the graph again",
                    network.description());
        }
        byte[] model = convert(network);
        network.store().keep(model);
        OrtSession session = runtime.session(model, network.description());
        if (session == null) {
            throw new IllegalStateException("ONNX Runtime rejects the model converted from " + network.description());
        }
        return new OrtBackedSession(runtime, session, network.inputs());
    }

    /** Loads ONNX Runtime and converts the network unless its store keeps a model already. */
    @Override
    public void prepare(Network network) {
        Runtime.get();
        if (!network.store().holdsModel()) {
            network.store().keep(convert(network));
        }
    }

    /** Loads ONNX Runtime on a thread of its own (a failure is left for the first session to meet and report). */
    @Override
    public void preload() {
        Thread thread = new Thread(() -> {
            try {
                Runtime.get();
            } catch (RuntimeException | LinkageError e) {
                log.debug("loading ONNX Runtime ahead failed: {}", e.toString());
            }
        }, "tl-onnxruntime-preload");
        thread.setDaemon(true);
        thread.start();
    }

    /** "onnxruntime VERSION on DEVICE", loading ONNX Runtime if needed. */
    public static String describe() {
        Runtime runtime = Runtime.get();
        return "onnxruntime " + runtime.environment.getVersion() + " on " + runtime.describeDevice();
    }

    /** Where ONNX Runtime computes and why (loading it if needed). */
    public static DeviceSelection.Choice device() {
        Runtime runtime = Runtime.get();
        return new DeviceSelection.Choice(runtime.device, runtime.deviceReason);
    }

    private static boolean isCurrent(Network network, OrtSession session) {
        try {
            return network.store().current(session.getMetadata().getCustomMetadata());
        } catch (OrtException e) {
            return false;
        }
    }

    private static byte[] convert(Network network) {
        long start = System.nanoTime();
        byte[] model;
        try {
            model = network.conversion().apply(network.graph().get()).toByteArray();
        } catch (TlException e) {
            throw new EngineUnavailable(e.getMessage(), e); // a layer without an ONNX mapping
        }
        log.debug("{}: converted to ONNX in {} s ({} MB)", network.description(),
                String.format(Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9),
                String.format(Locale.ROOT, "%.1f", model.length / 1e6));
        return model;
    }

    private static void closeQuietly(OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException e) {
                log.debug("closing an ONNX Runtime session: {}", e.getMessage());
            }
        }
    }

    /**
     * ONNX Runtime in this process: its environment with the thread pools every session shares, and the device and
     * session options {@link ComputeBackend.Kind#onnxRuntime()} gives for it. Loaded once.
     */
    private static final class Runtime {

        private static Runtime loaded;

        private final OrtEnvironment environment;
        private final ComputeBackend.Kind device;
        private final String deviceReason;
        private final ComputeBackend.OnnxRuntimeOptions options;

        private Runtime(OrtEnvironment environment, ComputeBackend.Kind device, String deviceReason) {
            this.environment = environment;
            this.device = device;
            this.deviceReason = deviceReason;
            this.options = device.onnxRuntime();
        }

        static synchronized Runtime get() {
            if (loaded == null) {
                loaded = load();
            }
            return loaded;
        }

        private static Runtime load() {
            DeviceSelection.Choice choice;
            try {
                choice = DeviceSelection.onnxRuntime(DeviceSelection.request());
            } catch (TlException e) {
                throw new EngineUnavailable(e.getMessage(), e);
            }
            ComputeBackend.OnnxRuntimeOptions options = choice.kind().onnxRuntime();
            OrtNatives.prepare();
            OrtEnvironment environment;
            try (OrtEnvironment.ThreadingOptions threads = new OrtEnvironment.ThreadingOptions()) {
                threads.setGlobalIntraOpNumThreads(options.intraOpThreads());
                threads.setGlobalInterOpNumThreads(options.interOpThreads());
                threads.setGlobalSpinControl(options.spinning());
                // Its own logger writes to stderr, past tl's: what goes wrong comes back as exceptions, which tl
                // reports; with -v its warnings show too (e.g. operations left off the GPU).
                environment = OrtEnvironment.getEnvironment(log.isDebugEnabled()
                        ? OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING : OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "tl",
                        threads);
            } catch (OrtException | LinkageError e) {
                throw new EngineUnavailable("ONNX Runtime cannot load here: " + e, e);
            }
            if (choice.kind() == ComputeBackend.Kind.CUDA) {
                Optional<String> problem = cudaProblem(options);
                if (problem.isPresent()) {
                    String reason = "its CUDA provider cannot start: " + OnnxRuntimeCuda.whyNot(problem.get());
                    if (DeviceSelection.request() == DeviceRequest.GPU) {
                        throw new EngineUnavailable("no usable GPU for ONNX Runtime: " + reason, null);
                    }
                    choice = new DeviceSelection.Choice(ComputeBackend.Kind.CPU, "no GPU: " + reason);
                    log.info("ONNX Runtime computes on the CPU: {}", reason); // a GPU is there: say why not
                }
            }
            return new Runtime(environment, choice.kind(), choice.reason());
        }

        /** Adding the CUDA provider loads CUDA's and cuDNN's libraries: a missing one fails here. */
        private static Optional<String> cudaProblem(ComputeBackend.OnnxRuntimeOptions options) {
            try (OrtSession.SessionOptions probe = new OrtSession.SessionOptions()) {
                probe.addCUDA(options.cudaDevice());
                return Optional.empty();
            } catch (OrtException | LinkageError e) {
                return Optional.of(String.valueOf(e.getMessage()));
            }
        }

        String describeDevice() {
            return device == ComputeBackend.Kind.CPU
                    ? "CPU (" + options.intraOpThreads() + " threads" + (options.spinning() ? "" : ", no spinning")
                    + ")" : "GPU " + options.cudaDevice() + " (CUDA)";
        }

        /** A session of {@code model}; null when ONNX Runtime rejects it (a damaged kept file). */
        OrtSession session(byte[] model, String description) {
            long start = System.nanoTime();
            try (OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions()) {
                sessionOptions.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.valueOf(options.optimisation()));
                sessionOptions.disablePerSessionThreads(); // the environment's pools
                sessionOptions.setCPUArenaAllocator(options.cpuArena());
                if (device == ComputeBackend.Kind.CUDA) {
                    sessionOptions.addCUDA(options.cudaDevice());
                }
                OrtSession session = environment.createSession(model, sessionOptions);
                log.debug("{}: ONNX Runtime session ready in {} s", description,
                        String.format(Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9));
                return session;
            } catch (OrtException e) {
                log.debug("{}: ONNX Runtime rejects the model: {}", description, e.getMessage());
                return null;
            }
        }
    }

    /**
     * A session over ONNX Runtime's; inputs are fed by position, in the graph's input order, through one direct
     * buffer per input reused batch after batch (ONNX Runtime reads it in place; a heap array would be copied into a
     * new direct buffer each time, which only the garbage collector frees).
     */
    private static final class OrtBackedSession implements Session {
        private final Runtime runtime;
        private final OrtSession session;
        private final List<InputSpec> inputs;
        private final List<String> inputNames;
        private final FloatBuffer[] buffers;

        OrtBackedSession(Runtime runtime, OrtSession session, List<InputSpec> inputs) {
            this.runtime = runtime;
            this.session = session;
            this.inputs = inputs.stream().map(input -> input.withLayout(CNN2DFormat.NCHW)).toList();
            this.inputNames = List.copyOf(session.getInputNames());
            if (inputNames.size() != inputs.size()) {
                throw new IllegalStateException("the ONNX model has inputs " + inputNames + ", the network "
                        + inputs.size());
            }
            this.buffers = new FloatBuffer[inputs.size()];
        }

        /** Input {@code i}'s direct buffer holding {@code pixels}, grown when a batch is larger than any before. */
        private FloatBuffer buffer(int i, float[] pixels) {
            if (buffers[i] == null || buffers[i].capacity() < pixels.length) {
                buffers[i] = ByteBuffer.allocateDirect(4 * pixels.length).order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
            }
            buffers[i].clear();
            buffers[i].put(pixels).flip();
            return buffers[i];
        }

        @Override
        public String engine() {
            return ID;
        }

        @Override
        public ComputeBackend.Kind device() {
            return runtime.device;
        }

        @Override
        public List<InputSpec> inputs() {
            return inputs;
        }

        @Override
        public List<Tensor> run(Batch batch) {
            Map<String, OnnxTensor> feed = new LinkedHashMap<>();
            try {
                for (int i = 0; i < inputNames.size(); i++) {
                    feed.put(inputNames.get(i), OnnxTensor.createTensor(runtime.environment,
                            buffer(i, batch.pixels()[i]), batch.shapes()[i]));
                }
                try (OrtSession.Result result = session.run(feed)) {
                    List<Tensor> outputs = new ArrayList<>();
                    for (Map.Entry<String, OnnxValue> output : result) {
                        OnnxTensor tensor = (OnnxTensor) output.getValue();
                        FloatBuffer values = tensor.getFloatBuffer();
                        float[] copy = new float[values.remaining()];
                        values.get(copy);
                        outputs.add(new Tensor(copy, tensor.getInfo().getShape()));
                    }
                    return outputs;
                }
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime failed on a batch: " + e.getMessage(), e);
            } finally {
                feed.values().forEach(OnnxTensor::close);
            }
        }

        @Override
        public void close() {
            closeQuietly(session);
        }
    }
}
