package dev.tl.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Telling usable image files from the others by their bytes, before decoding. */
class ImageProbeTest {

    @TempDir
    Path dir;

    @Test
    void theFixturesGoodAndBadFilesAreToldApart() throws Exception {
        DirtyFolder folder = DirtyFolder.create(dir);
        for (Path good : folder.good()) {
            assertThat(ImageProbe.probe(good, ImageCheck.DEFAULT_MAX_PIXELS).problem()).as(good.toString()).isNull();
        }
        assertThat(folder.bad()).extracting(bad -> ImageProbe.probe(bad, ImageCheck.DEFAULT_MAX_PIXELS).problem())
                .containsExactly("empty file (0 bytes)",
                        "truncated JPEG (it ends before its end-of-image marker)",
                        "damaged JPEG (corrupt data in its compressed image)",
                        "not a JPEG, PNG, GIF or BMP image (by its content)",
                        "20000 x 20000 = 400,000,000 pixels, above the limit of 90,000,000");
    }

    @Test
    void aJpegWithAVideoAppendedIsComplete() throws Exception {
        Path photo = DirtyFolder.create(dir).good().get(0);
        byte[] jpeg = Files.readAllBytes(photo);
        byte[] motion = Arrays.copyOf(jpeg, jpeg.length + 200_000);
        Arrays.fill(motion, jpeg.length, motion.length, (byte) 0x42);
        Path file = Files.write(dir.resolve("motion.jpg"), motion);

        ImageProbe.Result result = ImageProbe.probe(file, ImageCheck.DEFAULT_MAX_PIXELS);
        assertThat(result.problem()).isNull();
        assertThat(result.format()).isEqualTo("JPEG");
        assertThat(result.width()).isPositive();
    }

    @Test
    void unreadableFilesSayWhy() {
        assertThat(ImageProbe.describe(new AccessDeniedException("/x.jpg"))).isEqualTo("permission denied");
        assertThat(ImageProbe.probe(dir.resolve("gone.jpg"), 1).problem()).isEqualTo("no such file");
    }
}
