package dev.tl.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Labelled images plus the class names their labels index into. */
public record ImageSet(List<String> classes, List<LabelledImage> images) {

    private static final Logger log = LoggerFactory.getLogger(ImageSet.class);

    public ImageSet {
        classes = List.copyOf(classes);
        images = List.copyOf(images);
    }

    public int size() {
        return images.size();
    }

    public int[] countsPerClass() {
        int[] counts = new int[classes.size()];
        images.forEach(image -> counts[image.label()]++);
        return counts;
    }

    /** Images in a random order that depends only on {@code seed}. */
    public List<LabelledImage> shuffled(long seed) {
        List<LabelledImage> order = new ArrayList<>(images);
        Collections.shuffle(order, new Random(seed));
        return order;
    }

    /**
     * Splits off {@code fraction} of every class (rounded, at least one image when the class has two or more, never
     * its last image) as {@code heldOutAs} data, warning where a class is too small for the fraction. The split
     * depends only on the file list and the seed.
     */
    public Split stratifiedSplit(double fraction, long seed, String heldOutAs) {
        List<LabelledImage> train = new ArrayList<>();
        List<LabelledImage> validation = new ArrayList<>();
        Random random = new Random(seed);
        for (int label = 0; label < classes.size(); label++) {
            List<LabelledImage> ofClass = new ArrayList<>();
            for (LabelledImage image : images) {
                if (image.label() == label) {
                    ofClass.add(image);
                }
            }
            Collections.shuffle(ofClass, random);
            int take = (int) Math.round(ofClass.size() * fraction);
            if (take == 0 && fraction > 0) {
                take = 1;
            }
            take = Math.max(0, Math.min(take, ofClass.size() - 1)); // a class keeps a training image
            if (fraction > 0 && ofClass.size() == 1) {
                log.warn("class {} has a single image: it trains, none is held out as {}", classes.get(label),
                        heldOutAs);
            } else if (fraction > 0 && take > 2 * fraction * ofClass.size()) {
                log.warn("class {} has only {} images: {} held out as {} ({}%), not {}%", classes.get(label),
                        ofClass.size(), take, heldOutAs, Math.round(100.0 * take / ofClass.size()),
                        Math.round(100 * fraction));
            }
            validation.addAll(ofClass.subList(0, take));
            train.addAll(ofClass.subList(take, ofClass.size()));
        }
        return new Split(new ImageSet(classes, train), new ImageSet(classes, validation));
    }

    public record Split(ImageSet train, ImageSet validation) {
    }
}
