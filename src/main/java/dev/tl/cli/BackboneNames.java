package dev.tl.cli;

import dev.tl.TlException;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.Backbones;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/** The backbone names: for shell completion of {@code --model}, and suggestions when a name is mistyped. */
final class BackboneNames implements Iterable<String> {

    @Override
    public Iterator<String> iterator() {
        return names().iterator();
    }

    static List<String> names() {
        return Backbones.all().stream().map(Backbone::name).toList();
    }

    /** The backbone called {@code name}; an unknown name is an error suggesting the nearest known ones. */
    static Backbone resolve(String name) {
        if (!names().contains(name.trim().toLowerCase(Locale.ROOT))) {
            List<String> near = NearestNames.of(name, names());
            throw new TlException("unknown backbone '" + name + "'; " + (near.isEmpty() ? "choose one of " + names()
                    : "did you mean " + String.join(" or ", near) + "? (tl models lists all)"));
        }
        return Backbones.get(name);
    }
}
