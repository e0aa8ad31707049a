package io.memsnap.crash;

import java.nio.file.Path;

/**
 * One entry of a {@link Journal}: an operation a store asked its file system to do, or a marker the test added.
 * Immutable; the bytes of a write are a private copy, never changed after recording.
 *
 * <p>Operations on an open file name the handle it was opened as ({@link #handle}), because a handle stays on its
 * file (its inode) whatever renames and deletes do to the file's names afterwards.
 */
public final class JournalEntry
{
    /** What an entry records. */
    public enum Kind
    {
        /** A new file was created and opened as {@link #handle}. */
        CREATE,
        /** An existing file was opened as {@link #handle}. */
        OPEN,
        /** A file was opened as {@link #handle}, and created if it did not exist. */
        OPEN_OR_CREATE,
        /** {@link #bytes} were written at {@link #position} through {@link #handle}. */
        WRITE,
        /** The file of {@link #handle} was flushed: every write recorded before entry {@link #value} is durable. */
        FORCE,
        /** The file of {@link #handle} was cut to {@link #value} bytes. */
        TRUNCATE,
        /** The file of {@link #handle} was grown to {@link #value} bytes without writing them (a hole, zeros). */
        EXTEND,
        /** {@link #path} was renamed to {@link #target}, replacing it. */
        RENAME,
        /** {@link #path} was deleted. */
        DELETE,
        /** The directory {@link #path} was synced: every change recorded in it before entry {@link #value} is durable. */
        SYNC_DIRECTORY,
        /** The directory {@link #path} and any missing parents were created. */
        CREATE_DIRECTORIES,
        /** Marker: the store is about to be asked for write {@link #value}. */
        ISSUE,
        /** Marker: every write up to sequence {@link #value} was acknowledged durable. */
        ACKNOWLEDGE,
        /** Marker: a snapshot holding the writes up to sequence {@link #value} was acknowledged committed. */
        ACKNOWLEDGE_SNAPSHOT,
        /** Marker: a text for reports ({@link #text}). */
        LABEL,
        /** Marker: snapshot {@link #value}, holding the writes up to {@link #position}, was pinned. */
        ACKNOWLEDGE_PIN,
        /** Marker: snapshot {@link #value} is about to be unpinned. */
        RELEASE_PIN,
        /**
         * Marker: a rewind of timeline {@link #position} to a snapshot holding the writes up to sequence
         * {@link #value} is about to begin.
         */
        REWINDING,
        /** Marker: that rewind returned: timeline {@link #position} holds the writes up to {@link #value}. */
        REWOUND;

        /** @return whether the entry is a marker of the test, not an operation of the store. */
        public boolean isMarker()
        {
            return this == ISSUE || this == ACKNOWLEDGE || this == ACKNOWLEDGE_SNAPSHOT || this == LABEL ||
                this == ACKNOWLEDGE_PIN || this == RELEASE_PIN || this == REWINDING || this == REWOUND;
        }
    }

    public final Kind kind;
    /** The open file an operation went through; -1 for entries that name paths. */
    public final long handle;
    /** The file or directory named; for handle operations, the path the handle was opened with. */
    public final Path path;
    /** Where a rename went; null otherwise. */
    public final Path target;
    public final long position;
    /** A size, a sequence number or a journal index, by kind. */
    public final long value;
    public final byte[] bytes;
    public final String text;

    private JournalEntry(final Kind kind, final long handle, final Path path, final Path target, final long position,
        final long value, final byte[] bytes, final String text)
    {
        this.kind = kind;
        this.handle = handle;
        this.path = path;
        this.target = target;
        this.position = position;
        this.value = value;
        this.bytes = bytes;
        this.text = text;
    }

    static JournalEntry opened(final Kind kind, final long handle, final Path path)
    {
        return new JournalEntry(kind, handle, path, null, 0, 0, null, null);
    }

    static JournalEntry write(final long handle, final Path path, final long position, final byte[] bytes)
    {
        return new JournalEntry(Kind.WRITE, handle, path, null, position, 0, bytes, null);
    }

    static JournalEntry force(final long handle, final Path path, final long coversBefore)
    {
        return new JournalEntry(Kind.FORCE, handle, path, null, 0, coversBefore, null, null);
    }

    static JournalEntry truncate(final long handle, final Path path, final long size)
    {
        return new JournalEntry(Kind.TRUNCATE, handle, path, null, 0, size, null, null);
    }

    static JournalEntry extend(final long handle, final Path path, final long size)
    {
        return new JournalEntry(Kind.EXTEND, handle, path, null, 0, size, null, null);
    }

    static JournalEntry rename(final Path from, final Path to)
    {
        return new JournalEntry(Kind.RENAME, -1, from, to, 0, 0, null, null);
    }

    static JournalEntry delete(final Path path)
    {
        return new JournalEntry(Kind.DELETE, -1, path, null, 0, 0, null, null);
    }

    static JournalEntry syncDirectory(final Path dir, final long coversBefore)
    {
        return new JournalEntry(Kind.SYNC_DIRECTORY, -1, dir, null, 0, coversBefore, null, null);
    }

    static JournalEntry createDirectories(final Path dir)
    {
        return new JournalEntry(Kind.CREATE_DIRECTORIES, -1, dir, null, 0, 0, null, null);
    }

    static JournalEntry marker(final Kind kind, final long value, final String text)
    {
        return new JournalEntry(kind, -1, null, null, 0, value, null, text);
    }

    /** A rewind marker: the sequence in {@link #value}, the timeline in {@link #position}. */
    static JournalEntry rewindMarker(final Kind kind, final long timeline, final long sequence)
    {
        return new JournalEntry(kind, -1, null, null, timeline, sequence, null, null);
    }

    /** A pin marker: the generation in {@link #value}, the sequence its snapshot holds in {@link #position}. */
    static JournalEntry pinMarker(final Kind kind, final long generation, final long sequence)
    {
        return new JournalEntry(kind, -1, null, null, sequence, generation, null, null);
    }

    @Override
    public String toString()
    {
        switch (kind)
        {
            case WRITE:
                return "write " + path.getFileName() + " [" + position + ", " + (position + bytes.length) + ")";
            case FORCE:
                return "force " + path.getFileName();
            case TRUNCATE:
                return "truncate " + path.getFileName() + " to " + value;
            case EXTEND:
                return "extend " + path.getFileName() + " to " + value;
            case RENAME:
                return "rename " + path.getFileName() + " -> " + target.getFileName();
            case SYNC_DIRECTORY:
            case CREATE_DIRECTORIES:
            case DELETE:
            case CREATE:
            case OPEN:
            case OPEN_OR_CREATE:
                return kind.name().toLowerCase().replace('_', ' ') + " " + path.getFileName();
            case LABEL:
                return "label " + text;
            default:
                return kind.name().toLowerCase().replace('_', ' ') + " " + value;
        }
    }
}
