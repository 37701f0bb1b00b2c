package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.diag.SourceRange;

/**
 * The parts of a stack file read as written, before variables have values: {@code metadata}, {@code imports}, the
 * {@code backend} and variables' defaults (Terraform's backend block, module sources and variable defaults take no
 * variables either). A {@code ${...}} there was taken literally: {@code path: "${var.env}.state.json"} wrote a file
 * named so without a word, {@code environment: "${var.env}"} was said to be an unknown environment, and
 * {@code default: "${var.a}-y"} gave the text itself while {@code a} was said to be never used.
 */
final class Uninterpolated {
    private Uninterpolated() {
    }

    /**
     * True, after an error at {@code at} saying so, when {@code value} holds a variable reference; {@code field} names
     * the setting, {@code instead} says what to write instead.
     */
    static boolean refused(String value, String field, String instead, SourceRange at, Diagnostics out) {
        if (value == null || !value.contains("${")) {
            return false;
        }
        out.error(field + " takes no variables: `${...}` is not substituted here",
                "it is read as written, before variables have values (as in Terraform): "
                        + instead, at);
        return true;
    }
}
