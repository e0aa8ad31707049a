package io.memsnap.internal.salvage;

import io.memsnap.CorruptStoreException;
import io.memsnap.internal.StoreDirectory;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.format.ManifestSlotsDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestCodec;
import io.memsnap.internal.snapshot.ManifestSlots;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of a damaged store as salvage finds them, read without changing anything: every segment file with its
 * header judged ({@link SegmentHeader}), and the newest manifest that validates, if any. The index is not read.
 * The lock file is never opened.
 *
 * <p>Not thread safe: built and used by one salvage.
 */
final class SalvageSource
{
    /** One segment file. */
    static final class SegmentFile
    {
        final int id;
        final Path path;
        final long size;
        final SegmentHeader header;

        SegmentFile(final int id, final Path path, final long size, final SegmentHeader header)
        {
            this.id = id;
            this.path = path;
            this.size = size;
            this.header = header;
        }

        /** @return whether the file may hold a record after its header. */
        boolean scannable()
        {
            return size >= SegmentDescriptor.HEADER_LENGTH + 8 && size <= Integer.MAX_VALUE;
        }

        /** Maps the file read-only, its header trusted only as far as it validated. */
        Segment map() throws IOException
        {
            return Segment.mapUnchecked(path, id, header.firstSequence, header.major);
        }
    }

    final Path dir;
    /** Segment files by ascending id. */
    final List<SegmentFile> segments = new ArrayList<>();
    /** The manifest of the newest generation that validates, or null. */
    Manifest manifest;
    final List<String> notes = new ArrayList<>();

    private SalvageSource(final Path dir)
    {
        this.dir = dir;
    }

    /**
     * @throws io.memsnap.IncompatibleFormatException if a manifest or segment header validates with a format version
     *                                                this build does not read.
     */
    static SalvageSource read(final Path dir) throws IOException
    {
        final SalvageSource source = new SalvageSource(dir);
        final List<Path> files;
        try (Stream<Path> listing = Files.list(dir))
        {
            files = listing.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
        for (final Path p : files)
        {
            final String name = p.getFileName().toString();
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
            {
                source.notes.add(name + ": not a regular file, ignored");
                continue;
            }
            final int segmentId = SegmentDescriptor.parseFileName(name);
            final long generation = ManifestDescriptor.parseFileName(name);
            if (segmentId > 0)
            {
                source.addSegment(segmentId, p);
            }
            else if (generation >= 0)
            {
                source.readManifest(p);
            }
            else if (name.equals(ManifestSlotsDescriptor.FILE_NAME))
            {
                source.readSlots();
            }
            else if (IndexPageDescriptor.parseFileName(name) < 0 && !name.equals(StoreDirectory.LOCK_FILE) &&
                !name.endsWith(ManifestDescriptor.PENDING_SUFFIX))
            {
                source.notes.add(name + ": not a memsnap file, ignored");
            }
        }
        source.segments.sort(Comparator.comparingInt(s -> s.id));
        if (source.manifest == null)
        {
            source.notes.add("no manifest validates: the dimension, the labels and the last sequence of the newest " +
                "snapshot are unknown");
        }
        return source;
    }

    private void addSegment(final int id, final Path path) throws IOException
    {
        final long size = Files.size(path);
        final SegmentHeader header = SegmentHeader.read(path, id, size);
        if (header.problem != null)
        {
            notes.add(path.getFileName() + ": " + header.problem + (header.valid ? "" :
                "; its records are read on their own"));
        }
        segments.add(new SegmentFile(id, path, size, header));
    }

    private void readManifest(final Path path) throws IOException
    {
        final long size = Files.size(path);
        if (size > ManifestDescriptor.MAX_LENGTH)
        {
            notes.add(path.getFileName() + ": damaged, not used (manifest is " + size + " bytes, more than a " +
                "manifest can be)");
            return;
        }
        take(Files.readAllBytes(path), path, path.getFileName().toString());
    }

    /** Every slot of {@code manifests.mss} that validates, as {@link #readManifest} a file. */
    private void readSlots() throws IOException
    {
        final ManifestSlots slots = new ManifestSlots(StoreFileSystem.real(), dir); // only read
        for (final ManifestSlots.Slot slot : slots.readAll())
        {
            final String name = slots.path().getFileName() + " slot " + slot.index;
            if (slot.state == ManifestSlots.Slot.State.VALID)
            {
                take(slot.manifest(), slots.path(), name);
            }
            else if (slot.fails())
            {
                notes.add(name + ": damaged, not used (" + slot.problem + ")");
            }
        }
    }

    /** Keeps the manifest in {@code bytes} if it validates and is the newest so far; notes it if damaged. */
    private void take(final byte[] bytes, final Path file, final String name)
    {
        final Manifest m;
        try
        {
            m = ManifestCodec.decode(bytes, file);
        }
        catch (final CorruptStoreException ex)
        {
            final String message = ex.getMessage();
            final int advice = message.indexOf(" (file=");
            notes.add(name + ": damaged, not used (" + (advice < 0 ? message : message.substring(0, advice)) + ")");
            return;
        }
        if (manifest == null || m.generation > manifest.generation)
        {
            manifest = m;
        }
    }

    /**
     * @return the largest segment size for the salvaged store: the default, or the damaged store's largest segment
     * (from a header that validates, else the file) if larger, rounded up to a valid size that holds a record of
     * {@code longestRecord} bytes. (Segments grow, so the largest one is not the size the store was written with.)
     */
    int segmentSize(final long longestRecord)
    {
        long size = io.memsnap.StoreOptions.DEFAULT_SEGMENT_SIZE;
        for (final SegmentFile s : segments)
        {
            size = Math.max(size, s.header.valid ? s.header.declaredLength : s.size);
        }
        size = Math.max(size, longestRecord + SegmentDescriptor.HEADER_LENGTH);
        final long rounded = (size + 4095) & ~4095L;
        return (int)Math.min(io.memsnap.StoreOptions.MAX_SEGMENT_SIZE,
            Math.max(io.memsnap.StoreOptions.MIN_SEGMENT_SIZE, rounded));
    }
}
