package dev.tl.eval;

import dev.tl.data.LabelledImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A misclassified image: its true and predicted class, the probability of the prediction and the image's loss
 * (cross-entropy of the true class), as fastai's top losses.
 */
public record Mistake(Path path, String trueClass, String predicted, double probability, double loss) {

    /** Every misclassified image of an evaluation, highest loss first. */
    public static List<Mistake> of(float[][] probabilities, List<LabelledImage> images, List<String> classes) {
        List<Mistake> mistakes = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            float[] row = probabilities[i];
            int truth = images.get(i).label();
            int predicted = Metrics.argMax(row);
            if (predicted != truth) {
                mistakes.add(new Mistake(images.get(i).path(), classes.get(truth), classes.get(predicted),
                        row[predicted], Metrics.loss(row[truth])));
            }
        }
        mistakes.sort(Comparator.comparingDouble(Mistake::loss).reversed());
        return mistakes;
    }
}
