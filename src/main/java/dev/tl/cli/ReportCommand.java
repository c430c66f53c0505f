package dev.tl.cli;

import dev.tl.bundle.ModelBundle;
import dev.tl.report.HtmlReport;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tl report}: a bundle as one self-contained HTML page. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write one self-contained HTML page about a model: data, backbone and settings, training "
                + "history and curves, the last evaluation (metrics, confusion matrix, top errors), how to use it.",
        footerHeading = "%nExamples:%n",
        footer = {"  tl report --model-dir stripes", "  tl report --model-dir stripes --out /tmp/stripes.html"})
final class ReportCommand implements Callable<Integer> {

    private static final String OUT = "--out";

    @Spec
    CommandSpec spec;

    @Mixin
    BundleOption bundle;

    @Option(names = OUT, paramLabel = "FILE.html",
            description = "Where to write the page. Default: " + ModelBundle.REPORT_FILE + " in the model directory.")
    Path out;

    @Override
    public Integer call() {
        if (out != null) {
            Flags.outputFile(OUT, out, ".html", "an HTML page");
        }
        ModelBundle.Loaded loaded = Flags.about("--model-dir", () -> ModelBundle.load(bundle.dir()));
        Path file = (out != null ? out : loaded.directory().resolve(ModelBundle.REPORT_FILE)).toAbsolutePath().normalize();
        // under the bundle's lock: its files are read (and the page written) while no other tl writes there
        String notWritten = ModelBundle.whileHeld(loaded.opened(), () -> Flags.about(OUT, () -> {
            HtmlReport.write(loaded, usage(loaded.directory()), file);
            return file;
        }));
        Flags.require(notWritten == null, "--model-dir", "the page was not written: " + notWritten);
        spec.commandLine().getOut().printf("wrote %s%n", file);
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The commands the page ends with, as a user would type them for this bundle. */
    private static List<String> usage(Path bundle) {
        String dir = Shell.quote(bundle);
        return List.of("tl predict --model-dir " + dir + " photo.jpg more/photos/",
                "tl evaluate --model-dir " + dir + "   # on its own validation or test set",
                "tl evaluate --model-dir " + dir + " --data labelled/images/",
                "tl export --model-dir " + dir + " --format onnx --out model.onnx --with-preprocessing");
    }
}
