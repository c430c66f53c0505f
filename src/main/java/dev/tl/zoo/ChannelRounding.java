package dev.tl.zoo;

/** The channel arithmetic of Keras' MobileNets ({@code _make_divisible} in mobilenet_v2, {@code _depth} in v3). */
final class ChannelRounding {

    private static final int MULTIPLE = 8;

    private ChannelRounding() {
    }

    /** v rounded to the nearest multiple of 8 (at least 8), one multiple more if rounding lost over 10%. */
    static int toMultipleOf8(double v) {
        int rounded = Math.max(MULTIPLE, (int) (v + MULTIPLE / 2.0) / MULTIPLE * MULTIPLE);
        return rounded < 0.9 * v ? rounded + MULTIPLE : rounded;
    }
}
