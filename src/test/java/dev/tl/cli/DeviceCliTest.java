package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.LogCapture;
import dev.tl.TestData;
import dev.tl.device.DeviceSelection;
import org.junit.jupiter.api.Test;

/** {@code --device} and {@code tl info} on the test classpath, which holds only the CPU backend. */
class DeviceCliTest {

    @Test
    void aGpuThatThisBuildCannotUseIsExit2WithTheReasonBeforeAnyWork() {
        CliRunner.Result result = CliRunner.run("train", "--model", "mobilenet", "--weights", "none", "--device",
                "gpu", "--data", TestData.TRAIN.toString(), "--output", "/nonexistent/never-written");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--device: no usable GPU: this tl was built without the CUDA backend")
                .doesNotContain("Exception");
    }

    @Test
    void theDeviceIsLoggedOnlyWhereItMatters() {
        // a CPU-only build on --device auto logs nothing (but under -v; tl info prints it); a device asked for is named
        assertThat(LogCapture.infoLinesOf(DeviceSelection.class, () -> CliRunner.run("info"))).isEmpty();
        assertThat(LogCapture.infoLinesOf(DeviceSelection.class, () -> CliRunner.run("info", "--device", "cpu")))
                .singleElement().asString().startsWith("device cpu: CPU (").hasSizeLessThanOrEqualTo(91);
    }

    @Test
    void aBadDeviceIsExit2NamingTheOption() {
        CliRunner.Result result = CliRunner.run("info", "--backend", "tpu");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--backend").contains("expected auto, cpu or gpu");
    }

    @Test
    void infoNamesTheBackendItsBuildAndTheDevices() throws Exception {
        CliRunner.Result result = CliRunner.run("info", "--json");
        assertThat(result.exitCode()).isEqualTo(0);
        JsonNode info = Json.MAPPER.readTree(result.out());
        assertThat(info.get("backend").asText()).isEqualTo("cpu");
        assertThat(info.get("device").asText()).isEqualTo("auto");
        assertThat(info.get("choice").asText()).contains("built without the CUDA backend");
        assertThat(info.get("native_build").asText()).startsWith("linux-x86_64");
        assertThat(info.get("layout").asText()).isEqualTo("NHWC");
        assertThat(info.get("devices")).hasSize(1);
        assertThat(info.get("devices").get(0).get("memory_bytes").asLong()).isPositive();
        assertThat(info.get("threads").get("nd4j").asInt()).isPositive();
        assertThat(info.get("caches").get("weights").asText()).endsWith("weights");
        assertThat(info.get("tl_version").asText()).startsWith("tl ");
        assertThat(info.get("caches").get("onnx").asText()).endsWith("onnx");
        JsonNode inference = info.get("engines").get("inference");
        assertThat(inference.get("engine").asText()).isEqualTo("onnxruntime");
        assertThat(inference.get("device").asText()).isEqualTo("cpu");
        assertThat(inference.get("runtime").asText()).startsWith("onnxruntime 1.");
        assertThat(inference.get("reason").asText()).contains("built without ONNX Runtime's CUDA provider");
        assertThat(info.get("engines").get("training").get("engine").asText()).isEqualTo("dl4j");
        assertThat(info.get("engines").get("training").get("device").asText()).isEqualTo("cpu");
    }

    /** predict, evaluate and embed choose the device before starting ND4J, which their engine may never need. */
    @Test
    void aGpuThatThisBuildCannotUseIsExit2ForCommandsThatMayNotStartNd4j() {
        CliRunner.Result result = CliRunner.run("predict", "--model", "mobilenet", "--device", "gpu",
                TestData.VAL.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--device: no usable GPU: this tl was built without the CUDA backend")
                .doesNotContain("Exception");
    }

    @Test
    void anEngineThatCannotRunWhatIsAskedIsExit2NamingTheOption() {
        CliRunner.Result bad = CliRunner.run("embed", "--model", "mobilenet", "--engine", "tensorrt", "--data",
                TestData.VAL.toString(), "--out", "/tmp/never.csv");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--engine").contains("expected auto, onnxruntime or dl4j");
        CliRunner.Result half = CliRunner.run("embed", "--model", "mobilenet", "--weights", "none", "--engine",
                "onnxruntime", "--precision", "fp16", "--data", TestData.VAL.toString(), "--out", "/tmp/never.csv");
        assertThat(half.exitCode()).isEqualTo(2);
        assertThat(half.err()).contains("--engine: fp16 runs on the dl4j engine only");
    }
}
