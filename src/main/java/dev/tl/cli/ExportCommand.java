package dev.tl.cli;

import dev.tl.bundle.ModelBundle;
import dev.tl.export.ExportFormat;
import dev.tl.export.OnnxExport;
import dev.tl.onnx.OnnxOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.ValueInfoProto;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code tl export}: a trained model as a file other runtimes load. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write a trained model (backbones and head) as an ONNX model, for ONNX Runtime and others.",
        footerHeading = "%nExamples:%n",
        footer = {"  tl export --model-dir my-model --format onnx --out model.onnx --with-preprocessing"})
final class ExportCommand implements Callable<Integer> {

    private static final String OUT = "--out";

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOption device;

    @Mixin
    BundleOption bundle;

    @Option(names = "--format", required = true, paramLabel = "onnx",
            description = "Output format.")
    ExportFormat format;

    @Option(names = OUT, required = true, paramLabel = "FILE", description = "The file to write (model.onnx).")
    Path out;

    @Option(names = "--opset", defaultValue = "" + OnnxOptions.DEFAULT_OPSET, paramLabel = "N", converter = Opsets.class,
            description = "ONNX operator set, " + OnnxOptions.MIN_OPSET + " to " + OnnxOptions.MAX_OPSET
                    + ". Default: ${DEFAULT-VALUE}.")
    int opset;

    @Option(names = "--batch", defaultValue = "dynamic", paramLabel = "dynamic|N", converter = Batches.class,
            description = "Batch size of the inputs: any (dynamic) or fixed. Default: ${DEFAULT-VALUE}.")
    OptionalInt batch;

    @Option(names = "--with-preprocessing",
            description = "Put the framing (crop, resize) and the backbone's preprocessing into the graph: it then "
                    + "takes decoded images of any size, RGB values 0-255, and gives tl's answer.")
    boolean withPreprocessing;

    static final class Opsets implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int opset = new Converters.Positive().convert(value);
            if (opset < OnnxOptions.MIN_OPSET || opset > OnnxOptions.MAX_OPSET) {
                throw new TypeConversionException(opset + " is not supported; choose " + OnnxOptions.MIN_OPSET
                        + " to " + OnnxOptions.MAX_OPSET + " (default " + OnnxOptions.DEFAULT_OPSET + ")");
            }
            return opset;
        }
    }

    /** {@code dynamic} (any batch size) or a fixed one. */
    static final class Batches implements ITypeConverter<OptionalInt> {
        @Override
        public OptionalInt convert(String value) {
            if (value.trim().equalsIgnoreCase("dynamic")) {
                return OptionalInt.empty();
            }
            try {
                return OptionalInt.of(new Converters.Positive().convert(value));
            } catch (TypeConversionException e) {
                throw new TypeConversionException("expected 'dynamic' or a positive whole number, got '" + value
                        + "'");
            }
        }
    }

    @Override
    public Integer call() {
        OnnxOptions options = new OnnxOptions(opset, batch, withPreprocessing);
        Path target = Flags.about(OUT, () -> format.checkOutput(out));
        ModelProto model = OnnxExport.model(Flags.about("--model-dir", () -> ModelBundle.load(bundle.dir())), options);
        Flags.about(OUT, () -> {
            OnnxExport.write(model, target);
            return target;
        });
        print(model, target);
        return 0;
    }

    private void print(ModelProto model, Path target) {
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "wrote %s (ONNX opset %d, %d nodes)%n", target,
                model.getOpsetImport(0).getVersion(), model.getGraph().getNodeCount());
        String expects = withPreprocessing ? "an image of any size, RGB values 0-255"
                : "framed, preprocessed pixels (see metadata 'inputs')";
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
