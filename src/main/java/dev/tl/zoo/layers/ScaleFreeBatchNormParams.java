package dev.tl.zoo.layers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The parameters of Keras' {@code BatchNormalization(scale=False)} (InceptionV3, InceptionResNetV2): beta, moving
 * mean and moving variance, 3 per channel as Keras counts them and stores them, without a gamma. Laid out like
 * DL4J's BatchNormalization less its first block, so a parameter vector moves between the frozen and the trainable
 * layer unchanged.
 */
public final class ScaleFreeBatchNormParams implements ParamInitializer {

    public static final ScaleFreeBatchNormParams INSTANCE = new ScaleFreeBatchNormParams();
    private static final List<String> KEYS = List.of(BatchNormalizationParamInitializer.BETA,
            BatchNormalizationParamInitializer.GLOBAL_MEAN, BatchNormalizationParamInitializer.GLOBAL_VAR);

    private ScaleFreeBatchNormParams() {
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        return KEYS.size() * ((BatchNormalization) layer).getNOut();
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return KEYS;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return List.of();
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return List.of();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return false;
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return false;
    }

    /** Fresh: beta 0, mean 0, variance 1. */
    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramView, boolean initializeParams) {
        Map<String, INDArray> params = views(conf, paramView);
        if (initializeParams) {
            params.get(BatchNormalizationParamInitializer.BETA).assign(0);
            params.get(BatchNormalizationParamInitializer.GLOBAL_MEAN).assign(0);
            params.get(BatchNormalizationParamInitializer.GLOBAL_VAR).assign(1);
        }
        KEYS.forEach(conf::addVariable);
        return params;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views(conf, gradientView);
    }

    private static Map<String, INDArray> views(NeuralNetConfiguration conf, INDArray flat) {
        long channels = ((BatchNormalization) conf.getLayer()).getNOut();
        INDArray vector = flat.reshape(flat.length());
        Map<String, INDArray> views = new LinkedHashMap<>();
        for (int i = 0; i < KEYS.size(); i++) {
            views.put(KEYS.get(i), vector.get(NDArrayIndex.interval(i * channels, (i + 1) * channels)));
        }
        return views;
    }
}
