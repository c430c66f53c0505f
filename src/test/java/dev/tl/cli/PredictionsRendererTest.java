package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.eval.Prediction;
import java.util.List;
import org.junit.jupiter.api.Test;

class PredictionsRendererTest {

    private static final List<Prediction> PREDICTIONS = List.of(
            new Prediction("odd\tname\nwith\\breaks.jpg", List.of(new Prediction.Label("a\tb", 0.75)), null),
            Prediction.skipped("half.jpg", "truncated JPEG (it ends before its end-of-image marker)"),
            new Prediction("plain.jpg", List.of(new Prediction.Label("c", 0.5), new Prediction.Label("d", 0.25)),
                    null));

    @Test
    void everyImageStaysOneLineOfTabSeparatedFieldsWhateverItsName() {
        String text = new PredictionsRenderer().text(PREDICTIONS);

        assertThat(text.split("\n")).containsExactly("odd\\tname\\nwith\\\\breaks.jpg\ta\\tb 0.7500",
                "half.jpg\terror: truncated JPEG (it ends before its end-of-image marker)", "plain.jpg\tc 0.5000\td 0.2500");
    }

    @Test
    void aFileLeftOutIsARowWithItsError() {
        String csv = new PredictionsRenderer().csv(PREDICTIONS).orElseThrow();

        assertThat(csv).startsWith("path,label_1,probability_1,label_2,probability_2,error\n")
                .contains(",0.750000,,,\nhalf.jpg,,,,,\"truncated JPEG (it ends before its end-of-image marker)\"\n"
                        + "plain.jpg,c,0.500000,d,0.250000,\n");
    }
}
