package io.meshform.state;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Child process for {@link LocalStateCrashTest}: writes state in a loop until killed. Each write carries a few
 * hundred KB so that a kill often lands in the middle of one. Prints "writing" once the first write is done.
 */
public final class CrashingWriter {

    private CrashingWriter() {
    }

    public static void main(String[] args) {
        LocalStateBackend backend = new LocalStateBackend(Path.of(args[0]));
        JsonMapper json = JsonMapper.builder().build();
        Random random = new Random();
        StateSnapshot s = backend.read().orElseGet(() -> StateSnapshot.empty("crash-test"));
        boolean announced = false;
        while (true) {
            ObjectNode attrs = json.createObjectNode();
            StringBuilder payload = new StringBuilder();
            for (int i = 0; i < 10_000; i++) {
                payload.append((char) ('a' + random.nextInt(26)));
            }
            for (int i = 0; i < 4; i++) {
                attrs.put("blob" + i, payload.toString());
            }
            s = backend.write(s.with(new ResourceState("r" + random.nextInt(5), "t", attrs,
                    Map.of("serial", Long.toString(s.serial() + 1)))));
            if (!announced) {
                System.out.println("writing");
                System.out.flush();
                announced = true;
            }
        }
    }
}
