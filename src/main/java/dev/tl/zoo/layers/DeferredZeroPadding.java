package dev.tl.zoo.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DL4J's zero padding, left to the convolution after it while training ({@link #link}): Keras pads explicitly before
 * its stride-2 convolutions, and DL4J's layer copies the whole activation into a larger zeroed array forward and
 * copies the gradient back out of it backward (a tenth of a MobileNet fine-tune step), while oneDNN's convolution
 * pads as it reads. Linked, this layer passes its input and gradient through and the convolution pads; unlinked it
 * is DL4J's layer. Same configuration as {@link ZeroPaddingLayer}; training graphs use it (see {@link #of}).
 */
public class DeferredZeroPadding extends ZeroPaddingLayer {

    /** A convolution that can pad its input itself. */
    interface Target {
        /** Pads every input by {top, bottom, left, right} before convolving, and crops its input gradient back. */
        void padInput(int[] padding);
    }

    /** For JSON deserialisation. */
    public DeferredZeroPadding() {
    }

    /** The same layer as {@code conf}, computed by this class. */
    public static DeferredZeroPadding of(ZeroPaddingLayer conf) {
        return ConfigurationCopy.of(conf, ZeroPaddingLayer.class, new DeferredZeroPadding()).clone();
    }

    /**
     * Makes {@code convolution} pad for {@code padding} (both tl's runtime layers; the caller checks that the
     * convolution alone takes the padding's output, and that it pads nothing itself in Same mode).
     *
     * @return whether the two are linked
     */
    public static boolean link(Layer padding, Layer convolution) {
        if (!(padding instanceof Runtime runtime) || !(convolution instanceof Target target)) {
            return false;
        }
        target.padInput(runtime.layerConf().getPadding().clone());
        runtime.passThrough = true;
        return true;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        return LayerWiring.wire(new Runtime(conf, networkDataType), initializer(), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public DeferredZeroPadding clone() {
        return (DeferredZeroPadding) super.clone();
    }

    /** {@code x} (channels last) padded by {top, bottom, left, right} with zeros, where a convolution cannot pad. */
    static INDArray pad(INDArray x, int[] padding) {
        INDArray out = Nd4j.zeros(x.dataType(), x.size(0), x.size(1) + padding[0] + padding[1],
                x.size(2) + padding[2] + padding[3], x.size(3));
        out.put(inner(x.size(1), x.size(2), padding), x);
        return out;
    }

    /** The part of a padded input's gradient that is the unpadded input's, into {@code target}. */
    static INDArray crop(INDArray gradient, INDArray target, int[] padding) {
        return target.assign(gradient.get(inner(target.size(1), target.size(2), padding)));
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex[] inner(long height, long width, int[] padding) {
        return new org.nd4j.linalg.indexing.INDArrayIndex[] {NDArrayIndex.all(),
                NDArrayIndex.interval(padding[0], padding[0] + height),
                NDArrayIndex.interval(padding[2], padding[2] + width), NDArrayIndex.all()};
    }

    static final class Runtime extends org.deeplearning4j.nn.layers.convolution.ZeroPaddingLayer {
        private boolean passThrough;

        Runtime(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            if (!passThrough) {
                return super.activate(training, workspaceMgr);
            }
            assertInputSet(false);
            return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, input);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            if (!passThrough) {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            return new Pair<>(new DefaultGradient(), workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, epsilon));
        }
    }
}
