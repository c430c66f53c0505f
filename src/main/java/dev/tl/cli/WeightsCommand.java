package dev.tl.cli;

import dev.tl.zoo.Backbone;
import dev.tl.zoo.Backbones;
import dev.tl.zoo.weights.WeightCache;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tl weights}: where each backbone's ImageNet weights are cached, and fetching them ahead of training. */
@Command(name = "weights", mixinStandardHelpOptions = true,
        description = "Show the ImageNet weight cache ($TL_HOME/weights, default ~/.tl/weights) or download into it.")
final class WeightsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--download", description = "Download (and verify) the weights that are not cached yet.")
    boolean download;

    @Parameters(paramLabel = "NAME", arity = "0..*", description = "Backbones (default: all).")
    List<String> names;

    @Override
    public Integer call() {
        WeightCache cache = WeightCache.standard();
        List<Backbone> backbones = names == null || names.isEmpty() ? Backbones.all()
                : names.stream().map(Backbones::get).toList();
        PrintWriter out = spec.commandLine().getOut();
        for (Backbone backbone : backbones) {
            if (download) {
                cache.fetch(backbone.noTopWeights(), "ImageNet weights for " + backbone.name());
            }
            boolean cached = cache.isCached(backbone.noTopWeights());
            out.printf("%-16s %-8s %s%n", backbone.name(), cached ? "cached" : "missing",
                    cache.pathFor(backbone.noTopWeights()));
        }
        out.flush();
        return 0;
    }
}
