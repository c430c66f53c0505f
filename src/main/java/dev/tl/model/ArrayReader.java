package dev.tl.model;

import dev.tl.TlException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Arrays in ND4J's stream format ({@code Nd4j.write}: a shape buffer, then a data buffer, each a header and
 * big-endian values) read as data. {@code Nd4j.read} allocates whatever length a header declares, so a crafted
 * 115 KB file could ask for 1.7 GB, or for terabytes and crash the JVM. Here every declared length is checked against
 * what the stream can still hold before anything is allocated, the array is allocated uninitialised, and values are
 * copied in as they arrive: memory follows the bytes actually in the file, and a file that ends early is an error
 * naming it.
 */
public final class ArrayReader {

    /** Deflate expands at most 1032-fold: no deflated entry can hold more bytes than that times its file. */
    private static final long MAX_DEFLATE_RATIO = 1032;
    private static final String ALLOCATION_MODE = "MIXED_DATA_TYPES";
    private static final int MAX_RANK = 32;
    private static final int CHUNK = 1 << 20;
    private static final boolean SWAP = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final DataInputStream in;
    private final String source;
    private long capacity;

    /**
     * @param capacity the most bytes of values the stream can hold ({@link #capacityOf}); each array read takes
     *                 its share
     * @param source   names the file (and entry) in errors
     */
    public ArrayReader(DataInputStream in, long capacity, String source) {
        this.in = in;
        this.capacity = capacity;
        this.source = source;
    }

    /** The most bytes a zip entry of {@code zip} can inflate to: the file's real size bounds them all. */
    public static long capacityOf(Path zip, ZipEntry entry) throws IOException {
        long size = Files.size(zip);
        return entry.getMethod() == ZipEntry.STORED ? size : size * MAX_DEFLATE_RATIO;
    }

    /** The next array, of any length the stream can hold. */
    public INDArray read() throws IOException {
        return read(null);
    }

    /** The next array, which must have {@code expectedLength} elements. */
    public INDArray read(long expectedLength) throws IOException {
        return read(Long.valueOf(expectedLength));
    }

    private INDArray read(Long expectedLength) throws IOException {
        long[] shapeInfo = shapeInfo();
        int rank = (int) shapeInfo[0];
        long[] shape = Arrays.copyOfRange(shapeInfo, 1, 1 + rank);
        char order = (char) shapeInfo[shapeInfo.length - 1];
        if (order != 'c' && order != 'f') {
            throw damaged("an array's order is neither c nor f");
        }
        long length = 1;
        for (long dimension : shape) {
            if (dimension < 0) {
                throw damaged("an array's shape " + Arrays.toString(shape) + " has a negative dimension");
            }
            length = multiply(length, dimension);
        }
        Header data = header();
        if (data.length() != length) {
            throw damaged("an array of shape " + Arrays.toString(shape) + " declares " + data.length() + " values");
        }
        if (expectedLength != null && length != expectedLength) {
            throw new TlException(source + " holds " + length + " values where " + expectedLength + " are expected");
        }
        long bytes = multiply(length, data.type().width());
        if (bytes > capacity) {
            throw new TlException(source + " declares an array of " + bytes + " bytes, more than the "
                    + (capacity < 0 ? 0 : capacity) + " bytes it can hold: it is damaged or crafted");
        }
        capacity -= bytes;
        if (length == 0) {
            return Nd4j.create(data.type(), shape, order);
        }
        INDArray array = Nd4j.createUninitializedDetached(data.type(), order, shape);
        fill(array, bytes, data.type().width());
        return array;
    }

    /** A buffer's header: how its values are stored, how many, of what type. */
    private record Header(long length, DataType type) {
    }

    private Header header() throws IOException {
        String mode = in.readUTF();
        if (!mode.equals(ALLOCATION_MODE)) {
            throw damaged("an array header names '" + mode + "', not " + ALLOCATION_MODE);
        }
        long length = in.readLong();
        String typeName = in.readUTF();
        DataType type;
        try {
            type = DataType.valueOf(typeName);
        } catch (IllegalArgumentException e) {
            throw damaged("an array has no data type '" + typeName + "'");
        }
        if (!type.isNumerical() || length < 0) {
            throw damaged("an array of " + length + " " + typeName + " values");
        }
        return new Header(length, type);
    }

    /** The shape buffer: rank, shape, strides, extras, element-wise stride, order. */
    private long[] shapeInfo() throws IOException {
        Header header = header();
        long rank = (header.length() - 4) / 2;
        if (header.type() != DataType.LONG || rank < 0 || rank > MAX_RANK || header.length() != 2 * rank + 4) {
            throw damaged("an array's shape header (" + header.length() + " " + header.type() + " values)");
        }
        long[] info = new long[(int) header.length()];
        for (int i = 0; i < info.length; i++) {
            info[i] = in.readLong();
        }
        if (info[0] != rank) {
            throw damaged("an array's rank " + info[0] + " disagrees with its shape header");
        }
        return info;
    }

    /** Copies the big-endian values into the array's native memory a chunk at a time. */
    private void fill(INDArray array, long bytes, int width) throws IOException {
        byte[] chunk = new byte[(int) Math.min(CHUNK, bytes)];
        BytePointer target = new BytePointer(array.data().addressPointer());
        long done = 0;
        try {
            while (done < bytes) {
                int n = (int) Math.min(chunk.length, bytes - done);
                in.readFully(chunk, 0, n);
                for (int i = 0; SWAP && i < n; i += width) {
                    for (int a = i, b = i + width - 1; a < b; a++, b--) {
                        byte swap = chunk[a];
                        chunk[a] = chunk[b];
                        chunk[b] = swap;
                    }
                }
                target.position(done).put(chunk, 0, n);
                done += n;
            }
        } catch (EOFException e) {
            throw new TlException(source + " ends after " + done + " of the " + bytes + " bytes of an array it "
                    + "declares: it is truncated or damaged", e);
        }
    }

    private long multiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw damaged("an array's size overflows");
        }
    }

    private TlException damaged(String what) {
        return new TlException(source + " is damaged: " + what);
    }
}
