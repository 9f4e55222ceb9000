package io.meterline.platform.common;

/**
 * The one test for control characters in ids and labels that clients send. A NUL, an escape
 * sequence or a line break in an id or a dimension value would reach logs, CSV exports and the
 * dashboards' labels, where it splits lines, hides text or ends strings early in other tools.
 */
public final class ControlCharacters {

    private ControlCharacters() {
    }

    /** Whether the text holds a C0 control (U+0000 to U+001F, tab and line breaks included), DEL (U+007F) or a C1 control (U+0080 to U+009F). */
    public static boolean presentIn(CharSequence text) {
        return text.chars().anyMatch(Character::isISOControl);
    }
}
