package dev.tl.zoo.weights;

import java.util.Locale;

/**
 * A published weight file: where to download it and the hash it is published with, MD5 or SHA-256 (null where
 * none is published).
 */
public record WeightFile(String url, String hash) {

    public WeightFile {
        if (hash != null) {
            hash = hash.toLowerCase(Locale.ROOT);
            HashAlgorithm.ofHex(hash); // a malformed hash in the registry fails at startup, not at download
        }
    }

    public String fileName() {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    /** The algorithm of {@link #hash}, or null where no hash is published. */
    public HashAlgorithm hashAlgorithm() {
        return hash == null ? null : HashAlgorithm.ofHex(hash);
    }
}
