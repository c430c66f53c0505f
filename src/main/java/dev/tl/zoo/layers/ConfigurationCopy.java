package dev.tl.zoo.layers;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/** DL4J's layer configurations have no copy constructor: tl's subclasses copy every field of the classes above. */
final class ConfigurationCopy {

    private ConfigurationCopy() {
    }

    /** {@code target} with every instance field of {@code from}'s classes from {@code upTo} up, copied. */
    static <T> T of(Object from, Class<?> upTo, T target) {
        try {
            for (Class<?> type = upTo; type != Object.class; type = type.getSuperclass()) {
                for (Field field : type.getDeclaredFields()) {
                    if (!Modifier.isStatic(field.getModifiers())) {
                        field.setAccessible(true);
                        field.set(target, field.get(from));
                    }
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot copy the configuration of layer "
                    + ((org.deeplearning4j.nn.conf.layers.Layer) from).getLayerName(), e);
        }
        return target;
    }
}
