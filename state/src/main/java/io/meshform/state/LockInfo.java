package io.meshform.state;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Who holds a state lock, for the message the next user sees and for telling a dead holder from a live one.
 *
 * @param id           the lock ID, as given to {@code meshform force-unlock}
 * @param operation    what the holder is doing, e.g. {@code apply}
 * @param who          {@code user@host}
 * @param pid          the holder's process id on that host
 * @param created      when the lock was taken
 * @param path         the locked state, as {@link StateStore#describe()} words it; backends fill it in
 * @param pidNamespace the holder's PID namespace ({@code pid:[...]} on Linux), so that a pid is only judged
 *                     from inside the same one; empty when unknown
 * @param children     processes the holder started that change the cluster on their own (istioctl): while one
 *                     of them runs, the lock is not stale even if the holder has died
 */
public record LockInfo(String id, String operation, String who, long pid, Instant created, String path,
                       String pidNamespace, List<Child> children) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A child process of the holder; {@code started} tells it from a later process that reused its pid. */
    public record Child(long pid, Instant started, String command) {
        public Child {
            command = command == null ? "" : command;
        }

        /** The child as the lock records it; a child under meshform's watchdog is named by what it watches. */
        public static Child of(ProcessHandle p) {
            ProcessHandle.Info info = p.info();
            String command = info.command().map(Child::baseName).orElse("");
            String[] args = info.arguments().orElse(new String[0]);
            for (int i = 0; i + 2 < args.length; i++) {
                if (args[i].equals("meshform-watchdog")) {
                    command = baseName(args[i + 2]) + " under meshform's watchdog";
                    break;
                }
            }
            return new Child(p.pid(), info.startInstant().orElse(null), command);
        }

        private static String baseName(String path) {
            return path.substring(path.lastIndexOf('/') + 1);
        }

        @Override
        public String toString() {
            return (command.isEmpty() ? "process" : command) + " (pid " + pid + ")";
        }
    }

    public LockInfo {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("lock id must not be blank");
        }
        operation = operation == null ? "" : operation;
        who = who == null ? "" : who;
        path = path == null ? "" : path;
        pidNamespace = pidNamespace == null ? "" : pidNamespace;
        children = children == null ? List.of() : List.copyOf(children);
    }

    public LockInfo(String id, String operation, String who, long pid, Instant created, String path) {
        this(id, operation, who, pid, created, path, "", List.of());
    }

    /** A new lock request by this process, with a random id. */
    public static LockInfo forOperation(String op) {
        return new LockInfo(UUID.randomUUID().toString(), op, LocalHost.user() + "@" + LocalHost.NAME,
                LocalHost.pid(), Instant.now(), "", LocalHost.PID_NAMESPACE, List.of());
    }

    public LockInfo withPath(String newPath) {
        return new LockInfo(id, operation, who, pid, created, newPath, pidNamespace, children);
    }

    public LockInfo withChildren(List<Child> newChildren) {
        return new LockInfo(id, operation, who, pid, created, path, pidNamespace, newChildren);
    }

    /** The same holder under another id: the lock's own record of who holds it wins over the annotation's. */
    public LockInfo withId(String newId) {
        return new LockInfo(newId, operation, who, pid, created, path, pidNamespace, children);
    }

    /** The host part of {@link #who()}. */
    public String host() {
        int at = who.lastIndexOf('@');
        return at >= 0 ? who.substring(at + 1) : "";
    }

    /**
     * True when the holder ran where this process can see its processes, and neither it nor any child it recorded
     * still runs: nobody will ever release the lock, and nothing of that run can still change the cluster.
     */
    public boolean holderProcessGone() {
        return LocalHost.processGone(host(), pidNamespace, pid) && liveChildren().isEmpty();
    }

    /** The recorded children still running, as far as this host can tell (none when the holder ran elsewhere). */
    public List<Child> liveChildren() {
        if (!LocalHost.sameProcessSpace(host(), pidNamespace)) {
            return List.of();
        }
        return children.stream().filter(c -> LocalHost.alive(c.pid(), c.started())).toList();
    }

    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id);
        n.put("operation", operation);
        n.put("who", who);
        n.put("pid", pid);
        n.put("created", created == null ? null : created.toString());
        n.put("path", path);
        n.put("pidNamespace", pidNamespace);
        ArrayNode kids = n.putArray("children");
        for (Child c : children) {
            ObjectNode k = kids.addObject();
            k.put("pid", c.pid());
            k.put("started", c.started() == null ? null : c.started().toString());
            k.put("command", c.command());
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n";
    }

    /**
     * Parses what {@link #toJson()} wrote.
     *
     * @param fallbackId used when the text is unreadable, e.g. a lock file caught half-written
     */
    public static LockInfo fromJson(String text, String fallbackId) {
        try {
            JsonNode n = JSON.readTree(text);
            if (n != null && n.isObject() && n.path("id").isString() && !n.path("id").asString().isBlank()) {
                List<Child> kids = new ArrayList<>();
                for (JsonNode k : n.path("children")) {
                    kids.add(new Child(k.path("pid").asLong(0), instant(k.path("started").asString("")),
                            k.path("command").asString("")));
                }
                return new LockInfo(n.path("id").asString(), n.path("operation").asString(""),
                        n.path("who").asString(""), n.path("pid").asLong(0), instant(n.path("created").asString("")),
                        n.path("path").asString(""), n.path("pidNamespace").asString(""), kids);
            }
        } catch (JacksonException | DateTimeParseException e) {
            // fall through: an unreadable holder still blocks us, we just cannot name it
        }
        return new LockInfo(fallbackId == null || fallbackId.isBlank() ? "unknown" : fallbackId,
                "", "", 0, null, "");
    }

    private static Instant instant(String text) {
        return text.isEmpty() ? null : Instant.parse(text);
    }
}
