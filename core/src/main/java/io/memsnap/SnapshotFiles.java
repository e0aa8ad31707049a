package io.memsnap;

import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.snapshot.LiveBytesExtension;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestCodec;
import io.memsnap.internal.snapshot.ManifestStore;
import io.memsnap.internal.snapshot.NextSlotExtension;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The files one committed snapshot is made of, as a copy of the store needs them: each segment file the snapshot
 * needs, up to its committed length, the index file of its checkpoint, up to the checkpoint's pages, and its
 * manifest. What ships a snapshot elsewhere reads them ({@link MemoryStore#snapshotFiles()}), and what builds a
 * store from such a copy writes them into a new directory and then calls {@link #install(Path, byte[])}.
 *
 * <p>The prefix of each file that the snapshot needs is never written again by the store, so a read of it gives the
 * same bytes for as long as the file exists; the read-only store that made this object holds the files against
 * deletion until it closes.
 *
 * <p>Thread safe: immutable.
 */
public final class SnapshotFiles
{
    /** What a file of the snapshot is. */
    public enum Kind
    {
        /** A segment file: records. */
        SEGMENT,
        /** The index file of the snapshot's checkpoint. */
        INDEX
    }

    /** One file of a snapshot: its name in the store directory, what it is, and how many bytes the snapshot needs. */
    public static final class File
    {
        private final String name;
        private final Kind kind;
        private final long length;

        File(final String name, final Kind kind, final long length)
        {
            this.name = name;
            this.kind = kind;
            this.length = length;
        }

        /** {@return the file's name in the store directory.} */
        public String name()
        {
            return name;
        }

        /** {@return what the file is: a segment or the index file.} */
        public Kind kind()
        {
            return kind;
        }

        /** {@return the bytes the snapshot needs, from the file's start: they never change while the file exists.} */
        public long length()
        {
            return length;
        }

        @Override
        public String toString()
        {
            return name + " [0, " + length + ")";
        }
    }

    private final Path directory;
    private final long generation;
    private final long lastSequence;
    private final long createdAtMillis;
    private final long entryCount;
    private final byte[] manifest;
    private final List<File> files;

    private SnapshotFiles(final Path directory, final Manifest m, final byte[] manifest, final List<File> files)
    {
        this.directory = directory;
        this.generation = m.generation;
        this.lastSequence = m.lastSequence;
        this.createdAtMillis = m.createdAtMillis;
        this.entryCount = m.entryCount;
        this.manifest = manifest;
        this.files = Collections.unmodifiableList(files);
    }

    /** The files of the snapshot a read-only open restored. */
    static SnapshotFiles of(final Path directory, final Manifest m)
    {
        if (m.majorVersion != FormatVersion.CURRENT_MAJOR)
        {
            throw new FormatUpgradeRequiredException(directory, directory, m.majorVersion, m.minorVersion,
                FormatVersion.CURRENT_MAJOR, FormatVersion.CURRENT_MINOR);
        }
        final List<File> files = new ArrayList<>();
        final var table = LiveBytesExtension.read(m, directory);
        for (final Manifest.FileEntry e : m.segments)
        {
            if (LiveBytesExtension.needs(m, table, e.segmentId))
            {
                files.add(new File(SegmentDescriptor.fileName(e.segmentId), Kind.SEGMENT, e.committedLength));
            }
        }
        files.add(new File(IndexPageDescriptor.fileName(m.checkpoint.indexFile), Kind.INDEX,
            (long)m.checkpoint.indexPages * IndexPageDescriptor.PAGE_SIZE));
        // A copy holds this snapshot alone, committed into a manifest file of its own: its first slot commit writes
        // slot 0 of the slots file its first writer creates.
        final byte[] encoded = ManifestCodec.encode(m.withExtension(NextSlotExtension.of(0)));
        return new SnapshotFiles(directory, m, encoded, files);
    }

    /** {@return the store directory the files are in.} */
    public Path directory()
    {
        return directory;
    }

    /** {@return the generation of the snapshot.} */
    public long generation()
    {
        return generation;
    }

    /** {@return the sequence number of the snapshot's last record.} */
    public long lastSequence()
    {
        return lastSequence;
    }

    /** {@return when the snapshot was taken, in epoch milliseconds.} */
    public long createdAtMillis()
    {
        return createdAtMillis;
    }

    /** {@return the entries the snapshot holds.} */
    public long entryCount()
    {
        return entryCount;
    }

    /**
     * {@return the snapshot's manifest as a copy commits it: the same snapshot (records, checkpoint, counts, labels,
     * pins, checksums), naming the first slot as the next one; checksummed, at most a few KiB.}
     */
    public byte[] manifest()
    {
        return manifest.clone();
    }

    /** {@return the segment files the snapshot needs, in increasing id order, then its index file.} */
    public List<File> files()
    {
        return files;
    }

    /**
     * Makes {@code dir} a store holding one snapshot, from a copy of its files: each file of {@link #files()} written
     * into {@code dir} under its name with (at least) its first {@link File#length()} bytes, and nothing else in
     * {@code dir}. Gives each segment file the length its header records (the rest a hole), flushes every file and
     * commits the manifest as a file of its own (a pending file, fsync, rename, directory fsync). The store then
     * opens as any store does; its first writer creates the manifest slots.
     *
     * <p>Checks what it can without reading the records: the manifest's checksum and version, the files' presence and
     * lengths; {@link MemoryStore#verify(boolean)} checks the rest.
     *
     * @param dir      the directory the files were written into.
     * @param manifest the bytes {@link #manifest()} returned.
     * @return the generation of the snapshot the store holds.
     * @throws CorruptStoreException       if the manifest does not validate, or a file is missing or too short.
     * @throws IncompatibleFormatException if the manifest is of a format version this build does not write.
     * @throws IOException                 if a file cannot be read, written or flushed.
     */
    public static long install(final Path dir, final byte[] manifest) throws IOException
    {
        final Path manifestPath = dir.resolve("manifest");
        final Manifest m = ManifestCodec.decode(manifest, manifestPath);
        if (m.majorVersion != FormatVersion.CURRENT_MAJOR)
        {
            throw new IncompatibleFormatException(manifestPath, m.majorVersion, m.minorVersion,
                FormatVersion.CURRENT_MAJOR, FormatVersion.CURRENT_MINOR);
        }
        final StoreFileSystem fs = StoreFileSystem.real();
        final SnapshotFiles expected = of(dir, m);
        for (final File f : expected.files)
        {
            final Path path = dir.resolve(f.name);
            if (!Files.exists(path))
            {
                throw new CorruptStoreException("the snapshot's file " + f.name + " is missing", path, 0);
            }
            try (StoreFile file = fs.open(path))
            {
                if (file.size() < f.length)
                {
                    throw new CorruptStoreException("the file holds " + file.size() + " bytes and the snapshot " +
                        "needs " + f.length, path, file.size());
                }
                if (f.kind == Kind.SEGMENT)
                {
                    file.extend(headerLength(file, path));
                }
                file.force(true);
            }
        }
        new ManifestStore(fs, dir).commit(m);
        return m.generation;
    }

    /** {@return the segment length its header records.} */
    private static long headerLength(final StoreFile file, final Path path) throws IOException
    {
        final ByteBuffer b = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining())
        {
            if (file.read(b, SegmentDescriptor.FILE_LENGTH_OFFSET + b.position()) < 0)
            {
                throw new CorruptStoreException("segment header cut short", path, b.position());
            }
        }
        return Integer.toUnsignedLong(b.getInt(0));
    }

    @Override
    public String toString()
    {
        return "snapshot " + generation + " of " + directory + ": " + files;
    }
}
