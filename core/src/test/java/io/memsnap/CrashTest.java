package io.memsnap;

import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.snapshot.ManifestStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Proves that a store killed at an arbitrary moment recovers to a prefix of its writes that is never shorter than
 * what was acknowledged as durable.
 *
 * <p>Each round starts a {@link CrashChild} process on the same directory. The child recovers the store, writes
 * the deterministic ops of {@link CrashOps} (puts, overwrites, deletes, named state), syncs and snapshots now and
 * then, and prints an acknowledgement after each {@code sync()} or {@code snapshot()} returns. The test kills it with
 * SIGKILL: after a random time; right after it starts a snapshot that has a large burst of writes to flush; while
 * it is still recovering the store; or a moment after it starts writing a batch of ops (single writes, or one
 * {@link WriteBatch}), so sometimes inside a record (a torn tail) or inside a batch. One mode writes with
 * {@link Durability#BUFFERED}. The first round aims its kill at the creation of the store; the others cycle through
 * the modes. The test fails unless some kill landed inside a snapshot.
 *
 * <p>After each kill the test recovers a copy of the directory (segments hard-linked, the rest copied; recovery
 * never writes into an existing segment, it only flushes them) and checks, bit for bit, that it holds exactly the result of ops
 * {@code [0, k)} where {@code k} is its last sequence number and
 * <ul>
 *     <li>{@code k >=} the last acknowledged op count (nothing durable was lost);</li>
 *     <li>{@code k >=} the ops whose writes returned with {@code ON_SYNC}, one by one or in a batch (a crash of the
 *     process loses nothing handed to the operating system);</li>
 *     <li>with {@code BUFFERED}, the records of the ops whose writes returned but were lost take at most the write
 *     buffer;</li>
 *     <li>{@code k >=} the op count verified in the previous round (nothing recovered before was lost);</li>
 *     <li>{@code k <=} the ops the child announced it would issue (nothing was invented).</li>
 * </ul>
 * The original directory is left as the kill left it, so the next child does the real crash recovery (and must
 * find the same {@code k}), possibly of a store whose previous recovery was itself killed.
 *
 * <p>A killed process leaves its writes in the page cache, so this proves the recovery logic (snapshot choice,
 * tail replay across segments, cutting torn records, the copy-on-write index, interrupted recovery) under
 * arbitrary kill points; it does not prove that the flushes reach the disk: the crash-state explorer
 * ({@code CrashStateExplorerTest}) covers what a power cut leaves, through the store's file-system seam.
 *
 * <p>{@link #pinnedSnapshotsSurviveKills} kills children that pin and unpin snapshots among their snapshots: every
 * pin acknowledged and not being removed must survive, after recovery, as a pinned snapshot that opens read-only with
 * exactly the ops it held, however many snapshots retention retired since.
 *
 * <p>A second test kills children that write {@value #INDEX_ID_SPACE} entries with new index file generations written
 * again and again, each as soon as a new index file appears, so mostly while the background thread copies it; recovery
 * must restore the prefix from the index file the chosen manifest names and delete the unfinished one.
 *
 * <p>System properties: {@code memsnap.crash.seed} (the op sequence and the kill delays; printed at the start and
 * in every failure), {@code memsnap.crash.rounds} (default 30) and {@code memsnap.crash.pinRounds} (default 8).
 */
class CrashTest
{
    private static final int ID_SPACE = 3000;
    /** Entries of the rounds that kill a child writing a new index file: an index of some megabytes to copy. */
    private static final int INDEX_ID_SPACE = 150_000;
    private static final int INDEX_ROUNDS = 3;
    private static final int BURST_OPS = 30_000;
    private static final int DEFAULT_ROUNDS = 30;
    private static final int DEFAULT_PIN_ROUNDS = 8;
    private static final long TIMEOUT_SECONDS = 60;
    private static final int SIGKILL_STATUS = 128 + 9;

    @TempDir
    Path tmp;

    /** The longest a child took from "opening" to "ready" so far: RECOVERY rounds kill within that time. */
    private long longestOpenMillis = 300;

    private enum Mode
    {
        /** Killed 50-700 ms after ready; syncs and snapshots on the writing thread. */
        STEADY,
        /** Killed 50-700 ms after ready; a second thread snapshots under the writes. */
        CONCURRENT,
        /** Killed 0-4 ms after starting a snapshot of a 30k-op burst. */
        BURST,
        /** Killed after it starts opening (recovering) the store, within the longest open seen so far. */
        RECOVERY,
        /** Killed 0-3 ms after it starts writing its 2nd or 3rd batch of 1500 ops: maybe inside a record. */
        TORN,
        /** Killed 50-700 ms after ready; a snapshot after each batch, every third pinned, the oldest of three unpinned. */
        PINS,
        /**
         * Writes {@value #INDEX_ID_SPACE} entries with new index files written again and again in the background;
         * killed as soon as a new index file appears in the directory, while the background thread copies it.
         */
        INDEX,
        /**
         * As TORN, each batch of ops one {@link WriteBatch}: killed 0-3 ms after its 2nd or 3rd batch starts, or (one
         * time in two) 0-2 ms after that batch returned, before the next starts.
         */
        BATCH,
        /** As STEADY with {@link Durability#BUFFERED}: a crash of the process may lose what the buffer held. */
        BUFFERED
    }

    /**
     * The modes of the rounds after the first, in turn; kills inside a record are the rarest outcome, so they get two
     * turns. The first round is {@link Mode#RECOVERY}: it aims at the creation of the store.
     */
    private static final Mode[] CYCLE =
        {Mode.STEADY, Mode.TORN, Mode.CONCURRENT, Mode.BURST, Mode.BATCH, Mode.TORN, Mode.RECOVERY, Mode.BUFFERED,
            Mode.BATCH};

    @Test
    void killedAtRandomRecoversAPrefixNoShorterThanWhatWasAcknowledged() throws Exception
    {
        final long seed = Long.getLong("memsnap.crash.seed", new Random().nextLong());
        final int rounds = Integer.getInteger("memsnap.crash.rounds", DEFAULT_ROUNDS);
        System.out.println("CrashTest: seed " + seed + ", " + rounds + " rounds (reproduce the op sequence with " +
            "-Dmemsnap.crash.seed=" + seed + " -Dmemsnap.crash.rounds=" + rounds + ")");
        final Path dir = tmp.resolve("store");
        final Random random = new Random(seed);
        final CrashOps model = new CrashOps(seed, ID_SPACE);
        final Tally tally = new Tally();
        final long start = System.nanoTime();
        for (int round = 0; round < rounds; round++)
        {
            round(dir, seed, round, random, model, tally);
        }
        System.out.println("CrashTest: seed " + seed + ", " + rounds + " rounds in " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms: " + tally + "; " +
            countFiles(dir, ".seg") + " segments");
        if (rounds >= DEFAULT_ROUNDS)
        {
            assertTrue(tally.midSnapshot > 0, "no kill landed during a snapshot; seed " + seed + ": " + tally);
        }
    }

    @Test
    void pinnedSnapshotsSurviveKills() throws Exception
    {
        final long seed = Long.getLong("memsnap.crash.seed", new Random().nextLong());
        final int rounds = Integer.getInteger("memsnap.crash.pinRounds", DEFAULT_PIN_ROUNDS);
        System.out.println("CrashTest pins: seed " + seed + ", " + rounds + " rounds");
        final Path dir = tmp.resolve("pinned");
        final Random random = new Random(seed);
        final CrashOps model = new CrashOps(seed, ID_SPACE);
        final Map<Long, Long> promised = new TreeMap<>();
        int checked = 0;
        for (int round = 0; round < rounds; round++)
        {
            final String context = "seed " + seed + " (-Dmemsnap.crash.seed=" + seed + "), pin round " + round;
            final ChildRun run = runAndKill(dir, seed, Mode.PINS, model.idSpace(), random, context);
            promised.keySet().removeAll(run.unpinning);
            promised.putAll(run.pinned);
            final Path copy = tmp.resolve("verify-pins-" + round);
            linkedCopy(dir, copy);
            verify(copy, run, model, context, CrashChild.options());
            checked += verifyPins(copy, promised, seed, context + ": " + run.describe());
            deleteRecursively(copy);
            System.out.println("CrashTest pins: round " + round + ": " + run.summary() + ", pins kept " + promised);
        }
        assertTrue(checked > 0, "no pin was acknowledged before a kill; seed " + seed);
    }

    /**
     * Checks that every promised pin survived the kill and the recovery ({@link #verify} recovered {@code dir}) as a
     * pinned snapshot that opens read-only with exactly the ops it held.
     *
     * @return how many pins were checked.
     */
    private static int verifyPins(final Path dir, final Map<Long, Long> promised, final long seed,
        final String where)
    {
        final Map<Long, SnapshotInfo> retained = new TreeMap<>();
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            store.snapshots().forEach(s -> retained.put(s.generation(), s));
        }
        for (final Map.Entry<Long, Long> pin : promised.entrySet())
        {
            final SnapshotInfo s = retained.get(pin.getKey());
            final String what = "pinned snapshot " + pin.getKey() + " of " + pin.getValue() + " ops; retained " +
                retained.values() + "; " + where;
            assertNotNull(s, "lost " + what);
            assertTrue(s.pinLabel().isPresent(), "not pinned any more: " + what);
            assertEquals(pin.getValue(), s.lastSequence(), what);
            try (MemoryStore old = MemoryStore.open(dir, StoreOptions.builder().readOnly(true)
                .generation(pin.getKey()).build()))
            {
                assertSameContent(old, new CrashOps(seed, ID_SPACE).advanceTo(pin.getValue()), what);
            }
        }
        return promised.size();
    }

    /**
     * Kills children while the background thread writes a new index file generation (the rounds of
     * {@link Mode#INDEX}), and checks after each that recovery restores a prefix as above, from the index file the
     * chosen manifest names, and deletes the unfinished file no manifest names. Fails unless some kill cut a copy
     * short (it begins once the child announced half the entries, so that the index is large enough to take a while).
     */
    @Test
    void killedWhileANewIndexFileIsWrittenRecoversFromTheFileTheManifestNames() throws Exception
    {
        final long seed = Long.getLong("memsnap.crash.seed", new Random().nextLong());
        System.out.println("CrashTest: seed " + seed + ", " + INDEX_ROUNDS + " rounds killing a new index file");
        final Path dir = tmp.resolve("store");
        final Random random = new Random(seed);
        final CrashOps model = new CrashOps(seed, INDEX_ID_SPACE);
        final Tally tally = new Tally();
        for (int round = 0; round < INDEX_ROUNDS; round++)
        {
            round(dir, seed, round, Mode.INDEX, random, model, tally);
        }
        System.out.println("CrashTest: " + tally);
        assertTrue(tally.cutCopies > 0, "no kill cut the copy of a new index file short; seed " + seed + ": " +
            tally);
    }

    /** Runs a child on {@code dir}, kills it, and verifies a recovered copy of what the kill left. */
    private void round(final Path dir, final long seed, final int round, final Random random, final CrashOps model,
        final Tally tally) throws Exception
    {
        round(dir, seed, round, round == 0 ? Mode.RECOVERY : CYCLE[(round - 1) % CYCLE.length], random, model,
            tally);
    }

    private void round(final Path dir, final long seed, final int round, final Mode mode, final Random random,
        final CrashOps model, final Tally tally) throws Exception
    {
        final String context = "seed " + seed + " (-Dmemsnap.crash.seed=" + seed + "), round " + round + " (" +
            mode + ")";
        final ChildRun run = runAndKill(dir, seed, mode, model.idSpace(), random, context);
        tally.pendingManifests += countFiles(dir, ".pending");
        if (Files.exists(dir) && !namedIndexFilesOnly(dir))
        {
            tally.unnamedIndexFiles++;
            tally.cutCopies += unfinishedCopy(dir) ? 1 : 0;
        }
        final Path copy = tmp.resolve("verify-" + round);
        linkedCopy(dir, copy);
        // Without background checkpoints, so that no new index file appears while the open's result is looked at.
        final RecoveryReport report = verify(copy, run, model, context, CrashChild.options().toBuilder()
            .checkpointRecords(Long.MAX_VALUE).checkpointIndexBytes(Long.MAX_VALUE).build());
        deleteRecursively(copy);
        tally.add(run, report, model.applied());
        System.out.println("CrashTest: round " + round + " " + mode + ": " + run.summary() + ", recovered " +
            model.applied() + (report.tailCut() == null ? "" : ", torn tail cut"));
    }

    private ChildRun runAndKill(final Path dir, final long seed, final Mode mode, final int idSpace,
        final Random random, final String context) throws Exception
    {
        final Path stderr = Files.createTempFile(tmp, "child", ".err");
        final ProcessBuilder builder = new ProcessBuilder(childCommand(dir, seed, mode, idSpace))
            .redirectError(stderr.toFile());
        final ChildRun run = new ChildRun(builder.start(), stderr);
        try
        {
            run.process.getOutputStream().close();
            if (mode == Mode.RECOVERY)
            {
                assertTrue(run.opening.await(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                    () -> context + ": child never started opening: " + run.describe());
                Thread.sleep(random.nextInt((int)longestOpenMillis));
            }
            else
            {
                assertTrue(run.ready.await(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                    () -> context + ": child not ready: " + run.describe());
                if (mode == Mode.BURST)
                {
                    assertTrue(run.snapshotStarted.await(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                        () -> context + ": child never started its burst snapshot: " + run.describe());
                    Thread.sleep(random.nextInt(5));
                }
                else if (mode == Mode.INDEX)
                {
                    // Once the index is some megabytes, a copy takes a while: kill as soon as one begins.
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
                    while (run.announced < INDEX_ID_SPACE / 2)
                    {
                        assertTrue(System.nanoTime() < deadline && run.process.isAlive(),
                            () -> context + ": the child did not write: " + run.describe());
                        LockSupport.parkNanos(1_000_000);
                    }
                    final long newest = newestIndexFile(dir);
                    while (newestIndexFile(dir) == newest)
                    {
                        assertTrue(System.nanoTime() < deadline && run.process.isAlive(),
                            () -> context + ": the child wrote no new index file: " + run.describe());
                        LockSupport.parkNanos(100_000);
                    }
                }
                else if (mode == Mode.BATCH && random.nextBoolean())
                {
                    final int batch = 2 + random.nextInt(2);
                    assertTrue(run.awaitHanded(batch, TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS)),
                        () -> context + ": child did not return from batch " + batch + ": " + run.describe());
                    LockSupport.parkNanos(random.nextInt(2_000_000));
                }
                else if (mode == Mode.TORN || mode == Mode.BATCH)
                {
                    final int batch = 2 + random.nextInt(2);
                    assertTrue(run.awaitBatch(batch, TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS)),
                        () -> context + ": child did not start batch " + batch + ": " + run.describe());
                    LockSupport.parkNanos(random.nextInt(3_000_000));
                }
                else
                {
                    Thread.sleep(50 + random.nextInt(650));
                }
            }
            assertTrue(run.process.isAlive(), () -> context + ": child died before the kill: " + run.describe());
        }
        finally
        {
            run.kill();
        }
        assertEquals(SIGKILL_STATUS, run.process.exitValue(),
            () -> context + ": child was not killed by SIGKILL: " + run.describe());
        longestOpenMillis = Math.min(1000, Math.max(longestOpenMillis, run.openMillis));
        return run;
    }

    private static List<String> childCommand(final Path dir, final long seed, final Mode mode, final int idSpace)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(CrashChild.class.getName());
        command.add(dir.toString());
        command.add(Long.toString(seed));
        command.add(Integer.toString(idSpace));
        command.add(mode.name().toLowerCase());
        command.add(Integer.toString(BURST_OPS));
        return command;
    }

    /**
     * Recovers {@code dir} (a copy of the killed store) and checks it against the model.
     *
     * @return the recovery report.
     */
    private static RecoveryReport verify(final Path dir, final ChildRun run, final CrashOps model,
        final String context, final StoreOptions options) throws IOException
    {
        final String why = context + ": " + run.describe();
        final long previous = model.applied();
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            assertTrue(namedIndexFilesOnly(dir), why + ": recovery deleted every index file no manifest names: " +
                IndexFiles.generations(dir));
            final RecoveryReport report = store.recoveryReport();
            final long k = store.lastSequence();
            final String where = why + "; previous round recovered " + previous + ", now k=" + k + ", " + report;
            assertEquals(k, report.lastSequence(), where);
            if (run.readyAt >= 0)
            {
                assertEquals(previous, run.readyAt,
                    "the child's recovery disagrees with the test's recovery of the same files; " + where);
            }
            assertTrue(k >= previous, "lost writes that the previous recovery had restored; " + where);
            assertTrue(k >= run.lastAck, "lost acknowledged writes; " + where);
            // A crash of the process keeps what ON_SYNC handed to the operating system before the write returned,
            // and loses at most what BUFFERED held in its write buffer.
            assertTrue(k >= run.lastHanded, "lost writes handed to the operating system (they returned); " + where);
            if (run.lastWritten > k)
            {
                final long lost = model.recordBytes(k, run.lastWritten);
                assertTrue(lost <= CrashChild.BUFFER_BYTES, "lost " + lost + " bytes of records that returned, " +
                    "more than the write buffer holds (" + CrashChild.BUFFER_BYTES + "); " + where);
            }
            assertTrue(k <= Math.max(previous, run.announced), "recovered more ops than were issued; " + where);
            model.advanceTo(k);
            assertSameContent(store, model, where);
            return report;
        }
    }

    private static void assertSameContent(final MemoryStore store, final CrashOps model, final String where)
    {
        final Map<Integer, Long> entries = model.entries();
        assertEquals(entries.size(), store.size(), "entry count; " + where);
        for (int n = 0; n < model.idSpace(); n++)
        {
            final Long version = entries.get(n);
            final Optional<MemoryEntry> found = store.get(TestEntries.id(n));
            if (version == null)
            {
                assertTrue(found.isEmpty(), TestEntries.id(n) + " must be absent; " + where);
            }
            else
            {
                assertTrue(found.isPresent(), TestEntries.id(n) + " version " + version + " is missing; " + where);
                assertTrue(TestEntries.matches(found.get(), n, version),
                    TestEntries.id(n) + " is not version " + version + " bit for bit: " + found.get() + "; " + where);
            }
        }
        final Set<String> seen = new HashSet<>();
        store.forEach(view -> assertTrue(seen.add(view.id()), "forEach saw " + view.id() + " twice; " + where));
        assertEquals(entries.size(), seen.size(), "forEach count; " + where);

        final Map<Integer, Long> states = model.states();
        assertEquals(states.size(), store.stateCount(), "state count; " + where);
        assertEquals(states.size(), store.stateNames().size(), "state names " + store.stateNames() + "; " + where);
        for (int name = 0; name < CrashOps.STATE_NAMES; name++)
        {
            final Optional<byte[]> value = store.getState(CrashOps.stateName(name));
            final Long version = states.get(name);
            if (version == null)
            {
                assertTrue(value.isEmpty(), CrashOps.stateName(name) + " must be absent; " + where);
            }
            else
            {
                assertArrayEquals(CrashOps.stateValue(name, version), value.orElse(null),
                    CrashOps.stateName(name) + " version " + version + "; " + where);
            }
        }
    }

    private static long newestIndexFile(final Path dir)
    {
        final List<Long> generations = IndexFiles.generations(dir);
        return generations.isEmpty() ? -1 : generations.get(generations.size() - 1);
    }

    /** @return whether every index file in {@code dir} is one a manifest there names. */
    private static boolean namedIndexFilesOnly(final Path dir) throws IOException
    {
        final ManifestStore manifests = new ManifestStore(StoreFileSystem.real(), dir);
        final Set<Long> named = new HashSet<>();
        for (final long generation : manifests.generations())
        {
            try
            {
                named.add(manifests.read(generation).checkpoint.indexFile);
            }
            catch (final IOException | MemsnapException ex)
            {
                // names nothing
            }
        }
        return named.containsAll(IndexFiles.generations(dir));
    }

    /**
     * @return whether the newest index file is a copy cut short: shorter than its header's dense start (its length
     * reaches past it once its base's pages are all copied), or without a whole header.
     */
    private static boolean unfinishedCopy(final Path dir) throws IOException
    {
        final List<Long> generations = IndexFiles.generations(dir);
        final Path newest = IndexFiles.path(dir, generations.get(generations.size() - 1));
        final ByteBuffer header = ByteBuffer.wrap(StoreFiles.readPrefix(newest, IndexPageDescriptor.PAGE_SIZE))
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return header.capacity() < IndexPageDescriptor.PAGE_SIZE || Files.size(newest) <
            (long)header.getInt(IndexPageDescriptor.FILE_DENSE_FROM_OFFSET) * IndexPageDescriptor.PAGE_SIZE;
    }

    /**
     * Copies a store directory: segments as hard links (recovery only ever creates segments), the rest bytes, index
     * files as sparse as they are (blocks of zeros left as holes).
     */
    private static void linkedCopy(final Path dir, final Path copy) throws IOException
    {
        Files.createDirectory(copy);
        if (!Files.exists(dir))
        {
            return; // killed before it created the directory
        }
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                final Path target = copy.resolve(file.getFileName());
                if (file.getFileName().toString().endsWith(".seg"))
                {
                    Files.createLink(target, file);
                }
                else if (file.getFileName().toString().endsWith(IndexPageDescriptor.FILE_SUFFIX))
                {
                    sparseCopy(file, target);
                }
                else
                {
                    Files.copy(file, target);
                }
            }
        }
    }

    private static void sparseCopy(final Path from, final Path to) throws IOException
    {
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            final ByteBuffer block = ByteBuffer.allocate(IndexPageDescriptor.PAGE_SIZE);
            final long size = in.size();
            for (long position = 0; position < size; position += block.capacity())
            {
                block.clear();
                while (block.hasRemaining() && in.read(block, position + block.position()) > 0)
                {
                    // the whole block
                }
                block.flip();
                boolean zeros = true;
                for (int i = 0; i < block.limit() && zeros; i += Long.BYTES)
                {
                    zeros = block.getLong(i) == 0;
                }
                if (!zeros || position + block.limit() == size)
                {
                    out.write(block, position);
                }
            }
        }
    }

    private static void deleteRecursively(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path file : (Iterable<Path>)files.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.delete(file);
            }
        }
    }

    private static long countFiles(final Path dir, final String suffix) throws IOException
    {
        if (!Files.exists(dir))
        {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
        }
    }

    /** A running child and what it said on stdout, read to the end by a thread of its own. */
    private static final class ChildRun
    {
        final Process process;
        final Path stderr;
        final CountDownLatch opening = new CountDownLatch(1);
        final CountDownLatch ready = new CountDownLatch(1);
        final CountDownLatch snapshotStarted = new CountDownLatch(1);
        final Thread reader;
        final Deque<String> lastLines = new ArrayDeque<>();
        final long startNanos = System.nanoTime();
        volatile long killedAfterMillis = -1;
        volatile long openingNanos;
        volatile long openMillis = -1;
        volatile long readyAt = -1;
        volatile long lastAck = -1;
        /** The ops whose writes returned handed to the operating system (ON_SYNC). */
        volatile long lastHanded = -1;
        /** The ops whose writes returned, perhaps only into the write buffer (BUFFERED). */
        volatile long lastWritten = -1;
        volatile long announced = -1;
        volatile int openSnapshots;
        volatile long lines;
        long batches;
        long handedBatches;
        /** Pins acknowledged: generation, ops it holds. */
        final Map<Long, Long> pinned = new TreeMap<>();
        /** Pins whose removal started (acknowledged or not). */
        final Set<Long> unpinning = new HashSet<>();

        ChildRun(final Process process, final Path stderr)
        {
            this.process = process;
            this.stderr = stderr;
            this.reader = new Thread(this::read, "crash-child-stdout");
            this.reader.setDaemon(true);
            this.reader.start();
        }

        private void read()
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    onLine(line);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        private synchronized void onLine(final String line)
        {
            lines++;
            lastLines.addLast(line);
            if (lastLines.size() > 6)
            {
                lastLines.removeFirst();
            }
            final String[] words = line.split(" ");
            switch (words[0])
            {
                case "opening":
                    openingNanos = System.nanoTime();
                    opening.countDown();
                    break;

                case "ready":
                    readyAt = Long.parseLong(words[1]);
                    lastAck = readyAt;
                    announced = readyAt;
                    openMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openingNanos);
                    ready.countDown();
                    break;

                case "batch":
                    announced = Long.parseLong(words[1]);
                    batches++;
                    notifyAll();
                    break;

                case "handed":
                    lastHanded = Long.parseLong(words[1]);
                    handedBatches++;
                    notifyAll();
                    break;

                case "written":
                    lastWritten = Long.parseLong(words[1]);
                    break;

                case "snapshot-start":
                    openSnapshots++;
                    snapshotStarted.countDown();
                    break;

                case "durable":
                    lastAck = Math.max(lastAck, Long.parseLong(words[1]));
                    if ("snapshot".equals(words[2]))
                    {
                        openSnapshots--;
                    }
                    break;

                case "pinned":
                    pinned.put(Long.parseLong(words[1]), Long.parseLong(words[2]));
                    break;

                case "unpinning":
                    pinned.remove(Long.parseLong(words[1]));
                    unpinning.add(Long.parseLong(words[1]));
                    break;

                default:
                    throw new IllegalStateException("unexpected line from the child: " + line);
            }
        }

        /**
         * Sends SIGKILL through the process handle ({@code Process.destroyForcibly()} would also close our end of
         * the child's stdout and lose its last lines), waits for the death and reads stdout to its end.
         */
        void kill() throws InterruptedException
        {
            killedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            process.toHandle().destroyForcibly();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                fail("child did not die after SIGKILL");
            }
            reader.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
            assertFalse(reader.isAlive(), "child's stdout did not end after its death");
        }

        /**
         * @param n the batch to wait for, counting from 1 (the first runs cold and mostly inside class loading).
         * @return whether the child started it before the timeout.
         */
        synchronized boolean awaitBatch(final int n, final long timeoutNanos) throws InterruptedException
        {
            final long deadline = System.nanoTime() + timeoutNanos;
            while (batches < n)
            {
                final long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive())
                {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            return true;
        }

        /**
         * @param n the batch to wait for, counting from 1.
         * @return whether the child said its writes up to that batch returned, handed off, before the timeout.
         */
        synchronized boolean awaitHanded(final int n, final long timeoutNanos) throws InterruptedException
        {
            final long deadline = System.nanoTime() + timeoutNanos;
            while (handedBatches < n)
            {
                final long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive())
                {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            return true;
        }

        boolean killedInRecovery()
        {
            return opening.getCount() == 0 && ready.getCount() != 0;
        }

        synchronized String summary()
        {
            return "killed " + killedAfterMillis + " ms after start" +
                (killedInRecovery() ? " while recovering" : ", opened at " + readyAt + " in " + openMillis +
                " ms, acknowledged " + lastAck + ", handed off " + lastHanded +
                ", announced " + announced + (openSnapshots > 0 ? ", during a snapshot" : ""));
        }

        synchronized String describe()
        {
            String err;
            try
            {
                err = Files.readString(stderr);
            }
            catch (final IOException ex)
            {
                err = "(stderr unreadable: " + ex + ")";
            }
            return "child readyAt=" + readyAt + " lastAck=" + lastAck + " lastHanded=" + lastHanded +
                " lastWritten=" + lastWritten + " announced=" + announced +
                " openSnapshots=" + openSnapshots + " lines=" + lines + " last=" + lastLines +
                (err.isEmpty() ? "" : " stderr:\n" + err);
        }
    }

    /** What the rounds covered. */
    private static final class Tally
    {
        int rounds;
        int midSnapshot;
        int inRecovery;
        int tailCuts;
        long pendingManifests;
        int skippedSnapshots;
        int discardedFiles;
        /** Kills that left an index file no manifest names (a copy cut short, or not named by a snapshot yet). */
        int unnamedIndexFiles;
        /** Of those, the kills that cut the copy of the base's pages short. */
        int cutCopies;
        long replayed;
        long ops;

        void add(final ChildRun run, final RecoveryReport report, final long k)
        {
            rounds++;
            if (run.openSnapshots > 0)
            {
                midSnapshot++;
            }
            if (run.killedInRecovery())
            {
                inRecovery++;
            }
            if (report.tailCut() != null)
            {
                tailCuts++;
            }
            skippedSnapshots += report.skippedSnapshots().size();
            discardedFiles += report.discardedFiles().size();
            replayed += report.replayedRecords();
            ops = k;
        }

        @Override
        public String toString()
        {
            return rounds + " kills, " + midSnapshot + " during a snapshot, " + inRecovery + " during recovery, " +
                tailCuts + " torn tails cut, " + pendingManifests + " pending manifests left, " + skippedSnapshots +
                " snapshots skipped, " + discardedFiles + " files discarded, " + unnamedIndexFiles + " kills left an " +
                "index file no manifest names (" + cutCopies + " in the copy of the base's pages), " + replayed + " records replayed, " +
                ops + " ops survived in total";
        }
    }
}
