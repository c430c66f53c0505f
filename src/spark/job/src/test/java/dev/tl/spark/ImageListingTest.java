package dev.tl.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.TlException;
import dev.tl.data.ImageSet;
import dev.tl.data.LabelSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark job lists and labels images on a Hadoop file system as tl does on a local one. */
class ImageListingTest {

    @TempDir
    Path dir;

    @Test
    void classFoldersAreListedAsTlListsThemLeavingOutFoldersTlWrote() throws Exception {
        for (String file : List.of("cats/a.jpg", "cats/deeper/b.PNG", "cats/.hidden.jpg", "cats/.cache/c.jpg",
                "cats/notes.txt", "dogs/d.bmp", ".trash/e.jpg", "model/tl-model.json", "model/training.png",
                "cats/run/tl-model.json", "cats/run/errors.png", "dogs/x.checkpoint/checkpoint.zip",
                "dogs/x.checkpoint/f.jpg")) {
            Files.createDirectories(dir.resolve(file).getParent());
            Files.writeString(dir.resolve(file), "");
        }
        ImageSet tl = LabelSource.FOLDERS.scan(dir, "--data");
        List<ImageListing.Image> spark = ImageListing.list(new Configuration(), "file://" + dir, null);
        assertThat(spark).extracting(ImageListing.Image::uri)
                .containsExactlyElementsOf(tl.images().stream().map(image -> image.path().toString()).toList());
        assertThat(spark).extracting(ImageListing.Image::label).containsExactly("cats", "cats", "dogs");
    }

    @Test
    void aCsvListsImagesRelativeToTheRoot() throws Exception {
        Path csv = dir.resolve("labels.csv");
        Files.writeString(csv, "path,label\nx/1.jpg,ant\n/elsewhere/2.jpg,bee\n");
        assertThat(ImageListing.list(new Configuration(), dir.toString(), csv.toString())).containsExactly(
                new ImageListing.Image(dir.resolve("x/1.jpg").toString(), "ant"),
                new ImageListing.Image("/elsewhere/2.jpg", "bee"));
    }

    @Test
    void aMissingOrEmptyRootSaysSo() throws Exception {
        assertThatThrownBy(() -> ImageListing.list(new Configuration(), dir.resolve("none").toString(), null))
                .isInstanceOf(TlException.class).hasMessageContaining("no such directory");
        assertThatThrownBy(() -> ImageListing.list(new Configuration(), dir.toString(), null))
                .isInstanceOf(TlException.class).hasMessageContaining("no class folders");
    }
}
