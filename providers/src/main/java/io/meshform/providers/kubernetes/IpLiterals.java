package io.meshform.providers.kubernetes;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP literals as Go's {@code net.ParseIP} reads them, for the rules that treat an address apart from a name (a
 * certificate's IP SANs, {@code NO_PROXY}): an address, or null for anything else, and never a DNS lookup.
 * {@code InetAddress.getByName} looks up what it cannot parse as a literal ({@code 300.1.1.1} is a name to it), so a
 * dotted quad is checked octet by octet first; a string with a colon it parses as IPv6 or refuses, without a lookup.
 */
final class IpLiterals {
    private IpLiterals() {
    }

    static InetAddress parse(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        if (v4) {
            for (String octet : s.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return null;
                }
            }
        }
        boolean v6 = s.contains(":") && s.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
