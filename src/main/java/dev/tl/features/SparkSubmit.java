package dev.tl.features;

import dev.tl.TlException;
import dev.tl.TlHome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Submits the Spark job (src/spark/job's shaded jar) for a tl command: with {@code $SPARK_HOME/bin/spark-submit}
 * where Spark is installed, otherwise with the Spark the job module bundles (its spark-lib folder), which runs
 * {@code local[N]} and standalone {@code spark://} masters. The job prints what the command prints.
 */
public final class SparkSubmit {

    /** The job's main class: tl's CLI with Spark in process. */
    public static final String MAIN_CLASS = "dev.tl.spark.FeatureJob";
    /** What Spark's own launcher adds on Java 17 (org.apache.spark.launcher.JavaModuleOptions). */
    static final List<String> JAVA_MODULE_OPTIONS = List.of(
            "-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
            "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "-Djdk.reflect.useDirectMethodHandle=false");

    private final Path jobJar;

    /** @param jobJar the shaded job jar; its bundled Spark is in spark-lib beside it */
    public SparkSubmit(Path jobJar) {
        this.jobJar = jobJar;
    }

    /** The job jar named by the launcher (scripts/tl sets system property tl.spark.job). */
    public static SparkSubmit fromLauncher() {
        String jar = System.getProperty("tl.spark.job");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new TlException("the Spark job is not built" + (jar == null ? "" : " (no " + jar + ")")
                    + ": scripts/tl builds it for --spark, or build it with mvn -DskipTests package");
        }
        return new SparkSubmit(Path.of(jar));
    }

    /** Runs the job on {@code master} with tl's {@code args}, copying its standard output to {@code out}. */
    public int run(String master, List<String> args, PrintWriter out) {
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command(master, args))
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            if (master.startsWith("local")) {
                builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1"); // one JVM: loopback is all it needs
            }
            process = builder.start();
            process.getOutputStream().close();
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    out.println(line);
                }
            }
            out.flush();
            return process.waitFor();
        } catch (IOException e) {
            throw new TlException("cannot start the Spark job: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TlException("interrupted while the Spark job ran", e);
        }
    }

    List<String> command(String master, List<String> args) {
        List<String> command = new ArrayList<>();
        String sparkHome = System.getenv("SPARK_HOME");
        String driverOptions = "-Dtl.home=" + TlHome.directory();
        if (sparkHome != null && !sparkHome.isBlank()) {
            command.addAll(List.of(Path.of(sparkHome, "bin", "spark-submit").toString(),
                    "--driver-java-options", driverOptions));
        } else {
            Path sparkLib = jobJar.resolveSibling("spark-lib");
            if (!Files.isDirectory(sparkLib)) {
                throw new TlException("no Spark to submit the job with: set SPARK_HOME, or build the job module, "
                        + "which bundles Spark in " + sparkLib);
            }
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(JAVA_MODULE_OPTIONS);
            command.add(driverOptions);
            command.addAll(javacppLimits());
            command.addAll(List.of("-Xmx4g", "-cp", sparkLib.resolve("*") + ":" + jobJar,
                    "org.apache.spark.deploy.SparkSubmit"));
        }
        command.addAll(List.of("--master", master, "--class", MAIN_CLASS, jobJar.toString()));
        command.addAll(args);
        return command;
    }

    /** ND4J's off-heap limits as the launcher set them for this JVM, for the driver (and local executors). */
    private static List<String> javacppLimits() {
        return System.getProperties().stringPropertyNames().stream()
                .filter(name -> name.startsWith("org.bytedeco.javacpp."))
                .map(name -> "-D" + name + "=" + System.getProperty(name)).sorted().toList();
    }
}
