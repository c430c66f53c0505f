package dev.tl.cli;

import dev.tl.Digests;
import dev.tl.bundle.ModelBundle;
import dev.tl.engine.Network;
import dev.tl.export.OnnxExport;
import java.util.List;

/**
 * A bundle's classifier as a network for the inference engines: ONNX Runtime runs the bundle's ONNX model while it
 * is the model file's (the DL4J graph is then never built), else the model file converted (and the conversion
 * added to the bundle); DL4J runs the model file.
 */
final class BundleNetwork {

    private BundleNetwork() {
    }

    static Network of(ModelBundle.Opened bundle) {
        return new Network("the model in " + bundle.directory(), bundle.metadata().inputSpecs(),
                () -> Flags.about(BundleOption.NAME, bundle::load).graph(), List.of(),
                graph -> OnnxExport.bundleModel(graph, bundle.metadata(), Digests.sha256(bundle.modelFile())),
                bundle.onnxStore());
    }
}
