package dev.tl.zoo.layers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameters that are one vector over the channels each (LayerNormalization's gamma and beta, a layer scale's
 * gamma), [1, channels] like DL4J's BatchNorm parameters, each initialised to a constant. None is a weight or a bias
 * to DL4J, so no weight decay applies to them (as in Keras, where they have no regularizer).
 *
 * @param keys    the parameter names, in storage order
 * @param initial each parameter's initial value
 */
record ChannelParams(List<String> keys, List<Double> initial) implements ParamInitializer {

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        return keys.size() * ((FeedForwardLayer) layer).getNIn();
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return keys;
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

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        Map<String, INDArray> params = views(conf, paramsView);
        if (initializeParams) {
            for (int i = 0; i < keys.size(); i++) {
                params.get(keys.get(i)).assign(initial.get(i));
            }
        }
        params.keySet().forEach(conf::addVariable);
        return params;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views(conf, gradientView);
    }

    private Map<String, INDArray> views(NeuralNetConfiguration conf, INDArray flat) {
        long channels = ((FeedForwardLayer) conf.getLayer()).getNIn();
        INDArray row = flat.rank() == 1 ? flat.reshape(1, flat.length()) : flat;
        Map<String, INDArray> views = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            views.put(keys.get(i), row.get(NDArrayIndex.interval(0, 0, true),
                    NDArrayIndex.interval(i * channels, (i + 1) * channels)));
        }
        return views;
    }
}
