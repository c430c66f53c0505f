package dev.tl.cli;

import dev.tl.data.BatchLoader;
import dev.tl.data.DecoderPreload;
import dev.tl.data.ImageSet;
import dev.tl.data.ImageViews;
import dev.tl.data.LabelledImage;
import dev.tl.data.UnlabelledImages;
import dev.tl.engine.EngineChoice;
import dev.tl.engine.Inference;
import dev.tl.engine.OnnxModelCache;
import dev.tl.engine.Session;
import dev.tl.engine.Sessions;
import dev.tl.features.FeatureFiles;
import dev.tl.features.FeatureProvenance;
import dev.tl.features.FeatureTable;
import dev.tl.features.ParquetFeatures;
import dev.tl.features.SparkEmbedding;
import dev.tl.features.SparkSubmit;
import dev.tl.model.BaseWeights;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelSpec;
import dev.tl.zoo.weights.WeightCache;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tl embed}: the pooled backbone features of every image, with its path and label. */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write one feature vector per image (the backbone's global-average-pooled output), with its "
                + "path and label: class folders or a label option as for train, or a flat folder of images, "
                + "whose label is left empty.",
        footerHeading = "%nExamples:%n",
        footer = {"  tl embed --model mobilenet --data photos --out features.csv",
                "  tl embed --model densenet201,mobilenetv2 --data photos --out features.npy"})
final class EmbedCommand implements Callable<Integer>, Nd4jOnDemand {

    private static final Logger log = LoggerFactory.getLogger(EmbedCommand.class);
    private static final String OUT = "--out";
    private static final String SPARK = "--spark";

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    DeviceOption device;

    @Mixin
    EngineOption engine;

    @Mixin
    ModelOptions model;

    @Mixin
    WeightsOption weights;

    @Mixin
    BatchSizeOption batch;


    @Mixin
    PrecisionOption precision;

    @Mixin
    LabelledImages images;

    @Option(names = OUT, required = true, paramLabel = "FILE",
            description = "CSV (path,label,f0,f1,...), a .npy float32 matrix with FILE.index.csv (path,label) beside "
                    + "it, or " + ParquetFeatures.EXTENSION + " (path, label, features; what tl train --features reads).")
    Path out;

    @Option(names = SPARK, paramLabel = "MASTER",
            description = "Run the feature pass on Apache Spark: local[N] on this machine, or a cluster (spark://..., "
                    + "yarn, k8s://... with SPARK_HOME set). --data and --out may then be on any Hadoop file system "
                    + "(hdfs://, s3a://...); --out must end in " + ParquetFeatures.EXTENSION + " and becomes a directory of part files.")
    String spark;

    @Override
    public Integer call() {
        ModelSpec modelSpec = new ModelSpec(model.bases(), new HeadSpec(0, 0), 1);
        return spark != null ? onSpark(modelSpec) : onThisMachine(modelSpec);
    }

    private int onThisMachine(ModelSpec modelSpec) {
        DecoderPreload.start();
        Flags.about(OUT, () -> FeatureFiles.checkTarget(out));
        EngineChoice engines = engine.choice(precision.precision);
        ImageSet set = images.labelled() || !UnlabelledImages.isFlatFolder(images.data()) ? images.scan()
                : new ImageSet(List.of(), UnlabelledImages.of(List.of(images.data()), images.check()).usable());
        List<Optional<Path>> weightFiles = BaseWeights.resolve(modelSpec, weights.weights, WeightCache.standard());
        OnnxModelCache models = OnnxModelCache.standard();
        float[][] features;
        long start = System.nanoTime();
        List<Session> bases = new ArrayList<>();
        try {
            for (int i = 0; i < modelSpec.bases().size(); i++) {
                int base = i;
                bases.add(engines.open(models.featureExtractor(modelSpec, base, weightFiles.get(base),
                        BaseWeights.RANDOM_INIT_SEED, () -> BaseWeights.extractor(modelSpec, base,
                                weightFiles.get(base)))));
            }
            Session session = Sessions.concatenated(bases);
            try (BatchLoader loader = Inference.loaderFor(session)) {
                features = Inference.outputs("embed", session, loader, set.images(), batch.batchSize,
                        ImageViews.PLAIN);
            }
        } finally {
            bases.forEach(Session::close);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        log.info("embedded {} images in {} s ({} img/s, decoding included)", features.length,
                String.format(Locale.ROOT, "%.2f", seconds), String.format(Locale.ROOT, "%.2f", features.length / seconds));
        Flags.about(OUT, () -> {
            if (ParquetFeatures.isParquet(out)) {
                ParquetFeatures.write(out, FeatureProvenance.of(modelSpec, weights.weights, weightFiles),
                        rows(set, features));
            } else {
                FeatureFiles.write(out, set, features);
            }
            return out;
        });
        int dimension = features.length == 0 ? 0 : features[0].length;
        spec.commandLine().getOut().printf("wrote %d x %d features to %s%n", features.length, dimension,
                out.toAbsolutePath().normalize());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * Inside the Spark job the pass runs here; from the CLI the job is submitted with this command's arguments
     * (as written: paths may be URIs of other file systems) and prints what it would.
     */
    private int onSpark(ModelSpec modelSpec) {
        Flags.require(ParquetFeatures.isParquet(out), OUT, "the Spark job writes Parquet: name it FILE" + ParquetFeatures.EXTENSION);
        Flags.require(RunArguments.written(spec, LabelledImages.FILENAME) == null, LabelledImages.FILENAME,
                "not with " + SPARK + ": label the images by class folders or " + LabelledImages.CSV);
        Optional<SparkEmbedding> inProcess = SparkEmbedding.inProcess();
        if (inProcess.isEmpty()) {
            return Flags.about(SPARK, SparkSubmit::fromLauncher)
                    .run(spark, RunArguments.asWritten(spec, SPARK), spec.commandLine().getOut());
        }
        SparkEmbedding.Result result = Flags.about(SPARK, () -> inProcess.get().embed(new SparkEmbedding.Job(spark,
                modelSpec.bases(), weights.weights, batch.batchSize, precision.precision, engine.engine,
                RunArguments.written(spec, LabelledImages.DATA), RunArguments.written(spec, LabelledImages.CSV),
                RunArguments.written(spec, OUT))));
        spec.commandLine().getOut().printf("wrote %d x %d features to %s%n", result.images(), result.dimension(),
                result.out());
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static List<FeatureTable.Row> rows(ImageSet set, float[][] matrix) {
        List<FeatureTable.Row> rows = new ArrayList<>();
        for (int i = 0; i < set.size(); i++) {
            LabelledImage image = set.images().get(i);
            rows.add(new FeatureTable.Row(image.path().toString(),
                    image.label() < 0 ? "" : set.classes().get(image.label()), matrix[i])); // unlabelled: empty
        }
        return rows;
    }
}
