package dev.tl.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine;

/**
 * A command's options in its usage help under headings (Data, Model, ...), each heading listing options by name;
 * the rest (help, version, logging) come last under "General". Only the help changes: picocli's argument groups
 * would give headings too, but an option in a group gets no value from a config file unless the group is matched
 * on the command line.
 */
final class OptionHeadings implements CommandLine.IHelpSectionRenderer {

    private static final String GENERAL = "General";

    /** A heading and the long names of the options under it, in order. */
    record Heading(String title, List<String> options) {
    }

    private final List<Heading> headings;

    private OptionHeadings(List<Heading> headings) {
        this.headings = headings;
    }

    /** Lists {@code command}'s options under {@code headings}. */
    static void install(CommandLine command, List<Heading> headings) {
        Map<String, CommandLine.IHelpSectionRenderer> sections = command.getHelpSectionMap();
        sections.put(UsageMessageSpec.SECTION_KEY_OPTION_LIST_HEADING, help -> "");
        sections.put(UsageMessageSpec.SECTION_KEY_OPTION_LIST, new OptionHeadings(headings));
    }

    @Override
    public String render(Help help) {
        Map<String, List<OptionSpec>> sections = new LinkedHashMap<>();
        headings.forEach(heading -> sections.put(heading.title(), new ArrayList<>()));
        sections.put(GENERAL, new ArrayList<>());
        for (OptionSpec option : help.commandSpec().options()) {
            if (!option.hidden()) {
                sections.get(headingOf(option)).add(option);
            }
        }
        StringBuilder text = new StringBuilder();
        sections.forEach((heading, options) -> {
            if (!options.isEmpty()) { // a layout per section: it collects the rows it is given
                text.append(String.format("%n%s:%n", heading)).append(help.optionListExcludingGroups(options,
                        help.createDefaultLayout(), null, help.createDefaultParamLabelRenderer()));
            }
        });
        return text.toString();
    }

    private String headingOf(OptionSpec option) {
        return headings.stream().filter(heading -> heading.options().contains(option.longestName()))
                .map(Heading::title).findFirst().orElse(GENERAL);
    }
}
