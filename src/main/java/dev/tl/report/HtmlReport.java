package dev.tl.report;

import dev.tl.AtomicFiles;
import dev.tl.Csv;
import dev.tl.Json;
import dev.tl.TlException;
import dev.tl.bundle.BundleMetadata;
import dev.tl.bundle.Fields;
import dev.tl.bundle.ModelBundle;
import dev.tl.data.Framing;
import dev.tl.data.ImageProbe;
import dev.tl.eval.ClassMetrics;
import dev.tl.eval.EvaluationReport;
import dev.tl.plot.ConfusionPlot;
import dev.tl.plot.ErrorGallery;
import dev.tl.plot.EvaluationFiles;
import dev.tl.plot.TrainingPlot;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * {@code tl report}: one self-contained HTML page about a model bundle — its data, backbone and settings, the
 * training curves and the epoch kept, the last evaluation (metrics, confusion, the worst errors with thumbnails),
 * the history table, and how to use the model. Pictures are embedded as data URIs: the page loads nothing else.
 */
public final class HtmlReport {

    /** The pictures tl draws are a few MB at most (a confusion matrix of hundreds of classes). */
    private static final long MAX_PICTURE_BYTES = 64L << 20;
    private static final long MAX_PICTURE_PIXELS = 50_000_000;
    private static final long MAX_ERRORS_CSV_BYTES = 256L << 20;
    private static final String NOT_RECORDED = "<p class=\"missing\">The bundle does not record how it was trained."
            + "</p>";
    /** Per-class metrics of tens of thousands of classes and their confusion matrix. */
    private static final long MAX_EVALUATION_BYTES = 256L << 20;
    private static final String STYLE = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;max-width:1000px;
            color:#222;line-height:1.4;padding:0 1em}
            h1{font-size:1.6em;margin-bottom:0}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
            .sub{color:#666;margin-top:.2em}table{border-collapse:collapse;margin:.6em 0}
            th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:middle}
            thead th{background:#f3f5f8}.n{font-variant-numeric:tabular-nums}
            tr.kept td{background:#e6f4ea;font-weight:600}.facts th{background:#f8f9fb;font-weight:600}
            img.plot{max-width:100%;border:1px solid #eee}img.thumb{width:96px;height:96px}
            pre{background:#f6f8fa;padding:.8em;overflow-x:auto}.missing{color:#888;font-style:italic}
            """;

    private HtmlReport() {
    }

    /** Writes the page of {@code bundle} to {@code file}, ending with the {@code commands} that use the model. */
    public static void write(ModelBundle.Loaded bundle, List<String> commands, Path file) {
        try {
            AtomicFiles.writeString(file, render(bundle, commands));
        } catch (IOException e) {
            throw new TlException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static String render(ModelBundle.Loaded bundle, List<String> commands) {
        BundleMetadata meta = bundle.metadata();
        Path dir = bundle.directory();
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>tl model ").append(Html.escape(dir.getFileName())).append("</title><style>")
                .append(STYLE).append("</style></head><body>");
        html.append("<h1>Model ").append(Html.escape(dir.getFileName())).append("</h1><p class=\"sub\">")
                .append(Html.escape(dir)).append(" &middot; trained ").append(Html.escape(meta.createdAt()))
                .append(" by ").append(Html.escape(meta.createdBy())).append("</p>");
        html.append(data(meta)).append(model(meta)).append(training(meta, dir)).append(evaluation(dir))
                .append(history(meta)).append(usage(commands));
        return html.append("</body></html>\n").toString();
    }

    private static String data(BundleMetadata meta) {
        BundleMetadata.Training t = meta.training();
        StringBuilder html = new StringBuilder("<h2>Data</h2>");
        if (t == null) {
            return html.append(NOT_RECORDED).toString();
        }
        List<List<String>> facts = new ArrayList<>(List.of(List.of("training images", t.data()),
                List.of("labelled by", t.labels())));
        if (t.valData() != null) {
            facts.add(List.of("validation images", t.valData()));
        } else {
            facts.add(List.of("validation split", t.valSplit() == null ? "none" : String.valueOf(t.valSplit())));
        }
        if (t.testSet() != null) {
            facts.add(List.of("held-out test set", t.testImages() + " images (" + t.testSet() + ")"));
        }
        html.append(Html.facts(facts));
        List<List<String>> rows = new ArrayList<>();
        if (t.classCounts() != null) {
            t.classCounts().forEach(c -> rows.add(List.of(Html.escape(c.name()), number(c.train()),
                    number(c.validation()), number(c.test()))));
        } else {
            meta.classes().forEach(name -> rows.add(List.of(Html.escape(name), "", "", "")));
        }
        rows.add(List.of("<b>all " + meta.classes().size() + " classes</b>", number(t.trainImages()),
                number(t.valImages()), number(t.testImages())));
        return html.append(Html.table(List.of("class", "training", "validation", "test"), rows, -1)).toString();
    }

    private static String model(BundleMetadata meta) {
        BundleMetadata.Training t = meta.training();
        if (t == null) {
            return "<h2>Backbone and settings</h2>" + NOT_RECORDED;
        }
        BundleMetadata.Options o = t.options();
        List<List<String>> facts = new ArrayList<>();
        meta.inputs().forEach(input -> facts.add(List.of("backbone", input.backbone() + " at " + input.imageSize()
                + " px, " + input.preprocessing() + " preprocessing, framed " + Framing.of(input.framing()).id())));
        facts.add(List.of("weights", t.weights()));
        facts.add(List.of("head", (meta.head().denseUnits() > 0 ? "Dense(" + meta.head().denseUnits() + ", ReLU) → "
                : "") + "Dropout(" + meta.head().dropout() + ") → softmax over " + meta.classes().size()
                + " classes"));
        facts.add(List.of("frozen phase", o.frozenEpochs() + " epochs at learning rate " + o.learningRate()));
        facts.add(List.of("fine-tune phase", o.finetuneEpochs() + " epochs at learning rate "
                + o.finetuneLearningRate() + ", unfreezing " + o.unfreeze() + ", BatchNorm "
                + (o.batchNormTrainable() ? "trainable" : "frozen")));
        facts.add(List.of("batch size", String.valueOf(o.batchSize())));
        if (o.schedule() != null) {
            Map<String, Object> params = o.schedule().params();
            facts.add(List.of("schedule", o.schedule().name() + (params == null || params.isEmpty() ? ""
                    : " " + params)));
        }
        facts.add(List.of("kept epoch chosen by", o.monitor() + (o.patience() > 0 ? ", early stopping after "
                + o.patience() + " epochs without improvement" : "")));
        if (o.classWeights() != null) {
            facts.add(List.of("class weights", o.classWeights().toString()));
        }
        facts.add(List.of("seed", String.valueOf(o.seed())));
        return "<h2>Backbone and settings</h2>" + Html.facts(facts);
    }

    private static String training(BundleMetadata meta, Path dir) {
        StringBuilder html = new StringBuilder("<h2>Training</h2>");
        BundleMetadata.Epoch kept = meta.keptEpoch();
        html.append("<p>Kept: ").append(kept == null ? "the last epoch (no validation data)"
                : Html.escape(kept.phase() + " epoch " + kept.epoch() + " — val_accuracy " + decimal(kept.valAccuracy())
                + ", val_loss " + decimal(kept.valLoss()))).append(".</p>");
        return html.append(picture(dir.resolve(TrainingPlot.FILE),
                "loss, validation accuracy and learning rate per epoch")).toString();
    }

    /** Every epoch's numbers, the kept one highlighted; after the evaluation, as a long run makes it long. */
    private static String history(BundleMetadata meta) {
        BundleMetadata.Epoch kept = meta.keptEpoch();
        List<List<String>> rows = new ArrayList<>();
        int keptRow = -1;
        for (BundleMetadata.Epoch epoch : meta.history()) {
            if (epoch.equals(kept)) {
                keptRow = rows.size();
            }
            rows.add(List.of(Html.escape(epoch.phase()), number(epoch.epoch()), decimalCell(epoch.loss()),
                    decimalCell(epoch.accuracy()), decimalCell(epoch.valLoss()), decimalCell(epoch.valAccuracy()),
                    cell(String.format(Locale.ROOT, "%.2e", epoch.learningRate())),
                    cell(String.format(Locale.ROOT, "%.1f", epoch.seconds()))));
        }
        return "<h2>History</h2>" + Html.table(List.of("phase", "epoch", "loss", "accuracy", "val_loss",
                "val_accuracy", "lr", "seconds"), rows, keptRow);
    }

    private static String evaluation(Path dir) {
        StringBuilder html = new StringBuilder("<h2>Evaluation</h2>");
        Path file = dir.resolve(ModelBundle.EVALUATION_FILE);
        if (!Files.isRegularFile(file)) {
            return html.append("<p class=\"missing\">Not evaluated yet: evaluate the model (below), then write "
                    + "this page again.</p>").toString();
        }
        Evaluation report = Json.read(file, Evaluation.class, MAX_EVALUATION_BYTES);
        html.append("<p>").append(report.images()).append(" images of ").append(Html.escape(report.data()))
                .append(" (labels: ").append(Html.escape(report.labels())).append(")")
                .append(report.tta() > 1 ? ", " + report.tta() + " views per image" : "")
                .append(": accuracy <b>").append(decimal(report.accuracy())).append("</b>, loss ")
                .append(decimal(report.loss())).append(".</p>");
        if (Boolean.TRUE.equals(report.choseKeptEpoch())) {
            html.append("<p>These are the validation images that chose the kept epoch, so the numbers are "
                    + "optimistic: train with <code>--test-split F</code> for a held-out test set, or evaluate on "
                    + "images the model has not seen.</p>");
        }
        List<List<String>> rows = new ArrayList<>();
        for (ClassMetrics c : report.perClass()) {
            rows.add(List.of(Html.escape(c.name()), decimalCell(c.precision()), decimalCell(c.recall()),
                    decimalCell(c.f1()), number(c.support())));
        }
        EvaluationReport.Averages macro = report.macroAverage();
        rows.add(List.of("<b>macro average</b>", decimalCell(macro.precision()), decimalCell(macro.recall()),
                decimalCell(macro.f1()), number(report.images())));
        html.append(Html.table(List.of("class", "precision", "recall", "f1", "support"), rows, -1));
        html.append(picture(dir.resolve(ConfusionPlot.FILE), "confusion matrix"));
        return html.append(errors(dir)).toString();
    }

    /** What the page shows of {@code evaluation.json} ({@code tta} is absent in files from before it). */
    record Evaluation(int images, double loss, double accuracy, String data, String labels, int tta,
                      List<ClassMetrics> perClass, EvaluationReport.Averages macroAverage, Boolean choseKeptEpoch) {
        Evaluation {
            Fields.range(images, 0, Integer.MAX_VALUE, "images");
            Fields.elements(Fields.required(perClass, "per_class"), "per_class");
            perClass.forEach(c -> Fields.required(c.name(), "per_class: name"));
            Fields.required(macroAverage, "macro_average");
        }
    }

    /**
     * The worst errors from errors.csv, each with its thumbnail from the bundle: the images errors.csv names are
     * never read (a shared page would show whatever a path points to).
     */
    private static String errors(Path dir) {
        Path file = dir.resolve(EvaluationFiles.ERRORS_CSV);
        if (!Files.isRegularFile(file)) {
            return picture(dir.resolve(ErrorGallery.FILE), "misclassified images");
        }
        requireAtMost(file, MAX_ERRORS_CSV_BYTES);
        List<Csv.Row> all = Csv.read(file, EvaluationFiles.ERRORS_COLUMNS);
        StringBuilder html = new StringBuilder("<h3>Top errors</h3><p>").append(all.size())
                .append(" images misclassified").append(all.size() > ErrorGallery.THUMBNAILS ? "; the "
                        + ErrorGallery.THUMBNAILS + " with the highest loss" : "").append(" (all in ")
                .append(Html.escape(file)).append(").</p>");
        if (all.isEmpty()) {
            return html.toString();
        }
        List<byte[]> thumbnails = thumbnails(dir.resolve(ErrorGallery.THUMBNAILS_FILE));
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < Math.min(ErrorGallery.THUMBNAILS, all.size()); i++) {
            Csv.Row row = all.get(i);
            String path = String.valueOf(row.get("path"));
            String name = path.substring(path.lastIndexOf('/') + 1);
            rows.add(List.of(i < thumbnails.size() ? Html.image(thumbnails.get(i), name, "thumb")
                            : "<span class=\"missing\">no thumbnail</span>", Html.escape(row.get("true")),
                    Html.escape(row.get("predicted")), cell(row.get("probability")), cell(row.get("loss")),
                    Html.escape(name)));
        }
        return html.append(Html.table(List.of("image", "true", "predicted", "probability", "loss", "file"), rows, -1))
                .toString();
    }

    /**
     * The thumbnails evaluate left in the bundle, each as a PNG; none where there is no such file or it is not a
     * row of them (checked from its header before it is decoded).
     */
    private static List<byte[]> thumbnails(Path strip) {
        int size = ErrorGallery.THUMBNAIL_SIZE;
        ImageProbe.Result probed = ImageProbe.probe(strip, (long) ErrorGallery.THUMBNAILS * size * size);
        if (!probed.usable() || !"PNG".equals(probed.format()) || probed.height() != size
                || probed.width() % size != 0) {
            return List.of();
        }
        try {
            BufferedImage row = ImageIO.read(strip.toFile());
            List<byte[]> pngs = new ArrayList<>();
            for (int x = 0; row != null && x + size <= row.getWidth(); x += size) {
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                ImageIO.write(row.getSubimage(x, 0, size, size), "png", png);
                pngs.add(png.toByteArray());
            }
            return pngs;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static String usage(List<String> commands) {
        return "<h2>Using the model</h2><pre>" + Html.escape(String.join("\n", commands)) + "</pre>";
    }

    /** A picture of the bundle, embedded as it is if it is a PNG of a sensible size. */
    private static String picture(Path png, String alt) {
        if (!Files.isRegularFile(png)) {
            return "<p class=\"missing\">" + Html.escape(png.getFileName()) + " is missing.</p>";
        }
        ImageProbe.Result probed = ImageProbe.probe(png, MAX_PICTURE_PIXELS);
        if (!probed.usable() || !"PNG".equals(probed.format())) {
            return "<p class=\"missing\">" + Html.escape(png.getFileName()) + " is not a picture tl drew ("
                    + Html.escape(probed.usable() ? probed.format() : probed.problem()) + ").</p>";
        }
        requireAtMost(png, MAX_PICTURE_BYTES);
        try {
            return "<p>" + Html.image(Files.readAllBytes(png), alt, "plot") + "</p>";
        } catch (IOException e) {
            throw new TlException("cannot read " + png + ": " + e.getMessage(), e);
        }
    }

    /** A bundle file larger than tl ever writes is not read. */
    private static void requireAtMost(Path file, long bytes) {
        try {
            long size = Files.size(file);
            if (size > bytes) {
                throw new TlException(file + " is " + size + " bytes, more than tl ever writes there (" + bytes
                        + "): it is not read");
            }
        } catch (IOException e) {
            throw new TlException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String number(int value) {
        return cell(String.format(Locale.ROOT, "%,d", value));
    }

    private static String decimalCell(Double value) {
        return cell(decimal(value));
    }

    private static String decimal(Double value) {
        return value == null ? "–" : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String cell(String numeric) {
        return "<span class=\"n\">" + Html.escape(numeric) + "</span>";
    }
}
