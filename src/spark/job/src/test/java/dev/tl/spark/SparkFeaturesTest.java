package dev.tl.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tl.Json;
import dev.tl.TestData;
import dev.tl.cli.CliRunner;
import dev.tl.cli.HeadPredictions;
import dev.tl.features.FeatureProvenance;
import dev.tl.features.FeatureTable;
import dev.tl.features.ParquetFeatures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tl embed --spark local[2] on the sample images: Spark's feature pass gives tl embed's features on one machine,
 * and a head trained on them predicts what a head trained on the images predicts.
 */
class SparkFeaturesTest {

    private static final Path IMAGES = TestData.VAL;
    /** A fused pair of random bases, small and quick, seeded as the training below is. */
    private static final List<String> BASES = List.of("--model", "mobilenet,densenet121", "--image-size", "48,32",
            "--weights", "none", "--batch-size", "8");

    @TempDir
    static Path dir;

    static Path fromSpark;
    static Path fromOneMachine;

    @BeforeAll
    static void embed() throws Exception {
        fromSpark = dir.resolve("spark.parquet");
        fromOneMachine = dir.resolve("local.parquet");
        CliRunner.Result spark = tl(Stream.concat(Stream.of("embed", "--spark", "local[2]", "--data",
                IMAGES.toString(), "--out", fromSpark.toString()), BASES.stream()));
        assertThat(spark.exitCode()).as(spark.err()).isZero();
        assertThat(spark.out() + spark.err()).contains("wrote 40 x 2048 features to " + fromSpark);
        CliRunner.Result local = tl(Stream.concat(Stream.of("embed", "--data", IMAGES.toString(), "--out",
                fromOneMachine.toString()), BASES.stream()));
        assertThat(local.exitCode()).as(local.err()).isZero();
    }

    @Test
    void sparksFeaturesAreTlEmbedsOnOneMachine() {
        FeatureTable spark = ParquetFeatures.read(fromSpark);
        FeatureTable local = ParquetFeatures.read(fromOneMachine);
        assertThat(spark.provenance()).isEqualTo(local.provenance());
        Map<String, FeatureTable.Row> byPath = local.rows().stream()
                .collect(Collectors.toMap(row -> Path.of(row.path()).toAbsolutePath().normalize().toString(),
                        Function.identity()));
        assertThat(spark.rows()).hasSize(40);
        for (FeatureTable.Row row : spark.rows()) {
            FeatureTable.Row same = byPath.get(row.path());
            assertThat(same).as(row.path()).isNotNull();
            assertThat(row.label()).isEqualTo(same.label());
            float scale = 0;
            for (float value : same.features()) {
                scale = Math.max(scale, Math.abs(value));
            }
            assertThat(row.features()).containsExactly(same.features(), within(1e-5f * scale));
        }
    }

    @Test
    void sparkReadsTheProvenanceOfTlsOwnFilesAndOfItsOwn() throws Exception {
        SparkSession spark = SparkSession.builder().master("local[1]").appName("read")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
        try {
            for (Path file : List.of(fromOneMachine, fromSpark)) {
                var frame = spark.read().parquet(file.toString());
                assertThat(frame.count()).isEqualTo(40);
                String provenance = frame.schema().apply(ParquetFeatures.FEATURES).metadata()
                        .getString(ParquetFeatures.PROVENANCE);
                assertThat(Json.MAPPER.readValue(provenance, FeatureProvenance.class))
                        .isEqualTo(ParquetFeatures.read(fromOneMachine).provenance());
            }
        } finally {
            spark.stop();
        }
    }

    @Test
    void aHeadTrainedOnSparksFeaturesPredictsWhatAHeadTrainedOnTheImagesPredicts() throws Exception {
        Path fromFeatures = dir.resolve("from-spark-features");
        Path fromImages = dir.resolve("from-images");
        List<String> head = List.of("--frozen-epochs", "3", "--val-split", "0.25", "--seed", "5", "--batch-size", "8");
        List<String> bases = BASES.subList(0, BASES.indexOf("--batch-size"));
        CliRunner.Result trained = tl(Stream.concat(Stream.of("train", "--features", fromSpark.toString(),
                "--output", fromFeatures.toString()), head.stream()));
        assertThat(trained.exitCode()).as(trained.err()).isZero();
        List<String> images = new ArrayList<>(List.of("train", "--data", IMAGES.toString(), "--finetune-epochs", "0",
                "--no-feature-cache", "--output", fromImages.toString()));
        images.addAll(bases);
        images.addAll(head);
        CliRunner.Result fromImagesTrained = tl(images.stream());
        assertThat(fromImagesTrained.exitCode()).as(fromImagesTrained.err()).isZero();

        HeadPredictions.assertSame(fromFeatures, fromImages, IMAGES, 40, 1e-5);
    }

    private static CliRunner.Result tl(Stream<String> args) {
        return CliRunner.run(args.toArray(String[]::new));
    }
}
