package dev.tl.cli;

import dev.tl.progress.Progress;
import dev.tl.train.Checkpoint;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * While a run trains, Ctrl-C or a SIGTERM ends the process at once (exit 130 or 143, as for any program): the
 * checkpoint of the last completed epoch and the features computed so far are on disk already, written
 * atomically, so nothing more needs saving. This says, as the process ends, how to continue, on a line of its own
 * (the progress bar erased first).
 */
final class InterruptNotice implements AutoCloseable {

    private final Thread hook;

    private InterruptNotice(Thread hook) {
        this.hook = hook;
    }

    static InterruptNotice install(PrintWriter err, Path output) {
        Path checkpoint = Checkpoint.dirFor(output).resolve(Checkpoint.FILE);
        Thread hook = new Thread(() -> Progress.endTerminal(() -> {
            err.println(Files.exists(checkpoint)
                    ? "tl train: interrupted; resume with: tl train --resume " + Shell.quote(output.toAbsolutePath())
                    : "tl train: interrupted before an epoch finished; the features computed so far are cached,\n"
                            + "  so the same command continues from them");
            err.flush();
        }), "tl-interrupt-notice");
        Runtime.getRuntime().addShutdownHook(hook);
        return new InterruptNotice(hook);
    }

    /** The run ended by itself: nothing to say at exit. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: the process is being ended anyway
        }
    }
}
