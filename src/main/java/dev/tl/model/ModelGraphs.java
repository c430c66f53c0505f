package dev.tl.model;

import dev.tl.zoo.Backbone;
import dev.tl.zoo.Block;
import dev.tl.zoo.FeatureMap;
import dev.tl.zoo.NetBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * Builds the three graphs a model is made of, all with the same vertex and parameter names:
 * the full model (base(s) → global average pooling → [concat] → head), the feature extractor (everything up to the
 * pooled features) and the head alone (features → [Dense] → Dropout → softmax), which trains on cached features.
 */
public final class ModelGraphs {

    public static final String FEATURES_INPUT = "features";
    public static final String DENSE = "head/dense";
    public static final String OUTPUT = "head/output";
    private static final String CONCAT = "head/concat";

    private ModelGraphs() {
    }

    /**
     * The whole model for inference, the head initialised from {@code seed} and bases that have no weight file from
     * {@code baseSeed} (usually {@link BaseWeights#RANDOM_INIT_SEED}); load the bases' weights into it next.
     */
    public static ComputationGraph initial(ModelSpec spec, long seed, long baseSeed) {
        ComputationGraph model = full(spec, FreezePlan.INFERENCE, new NoOp(), seed);
        // Each base initialised alone, as every one-base extractor is (tl embed, the feature pass, the ONNX models
        // kept under "random init, seed"): a fused model's second base drawn after its first would be another network
        // under the same key. A lone base drawn first with the same seed already is that network.
        if (baseSeed != seed || spec.bases().size() > 1) {
            for (int base = 0; base < spec.bases().size(); base++) {
                Params.copyShared(featureExtractor(spec, base, baseSeed), model);
            }
        }
        return model;
    }

    /** The whole model, ready to train with {@code updater} under {@code plan}, or for inference. */
    public static ComputationGraph full(ModelSpec spec, FreezePlan plan, IUpdater updater, long seed) {
        return full(spec, plan, updater, seed, null);
    }

    /**
     * The whole model, training on a cross-entropy whose classes weigh {@code lossWeights} (in class order; null for
     * the plain loss). Only training graphs take weights: the saved model keeps the plain loss.
     */
    public static ComputationGraph full(ModelSpec spec, FreezePlan plan, IUpdater updater, long seed,
                                        double[] lossWeights) {
        return init(fullConfiguration(spec, plan, updater, seed, lossWeights));
    }

    /**
     * The whole model with an updater of its own per layer, by vertex name (e.g. learning rates that fall towards
     * the input), and {@code lossWeights} as above. DL4J groups layers with equal updater settings into one updater
     * block, so layers built with different learning rates keep them apart however they are scaled later.
     */
    public static ComputationGraph full(ModelSpec spec, FreezePlan plan, Function<String, IUpdater> updaterOf,
                                        long seed, double[] lossWeights) {
        return init(fullConfiguration(spec, plan, updaterOf, seed, lossWeights));
    }

    /**
     * The whole model as the fine-tune phase trains it: {@link #full}'s graph, with frozen BatchNorm folded into
     * the convolution before it during training ({@link BatchNormFolding#training}); same parameters and names.
     */
    public static ComputationGraph fineTuning(ModelSpec spec, FreezePlan plan, Function<String, IUpdater> updaterOf,
                                              long seed, double[] lossWeights) {
        return BatchNormFolding.training(fullConfiguration(spec, plan, updaterOf, seed, lossWeights));
    }

    private static ComputationGraphConfiguration fullConfiguration(ModelSpec spec, FreezePlan plan,
                                                                   Function<String, IUpdater> updaterOf, long seed,
                                                                   double[] lossWeights) {
        ComputationGraphConfiguration conf = fullConfiguration(spec, plan, new NoOp(), seed, lossWeights);
        conf.getVertices().forEach((name, vertex) -> {
            if (vertex instanceof LayerVertex layer && layer.getLayerConf().getLayer() instanceof BaseLayer base) {
                base.setIUpdater(updaterOf.apply(name).clone());
            }
        });
        return conf;
    }

    private static ComputationGraphConfiguration fullConfiguration(ModelSpec spec, FreezePlan plan, IUpdater updater,
                                                                   long seed, double[] lossWeights) {
        GraphBuilder graph = graphBuilder(updater, seed);
        String features = addBases(graph, spec, plan);
        addHead(graph, spec, features, featureSize(spec), lossWeights);
        graph.setOutputs(OUTPUT);
        return graph.build();
    }

    /** Base(s) and pooling only: outputs the pooled (and for fused models concatenated) feature vector. */
    public static ComputationGraph featureExtractor(ModelSpec spec, long seed) {
        GraphBuilder graph = graphBuilder(new NoOp(), seed);
        return init(graph, addBases(graph, spec, FreezePlan.INFERENCE));
    }

    /** One base of a (possibly fused) model and its pooling, with the model's vertex names. */
    public static ComputationGraph featureExtractor(ModelSpec spec, int base, long seed) {
        GraphBuilder graph = graphBuilder(new NoOp(), seed);
        int size = spec.bases().get(base).imageSize();
        graph.addInputs(inputName(spec, base));
        graph.setInputTypes(InputType.convolutional(size, size, 3, FreezePlan.INFERENCE.builderOptions().format()));
        FeatureMap out = buildBase(graph, spec, base, FreezePlan.INFERENCE);
        String pool = spec.prefix(base) + "head/pool";
        graph.addLayer(pool, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), out.name());
        return init(graph, pool);
    }

    /** The head alone, fed with pooled features; {@code lossWeights} as for {@link #full}. */
    public static ComputationGraph head(ModelSpec spec, IUpdater updater, long seed, double[] lossWeights) {
        GraphBuilder graph = graphBuilder(updater, seed);
        int size = featureSize(spec);
        graph.addInputs(FEATURES_INPUT);
        graph.setInputTypes(InputType.feedForward(size));
        addHead(graph, spec, FEATURES_INPUT, size, lossWeights);
        return init(graph, OUTPUT);
    }

    /** A backbone with Keras' ImageNet classifier, for inference, and the names of all its vertices. */
    public record ImageNetGraph(ComputationGraph graph, List<String> vertexNames) {
    }

    public static ImageNetGraph imagenetClassifier(Backbone backbone, int imageSize) {
        List<String> vertexNames = new ArrayList<>();
        ComputationGraphConfiguration conf = imagenetClassifierConfiguration(backbone, imageSize, vertexNames);
        return new ImageNetGraph(init(conf), List.copyOf(vertexNames));
    }

    /** The configuration of {@link #imagenetClassifier}, without parameters (enough to work out its cost). */
    public static ComputationGraphConfiguration imagenetClassifierConfiguration(Backbone backbone, int imageSize) {
        return imagenetClassifierConfiguration(backbone, imageSize, new ArrayList<>());
    }

    private static ComputationGraphConfiguration imagenetClassifierConfiguration(Backbone backbone, int imageSize,
                                                                                 List<String> vertexNames) {
        BaseLayout.requireLargeEnough(backbone, imageSize);
        GraphBuilder graph = graphBuilder(new NoOp(), 0);
        graph.addInputs("input");
        graph.setInputTypes(InputType.convolutional(imageSize, imageSize, 3,
                FreezePlan.INFERENCE.builderOptions().format()));
        NetBuilder net = new NetBuilder(graph, "", FreezePlan.INFERENCE.builderOptions());
        graph.setOutputs(backbone.architecture().imagenetClassifier(net,
                new FeatureMap("input", 3, imageSize, imageSize)).name());
        vertexNames.addAll(net.vertexNames());
        return graph.build();
    }

    /** The length of the model's feature vector: the pooled outputs of its bases, concatenated. */
    public static int featureSize(ModelSpec spec) {
        return spec.bases().stream().mapToInt(base -> BaseLayout.of(base).outputChannels()).sum();
    }

    /** Vertex names of base {@code i} in topological order (the order "top N layers" counts from the end). */
    public static List<String> baseVertexNames(ModelSpec spec, int i) {
        String prefix = spec.prefix(i);
        return BaseLayout.of(spec.bases().get(i)).layerNames().stream().map(name -> prefix + name).toList();
    }

    /** The blocks of base {@code i}, bottom to top, with their vertex names. */
    public static List<Block> baseBlocks(ModelSpec spec, int i) {
        String prefix = spec.prefix(i);
        return BaseLayout.of(spec.bases().get(i)).blocks().stream()
                .map(block -> new Block(block.name(), block.layers().stream().map(name -> prefix + name).toList()))
                .toList();
    }

    public static String inputName(ModelSpec spec, int i) {
        return spec.prefix(i) + "input";
    }

    /** Adds base {@code i} to {@code graph}; returns its output. */
    private static FeatureMap buildBase(GraphBuilder graph, ModelSpec spec, int i, FreezePlan plan) {
        BaseSpec base = spec.bases().get(i);
        BaseLayout.of(base); // an input too small fails here, with a message saying so
        NetBuilder net = new NetBuilder(graph, spec.prefix(i), plan.builderOptions());
        return base.backbone().architecture().base(net,
                new FeatureMap(inputName(spec, i), 3, base.imageSize(), base.imageSize()));
    }

    private static String addBases(GraphBuilder graph, ModelSpec spec, FreezePlan plan) {
        List<String> pooled = new ArrayList<>();
        List<InputType> inputTypes = new ArrayList<>();
        for (int i = 0; i < spec.bases().size(); i++) {
            int size = spec.bases().get(i).imageSize();
            graph.addInputs(inputName(spec, i));
            inputTypes.add(InputType.convolutional(size, size, 3, plan.builderOptions().format()));
            FeatureMap out = buildBase(graph, spec, i, plan);
            String pool = spec.prefix(i) + "head/pool";
            graph.addLayer(pool, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), out.name());
            pooled.add(pool);
        }
        graph.setInputTypes(inputTypes.toArray(InputType[]::new));
        if (pooled.size() == 1) {
            return pooled.get(0);
        }
        graph.addVertex(CONCAT, new MergeVertex(), pooled.toArray(String[]::new));
        return CONCAT;
    }

    private static void addHead(GraphBuilder graph, ModelSpec spec, String features, int featureSize,
                                double[] lossWeights) {
        HeadSpec head = spec.head();
        String input = features;
        int width = featureSize;
        if (head.denseUnits() > 0) {
            graph.addLayer(DENSE, new DenseLayer.Builder().nIn(width).nOut(head.denseUnits())
                    .activation(NetBuilder.function(Activation.RELU)).weightInit(WeightInit.XAVIER_UNIFORM).build(),
                    input);
            input = DENSE;
            width = head.denseUnits();
        }
        INDArray weights = lossWeights == null ? null
                : Nd4j.createFromArray(lossWeights).castTo(DataType.FLOAT).reshape(1, lossWeights.length);
        OutputLayer.Builder output = new OutputLayer.Builder(new LossMCXENT(weights))
                .nIn(width)
                .nOut(spec.numClasses())
                .weightInit(WeightInit.XAVIER_UNIFORM) // Keras' glorot_uniform
                .activation(Activation.SOFTMAX);
        if (head.dropout() > 0) {
            output.dropOut(1.0 - head.dropout()); // DL4J takes the retain probability; Keras takes the drop rate
        }
        graph.addLayer(OUTPUT, output.build(), input);
    }

    private static GraphBuilder graphBuilder(IUpdater updater, long seed) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.RELU) // He: keeps random ReLU bases' activations alive under fixed BatchNorm
                .updater(updater)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder();
    }

    private static ComputationGraph init(GraphBuilder graph, String output) {
        graph.setOutputs(output);
        return init(graph.build());
    }

    private static ComputationGraph init(ComputationGraphConfiguration conf) {
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }
}
