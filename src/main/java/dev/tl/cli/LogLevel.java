package dev.tl.cli;

import org.slf4j.LoggerFactory;

/**
 * The level of tl's own loggers, for {@code -v} and {@code -q}. Set on Logback, the CLI's logging backend; inside the
 * Spark job the cluster's log4j2 logs, is configured by the cluster, and this does nothing. Logback's classes are
 * named only in here, so the CLI's classes load without it.
 */
final class LogLevel {

    private LogLevel() {
    }

    static void set(String level) {
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback) {
            logback.getLogger("dev.tl").setLevel(ch.qos.logback.classic.Level.toLevel(level));
        }
    }
}
