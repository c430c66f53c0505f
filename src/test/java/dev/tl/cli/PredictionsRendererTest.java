package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.eval.Prediction;
import java.util.List;
import org.junit.jupiter.api.Test;

class PredictionsRendererTest {

    @Test
    void everyImageStaysOneLineOfTabSeparatedFieldsWhateverItsName() {
        String text = new PredictionsRenderer().text(List.of(
                new Prediction("odd\tname\nwith\\breaks.jpg", List.of(new Prediction.Label("a\tb", 0.75))),
                new Prediction("plain.jpg", List.of(new Prediction.Label("c", 0.5)))));

        assertThat(text.split("\n")).containsExactly("odd\\tname\\nwith\\\\breaks.jpg\ta\\tb 0.7500",
                "plain.jpg\tc 0.5000");
    }
}
