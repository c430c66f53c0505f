package dev.tl.cli;

import dev.tl.zoo.Backbone;
import dev.tl.zoo.Backbones;
import java.util.Iterator;

/** The backbone names, for shell completion of {@code --model}. */
final class BackboneNames implements Iterable<String> {

    @Override
    public Iterator<String> iterator() {
        return Backbones.all().stream().map(Backbone::name).iterator();
    }
}
