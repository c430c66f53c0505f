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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.BatchNorm;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Runtime side of {@link FrozenBatchNormalization}. */
public class FrozenBatchNormalizationLayer extends BatchNormalization {

    public FrozenBatchNormalizationLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Normalised (and, if configured, activated) input; inference mode whatever the training flag. */
    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        INDArray out = normalise(input, workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType,
                input.shape(), 'c'));
        return layerConf().getActivationFn() instanceof OutOfPlaceActivation
                ? layerConf().getActivationFn().getActivation(out, training) : out;
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
     * input recomputed into backprop working memory (rather than kept from the forward pass); the parameters get
     * zero gradient.
     */
    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray std = Transforms.sqrt(param(BatchNormalizationParamInitializer.GLOBAL_VAR).add(layerConf().getEps()),
                false);
        INDArray scale = hasGamma() ? std.rdivi(param(BatchNormalizationParamInitializer.GAMMA)) : std.rdivi(1.0);
        INDArray epsOut = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, epsilon.shape(), 'c');
        INDArray dLdz = epsilon;
        if (layerConf().getActivationFn() instanceof OutOfPlaceActivation activation) {
            INDArray z = normalise(input,
                    workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, input.shape(), 'c'));
            activation.backward(z, epsilon, epsOut);
            dLdz = epsOut;
        }
        Nd4j.getExecutioner().exec(new BroadcastMulOp(dLdz, scale, epsOut, channelAxis(epsilon)));

        Gradient zero = new DefaultGradient(gradientsFlattened);
        for (String key : gradientViews.keySet()) {
            zero.setGradientFor(key, gradientViews.get(key).assign(0));
        }
        return new Pair<>(zero, epsOut);
    }

    private boolean hasGamma() {
        return params.containsKey(BatchNormalizationParamInitializer.GAMMA);
    }

    private INDArray param(String key) {
        return getParam(key).reshape(-1);
    }

    private int channelAxis(INDArray x) {
        return x.rank() == 4 && layerConf().getCnn2DFormat() == CNN2DFormat.NHWC ? 3 : 1;
    }
}
