package dev.tl.zoo.layers;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.DepthwiseConvolution2DLayer;
import org.deeplearning4j.nn.params.DepthwiseConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's depthwise convolution without two costs of its run-time layer: it zero-fills its output and its input
 * gradient although libnd4j's {@code depthwise_conv2d} and {@code depthwise_conv2d_bp} write every element, and
 * its backward pass runs the forward convolution again for the activation's derivative (with the identity
 * activation, as before BatchNorm, the incoming gradient already is the pre-activation's). It can also compute the
 * frozen BatchNorm after it ({@link FoldedBatchNorm}). Same configuration and parameters as
 * {@link DepthwiseConvolution2D}; training graphs use it (see {@link #of}), saved models keep DL4J's class.
 */
public class NativeDepthwiseConvolution extends DepthwiseConvolution2D {

    /** For JSON deserialisation. */
    public NativeDepthwiseConvolution() {
    }

    /**
     * The same layer as {@code conf}, computed by this class. DL4J's configuration classes have no copy
     * constructor, so every field of {@code conf}'s classes is copied.
     */
    public static NativeDepthwiseConvolution of(DepthwiseConvolution2D conf) {
        NativeDepthwiseConvolution copy = new NativeDepthwiseConvolution();
        try {
            for (Class<?> type = DepthwiseConvolution2D.class; type != Object.class; type = type.getSuperclass()) {
                for (Field field : type.getDeclaredFields()) {
                    if (!Modifier.isStatic(field.getModifiers())) {
                        field.setAccessible(true);
                        field.set(copy, field.get(conf));
                    }
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot copy the configuration of layer " + conf.getLayerName(), e);
        }
        return copy.clone();
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

    static final class Runtime extends DepthwiseConvolution2DLayer implements FoldedBatchNorm.Foldable {
        private FoldedBatchNorm fold;

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
            Geometry geometry = geometry(x);
            boolean nchw = layerConf().getCnn2dDataFormat() == CNN2DFormat.NCHW;
            long channels = weights.size(2) * weights.size(3);
            long[] shape = nchw ? new long[] {x.size(0), channels, geometry.outSize[0], geometry.outSize[1]}
                    : new long[] {x.size(0), geometry.outSize[0], geometry.outSize[1], channels};
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, weights.dataType(), shape, 'c');
            Nd4j.exec(DynamicCustomOp.builder("depthwise_conv2d")
                    .addInputs(bias == null ? new INDArray[] {x, weights} : new INDArray[] {x, weights, bias})
                    .addIntegerArguments(geometry.arguments(weights))
                    .addOutputs(out)
                    .build());
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
            INDArray[] inputs = biasGradient == null ? new INDArray[] {x, weights, epsilon}
                    : new INDArray[] {x, weights, fold != null ? fold.bias() : getParam(DepthwiseConvolutionParamInitializer.BIAS_KEY), epsilon};
            INDArray[] outputs = biasGradient == null ? new INDArray[] {inputGradient, weightGradient}
                    : new INDArray[] {inputGradient, weightGradient, biasGradient};
            Nd4j.exec(DynamicCustomOp.builder("depthwise_conv2d_bp")
                    .addInputs(inputs)
                    .addIntegerArguments(geometry(x).arguments(weights))
                    .addOutputs(outputs)
                    .build());
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

        /** Output size and top-left padding, as DL4J's layer computes them. */
        private record Geometry(int[] outSize, int[] padding, int[] kernel, int[] strides, int[] dilation,
                                ConvolutionMode mode, CNN2DFormat format) {
            /** libnd4j's integer arguments of the depthwise operations. */
            int[] arguments(INDArray weights) {
                return new int[] {(int) weights.size(0), (int) weights.size(1), strides[0], strides[1], padding[0],
                        padding[1], dilation[0], dilation[1], mode == ConvolutionMode.Same ? 1 : 0,
                        format == CNN2DFormat.NCHW ? 0 : 1};
            }
        }

        private Geometry geometry(INDArray x) {
            DepthwiseConvolution2D conf = (DepthwiseConvolution2D) layerConf();
            CNN2DFormat format = conf.getCnn2dDataFormat();
            int[] kernel = conf.getKernelSize();
            int[] strides = conf.getStride();
            int[] dilation = conf.getDilation();
            boolean nchw = format == CNN2DFormat.NCHW;
            int[] inSize = {(int) x.size(nchw ? 2 : 1), (int) x.size(nchw ? 3 : 2)};
            if (convolutionMode == ConvolutionMode.Same) {
                int[] outSize = ConvolutionUtils.getOutputSize(x, kernel, strides, null, convolutionMode, dilation,
                        format);
                return new Geometry(outSize, ConvolutionUtils.getSameModeTopLeftPadding(outSize, inSize, kernel,
                        strides, dilation), kernel, strides, dilation, convolutionMode, format);
            }
            int[] padding = conf.getPadding();
            return new Geometry(ConvolutionUtils.getOutputSize(x, kernel, strides, padding, convolutionMode, dilation,
                    format), padding, kernel, strides, dilation, convolutionMode, format);
        }
    }
}
