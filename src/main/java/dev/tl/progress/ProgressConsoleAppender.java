package dev.tl.progress;

import ch.qos.logback.core.ConsoleAppender;

/**
 * Logback's console appender, printing each log line above a progress bar on the terminal rather than into it.
 * Set up by {@link LogSetup}.
 */
public final class ProgressConsoleAppender<E> extends ConsoleAppender<E> {

    @Override
    protected void subAppend(E event) {
        TerminalBar.printAbove(() -> super.subAppend(event));
    }
}
