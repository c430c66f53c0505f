package dev.tl.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/** Mini-batches of row indices (feature rows, images) in a seeded random order. */
final class ShuffledBatches {

    private ShuffledBatches() {
    }

    static List<int[]> shuffled(int rows, int batchSize, long seed) {
        List<Integer> order = new ArrayList<>(IntStream.range(0, rows).boxed().toList());
        Collections.shuffle(order, new Random(seed));
        List<int[]> batches = new ArrayList<>();
        for (int from = 0; from < rows; from += batchSize) {
            batches.add(order.subList(from, Math.min(from + batchSize, rows)).stream().mapToInt(Integer::intValue)
                    .toArray());
        }
        return batches;
    }

    /** How many mini-batches an epoch over {@code rows} examples has. */
    static int count(int rows, int batchSize) {
        return (rows + batchSize - 1) / batchSize;
    }
}
