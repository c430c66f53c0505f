package dev.tl.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.AtomicFiles;
import dev.tl.Csv;
import dev.tl.Json;
import dev.tl.TlException;
import dev.tl.bundle.BundleMetadata;
import dev.tl.bundle.ModelBundle;
import dev.tl.data.Framing;
import dev.tl.data.ImageDecoder;
import dev.tl.data.ImageTransform;
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

    public static final String FILE = "report.html";
    static final int ERRORS_SHOWN = 12;
    private static final int THUMBNAIL = 96;
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
        Path file = dir.resolve("evaluation.json");
        if (!Files.isRegularFile(file)) {
            return html.append("<p class=\"missing\">Not evaluated yet: evaluate the model (below), then write "
                    + "this page again.</p>").toString();
        }
        JsonNode report;
        try {
            report = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new TlException("cannot read " + file + ": " + e.getMessage(), e);
        }
        html.append("<p>").append(report.get("images").asInt()).append(" images of ")
                .append(Html.escape(report.path("data").asText())).append(" (labels: ")
                .append(Html.escape(report.path("labels").asText())).append(")")
                .append(report.path("tta").asInt(1) > 1 ? ", " + report.get("tta").asInt() + " views per image" : "")
                .append(": accuracy <b>").append(decimal(report.get("accuracy").asDouble())).append("</b>, loss ")
                .append(decimal(report.get("loss").asDouble())).append(".</p>");
        if (report.path("chose_kept_epoch").asBoolean(false)) {
            html.append("<p>These are the validation images that chose the kept epoch, so the numbers are "
                    + "optimistic: train with <code>--test-split F</code> for a held-out test set, or evaluate on "
                    + "images the model has not seen.</p>");
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode c : report.get("per_class")) {
            rows.add(List.of(Html.escape(c.get("name").asText()), decimalCell(c.get("precision").asDouble()),
                    decimalCell(c.get("recall").asDouble()), decimalCell(c.get("f1").asDouble()),
                    number(c.get("support").asInt())));
        }
        JsonNode macro = report.get("macro_average");
        rows.add(List.of("<b>macro average</b>", decimalCell(macro.get("precision").asDouble()),
                decimalCell(macro.get("recall").asDouble()), decimalCell(macro.get("f1").asDouble()),
                number(report.get("images").asInt())));
        html.append(Html.table(List.of("class", "precision", "recall", "f1", "support"), rows, -1));
        html.append(picture(dir.resolve(ConfusionPlot.FILE), "confusion matrix"));
        return html.append(errors(dir)).toString();
    }

    /** The worst errors from errors.csv, each with a thumbnail of its image. */
    private static String errors(Path dir) {
        Path file = dir.resolve(EvaluationFiles.ERRORS_CSV);
        if (!Files.isRegularFile(file)) {
            return picture(dir.resolve(ErrorGallery.FILE), "misclassified images");
        }
        List<Csv.Row> all = Csv.read(file, EvaluationFiles.ERRORS_COLUMNS);
        StringBuilder html = new StringBuilder("<h3>Top errors</h3><p>").append(all.size())
                .append(" images misclassified").append(all.size() > ERRORS_SHOWN ? "; the " + ERRORS_SHOWN
                        + " with the highest loss" : "").append(" (all in ").append(Html.escape(file)).append(").</p>");
        if (all.isEmpty()) {
            return html.toString();
        }
        List<List<String>> rows = new ArrayList<>();
        for (Csv.Row row : all.subList(0, Math.min(ERRORS_SHOWN, all.size()))) {
            Path image = Path.of(row.get("path"));
            rows.add(List.of(thumbnail(image), Html.escape(row.get("true")), Html.escape(row.get("predicted")),
                    cell(row.get("probability")), cell(row.get("loss")), Html.escape(image.getFileName())));
        }
        return html.append(Html.table(List.of("image", "true", "predicted", "probability", "loss", "file"), rows, -1))
                .toString();
    }

    private static String usage(List<String> commands) {
        return "<h2>Using the model</h2><pre>" + Html.escape(String.join("\n", commands)) + "</pre>";
    }

    private static String picture(Path png, String alt) {
        if (!Files.isRegularFile(png)) {
            return "<p class=\"missing\">" + Html.escape(png.getFileName()) + " is missing.</p>";
        }
        try {
            return "<p>" + Html.image(Files.readAllBytes(png), alt, "plot") + "</p>";
        } catch (IOException e) {
            throw new TlException("cannot read " + png + ": " + e.getMessage(), e);
        }
    }

    private static String thumbnail(Path image) {
        if (!Files.isRegularFile(image)) {
            return "<span class=\"missing\">moved</span>";
        }
        try (ImageDecoder.Decoded decoded = ImageDecoder.decode(image)) {
            BufferedImage small = new BufferedImage(THUMBNAIL, THUMBNAIL, BufferedImage.TYPE_INT_RGB);
            small.setRGB(0, 0, THUMBNAIL, THUMBNAIL, decoded.transformedRgb(THUMBNAIL, ImageTransform.IDENTITY), 0,
                    THUMBNAIL);
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(small, "png", png);
            return Html.image(png.toByteArray(), image.getFileName().toString(), "thumb");
        } catch (IOException | TlException e) {
            return "<span class=\"missing\">unreadable</span>";
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
