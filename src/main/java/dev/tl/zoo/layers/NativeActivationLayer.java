package dev.tl.zoo.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An activation layer that writes f(input) straight into a new array. DL4J's ActivationLayer first copies its
 * input (its inference path "leverages" it into another workspace, which copies; training duplicates it explicitly)
 * and then applies the function in place, and its backward pass copies the input again: one extra pass over the
 * tensor each way, measured at ~20% of DenseNet201 inference.
 */
public class NativeActivationLayer extends ActivationLayer {

    /** For JSON deserialisation. */
    public NativeActivationLayer() {
    }

    public NativeActivationLayer(IActivation activation) {
        super(activation);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        return LayerWiring.wire(new Runtime(conf, networkDataType), initializer(), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public NativeActivationLayer clone() {
        return (NativeActivationLayer) super.clone();
    }

    static final class Runtime extends org.deeplearning4j.nn.layers.ActivationLayer {
        Runtime(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            if (!(layerConf().getActivationFn() instanceof OutOfPlaceActivation function)) {
                return super.activate(training, workspaceMgr);
            }
            assertInputSet(false);
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(),
                    'c');
            function.forward(input, out);
            return out;
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            if (!(layerConf().getActivationFn() instanceof OutOfPlaceActivation function)) {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            assertInputSet(true);
            INDArray gradient = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(),
                    input.shape(), 'c');
            function.backward(input, epsilon, gradient);
            return new Pair<>(new DefaultGradient(), gradient);
        }
    }
}
