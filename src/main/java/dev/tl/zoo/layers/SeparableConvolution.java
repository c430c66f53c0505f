package dev.tl.zoo.layers;

import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.params.SeparableConvolutionParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' SeparableConv2D (Xception, NASNet): a depthwise convolution (depth multiplier 1), then a 1x1 convolution
 * with the layer's bias, as one layer with Keras' three weights (depthwise kernel "W" [1, in, kh, kw], pointwise
 * kernel "pW" [out, in, 1, 1], bias "b"). DL4J's SeparableConvolution2D computes it; this class only initialises
 * its two kernels each for its own fan-in (DL4J gives the depthwise kernel the fan-in of a full convolution, which
 * shrinks every activation of a fresh network by the square root of the channels).
 */
public class SeparableConvolution extends SeparableConvolution2D {

    /** For JSON deserialisation. */
    public SeparableConvolution() {
    }

    public SeparableConvolution(SeparableConvolution2D.Builder builder) {
        super(builder);
    }

    @Override
    public ParamInitializer initializer() {
        return HeInitialised.INSTANCE;
    }

    @Override
    public SeparableConvolution clone() {
        return (SeparableConvolution) super.clone();
    }

    /** He-normal kernels: variance 2 / (kh * kw) for the depthwise kernel, 2 / in for the pointwise one. */
    static final class HeInitialised extends SeparableConvolutionParamInitializer {
        static final HeInitialised INSTANCE = new HeInitialised();

        @Override
        public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
            Map<String, INDArray> params = super.init(conf, paramsView, initializeParams);
            if (initializeParams) {
                SeparableConvolution2D layer = (SeparableConvolution2D) conf.getLayer();
                int[] kernel = layer.getKernelSize();
                heNormal(params.get(DEPTH_WISE_WEIGHT_KEY), kernel[0] * kernel[1]);
                heNormal(params.get(POINT_WISE_WEIGHT_KEY), layer.getNIn() * layer.getDepthMultiplier());
            }
            return params;
        }

        private static void heNormal(INDArray weights, long fanIn) {
            weights.assign(Nd4j.randn(weights.dataType(), weights.shape()).muli(Math.sqrt(2.0 / fanIn)));
        }
    }
}
