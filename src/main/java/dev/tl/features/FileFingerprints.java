package dev.tl.features;

import dev.tl.AtomicFiles;
import dev.tl.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fingerprint of each image file's content (CRC32C of its bytes), so cached features follow what a file holds,
 * not its name or timestamps. Reading every file for every run would cost a pass over the data, so a file's
 * fingerprint is remembered (in {@value #INDEX}) together with its size, modification time, status-change time and
 * inode: any write to a file changes its status-change time (which, unlike the modification time, no tool can set
 * back), so a changed file is read again. What is not detected: a change that keeps all four, which takes
 * rewriting the disk behind the file system's back.
 */
final class FileFingerprints {

    private static final Logger log = LoggerFactory.getLogger(FileFingerprints.class);
    static final String INDEX = "fingerprints.tsv";

    private final Path index;
    private final Map<String, String> known = new HashMap<>();
    private boolean changed;

    FileFingerprints(Path directory) {
        this.index = directory.resolve(INDEX);
        try {
            if (Files.isRegularFile(index)) {
                for (String line : Files.readAllLines(index)) {
                    int tab = line.lastIndexOf('\t');
                    if (tab > 0) {
                        known.put(line.substring(0, tab), line.substring(tab + 1));
                    }
                }
            }
        } catch (IOException e) {
            log.warn("ignoring unreadable {}: {}", index, e.getMessage());
        }
    }

    /** The fingerprint of {@code file}'s content now; "unreadable" where it cannot be read (decoding says why). */
    String of(Path file) {
        String identity;
        try {
            identity = identity(file);
        } catch (IOException e) {
            return "unreadable";
        }
        String fingerprint = known.get(identity);
        if (fingerprint == null) {
            try (InputStream in = Files.newInputStream(file)) {
                CRC32C crc = new CRC32C();
                byte[] buffer = new byte[1 << 16];
                for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                    crc.update(buffer, 0, n);
                }
                fingerprint = Long.toHexString(crc.getValue());
            } catch (IOException e) {
                return "unreadable";
            }
            known.put(identity, fingerprint);
            changed = true;
        }
        return fingerprint;
    }

    /** Keeps the fingerprints worked out for later runs. */
    void save() {
        if (!changed) {
            return;
        }
        StringBuilder text = new StringBuilder();
        known.forEach((identity, fingerprint) -> text.append(identity).append('\t').append(fingerprint).append('\n'));
        try {
            AtomicFiles.writeString(index, text.toString());
            changed = false;
        } catch (IOException e) {
            log.warn("could not write {}: {}", index, e.getMessage());
        }
    }

    /**
     * A digest of the path, size, modification and status-change times and inode: what changes whenever the content
     * can have (a digest, so any path fits one line of the index).
     */
    private static String identity(Path file) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        List<String> parts;
        try {
            Map<String, Object> unix = Files.readAttributes(absolute, "unix:size,lastModifiedTime,ctime,ino");
            parts = List.of(absolute.toString(), String.valueOf(unix.get("size")),
                    String.valueOf(unix.get("lastModifiedTime")), String.valueOf(unix.get("ctime")),
                    String.valueOf(unix.get("ino")));
        } catch (UnsupportedOperationException | IllegalArgumentException notUnix) {
            BasicFileAttributes basic = Files.readAttributes(absolute, BasicFileAttributes.class);
            parts = List.of(absolute.toString(), Long.toString(basic.size()), basic.lastModifiedTime().toString(),
                    String.valueOf(basic.fileKey()));
        }
        return Digests.sha256(parts);
    }
}
