package io.memsnap.internal;

import io.memsnap.CorruptStoreException;
import io.memsnap.IncompatibleFormatException;
import io.memsnap.VerifyReport;
import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.KeyHash;
import io.memsnap.internal.format.ManifestSlotsDescriptor;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.format.Utf8;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.memory.MemoryRegion;
import io.memsnap.internal.segment.DurableWatermark;
import io.memsnap.internal.segment.RecordLocator;
import io.memsnap.internal.segment.RecordScanner;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentLog;
import io.memsnap.internal.segment.TimelineChain;
import io.memsnap.internal.snapshot.Checkpoint;
import io.memsnap.internal.snapshot.FlushedRanges;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestSlots;
import io.memsnap.internal.snapshot.ManifestStore;
import io.memsnap.internal.snapshot.NextSlotExtension;
import io.memsnap.internal.snapshot.RetentionExtension;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * Checks a store against its checksums: every retained manifest, every index page of the durable checkpoint, and,
 * when deep, every record of the log (following the segment chain as recovery does) and every live index slot
 * against the record it points at (type, id hash). Reads only; runs beside readers and writers, checking what
 * existed when it started.
 *
 * <p>Not thread safe: one instance per verification.
 */
public final class Verifier
{
    private final List<VerifyReport.Problem> problems = new ArrayList<>();
    private final List<VerifyReport.Problem> warnings = new ArrayList<>();
    private long manifestsChecked;
    private long pagesChecked;
    private long recordsChecked;
    private long entriesChecked;

    public VerifyReport verify(final ManifestStore manifests, final IndexFile indexFile, final HashIndex index,
        final Checkpoint checkpoint, final SegmentLog log, final long lastSequence, final long seed,
        final boolean deep)
    {
        checkManifests(manifests, deep ? log : null);
        checkIndexPages(indexFile, checkpoint);
        if (deep)
        {
            checkRecords(log, lastSequence);
            checkSlots(index, log, seed);
        }
        return new VerifyReport(problems, warnings, manifestsChecked, pagesChecked, recordsChecked, entriesChecked);
    }

    /**
     * Every retained manifest's checksum; with {@code log} (deep), also the CRC32C of the log range it flushed. A
     * manifest that fails but can be an abandoned recycle (see {@link ManifestStore#isAbandonedRecycle}) is a warning.
     */
    private void checkManifests(final ManifestStore manifests, final SegmentLog log)
    {
        try
        {
            final List<Long> generations = manifests.generations();
            final long durableUpTo = durableUpTo(manifests.slots().path().getParent());
            Manifest newest = null;
            for (final long generation : generations)
            {
                manifestsChecked++;
                try
                {
                    final Manifest manifest = manifests.read(generation);
                    checkRetention(manifest, manifests.path(generation));
                    if (log != null)
                    {
                        checkFlushedRanges(manifest, log, manifests.path(generation).getFileName().toString(),
                            newest == null && manifests.inSlot(generation) && durableUpTo < manifest.lastSequence);
                    }
                    newest = newest == null ? manifest : newest;
                }
                catch (final CorruptStoreException ex)
                {
                    manifestFails(manifests, generation, generations, ex);
                }
                catch (final IncompatibleFormatException ex)
                {
                    problems.add(new VerifyReport.Problem(ex.getMessage(), manifests.path(generation).toString(), 8));
                }
                catch (final java.nio.file.NoSuchFileException ex)
                {
                    manifestsChecked--; // deleted by retention while we looked
                }
            }
            checkSlots(manifests, newest);
        }
        catch (final IOException ex)
        {
            problems.add(new VerifyReport.Problem("cannot list manifests: " + ex, "", 0));
        }
    }

    /** @return the last sequence the durable watermark says is durable, or -1 if it says nothing. */
    private static long durableUpTo(final java.nio.file.Path dir) throws IOException
    {
        try
        {
            final DurableWatermark.Mark mark = DurableWatermark.read(dir);
            return mark == null ? -1 : mark.lastSequence;
        }
        catch (final CorruptStoreException ex)
        {
            return -1; // reported where the watermark is checked
        }
    }

    /**
     * The header of {@code manifests.mss} and its slots that do not validate: a torn slot where the newest manifest
     * names the next one is a commit a crash cut short (a warning); a damaged one, or one anywhere else, is damage.
     */
    private void checkSlots(final ManifestStore manifests, final Manifest newest) throws IOException
    {
        final ManifestSlots slots = manifests.slots();
        final List<ManifestSlots.Slot> all = slots.readAll();
        if (all.isEmpty() && !java.nio.file.Files.exists(slots.path()))
        {
            return; // a store before 4.0, or one whose first writer has not opened it since a migration
        }
        final String header = slots.headerProblem();
        if (header != null)
        {
            problems.add(new VerifyReport.Problem(slots.path().getFileName() + ": " + header, slots.path().toString(),
                0));
        }
        int next = NextSlotExtension.NONE;
        try
        {
            next = newest == null ? NextSlotExtension.NONE :
                NextSlotExtension.read(newest, manifests.path(newest.generation));
        }
        catch (final CorruptStoreException ex)
        {
            problems.add(new VerifyReport.Problem(ex.getMessage(), String.valueOf(ex.file()), ex.offset()));
        }
        for (final ManifestSlots.Slot slot : all)
        {
            if (!slot.fails())
            {
                continue;
            }
            final long offset = ManifestSlotsDescriptor.slotOffset(slot.index);
            if (slot.index == next && slot.state == ManifestSlots.Slot.State.TORN)
            {
                warnings.add(new VerifyReport.Problem("slot " + slot.index + " does not validate (" + slot.problem +
                    "): the commit after snapshot " + newest.generation + " was cut short (power loss?); nothing " +
                    "committed is lost, and the next commit writes the slot again", slots.path().toString(),
                    offset));
            }
            else
            {
                problems.add(new VerifyReport.Problem("slot " + slot.index + " does not validate (" + slot.problem +
                    "): the snapshot it held is lost", slots.path().toString(), offset));
            }
        }
    }

    /** The retention rules and pins a manifest records (checksummed with it, so a malformed one is damage). */
    private void checkRetention(final Manifest manifest, final java.nio.file.Path file)
    {
        try
        {
            RetentionExtension.policy(manifest, file);
            RetentionExtension.pins(manifest, file);
        }
        catch (final CorruptStoreException ex)
        {
            problems.add(new VerifyReport.Problem(ex.getMessage(), file.toString(), ex.offset()));
        }
    }

    /** A manifest that does not validate: damage, or, if it can be an abandoned recycle, a warning. */
    private void manifestFails(final ManifestStore manifests, final long generation, final List<Long> generations,
        final CorruptStoreException ex)
    {
        boolean abandoned;
        try
        {
            abandoned = manifests.isAbandonedRecycle(generation, generations);
        }
        catch (final java.nio.file.NoSuchFileException gone)
        {
            manifestsChecked--; // recycled or deleted by the writer while we looked
            return;
        }
        catch (final IOException unreadable)
        {
            abandoned = false;
        }
        if (abandoned)
        {
            warnings.add(new VerifyReport.Problem("abandoned recycled manifest: a snapshot that reused the file of " +
                "this retiring one stopped (power loss?) before renaming it, leaving old and new bytes; nothing " +
                "committed is lost, and the next snapshot retires it", String.valueOf(ex.file()), ex.offset()));
        }
        else
        {
            problems.add(new VerifyReport.Problem(ex.getMessage(), String.valueOf(ex.file()), ex.offset()));
        }
    }

    /**
     * @param newestInSlot whether {@code manifest} is the newest, committed into a slot, with nothing made durable
     *                     after it: a mismatch then means its records did not reach the disk before a power cut (a
     *                     commit that never completed, a warning), not damage (see {@link FlushedRanges}).
     */
    private void checkFlushedRanges(final Manifest manifest, final SegmentLog log, final String manifestName,
        final boolean newestInSlot)
    {
        for (final FlushedRanges.Mismatch m : FlushedRanges.mismatches(manifest, log::segment))
        {
            if (!m.missing() && newestInSlot)
            {
                warnings.add(new VerifyReport.Problem("snapshot " + manifest.generation + " was never committed: its " +
                    "slot reached the disk and the records it flushed did not (power loss?) (" + m + "); the store " +
                    "opens at the snapshot before it", m.segment.path().toString(), m.entry.flushedFrom));
                return;
            }
            if (!m.missing())
            {
                problems.add(new VerifyReport.Problem("the bytes " + m.entry.flushedFrom + " to " +
                    m.entry.committedLength + " that snapshot " + manifest.generation + " flushed do not match the " +
                    "checksum " + manifestName + " holds for them (" +
                    Long.toHexString(Checksum.unsigned(m.entry.flushedCrc)) + ", found " +
                    Long.toHexString(Checksum.unsigned(m.actualCrc)) + ")", m.segment.path().toString(),
                    m.entry.flushedFrom));
            }
        }
    }

    private void checkIndexPages(final IndexFile indexFile, final Checkpoint checkpoint)
    {
        try
        {
            pagesChecked = indexFile.verifyPages(checkpoint.indexPages);
        }
        catch (final CorruptStoreException ex)
        {
            problems.add(new VerifyReport.Problem(ex.getMessage(), String.valueOf(ex.file()), ex.offset()));
        }
    }

    /**
     * The records of the writer's timeline, in order: its own segments and, below where it branched, its parents' (see
     * {@link TimelineChain}); the records of timelines a rewind left behind are checked by opening their snapshots.
     */
    private void checkRecords(final SegmentLog log, final long lastSequence)
    {
        final Segment[] segments = log.segments();
        final TimelineChain.Lineage lineage = new TimelineChain.Lineage();
        for (final Segment s : segments)
        {
            if (s != null)
            {
                lineage.add(s);
            }
        }
        final TimelineChain chain = lineage.chainOf(
            log.segment(IndexPageDescriptor.segmentId(log.tailAddress())).timeline());
        Segment current = nextOnChain(segments, 0, chain);
        if (current == null)
        {
            problems.add(new VerifyReport.Problem("no segment", "", 0));
            return;
        }
        final RecordScanner scanner = new RecordScanner();
        int offset = SegmentDescriptor.HEADER_LENGTH;
        long expected = current.firstSequence();
        while (expected <= lastSequence)
        {
            // Past where the chain leaves this segment's timeline, the rest of it was left behind by a rewind.
            final int status = expected > chain.bound(current.timeline()) ? RecordScanner.CLEAN_END :
                scanner.scan(current, offset, expected);
            if (status == RecordScanner.VALID)
            {
                offset += scanner.alignedLength();
                if (!RecordDescriptor.isPadType(scanner.type()))
                {
                    recordsChecked++;
                    expected++;
                }
                continue;
            }
            final Segment next = nextOnChain(segments, current.id(), chain);
            if (next != null && (next.firstSequence() == expected ||
                status == RecordScanner.CLEAN_END && next.id() > current.id() + 1 && next.firstSequence() > expected))
            {
                // Segments between were reclaimed after compaction (or, after a rewind, belong to timelines off the
                // chain): their records are not part of the store.
                expected = next.firstSequence();
                current = next;
                offset = SegmentDescriptor.HEADER_LENGTH;
                continue;
            }
            problems.add(new VerifyReport.Problem("record " + expected + (status == RecordScanner.TORN ?
                " is damaged: " + scanner.problem() : " is missing: the log ends before it"),
                current.path().toString(), offset));
            return;
        }
    }

    /**
     * @return the segment with the lowest id above {@code id} that holds records of {@code chain}: of a timeline on
     * it, starting at or before where the chain leaves that timeline; null if none.
     */
    private static Segment nextOnChain(final Segment[] segments, final int id, final TimelineChain chain)
    {
        for (int i = id + 1; i < segments.length; i++)
        {
            final Segment s = segments[i];
            if (s != null && chain.contains(s.timeline()) && s.firstSequence() <= chain.bound(s.timeline()))
            {
                return s;
            }
        }
        return null;
    }

    private void checkSlots(final HashIndex index, final SegmentLog log, final long seed)
    {
        try
        {
            final RecordLocator at = new RecordLocator();
            index.forEach((hash, address) ->
            {
                final Segment segment = log.segment(IndexPageDescriptor.segmentId(address));
                final int offset = IndexPageDescriptor.offset(address);
                if (segment == null || offset < SegmentDescriptor.HEADER_LENGTH ||
                    offset > segment.length() - HEADER_LENGTH || !log.locate(address, at))
                {
                    problems.add(new VerifyReport.Problem("index slot points outside the store (segment " +
                        IndexPageDescriptor.segmentId(address) + ", offset " + offset + ")",
                        index.file().path().getFileName().toString(), -1));
                    return;
                }
                // A record written since verify began may still be in the write buffer: the locator copies it.
                final MemoryRegion b = at.buffer();
                final int o = at.offset();
                final byte type = b.getByte(o + TYPE_OFFSET);
                final int nnz = b.getInt(o + NNZ_OFFSET);
                final int idLength = b.getShort(o + ID_LENGTH_OFFSET) & 0xFFFF;
                final long idEnd = (long)RecordDescriptor.idOffset(o, Math.max(0, nnz)) + idLength;
                if ((type != TYPE_PUT && type != TYPE_STATE_PUT) || nnz < 0 || idEnd > at.limit())
                {
                    problems.add(new VerifyReport.Problem("index slot points at something that is not a live " +
                        "record", segment.path().toString(), offset));
                    return;
                }
                final String id = Utf8.decode(b, RecordDescriptor.idOffset(o, nnz), idLength);
                final long namespace = type == TYPE_STATE_PUT ? KeyHash.NAMESPACE_STATE : KeyHash.NAMESPACE_ENTRY;
                if (KeyHash.hash(seed, namespace, id) != hash)
                {
                    problems.add(new VerifyReport.Problem("index slot hash does not match the id of its record '" +
                        id + "'", segment.path().toString(), offset));
                    return;
                }
                entriesChecked++;
            });
        }
        catch (final CorruptStoreException ex)
        {
            problems.add(new VerifyReport.Problem(ex.getMessage(), String.valueOf(ex.file()), ex.offset()));
        }
    }
}
