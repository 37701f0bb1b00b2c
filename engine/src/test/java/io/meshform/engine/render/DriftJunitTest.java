package io.meshform.engine.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.drift.DriftEntry;
import io.meshform.engine.drift.DriftKind;
import io.meshform.engine.drift.DriftReport;
import io.meshform.engine.model.ResourceAddress;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import tools.jackson.databind.node.JsonNodeFactory;

/** The JUnit drift report against the schema Jenkins' xUnit plugin validates JUnit files with (src/test/resources/junit). */
class DriftJunitTest {
    private static final Schema XUNIT = schema();

    private static Schema schema() {
        try {
            return SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                    .newSchema(Path.of("src/test/resources/junit/junit-10.xsd").toFile());
        } catch (SAXException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DriftEntry mesh(String summary) {
        return new DriftEntry(null, DriftKind.WEAKENED, summary, null, null, List.of(),
                Diagnostic.warning(summary, "pods: cortex/mongo-0 <& \"quoted\"\u001b[31m", new SourceRange("stack.yaml", 3, 5)));
    }

    private static DriftReport report(boolean reversed) {
        var f = JsonNodeFactory.instance;
        List<DriftEntry> entries = new ArrayList<>(List.of(
                new DriftEntry(ResourceAddress.parse("istio.peerAuthentication.mongo"), DriftKind.CHANGED,
                        "changed outside meshform (spec.mtls.mode changed)", f.objectNode().put("mode", "PERMISSIVE"),
                        f.objectNode().put("mode", "STRICT"), List.of(io.meshform.engine.spi.PlanDetail.change("PeerAuthentication cortex/mongo")), null),
                new DriftEntry(ResourceAddress.parse("kubernetes.labels.cortex"), DriftKind.DELETED, "deleted outside meshform",
                        f.objectNode(), null, List.of(), null),
                mesh("istio.peerAuthentication.mesh-strict: mesh-wide STRICT mTLS while 3 pod(s) that cannot do mTLS have no PERMISSIVE exception"),
                mesh("PeerAuthentication cortex/legacy, which the stack does not manage, sets mTLS DISABLE for the whole namespace")));
        if (reversed) {
            java.util.Collections.reverse(entries);
        }
        return new DriftReport("cortex-production", List.of(ResourceAddress.parse("istio.peerAuthentication.mongo"),
                ResourceAddress.parse("kubernetes.labels.cortex"), ResourceAddress.parse("istio.install.mesh")), entries,
                List.of(ResourceAddress.parse("istio.telemetry.tracing")));
    }

    private static String junit(DriftReport r) {
        return new DriftFormats().withTiming(Instant.parse("2026-03-04T05:06:07Z"), Duration.ofMillis(2500))
                .render(r, "junit", Style.plain());
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    @Test
    void validatesAgainstTheXunitPluginsJunitSchema() throws Exception {
        String xml = junit(report(false));
        XUNIT.newValidator().validate(new StreamSource(new StringReader(xml)));
        Element root = parse(xml).getDocumentElement();
        assertEquals("testsuites", root.getTagName());
        Element suite = (Element) root.getElementsByTagName("testsuite").item(0);
        assertEquals("0", suite.getAttribute("errors"));
        assertEquals("2.500", suite.getAttribute("time"));
        assertEquals("2026-03-04T05:06:07", suite.getAttribute("timestamp"));
        assertEquals("6", suite.getAttribute("tests"));
        assertEquals("4", suite.getAttribute("failures"));
        assertEquals("1", suite.getAttribute("skipped"));
        assertTrue(xml.contains("&lt;&amp;"), "escaped: " + xml);
        assertTrue(xml.contains("\\e[31m") && xml.indexOf(0x1b) < 0,
                "the escape character, which XML cannot hold, is escaped in the diagnostic (ControlChars): " + xml);
    }

    /** With --fail-on-pending a resource not applied is a failure, not a skipped test, in a report the schema accepts. */
    @Test
    void notAppliedResourcesAreFailuresWithFailOnPending() throws Exception {
        String xml = junit(report(false).withFailOnPending(true));
        XUNIT.newValidator().validate(new StreamSource(new StringReader(xml)));
        Element suite = (Element) parse(xml).getDocumentElement().getElementsByTagName("testsuite").item(0);
        assertEquals("6", suite.getAttribute("tests"));
        assertEquals("5", suite.getAttribute("failures"));
        assertEquals("0", suite.getAttribute("skipped"));
        assertTrue(xml.contains("type=\"not_applied\""), xml);
    }

    @Test
    void theSchemaCatchesWhatTheOldReportLacked() {
        String old = "<?xml version=\"1.0\"?><testsuite name=\"meshform drift x\" tests=\"1\" failures=\"0\">"
                + "<testcase classname=\"meshform.drift\" name=\"a\"/></testsuite>";
        assertThrows(SAXException.class, () -> XUNIT.newValidator().validate(new StreamSource(new StringReader(old))),
                "without `errors` the xUnit schema refuses a testsuite");
    }

    @Test
    void meshWideFindingsHaveStableNamesWhateverTheirOrder() throws Exception {
        List<String> names = caseNames(junit(report(false)));
        assertEquals(names, caseNames(junit(report(true))));
        assertTrue(names.contains("mesh: istio.peerAuthentication.mesh-strict: mesh-wide STRICT mTLS while N pod(s) that cannot do"
                + " mTLS have no PERMISSIVE exception"), names.toString());
        assertTrue(names.stream().noneMatch(n -> n.matches("mesh-\\d+")), names.toString());
        assertEquals(names.size(), new java.util.HashSet<>(names).size(), "names are unique: " + names);
    }

    private static List<String> caseNames(String xml) throws Exception {
        NodeList cases = parse(xml).getElementsByTagName("testcase");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < cases.getLength(); i++) {
            out.add(((Element) cases.item(i)).getAttribute("name"));
        }
        return out;
    }

    /**
     * Jenkins shows a failure's name and message in a web page, where a right-to-left override reorders the text: the
     * report escapes it as the text report does, and the schema still accepts the file.
     */
    @Test
    void invisibleCharactersAreEscapedInNamesAndMessages() throws Exception {
        var f = JsonNodeFactory.instance;
        DriftReport r = new DriftReport("cortex\u202Eab", List.of(ResourceAddress.parse("istio.peerAuthentication.mongo")),
                List.of(new DriftEntry(ResourceAddress.parse("istio.peerAuthentication.mongo"), DriftKind.CHANGED,
                        "changed outside meshform (\u2066spec\u200B)", f.objectNode().put("mode", "PERMISSIVE"),
                        f.objectNode().put("mode", "STRICT\u202E"), List.of(), null)), List.of());
        String xml = junit(r);
        XUNIT.newValidator().validate(new StreamSource(new StringReader(xml)));
        assertTrue(xml.codePoints().noneMatch(c -> Character.getType(c) == Character.FORMAT), xml);
        assertTrue(xml.contains("meshform drift cortex\\u202eab") && xml.contains("(\\u2066spec\\u200b)")
                && xml.contains("STRICT\\u202e"), xml);
    }
}
