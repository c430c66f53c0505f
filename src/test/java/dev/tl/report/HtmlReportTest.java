package dev.tl.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.Json;
import dev.tl.bundle.BundleMetadata;
import dev.tl.bundle.ModelBundle;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bundle written by an earlier tl, never evaluated and without pictures, still gets a page that says so. */
class HtmlReportTest {

    @TempDir
    Path bundle;

    @Test
    void anOldUnevaluatedBundleGetsAPageSayingWhatIsMissing() throws Exception {
        BundleMetadata metadata = Json.MAPPER.readValue(Path.of("src/test/resources/bundles/v1-tl-model.json")
                .toFile(), BundleMetadata.class);

        String html = HtmlReport.render(new ModelBundle.Loaded(bundle, null, metadata),
                List.of("tl predict --model-dir m photo.jpg"));

        assertThat(html).contains("/home/me/photos/ants-bees", "<td>ants</td>", "training.png is missing",
                "Not evaluated yet", "schedule</th><td>step", "<tr class=\"kept\"><td>finetune</td>",
                "<pre>tl predict --model-dir m photo.jpg</pre>")
                .doesNotContain("<img");
    }
}
