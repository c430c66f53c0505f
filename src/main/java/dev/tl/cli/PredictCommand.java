package dev.tl.cli;

import dev.tl.Json;
import dev.tl.TlException;
import dev.tl.bundle.ModelBundle;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageFolder;
import dev.tl.data.ImageViews;
import dev.tl.data.LabeledImage;
import dev.tl.eval.Prediction;
import dev.tl.eval.Predictions;
import dev.tl.model.Classifier;
import dev.tl.model.ImageNetClassifier;
import dev.tl.model.Inference;
import dev.tl.zoo.Backbones;
import dev.tl.zoo.weights.WeightCache;
import dev.tl.zoo.weights.WeightsChoice;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tl predict}: top-k classes with probabilities for images or directories of images. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Classify images with a trained model, or with a backbone's stock ImageNet classifier (--model).")
final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--model-dir", paramLabel = "DIR", description = "Model bundle. Default: ./tl-model.")
    Path modelDir;

    @Option(names = "--model", paramLabel = "NAME",
            description = "Instead of a bundle: a backbone (see `tl models`) with Keras' 1000-class ImageNet classifier.")
    String model;

    @Option(names = "--weights", defaultValue = "imagenet", paramLabel = "imagenet|FILE",
            description = "With --model: Keras' with-top ImageNet weights (downloaded once, cached) or a with-top .h5 file. Default: ${DEFAULT-VALUE}.")
    String weights;

    @Option(names = "--top-k", defaultValue = "3", paramLabel = "K", description = "Classes to show per image. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--json", description = "Print one JSON array instead of text.")
    boolean json;

    @Mixin
    TtaOption tta;

    @Parameters(arity = "1..*", paramLabel = "IMAGE|DIR", description = "Image files, or directories searched recursively for images.")
    List<Path> inputs;

    @Override
    public Integer call() {
        if (topK < 1) {
            throw new TlException("--top-k must be at least 1, got " + topK);
        }
        if (model != null && modelDir != null) {
            throw new TlException("--model and --model-dir exclude each other");
        }
        ImageViews views = tta.imageViews();
        List<LabeledImage> images = expand(inputs);
        Classifier classifier = model != null
                ? ImageNetClassifier.load(Backbones.get(model), WeightsChoice.parse(weights), WeightCache.standard())
                : ModelBundle.load(modelDir != null ? modelDir : Path.of("tl-model")).classifier();
        List<Prediction> predictions = new ArrayList<>();
        try (BatchLoader loader = new BatchLoader(classifier.inputs(), 0)) {
            Inference.run(classifier.graph(), loader, images, Math.max(1, batchSize), views, (batch, output) -> {
                float[][] rows = output.toFloatMatrix();
                for (int i = 0; i < rows.length; i++) {
                    predictions.add(Predictions.topK(batch.images().get(i).path().toString(), rows[i],
                            classifier.classes(), topK));
                }
            });
        }
        print(predictions);
        return 0;
    }

    private void print(List<Prediction> predictions) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(predictions));
        } else {
            for (Prediction prediction : predictions) {
                StringBuilder line = new StringBuilder(prediction.path());
                for (Prediction.Label label : prediction.predictions()) {
                    line.append(String.format(Locale.ROOT, "\t%s %.4f", label.label(), label.probability()));
                }
                out.println(line);
            }
        }
        out.flush();
    }

    /** Files as given; directories expanded to the image files below them, sorted. Unlabelled (label -1). */
    private static List<LabeledImage> expand(List<Path> paths) {
        List<LabeledImage> images = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.walk(path)) {
                    files.filter(Files::isRegularFile).filter(ImageFolder::isImageFile).sorted()
                            .forEach(file -> images.add(new LabeledImage(file, -1)));
                } catch (IOException e) {
                    throw new TlException("cannot list " + path + ": " + e.getMessage(), e);
                }
            } else if (Files.isRegularFile(path)) {
                images.add(new LabeledImage(path, -1));
            } else {
                throw new TlException("no such image or directory: " + path);
            }
        }
        if (images.isEmpty()) {
            throw new TlException("no images found in " + paths);
        }
        return images;
    }
}
