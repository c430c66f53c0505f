package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tl.CraftedFiles;
import dev.tl.Json;
import dev.tl.LogCapture;
import dev.tl.TestData;
import dev.tl.bundle.ModelBundle;
import dev.tl.data.ImageCheck;
import dev.tl.data.ImageSet;
import dev.tl.data.LabelledImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files made to break tl, through its commands: a bundle's bad fields and graph, images evaluate is given, a report
 * whose errors.csv points elsewhere. Each ends in exit 0 or 2 with a message naming the file, never a stack trace.
 */
class CraftedInputTest {

    @TempDir
    static Path work;
    static Path model;

    @BeforeAll
    static void train() throws Exception {
        model = work.resolve("model");
        CliRunner.Result trained = CliRunner.run("train", "--model", "mobilenet_0.25", "--weights", "none",
                "--image-size", "32", "--data", TestData.copySubset(TestData.TRAIN, 4, work.resolve("data"))
                        .toString(), "--val-split", "0.25", "--frozen-epochs", "1", "--finetune-epochs", "0",
                "--output", model.toString());
        assertThat(trained.exitCode()).as(trained.err()).isZero();
    }

    private static void assertRefused(CliRunner.Result result, String... mentions) {
        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains(mentions).doesNotContain("\tat ");
    }

    /** A copy of the trained bundle, its tl-model.json changed. */
    private static Path bundleWith(String name, java.util.function.Consumer<ObjectNode> change) throws Exception {
        Path copy = CraftedFiles.copyTree(model, work.resolve(name));
        Path file = copy.resolve(ModelBundle.METADATA_FILE);
        ObjectNode metadata = (ObjectNode) Json.MAPPER.readTree(file.toFile());
        change.accept(metadata);
        Files.writeString(file, Json.write(metadata));
        return copy;
    }

    @Test
    void aBundlesBadFieldsAndBadGraphEndInExitTwoNamingTheFileAndField() throws Exception {
        Path bogus = bundleWith("bogus", m -> ((ObjectNode) m.get("inputs").get(0)).put("preprocessing", "bogus"));
        assertRefused(CliRunner.run("predict", "--model-dir", bogus.toString(), TestData.VAL.toString()),
                bogus.resolve("tl-model.json").toString(), "inputs[0].preprocessing", "bogus");
        Path unnamed = bundleWith("unnamed", m -> m.withArray("classes").set(0,
                com.fasterxml.jackson.databind.node.NullNode.getInstance()));
        assertRefused(CliRunner.run("report", "--model-dir", unnamed.toString()), "classes[0]");

        Path cycle = CraftedFiles.copyTree(model, work.resolve("cycle"));
        CraftedFiles.rewriteEntry(cycle.resolve(ModelBundle.MODEL_FILE), "configuration.json", bytes -> {
            try {
                ObjectNode configuration = (ObjectNode) Json.MAPPER.readTree(bytes);
                ((ObjectNode) configuration.get("vertexInputs")).putArray("conv1").add("input").add("conv1_bn");
                return Json.MAPPER.writeValueAsBytes(configuration);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertRefused(CliRunner.run("report", "--model-dir", cycle.toString()), "configuration.json", "cycle");

        Path evaluated = CraftedFiles.copyTree(model, work.resolve("evaluated"));
        Files.writeString(evaluated.resolve(ModelBundle.EVALUATION_FILE), "{\"images\": 3, \"per_class\": null}");
        assertRefused(CliRunner.run("report", "--model-dir", evaluated.toString()), "evaluation.json", "per_class");
    }

    @Test
    void evaluateChecksItsImagesAsTrainAndPredictDo() throws Exception {
        Path data = TestData.copySubset(TestData.VAL, 2, work.resolve("eval"));
        Files.write(data.resolve("horizontal/empty.jpg"), new byte[0]);
        // 629 bytes that declare 30000 x 30000 pixels took 5.6 GB to decode
        Path sample = TestData.subset(TestData.VAL, 1).images().stream().map(LabelledImage::path)
                .filter(p -> p.toString().endsWith(".jpg")).findFirst().orElseThrow();
        Files.write(data.resolve("vertical/bomb.jpg"), CraftedFiles.jpegDeclaring(Files.readAllBytes(sample),
                30_000, 30_000));

        long before = Pointer.physicalBytes();
        CliRunner.Result[] evaluated = new CliRunner.Result[1];
        List<String> warnings = LogCapture.infoLinesOf(ImageCheck.class, () -> evaluated[0] = CliRunner.run(
                "evaluate", "--model-dir", model.toString(), "--data", data.toString(), "--json"));
        assertThat(evaluated[0].exitCode()).as(evaluated[0].err()).isZero();
        assertThat(warnings).containsExactlyInAnyOrder(
                "skipping " + data.resolve("horizontal/empty.jpg") + ": empty file (0 bytes)",
                "skipping " + data.resolve("vertical/bomb.jpg")
                        + ": 30000 x 30000 = 900,000,000 pixels, above the limit of 90,000,000");
        assertThat(Json.MAPPER.readTree(evaluated[0].out()).get("images").asInt()).isEqualTo(4);
        assertThat(Pointer.physicalBytes() - before).as("memory taken").isLessThan(1L << 30);

        assertRefused(CliRunner.run("evaluate", "--model-dir", model.toString(), "--data", data.toString(),
                "--strict"), "empty.jpg", "empty file");
        assertRefused(CliRunner.run("evaluate", "--model-dir", model.toString(), "--data", data.toString(),
                "--max-pixels", "10"), "none of the 6 images");
    }

    @Test
    void theReportShowsOnlyThumbnailsFromTheBundleNeverTheFilesErrorsCsvNames() throws Exception {
        // every image in both class folders: each copy under the other class is a certain mistake
        Path data = work.resolve("both");
        ImageSet images = TestData.subset(TestData.VAL, 2);
        for (String label : List.of("horizontal", "vertical")) {
            Files.createDirectories(data.resolve(label));
            for (LabelledImage image : images.images()) {
                Files.copy(image.path(), data.resolve(label).resolve(image.path().getFileName()));
            }
        }
        Path bundle = CraftedFiles.copyTree(model, work.resolve("reported"));
        CliRunner.Result evaluated = CliRunner.run("evaluate", "--model-dir", bundle.toString(), "--data",
                data.toString());
        assertThat(evaluated.exitCode()).as(evaluated.err()).isZero();
        assertThat(bundle.resolve("error-thumbnails.png")).exists();

        // the images are gone, and errors.csv now names a file of someone else's: a red square
        CraftedFiles.deleteTree(data);
        Path secret = work.resolve("secret.png");
        BufferedImage red = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 96; y++) {
            for (int x = 0; x < 96; x++) {
                red.setRGB(x, y, 0xFF0000);
            }
        }
        ImageIO.write(red, "png", secret.toFile());
        Path errors = bundle.resolve("errors.csv");
        List<String> lines = new ArrayList<>(Files.readAllLines(errors));
        lines.set(1, "\"" + secret + "\"" + lines.get(1).substring(lines.get(1).indexOf(',')));
        Files.write(errors, lines);

        CliRunner.Result reported = CliRunner.run("report", "--model-dir", bundle.toString());
        assertThat(reported.exitCode()).as(reported.err()).isZero();
        List<BufferedImage> thumbnails = thumbnails(Files.readString(bundle.resolve("report.html")));
        assertThat(thumbnails).hasSize(lines.size() - 1).allSatisfy(thumbnail -> {
            assertThat(thumbnail.getWidth()).isEqualTo(96);
            assertThat(thumbnail.getRGB(48, 48) & 0xFFFFFF).isNotEqualTo(0xFF0000);
        });
    }

    private static List<BufferedImage> thumbnails(String html) throws Exception {
        Matcher thumbnail = Pattern.compile("<img class=\"thumb\"[^>]* src=\"data:image/png;base64,([^\"]+)\"")
                .matcher(html);
        List<BufferedImage> images = new ArrayList<>();
        while (thumbnail.find()) {
            images.add(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(thumbnail.group(1)))));
        }
        return images;
    }
}
