package io.memsnap.crash;

import io.memsnap.internal.StoreDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What a {@link RecordingFileSystem} saw, in order: the files under its root when recording started (all durable)
 * and every entry since.
 *
 * <p>Thread safe: entries are appended by the store's threads while a test reads {@link #size()}; read the entries
 * themselves once recording has ended.
 */
public final class Journal
{
    private final Path root;
    private final Map<String, byte[]> initialFiles;
    private final Set<String> initialDirectories;
    private final List<JournalEntry> entries = new ArrayList<>();

    private Journal(final Path root, final Map<String, byte[]> initialFiles, final Set<String> initialDirectories)
    {
        this.root = root;
        this.initialFiles = Collections.unmodifiableMap(initialFiles);
        this.initialDirectories = Collections.unmodifiableSet(initialDirectories);
    }

    /**
     * Starts a journal of the tree under {@code root}, which must exist: its files' bytes and its directories count
     * as durable. The lock file is taken as empty and never opened (closing a channel on it would drop the lock a
     * store of this process holds).
     */
    static Journal startAt(final Path root)
    {
        final Map<String, byte[]> files = new TreeMap<>();
        final Set<String> directories = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path p : (Iterable<Path>)walk::iterator)
            {
                final String relative = root.relativize(p).toString();
                if (p.equals(root))
                {
                    continue;
                }
                if (Files.isDirectory(p))
                {
                    directories.add(relative);
                }
                else
                {
                    final boolean lock = p.getFileName().toString().equals(StoreDirectory.LOCK_FILE);
                    files.put(relative, lock ? new byte[0] : Files.readAllBytes(p));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return new Journal(root, files, directories);
    }

    /** @return the directory whose tree is recorded; every path in the entries lies under it. */
    public Path root()
    {
        return root;
    }

    /** @return path relative to the root to bytes, of the files there when recording started. */
    public Map<String, byte[]> initialFiles()
    {
        return initialFiles;
    }

    /** @return paths relative to the root of the directories there when recording started. */
    public Set<String> initialDirectories()
    {
        return initialDirectories;
    }

    /** @return the index of the entry appended. */
    synchronized int append(final JournalEntry entry)
    {
        entries.add(entry);
        return entries.size() - 1;
    }

    public synchronized int size()
    {
        return entries.size();
    }

    public synchronized JournalEntry get(final int index)
    {
        return entries.get(index);
    }

    /** @return a copy of the entries so far. */
    public synchronized List<JournalEntry> entries()
    {
        return new ArrayList<>(entries);
    }
}
