package dev.tl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.TestData;
import dev.tl.TlException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {

    @TempDir
    Path dir;

    @Test
    void scansClassFoldersInNameOrder() {
        ImageSet set = LabelSource.FOLDERS.scan(TestData.TRAIN, "--data");
        assertThat(set.classes()).containsExactly("horizontal", "vertical");
        assertThat(set.countsPerClass()).containsExactly(48, 45);
        assertThat(set.images()).allMatch(image -> image.path().toString().contains(set.classes().get(image.label())));
    }

    @Test
    void stratifiedSplitIsPerClassAndDependsOnlyOnTheSeed() {
        ImageSet set = LabelSource.FOLDERS.scan(TestData.TRAIN, "--data");
        ImageSet.Split a = set.stratifiedSplit(0.25, 5, "validation");
        ImageSet.Split b = set.stratifiedSplit(0.25, 5, "validation");
        ImageSet.Split c = set.stratifiedSplit(0.25, 6, "validation");

        assertThat(a.validation().countsPerClass()).containsExactly(12, 11); // round(48/4), round(45/4)
        assertThat(a.train().size() + a.validation().size()).isEqualTo(set.size());
        assertThat(a.validation().images()).isEqualTo(b.validation().images());
        assertThat(a.validation().images()).isNotEqualTo(c.validation().images());
        assertThat(a.train().images()).doesNotContainAnyElementsOf(a.validation().images());
    }

    @Test
    void errorsNameTheFlagAndThePath() throws Exception {
        assertThatThrownBy(() -> LabelSource.FOLDERS.scan(dir.resolve("nope"), "--data"))
                .isInstanceOf(TlException.class).hasMessageStartingWith("--data: not a directory").hasMessageContaining("nope");

        assertThatThrownBy(() -> LabelSource.FOLDERS.scan(dir, "--val-data"))
                .isInstanceOf(TlException.class).hasMessageStartingWith("--val-data: no class folders");

        Files.createDirectories(dir.resolve("cats"));
        Files.writeString(dir.resolve("cats/readme.txt"), "no images here");
        assertThatThrownBy(() -> LabelSource.FOLDERS.scan(dir, "--data"))
                .isInstanceOf(TlException.class).hasMessageContaining("class folder has no images")
                .hasMessageContaining("cats");
    }

    @Test
    void evaluationDataMustUseTheModelsClasses() throws Exception {
        TestData.copySubset(TestData.VAL, 1, dir);
        Files.move(dir.resolve("vertical"), dir.resolve("wasps"));
        assertThatThrownBy(() -> LabelSource.FOLDERS.scanWithClasses(dir, "--data", List.of("horizontal", "vertical")))
                .isInstanceOf(TlException.class).hasMessageContaining("'wasps'");
    }

    @Test
    void ignoresHiddenAndNonImageFilesAndWalksSubfolders() throws Exception {
        TestData.copySubset(TestData.VAL, 2, dir);
        Files.createDirectories(dir.resolve("horizontal/more"));
        Files.copy(TestData.VAL.resolve("horizontal").resolve(Files.list(TestData.VAL.resolve("horizontal")).findFirst()
                .orElseThrow().getFileName()), dir.resolve("horizontal/more/x.JPG"));
        Files.writeString(dir.resolve("horizontal/notes.txt"), "x");
        Files.writeString(dir.resolve("horizontal/.hidden.jpg"), "x");
        Files.createDirectories(dir.resolve("horizontal/.thumbnails"));
        Files.copy(dir.resolve("horizontal/more/x.JPG"), dir.resolve("horizontal/.thumbnails/x.jpg"));
        ImageSet set = LabelSource.FOLDERS.scan(dir, "--data");
        assertThat(set.countsPerClass()).containsExactly(3, 2);
    }
}
