package io.meshform.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.model.ResourceAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What reaches the user does not depend on the order a set was built in, nor on {@code Set.copyOf}'s order, which
 * is randomised per JVM: the same command prints the same text in every run.
 */
class SameOrderEveryRunTest {

    @Test
    void planOptionsIterateTheirAddressesInAddressOrder() {
        List<ResourceAddress> addresses = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            addresses.add(new ResourceAddress(i % 2 == 0 ? "istio.peerAuthentication" : "kubernetes.labels", "r" + i));
        }
        List<ResourceAddress> expected = new ArrayList<>(addresses);
        Collections.sort(expected);
        for (long seed = 0; seed < 5; seed++) {
            Collections.shuffle(addresses, new Random(seed));
            Set<ResourceAddress> given = new LinkedHashSet<>(addresses);
            PlanOptions o = new PlanOptions(given, given, given, false, false);
            // The planner reports unknown --target, --exclude and --replace addresses in this order.
            assertEquals(expected, List.copyOf(o.targets()), "targets, seed " + seed);
            assertEquals(expected, List.copyOf(o.excludes()), "excludes, seed " + seed);
            assertEquals(expected, List.copyOf(o.replace()), "replace, seed " + seed);
        }
    }

    @Test
    void overlappingSecretsOfEqualLengthAreRedactedAlikeWhateverTheSetsOrder() {
        String text = "token abcdef in the log";
        Set<String> oneWay = new LinkedHashSet<>(List.of("abcd", "cdef"));
        Set<String> otherWay = new LinkedHashSet<>(List.of("cdef", "abcd"));
        // Both places are found in the text as given and become one mask: no tail of "cdef" is left in clear.
        assertEquals("token " + Sensitive.MASK + " in the log", Sensitive.redact(text, oneWay));
        assertEquals(Sensitive.redact(text, oneWay), Sensitive.redact(text, otherWay));
    }

    @Test
    void aSecretThatIsPartOfTheMaskLeavesMasksWhole() {
        String masked = "password " + Sensitive.MASK + " refused; tive and SENSITIVE seen";
        // Masks already in the text (a renderer's) stay as they are; the secret is masked where it stands alone.
        assertEquals("password " + Sensitive.MASK + " refused; " + Sensitive.MASK + " and SENSI" + Sensitive.MASK + " seen",
                Sensitive.redact(masked, Set.of("tive")));
        assertEquals("password " + Sensitive.MASK + " refused; tive and " + Sensitive.MASK + " seen",
                Sensitive.redact(masked, Set.of("sensitive")));
        // A place reaching out of a mask takes the whole mask with it: no broken mark.
        assertEquals(Sensitive.MASK + " x", Sensitive.redact(Sensitive.MASK + "ab x", Set.of("ive)ab")));
    }
}
