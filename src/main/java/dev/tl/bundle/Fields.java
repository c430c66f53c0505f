package dev.tl.bundle;

import java.util.List;

/**
 * Checks of the fields of a file's records, made where the records are built: the constructor of a record read
 * from a file fails with the field's name (as the file spells it) and what is wrong with it, and
 * {@link dev.tl.Json#read} adds the file and where in it the record is, so a bad field is an error naming both
 * (exit 2), never a failure later.
 */
public final class Fields {

    private Fields() {
    }

    /** {@code value}, which must be given. */
    public static <T> T required(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + ": missing");
        }
        return value;
    }

    /** A list whose elements are all given (the list itself may be absent). */
    public static <T> List<T> elements(List<T> values, String field) {
        if (values != null) {
            for (int i = 0; i < values.size(); i++) {
                required(values.get(i), field + "[" + i + "]");
            }
        }
        return values;
    }

    public static void check(boolean valid, String field, String problem) {
        if (!valid) {
            throw new IllegalArgumentException(field + ": " + problem);
        }
    }

    /** {@code value} within {@code [min, max]}. */
    public static void range(double value, double min, double max, String field) {
        check(value >= min && value <= max, field, value + " is not between " + number(min) + " and " + number(max));
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value)
                : String.valueOf(value);
    }
}
