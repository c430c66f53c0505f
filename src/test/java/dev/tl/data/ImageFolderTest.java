package dev.tl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.LogCapture;
import dev.tl.TestData;
import dev.tl.TlException;
import dev.tl.bundle.ModelBundle;
import dev.tl.train.Checkpoint;
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

    @Test
    void foldersTlWroteInsideTheDataAreNotReadAsData() throws Exception {
        TestData.copySubset(TestData.VAL, 2, dir);
        Path picture = Files.list(dir.resolve("horizontal")).findFirst().orElseThrow();
        for (String folder : List.of("model", "horizontal/run", "vertical/model.checkpoint")) {
            Files.createDirectories(dir.resolve(folder));
            Files.copy(picture, dir.resolve(folder).resolve("training.png"));
        }
        Files.writeString(dir.resolve("model/tl-model.json"), "{}");
        Files.writeString(dir.resolve("horizontal/run/tl-model.json"), "{}");
        Files.writeString(dir.resolve("vertical/model.checkpoint/checkpoint.zip"), "");

        List<String> log = LogCapture.infoLinesOf(ImageFolder.class, () -> {
            ImageSet set = LabelSource.FOLDERS.scan(dir, "--data");
            assertThat(set.classes()).containsExactly("horizontal", "vertical");
            assertThat(set.countsPerClass()).containsExactly(2, 2);
        });
        assertThat(log).anyMatch(line -> line.contains(dir.resolve("model") + " as a class: it holds a tl model "
                + "bundle (tl-model.json)"));
        assertThat(log).anyMatch(line -> line.contains(dir.resolve("horizontal/run") + " as images"));
        assertThat(log).anyMatch(line -> line.contains("a tl checkpoint (checkpoint.zip)"));
        assertThat(ImageFolder.TL_FOLDER_MARKERS).containsExactly(ModelBundle.METADATA_FILE, Checkpoint.FILE);
    }

    @Test
    void linksAreFollowedButNeverBackUpNorIntoAnotherClass() throws Exception {
        TestData.copySubset(TestData.VAL, 3, dir);
        Path horizontal = dir.resolve("horizontal");
        Path vertical = dir.resolve("vertical");
        Path verticalImage = Files.list(vertical).sorted().findFirst().orElseThrow();
        Files.createSymbolicLink(horizontal.resolve("loop"), Path.of(".."));               // the data root
        Files.createSymbolicLink(horizontal.resolve("self"), Path.of("."));                // itself
        Files.createSymbolicLink(horizontal.resolve("other"), Path.of("../vertical"));      // another class
        Files.createSymbolicLink(horizontal.resolve("stolen.jpg"), verticalImage);        // an image of it
        Files.createSymbolicLink(dir.resolve("alias"), horizontal);                       // a class again
        Files.createSymbolicLink(dir.resolve("everything"), Path.of("."));                // the root as a class
        Files.createDirectories(vertical.resolve("sub"));
        Files.createSymbolicLink(vertical.resolve("again"), Path.of("sub"));               // a folder twice
        Files.copy(verticalImage, vertical.resolve("sub/vertical_extra.png"));
        Path elsewhere = TestData.copySubset(TestData.TRAIN, 1, dir.getParent().resolve(dir.getFileName() + "-x"));
        Files.createSymbolicLink(vertical.resolve("outside"), elsewhere.resolve("vertical")); // outside the data

        List<String> warnings = LogCapture.infoLinesOf(ImageFolder.class, () -> {
            ImageSet set = LabelSource.FOLDERS.scan(dir, "--data");
            assertThat(set.classes()).containsExactly("horizontal", "vertical");
            assertThat(set.countsPerClass()).containsExactly(3, 3 + 1 + 1);
            for (LabelledImage image : set.images()) {
                String name = image.path().getFileName().toString();
                assertThat(name).as(image.path().toString()).startsWith(set.classes().get(image.label()));
            }
        });
        for (String named : List.of("loop", "self", "other", "stolen.jpg", "alias", "everything")) {
            assertThat(warnings).as(named).anyMatch(line -> line.contains(named));
        }
        assertThat(warnings).anyMatch(line -> line.contains("below " + vertical
                + ", 1 image file is reached by more than one path"));
    }
}
