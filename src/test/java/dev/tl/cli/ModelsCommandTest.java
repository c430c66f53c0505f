package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@code tl models} helps choose a backbone: parameters, multiply-adds per image and Keras' published ImageNet
 * accuracy for each, in 80 columns or as JSON, sorted by any of them.
 */
class ModelsCommandTest {

    private static JsonNode json(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("models", "--json"));
        args.addAll(List.of(options));
        CliRunner.Result result = CliRunner.run(args.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.err()).isZero();
        return Json.MAPPER.readTree(result.out());
    }

    private static <T> List<T> column(JsonNode rows, Function<JsonNode, T> field) {
        List<T> values = new ArrayList<>();
        rows.forEach(row -> values.add(field.apply(row)));
        return values;
    }

    @Test
    void tableFitsEightyColumnsAndShowsWhatChoosingNeeds() {
        CliRunner.Result result = CliRunner.run("models");

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80));
        assertThat(lines.get(0)).contains("parameters", "mult-adds", "top-1", "top-5");
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("convnext_tiny ")
                .contains("224", "28,589,128", "4.5G", "81.3%", " - ", "torch"));
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("efficientnetv2s ")
                .contains("384", "21,612,360", "83.9%", "96.7%", "tf128"));
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("mobilenetv3large_minimalistic ")
                .contains("3,948,688", "72.3%"));
    }

    @Test
    void jsonHasEveryBackbonesCountsCostAndPublishedAccuracy() throws Exception {
        JsonNode rows = json();

        assertThat(rows).hasSizeGreaterThanOrEqualTo(42);
        for (JsonNode row : rows) {
            assertThat(row.get("parameters").asLong()).isGreaterThan(row.get("base_parameters").asLong());
            assertThat(row.get("multiply_adds").asLong()).isGreaterThan(30_000_000L);
            assertThat(row.get("imagenet_top1").isNull() || row.get("imagenet_top1").asDouble() > 0.5).isTrue();
        }
        JsonNode resnet = column(rows, row -> row).stream()
                .filter(row -> row.get("name").asText().equals("resnet50")).findFirst().orElseThrow();
        assertThat(resnet.get("imagenet_top1").asDouble()).isEqualTo(0.749);
        assertThat(resnet.get("imagenet_top5").asDouble()).isEqualTo(0.921);
        assertThat(resnet.get("accuracy_source").asText()).isEqualTo("keras.io/api/applications");
        assertThat(resnet.get("multiply_adds").asLong()).isBetween(3_800_000_000L, 3_900_000_000L);
    }

    @Test
    void sortsByAccuracySizeOrSpeed() throws Exception {
        List<Double> top1 = column(json("--sort", "accuracy"),
                row -> row.get("imagenet_top1").isNull() ? null : row.get("imagenet_top1").asDouble());
        int published = (int) top1.stream().filter(value -> value != null).count();
        assertThat(top1.subList(0, published)).isSortedAccordingTo((a, b) -> Double.compare(b, a));
        assertThat(top1.subList(published, top1.size())).allMatch(value -> value == null); // unpublished last
        assertThat(top1.get(0)).isEqualTo(0.867);

        List<String> bySize = column(json("--sort", "size"), row -> row.get("name").asText());
        assertThat(column(json("--sort", "size"), row -> row.get("parameters").asLong())).isSorted();
        assertThat(bySize.get(0)).isEqualTo("mobilenet_0.25");
        assertThat(bySize.get(bySize.size() - 1)).isEqualTo("convnext_xlarge");

        assertThat(column(json("--sort", "speed"), row -> row.get("multiply_adds").asLong())).isSorted();
    }

    @Test
    void anUnknownSortKeyIsAnErrorNamingTheOption() {
        CliRunner.Result result = CliRunner.run("models", "--sort", "popularity");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--sort", "accuracy, size, speed");
    }
}
