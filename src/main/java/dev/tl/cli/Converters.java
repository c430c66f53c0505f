package dev.tl.cli;

import dev.tl.TlException;
import dev.tl.device.DeviceRequest;
import dev.tl.engine.EngineRequest;
import dev.tl.model.Precision;
import dev.tl.model.Unfreeze;
import dev.tl.train.ClassWeights;
import dev.tl.train.Monitor;
import dev.tl.zoo.weights.WeightsChoice;
import java.util.Arrays;
import java.util.function.DoublePredicate;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Picocli converters for every kind of value tl's options take, so a bad value fails at parsing, from the command
 * line or a config file alike, as "Invalid value for option '--flag': ..." with exit code 2.
 */
final class Converters {

    private Converters() {
    }

    /** A whole number at least 1. */
    static final class Positive implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return whole(value, n -> n >= 1, "at least 1");
        }
    }

    /** A whole number at least 0. */
    static final class NonNegative implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return whole(value, n -> n >= 0, "at least 0");
        }
    }

    /** A whole number at least 1, possibly above 2^31 (a pixel count). */
    static final class PositiveLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long n;
            try {
                n = Long.parseLong(value.trim().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new TypeConversionException("expected a whole number, got '" + value + "'");
            }
            if (n < 1) {
                throw new TypeConversionException("must be at least 1, got " + n);
            }
            return n;
        }
    }

    /** A number greater than 0 (a learning rate). */
    static final class PositiveNumber implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return number(value, x -> x > 0 && Double.isFinite(x), "greater than 0");
        }
    }

    /** A number at least 0 (a number of epochs, which may be fractional). */
    static final class NonNegativeNumber implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return number(value, x -> x >= 0 && Double.isFinite(x), "at least 0");
        }
    }

    /** A fraction in [0, 1): a split, a dropout rate, an augmentation strength. */
    static final class Fraction implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return number(value, x -> x >= 0 && x < 1, "at least 0 and below 1");
        }
    }

    /** A reduction factor in (0, 1). */
    static final class Reduction implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return number(value, x -> x > 0 && x < 1, "greater than 0 and below 1");
        }
    }

    /** A decay factor in (0, 1]. */
    static final class Decay implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return number(value, x -> x > 0 && x <= 1, "greater than 0 and at most 1");
        }
    }

    /** An angle in [0, 180] degrees. */
    static final class Degrees implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return number(value, x -> x >= 0 && x <= 180, "at least 0 and at most 180 (degrees)");
        }
    }

    /** {@code auto} (null) or a whole number at least 1. */
    static final class PositiveOrAuto implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            if (value.trim().equalsIgnoreCase("auto")) {
                return null;
            }
            try {
                return whole(value, n -> n >= 1, "at least 1");
            } catch (TypeConversionException e) {
                throw new TypeConversionException("expected a positive number or auto, got '" + value + "'");
            }
        }
    }

    /** {@code imagenet}, {@code none} or an existing weight file. */
    static final class Weights implements ITypeConverter<WeightsChoice> {
        @Override
        public WeightsChoice convert(String value) {
            return convertTl(() -> WeightsChoice.parse(value));
        }
    }

    /** {@code all} or a positive number of layers. */
    static final class Layers implements ITypeConverter<Unfreeze> {
        @Override
        public Unfreeze convert(String value) {
            return convertTl(() -> Unfreeze.parse(value));
        }
    }

    /** {@code auto}, {@code none} or an existing .json or .csv file of class weights. */
    static final class ClassWeightChoice implements ITypeConverter<ClassWeights.Choice> {
        @Override
        public ClassWeights.Choice convert(String value) {
            return convertTl(() -> ClassWeights.Choice.parse(value));
        }
    }

    static final class Monitors implements ITypeConverter<Monitor> {
        @Override
        public Monitor convert(String value) {
            return Arrays.stream(Monitor.values()).filter(m -> m.id().equalsIgnoreCase(value.trim())).findFirst()
                    .orElseThrow(() -> new TypeConversionException("expected one of "
                            + Arrays.stream(Monitor.values()).map(Monitor::id).toList() + ", got '" + value + "'"));
        }
    }

    /** {@code auto}, {@code cpu} or {@code gpu}. */
    static final class Devices implements ITypeConverter<DeviceRequest> {
        @Override
        public DeviceRequest convert(String value) {
            return convertTl(() -> DeviceRequest.fromId(value));
        }
    }

    /** {@code auto}, {@code onnxruntime} or {@code dl4j}. */
    static final class Engines implements ITypeConverter<EngineRequest> {
        @Override
        public EngineRequest convert(String value) {
            return convertTl(() -> EngineRequest.fromId(value));
        }
    }

    /** {@code fp32} or {@code fp16}. */
    static final class Precisions implements ITypeConverter<Precision> {
        @Override
        public Precision convert(String value) {
            return convertTl(() -> Precision.fromId(value));
        }
    }

    private static <T> T convertTl(Supplier<T> parse) {
        try {
            return parse.get();
        } catch (TlException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    private static int whole(String value, IntPredicate valid, String expected) {
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("expected a whole number, got '" + value + "'");
        }
        if (!valid.test(n)) {
            throw new TypeConversionException("must be " + expected + ", got " + n);
        }
        return n;
    }

    private static double number(String value, DoublePredicate valid, String expected) {
        double x;
        try {
            x = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("expected a number, got '" + value + "'");
        }
        if (!valid.test(x)) {
            throw new TypeConversionException("must be " + expected + ", got " + value.trim());
        }
        return x;
    }
}
