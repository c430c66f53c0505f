package dev.tl.cli;

import dev.tl.zoo.Backbone;
import dev.tl.zoo.Backbones;
import dev.tl.zoo.PretrainedWeights;
import dev.tl.zoo.weights.WeightCache;
import dev.tl.zoo.weights.WeightFile;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tl weights}: where each backbone's ImageNet weights are cached, and fetching them ahead of training. */
@Command(name = "weights", mixinStandardHelpOptions = true,
        description = "Show the ImageNet weight cache ($TL_HOME/weights, default ~/.tl/weights) or download into it.",
        footerHeading = "%nExamples:%n",
        footer = {"  tl weights mobilenet",
                "  tl weights --download --with-top mobilenet densenet201"})
final class WeightsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--download", description = "Download (and verify) the weights that are not cached yet.")
    boolean download;

    @Option(names = "--with-top", description = "Also the files with the ImageNet classifier (for `tl predict --model`).")
    boolean withTop;

    @Parameters(paramLabel = "NAME", arity = "0..*", description = "Backbones (default: all).")
    List<String> names;

    @Override
    public Integer call() {
        WeightCache cache = WeightCache.standard();
        List<Backbone> backbones = names == null || names.isEmpty() ? Backbones.all()
                : names.stream().map(BackboneNames::resolve).toList();
        PrintWriter out = spec.commandLine().getOut();
        for (Backbone backbone : backbones) {
            for (PretrainedWeights.Files files : backbone.weights().all()) {
                show(out, cache, backbone.name(), files.noTop(), "ImageNet weights for " + backbone.name());
                if (withTop) {
                    show(out, cache, backbone.name() + "+top", files.withTop(),
                            "ImageNet weights with classifier for " + backbone.name());
                }
            }
        }
        out.flush();
        return 0;
    }

    private void show(PrintWriter out, WeightCache cache, String label, WeightFile file, String what) {
        if (download) {
            cache.fetch(file, what);
        }
        out.printf("%-20s %-8s %s%n", label, cache.isCached(file) ? "cached" : "missing", cache.pathFor(file));
    }
}
