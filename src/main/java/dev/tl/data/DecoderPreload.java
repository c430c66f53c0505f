package dev.tl.data;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;

/**
 * Loads the image decoder — OpenCV's native libraries and the OpenBLAS they link, about a second of a short
 * command's start-up — on a thread of its own, so that it overlaps with loading the network; the first decode waits
 * for what is still loading.
 */
public final class DecoderPreload {

    private DecoderPreload() {
    }

    public static void start() {
        Thread thread = new Thread(() -> {
            try {
                Class.forName(ImageDecoder.class.getName(), true, DecoderPreload.class.getClassLoader());
                Loader.load(opencv_imgcodecs.class);
                Loader.load(opencv_imgproc.class);
            } catch (ClassNotFoundException | LinkageError e) {
                // the first decode reports it
            }
        }, "tl-decoder-preload");
        thread.setDaemon(true);
        thread.start();
    }
}
