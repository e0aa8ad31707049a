package io.memsnap;

import io.memsnap.crash.CrashMode;
import io.memsnap.crash.CrashModel;
import io.memsnap.crash.CrashState;
import io.memsnap.crash.Journal;
import io.memsnap.crash.JournalEntry;
import io.memsnap.crash.RecordingFileSystem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Explores the crash states of one recorded run: replays its journal with a {@link CrashModel}, and at every
 * persistence point (a flush, a directory sync, a create, rename, delete or truncate, and every write when the
 * journal is small) draws several states a power cut there could leave, writes each to a fresh directory, opens it
 * ({@link CrashStateCheck}) and judges the outcome against what was issued and acknowledged up to that point
 * ({@link CrashOutcome#judge}). A state seen before (same digest) is judged again without being opened again.
 *
 * <p>Then, for a few sampled states ({@link RecoverySampler}), it opens the state through a new
 * {@link RecordingFileSystem}, so that recovery's own repairs are recorded, makes again the first writes the crash
 * lost (same keys and sizes, other values, as an application retrying them would), continues with more writes, and
 * explores the crash states of that journal in turn, against the promises of the first run at the sampled point.
 * For the state a SIGKILL leaves, that journal's model starts from the first run's ({@link CrashModel#fork}): what
 * the killed process never flushed is still not durable, however the recovery read it.
 *
 * <p>Each state is drawn from a {@link Random} seeded by the run's seed and the state's name (the journal entry and
 * the state's number there, after those of the recovered state for a recovery's journal),
 * so {@link CrashTarget} names it for a repro. Not thread safe.
 */
final class CrashExplorer
{
    /** How many of the writes a recovery lost the writes after it make again (same keys and sizes). */
    private static final int RETRIED = 5;
    private static final CrashMode[] RANDOM_MODES =
        {CrashMode.PREFIX, CrashMode.BLOCKS, CrashMode.SECTORS, CrashMode.ZEROED_TAIL};

    /** What had been promised before a journal began. */
    static final class Promises
    {
        static final Promises NONE = new Promises(0, 0, 0, Map.of(), 0, -1);

        final long acknowledged;
        final long acknowledgedSnapshot;
        final long issued;
        /** Snapshots pinned and not released: generation, the sequence it holds. */
        final Map<Long, Long> pinned;
        /** The timeline the promises above hold on. */
        final long timeline;
        /**
         * While a rewind runs, the last sequence of the snapshot it rewinds to: the store may also come back on a new
         * timeline holding exactly those writes. -1 otherwise.
         */
        final long rewindingTo;

        Promises(final long acknowledged, final long acknowledgedSnapshot, final long issued,
            final Map<Long, Long> pinned, final long timeline, final long rewindingTo)
        {
            this.acknowledged = acknowledged;
            this.acknowledgedSnapshot = acknowledgedSnapshot;
            this.issued = issued;
            this.pinned = Map.copyOf(pinned);
            this.timeline = timeline;
            this.rewindingTo = rewindingTo;
        }

        Promises and(final CrashModel model)
        {
            final Map<Long, Long> pins = new TreeMap<>(pinned);
            pins.keySet().removeAll(model.released());
            pins.putAll(model.pinned());
            if (model.timeline() >= 0 && model.rewindingTo() < 0)
            {
                // A rewind of this journal returned: the model's promises are the new timeline's, whatever came before.
                return new Promises(model.acknowledged(), model.acknowledgedSnapshot(), model.issued(), pins,
                    model.timeline(), -1);
            }
            return new Promises(Math.max(acknowledged, model.acknowledged()),
                Math.max(acknowledgedSnapshot, model.acknowledgedSnapshot()), Math.max(issued, model.issued()), pins,
                model.timeline() >= 0 ? model.timeline() : timeline, model.rewindingTo());
        }
    }

    /** A state kept for a recovery run. */
    private static final class Sample
    {
        final CrashState state;
        final String name;
        final CrashOutcome outcome;
        final Promises promises;
        final CrashTarget target;
        /** For the state a SIGKILL leaves: the model then, whose unflushed writes a power cut can still lose. */
        final CrashModel killed;

        Sample(final CrashState state, final String name, final CrashOutcome outcome, final Promises promises,
            final CrashTarget target, final CrashModel killed)
        {
            this.state = state;
            this.name = name;
            this.outcome = outcome;
            this.promises = promises;
            this.target = target;
            this.killed = killed;
        }
    }

    private final String workload;
    private final long seed;
    private final StoreOptions options;
    private final String storeName;
    private final StoreHistory history;
    private final CrashSettings settings;
    private final CrashTally tally;
    private final Consumer<CrashWorkload> continuation;
    private final int metadataBytes;
    private final Map<Long, CrashOutcome> outcomes = new HashMap<>();
    private final RecoverySampler<Sample> sampler;

    /**
     * @param storeName    the store directory's path relative to the recorded root.
     * @param continuation the writes made after a sampled recovery.
     */
    CrashExplorer(final String workload, final long seed, final StoreOptions options, final String storeName,
        final StoreHistory history, final CrashSettings settings, final CrashTally tally,
        final Consumer<CrashWorkload> continuation, final int metadataBytes)
    {
        this.workload = workload;
        this.seed = seed;
        this.options = options;
        this.storeName = storeName;
        this.history = history;
        this.settings = settings;
        this.tally = tally;
        this.continuation = continuation;
        this.metadataBytes = metadataBytes;
        this.sampler = new RecoverySampler<>(new Random(mix(seed, 1)), settings.recoveries);
    }

    /**
     * Explores every persistence point of {@code journal}.
     *
     * @param before what was promised before the journal began.
     * @param path   how a repro names this journal ("" for the workload's own).
     * @param target the only state to explore (a repro), or null for all.
     * @param killed   the model of the run this journal continues after a SIGKILL, or null if it starts from
     *                 durable files.
     */
    void explore(final Journal journal, final Promises before, final String path, final CrashTarget target,
        final CrashModel killed)
    {
        final CrashModel model = killed == null ? new CrashModel(journal) : killed.fork(journal);
        if (target != null)
        {
            System.out.println("journal of " + journal.size() + " entries; entry " + target.entry + ": " +
                (target.entry < journal.size() ? journal.get(target.entry) : "none"));
        }
        final boolean writesArePoints = journal.entries().stream()
            .filter(e -> e.kind == JournalEntry.Kind.WRITE).count() <= settings.writePointLimit;
        while (model.hasNext())
        {
            final int entry = model.position();
            final JournalEntry op = model.advance();
            if (op.kind.isMarker())
            {
                continue;
            }
            while (model.hasNext() && model.peek().kind.isMarker())
            {
                model.advance(); // a promise made right after the operation holds at the same state
            }
            if (isPoint(op, writesArePoints) && (target == null || target.entry == entry))
            {
                tally.points++;
                explorePoint(model, entry, op, before.and(model), path, target);
            }
        }
        for (final Sample sample : target == null ? sampler.picks(settings.recoveries) : List.<Sample>of())
        {
            exploreRecovery(sample, path);
        }
    }

    private void explorePoint(final CrashModel model, final int entry, final JournalEntry op,
        final Promises promises, final String path, final CrashTarget target)
    {
        final int states = target != null ? target.state + 1 : model.hasPending() ? settings.statesPerPoint : 1;
        for (int s = target == null ? 0 : target.state; s < states; s++)
        {
            final CrashMode mode = s == 0 ? CrashMode.EVERYTHING : s == 1 ? CrashMode.NOTHING :
                RANDOM_MODES[(s - 2) % RANDOM_MODES.length];
            final String name = CrashTarget.of(path, entry, s);
            final CrashState state = model.crashState(mode, new Random(mix(seed, name.hashCode())));
            final CrashOutcome outcome = outcomeOf(state, name, target != null);
            tally.states++;
            final boolean passed = judge(outcome, mode, promises, name, "after " + op + ", in '" + model.label() + "'");
            final boolean killed = mode == CrashMode.EVERYTHING && model.hasPending();
            if (target != null && target.recovery != null)
            {
                exploreRecovery(new Sample(state, name, outcome, promises, target.recovery,
                    killed ? model.frozen() : null), path);
            }
            else if (target == null && settings.recoveries > 0 && passed && outcome.writer.sequence >= 0 &&
                promises.rewindingTo < 0)
            {
                sampler.offer(() -> new Sample(state, name, outcome, promises, null, killed ? model.frozen() : null),
                    outcome, promises.issued, mode, model.filesPending());
            }
        }
    }

    private CrashOutcome outcomeOf(final CrashState state, final String name, final boolean print)
    {
        final long digest = state.digest();
        final CrashOutcome known = outcomes.get(digest);
        if (known != null)
        {
            return known;
        }
        final Path root = settings.scratch.resolve("state-" + name.replace('/', '_').replace(':', '-'));
        state.writeTo(root);
        final CrashOutcome outcome = CrashStateCheck.check(root.resolve(storeName), options, history);
        if (print)
        {
            System.out.println("crash state " + name + ": " + state + "\n  written to " + root + "\n  " + outcome +
                (outcome.writer.report == null ? "" : "\n  " + outcome.writer.report));
        }
        if (!settings.keepStates)
        {
            StoreFiles.deleteTree(root);
        }
        outcomes.put(digest, outcome);
        tally.distinct++;
        return outcome;
    }

    /** @return whether the outcome keeps every promise; otherwise it is recorded as a failure. */
    private boolean judge(final CrashOutcome outcome, final CrashMode mode, final Promises promises,
        final String name, final String where)
    {
        if (outcome.writer.refused != null)
        {
            tally.refused(mode, name + " " + mode + ": " + outcome.writer.refused.getMessage());
        }
        if (outcome.readOnly.refused != null)
        {
            tally.readOnlyRefusals++;
        }
        // The model damages nothing a power cut would not: a writer that refuses any of these states refuses an
        // ordinary crash.
        final String problem = judgeTimeline(outcome, promises);
        if (problem != null)
        {
            tally.failed(mode + ": " + problem, "workload " + workload + ", seed " + seed + ", point " + name +
                " (" + where + "), mode " + mode +
                ", acknowledged " + promises.acknowledged + ", issued " + promises.issued + ", snapshot acknowledged " +
                promises.acknowledgedSnapshot + "; repro: -Dtest=CrashStateExplorerTest#reproduce " +
                "-Dmemsnap.crash.repro=" + workload + ":" + seed + ":" + name);
        }
        return problem == null;
    }

    /**
     * @return what is wrong with the outcome: on the timeline promised, as {@link CrashOutcome#judge} says; during a
     * rewind, on the new timeline, anything but exactly the writes of the snapshot rewound to; on any other timeline,
     * anything.
     */
    private static String judgeTimeline(final CrashOutcome outcome, final Promises promises)
    {
        final long timeline = outcome.writer.timeline;
        if (timeline >= 0 && outcome.readOnly.timeline >= 0 && timeline != outcome.readOnly.timeline)
        {
            return "the writer recovered timeline " + timeline + " but a read-only open of the newest snapshot is on " +
                "timeline " + outcome.readOnly.timeline;
        }
        if (timeline < 0 || timeline == promises.timeline)
        {
            return outcome.judge(promises.acknowledged, promises.issued, promises.acknowledgedSnapshot,
                promises.pinned, true);
        }
        if (promises.rewindingTo >= 0)
        {
            return outcome.judge(promises.rewindingTo, promises.rewindingTo, promises.rewindingTo, promises.pinned,
                true);
        }
        return "recovered timeline " + timeline + " but timeline " + promises.timeline + " was promised (" +
            outcome.writer.report + ")";
    }

    /**
     * Opens the sampled state through a recording file system, writes more, closes, and explores that journal against
     * the first run's promises at the sampled point.
     */
    private void exploreRecovery(final Sample sample, final String path)
    {
        final Path root = settings.scratch.resolve("recovery-" + sample.name.replace('/', '_').replace(':', '-'));
        sample.state.writeTo(root);
        final RecordingFileSystem fs = new RecordingFileSystem(root);
        final StoreHistory onTimeline = history.onTimeline(sample.outcome.writer.timeline);
        final StoreHistory continued = onTimeline.prefix(sample.outcome.writer.sequence);
        final CrashWorkload w = new CrashWorkload(fs, continued, new Random(mix(seed, ~sample.name.hashCode())),
            metadataBytes);
        final List<StoreHistory.Write> lost = onTimeline.writes().subList((int)sample.outcome.writer.sequence,
            (int)Math.min(onTimeline.lastSequence(), sample.outcome.writer.sequence + RETRIED));
        try
        {
            // After a SIGKILL, reopen with EVERY_WRITE: its first flush must not leave behind what the recovery
            // replayed but the killed process never flushed.
            w.open(root.resolve(storeName), sample.killed == null ? options :
                options.toBuilder().durability(Durability.EVERY_WRITE).build());
            w.retry(lost);
            continuation.accept(w);
            w.close();
        }
        catch (final RuntimeException | Error ex)
        {
            tally.failed("the recovered store failed while written: " + ex, "workload " + workload + ", seed " +
                seed + ", recovery of " + sample.name);
            return;
        }
        finally
        {
            if (w.store() != null)
            {
                w.store().close();
            }
        }
        tally.recoveries++;
        final int before = tally.states;
        final CrashExplorer nested = new CrashExplorer(workload, seed, options, storeName, continued,
            settings.withoutRecoveries(), tally, continuation, metadataBytes);
        nested.explore(fs.journal(), new Promises(sample.promises.acknowledged, sample.promises.acknowledgedSnapshot,
            sample.outcome.writer.sequence, sample.promises.pinned, sample.promises.timeline, -1), sample.name,
            sample.target, sample.killed);
        tally.recoveryStates += tally.states - before;
        if (!settings.keepStates)
        {
            StoreFiles.deleteTree(root);
        }
    }

    private static boolean isPoint(final JournalEntry op, final boolean writesArePoints)
    {
        switch (op.kind)
        {
            case WRITE:
                return writesArePoints;
            case OPEN:
                return false;
            default:
                return true;
        }
    }

    static long mix(final long a, final long b)
    {
        long z = a * 0x9E3779B97F4A7C15L + b;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
