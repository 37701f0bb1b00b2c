package io.meshform.state;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Who holds a state lock, for the message the next user sees.
 *
 * @param id        the lock ID, as given to {@code meshform force-unlock}
 * @param operation what the holder is doing, e.g. {@code apply}
 * @param who       {@code user@host}
 * @param pid       the holder's process id on that host
 * @param created   when the lock was taken
 * @param path      the locked state, as {@link StateStore#describe()} words it; backends fill it in
 */
public record LockInfo(String id, String operation, String who, long pid, Instant created, String path) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public LockInfo {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("lock id must not be blank");
        }
        operation = operation == null ? "" : operation;
        who = who == null ? "" : who;
        path = path == null ? "" : path;
    }

    /** A new lock request by this process, with a random id. */
    public static LockInfo forOperation(String op) {
        return new LockInfo(UUID.randomUUID().toString(), op, LocalHost.user() + "@" + LocalHost.NAME,
                LocalHost.pid(), Instant.now(), "");
    }

    public LockInfo withPath(String newPath) {
        return new LockInfo(id, operation, who, pid, created, newPath);
    }

    /** The host part of {@link #who()}. */
    public String host() {
        int at = who.lastIndexOf('@');
        return at >= 0 ? who.substring(at + 1) : "";
    }

    /** True when the holder ran on this host and its process is gone: nobody will ever release the lock. */
    public boolean holderProcessGone() {
        return LocalHost.processGone(host(), pid);
    }

    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id);
        n.put("operation", operation);
        n.put("who", who);
        n.put("pid", pid);
        n.put("created", created == null ? null : created.toString());
        n.put("path", path);
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
                Instant created = null;
                String c = n.path("created").asString("");
                if (!c.isEmpty()) {
                    created = Instant.parse(c);
                }
                return new LockInfo(n.path("id").asString(), n.path("operation").asString(""),
                        n.path("who").asString(""), n.path("pid").asLong(0), created, n.path("path").asString(""));
            }
        } catch (JacksonException | DateTimeParseException e) {
            // fall through: an unreadable holder still blocks us, we just cannot name it
        }
        return new LockInfo(fallbackId == null || fallbackId.isBlank() ? "unknown" : fallbackId,
                "", "", 0, null, "");
    }
}
