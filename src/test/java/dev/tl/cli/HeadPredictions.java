package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import java.nio.file.Path;

/**
 * Two trained models compared by what tl predict says about the same images: for each image the same two labels in
 * the same order, with probabilities within a tolerance. How the tests show that a head trained on features from a
 * file (tl embed's, or the Spark job's) is the head a run on the images trains.
 */
public final class HeadPredictions {

    private HeadPredictions() {
    }

    public static void assertSame(Path model, Path expectedModel, Path images, int imageCount, double tolerance)
            throws Exception {
        JsonNode actual = predictions(model, images);
        JsonNode expected = predictions(expectedModel, images);
        assertThat(actual).hasSize(imageCount);
        for (int i = 0; i < actual.size(); i++) {
            for (int k = 0; k < 2; k++) {
                JsonNode p = actual.get(i).get("predictions").get(k);
                JsonNode q = expected.get(i).get("predictions").get(k);
                assertThat(p.get("label")).as(actual.get(i).toString()).isEqualTo(q.get("label"));
                assertThat(p.get("probability").asDouble()).as(actual.get(i).toString())
                        .isCloseTo(q.get("probability").asDouble(), within(tolerance));
            }
        }
    }

    private static JsonNode predictions(Path model, Path images) throws Exception {
        CliRunner.Result predicted = CliRunner.run("predict", "--model-dir", model.toString(), "--top-k", "2",
                "--json", images.toString());
        assertThat(predicted.exitCode()).as(predicted.err()).isZero();
        return Json.MAPPER.readTree(predicted.out());
    }
}
