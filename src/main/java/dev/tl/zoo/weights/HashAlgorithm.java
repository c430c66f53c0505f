package dev.tl.zoo.weights;

import dev.tl.TlException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The digests weight files are published with. Keras publishes MD5 for most files and SHA-256 for MobileNet v1;
 * the length of the hex form tells them apart.
 */
public enum HashAlgorithm {
    MD5("MD5", 32),
    SHA_256("SHA-256", 64);

    private final String javaName;
    private final int hexDigits;

    HashAlgorithm(String javaName, int hexDigits) {
        this.javaName = javaName;
        this.hexDigits = hexDigits;
    }

    /** The algorithm a hex digest is in, by its length; anything else is not a hash tl can check. */
    public static HashAlgorithm ofHex(String hex) {
        for (HashAlgorithm algorithm : values()) {
            if (hex.length() == algorithm.hexDigits && hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                return algorithm;
            }
        }
        throw new IllegalArgumentException("'" + hex + "' is neither an MD5 (32 hex digits) nor a SHA-256 "
                + "(64 hex digits) hash");
    }

    /** Lower-case hex digest of the whole file. */
    public String hexDigest(Path file) {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), newDigest())) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (IOException e) {
            throw new TlException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(javaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has " + javaName, e);
        }
    }

    /** As messages name it: "MD5", "SHA-256". */
    @Override
    public String toString() {
        return javaName;
    }
}
