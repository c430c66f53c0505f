package dev.tl.train;

import dev.tl.model.FreezePlan;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.zoo.Block;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discriminative fine-tuning: the top block of each base learns at the full fine-tune rate, the block below at
 * {@code decay} times that, the next at decay², and so on; the head learns at the full rate.
 */
final class BlockLearningRates {

    private static final Logger log = LoggerFactory.getLogger(BlockLearningRates.class);

    private BlockLearningRates() {
    }

    /** The factor of the fine-tune rate per base vertex name; vertices not listed (the head) take 1. */
    static Map<String, Double> factors(ModelSpec spec, FreezePlan plan, double decay, double rate) {
        Map<String, Double> factors = new HashMap<>();
        if (decay == 1.0) {
            return factors;
        }
        List<String> trained = new ArrayList<>();
        for (int i = 0; i < spec.bases().size(); i++) {
            List<Block> blocks = ModelGraphs.baseBlocks(spec, i);
            for (int b = 0; b < blocks.size(); b++) {
                Block block = blocks.get(b);
                double factor = Math.pow(decay, blocks.size() - 1 - b);
                block.layers().forEach(layer -> factors.put(layer, factor));
                if (!plan.frozen().containsAll(block.layers())) {
                    trained.add(String.format(Locale.ROOT, "%s %.2e", block.name(), rate * factor));
                }
            }
        }
        log.info("fine-tune learning rate per block: {}", String.join(", ", trained));
        return factors;
    }
}
