package dev.tl.bundle;

import dev.tl.Digests;
import dev.tl.Json;
import dev.tl.TlException;
import dev.tl.data.InputSpec;
import dev.tl.engine.OnnxStore;
import dev.tl.model.Classifier;
import dev.tl.plot.EvaluationFiles;
import dev.tl.plot.TrainingPlot;
import dev.tl.train.listener.HistoryCsv;
import dev.tl.zoo.Backbones;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trained model on disk: a directory holding the DL4J model file, {@code tl-model.json} and what tl writes beside
 * them. Saving writes a complete bundle beside the target and renames it into place ({@link BundleSwap}), so the
 * target is always the previous complete bundle or the new one, and replaces only what tl wrote
 * ({@link BundleTarget}). Loading treats the bundle as data: no Java deserialization ({@link ModelFile}), no file
 * outside the directory, and metadata that must agree with the model.
 */
public final class ModelBundle {

    private static final Logger log = LoggerFactory.getLogger(ModelBundle.class);

    public static final String METADATA_FILE = "tl-model.json";
    public static final String MODEL_FILE = "model.zip";
    /** The held-out test images of {@code tl train --test-split}, as a labels CSV (path,label). */
    public static final String TEST_SET_FILE = "test-set.csv";
    public static final String EVALUATION_FILE = "evaluation.json";
    /** A history of thousands of epochs and a list of thousands of skipped files take a few MB. */
    private static final long MAX_METADATA_BYTES = 64L << 20;
    /**
     * The model as ONNX, for the onnxruntime engine: written with the model (or added when a bundle without one is
     * first run on ONNX Runtime), it records the SHA-256 of the model file it was converted from under
     * {@value #ONNX_SOURCE_KEY}, so one left beside another model file is never used.
     */
    public static final String ONNX_FILE = "model.onnx";
    public static final String ONNX_SOURCE_KEY = "tl_model_file_sha256";

    /** {@code tl report}'s page, where it goes by default. */
    public static final String REPORT_FILE = "report.html";

    /**
     * Every file tl writes into a bundle, named by its writers: saving over a bundle replaces these, and only these.
     */
    public static final Set<String> OWN_FILES = Stream.concat(Stream.of(METADATA_FILE, MODEL_FILE, ONNX_FILE,
                    TEST_SET_FILE, EVALUATION_FILE, REPORT_FILE, BundleImages.VALIDATION_SET_FILE, HistoryCsv.FILE,
                    TrainingPlot.FILE), EvaluationFiles.FILES.stream()).collect(Collectors.toUnmodifiableSet());

    /** A save that would replace files tl did not write, refused. */
    public static final class NotReplaceable extends TlException {
        NotReplaceable(String message) {
            super(message);
        }
    }

    /**
     * A bundle read back from disk.
     *
     * @param metadataText its {@code tl-model.json} as read, which tells this bundle from one saved there later
     */
    public record Loaded(Path directory, ComputationGraph graph, BundleMetadata metadata, String metadataText) {

        public Loaded(Path directory, ComputationGraph graph, BundleMetadata metadata) {
            this(directory, graph, metadata, null);
        }

        public Classifier classifier() {
            return new Classifier(graph, metadata.inputSpecs(), metadata.classes());
        }

        public Opened opened() {
            return new Opened(directory, metadata, metadataText);
        }

        /** Whether the directory still holds this bundle, not one saved there since it was read. */
        public boolean isCurrent() {
            return opened().isCurrent();
        }
    }

    /**
     * A bundle whose metadata is read and checked, its model file not yet: what a command needs whose engine runs
     * the ONNX model, which neither builds the DL4J graph nor starts ND4J.
     *
     * @param metadataText its {@code tl-model.json} as read, which tells this bundle from one saved there later
     */
    public record Opened(Path directory, BundleMetadata metadata, String metadataText) {

        /** The DL4J model read, checked against the metadata and run once on a blank image. */
        public Loaded load() {
            Path file = modelFile();
            ModelFile.Read model = ModelFile.read(file);
            requireAgreement(directory.resolve(METADATA_FILE), metadata, model);
            requireItRuns(file, metadata, model.graph());
            return new Loaded(directory, model.graph(), metadata, metadataText);
        }

        /** Whether the directory still holds this bundle, not one saved there since it was read. */
        public boolean isCurrent() {
            return metadataText != null && metadataText.equals(readMetadataText(directory));
        }

        public Path modelFile() {
            return directory.resolve(metadata.modelFile());
        }

        public Path onnxFile() {
            return directory.resolve(ONNX_FILE);
        }

        /** Where the onnxruntime engine finds the bundle's ONNX model, and keeps one it converts. */
        public OnnxStore onnxStore() {
            return new BundleOnnx(this);
        }
    }

    /** The model's ONNX form, for a bundle to hold beside its model file. */
    @FunctionalInterface
    public interface OnnxForm {
        /** @param modelFileSha256 the checksum of the model file, which the ONNX model records */
        byte[] of(ComputationGraph graph, BundleMetadata metadata, String modelFileSha256);
    }

    /** How long evaluate or report wait for another writer of the bundle: adding their files takes a moment. */
    private static final Duration WRITER_PATIENCE = Duration.ofSeconds(5);
    /** How often a load starts again because a save replaced the bundle while it was being read. */
    private static final int LOAD_ATTEMPTS = 3;

    private ModelBundle() {
    }

    /**
     * Checks, before any work, that a bundle can be saved at {@code directory}: there is nothing tl did not write,
     * or {@code keepForeign} (those files are then kept in the new bundle). Repairs what an interrupted save left.
     * Returns a description of the bundle it would replace, or null.
     */
    public static String checkTarget(Path directory, boolean keepForeign) {
        return target(directory, keepForeign).replacing();
    }

    private static BundleTarget target(Path directory, boolean keepForeign) {
        Path target = directory.toAbsolutePath().normalize();
        BundleSwap.repair(target);
        BundleTarget existing = BundleTarget.inspect(target);
        existing.requireReplaceable(keepForeign);
        return existing;
    }

    /**
     * Saves the bundle with {@code extraFiles} (file name to text, e.g. a held-out test set) beside the model,
     * written into the staged bundle so they appear together with it or not at all.
     *
     * @param keepForeign whether files tl did not write may be there; they move into the new bundle
     */
    public static void save(Path directory, ComputationGraph graph, BundleMetadata metadata,
                            Map<String, String> extraFiles, boolean keepForeign) {
        save(directory, graph, metadata, extraFiles, keepForeign, null);
    }

    /**
     * As {@link #save(Path, ComputationGraph, BundleMetadata, Map, boolean)}, with the model's ONNX form as well
     * ({@code onnx} null: none; a model that does not convert is saved without).
     */
    public static void save(Path directory, ComputationGraph graph, BundleMetadata metadata,
                            Map<String, String> extraFiles, boolean keepForeign, OnnxForm onnx) {
        extraFiles.keySet().forEach(ModelBundle::requireOwnName);
        BundleTarget existing = target(directory, keepForeign);
        Path target = existing.path();
        Path staging = null;
        try {
            staging = BundleSwap.stage(target);
            if (staging.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            ModelFile.write(graph, metadata.inputs().stream().map(BundleMetadata.Input::imageSize).toList(),
                    staging.resolve(MODEL_FILE));
            if (onnx != null) {
                writeOnnx(onnx, graph, metadata, staging);
            }
            Files.writeString(staging.resolve(METADATA_FILE), Json.write(metadata), StandardCharsets.UTF_8);
            for (Map.Entry<String, String> file : extraFiles.entrySet()) {
                Files.writeString(staging.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
            }
            if (existing.replacing() != null) {
                log.info("replacing the bundle in {}", existing.replacing());
            }
            BundleSwap.replace(staging, target, existing.foreign());
            staging = null;
        } catch (IOException e) {
            throw new TlException("cannot write model bundle to " + target + ": " + e.getMessage(), e);
        } finally {
            if (staging != null) {
                BundleSwap.abandon(staging, target);
            }
        }
    }

    private static void writeOnnx(OnnxForm onnx, ComputationGraph graph, BundleMetadata metadata, Path staging)
            throws IOException {
        byte[] model;
        try {
            model = onnx.of(graph, metadata, Digests.sha256(staging.resolve(MODEL_FILE)));
        } catch (TlException e) {
            log.warn("the bundle holds no ONNX model ({}); ONNX Runtime cannot run it, DL4J does", e.getMessage());
            return;
        }
        Files.write(staging.resolve(ONNX_FILE), model);
    }

    private static void requireOwnName(String name) {
        if (!OWN_FILES.contains(name) || name.equals(MODEL_FILE) || name.equals(METADATA_FILE)) {
            throw new IllegalArgumentException("not a name for an extra bundle file: '" + name + "'");
        }
    }

    /**
     * Runs {@code write} — adding files to a loaded bundle ({@code tl evaluate}'s report), or reading its files
     * ({@code tl report}) — while holding the bundle's lock, and only if the directory still holds that bundle: a
     * {@code tl train} saving there meanwhile would otherwise get another model's files. Returns why it did not run,
     * or null once it ran.
     */
    public static String whileHeld(Opened bundle, Runnable write) {
        try (BundleLock lock = BundleLock.acquire(bundle.directory(), WRITER_PATIENCE)) {
            if (!bundle.isCurrent()) {
                return "a newer bundle was saved in " + bundle.directory() + " while this one was in use";
            }
            write.run();
            return null;
        } catch (BundleLock.Busy e) {
            return "another tl run (pid " + e.holder() + ") is writing " + bundle.directory()
                    + " (a tl train saves a new bundle there when it ends); run this again after it";
        }
    }

    /**
     * Reads the bundle in {@code directory}. A save may replace it meanwhile (it renames a whole new bundle into
     * place), so a load that ends with another {@code tl-model.json} than it began with starts again: the metadata
     * and the model always come from one bundle.
     */
    public static Loaded load(Path directory) {
        for (int attempt = 1; ; attempt++) {
            Loaded loaded = open(directory).load();
            if (attempt == LOAD_ATTEMPTS || loaded.isCurrent()) {
                return loaded;
            }
            log.debug("{} was replaced while it was read; reading it again", loaded.directory());
        }
    }

    /** The bundle's metadata, read and checked; its model file only checked to be there. */
    public static Opened open(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        BundleSwap.repair(dir);
        if (!Files.isDirectory(dir)) {
            throw new TlException("no model at " + dir + " (train one with: tl train ... --output "
                    + directory + ")");
        }
        Path metadataFile = dir.resolve(METADATA_FILE);
        if (!Files.isRegularFile(metadataFile)) {
            throw new TlException(dir + " is not a tl model bundle (no " + METADATA_FILE + ")");
        }
        byte[] metadataBytes = Json.readBytes(metadataFile, MAX_METADATA_BYTES);
        BundleMetadata metadata = Json.parse(metadataFile, metadataBytes, BundleMetadata.class);
        String metadataText = new String(metadataBytes, StandardCharsets.UTF_8);
        if (metadata.formatVersion() > BundleMetadata.FORMAT_VERSION) {
            throw new TlException(dir + " was written by a newer tl (bundle format "
                    + metadata.formatVersion() + "); upgrade tl to read it");
        }
        modelFile(dir, metadata);
        return new Opened(dir, metadata, metadataText);
    }

    /** The text of the bundle's {@code tl-model.json}, or null where it cannot be read. */
    private static String readMetadataText(Path dir) {
        try {
            return Files.readString(dir.resolve(METADATA_FILE), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    /** The model file {@code tl-model.json} names, which must be a file in the bundle directory itself. */
    private static Path modelFile(Path dir, BundleMetadata metadata) {
        String name = metadata.modelFile();
        Path file = name == null ? null : dir.resolve(name).normalize();
        if (file == null || !dir.equals(file.getParent()) || name.contains("/") || name.contains("\\")) {
            throw new TlException(dir.resolve(METADATA_FILE) + ": model_file must name a file in the bundle "
                    + "directory, not '" + name + "'");
        }
        try {
            if (!Files.isRegularFile(file) || !file.toRealPath().getParent().equals(dir.toRealPath())) {
                throw new TlException(file + " is missing, or not a file of the bundle directory");
            }
        } catch (IOException e) {
            throw new TlException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /**
     * The model computes class probabilities from images as the metadata describes them: run on one blank image at
     * the smallest size its backbone takes (at most the size it was trained at), in the layout it states.
     */
    private static void requireItRuns(Path file, BundleMetadata metadata, ComputationGraph graph) {
        List<long[]> shapes = metadata.inputs().stream().map(input -> {
            InputSpec spec = input.inputSpec();
            return new InputSpec(smallest(input), spec.preprocessing(), spec.layout(), spec.framing()).batchShape(1);
        }).toList();
        try {
            GraphCheck.run(graph, shapes, metadata.classes().size());
        } catch (RuntimeException e) {
            throw new TlException(file + ": the model does not run: " + e.getMessage(), e);
        }
    }

    private static int smallest(BundleMetadata.Input input) {
        try {
            return Math.min(input.imageSize(), Backbones.get(input.backbone()).minImageSize());
        } catch (TlException e) {
            return input.imageSize(); // a backbone this tl does not know
        }
    }

    /** The classes and input sizes the metadata states must be the model's. */
    private static void requireAgreement(Path metadataFile, BundleMetadata metadata, ModelFile.Read model) {
        ComputationGraph graph = model.graph();
        if (graph.getNumOutputArrays() != 1
                || !(graph.getOutputLayer(0).conf().getLayer() instanceof FeedForwardLayer output)) {
            throw new TlException(metadataFile + ": the model file is not a classifier with one output");
        }
        long outputs = output.getNOut();
        if (outputs != metadata.classes().size()) {
            throw new TlException(metadataFile + " lists " + metadata.classes().size() + " classes, but the model "
                    + "has " + outputs + " outputs");
        }
        List<BundleMetadata.Input> inputs = metadata.inputs();
        if (inputs.size() != graph.getConfiguration().getNetworkInputs().size()) {
            throw new TlException(metadataFile + " lists " + inputs.size() + " inputs, but the model has "
                    + graph.getConfiguration().getNetworkInputs().size());
        }
        List<Integer> trainedAt = model.inputSizes();
        for (int i = 0; i < inputs.size(); i++) {
            if (i < trainedAt.size() && trainedAt.get(i) != inputs.get(i).imageSize()) {
                throw new TlException(metadataFile + ": image_size " + inputs.get(i).imageSize() + " of input "
                        + (i + 1) + " is not the size the model was trained at (" + trainedAt.get(i) + ")");
            }
            CNN2DFormat layout = ModelFile.layout(graph.getConfiguration(),
                    graph.getConfiguration().getNetworkInputs().get(i));
            CNN2DFormat stated = inputs.get(i).inputSpec().layout();
            if (layout != null && layout != stated) {
                throw new TlException(metadataFile + ": inputs[" + i + "].layout: the model takes " + layout
                        + ", not " + stated + (inputs.get(i).layout() == null ? " (what a bundle without a layout "
                        + "states)" : ""));
            }
        }
    }
}
