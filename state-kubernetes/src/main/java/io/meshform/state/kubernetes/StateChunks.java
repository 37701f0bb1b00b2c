package io.meshform.state.kubernetes;

import static io.meshform.state.kubernetes.KubernetesStateBackend.CHUNK_KEY;
import static io.meshform.state.kubernetes.KubernetesStateBackend.INDEX_KEY;
import static io.meshform.state.kubernetes.KubernetesStateBackend.ROLE_LABEL;
import static io.meshform.state.kubernetes.KubernetesStateBackend.SERIAL_LABEL;
import static io.meshform.state.kubernetes.KubernetesStateBackend.STATE_LABEL;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecretList;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.meshform.state.CorruptStateException;
import io.meshform.state.LocalStateBackend;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The chunk Secrets of a state too big for one Secret, {@code meshform-state-<name>-<serial>-<write>-<i>}, and the
 * index in the main Secret that lists them: written before the index, read back through it, and deleted only once an
 * index no longer needs them. See {@link KubernetesStateBackend} for why this order keeps a crash harmless.
 */
final class StateChunks {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Supplier<NonNamespaceOperation<Secret, SecretList, Resource<Secret>>> secrets;
    private final String namespace;
    private final String stateName;
    private final String secretName;
    private final String location;
    private final int chunkBytes;
    private final Map<String, String> labels;

    /**
     * @param location the main Secret as messages name it
     * @param labels the labels every chunk carries (its serial is added)
     */
    StateChunks(Supplier<NonNamespaceOperation<Secret, SecretList, Resource<Secret>>> secrets, String namespace,
                String stateName, String secretName, String location, int chunkBytes, Map<String, String> labels) {
        this.secrets = secrets;
        this.namespace = namespace;
        this.stateName = stateName;
        this.secretName = secretName;
        this.location = location;
        this.chunkBytes = chunkBytes;
        this.labels = labels;
    }

    /** True when {@code gz} does not fit in the main Secret and must be written as chunks. */
    boolean needed(byte[] gz) {
        return gz.length > chunkBytes;
    }

    /** The gzipped state the chunks listed in {@code indexBytes} add up to, checked against the index's digest. */
    byte[] read(byte[] indexBytes, String source) {
        JsonNode index;
        try {
            index = JSON.readTree(indexBytes);
        } catch (JacksonException e) {
            throw new CorruptStateException(source, INDEX_KEY + " is not valid JSON: " + e.getOriginalMessage());
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (JsonNode chunkName : index.path("chunks")) {
            if (all.size() > LocalStateBackend.MAX_STATE_BYTES) {
                throw new CorruptStateException(source, INDEX_KEY + " lists chunks of more than "
                        + (LocalStateBackend.MAX_STATE_BYTES >> 20) + " MiB, the limit for a state");
            }
            String chunk = chunkName.asString("");
            Secret part;
            try {
                part = secrets.get().withName(chunk).get();
            } catch (KubernetesClientException e) {
                throw StateRequestFailure.of("read", location, namespace, e);
            }
            if (part == null || part.getData() == null || !part.getData().containsKey(CHUNK_KEY)) {
                throw new CorruptStateException(source, "chunk Secret " + namespace + "/" + chunk
                        + " listed in " + INDEX_KEY + " is missing or empty");
            }
            all.writeBytes(SecretBytes.unbase64(part.getData().get(CHUNK_KEY), source, chunk));
        }
        byte[] gz = all.toByteArray();
        if (!SecretBytes.sha256(gz).equals(index.path("sha256").asString(""))) {
            throw new CorruptStateException(source, "the chunks do not add up to what " + INDEX_KEY
                    + " records (sha256 mismatch): a chunk Secret was changed or replaced");
        }
        return gz;
    }

    /** Writes {@code gz} as chunk Secrets of {@code serial} and returns their names; none are left if one fails. */
    List<String> write(byte[] gz, long serial) {
        List<String> names = new ArrayList<>();
        // Named by serial AND by this write: a run that lost its lock and writes the same serial as the run that
        // took it must never overwrite that run's chunks (its index would then point at someone else's bytes).
        String write = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> chunkLabels = new LinkedHashMap<>(labels);
        chunkLabels.put(SERIAL_LABEL, Long.toString(serial));
        for (int offset = 0, i = 1; offset < gz.length; offset += chunkBytes, i++) {
            byte[] part = Arrays.copyOfRange(gz, offset, Math.min(gz.length, offset + chunkBytes));
            String chunkName = secretName + "-" + serial + "-" + write + "-" + i;
            Secret chunk = new SecretBuilder()
                    .withNewMetadata()
                        .withName(chunkName)
                        .withNamespace(namespace)
                        .withLabels(chunkLabels)
                    .endMetadata()
                    .withType("Opaque")
                    .addToData(CHUNK_KEY, SecretBytes.base64(part))
                    .build();
            try {
                secrets.get().resource(chunk).create();
            } catch (KubernetesClientException e) {
                deleteQuietly(names);
                throw StateRequestFailure.of("write chunk " + chunkName + " of", location, namespace, e);
            }
            names.add(chunkName);
        }
        return names;
    }

    /**
     * Deletes, by name, the chunks the state written before recorded (its index in {@code previousData}) that
     * {@code keep} does not list. Needs only {@code delete secrets}: the sweep by label ({@link #deleteExcept}) needs
     * {@code list secrets} too, and credentials without it left every old chunk behind, silently, at every apply.
     */
    void deleteRecorded(Map<String, String> previousData, Set<String> keep) {
        if (previousData == null || !previousData.containsKey(INDEX_KEY)) {
            return;
        }
        List<String> recorded = new ArrayList<>();
        try {
            JsonNode index = JSON.readTree(java.util.Base64.getDecoder().decode(previousData.get(INDEX_KEY)));
            for (JsonNode n : index.path("chunks")) {
                String chunk = n.asString("");
                // Only this state's chunks, whatever an edited index says (a chunk read back needs only its key and the
                // index's sha256, which an editor of the index sets): a name of this state's chunk form, not any name
                // that starts like the main Secret's (state prod's index naming state prod-eu's chunks).
                if (ownChunk(chunk) && !keep.contains(chunk)) {
                    recorded.add(chunk);
                }
            }
        } catch (JacksonException | IllegalArgumentException e) {
            return;  // an index this run could not read was read before the write, and said so then
        }
        deleteQuietly(recorded);
    }

    /**
     * Whether {@code name} has the form of this state's chunk Secrets, {@code <secretName>-<serial>-<write>-<i>}
     * ({@link #write}). Not the form of builds before the write id ({@code <secretName>-<serial>-<i>}), which is also
     * the main Secret's name of a state called {@code <name>-2024-12}; such old chunks go with the sweep by label
     * ({@link #deleteExcept}), which reads each one's labels.
     */
    boolean ownChunk(String name) {
        return name.startsWith(secretName + "-")
                && name.substring(secretName.length() + 1).matches("\\d{1,18}-[0-9a-f]{8}-\\d{1,9}");
    }

    /**
     * Deletes chunk Secrets of this state that {@code keep} does not list and that belong to serial {@code upTo} or
     * earlier: old serials, and crashed or refused writes. Chunks of later serials may be a write under way by the
     * run that holds the lock now (if this one lost it), so they stay; the next successful write removes them.
     */
    void deleteExcept(Set<String> keep, long upTo) {
        try {
            List<Secret> chunks = secrets.get().withLabel(STATE_LABEL, stateName).withLabel(ROLE_LABEL, "chunk").list()
                    .getItems();
            List<String> stale = new ArrayList<>();
            for (Secret c : chunks) {
                String serial = c.getMetadata().getLabels() == null ? null : c.getMetadata().getLabels().get(SERIAL_LABEL);
                boolean later = serial != null && serial.matches("\\d{1,18}") && Long.parseLong(serial) > upTo;
                if (!keep.contains(c.getMetadata().getName()) && !later) {
                    stale.add(c.getMetadata().getName());
                }
            }
            deleteQuietly(stale);
        } catch (KubernetesClientException e) {
            // leftovers cost space, not correctness; the next write tries again. Old serials' chunks went by name
            // already (deleteRecorded); what only this sweep finds is a crashed write's, which no index lists.
        }
    }

    void deleteQuietly(List<String> names) {
        for (String n : new HashSet<>(names)) {
            try {
                secrets.get().withName(n).delete();
            } catch (KubernetesClientException e) {
                // as above
            }
        }
    }

    /** The index the main Secret stores in place of the state: the chunks in order, and the digest they add up to. */
    static String index(List<String> chunks, byte[] gz) {
        ObjectNode n = JSON.createObjectNode();
        n.put("bytes", gz.length);
        n.put("sha256", SecretBytes.sha256(gz));
        chunks.forEach(n.putArray("chunks")::add);
        return JSON.writeValueAsString(n);
    }
}
