package io.meshform.state;

import java.nio.file.Path;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Child process for {@link StateJournalTest}: records apply steps through the journal, as the applier does, until
 * killed, compacting every 50 steps. After each step's record() returns it prints {@code recorded r<N>}: that step
 * counts as done, so the state read after a kill must hold it.
 */
public final class CrashingJournalWriter {

    private CrashingJournalWriter() {
    }

    public static void main(String[] args) {
        LocalStateBackend backend = new LocalStateBackend(Path.of(args[0]), true);
        JsonMapper json = JsonMapper.builder().build();
        StateSnapshot s = backend.read().orElseGet(() -> backend.write(StateSnapshot.empty("crash-test")));
        int next = s.resources().size();
        while (true) {
            ObjectNode attrs = json.createObjectNode();
            attrs.put("blob", "x".repeat(2_000 + next % 7 * 500));
            s = backend.record(s.with(new ResourceState("r" + next, "t", attrs, Map.of("step", Integer.toString(next)))));
            System.out.println("recorded r" + next);
            System.out.flush();
            next++;
            if (next % 50 == 0) {
                s = backend.compact().orElse(s);
            }
        }
    }
}
