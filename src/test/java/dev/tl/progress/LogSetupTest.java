package dev.tl.progress;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogSetupTest {

    @Test
    void tlLogsToStderrAtInfoWithTheLevelNamedButForInfoAndLibrariesAtWarn() {
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            context.setMDCAdapter(new LogbackMDCAdapter()); // what Logback's own start-up gives a context
            context.start();
            LogSetup.apply(context);
            context.getLogger("dev.tl.train.Trainer").info("epoch 1/3");
            context.getLogger("dev.tl.train.Trainer").warn("loss is rising");
            context.getLogger("dev.tl.train.Trainer").debug("not shown without -v");
            context.getLogger("org.nd4j.linalg.factory.Nd4jBackend").info("not shown: a library's");
            context.getLogger("org.nd4j.linalg.factory.Nd4jBackend").warn("shown: a library's warning");
        } finally {
            context.stop();
            System.setErr(stderr);
        }

        assertThat(captured.toString(StandardCharsets.UTF_8).lines().toList()).satisfiesExactly(
                line -> assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d epoch 1/3"),
                line -> assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d WARN  loss is rising"),
                line -> assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d WARN  shown: a library's warning"));
    }
}
