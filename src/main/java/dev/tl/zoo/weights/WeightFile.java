package dev.tl.zoo.weights;

/** A published weight file: where to download it and its MD5 (null where Keras publishes none). */
public record WeightFile(String url, String md5) {

    public String fileName() {
        return url.substring(url.lastIndexOf('/') + 1);
    }
}
