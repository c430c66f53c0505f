package dev.tl.model;

import dev.tl.data.InputSpec;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** Something that classifies images: an inference graph, what its inputs expect, and its class names in order. */
public record Classifier(ComputationGraph graph, List<InputSpec> inputs, List<String> classes) {
}
