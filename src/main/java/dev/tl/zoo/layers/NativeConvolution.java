package dev.tl.zoo.layers;

import java.util.Collection;
import java.util.function.Supplier;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's 2D convolution computed by {@link OneDnnConvolution} on channels-last float data, and otherwise by
 * libnd4j's {@code conv2d}/{@code conv2d_bp} operations, instead of DL4J's Java-side im2col + GEMM, which leaves a
 * permuted output that every following operation has to copy. Same configuration and parameters as
 * {@link ConvolutionLayer}.
 *
 * <p>DL4J ships a helper for libnd4j's operations, but in 1.0.0-M2.1 its availability check looks for
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
     * only, as the helper; other types (gradient checks in double) take DL4J's path. Linked to the frozen BatchNorm
     * after it ({@link FoldedBatchNorm}), it convolves with the folded weights and bias on either path.
     */
    static final class Runtime extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer
            implements FoldedBatchNorm.Foldable, DeferredZeroPadding.Target {
        private FoldedBatchNorm fold;
        private int[] inputPadding;

        @Override
        public void padInput(int[] padding) {
            this.inputPadding = padding;
        }

        /**
         * {@code compute} on the input padded by this layer's deferred padding, for the paths that cannot pad as
         * they read (DL4J's and libnd4j's).
         */
        private <T> T onPaddedInput(Supplier<T> compute) {
            int[] padding = inputPadding;
            INDArray original = input;
            inputPadding = null;
            input = DeferredZeroPadding.pad(original, padding);
            try {
                return compute.get();
            } finally {
                input = original;
                inputPadding = padding;
            }
        }

        Runtime(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
            helper = new MKLDNNConvHelper(dataType);
        }

        @Override
        public void foldBatchNorm(FoldedBatchNorm fold) {
            this.fold = fold;
        }

        private boolean helperRuns() {
            return dataType == DataType.FLOAT && input.dataType() == DataType.FLOAT;
        }

        /** Folded, the weights and bias both paths convolve with are the fold's. */
        @Override
        protected INDArray getParamWithNoise(String param, boolean training, LayerWorkspaceMgr workspaceMgr) {
            if (fold != null && param.equals(ConvolutionParamInitializer.WEIGHT_KEY)) {
                return fold.weights();
            }
            if (fold != null && param.equals(ConvolutionParamInitializer.BIAS_KEY)) {
                return fold.bias();
            }
            return super.getParamWithNoise(param, training, workspaceMgr);
        }

        @Override
        protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop,
                                                     LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(false);
            if (fold != null) {
                fold.fold(getParam(ConvolutionParamInitializer.WEIGHT_KEY),
                        hasBias() ? getParam(ConvolutionParamInitializer.BIAS_KEY) : null);
            }
            ConvolutionLayer conf = layerConf();
            if (inputPadding != null && !helperRuns()) {
                return onPaddedInput(() -> preOutput(training, forBackprop, workspaceMgr));
            }
            if (!helperRuns()) {
                Pair<INDArray, INDArray> z = super.preOutput(training, forBackprop, workspaceMgr);
                if (fold != null && !hasBias()) {   // DL4J's path adds a bias only where the layer has one
                    INDArray out = z.getFirst();
                    int channelAxis = conf.getCnn2dDataFormat() == CNN2DFormat.NHWC ? 3 : 1;
                    Nd4j.getExecutioner().exec(new BroadcastAddOp(out, fold.bias().reshape(-1), out, channelAxis));
                }
                return z;
            }
            INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
            INDArray bias = hasBias() || fold != null
                    ? getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr) : null;
            ConvolutionGeometry geometry = ConvolutionGeometry.of(conf, convolutionMode, input, inputPadding);
            OneDnnConvolution.Shape shape = geometry.oneDnn(OneDnnConvolution.Weights.DENSE, input.size(0),
                    weights.size(1), weights.size(0), bias != null);
            if (shape != null) {
                INDArray z = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                        geometry.outputShape(input.size(0), weights.size(0)), 'c');
                if (OneDnnConvolution.forward(shape, input, weights, bias, z)) {
                    return new Pair<>(z, null);
                }
            }
            if (inputPadding != null) {
                return onPaddedInput(() -> preOutput(training, forBackprop, workspaceMgr));
            }
            INDArray z = helper.preOutput(input, weights, bias, conf.getKernelSize(), conf.getStride(),
                    conf.getPadding(), conf.getCudnnAlgoMode(), conf.getCudnnFwdAlgo(), convolutionMode,
                    conf.getDilation(), conf.getCnn2dDataFormat(), workspaceMgr);
            return new Pair<>(z, null);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(true);
            ConvolutionLayer conf = layerConf();
            INDArray weightGradient = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
            INDArray biasGradient = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
            boolean oneDnnMayRun = helperRuns() && epsilon.dataType() == DataType.FLOAT
                    && conf.getActivationFn() instanceof ActivationIdentity;
            INDArray weights = oneDnnMayRun
                    ? getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr) : null;
            Pair<Gradient, INDArray> gradients = !oneDnnMayRun ? null
                    : oneDnnGradients(weights, epsilon, weightGradient, biasGradient, workspaceMgr);
            if (gradients == null && inputPadding != null) {   // the padded input's gradient, cropped
                Pair<Gradient, INDArray> padded = onPaddedInput(() -> backpropGradient(epsilon, workspaceMgr));
                INDArray inputGradient = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD,
                        padded.getSecond().dataType(), input.shape(), 'c');
                return new Pair<>(padded.getFirst(),
                        DeferredZeroPadding.crop(padded.getSecond(), inputGradient, inputPadding));
            }
            if (!oneDnnMayRun) {
                gradients = super.backpropGradient(epsilon, workspaceMgr);
            } else {
                if (gradients == null) {
                    INDArray bias = biasGradient == null ? null
                            : getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, true, workspaceMgr);
                    gradients = helper.backpropGradient(input, weights, bias, epsilon,
                            conf.getKernelSize(), conf.getStride(), conf.getPadding(), biasGradient, weightGradient,
                            conf.getActivationFn(), conf.getCudnnAlgoMode(), conf.getCudnnBwdFilterAlgo(),
                            conf.getCudnnBwdDataAlgo(), convolutionMode, conf.getDilation(),
                            conf.getCnn2dDataFormat(), workspaceMgr);
                }
                gradients.setSecond(backpropDropOutIfPresent(gradients.getSecond()));
            }
            if (fold != null) {
                fold.unfoldGradients(weightGradient, biasGradient);
            }
            return gradients;
        }

        /** The gradients as {@link OneDnnConvolution} computes them, or null where it does not apply. */
        private Pair<Gradient, INDArray> oneDnnGradients(INDArray weights, INDArray epsilon,
                                                         INDArray weightGradient, INDArray biasGradient,
                                                         LayerWorkspaceMgr workspaceMgr) {
            OneDnnConvolution.Shape shape = ConvolutionGeometry.of(layerConf(), convolutionMode, input, inputPadding)
                    .oneDnn(OneDnnConvolution.Weights.DENSE, input.size(0), weights.size(1), weights.size(0),
                            biasGradient != null);
            if (shape == null) {
                return null;
            }
            INDArray inputGradient = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT,
                    input.shape(), 'c');
            if (!OneDnnConvolution.backward(shape, input, weights, epsilon, inputGradient, weightGradient,
                    biasGradient)) {
                return null;
            }
            Gradient gradient = new DefaultGradient();
            if (biasGradient != null) {
                gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, biasGradient);
            }
            gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGradient, 'c');
            return new Pair<>(gradient, inputGradient);
        }
    }
}
