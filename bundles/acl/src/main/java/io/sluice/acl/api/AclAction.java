package io.sluice.acl.api;

/**
 * What a rule does with a packet it matches, numbered as VPP's acl-plugin numbers them in its trace
 * ({@code action: N}). {@link #SESSION} is not a rule action: it is what a trace shows for a packet that
 * matched an existing reflect session and was passed without rule evaluation.
 */
public enum AclAction {
    DENY(0, "deny"),
    PERMIT(1, "permit"),
    PERMIT_REFLECT(2, "permit+reflect"),
    SESSION(3, "session");

    private final int code;
    private final String text;

    AclAction(int code, String text) {
        this.code = code;
        this.text = text;
    }

    /** The number VPP prints as {@code action: N}. */
    public int code() {
        return code;
    }

    /** The word in rule syntax and in {@code acl:list}. */
    public String text() {
        return text;
    }

    /** The action named {@code word} in rule syntax, or null; {@code session} is not a rule action. */
    public static AclAction ofText(String word) {
        for (AclAction action : values()) {
            if (action != SESSION && action.text.equals(word)) {
                return action;
            }
        }
        return null;
    }
}
