package io.meshform.providers.istio.install;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link GoUrlParse} against Go's own {@code url.Parse}: each expected answer below is what Go 1.26.8's net/url printed
 * for the text (its {@code url.Error.Err}; null when it parsed), from a throwaway program run on 2026-12-05.
 */
class GoUrlParseTest {

    @Test
    void answersAsGosUrlParse() {
        Map<String, String> go = new LinkedHashMap<>();
        go.put("/check", null);
        go.put("/check%zz", "invalid URL escape \"%zz\"");
        go.put("/check%2", "invalid URL escape \"%2\"");
        go.put("/check%2F", null);
        go.put("/a%", "invalid URL escape \"%\"");
        go.put("/a b", null);
        go.put("/a\tb", "net/url: invalid control character in URL");
        go.put("/a\u007fb", "net/url: invalid control character in URL");
        go.put("/a?x=%zz", null);
        go.put("/a#%zz", "invalid URL escape \"%zz\"");
        go.put("/a#ok", null);
        go.put("/a#", null);
        go.put("/a?%zz#%41", null);
        go.put("//host/p", null);
        go.put("//host:abc/p", "invalid port \":abc\" after host");
        go.put("//host:80/p", null);
        go.put("///x%zz", "invalid URL escape \"%zz\"");
        go.put("///x", null);
        go.put("//h st/p", "invalid character \" \" in host name");
        go.put("//[::1/p", "missing ']' in host");
        go.put("//a[b/p", "invalid IP-literal");
        go.put("//user@host/p", null);
        go.put("//us er@host/p", "net/url: invalid userinfo");
        go.put("//u:p%zz@host/p", "invalid URL escape \"%zz\"");
        go.put("//u:p@ss@host/p", null);
        go.put("//h%41/p", "invalid URL escape \"%41\"");
        go.put("//h%c3%a9/p", null);
        go.put("//h%25/p", null);
        go.put("//h:8:9/p", null);
        go.put("check", null);
        go.put(":check", "missing protocol scheme");
        go.put("a b:c/d", "first path segment in URL cannot contain colon");
        go.put("c:d/%zz", null);
        go.put("/a/%2", "invalid URL escape \"%2\"");
        go.put("//h%zz/p", "invalid URL escape \"%zz\"");
        go.put("//h{x}/p", "invalid character \"{\" in host name");
        go.put("//h<x>/p", null);
        go.put("//[::1]/p", null);
        go.put("//[::1]:x/p", "invalid port \":x\" after host");
        go.put("/\u00e4", null);
        go.put("/%E4", null);
        go.put("//h?q%zz", null);
        go.put("//h#f", null);
        go.put("/?", null);
        go.put("/??%zz", null);
        go.put("/a?b?", null);
        go.put("1a:/%zz", "first path segment in URL cannot contain colon");
        go.put("a1:/%zz", "invalid URL escape \"%zz\"");
        go.put("*", null);
        go.put("/\u00e9/%zz", "invalid URL escape \"%zz\"");
        go.put("//\u00e9/p", null);
        go.put("//%zz", "invalid URL escape \"%zz\"");
        go.forEach((text, expected) -> assertEquals(expected, GoUrlParse.problem(text), text));
    }

    @Test
    void aHostRefusesTheAsciiCharactersGoRefuses() {
        // Go refused these (and the space) in "//h" + c + "x/p", of the printable ASCII characters but / ? # @ % [ and
        // ':' (a port there): \ ^ ` { | }
        StringBuilder refused = new StringBuilder();
        for (char c = 0x21; c < 0x7f; c++) {
            if ("/?#@%[:".indexOf(c) < 0 && GoUrlParse.problem("//h" + c + "x/p") != null) {
                refused.append(c);
            }
        }
        assertEquals("\\^`{|}", refused.toString());
    }
}
