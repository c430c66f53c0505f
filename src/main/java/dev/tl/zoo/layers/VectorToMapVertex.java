package dev.tl.zoo.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * [N, C] to a 1x1 feature map in the network's layout (Keras' Reshape((1, 1, C)) after global pooling, as in
 * squeeze-and-excitation). DL4J's own options assume channels-first: ReshapeVertex's output type reads the shape as
 * NCHW, and GlobalPoolingLayer without collapsing reshapes to [N, C, 1, 1] whatever the layout (1.0.0-M2.1).
 */
public class VectorToMapVertex extends ReshapeVertex {

    private final int channels;
    private final CNN2DFormat format;

    @JsonCreator
    public VectorToMapVertex(@JsonProperty("channels") int channels, @JsonProperty("format") CNN2DFormat format) {
        super(format == CNN2DFormat.NHWC ? new int[] {-1, 1, 1, channels} : new int[] {-1, channels, 1, 1});
        this.channels = channels;
        this.format = format;
    }

    public int getChannels() {
        return channels;
    }

    public CNN2DFormat getFormat() {
        return format;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        return InputType.convolutional(1, 1, channels, format);
    }

    @Override
    public VectorToMapVertex clone() {
        return new VectorToMapVertex(channels, format);
    }
}
