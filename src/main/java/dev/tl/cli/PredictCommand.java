package dev.tl.cli;

import dev.tl.bundle.ModelBundle;
import dev.tl.data.BatchLoader;
import dev.tl.data.DecoderPreload;
import dev.tl.data.ImageCheck;
import dev.tl.data.ImageViews;
import dev.tl.data.UnlabelledImages;
import dev.tl.eval.Prediction;
import dev.tl.eval.Predictions;
import dev.tl.engine.EngineChoice;
import dev.tl.engine.Inference;
import dev.tl.engine.Network;
import dev.tl.engine.Session;
import dev.tl.model.Classifier;
import dev.tl.model.ImageNetClassifier;
import dev.tl.zoo.weights.WeightCache;
import dev.tl.zoo.weights.WeightsChoice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
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
        description = "Classify images with a trained model, or with a backbone's stock ImageNet classifier (--model).",
        footerHeading = "%nExamples:%n",
        footer = {"  tl predict --model-dir my-model photo.jpg more-photos/",
                "  tl predict --model-dir my-model --output-format csv photos/ > predictions.csv",
                "  tl predict --model densenet201 --top-k 5 photo.jpg   # ImageNet classes"})
final class PredictCommand implements Callable<Integer>, OutputOptions.CsvOutput, Nd4jOnDemand {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    DeviceOption device;

    @Mixin
    EngineOption engine;

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
        DecoderPreload.start();
        Flags.exclusive("--model", model.given(), BundleOption.NAME, bundle.given());
        ImageViews views = tta.imageViews();
        EngineChoice engines = engine.choice(precision.precision);
        UnlabelledImages.Listing listing = UnlabelledImages.of(inputs, imageCheck.check());
        Network network;
        List<String> classes;
        if (model.given()) {
            Classifier classifier = imageNetClassifier();
            network = Network.of("the ImageNet classifier", classifier.graph(), classifier.inputs());
            classes = classifier.classes();
        } else {
            Flags.require(!RunArguments.given(spec, "--crop"), "--crop",
                    "a trained model frames images as it was trained to; --crop goes with --model");
            ModelBundle.Opened opened = bundle.opened();
            network = BundleNetwork.of(opened);
            classes = opened.metadata().classes();
        }
        List<Prediction> predicted = new ArrayList<>();
        try (Session session = engines.open(network); BatchLoader loader = Inference.loaderFor(session)) {
            Inference.run("predict", session, loader, listing.usable(), batch.batchSize, views, (batch, rows) -> {
                for (int i = 0; i < rows.length; i++) {
                    predicted.add(Predictions.topK(batch.images().get(i).path().toString(), rows[i], classes,
                            topK));
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

    private Classifier imageNetClassifier() {
        Flags.require(model.imageSize == null, "--image-size",
                "the stock ImageNet classifier runs at its backbone's own input size");
        Flags.require(weights.weights.kind() != WeightsChoice.Kind.NONE, WeightsOption.NAME,
                "none: an untrained ImageNet classifier predicts nothing; use imagenet or a with-top .h5 file");
        return ImageNetClassifier.load(model.single().backbone(), weights.weights, WeightCache.standard(),
                model.framing);
    }
}
