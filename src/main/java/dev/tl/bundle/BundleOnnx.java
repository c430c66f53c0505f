package dev.tl.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tl.AtomicFiles;
import dev.tl.Digests;
import dev.tl.Json;
import dev.tl.engine.OnnxStore;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bundle's {@value ModelBundle#ONNX_FILE} as the onnxruntime engine finds it: current while it records the
 * checksum of the bundle's model file and the classes of its {@code tl-model.json}; a bundle without one (written by
 * an earlier tl) gets it the first time its model is converted, where the directory can be written.
 */
final class BundleOnnx implements OnnxStore {

    private static final Logger log = LoggerFactory.getLogger(BundleOnnx.class);
    /** The metadata entry tl export's models list their classes in. */
    private static final String CLASSES = "classes";

    private final ModelBundle.Opened bundle;

    BundleOnnx(ModelBundle.Opened bundle) {
        this.bundle = bundle;
    }

    @Override
    public boolean holdsModel() {
        return Files.isRegularFile(bundle.onnxFile());
    }

    @Override
    public Optional<byte[]> load() {
        if (!holdsModel()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllBytes(bundle.onnxFile()));
        } catch (IOException e) {
            log.debug("cannot read {}: {}", bundle.onnxFile(), e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public boolean current(Map<String, String> metadata) {
        try {
            return Digests.sha256(bundle.modelFile()).equals(metadata.get(ModelBundle.ONNX_SOURCE_KEY))
                    && metadata.get(CLASSES) != null
                    && List.of(Json.MAPPER.readValue(metadata.get(CLASSES), String[].class))
                    .equals(bundle.metadata().classes());
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    @Override
    public void keep(byte[] model) {
        try {
            AtomicFiles.write(bundle.onnxFile(), out -> out.write(model));
            log.info("added {} to the bundle (its model converted once for ONNX Runtime)", bundle.onnxFile());
        } catch (IOException e) {
            log.info("could not add {} to the bundle ({}); the model is converted in memory each run",
                    bundle.onnxFile(), e.getMessage());
        }
    }
}
