package dev.tl.device;

import dev.tl.TlException;
import java.util.Arrays;
import java.util.Locale;

/** Where the user asks tl to compute: on a GPU if one can be used, on the CPU, or on a GPU or not at all. */
public enum DeviceRequest {
    AUTO, CPU, GPU;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DeviceRequest fromId(String id) {
        return Arrays.stream(values()).filter(request -> request.id().equals(id.trim().toLowerCase(Locale.ROOT)))
                .findFirst()
                .orElseThrow(() -> new TlException("expected auto, cpu or gpu, got '" + id + "'"));
    }
}
