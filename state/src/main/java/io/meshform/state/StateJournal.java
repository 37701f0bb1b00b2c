package io.meshform.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The append-only journal of the local state ({@code <state file>.journal}): while an apply runs, each finished step
 * (or group of steps that finished together) is one line appended and fsynced, instead of a rewrite of the whole
 * state file; the apply ends by writing the state whole once (compaction), which makes the journal obsolete.
 *
 * <p>A line is {@code <crc32 of the JSON, 8 hex digits> <JSON>\n}, the JSON
 * {@code {"lineage": L, "serial": B, "seq": n, "put": [resource, ...], "remove": [address, ...]}}, where B is the
 * serial of the state file the journal continues and n counts the records from 1. Resources are encoded as in the
 * state file (the same entries, so masked secrets stay masked). A record that changes what the apply is creating
 * ({@link StateSnapshot#creating}) also holds {@code "creating": [address, ...]}, the whole new list: an apply writes it
 * once before its first create, so it costs one record per apply, not one per create. A record that changes the deposed
 * objects ({@link StateSnapshot#deposed}) holds {@code "deposed": [...]}, the whole new list, in the same record as the
 * entries it goes with: a move's new entry and its old object's deposed record are one record, so no replay sees one
 * without the other.
 *
 * <p>Reading the state replays a journal left by a crash onto the state file (the result has serial B + 1, the serial
 * its compaction writes), under these rules:
 * <ul>
 *   <li>a last line cut short (no newline, or a checksum that does not match) is a write the crash interrupted: its
 *       steps never counted as done, and it is ignored. A damaged line followed by a good one is corruption.</li>
 *   <li>records of serial B below the state file's are already in it (a compaction wrote the state and died before
 *       removing the journal): the journal is ignored, and the next write removes it.</li>
 *   <li>records of another lineage, or of a serial above the state file's (the state was replaced or restored
 *       from a backup after the journal was written), are refused: reading fails and says what to do.</li>
 *   <li>replay is idempotent: a record sets or removes whole entries, so replaying onto a state that already holds
 *       some of its records gives the same state.</li>
 * </ul>
 */
final class StateJournal {
    static final String SUFFIX = ".journal";

    private StateJournal() {
    }

    /**
     * @param state   the state file's snapshot with the journal's records applied
     * @param records how many records were applied
     * @param torn    whether a last record cut short by a crash was ignored
     * @param stale   whether the journal was already compacted into the state file (and was ignored)
     */
    record Replay(StateSnapshot state, int records, boolean torn, boolean stale) {
    }

    /**
     * Applies the journal {@code bytes} to {@code base}, the state file it continues.
     *
     * @param source names the journal in messages
     * @throws CorruptStateException when a record other than the last is damaged or out of order
     * @throws StateException        when the journal belongs to another state history or a later state
     */
    static Replay replay(StateSnapshot base, byte[] bytes, String source, StateCodec codec) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<String> lines = List.of(text.split("\n", -1));
        // The text after the last newline: empty when the last record is whole, a torn record otherwise.
        boolean torn = !lines.get(lines.size() - 1).isEmpty();
        int complete = lines.size() - 1;
        StateSnapshot state = base;
        int applied = 0;
        for (int i = 0; i < complete; i++) {
            ObjectNode record = parse(lines.get(i), codec);
            if (record == null) {
                if (i == complete - 1) {
                    torn = true;
                    break;
                }
                throw new CorruptStateException(source, "record " + (i + 1) + " is damaged (checksum or JSON) "
                        + "although later records follow, so it was not cut short by a crash");
            }
            String lineage = record.path("lineage").asString("");
            long serial = record.path("serial").asLong(-1);
            if (!lineage.equals(base.lineage()) || serial > base.serial()) {
                throw refused(source, lineage, serial, base);
            }
            if (serial < base.serial()) {
                if (i == 0) {
                    return new Replay(base, 0, false, true);
                }
                throw new CorruptStateException(source, "record " + (i + 1) + " has serial " + serial
                        + " but the records before it have " + base.serial());
            }
            if (record.path("seq").asLong(-1) != i + 1) {
                throw new CorruptStateException(source, "record " + (i + 1) + " is numbered "
                        + record.path("seq") + "; records are numbered from 1 without gaps");
            }
            try {
                state = apply(state, record, codec, "record " + (i + 1));
            } catch (FormatProblem p) {
                throw new CorruptStateException(source, p.getMessage());
            }
            applied++;
        }
        // A state with records applied is a new version of the file's: it gets the serial its compaction will
        // write (the file's + 1), so a saved plan made before the records no longer matches it.
        return new Replay(applied == 0 ? state : state.withSerial(base.serial() + 1), applied, torn, false);
    }

    private static StateSnapshot apply(StateSnapshot state, ObjectNode record, StateCodec codec, String at) {
        JsonNode puts = record.path("put");
        JsonNode removes = record.path("remove");
        if (!puts.isArray() || !removes.isArray()) {
            throw new FormatProblem(at + ": expected the arrays put and remove");
        }
        if (record.has("creating")) {
            state = state.withCreating(codec.addresses(record.get("creating"), at + ".creating"));
        }
        if (record.has("deposed")) {
            state = state.withDeposedList(DeposedEntries.read(record.get("deposed"), at + ".deposed", codec));
        }
        for (int j = 0; j < removes.size(); j++) {
            if (!removes.get(j).isString()) {
                throw new FormatProblem(at + ".remove[" + j + "]: expected an address");
            }
            state = state.without(removes.get(j).asString());
        }
        for (int j = 0; j < puts.size(); j++) {
            state = state.with(codec.resource(puts.get(j), at + ".put[" + j + "]"));
        }
        return state;
    }

    /** The record on {@code line}, or null when its checksum or JSON is bad. */
    private static ObjectNode parse(String line, StateCodec codec) {
        int space = line.indexOf(' ');
        if (space != 8) {
            return null;
        }
        String json = line.substring(space + 1);
        long expected;
        try {
            expected = HexFormat.fromHexDigitsToLong(line, 0, 8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (crc(json.getBytes(StandardCharsets.UTF_8)) != expected) {
            return null;
        }
        try {
            JsonNode n = codec.mapper().readTree(json);
            return n instanceof ObjectNode o ? o : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    private static StateException refused(String source, String lineage, long serial, StateSnapshot base) {
        return new StateException(source + " records apply steps of another state (lineage " + lineage + ", serial "
                + serial + ") than the state file beside it (lineage " + base.lineage() + ", serial " + base.serial()
                + "), so it was not applied: the state file was replaced or restored after that run. Nothing was "
                + "changed. If the state file is the one you mean to keep, move the journal away (it is what that "
                + "run recorded, e.g. `mv " + source.replaceFirst("^journal ", "") + " "
                + source.replaceFirst("^journal ", "") + ".refused`) and run `meshform plan` to see what differs.");
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    /** An open journal that this run appends to; {@link #view()} is the state it records so far. */
    static final class Writer implements AutoCloseable {
        private final Path path;
        private final FileChannel channel;
        private final Object fileKey;
        private final StateCodec codec;
        private final long serial;
        private StateSnapshot view;
        private long seq;
        /** Why nothing more may be appended: a failed append left part of a record that could not be cut off. */
        private String torn;

        private Writer(Path path, FileChannel channel, Object fileKey, StateCodec codec, StateSnapshot base) {
            this.path = path;
            this.channel = channel;
            this.fileKey = fileKey;
            this.codec = codec;
            this.serial = base.serial();
            this.view = base;
        }

        /**
         * Creates the journal (owner-only, never through a link) continuing {@code base}, the state file as it is.
         * The directory is fsynced, so that the journal's name survives a crash with its first record.
         */
        static Writer create(Path path, StateSnapshot base, StateCodec codec) throws IOException {
            return create(path, base, codec, UnaryOperator.identity());
        }

        /** {@link #create}, with the journal's channel as {@code channel} gives it (tests fail its writes). */
        static Writer create(Path path, StateSnapshot base, StateCodec codec, UnaryOperator<FileChannel> channel)
                throws IOException {
            FileChannel ch = channel.apply(FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS),
                    AtomicFiles.ownerOnly(path)));
            try {
                AtomicFiles.fsyncDirectory(AtomicFiles.directoryOf(path));
                return new Writer(path, ch, fileKey(path), codec, base);
            } catch (RuntimeException e) {
                ch.close();
                throw e;
            }
        }

        StateSnapshot view() {
            return view;
        }

        long serial() {
            return serial;
        }

        /** Whether the journal at the path is still the file this writer appends to (not removed or replaced). */
        boolean stillAtItsPath() {
            return fileKey != null && Objects.equals(fileKey, fileKey(path));
        }

        /** Appends what changed from {@link #view()} to {@code next} as one record, and fsyncs it. */
        void append(StateSnapshot next) throws IOException {
            ObjectNode record = codec.mapper().createObjectNode();
            record.put("lineage", view.lineage());
            record.put("serial", serial);
            record.put("seq", seq + 1);
            ArrayNode puts = record.putArray("put");
            ArrayNode removes = record.putArray("remove");
            List<ResourceState> before = view.resources();
            List<ResourceState> after = next.resources();
            int i = 0;
            int j = 0;
            // Both lists are sorted by address; unchanged entries are the same instances (snapshots share them).
            while (i < before.size() || j < after.size()) {
                if (i < before.size() && j < after.size() && before.get(i) == after.get(j)) {
                    // the same entry: most of them, so a step's record costs a reference check per entry rather
                    // than a comparison of two equal addresses (this walk runs once per recorded step)
                    i++;
                    j++;
                    continue;
                }
                int c = i == before.size() ? 1 : j == after.size() ? -1
                        : before.get(i).address().compareTo(after.get(j).address());
                if (c < 0) {
                    removes.add(before.get(i++).address());
                } else if (c > 0) {
                    puts.add(codec.resourceNode(after.get(j++)));
                } else {
                    if (before.get(i) != after.get(j) && !before.get(i).equals(after.get(j))) {
                        puts.add(codec.resourceNode(after.get(j)));
                    }
                    i++;
                    j++;
                }
            }
            if (!next.creating().equals(view.creating())) {
                next.creating().forEach(record.putArray("creating")::add);
            }
            if (!next.deposed().equals(view.deposed())) {
                // the whole list, as for creating: few objects, and a record then sets it whatever it replays onto
                ArrayNode deposed = record.putArray("deposed");
                next.deposed().forEach(d -> deposed.add(DeposedEntries.node(d, codec)));
            }
            if (puts.isEmpty() && removes.isEmpty() && !record.has("creating") && !record.has("deposed")) {
                view = next;
                return;
            }
            if (torn != null) {
                throw new IOException(torn);
            }
            byte[] json = codec.mapper().writeValueAsBytes(record);
            byte[] head = (HexFormat.of().toHexDigits((int) crc(json)) + " ").getBytes(StandardCharsets.US_ASCII);
            ByteBuffer buf = ByteBuffer.allocate(head.length + json.length + 1).put(head).put(json).put((byte) '\n');
            buf.flip();
            long end = channel.size();
            try {
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
                channel.force(false);
            } catch (IOException e) {
                cutBack(end, e);
                throw e;
            }
            seq++;
            view = next;
        }

        /**
         * Removes what a failed append wrote (a full disk writes part of a record, then fails). Left there, the part
         * would join the next record on its line, and a record after that would make the journal unreadable ("a
         * damaged record followed by a good one"). When the part cannot be cut off, nothing more is appended, so
         * the part stays the last line, which a reader ignores as cut short.
         */
        private void cutBack(long end, IOException failure) {
            try {
                if (channel.size() > end) {
                    channel.truncate(end);
                    channel.force(false);
                }
            } catch (IOException | RuntimeException e) {
                failure.addSuppressed(e);
                torn = "an earlier record of this run could not be written whole (" + failure.getMessage()
                        + ") nor cut off, so no record follows it";
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // every record was fsynced when it was appended
            }
        }

        private static Object fileKey(Path path) {
            try {
                return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            } catch (IOException e) {
                return null;
            }
        }
    }
}
