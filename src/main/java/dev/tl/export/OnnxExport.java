package dev.tl.export;

import dev.tl.AtomicFiles;
import dev.tl.BuildInfo;
import dev.tl.TlException;
import dev.tl.bundle.BundleMetadata;
import dev.tl.bundle.ModelBundle;
import dev.tl.onnx.OnnxConversion;
import dev.tl.onnx.OnnxOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.StringStringEntryProto;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * {@code tl export --format onnx}: a trained classifier — backbone(s) and head — as one ONNX model of standard
 * operations, written with ONNX's own protobuf classes (shipped in nd4j-api).
 */
public final class OnnxExport {

    private OnnxExport() {
    }

    public static ModelProto model(ModelBundle.Loaded bundle, OnnxOptions options) {
        return model(bundle.graph(), bundle.metadata(), options);
    }

    /** The model of {@code graph}, whose inputs, classes and head {@code metadata} describes. */
    public static ModelProto model(ComputationGraph graph, BundleMetadata metadata, OnnxOptions options) {
        List<String> backbones = metadata.inputs().stream().map(BundleMetadata.Input::backbone).toList();
        String name = String.join("+", backbones) + " classifier";
        String version = BuildInfo.version().replaceFirst("^tl ", "");
        return ModelProto.newBuilder()
                .setIrVersion(options.irVersion())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(options.opset()))
                .setProducerName("tl")
                .setProducerVersion(version)
                .setDocString(name + " over " + metadata.classes().size() + " classes, exported by tl")
                .setGraph(OnnxConversion.classifier(graph, metadata.inputSpecs(), metadata.classes().size(), name,
                        options))
                .addAllMetadataProps(OnnxMetadata.of(metadata, graph.getConfiguration().getNetworkInputs(),
                        options.withPreprocessing(), version))
                .build();
    }

    /**
     * The ONNX model a bundle holds beside its model file (the file {@code tl export} writes with its defaults),
     * recording the model file's checksum so that it is never used beside another model file.
     */
    public static ModelProto bundleModel(ComputationGraph graph, BundleMetadata metadata, String modelFileSha256) {
        return model(graph, metadata, new OnnxOptions(OnnxOptions.DEFAULT_OPSET, OptionalInt.empty(), false))
                .toBuilder()
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey(ModelBundle.ONNX_SOURCE_KEY)
                        .setValue(modelFileSha256))
                .build();
    }

    /** Writes {@code model} so that {@code target} is only ever the previous file or the complete new one. */
    public static void write(ModelProto model, Path target) {
        try {
            AtomicFiles.write(target, model::writeTo);
        } catch (IOException e) {
            throw new TlException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
