package io.sluice.shell.audit;

/**
 * The text of one audit line: {@code command user=U from=F result=R line="..."[ reason="..."]}. The timestamp comes
 * from the log's pattern (etc/org.ops4j.pax.logging.cfg, the AuditRollingFile appender). Values are quoted and
 * escaped so that a command line holding quotes or newlines stays one parsable line.
 */
final class AuditLine {

    private AuditLine() {
    }

    static String command(CommandAudit.Caller caller, CharSequence line, String result, String reason) {
        StringBuilder text = new StringBuilder(96 + line.length())
                .append("command user=").append(token(caller.user()))
                .append(" roles=").append(token(String.join(",", caller.roles())))
                .append(" from=").append(token(caller.from()))
                .append(" result=").append(result)
                .append(" line=").append(quoted(line));
        if (reason != null && !result.equals("ok")) {
            text.append(" reason=").append(quoted(reason));
        }
        return text.toString();
    }

    /** The first word of a command line: the command a refusal message names. */
    static String firstCommand(CharSequence line) {
        String text = line.toString().strip();
        int end = 0;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && text.charAt(end) != '|'
                && text.charAt(end) != ';') {
            end++;
        }
        return text.substring(0, end);
    }

    private static String token(String value) {
        return value.isEmpty() ? "-" : value.replaceAll("\\s", "_");
    }

    static String quoted(CharSequence value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c < 0x20 ? '?' : c);
            }
        }
        return out.append('"').toString();
    }
}
