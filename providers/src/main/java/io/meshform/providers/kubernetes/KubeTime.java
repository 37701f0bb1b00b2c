package io.meshform.providers.kubernetes;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;

/**
 * Timestamps as the API server writes them ({@code metav1.Time}: "2026-12-02T09:41:00Z", UTC and whole seconds;
 * k8s.io/apimachinery pkg/apis/meta/v1/time.go, {@code MarshalJSON}: {@code t.UTC().AppendFormat(buf, time.RFC3339)}).
 *
 * <p>Read by hand for that one form because the checks read the creation time of every PeerAuthentication and
 * DestinationRule in the cluster (about 1,000 at the bench's 1,000 objects), and {@link Instant#parse}'s formatter is
 * about 60 methods for the CLI's C1 compiler to compile in each run. Any other text goes to {@link Instant#parse}, so
 * results and errors are the same as before.
 */
public final class KubeTime {
    private static final int LENGTH = "2026-12-02T09:41:00Z".length();

    private KubeTime() {
    }

    /** The instant {@code text} names; throws {@link java.time.format.DateTimeParseException} as {@link Instant#parse}. */
    public static Instant parse(String text) {
        if (text.length() == LENGTH && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
                && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(19) == 'Z') {
            int year = digits(text, 0, 4);
            int month = digits(text, 5, 2);
            int day = digits(text, 8, 2);
            int hour = digits(text, 11, 2);
            int minute = digits(text, 14, 2);
            int second = digits(text, 17, 2);
            if (year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= Month.of(month).length(Year.isLeap(year))
                    && hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 60) {
                return Instant.ofEpochSecond(LocalDate.of(year, month, day).toEpochDay() * 86_400L
                        + hour * 3_600L + minute * 60L + second);
            }
        }
        return Instant.parse(text);
    }

    /** The decimal number of {@code length} ASCII digits at {@code from}, or -1 when one is not a digit. */
    private static int digits(String text, int from, int length) {
        int value = 0;
        for (int i = from; i < from + length; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
