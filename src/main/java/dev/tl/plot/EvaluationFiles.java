package dev.tl.plot;

import dev.tl.AtomicFiles;
import dev.tl.Csv;
import dev.tl.TlException;
import dev.tl.eval.EvaluationReport;
import dev.tl.eval.Mistake;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What {@code tl evaluate} leaves in the bundle besides its JSON report: {@code confusion.png}, {@code errors.png}
 * (and the thumbnails of the worst errors) and {@code errors.csv}, every misclassified image (path, true, predicted,
 * probability, loss), highest loss first.
 */
public final class EvaluationFiles {

    public static final String ERRORS_CSV = "errors.csv";
    public static final List<String> ERRORS_COLUMNS = List.of("path", "true", "predicted", "probability", "loss");
    /** The files {@link #write} leaves in the bundle. */
    public static final List<String> FILES = List.of(ConfusionPlot.FILE, ErrorGallery.FILE,
            ErrorGallery.THUMBNAILS_FILE, ERRORS_CSV);

    private EvaluationFiles() {
    }

    public static void write(Path bundle, EvaluationReport report, List<Mistake> mistakes) {
        ConfusionPlot.write(report, bundle.resolve(ConfusionPlot.FILE));
        ErrorGallery.write(mistakes, bundle);
        Path csv = bundle.resolve(ERRORS_CSV);
        try {
            AtomicFiles.writeString(csv, errorsCsv(mistakes));
        } catch (IOException e) {
            throw new TlException("cannot write " + csv + ": " + e.getMessage(), e);
        }
    }

    static String errorsCsv(List<Mistake> mistakes) {
        return Csv.write(ERRORS_COLUMNS, mistakes.stream().map(m -> List.of(m.path().toAbsolutePath().toString(),
                m.trueClass(), m.predicted(), String.format(Locale.ROOT, "%.6f", m.probability()),
                String.format(Locale.ROOT, "%.6f", m.loss()))).toList());
    }
}
