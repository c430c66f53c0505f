package dev.tl.train;

import dev.tl.TlException;
import dev.tl.data.Batch;
import dev.tl.data.BatchLoader;
import dev.tl.data.InputSpec;
import dev.tl.device.ComputeBackend;
import dev.tl.engine.Dl4jEngine;
import dev.tl.engine.EngineChoice;
import dev.tl.engine.Network;
import dev.tl.engine.OnnxRuntimeEngine;
import dev.tl.engine.Session;
import dev.tl.engine.Tensor;
import dev.tl.model.BatchNormFolding;
import dev.tl.model.FreezePlan;
import dev.tl.model.Params;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fine-tune graph cut at the top of its frozen bottom: the bottom has no gradient to compute, so it runs forward on
 * the onnxruntime engine, and DL4J trains the top from the bottom's outputs (the tensors that cross the cut, in
 * DL4J's layout). The top has the fine-tune graph's vertex names, per-layer updaters and updater state layout, so
 * parameters, Adam's state, checkpoints and resumes move between the two unchanged; the bottom's weights never
 * change, so it is converted once per phase.
 */
final class FrozenBottom implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FrozenBottom.class);

    private final Session bottom;
    private final ComputationGraph top;
    private final InputType[] crossing;

    private FrozenBottom(Session bottom, ComputationGraph top, InputType[] crossing) {
        this.bottom = bottom;
        this.top = top;
        this.crossing = crossing;
    }

    /**
     * The split of {@code net} (built under {@code plan}, holding the current weights and optimizer state), or
     * empty where there is nothing to gain: nothing frozen, inference not on ONNX Runtime, or a bottom it cannot
     * run.
     */
    static Optional<FrozenBottom> of(ComputationGraph net, FreezePlan plan, List<InputSpec> inputs,
                                     EngineChoice engines) {
        if (plan.frozen().isEmpty() || !engines.mayUseOnnxRuntime()) {
            return Optional.empty();
        }
        ComputationGraphConfiguration conf = net.getConfiguration();
        List<String> frozen = conf.getTopologicalOrderStr().stream().filter(plan.frozen()::contains).toList();
        Set<String> cut = new LinkedHashSet<>();
        for (String vertex : conf.getTopologicalOrderStr()) {
            if (plan.frozen().contains(vertex) || conf.getNetworkInputs().contains(vertex)) {
                continue;
            }
            for (String input : conf.getVertexInputs().get(vertex)) {
                if (conf.getNetworkInputs().contains(input)) {
                    return Optional.empty(); // an unfrozen vertex reads an image: no bottom to cut off
                }
                if (plan.frozen().contains(input)) {
                    cut.add(input);
                }
            }
        }
        List<String> crossing = frozen.stream().filter(cut::contains).toList();
        ComputationGraph top = top(net, frozen, crossing);
        if (!updaterLayout(top).equals(updaterLayout(net))) {
            log.debug("fine-tune phase: the top's optimizer state would be laid out differently; not split");
            return Optional.empty();
        }
        Session bottom;
        try {
            bottom = engines.open(Network.of("the frozen layers", net, inputs).upTo("the frozen layers", crossing,
                    inputs.get(0).layout()));
        } catch (TlException e) {
            log.debug("fine-tune phase: the frozen layers stay in the DL4J graph: {}", e.getMessage());
            return Optional.empty();
        }
        if (!bottom.engine().equals(OnnxRuntimeEngine.ID)) {
            bottom.close();
            return Optional.empty();
        }
        Map<String, InputType> shapes = conf.getLayerActivationTypes(inputs.stream()
                .map(input -> InputType.convolutional(input.imageSize(), input.imageSize(), 3, input.layout()))
                .toArray(InputType[]::new));
        log.info("fine-tune phase: the {} frozen layers run forward on {}, DL4J trains the {} above them",
                frozen.size(), bottom.engine(), top.getLayers().length);
        return Optional.of(new FrozenBottom(bottom, top, crossing.stream().map(shapes::get).toArray(InputType[]::new)));
    }

    /** The graph that trains: the fine-tune graph above the cut, with its parameters and optimizer state. */
    ComputationGraph top() {
        return top;
    }

    /** What the batches of images must hold for the bottom. */
    List<InputSpec> inputs() {
        return bottom.inputs();
    }

    /** A loader of labelled batches for the bottom. */
    BatchLoader loader(int numClasses) {
        return new BatchLoader(bottom.inputs(), numClasses, bottom.device());
    }

    /** The shapes the top's inputs have for one image, in the top's input order. */
    InputType[] crossingTypes() {
        return crossing.clone();
    }

    /** The bottom's outputs for a batch of images: the top's inputs. */
    INDArray[] crossing(Batch batch) {
        List<Tensor> outputs = bottom.run(batch);
        INDArray[] arrays = new INDArray[outputs.size()];
        for (int i = 0; i < arrays.length; i++) {
            arrays[i] = Nd4j.create(outputs.get(i).values(), outputs.get(i).shape(), 'c');
        }
        return arrays;
    }

    /**
     * The whole fine-tune graph as one inference session: the bottom on its engine, the top in DL4J with its current
     * weights (validation needs no conversion per epoch).
     */
    Session inference() {
        return new Session() {
            @Override
            public String engine() {
                return bottom.engine() + "+" + Dl4jEngine.ID;
            }

            @Override
            public ComputeBackend.Kind device() {
                return bottom.device();
            }

            @Override
            public List<InputSpec> inputs() {
                return bottom.inputs();
            }

            @Override
            public List<Tensor> run(Batch batch) {
                INDArray output = top.output(false, crossing(batch))[0].dup('c');
                return List.of(new Tensor(output.data().asFloat(), output.shape()));
            }

            @Override
            public void close() {
            }
        };
    }

    /** A training batch of the top: the bottom's outputs for the images, and their labels. */
    MultiDataSet dataSet(Batch batch) {
        return new MultiDataSet(crossing(batch), new INDArray[] {batch.labels()});
    }

    /** Copies what the top learnt into the whole fine-tune graph. */
    void copyInto(ComputationGraph net) {
        Params.copyShared(top, net);
        OwnGradientUpdater.of(net).getStateViewArray().assign(OwnGradientUpdater.of(top).getStateViewArray());
        net.getConfiguration().setIterationCount(top.getConfiguration().getIterationCount());
        net.getConfiguration().setEpochCount(top.getConfiguration().getEpochCount());
    }

    @Override
    public void close() {
        bottom.close();
    }

    /**
     * The fine-tune graph without its frozen vertices, the tensors crossing the cut as its inputs; parameters,
     * optimizer state and step counts copied from {@code net}.
     */
    private static ComputationGraph top(ComputationGraph net, List<String> frozen, List<String> crossing) {
        // Copied through JSON: DL4J's clone() of a MergeVertex drops its merge axis.
        ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(net.getConfiguration().toJson());
        frozen.forEach(vertex -> {
            conf.getVertices().remove(vertex);
            conf.getVertexInputs().remove(vertex);
        });
        conf.setNetworkInputs(new ArrayList<>(crossing));
        conf.setTopologicalOrder(null); // the saved order names the removed vertices
        conf.setTopologicalOrderStr(null);
        ComputationGraph top = new ComputationGraph(conf);
        top.init();
        BatchNormFolding.link(top); // the fine-tune graph's frozen BatchNorm, computed by its convolution
        Params.copyShared(net, top);
        OwnGradientUpdater.of(top).getStateViewArray().assign(OwnGradientUpdater.of(net).getStateViewArray());
        return top;
    }

    /** Which layer's parameter each part of the optimizer state belongs to, in order (empty parts left out). */
    private static List<String> updaterLayout(ComputationGraph graph) {
        Updater updater = OwnGradientUpdater.of(graph);
        List<String> layout = new ArrayList<>();
        if (updater instanceof BaseMultiLayerUpdater<?> blocks) {
            for (UpdaterBlock block : blocks.getUpdaterBlocks()) {
                if (block.getUpdaterViewOffsetEnd() > block.getUpdaterViewOffsetStart()) {
                    block.getLayersAndVariablesInBlock().forEach(state -> layout.add(
                            state.getLayer().getConfig().getLayerName() + "/" + state.getParamName()));
                    layout.add("@" + block.getUpdaterViewOffsetStart() + "-" + block.getUpdaterViewOffsetEnd());
                }
            }
        }
        return layout;
    }
}
