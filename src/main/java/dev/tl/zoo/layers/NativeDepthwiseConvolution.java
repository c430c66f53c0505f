package dev.tl.zoo.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.DepthwiseConvolution2DLayer;
import org.deeplearning4j.nn.params.DepthwiseConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's depthwise convolution computed by {@link OneDnnConvolution} on channels-last data (libnd4j's
 * {@code depthwise_conv2d} and {@code depthwise_conv2d_bp} otherwise), without two costs of its run-time layer: it
 * zero-fills its output and its input gradient although both operations write every element, and
 * its backward pass runs the forward convolution again for the activation's derivative (with the identity
 * activation, as before BatchNorm, the incoming gradient already is the pre-activation's). It can also compute the
 * frozen BatchNorm after it ({@link FoldedBatchNorm}). Same configuration and parameters as
 * {@link DepthwiseConvolution2D}; training graphs use it (see {@link #of}), saved models keep DL4J's class.
 */
public class NativeDepthwiseConvolution extends DepthwiseConvolution2D {

    /** For JSON deserialisation. */
    public NativeDepthwiseConvolution() {
    }

    /** The same layer as {@code conf}, computed by this class. */
    public static NativeDepthwiseConvolution of(DepthwiseConvolution2D conf) {
        return ConfigurationCopy.of(conf, DepthwiseConvolution2D.class, new NativeDepthwiseConvolution()).clone();
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        return LayerWiring.wire(new Runtime(conf, networkDataType), initializer(), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public NativeDepthwiseConvolution clone() {
        return (NativeDepthwiseConvolution) super.clone();
    }

    static final class Runtime extends DepthwiseConvolution2DLayer
            implements FoldedBatchNorm.Foldable, DeferredZeroPadding.Target {
        private FoldedBatchNorm fold;
        private int[] inputPadding;

        @Override
        public void padInput(int[] padding) {
            this.inputPadding = padding;
        }

        Runtime(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public void foldBatchNorm(FoldedBatchNorm fold) {
            this.fold = fold;
        }

        @Override
        protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop,
                                                     LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(false);
            INDArray weights = getParam(DepthwiseConvolutionParamInitializer.WEIGHT_KEY);
            INDArray bias = hasBias() ? getParam(DepthwiseConvolutionParamInitializer.BIAS_KEY) : null;
            if (fold != null) {
                fold.fold(weights, bias);
                weights = fold.weights();
                bias = fold.bias();
            }
            INDArray x = input.castTo(dataType);
            ConvolutionGeometry geometry = geometry(x);
            long channels = weights.size(2) * weights.size(3);
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, weights.dataType(),
                    geometry.outputShape(x.size(0), channels), 'c');
            OneDnnConvolution.Shape shape = geometry.oneDnn(OneDnnConvolution.Weights.DEPTHWISE, x.size(0),
                    weights.size(2), channels, bias != null);
            if (shape == null || !OneDnnConvolution.forward(shape, x, weights, bias, out)) {
                INDArray padded = inputPadding == null ? x : DeferredZeroPadding.pad(x, inputPadding);
                Nd4j.exec(DynamicCustomOp.builder("depthwise_conv2d")
                        .addInputs(bias == null ? new INDArray[] {padded, weights}
                                : new INDArray[] {padded, weights, bias})
                        .addIntegerArguments(ConvolutionGeometry.of(layerConf(), convolutionMode, padded)
                                .depthwiseArguments())
                        .addOutputs(out)
                        .build());
            }
            return new Pair<>(out, null);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            if (!(layerConf().getActivationFn() instanceof ActivationIdentity) || layerConf().getIDropout() != null) {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            assertInputSet(true);
            INDArray weights = fold != null ? fold.weights() : getParam(DepthwiseConvolutionParamInitializer.WEIGHT_KEY);
            INDArray weightGradient = gradientViews.get(DepthwiseConvolutionParamInitializer.WEIGHT_KEY);
            INDArray biasGradient = gradientViews.get(DepthwiseConvolutionParamInitializer.BIAS_KEY);
            INDArray x = input.castTo(dataType);
            INDArray inputGradient = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, weights.dataType(),
                    x.shape(), 'c');
            ConvolutionGeometry geometry = geometry(x);
            OneDnnConvolution.Shape shape = geometry.oneDnn(OneDnnConvolution.Weights.DEPTHWISE, x.size(0),
                    weights.size(2), weights.size(2) * weights.size(3), biasGradient != null);
            if (shape == null || !OneDnnConvolution.backward(shape, x, weights, epsilon, inputGradient,
                    weightGradient, biasGradient)) {
                INDArray padded = inputPadding == null ? x : DeferredZeroPadding.pad(x, inputPadding);
                INDArray paddedGradient = inputPadding == null ? inputGradient : padded.ulike();
                INDArray[] inputs = biasGradient == null ? new INDArray[] {padded, weights, epsilon}
                        : new INDArray[] {padded, weights, fold != null ? fold.bias() : getParam(DepthwiseConvolutionParamInitializer.BIAS_KEY), epsilon};
                INDArray[] outputs = biasGradient == null ? new INDArray[] {paddedGradient, weightGradient}
                        : new INDArray[] {paddedGradient, weightGradient, biasGradient};
                Nd4j.exec(DynamicCustomOp.builder("depthwise_conv2d_bp")
                        .addInputs(inputs)
                        .addIntegerArguments(ConvolutionGeometry.of(layerConf(), convolutionMode, padded)
                                .depthwiseArguments())
                        .addOutputs(outputs)
                        .build());
                if (inputPadding != null) {
                    DeferredZeroPadding.crop(paddedGradient, inputGradient, inputPadding);
                }
            }
            if (fold != null) {
                fold.unfoldGradients(weightGradient, biasGradient);
            }
            Gradient gradient = new DefaultGradient();
            if (biasGradient != null) {
                gradient.setGradientFor(DepthwiseConvolutionParamInitializer.BIAS_KEY, biasGradient);
            }
            gradient.setGradientFor(DepthwiseConvolutionParamInitializer.WEIGHT_KEY, weightGradient, 'c');
            return new Pair<>(gradient, inputGradient);
        }

        private ConvolutionGeometry geometry(INDArray x) {
            return ConvolutionGeometry.of(layerConf(), convolutionMode, x, inputPadding);
        }
    }
}
