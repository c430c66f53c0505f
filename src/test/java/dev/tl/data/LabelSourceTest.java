package dev.tl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.TestData;
import dev.tl.TlException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File-name and CSV labels give the same classes as the class folders the images came from. */
class LabelSourceTest {

    @TempDir
    Path dir;

    private Path flat;
    /** Label by the folder the image came from, keyed by its new file name. */
    private final Map<String, String> folderLabel = new HashMap<>();

    /** Kaggle's layout: horizontal.0.jpg, vertical.0.jpg, ... all in one folder. */
    @BeforeEach
    void flattenAFewImages() throws Exception {
        flat = Files.createDirectories(dir.resolve("flat"));
        ImageSet originals = TestData.subset(TestData.TRAIN, 3);
        for (int i = 0; i < originals.size(); i++) {
            LabelledImage image = originals.images().get(i);
            String className = originals.classes().get(image.label());
            String name = className + "." + i + ".jpg";
            Files.copy(image.path(), flat.resolve(name));
            folderLabel.put(name, className);
        }
    }

    private static LabelSource byFilename(String regex) {
        return LabelSource.fromFilename(regex, "--labels-from-filename");
    }

    private Map<String, String> labelsByName(ImageSet set) {
        Map<String, String> labels = new HashMap<>();
        set.images().forEach(image -> labels.put(image.path().getFileName().toString(),
                set.classes().get(image.label())));
        return labels;
    }

    @Test
    void fileNamePatternLabelsLikeTheClassFolders() {
        ImageSet set = byFilename("^(\\w+)\\.\\d+\\.jpg$").scan(flat, "--data");

        assertThat(set.classes()).containsExactly("horizontal", "vertical");
        assertThat(set.countsPerClass()).containsExactly(3, 3);
        assertThat(labelsByName(set)).isEqualTo(folderLabel);
    }

    @Test
    void aGroupNamedLabelWinsOverTheFirstGroup() throws Exception {
        Files.createDirectories(flat.resolve("sub"));
        Files.move(flat.resolve("vertical.4.jpg"), flat.resolve("sub/vertical.4.jpg")); // recursive, like class folders
        Files.writeString(flat.resolve(".horizontal.9.jpg"), "hidden: skipped");
        Files.writeString(flat.resolve("notes.txt"), "not an image: skipped");

        ImageSet set = byFilename("^(\\w)\\w*?(?<label>l)\\.").scan(flat, "--data");

        assertThat(set.classes()).containsExactly("l");
        assertThat(set.size()).isEqualTo(6);
    }

    @Test
    void csvLabelsLikeTheClassFoldersWithQuotingAndAbsolutePaths() throws Exception {
        Files.move(flat.resolve("horizontal.0.jpg"), flat.resolve("an, \"odd\" name.jpg"));
        folderLabel.put("an, \"odd\" name.jpg", folderLabel.remove("horizontal.0.jpg"));
        StringBuilder csv = new StringBuilder("\uFEFFlabel,path\n\n"); // Excel's byte order mark, columns swapped
        for (Map.Entry<String, String> entry : folderLabel.entrySet()) {
            String path = entry.getKey().startsWith("vertical.3")
                    ? flat.resolve(entry.getKey()).toAbsolutePath().toString()
                    : entry.getKey();
            csv.append(entry.getValue()).append(",\"").append(path.replace("\"", "\"\"")).append("\"\n");
        }
        Path file = Files.writeString(dir.resolve("labels.csv"), csv);

        ImageSet set = LabelSource.fromCsv(file, "--labels-csv").scan(flat, "--data");

        assertThat(set.classes()).containsExactly("horizontal", "vertical");
        assertThat(labelsByName(set)).isEqualTo(folderLabel);
    }

    @Test
    void aWrittenCsvReadsBackAsTheSameSet() throws Exception {
        ImageSet set = byFilename("^(\\w+)\\.").scan(flat, "--data");
        Path file = Files.writeString(dir.resolve("set.csv"), CsvLabels.toCsv(set, flat));

        assertThat(Files.readString(file)).startsWith("path,label\n").contains("\nhorizontal.0.jpg,horizontal\n");
        assertThat(LabelSource.fromCsv(file, "--labels-csv").scan(flat, "--data")).isEqualTo(set);
    }

    @Test
    void imagesTheRegexCannotLabelAreCountedAndNamed() throws Exception {
        Files.copy(flat.resolve("horizontal.0.jpg"), flat.resolve("IMG_0001.jpg"));
        Files.copy(flat.resolve("horizontal.0.jpg"), flat.resolve("IMG_0002.jpg"));

        assertThatThrownBy(() -> byFilename("^([a-z]+)\\.\\d+\\.jpg$").scan(flat, "--data"))
                .isInstanceOf(TlException.class)
                .hasMessageStartingWith("--labels-from-filename: 2 of 8 images")
                .hasMessageContaining("IMG_0001.jpg, IMG_0002.jpg");
    }

    @Test
    void badPatternsNameTheFlag() {
        assertThatThrownBy(() -> byFilename("^(\\w+\\.jpg"))
                .isInstanceOf(TlException.class).hasMessageStartingWith("--labels-from-filename: not a valid regular");
        assertThatThrownBy(() -> byFilename("\\w+\\.jpg"))
                .isInstanceOf(TlException.class).hasMessageStartingWith("--labels-from-filename:")
                .hasMessageContaining("no capture group");
        assertThatThrownBy(() -> byFilename("(x)").scan(dir.resolve("nope"), "--data"))
                .isInstanceOf(TlException.class).hasMessageStartingWith("--data: not a directory");
    }

    @Test
    void csvErrorsNameTheFileAndLine() throws Exception {
        assertCsvError("path,label,extra\nhorizontal.0.jpg,horizontal,x\n", "labels.csv line 1: unknown column 'extra'");
        assertCsvError("path\nhorizontal.0.jpg\n", "labels.csv line 1: the header needs column 'label'");
        assertCsvError("path,label\nhorizontal.0.jpg,horizontal\n\nvertical.3.jpg,\n", "labels.csv line 4: empty label");
        assertCsvError("path,label\nhorizontal.0.jpg,horizontal\nmissing.jpg,horizontal\n",
                "labels.csv line 3: no such image file");
        assertCsvError("path,label\nhorizontal.0.jpg,horizontal\n./horizontal.0.jpg,horizontal\n", "labels.csv line 3:",
                "already listed on line 2");
        assertCsvError("path,label\n\"multi\nline.jpg\",horizontal\nhorizontal.0.jpg,horizontal,extra\n",
                "labels.csv line 4: expected 2 values");
        assertCsvError("path,label\n\"horizontal.0.jpg,horizontal\n", "labels.csv line", "not valid CSV");
        assertCsvError("path,label\n", "lists no images");
        assertCsvError("", "is empty");
        assertThatThrownBy(() -> LabelSource.fromCsv(dir.resolve("none.csv"), "--labels-csv").scan(flat, "--data"))
                .isInstanceOf(TlException.class).hasMessage("--labels-csv: no such file: " + dir.resolve("none.csv"));
    }

    private void assertCsvError(String content, String... mentions) throws Exception {
        Path file = Files.writeString(dir.resolve("labels.csv"), content);
        assertThatThrownBy(() -> LabelSource.fromCsv(file, "--labels-csv").scan(flat, "--data"))
                .isInstanceOf(TlException.class).hasMessageStartingWith("--labels-csv: " + file)
                .hasMessageContainingAll(mentions);
    }

    @Test
    void labelsOutsideTheModelsClassesAreNamedWithTheirOrigin() throws Exception {
        Path file = Files.writeString(dir.resolve("labels.csv"),
                "path,label\nhorizontal.0.jpg,horizontal\nvertical.3.jpg,wasps\n");
        assertThatThrownBy(() -> LabelSource.fromCsv(file, "--labels-csv")
                .scanWithClasses(flat, "--data", List.of("horizontal", "vertical")))
                .isInstanceOf(TlException.class)
                .hasMessage("--data: " + file
                        + " line 3: class 'wasps' is not one of the model's classes [horizontal, vertical]");

        ImageSet inModelOrder = byFilename("^(\\w+)\\.").scanWithClasses(flat, "--data",
                List.of("wasps", "vertical", "horizontal"));
        assertThat(inModelOrder.classes()).containsExactly("wasps", "vertical", "horizontal");
        assertThat(inModelOrder.countsPerClass()).containsExactly(0, 3, 3);
    }
}
