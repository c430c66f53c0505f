package dev.tl.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.TlException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet feature files written and read by tl, one file or Spark's directory of part files. */
class ParquetFeaturesTest {

    private static final FeatureProvenance PROVENANCE = new FeatureProvenance(FeatureProvenance.FORMAT, "tl test",
            List.of(new FeatureProvenance.Base("mobilenet", 64, "tf", "NHWC", "none", null, 42L, 2, "crop:1.0"),
                    new FeatureProvenance.Base("vgg16", 32, "caffe", "NHWC", "imagenet", "ab12", null, 1,
                            "squash")));

    @TempDir
    Path dir;

    @Test
    void rowsAndProvenanceComeBackAsWritten() {
        List<FeatureTable.Row> rows = List.of(new FeatureTable.Row("a/x.jpg", "ants", new float[] {1.5f, -2f, 3e-7f}),
                new FeatureTable.Row("b/y,z.png", null, new float[] {0f, Float.MAX_VALUE, -0.25f}));
        Path file = dir.resolve("f.parquet");
        ParquetFeatures.write(file, PROVENANCE, rows);

        FeatureTable table = ParquetFeatures.read(file);
        assertThat(table.provenance()).isEqualTo(PROVENANCE);
        assertThat(table.provenance().offset(1)).isEqualTo(2);
        assertThat(table.rows()).hasSize(2);
        for (int i = 0; i < rows.size(); i++) {
            assertThat(table.rows().get(i).path()).isEqualTo(rows.get(i).path());
            assertThat(table.rows().get(i).label()).isEqualTo(rows.get(i).label());
            assertThat(table.rows().get(i).features()).containsExactly(rows.get(i).features());
        }
    }

    @Test
    void aDirectoryOfPartFilesIsOneTable() throws Exception {
        Path parts = Files.createDirectory(dir.resolve("f.parquet"));
        ParquetFeatures.write(parts.resolve("part-00001.snappy.parquet"), PROVENANCE,
                List.of(new FeatureTable.Row("2.jpg", "b", new float[] {2, 2, 2})));
        ParquetFeatures.write(parts.resolve("part-00000.snappy.parquet"), PROVENANCE,
                List.of(new FeatureTable.Row("1.jpg", "a", new float[] {1, 1, 1})));
        Files.writeString(parts.resolve("_SUCCESS"), "");
        assertThat(ParquetFeatures.read(parts).rows()).extracting(FeatureTable.Row::path)
                .containsExactly("1.jpg", "2.jpg");
    }

    @Test
    void aFileWithoutProvenanceOrWithTheWrongWidthIsRefusedNamingIt() {
        Path file = dir.resolve("short.parquet");
        ParquetFeatures.write(file, PROVENANCE, List.of(new FeatureTable.Row("1.jpg", "a", new float[] {1, 1})));
        assertThatThrownBy(() -> ParquetFeatures.read(file)).isInstanceOf(TlException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("has 2 features, its metadata says 3");
        assertThatThrownBy(() -> ParquetFeatures.read(dir.resolve("missing.parquet")))
                .isInstanceOf(TlException.class).hasMessageContaining("no Parquet file or directory");
    }
}
