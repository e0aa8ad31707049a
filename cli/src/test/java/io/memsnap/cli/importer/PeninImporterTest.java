package io.memsnap.cli.importer;

import io.memsnap.MemoryEntry;
import io.memsnap.MemoryStore;
import io.memsnap.SparseVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static io.memsnap.cli.importer.Fixture.*;
import static org.junit.jupiter.api.Assertions.*;

class PeninImporterTest
{
    static final String KNOWLEDGE = "\"knowledge_base\": {\n" +
        "  \"key1\": {\"__type__\": \"NumericVectorArtifact\", \"vector\": [0.1, 0.2, 0.3], \"metadata\": {}},\n" +
        "  \"key2\": {\"vector\": [0, 0, 3], \"__type__\": \"NumericVectorArtifact\",\n" +
        "           \"metadata\": {\"source\": \"x\", \"tags\": [1, 2], \"w\": 0.5}}\n}";
    static final String TASKS = "\"task_history\": {\"__type__\": \"deque\", \"items\": [{\"task_id\": 1, " +
        "\"type\": \"evolution\"}], \"maxlen\": 1000}";
    static final String SCORES = "\"score_history\": {\"__type__\": \"deque\", \"items\": [0.85, 0.90], " +
        "\"maxlen\": 1000}";
    static final String STATE = "{\n" + KNOWLEDGE + ",\n" + TASKS + ",\n" + SCORES + "\n}\n";

    @TempDir
    Path tmp;

    private PeninImporter importer(final String json) throws IOException
    {
        return new PeninImporter(text(tmp.resolve("state.json"), json), null);
    }

    @Test
    void theSeedsShapeImportsExactly() throws IOException
    {
        final Path dir = tmp.resolve("store");
        final ImportResult r = run(dir, importer(STATE));
        assertEquals(2, r.entries());
        assertEquals(2, r.states());
        assertEquals(3, r.dimension());
        try (MemoryStore s = open(dir))
        {
            final MemoryEntry one = entry(s, "key1");
            assertEquals(SparseVector.of(new int[] {0, 1, 2}, new float[] {0.1f, 0.2f, 0.3f}), one.vector());
            assertEquals("{}", new String(one.metadata(), StandardCharsets.UTF_8));
            assertEquals(1.0f, one.importance());
            assertEquals(NOW, one.storedAtMillis());
            final MemoryEntry two = entry(s, "key2");
            assertEquals(SparseVector.of(new int[] {2}, new float[] {3f}), two.vector());
            assertEquals("{\"source\":\"x\",\"tags\":[1,2],\"w\":0.5}", new String(two.metadata(),
                StandardCharsets.UTF_8));
            assertEquals("{\"__type__\":\"deque\",\"items\":[{\"task_id\":1,\"type\":\"evolution\"}]," +
                "\"maxlen\":1000}", state(s, "task_history"));
            assertEquals("{\"__type__\":\"deque\",\"items\":[0.85,0.90],\"maxlen\":1000}", state(s, "score_history"));
            assertEquals(Map.of("source", "penin"), s.lastSnapshot().labels());
        }
    }

    @Test
    void historiesBeforeTheKnowledgeBaseAndOtherKeysAreKept() throws IOException
    {
        final Path dir = tmp.resolve("store");
        final ImportResult r = run(dir, importer("{" + SCORES + ", \"other\": [1, {\"a\": null}], " + KNOWLEDGE +
            "}"));
        assertEquals(2, r.entries());
        try (MemoryStore s = open(dir))
        {
            assertEquals("[1,{\"a\":null}]", state(s, "other"));
            assertTrue(s.getState("score_history").isPresent());
        }
    }

    @Test
    void anEmptyKnowledgeBaseGivesAStoreOfTheDefaultDimension() throws IOException
    {
        final ImportResult r = run(tmp.resolve("store"), importer("{\"knowledge_base\": {}, " + TASKS + "}"));
        assertEquals(0, r.entries());
        assertEquals(1, r.states());
        assertEquals(ImportOptions.DEFAULT_DIMENSION, r.dimension());
    }

    @Test
    void badArtifactsAreRefusedNamingTheKey() throws IOException
    {
        final InputException type = fails(InputException.class, tmp.resolve("s"),
            importer(STATE.replaceFirst("NumericVectorArtifact", "Tensor")));
        assertTrue(type.getMessage().contains("/knowledge_base/key1/__type__"), type.getMessage());
        assertTrue(type.getMessage().contains("(line 3, column 24)"), type.getMessage());
        final InputException length = fails(InputException.class, tmp.resolve("s"),
            importer(STATE.replace("[0, 0, 3]", "[0, 3]")));
        assertTrue(length.getMessage().contains("/knowledge_base/key2/vector"), length.getMessage());
        final InputException nan = fails(InputException.class, tmp.resolve("s"),
            importer(STATE.replace("[0, 0, 3]", "[0, NaN, 3]")));
        assertTrue(nan.getMessage().contains("vector[1] is NaN"), nan.getMessage());
        final InputException meta = fails(InputException.class, tmp.resolve("s"),
            importer(STATE.replace("\"metadata\": {}", "\"metadata\": \"text\"")));
        assertTrue(meta.getMessage().contains("must be an object or null"), meta.getMessage());
        final InputException dup = fails(InputException.class, tmp.resolve("s"),
            importer(STATE.replace("\"key2\"", "\"key1\"")));
        assertTrue(dup.getMessage().contains("duplicate id 'key1'"), dup.getMessage());
        final InputException repeated = fails(InputException.class, tmp.resolve("s"),
            importer(STATE.replace("\"w\": 0.5", "\"w\": 0.5, \"w\": 1")));
        assertTrue(repeated.getMessage().contains("repeats the key \"w\""), repeated.getMessage());
    }

    @Test
    void metadataAndIdsOverTheLimitsAreRefused() throws IOException
    {
        final InputException meta = fails(InputException.class, tmp.resolve("s"),
            importer(STATE.replace("\"metadata\": {}", "\"metadata\": {\"big\": \"" + "y".repeat(70_000) + "\"}")));
        assertTrue(meta.getMessage().contains("larger than 65536 bytes"), meta.getMessage());
        final InputException id = fails(InputException.class, tmp.resolve("s"),
            importer(STATE.replace("\"key1\"", "\"" + "k".repeat(1025) + "\"")));
        assertTrue(id.getMessage().contains("longer than 1024 UTF-8 bytes"), id.getMessage());
    }

    @Test
    void dequesMustBeDeques() throws IOException
    {
        final InputException over = fails(InputException.class, tmp.resolve("s"),
            importer(STATE.replace("\"maxlen\": 1000}\n}", "\"maxlen\": 1}\n}")));
        assertTrue(over.getMessage().contains("holds 2 items, more than its maxlen 1"), over.getMessage());
        final InputException type = fails(InputException.class, tmp.resolve("s"),
            importer(STATE.replace("\"__type__\": \"deque\", \"items\": [0.85", "\"items\": [0.85")));
        assertTrue(type.getMessage().contains("/score_history"), type.getMessage());
        assertTrue(type.getMessage().contains("must be a deque"), type.getMessage());
        final InputException list = fails(InputException.class, tmp.resolve("s"),
            importer("{" + KNOWLEDGE + ", \"task_history\": [1, 2]}"));
        assertTrue(list.getMessage().contains("must be a deque"), list.getMessage());
        // maxlen null is an unbounded deque
        assertEquals(2, run(tmp.resolve("ok"), importer(STATE.replace("\"maxlen\": 1000}\n}",
            "\"maxlen\": null}\n}"))).states());
    }

    @Test
    void trailingContentAndTopLevelShapesAreRefused() throws IOException
    {
        final InputException trailing = fails(InputException.class, tmp.resolve("s"), importer(STATE + "{}"));
        assertTrue(trailing.getMessage().contains("unexpected content after"), trailing.getMessage());
        final InputException array = fails(InputException.class, tmp.resolve("s"), importer("[1, 2]"));
        assertTrue(array.getMessage().contains("is a JSON object"), array.getMessage());
        final InputException truncated = fails(InputException.class, tmp.resolve("s"),
            importer(STATE.substring(0, STATE.length() / 2)));
        assertTrue(truncated.getMessage().contains("malformed JSON"), truncated.getMessage());
    }
}
