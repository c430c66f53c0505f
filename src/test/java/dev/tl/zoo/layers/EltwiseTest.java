package dev.tl.zoo.layers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * oneDNN's kernels run the activations on the CPU (the fallback to ND4J's operations would hide a failure to load
 * them), on views too, and leave to ND4J what they cannot take. ActivationTest checks their values against DL4J's.
 */
class EltwiseTest {

    @Test
    void computesContiguousFloatArraysInOnePass() {
        INDArray z = Nd4j.randn(DataType.FLOAT, 2, 3, 4, 5).muli(5);
        INDArray eps = Nd4j.randn(DataType.FLOAT, 2, 3, 4, 5);
        INDArray gradient = z.ulike();

        assertThat(Eltwise.backward(Eltwise.Function.RELU6, z, eps, gradient)).isTrue();
        INDArray mask = z.gt(0).castTo(DataType.FLOAT).muli(z.lt(6).castTo(DataType.FLOAT));
        assertThat(gradient).isEqualTo(mask.mul(eps));
    }

    @Test
    void computesViewsLaidOutInOnePieceWhereTheyStart() {
        INDArray z = Nd4j.randn(DataType.FLOAT, 4, 6).muli(5);
        INDArray rows = z.get(NDArrayIndex.interval(1, 3));   // starts 6 elements into z's buffer
        INDArray out = rows.ulike();

        assertThat(Eltwise.forward(Eltwise.Function.RELU6, rows, out)).isTrue();
        assertThat(out).isEqualTo(Transforms.relu6(rows.dup()));
    }

    @Test
    void leavesScatteredViewsAndDoublesToNd4j() {
        INDArray z = Nd4j.randn(DataType.FLOAT, 4, 6);
        INDArray column = z.getColumn(1);
        assertThat(Eltwise.forward(Eltwise.Function.SWISH, column, column.ulike())).isFalse();
        INDArray columns = z.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3));
        assertThat(Eltwise.forward(Eltwise.Function.SWISH, columns, columns.ulike())).isFalse();
        INDArray doubles = Nd4j.randn(DataType.DOUBLE, 4, 6);
        assertThat(Eltwise.forward(Eltwise.Function.SWISH, doubles, doubles.ulike())).isFalse();
    }
}
