package dev.tl.cli;

import dev.tl.bundle.ModelBundle;
import dev.tl.export.ExportFormat;
import dev.tl.export.OnnxExport;
import dev.tl.export.OnnxOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.ValueInfoProto;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tl export}: a trained model as a file other runtimes load. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write a trained model (backbones and head) as an ONNX model, for ONNX Runtime and others.")
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model-dir", defaultValue = "tl-model", paramLabel = "DIR",
            description = "Model bundle. Default: ./${DEFAULT-VALUE}.")
    Path modelDir;

    @Option(names = "--format", required = true, paramLabel = "onnx", description = "Output format.")
    String format;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file to write (model.onnx).")
    Path out;

    @Option(names = "--opset", defaultValue = "" + OnnxOptions.DEFAULT_OPSET, paramLabel = "N",
            description = "ONNX operator set, " + OnnxOptions.MIN_OPSET + " to " + OnnxOptions.MAX_OPSET
                    + ". Default: ${DEFAULT-VALUE}.")
    int opset;

    @Option(names = "--batch", defaultValue = "dynamic", paramLabel = "dynamic|N",
            description = "Batch size of the inputs: any (dynamic) or fixed. Default: ${DEFAULT-VALUE}.")
    String batch;

    @Option(names = "--with-preprocessing",
            description = "Put the backbone's preprocessing into the graph: it then takes raw RGB values 0-255.")
    boolean withPreprocessing;

    @Override
    public Integer call() {
        ExportFormat exportFormat = ExportFormat.parse(format);
        OnnxOptions options = new OnnxOptions(opset, OnnxOptions.parseBatch(batch), withPreprocessing);
        Path target = exportFormat.checkOutput(out);
        ModelProto model = OnnxExport.model(ModelBundle.load(modelDir), options);
        OnnxExport.write(model, target);
        print(model, target);
        return 0;
    }

    private void print(ModelProto model, Path target) {
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "wrote %s (ONNX opset %d, %d nodes)%n", target,
                model.getOpsetImport(0).getVersion(), model.getGraph().getNodeCount());
        String expects = withPreprocessing ? "RGB pixel values 0-255" : "preprocessed pixels (see metadata 'inputs')";
        for (ValueInfoProto input : model.getGraph().getInputList()) {
            stdout.printf("  input  %s %s: %s%n", input.getName(), shape(input), expects);
        }
        for (ValueInfoProto output : model.getGraph().getOutputList()) {
            stdout.printf("  output %s %s: class probabilities (metadata 'classes')%n", output.getName(),
                    shape(output));
        }
        stdout.flush();
    }

    private static String shape(ValueInfoProto value) {
        return value.getType().getTensorType().getShape().getDimList().stream()
                .map(dim -> dim.getValueCase() == TensorShapeProto.Dimension.ValueCase.DIM_PARAM ? dim.getDimParam()
                        : Long.toString(dim.getDimValue()))
                .collect(Collectors.joining(",", "[", "]"));
    }
}
