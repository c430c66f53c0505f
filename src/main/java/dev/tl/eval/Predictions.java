package dev.tl.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/** Turns class probabilities into top-k predictions. */
public final class Predictions {

    private Predictions() {
    }

    public static Prediction topK(String path, float[] probabilities, List<String> classes, int k) {
        List<Prediction.Label> labels = new ArrayList<>();
        IntStream.range(0, probabilities.length)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> probabilities[i]).reversed())
                .limit(Math.min(k, probabilities.length))
                .forEach(i -> labels.add(new Prediction.Label(classes.get(i), probabilities[i])));
        return new Prediction(path, labels, null);
    }
}
