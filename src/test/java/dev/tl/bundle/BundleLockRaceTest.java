package dev.tl.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.TlException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes racing for one bundle's lock never hold it together: each, once it has the lock, creates a marker file
 * that must not exist yet and deletes it before releasing. A lock file deleted before its release let a process lock
 * the orphaned file while another created a new one (about one overlap in 600 acquisitions).
 */
class BundleLockRaceTest {

    private static final int PROCESSES = 3;
    private static final long MILLIS = 3000;

    @TempDir
    Path dir;

    @Test
    void racingProcessesNeverHoldTheLockTogether() throws Exception {
        Path target = dir.resolve("model");
        Path marker = dir.resolve("inside");
        List<Process> processes = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        long until = System.currentTimeMillis() + 1500 + MILLIS; // all started (JVM start-up) before the race ends
        for (int i = 0; i < PROCESSES; i++) {
            Path out = dir.resolve("racer-" + i + ".txt");
            outputs.add(out);
            processes.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Racer.class.getName(), target.toString(),
                    marker.toString(), Long.toString(until)).redirectErrorStream(true).redirectOutput(out.toFile())
                    .start());
        }
        long acquisitions = 0;
        for (int i = 0; i < PROCESSES; i++) {
            assertThat(processes.get(i).waitFor(60, TimeUnit.SECONDS)).isTrue();
            String report = Files.readString(outputs.get(i)).trim();
            assertThat(processes.get(i).exitValue()).as(report).isZero();
            String[] counts = report.split(" ");
            assertThat(Long.parseLong(counts[1])).as("overlaps seen by racer %d: %s", i, report).isZero();
            acquisitions += Long.parseLong(counts[0]);
        }
        assertThat(acquisitions).as("the processes did race").isGreaterThan(300);
        assertThat(dir.resolve(".model.lock")).as("the last release removed the lock file").doesNotExist();
    }

    @Test
    void theLockFileGoesWhenSigintOrSigtermEndsItsHolder() throws Exception {
        for (String signal : List.of("INT", "TERM")) {
            Path target = dir.resolve("held-" + signal);
            Path lockFile = dir.resolve(".held-" + signal + ".lock");
            Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Holder.class.getName(), target.toString())
                    .redirectErrorStream(true).start();
            try {
                assertThat(new String(holder.getInputStream().readNBytes(4))).isEqualTo("held");
                assertThat(lockFile).exists();
                new ProcessBuilder("kill", "-" + signal, Long.toString(holder.pid())).start().waitFor();
                assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(holder.exitValue()).isEqualTo(signal.equals("INT") ? 130 : 143);
                assertThat(lockFile).as("after SIG" + signal).doesNotExist();
            } finally {
                holder.destroyForcibly();
            }
        }
    }

    /** Holds a bundle's lock until a signal ends the process; prints "held" once it has it. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            BundleLock.acquire(Path.of(args[0]));
            System.out.println("held");
            System.out.flush();
            Thread.sleep(60_000);
        }
    }

    /** One racing process: acquire, prove it is alone, release, until the given time; prints "acquisitions overlaps". */
    public static final class Racer {
        public static void main(String[] args) throws Exception {
            Path target = Path.of(args[0]);
            Path marker = Path.of(args[1]);
            long until = Long.parseLong(args[2]);
            long acquisitions = 0;
            long overlaps = 0;
            while (System.currentTimeMillis() < until) {
                BundleLock lock;
                try {
                    lock = BundleLock.acquire(target);
                } catch (TlException busy) {
                    continue;
                }
                try (lock) {
                    acquisitions++;
                    try {
                        Files.createFile(marker);
                    } catch (FileAlreadyExistsException e) {
                        overlaps++;
                        continue;
                    }
                    Files.delete(marker);
                }
            }
            System.out.println(acquisitions + " " + overlaps);
        }
    }
}
