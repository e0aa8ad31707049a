package io.memsnap.crash;

import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link StoreFileSystem} that does everything on the real file system (so a store sees its own writes through
 * its mappings) and appends each change, once it has happened, to a {@link Journal}: creates and opens, writes with
 * a copy of the bytes written, flushes, truncates, extensions, renames, deletes, directory syncs. The test adds markers:
 * {@link #issue}, {@link #acknowledge}, {@link #acknowledgeSnapshot}, {@link #label}. A {@link CrashModel} replays
 * the journal to build what a power cut could leave at any point of it.
 *
 * <p>A flush or a directory sync is recorded with the journal's length when it started: only what was recorded
 * before then is taken as covered, which is what {@code fsync} promises for writes racing it. Namespace changes
 * (create, rename, delete, directory creation) are recorded under one lock with the change itself, so their order in
 * the journal is their order on disk.
 *
 * <p>Thread safe, as {@link StoreFileSystem} requires.
 */
public final class RecordingFileSystem implements StoreFileSystem, WorkloadMarkers
{
    private final StoreFileSystem real = StoreFileSystem.real();
    private final Journal journal;
    private final AtomicLong handles = new AtomicLong();
    private final Object namespaceLock = new Object();

    /**
     * @param root a directory that exists: the store's directory or a parent of it. What it holds now counts as
     *             durable; every path the store uses must lie under it.
     */
    public RecordingFileSystem(final Path root)
    {
        this.journal = Journal.startAt(root);
    }

    public Journal journal()
    {
        return journal;
    }

    @Override
    public void issue(final long sequence)
    {
        journal.append(JournalEntry.marker(JournalEntry.Kind.ISSUE, sequence, null));
    }

    @Override
    public void acknowledge(final long sequence)
    {
        journal.append(JournalEntry.marker(JournalEntry.Kind.ACKNOWLEDGE, sequence, null));
    }

    @Override
    public void acknowledgeSnapshot(final long sequence)
    {
        journal.append(JournalEntry.marker(JournalEntry.Kind.ACKNOWLEDGE_SNAPSHOT, sequence, null));
    }

    @Override
    public void label(final String text)
    {
        journal.append(JournalEntry.marker(JournalEntry.Kind.LABEL, 0, text));
    }

    @Override
    public void acknowledgePin(final long generation, final long sequence)
    {
        journal.append(JournalEntry.pinMarker(JournalEntry.Kind.ACKNOWLEDGE_PIN, generation, sequence));
    }

    @Override
    public void releasePin(final long generation)
    {
        journal.append(JournalEntry.pinMarker(JournalEntry.Kind.RELEASE_PIN, generation, 0));
    }

    @Override
    public void rewinding(final long timeline, final long sequence)
    {
        journal.append(JournalEntry.rewindMarker(JournalEntry.Kind.REWINDING, timeline, sequence));
    }

    @Override
    public void rewound(final long timeline, final long sequence)
    {
        journal.append(JournalEntry.rewindMarker(JournalEntry.Kind.REWOUND, timeline, sequence));
    }

    @Override
    public StoreFile create(final Path file) throws IOException
    {
        synchronized (namespaceLock)
        {
            return record(JournalEntry.Kind.CREATE, real.create(file));
        }
    }

    @Override
    public StoreFile open(final Path file) throws IOException
    {
        synchronized (namespaceLock)
        {
            return record(JournalEntry.Kind.OPEN, real.open(file));
        }
    }

    @Override
    public StoreFile openOrCreate(final Path file) throws IOException
    {
        synchronized (namespaceLock)
        {
            return record(JournalEntry.Kind.OPEN_OR_CREATE, real.openOrCreate(file));
        }
    }

    private StoreFile record(final JournalEntry.Kind kind, final StoreFile file)
    {
        final long handle = handles.incrementAndGet();
        journal.append(JournalEntry.opened(kind, handle, file.path()));
        return new RecordingFile(file, handle);
    }

    @Override
    public void rename(final Path from, final Path to) throws IOException
    {
        synchronized (namespaceLock)
        {
            real.rename(from, to);
            journal.append(JournalEntry.rename(from, to));
        }
    }

    @Override
    public boolean deleteIfExists(final Path file) throws IOException
    {
        synchronized (namespaceLock)
        {
            final boolean deleted = real.deleteIfExists(file);
            if (deleted)
            {
                journal.append(JournalEntry.delete(file));
            }
            return deleted;
        }
    }

    @Override
    public void syncDirectory(final Path dir) throws IOException
    {
        final long covers = journal.size();
        real.syncDirectory(dir);
        journal.append(JournalEntry.syncDirectory(dir, covers));
    }

    @Override
    public void createDirectories(final Path dir) throws IOException
    {
        synchronized (namespaceLock)
        {
            real.createDirectories(dir);
            journal.append(JournalEntry.createDirectories(dir));
        }
    }

    @Override
    public String toString()
    {
        return "recording file system of " + journal.root();
    }

    /** An open file that records its writes, flushes, truncates and extensions. Not thread safe, as {@link StoreFile}. */
    private final class RecordingFile extends ForwardingStoreFile
    {
        private final long handle;

        RecordingFile(final StoreFile file, final long handle)
        {
            super(file);
            this.handle = handle;
        }

        @Override
        public int write(final ByteBuffer src, final long position) throws IOException
        {
            final ByteBuffer copy = src.duplicate();
            final int written = file.write(src, position);
            if (written > 0)
            {
                final byte[] bytes = new byte[written];
                copy.get(bytes);
                journal.append(JournalEntry.write(handle, file.path(), position, bytes));
            }
            return written;
        }

        @Override
        public void truncate(final long size) throws IOException
        {
            file.truncate(size);
            journal.append(JournalEntry.truncate(handle, file.path(), size));
        }

        @Override
        public void extend(final long size) throws IOException
        {
            file.extend(size);
            journal.append(JournalEntry.extend(handle, file.path(), size));
        }

        @Override
        public void force(final boolean metadata) throws IOException
        {
            final long covers = journal.size();
            file.force(metadata);
            journal.append(JournalEntry.force(handle, file.path(), covers));
        }
    }
}
