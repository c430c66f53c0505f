package dev.tl.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.LogCapture;
import dev.tl.TlException;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.Precision;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which engine a pass runs on, and the one log line that says why. */
class EngineChoiceTest {

    private static final ModelSpec SPEC = new ModelSpec(List.of(new BaseSpec("mobilenet_0.25", 32)),
            new HeadSpec(0, 0), 2);
    private static final Network NETWORK = Network.of("mobilenet_0.25 features",
            ModelGraphs.featureExtractor(SPEC, 1), SPEC.inputSpecs());

    /** An ONNX Runtime that cannot run anything here, as where its native library does not load. */
    private static final InferenceEngine UNAVAILABLE = new InferenceEngine() {
        @Override
        public String id() {
            return OnnxRuntimeEngine.ID;
        }

        @Override
        public Session open(Network network) {
            throw new EngineUnavailable("ONNX Runtime cannot load here: no libonnxruntime.so for this platform", null);
        }

        @Override
        public void prepare(Network network) {
            open(network);
        }
    };

    @Test
    void autoFallsBackToDl4jSayingWhyOnce() {
        EngineChoice auto = new EngineChoice(EngineRequest.AUTO, Precision.FP32, UNAVAILABLE);
        List<String> lines = LogCapture.infoLinesOf(EngineChoice.class, () -> {
            auto.open(NETWORK).close();
            auto.open(NETWORK).close();
        });
        assertThat(lines).containsExactly("inference engine: dl4j on cpu (ONNX Runtime cannot run mobilenet_0.25 "
                + "features: ONNX Runtime cannot load here: no libonnxruntime.so for this platform)");
        assertThat(auto.engineFor(NETWORK)).isEqualTo(Dl4jEngine.ID);
    }

    @Test
    void onnxRuntimeAskedForIsAnErrorWhereItCannotRun() {
        EngineChoice asked = new EngineChoice(EngineRequest.ONNXRUNTIME, Precision.FP32, UNAVAILABLE);
        assertThatThrownBy(() -> asked.open(NETWORK)).isInstanceOf(TlException.class)
                .hasMessageStartingWith("the onnxruntime engine cannot run mobilenet_0.25 features: ONNX Runtime "
                        + "cannot load here");
        assertThatThrownBy(() -> new EngineChoice(EngineRequest.ONNXRUNTIME, Precision.FP16))
                .isInstanceOf(TlException.class).hasMessage("fp16 runs on the dl4j engine only (ONNX Runtime runs "
                        + "tl's graphs in fp32)");
    }

    @Test
    void halfPrecisionAndDl4jAskedForRunOnDl4j() {
        List<String> lines = LogCapture.infoLinesOf(EngineChoice.class, () -> {
            new EngineChoice(EngineRequest.AUTO, Precision.FP16).open(NETWORK).close();
            new EngineChoice(EngineRequest.DL4J, Precision.FP32).open(NETWORK).close();
        });
        assertThat(lines).containsExactly(
                "inference engine: dl4j on cpu (fp16 runs on the dl4j engine only (ONNX Runtime runs tl's graphs in "
                        + "fp32))",
                "inference engine: dl4j on cpu (as asked)");
    }

    @Test
    void autoTakesOnnxRuntimeWhereTheGraphConverts() {
        EngineChoice auto = new EngineChoice(EngineRequest.AUTO, Precision.FP32);
        List<String> lines = LogCapture.infoLinesOf(EngineChoice.class, () -> auto.open(NETWORK).close());
        assertThat(lines).containsExactly("inference engine: onnxruntime on cpu (the graph converts to ONNX)");
        assertThat(auto.engineFor(NETWORK)).isEqualTo(OnnxRuntimeEngine.ID);
    }
}
