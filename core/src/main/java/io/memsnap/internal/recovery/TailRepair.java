package io.memsnap.internal.recovery;

import io.memsnap.CorruptStoreException;
import io.memsnap.RecoveryMode;
import io.memsnap.internal.StoreDirectory;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.memory.MemoryRegion;
import io.memsnap.internal.segment.DurableWatermark;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentSizing;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestSlots;
import io.memsnap.internal.snapshot.ManifestStore;
import io.memsnap.internal.snapshot.NextSlotExtension;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A writer's last step of recovery: decides, from where the replay stopped and what was acknowledged durable, whether
 * the store opens and what must change on disk ({@link #decide}, which changes nothing), then does it
 * ({@link Plan#apply}).
 *
 * <p>What was acknowledged: every record up to the newest snapshot's last sequence, and up to the durable watermark
 * ({@code sync()}, {@code Durability.EVERY_WRITE}). A replay that stops below it found damage to acknowledged data:
 * the open is refused and nothing changes (salvage copies what validates). A replay that stops above it at a record
 * that does not validate found a torn tail, which only a crash can leave: the tail is cut there. Files beyond the cut
 * (later segments, manifests that do not validate) are moved aside into {@value StoreDirectory#QUARANTINE}, never
 * deleted; but a segment file that was never started ({@link Segment#neverStarted}: made ahead of the log for its
 * next roll, all zeros where the header and the first record go) holds nothing and is deleted, silently when it has
 * a segment's length, with a line in the report when it is shorter (a creation a crash interrupted, or a segment cut
 * short).
 *
 * <p>Not thread safe: runs once, in an open, under the writer lock.
 */
final class TailRepair
{
    private TailRepair()
    {
    }

    /** What recovery does to the disk. Immutable. */
    static final class Plan
    {
        /** Why the tail was cut, or null. */
        final String cut;
        /** Whether the writer starts a new segment instead of appending after the stop. */
        final boolean newSegment;
        final List<Path> moveAside;
        /** Manifests to delete: abandoned recycles and pending files hold no snapshot. */
        final List<Long> deleteManifests;
        /** Segment files to delete: never started (see {@link Segment#neverStarted}), they hold nothing. */
        final List<Path> deleteSegments;
        /** Slots to free: the one the restored manifest names as the next (it holds no snapshot it keeps). */
        final List<ManifestSlots.Slot> freeSlots;
        /** Slots to copy into quarantine, then free: damaged ones, and newer snapshots that do not validate. */
        final List<ManifestSlots.Slot> moveSlotsAside;

        Plan(final String cut, final boolean newSegment, final List<Path> moveAside, final List<Long> deleteManifests,
            final List<Path> deleteSegments, final List<ManifestSlots.Slot> freeSlots,
            final List<ManifestSlots.Slot> moveSlotsAside)
        {
            this.cut = cut;
            this.newSegment = newSegment;
            this.moveAside = Collections.unmodifiableList(moveAside);
            this.deleteManifests = Collections.unmodifiableList(deleteManifests);
            this.deleteSegments = Collections.unmodifiableList(deleteSegments);
            this.freeSlots = Collections.unmodifiableList(freeSlots);
            this.moveSlotsAside = Collections.unmodifiableList(moveSlotsAside);
        }

        /**
         * Moves the doubtful files aside and deletes the abandoned manifests, the pending files and the segment files
         * never started, durably.
         *
         * @return a line per file, for the recovery report.
         */
        List<String> apply(final StoreFileSystem fs, final Path dir, final ManifestStore manifests)
            throws IOException
        {
            final List<String> changed = new ArrayList<>();
            manifests.deletePending();
            for (final long generation : deleteManifests)
            {
                if (!manifests.inSlot(generation))
                {
                    manifests.delete(generation);
                    changed.add(manifests.path(generation).getFileName() + " deleted (holds no committed snapshot)");
                }
            }
            for (final Path segment : deleteSegments)
            {
                final long length = Files.size(segment);
                fs.deleteIfExists(segment);
                if (length < SegmentSizing.FIRST_LENGTH)
                {
                    // Shorter than any segment: a creation a crash interrupted, or a segment cut short by damage (its
                    // records, never acknowledged, gone with its header): said, not hidden. A whole file is the
                    // writer's file for its next roll, never rolled into: not a repair.
                    changed.add(segment.getFileName() + " deleted (" + length + " bytes, all zero: a segment file " +
                        "whose creation was interrupted, or one cut short)");
                }
            }
            final String suffix = "." + System.currentTimeMillis();
            final Path quarantine = dir.resolve(StoreDirectory.QUARANTINE);
            if (!moveAside.isEmpty() || !moveSlotsAside.isEmpty())
            {
                fs.createDirectories(quarantine);
            }
            for (final Path file : moveAside)
            {
                final Path target = quarantine.resolve(file.getFileName() + suffix);
                fs.rename(file, target);
                changed.add(file.getFileName() + " moved to " + dir.relativize(target));
            }
            for (final ManifestSlots.Slot slot : moveSlotsAside)
            {
                final Path target = quarantine.resolve(manifests.slots().path().getFileName() + ".slot-" + slot.index +
                    suffix);
                try (StoreFile copy = fs.create(target))
                {
                    copy.writeFully(ByteBuffer.wrap(slot.bytes()), 0);
                    copy.force(true);
                }
                manifests.freeSlot(slot.index);
                changed.add("slot " + slot.index + " of " + manifests.slots().path().getFileName() + " (" + slot +
                    ") copied to " + dir.relativize(target) + " and freed");
            }
            if (!moveAside.isEmpty() || !moveSlotsAside.isEmpty())
            {
                fs.syncDirectory(quarantine);
            }
            for (final ManifestSlots.Slot slot : freeSlots)
            {
                manifests.freeSlot(slot.index);
            }
            manifests.syncSlots();
            fs.syncDirectory(dir);
            return changed;
        }
    }

    /**
     * @param chosen             the snapshot restored and the newer ones passed over.
     * @param replay             where the replay of the log stopped.
     * @param mark               the durable watermark, or null.
     * @param segments           the segments by id (null where missing or unreadable).
     * @param unreadable         ids of segment files whose header does not validate (and that were started).
     * @param neverStarted       ids of segment files after the log that were never started.
     * @param damagedTailSegment the first unreadable segment that holds records, or null.
     * @param olderAbandoned     older generations whose file is an abandoned recycle.
     * @param slots              the manifest slots, as read.
     * @param nextSlot           the slot the restored manifest names as the next one, or
     *                           {@link NextSlotExtension#NONE}.
     * @throws CorruptStoreException if acknowledged data is damaged or missing, or (STRICT) anything is.
     */
    static Plan decide(
        final Path dir,
        final ManifestStore manifests,
        final SnapshotChooser.Chosen chosen,
        final Replay replay,
        final DurableWatermark.Mark mark,
        final Segment[] segments,
        final List<Integer> unreadable,
        final List<Integer> neverStarted,
        final CorruptStoreException damagedTailSegment,
        final List<Long> olderAbandoned,
        final List<ManifestSlots.Slot> slots,
        final int nextSlot,
        final RecoveryMode mode)
    {
        final Manifest manifest = chosen.manifest;
        if (replay.lastSequence() < manifest.lastSequence)
        {
            throw damaged(replay, "record " + replay.nextSequence + ", which snapshot " + manifest.generation +
                " holds, is " + (replay.stop == Replay.Stop.CLEAN_END ? "missing (the log ends before it)" :
                "damaged: " + replay.problem));
        }
        if (mark != null && replay.lastSequence() < mark.lastSequence)
        {
            throw damaged(replay, "record " + replay.nextSequence + ", which sync() or an EVERY_WRITE write " +
                "acknowledged as durable (the " + mark + " says up to sequence " + mark.lastSequence + "), is " +
                (replay.stop == Replay.Stop.CLEAN_END ? "missing" : "damaged: " + replay.problem));
        }
        String cut = replay.stop == Replay.Stop.TORN ? replay.where() : null;
        if (cut == null && damagedTailSegment != null)
        {
            cut = "after " + replay.segment.path() + " (sequence " + replay.nextSequence + "): the next segment is " +
                "damaged: " + damagedTailSegment.getMessage();
        }
        if (cut != null && !chosen.damaged.isEmpty())
        {
            // A newer snapshot that does not validate may have acknowledged the records after the stop.
            throw damaged(replay, "the log after snapshot " + manifest.generation + " does not validate (" + cut +
                "), and the newer snapshot " + chosen.damaged.get(0) + " that may hold those records does not " +
                "validate either");
        }
        for (final ManifestSlots.Slot slot : slots)
        {
            if (cut != null && slot.index == nextSlot && slot.state == ManifestSlots.Slot.State.DAMAGED)
            {
                // A damaged slot, not a torn one: a newer snapshot was there and may have acknowledged those records.
                throw damaged(replay, "the log after snapshot " + manifest.generation + " does not validate (" + cut +
                    "), and slot " + slot.index + " of " + manifests.slots().path().getFileName() + ", which held " +
                    "the snapshot after it, is damaged (" + slot.problem + ")");
            }
        }
        if (cut != null && mode == RecoveryMode.STRICT)
        {
            throw new CorruptStoreException("torn record in the tail after snapshot " + manifest.generation + ": " +
                cut + " (open with RecoveryMode.FALLBACK to cut the tail there)", replay.segment.path(),
                replay.offset, replay.expectedCrc, replay.actualCrc);
        }

        final List<Path> moveAside = new ArrayList<>();
        for (final long generation : chosen.damaged)
        {
            if (!manifests.inSlot(generation))
            {
                moveAside.add(manifests.path(generation));
            }
        }
        // The next slot is the only one written since the restored manifest was committed: whatever it holds (a commit
        // cut short, one whose records did not reach the disk, a snapshot the restored one dropped) is not kept. A
        // damaged one, or one holding a newer snapshot that does not validate, is copied into quarantine first. (Another
        // slot that does not validate held an older snapshot: verify reports it; it is left as it is.)
        final List<ManifestSlots.Slot> freeSlots = new ArrayList<>();
        final List<ManifestSlots.Slot> moveSlotsAside = new ArrayList<>();
        for (final ManifestSlots.Slot slot : slots)
        {
            if (slot.index == nextSlot && (slot.state == ManifestSlots.Slot.State.DAMAGED ||
                chosen.damaged.contains(slot.generation)))
            {
                moveSlotsAside.add(slot);
            }
            else if (slot.index == nextSlot && slot.state != ManifestSlots.Slot.State.FREE)
            {
                freeSlots.add(slot);
            }
        }
        for (int id = replay.segment.id() + 1; id < segments.length; id++)
        {
            if (segments[id] != null || unreadable.contains(id))
            {
                moveAside.add(dir.resolve(SegmentDescriptor.fileName(id)));
            }
        }
        final List<Long> deleteManifests = new ArrayList<>(chosen.abandoned);
        deleteManifests.addAll(olderAbandoned);
        // A writer appends after the stop only where nothing was ever written: after a power loss, pages beyond the
        // stop may hold records of a timeline that is gone, and a later replay would splice them in behind new ones.
        final boolean closedCleanly = mark != null && mark.clean && mark.lastSequence == replay.lastSequence() &&
            mark.tailAddress == replay.stopAddress();
        final boolean newSegment = cut != null || !closedCleanly && holdsBytesAfter(replay.segment, replay.offset);
        final List<Path> deleteSegments = new ArrayList<>();
        for (final int id : neverStarted)
        {
            deleteSegments.add(dir.resolve(SegmentDescriptor.fileName(id)));
        }
        return new Plan(cut, newSegment, moveAside, deleteManifests, deleteSegments, freeSlots, moveSlotsAside);
    }

    private static CorruptStoreException damaged(final Replay replay, final String what)
    {
        return new CorruptStoreException(what + ". Nothing was changed; run 'memsnap salvage' to copy what " +
            "validates into a new store", replay.segment.path(), replay.offset, replay.expectedCrc,
            replay.actualCrc);
    }

    /** @return whether any byte of {@code segment} from {@code offset} to its end is not zero. */
    static boolean holdsBytesAfter(final Segment segment, final int offset)
    {
        final MemoryRegion b = segment.buffer();
        final int end = segment.length();
        int p = offset;
        for (; p + Long.BYTES <= end; p += Long.BYTES)
        {
            if (b.getLong(p) != 0)
            {
                return true;
            }
        }
        for (; p < end; p++)
        {
            if (b.getByte(p) != 0)
            {
                return true;
            }
        }
        return false;
    }
}
