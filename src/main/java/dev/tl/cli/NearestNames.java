package dev.tl.cli;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The known names closest to a mistyped one, as picocli suggests options ("did you mean ...?"). */
final class NearestNames {

    private static final int MAX_EDITS = 2;
    private static final int MAX_SHOWN = 3;

    private NearestNames() {
    }

    /** Up to three names within two edits of {@code typed}, nearest first; none when nothing is close. */
    static List<String> of(String typed, List<String> known) {
        String wanted = typed.trim().toLowerCase(Locale.ROOT);
        return known.stream().filter(name -> distance(wanted, name) <= MAX_EDITS)
                .sorted(Comparator.comparingInt((String name) -> distance(wanted, name)))
                .limit(MAX_SHOWN).toList();
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
