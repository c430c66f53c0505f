package dev.tl.report;

import java.util.Base64;
import java.util.List;

/** Small pieces of HTML: escaped text, tables, embedded PNG images. */
final class Html {

    private Html() {
    }

    static String escape(Object value) {
        return String.valueOf(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    /** A PNG as an {@code img} element whose source is a data URI, so the page needs no other file. */
    static String image(byte[] png, String alt, String cssClass) {
        return "<img class=\"" + cssClass + "\" alt=\"" + escape(alt) + "\" src=\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(png) + "\">";
    }

    /** A table of already-escaped cells; {@code highlighted} marks a row (or -1 for none). */
    static String table(List<String> header, List<List<String>> rows, int highlighted) {
        StringBuilder html = new StringBuilder("<table><thead><tr>");
        header.forEach(cell -> html.append("<th>").append(escape(cell)).append("</th>"));
        html.append("</tr></thead><tbody>");
        for (int r = 0; r < rows.size(); r++) {
            html.append(r == highlighted ? "<tr class=\"kept\">" : "<tr>");
            rows.get(r).forEach(cell -> html.append("<td>").append(cell).append("</td>"));
            html.append("</tr>");
        }
        return html.append("</tbody></table>").toString();
    }

    /** A table of two columns: names and (escaped) values. */
    static String facts(List<List<String>> rows) {
        StringBuilder html = new StringBuilder("<table class=\"facts\"><tbody>");
        rows.forEach(row -> html.append("<tr><th>").append(escape(row.get(0))).append("</th><td>")
                .append(escape(row.get(1))).append("</td></tr>"));
        return html.append("</tbody></table>").toString();
    }
}
