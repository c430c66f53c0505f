package dev.tl.zoo.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's 2D convolution, run by libnd4j's {@code conv2d}/{@code conv2d_bp} operations (oneDNN in the oneDNN native
 * builds) instead of DL4J's Java-side im2col + GEMM, which leaves a permuted output that every following operation
 * has to copy. Same configuration and parameters as {@link ConvolutionLayer}.
 *
 * <p>DL4J ships a helper that does exactly this, but in 1.0.0-M2.1 its availability check looks for
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment}, a class that moved, so it never engages; this layer installs it.
 */
public class NativeConvolution extends ConvolutionLayer {

    /** For JSON deserialisation. */
    public NativeConvolution() {
    }

    public NativeConvolution(ConvolutionLayer.Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        return LayerWiring.wire(new Runtime(conf, networkDataType), initializer(), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public NativeConvolution clone() {
        return (NativeConvolution) super.clone();
    }

    /** DL4J's convolution layer with the native-op helper installed. */
    static final class Runtime extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {
        Runtime(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
            helper = new MKLDNNConvHelper(dataType);
        }
    }
}
