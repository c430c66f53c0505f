package dev.tl;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** data/sample is exactly what scripts/SampleData.java renders, so the committed images always have a source. */
class SampleDataTest {

    private static final Path SAMPLE = Path.of("data/sample");

    @TempDir
    Path dir;

    @Test
    void theCommittedSampleIsWhatTheGeneratorRenders() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "scripts/SampleData.java", dir.toString())
                .redirectErrorStream(true).start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("generator finished").isTrue();
        assertThat(process.exitValue()).as(new String(process.getInputStream().readAllBytes())).isZero();

        List<Path> committed = imagesBelow(SAMPLE);
        assertThat(imagesBelow(dir)).isEqualTo(committed);
        assertThat(committed).hasSize(133).anyMatch(p -> p.toString().endsWith(".png"))
                .anyMatch(p -> p.toString().endsWith(".jpg"));
        for (Path image : committed) {
            // Pixels, not bytes: another zlib may compress the same PNG differently.
            assertThat(pixels(dir.resolve(image))).as(image.toString()).isEqualTo(pixels(SAMPLE.resolve(image)));
        }
    }

    private static List<Path> imagesBelow(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }

    private static int[] pixels(Path file) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
