package io.meshform.engine.plan;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * Where {@link Sensitive#redact} finds secrets in free text and puts its mark: every place of every secret, in any
 * letter case, found in the text as given; overlapping or adjoining places become one mark, and a mark already in the
 * text stays whole. Kept apart from Sensitive, which decides what is secret; this only finds and covers text.
 */
final class TextMask {
    private TextMask() {
    }

    /** {@code text} with every place of {@code secrets} covered by {@code mask} (see the class comment). */
    static String of(String text, Set<String> secrets, String mask) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        // Most secrets are not in a given text: one lower-cased copy tells, without a scan per secret in any case.
        String lower = text.toLowerCase(Locale.ROOT);
        // Lower-casing keeps each character's place unless one lower-cases to two (U+0130): then compare in place.
        boolean aligned = lower.length() == text.length();
        boolean[] hidden = new boolean[text.length() + 1];
        boolean any = false;
        for (String s : secrets) {
            String sought = s.toLowerCase(Locale.ROOT);
            if (!lower.contains(sought)) {
                continue;
            }
            boolean fast = aligned && sought.length() == s.length();
            for (int at = fast ? lower.indexOf(sought) : regionIndex(text, s, 0); at >= 0;
                 at = fast ? lower.indexOf(sought, at + 1) : regionIndex(text, s, at + 1)) {
                if (!insideMask(text, at, s.length(), mask)) {
                    Arrays.fill(hidden, at, at + s.length(), true);
                    any = true;
                }
            }
        }
        if (!any) {
            return text;
        }
        widenToMasks(text, hidden, mask);
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            if (!hidden[i]) {
                b.append(text.charAt(i++));
                continue;
            }
            b.append(mask);
            while (i < text.length() && hidden[i]) {
                i++;
            }
        }
        return b.toString();
    }

    /** Whether {@code [at, at + length)} lies within one the mark of {@code text}. */
    private static boolean insideMask(String text, int at, int length, String mask) {
        int m = text.lastIndexOf(mask, at);  // masks never overlap: only the last one starting by {@code at} can hold it
        return m >= 0 && at + length <= m + mask.length();
    }

    /** A place that covers part of a mask already in the text covers all of it, so no broken mark is left. */
    private static void widenToMasks(String text, boolean[] hidden, String mask) {
        for (int m = text.indexOf(mask); m >= 0; m = text.indexOf(mask, m + mask.length())) {
            boolean touched = false;
            for (int i = m; i < m + mask.length() && !touched; i++) {
                touched = hidden[i];
            }
            if (touched) {
                Arrays.fill(hidden, m, m + mask.length(), true);
            }
        }
    }

    private static int regionIndex(String text, String s, int from) {
        for (int i = from; i <= text.length() - s.length(); i++) {
            if (text.regionMatches(true, i, s, 0, s.length())) {
                return i;
            }
        }
        return -1;
    }

}
