package dev.tl.spark;

import dev.tl.cli.TlCli;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;

/**
 * The job's main class: {@code tl embed} with its feature pass on Spark, on the master spark-submit was given:
 * <pre>spark-submit --class dev.tl.spark.FeatureJob tl-spark.jar --model NAME --data URI --out URI.parquet ...</pre>
 * takes tl embed's options (all but --spark) and checks them as tl embed does.
 */
public final class FeatureJob {

    private FeatureJob() {
    }

    public static void main(String[] args) {
        List<String> embed = new ArrayList<>(List.of("embed", "--spark",
                new SparkConf().get("spark.master", "local[*]")));
        embed.addAll(List.of(args));
        System.exit(TlCli.commandLine().execute(embed.toArray(String[]::new)));
    }
}
