package dev.tl.zoo.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.BatchNorm;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runtime side of {@link FrozenBatchNormalization}. Linked to the convolution before it ({@link FoldedBatchNorm}),
 * which then computes the normalisation, it applies its activation only.
 */
public class FrozenBatchNormalizationLayer extends BatchNormalization {

    private final FrozenBatchNormAffine affine = new FrozenBatchNormAffine(this);
    private boolean foldedIntoInput;
    private boolean gradientZeroed;

    public FrozenBatchNormalizationLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray gradients) {
        super.setBackpropGradientsViewArray(gradients);
        gradientZeroed = false;
    }

    /** From now on the input arrives normalised: the convolution before this layer computes it. */
    void foldIntoInput() {
        foldedIntoInput = true;
    }

    /**
     * Normalised (and, if configured, activated) input; inference mode whatever the training flag. With ReLU or no
     * activation, one pass ({@link OneDnnChannelAffine}).
     */
    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        OutOfPlaceActivation activation = layerConf().getActivationFn() instanceof OutOfPlaceActivation function
                ? function : null;
        if (foldedIntoInput) {
            if (activation == null) {
                return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, input);
            }
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, input.shape(), 'c');
            activation.forward(input, out);
            return out;
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, input.shape(), 'c');
        if (fusedReLU() != null) {
            affine.refresh();
            if (OneDnnChannelAffine.forward(input, channelAxis(input), affine.scale(), affine.shift(), fusedReLU(),
                    out)) {
                return out;
            }
        }
        normalise(input, out);
        return activation != null ? layerConf().getActivationFn().getActivation(out, training) : out;
    }

    @Override
    public INDArray preOutput(INDArray x, TrainingMode training, LayerWorkspaceMgr workspaceMgr) {
        return normalise(x, workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape(), 'c'));
    }

    /** One fused libnd4j op with the running statistics (its gamma input only when there is one). */
    private INDArray normalise(INDArray x, INDArray out) {
        INDArray in = x.castTo(dataType);
        INDArray mean = param(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        INDArray var = param(BatchNormalizationParamInitializer.GLOBAL_VAR);
        INDArray beta = param(BatchNormalizationParamInitializer.BETA);
        boolean scaled = hasGamma();
        Nd4j.exec(BatchNorm.builder()
                .inputArrays(scaled
                        ? new INDArray[] {in, mean, var, param(BatchNormalizationParamInitializer.GAMMA), beta}
                        : new INDArray[] {in, mean, var, beta})
                .outputArrays(new INDArray[] {out})
                .applyGamma(scaled)
                .applyBeta(true)
                .epsilon(layerConf().getEps())
                .axis(new int[] {channelAxis(in)})
                .build());
        return out;
    }

    /**
     * d(out)/d(in) = act'(z) * gamma / sqrt(var + eps) per channel (gamma 1 without scale), with z the normalised
     * input recomputed (rather than kept from the forward pass): in the same pass with ReLU or no activation
     * ({@link OneDnnChannelAffine}), else into backprop working memory; folded, z is the input and the scale is the
     * convolution's. The parameters' gradient is zero: written once, since nothing else writes it.
     */
    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        Gradient zero = new DefaultGradient(gradientsFlattened);
        for (String key : gradientViews.keySet()) {
            zero.setGradientFor(key, gradientViews.get(key));
        }
        if (!gradientZeroed) {
            gradientsFlattened.assign(0);
            gradientZeroed = true;
        }
        if (foldedIntoInput) {
            if (!(layerConf().getActivationFn() instanceof OutOfPlaceActivation activation)) {
                return new Pair<>(zero, workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, epsilon));
            }
            INDArray gradient = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType,
                    epsilon.shape(), 'c');
            activation.backward(input, epsilon, gradient);
            return new Pair<>(zero, gradient);
        }
        affine.refresh();
        INDArray scale = affine.scale();
        INDArray epsOut = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, epsilon.shape(), 'c');
        if (fusedReLU() != null && OneDnnChannelAffine.backward(input, epsilon, channelAxis(epsilon), scale,
                affine.shift(), fusedReLU(), epsOut)) {
            return new Pair<>(zero, epsOut);
        }
        INDArray dLdz = epsilon;
        if (layerConf().getActivationFn() instanceof OutOfPlaceActivation activation) {
            INDArray z = normalise(input,
                    workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, input.shape(), 'c'));
            activation.backward(z, epsilon, epsOut);
            dLdz = epsOut;
        }
        Nd4j.getExecutioner().exec(new BroadcastMulOp(dLdz, scale, epsOut, channelAxis(epsilon)));
        return new Pair<>(zero, epsOut);
    }

    /**
     * Whether {@link OneDnnChannelAffine} computes this layer: true with a ReLU after it, false with none, null for
     * other activations (computed with libnd4j).
     */
    private Boolean fusedReLU() {
        IActivation activation = layerConf().getActivationFn();
        if (activation instanceof ActivationIdentity) {
            return false;
        }
        return activation instanceof ReLUActivation relu && relu.getMax() == null ? Boolean.TRUE : null;
    }

    boolean hasGamma() {
        return params.containsKey(BatchNormalizationParamInitializer.GAMMA);
    }

    private INDArray param(String key) {
        return getParam(key).reshape(-1);
    }

    private int channelAxis(INDArray x) {
        return x.rank() == 4 && layerConf().getCnn2DFormat() == CNN2DFormat.NHWC ? 3 : 1;
    }
}
