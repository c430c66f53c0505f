package dev.tl.cli;

import dev.tl.TlException;
import dev.tl.bundle.ModelBundle;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageCheck;
import dev.tl.data.ImageFolder;
import dev.tl.data.ImageViews;
import dev.tl.data.LabeledImage;
import dev.tl.eval.Prediction;
import dev.tl.eval.Predictions;
import dev.tl.model.Classifier;
import dev.tl.model.ImageNetClassifier;
import dev.tl.model.Inference;
import dev.tl.zoo.weights.WeightCache;
import dev.tl.zoo.weights.WeightsChoice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tl predict}: top-k classes with probabilities for images or directories of images. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Classify images with a trained model, or with a backbone's stock ImageNet classifier (--model).")
final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    BundleOption bundle;

    /** Instead of a bundle: a backbone with Keras' 1000-class ImageNet classifier. */
    @Mixin
    ModelOptions model;

    /** With --model: Keras' with-top ImageNet weights, or a with-top .h5 file. */
    @Mixin
    WeightsOption weights;

    @Option(names = "--top-k", defaultValue = "3", paramLabel = "K", converter = Converters.Positive.class,
            description = "Classes to show per image. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Mixin
    BatchSizeOption batch;

    @Mixin
    OutputOptions output;

    @Mixin
    TtaOption tta;

    @Mixin
    ImageCheckOptions imageCheck;

    @Parameters(arity = "1..*", paramLabel = "IMAGE|DIR", description = "Image files, or directories searched recursively for images.")
    List<Path> inputs;

    @Override
    public Integer call() {
        Flags.exclusive("--model", model.given(), "--model-dir", bundle.given());
        ImageViews views = tta.imageViews();
        List<LabeledImage> images = expand(inputs, imageCheck.check());
        Classifier classifier = model.given() ? imageNetClassifier() : bundleClassifier();
        List<Prediction> predictions = new ArrayList<>();
        try (BatchLoader loader = new BatchLoader(classifier.inputs(), 0)) {
            Inference.run(classifier.graph(), loader, images, batch.batchSize, views, (batch, output) -> {
                float[][] rows = output.toFloatMatrix();
                for (int i = 0; i < rows.length; i++) {
                    predictions.add(Predictions.topK(batch.images().get(i).path().toString(), rows[i],
                            classifier.classes(), topK));
                }
            });
        }
        output.print(spec, predictions, new PredictionsRenderer());
        return 0;
    }

    private Classifier bundleClassifier() {
        Flags.require(!RunArguments.given(spec, "--crop"), "--crop",
                "a trained model frames images as it was trained to; --crop goes with --model");
        return Flags.about("--model-dir", () -> ModelBundle.load(bundle.dir())).classifier();
    }

    private Classifier imageNetClassifier() {
        Flags.require(model.imageSize == null, "--image-size",
                "the stock ImageNet classifier runs at its backbone's own input size");
        Flags.require(weights.weights.kind() != WeightsChoice.Kind.NONE, WeightsOption.NAME,
                "none: an untrained ImageNet classifier predicts nothing; use imagenet or a with-top .h5 file");
        return ImageNetClassifier.load(model.single().backbone(), weights.weights, WeightCache.standard(),
                model.framing);
    }

    /**
     * Files as given; directories expanded to the image files below them as training reads folders (sorted,
     * hidden folders left out, links followed). Unlabelled (label -1). A file that cannot be used is skipped with a
     * warning naming it (with --strict: an error); none usable at all is an error.
     */
    private static List<LabeledImage> expand(List<Path> paths, ImageCheck check) {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                files.addAll(ImageFolder.listImages(path, "IMAGE|DIR"));
            } else if (Files.isRegularFile(path)) {
                files.add(path);
            } else {
                throw new TlException("no such image or directory: " + path);
            }
        }
        if (files.isEmpty()) {
            throw new TlException("no images found in " + paths);
        }
        List<LabeledImage> images = files.stream().filter(check::usable).map(f -> new LabeledImage(f, -1)).toList();
        if (images.isEmpty()) {
            throw new TlException("none of the " + files.size() + " image files in " + paths + " can be read");
        }
        return images;
    }
}
