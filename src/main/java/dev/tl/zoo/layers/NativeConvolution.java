package dev.tl.zoo.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
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

    /**
     * DL4J's convolution layer with the native-op helper installed, minus two costs of DL4J's own code around the
     * helper: its forward pass copies every channels-last input into a transposed NCHW array that only serves to
     * read shapes, and its backward pass runs the whole forward convolution again to get the pre-activation for
     * the activation's derivative. The helper takes channels-last input as it is, and with the identity activation
     * (a convolution followed by BatchNorm) the incoming gradient already is the pre-activation's gradient. Float
     * only, as the helper; other types (gradient checks in double) take DL4J's path.
     */
    static final class Runtime extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {
        Runtime(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
            helper = new MKLDNNConvHelper(dataType);
        }

        private boolean helperRuns() {
            return dataType == DataType.FLOAT && input.dataType() == DataType.FLOAT;
        }

        @Override
        protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop,
                                                     LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(false);
            if (!helperRuns()) {
                return super.preOutput(training, forBackprop, workspaceMgr);
            }
            ConvolutionLayer conf = layerConf();
            INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
            INDArray bias = hasBias()
                    ? getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr) : null;
            INDArray z = helper.preOutput(input, weights, bias, conf.getKernelSize(), conf.getStride(),
                    conf.getPadding(), conf.getCudnnAlgoMode(), conf.getCudnnFwdAlgo(), convolutionMode,
                    conf.getDilation(), conf.getCnn2dDataFormat(), workspaceMgr);
            return new Pair<>(z, null);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(true);
            ConvolutionLayer conf = layerConf();
            if (!helperRuns() || epsilon.dataType() != DataType.FLOAT
                    || !(conf.getActivationFn() instanceof ActivationIdentity)) {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
            INDArray bias = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, true, workspaceMgr);
            Pair<Gradient, INDArray> gradients = helper.backpropGradient(input, weights, bias, epsilon,
                    conf.getKernelSize(), conf.getStride(), conf.getPadding(),
                    gradientViews.get(ConvolutionParamInitializer.BIAS_KEY),
                    gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY), conf.getActivationFn(),
                    conf.getCudnnAlgoMode(), conf.getCudnnBwdFilterAlgo(), conf.getCudnnBwdDataAlgo(),
                    convolutionMode, conf.getDilation(), conf.getCnn2dDataFormat(), workspaceMgr);
            gradients.setSecond(backpropDropOutIfPresent(gradients.getSecond()));
            return gradients;
        }
    }
}
