package dev.tl.spark;

import dev.tl.Csv;
import dev.tl.TlException;
import dev.tl.data.ImageFolder;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The images of a data set on any Hadoop file system, labelled as tl labels local ones: class folders (every
 * visible sub-folder of the root a class, every image below it an example; hidden files and folders, and folders tl
 * wrote — a model bundle, a checkpoint — skipped), or a path,label CSV whose paths are relative to the root or
 * absolute.
 */
final class ImageListing {

    /** One image: its URI (a plain path on the local file system) and class name. */
    record Image(String uri, String label) implements Serializable {
    }

    private ImageListing() {
    }

    static List<Image> list(Configuration hadoop, String data, String labelsCsv) {
        Path root = new Path(data);
        try {
            FileSystem fs = root.getFileSystem(hadoop);
            if (!fs.getFileStatus(root).isDirectory()) {
                throw new TlException("not a directory: " + data);
            }
            return labelsCsv == null ? classFolders(fs, root) : fromCsv(fs, root, new Path(labelsCsv));
        } catch (java.io.FileNotFoundException e) {
            throw new TlException("no such directory: " + data, e);
        } catch (IOException e) {
            throw new TlException("cannot list " + data + ": " + e.getMessage(), e);
        }
    }

    private static List<Image> classFolders(FileSystem fs, Path root) throws IOException {
        Map<Path, Boolean> written = new HashMap<>();
        FileStatus[] classes = Arrays.stream(fs.listStatus(root))
                .filter(status -> status.isDirectory() && !status.getPath().getName().startsWith("."))
                .filter(status -> !writtenByTl(fs, status.getPath(), written))
                .sorted(Comparator.comparing(status -> status.getPath().getName()))
                .toArray(FileStatus[]::new);
        if (classes.length == 0) {
            throw new TlException("no class folders in " + root + " (expected one sub-folder of images per class)");
        }
        List<Image> images = new ArrayList<>();
        for (FileStatus folder : classes) {
            List<String> files = new ArrayList<>();
            RemoteIterator<LocatedFileStatus> below = fs.listFiles(folder.getPath(), true);
            while (below.hasNext()) {
                Path file = below.next().getPath();
                if (ImageFolder.isImageName(file.getName()) && !inHiddenFolder(folder.getPath(), file)
                        && !inFolderWrittenByTl(fs, folder.getPath(), file, written)) {
                    files.add(uri(file));
                }
            }
            if (files.isEmpty()) {
                throw new TlException("class folder has no images: " + folder.getPath());
            }
            files.stream().sorted().forEach(file -> images.add(new Image(file, folder.getPath().getName())));
        }
        return images;
    }

    private static List<Image> fromCsv(FileSystem fs, Path root, Path csv) throws IOException {
        List<Csv.Row> rows;
        try (InputStream in = csv.getFileSystem(fs.getConf()).open(csv)) {
            rows = Csv.read(in, csv.toString(), List.of("path", "label"));
        }
        List<Image> images = new ArrayList<>();
        for (Csv.Row row : rows) {
            if (row.get("path").isBlank() || row.get("label").isBlank()) {
                throw new TlException(csv + " line " + row.line() + ": empty path or label");
            }
            Path file = new Path(row.get("path"));
            images.add(new Image(uri(file.isAbsolute() || file.toUri().getScheme() != null ? file
                    : new Path(root, file)), row.get("label")));
        }
        if (images.isEmpty()) {
            throw new TlException(csv + " lists no images (expected lines of path,label)");
        }
        return images;
    }

    private static boolean inHiddenFolder(Path classFolder, Path file) {
        for (Path folder = file.getParent(); folder != null && !folder.equals(classFolder); folder = folder.getParent()) {
            if (folder.getName().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static boolean inFolderWrittenByTl(FileSystem fs, Path classFolder, Path file, Map<Path, Boolean> written) {
        for (Path folder = file.getParent(); folder != null && !folder.equals(classFolder); folder = folder.getParent()) {
            if (writtenByTl(fs, folder, written)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code folder} holds a model bundle or a checkpoint (remembered in {@code written}). */
    private static boolean writtenByTl(FileSystem fs, Path folder, Map<Path, Boolean> written) {
        return written.computeIfAbsent(folder, dir -> ImageFolder.TL_FOLDER_MARKERS.stream().anyMatch(marker -> {
            try {
                return fs.exists(new Path(dir, marker));
            } catch (IOException e) {
                throw new TlException("cannot read " + dir + ": " + e.getMessage(), e);
            }
        }));
    }

    /** Local files as plain paths, as tl embed writes them; others as URIs. */
    private static String uri(Path path) {
        String scheme = path.toUri().getScheme();
        return scheme == null || scheme.equals("file") ? path.toUri().getPath() : path.toString();
    }
}
