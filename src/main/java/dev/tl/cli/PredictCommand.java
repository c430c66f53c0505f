package dev.tl.cli;

import dev.tl.bundle.ModelBundle;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageCheck;
import dev.tl.data.ImageViews;
import dev.tl.data.UnlabelledImages;
import dev.tl.eval.Prediction;
import dev.tl.eval.Predictions;
import dev.tl.model.Classifier;
import dev.tl.model.ImageNetClassifier;
import dev.tl.model.Inference;
import dev.tl.zoo.weights.WeightCache;
import dev.tl.zoo.weights.WeightsChoice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tl predict}: top-k classes with probabilities for images or directories of images. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Classify images with a trained model, or with a backbone's stock ImageNet classifier (--model).",
        footerHeading = "%nExamples:%n",
        footer = {"  tl predict --model-dir my-model photo.jpg more-photos/",
                "  tl predict --model-dir my-model --output-format csv photos/ > predictions.csv",
                "  tl predict --model densenet201 --top-k 5 photo.jpg   # ImageNet classes"})
final class PredictCommand implements Callable<Integer>, OutputOptions.CsvOutput {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    DeviceOption device;

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
    PrecisionOption precision;

    @Mixin
    ImageCheckOptions imageCheck;

    @Parameters(arity = "1..*", paramLabel = "IMAGE|DIR", description = "Image files, or directories searched recursively for images.")
    List<Path> inputs;

    @Override
    public Integer call() {
        Flags.exclusive("--model", model.given(), "--model-dir", bundle.given());
        ImageViews views = tta.imageViews();
        UnlabelledImages.Listing listing = UnlabelledImages.of(inputs, imageCheck.check());
        Classifier classifier = model.given() ? imageNetClassifier() : bundleClassifier();
        List<Prediction> predicted = new ArrayList<>();
        try (BatchLoader loader = new BatchLoader(classifier.inputs(), 0)) {
            ComputationGraph graph = precision.precision.apply(classifier.graph());
            Inference.run("predict", graph, loader, listing.usable(), batch.batchSize, views, (batch, output) -> {
                float[][] rows = output.toFloatMatrix();
                for (int i = 0; i < rows.length; i++) {
                    predicted.add(Predictions.topK(batch.images().get(i).path().toString(), rows[i],
                            classifier.classes(), topK));
                }
            });
        }
        output.print(spec, inInputOrder(listing, predicted), new PredictionsRenderer());
        return 0;
    }

    /** One record per input file, in order: its prediction, or the error that left it out. */
    private static List<Prediction> inInputOrder(UnlabelledImages.Listing listing, List<Prediction> predicted) {
        List<Prediction> records = new ArrayList<>();
        Iterator<Prediction> next = predicted.iterator();
        for (int i = 0; i < listing.files().size(); i++) {
            ImageCheck.Skipped skipped = listing.checks().get(i);
            records.add(skipped == null ? next.next()
                    : Prediction.skipped(listing.files().get(i).toString(), skipped.reason()));
        }
        return records;
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
}
