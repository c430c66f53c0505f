package dev.tl.zoo.layers;

import java.util.stream.IntStream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A layer that works along the channel axis of a feature map in {@code format} (or of a [N, C] vector) and keeps
 * its input's shape: no preprocessor flattens the map first, as DL4J would add for a feed-forward layer.
 */
abstract class ChannelwiseLayer extends FeedForwardLayer {

    private CNN2DFormat format;

    /** For JSON deserialisation. */
    ChannelwiseLayer() {
    }

    ChannelwiseLayer(String name, int channels, CNN2DFormat format) {
        setLayerName(name);
        setNIn(channels);
        setNOut(channels);
        this.format = format;
    }

    public CNN2DFormat getFormat() {
        return format;
    }

    public void setFormat(CNN2DFormat format) {
        this.format = format;
    }

    /** The channel axis of an input: 1 for [N, C] and NCHW, 3 for NHWC. */
    int channelAxis(INDArray x) {
        return x.rank() == 4 && format == CNN2DFormat.NHWC ? 3 : 1;
    }

    /** Every axis of {@code x} but the channel axis. */
    int[] otherAxes(INDArray x) {
        int axis = channelAxis(x);
        return IntStream.range(0, x.rank()).filter(i -> i != axis).toArray();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (nIn <= 0 || override) {
            long channels = inputType instanceof InputType.InputTypeConvolutional map ? map.getChannels()
                    : inputType.arrayElementsPerExample();
            setNIn(channels);
            setNOut(channels);
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long params = initializer().numParams(this);
        return new LayerMemoryReport.Builder(layerName, getClass(), inputType, inputType)
                .standardMemory(params, getIUpdater() == null ? 0 : getIUpdater().stateSize(params))
                .workingMemory(0, 0, 0, 3 * inputType.arrayElementsPerExample())
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }
}
