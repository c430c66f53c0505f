package dev.tl.progress;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;
import org.slf4j.Logger;

/**
 * tl's logging, set up in code rather than by a logback.xml, whose XML parser cost every command a tenth of a second
 * of its start-up: log lines go to stderr (stdout carries results only, so JSON output can be piped), above the
 * progress bar when stderr is a terminal, their level named except for INFO so that lines keep to 100 columns; tl's
 * own loggers at INFO, the libraries' at WARN. Found by Logback through {@code META-INF/services}. A configuration
 * file given with {@code -Dlogback.configurationFile}, or a logback-test.xml on the class path, is used instead.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {

    private static final String PATTERN = "%d{HH:mm:ss} %replace(%-6level){'^INFO +', ''}%msg%n";
    private static final Map<String, Level> LEVELS = Map.of("dev.tl", Level.INFO, "org.nd4j", Level.WARN,
            "org.deeplearning4j", Level.WARN, "org.bytedeco", Level.WARN, "io.jhdf", Level.WARN);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogSetup.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Sets {@code context} up as tl logs, whatever else is on the class path. */
    static void apply(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ProgressConsoleAppender<ILoggingEvent> stderr = new ProgressConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
    }
}
