package dev.tl.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.LogCapture;
import java.util.List;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;

/**
 * DL4J's numerical gradient check as an assertion. GradientCheckUtil only answers true or false and logs the
 * parameter that failed with its backprop and numerical gradients and their relative error: a failure shows those lines.
 */
final class GradientChecks {

    private GradientChecks() {
    }

    static void assertBackpropMatchesNumerical(GradientCheckUtil.GraphConfig config) {
        boolean[] passed = new boolean[1];
        List<String> log = LogCapture.infoLinesOf(GradientCheckUtil.class, () -> passed[0] =
                GradientCheckUtil.checkGradients(config.print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                        .exitOnFirstError(true)));
        assertThat(passed[0]).as("backprop gradients against numerical ones:%n%s", String.join("\n", log)).isTrue();
    }
}
