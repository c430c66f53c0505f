package dev.tl.spark;

import dev.tl.Json;
import dev.tl.features.FeatureProvenance;
import dev.tl.features.ParquetFeatures;
import dev.tl.features.SparkEmbedding;
import dev.tl.model.BaseWeights;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelSpec;
import dev.tl.zoo.weights.WeightCache;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feature pass on Spark: the driver lists the images and resolves the weights (shipped to the executors with
 * the job), the executors run the frozen bases over their partitions ({@link PartitionFeatures}), and Spark writes
 * path, label and features to Parquet with the provenance on the features column, as tl embed does on one machine.
 */
public final class SparkFeatures implements SparkEmbedding {

    private static final Logger log = LoggerFactory.getLogger(SparkFeatures.class);
    /** Images per partition at most, so that a large data set spreads over more tasks than there are cores. */
    private static final int IMAGES_PER_PARTITION = 2000;

    @Override
    public Result embed(Job job) {
        SparkSession.Builder builder = SparkSession.builder().appName("tl embed").master(job.master());
        if (job.master().startsWith("local")) {
            // Driver and executors are this JVM: nothing needs an address beyond loopback.
            builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        }
        SparkSession spark = builder.getOrCreate();
        try {
            ModelSpec spec = new ModelSpec(job.bases(), new HeadSpec(0, 0), 1);
            List<Optional<Path>> weightFiles = BaseWeights.resolve(spec, job.weights(), WeightCache.standard());
            FeatureProvenance provenance = FeatureProvenance.of(spec, job.weights(), weightFiles);
            weightFiles.forEach(file -> file.ifPresent(path -> spark.sparkContext().addFile(path.toString())));
            List<ImageListing.Image> images = ImageListing.list(spark.sparkContext().hadoopConfiguration(),
                    job.data(), job.labelsCsv());
            JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
            int partitions = Math.max(context.defaultParallelism(),
                    (images.size() + IMAGES_PER_PARTITION - 1) / IMAGES_PER_PARTITION);
            log.info("embedding {} images on {} in {} partitions", images.size(), job.master(), partitions);
            List<Extractor.Base> bases = new ArrayList<>();
            for (int i = 0; i < spec.bases().size(); i++) {
                bases.add(new Extractor.Base(spec.bases().get(i).backboneName(), spec.bases().get(i).imageSize(),
                        spec.bases().get(i).framing().id(), weightFiles.get(i).map(path -> path.getFileName().toString()).orElse(null)));
            }
            Extractor extractor = new Extractor(bases, job.precision(), job.engine());
            JavaRDD<Row> rows = context.parallelize(images, Math.min(partitions, Math.max(1, images.size())))
                    .mapPartitions(new PartitionFeatures(extractor, job.batchSize()));
            spark.createDataFrame(rows, schema(provenance)).write().mode(SaveMode.Overwrite).parquet(job.out());
            return new Result(images.size(), provenance.featureSize(), job.out());
        } finally {
            spark.stop();
        }
    }

    /** The DataFrame's schema, the provenance on the features column (see {@link ParquetFeatures}). */
    static StructType schema(FeatureProvenance provenance) {
        Metadata metadata = new MetadataBuilder().putString(ParquetFeatures.PROVENANCE, Json.write(provenance)).build();
        return new StructType(new StructField[] {
                new StructField(ParquetFeatures.PATH, DataTypes.StringType, false, Metadata.empty()),
                new StructField(ParquetFeatures.LABEL, DataTypes.StringType, true, Metadata.empty()),
                new StructField(ParquetFeatures.FEATURES, DataTypes.createArrayType(DataTypes.FloatType, false), false,
                        metadata)});
    }
}
