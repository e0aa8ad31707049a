package io.memsnap.crash;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * One crash state's choice of what survives: for every file with writes not flushed, its contents; for every
 * directory change not synced, whether it is kept. Everything is drawn once, at construction, in the order the
 * model created its files and directories, so a seed always gives the same state. Not thread safe.
 */
final class Survival
{
    private final CrashMode mode;
    private final Random random;
    /** Probability that a block or a name change survives, in the random modes. */
    private final double keep;
    /** For {@link CrashMode#PREFIX}: how many units (blocks of a write, or 1) of each pending change survive. */
    private final Map<Object, Integer> prefix = new IdentityHashMap<>();
    private final Map<FileNode, byte[]> contents = new IdentityHashMap<>();
    private final Map<PendingName, Boolean> names = new IdentityHashMap<>();

    Survival(final CrashMode mode, final Random random, final List<FileNode> files,
        final List<DirectoryNode> directories)
    {
        this.mode = mode;
        this.random = random;
        this.keep = mode.isRandom() ? random.nextDouble() : 0;
        if (mode == CrashMode.PREFIX)
        {
            cutPrefix(files, directories);
        }
        for (final DirectoryNode dir : directories)
        {
            for (final PendingName change : dir.pending())
            {
                names.put(change, keeps(change));
            }
        }
        for (final FileNode file : files)
        {
            if (file.hasPending())
            {
                contents.put(file, contents(file));
            }
        }
    }

    /** Adds the tree under {@code dir} (as named relative to the root by {@code path}) as it survives. */
    void collect(final DirectoryNode dir, final String path, final CrashState out)
    {
        final Map<String, Node> surviving = dir.durable();
        for (final PendingName change : dir.pending())
        {
            if (names.get(change))
            {
                change.applyTo(surviving);
            }
        }
        for (final Map.Entry<String, Node> e : surviving.entrySet())
        {
            final String child = path.isEmpty() ? e.getKey() : path + java.io.File.separator + e.getKey();
            if (e.getValue() instanceof DirectoryNode)
            {
                out.addDirectory(child);
                collect((DirectoryNode)e.getValue(), child, out);
            }
            else
            {
                final FileNode file = (FileNode)e.getValue();
                final byte[] bytes = contents.get(file);
                out.addFile(child, bytes == null ? file.durable().toArray() : bytes);
            }
        }
    }

    private boolean keeps(final PendingName change)
    {
        switch (mode)
        {
            case EVERYTHING:
                return true;
            case NOTHING:
                return false;
            case PREFIX:
                return prefix.get(change) > 0;
            default:
                return random.nextDouble() < keep;
        }
    }

    private byte[] contents(final FileNode file)
    {
        switch (mode)
        {
            case EVERYTHING:
                return file.live().toArray();
            case NOTHING:
                return file.durable().toArray();
            case PREFIX:
                final Bytes b = file.durable();
                for (final PendingWrite w : file.pending())
                {
                    w.applyTo(b, prefix.get(w), mode.blockSize());
                }
                return b.toArray();
            case ZEROED_TAIL:
                final Bytes zeroed = file.durable();
                zeroed.setLength(file.live().length());
                return zeroed.toArray();
            default:
                return someBlocks(file, mode.blockSize());
        }
    }

    /**
     * Each block touched by a pending change keeps its live bytes or its durable ones; the file's length is its live
     * one, or (drawn) its durable one grown to cover the surviving blocks.
     */
    private byte[] someBlocks(final FileNode file, final int blockSize)
    {
        final Bytes durable = file.durable();
        final Bytes live = file.live();
        final int durableLength = durable.length();
        final TreeSet<Long> touched = new TreeSet<>();
        for (final PendingWrite w : file.pending())
        {
            if (w.isExtension())
            {
                continue; // writes no block: its hole reads as zeros whichever length survives
            }
            final long from = w.isTruncate() ? w.size : w.position;
            final long to = w.isTruncate() ? Math.max(w.size, durableLength) : w.end();
            for (long block = from / blockSize; block * blockSize < to; block++)
            {
                touched.add(block);
            }
        }
        final List<Long> kept = new ArrayList<>();
        for (final long block : touched)
        {
            if (random.nextDouble() < keep)
            {
                kept.add(block);
            }
        }
        int length = durableLength;
        if (random.nextBoolean())
        {
            length = live.length();
        }
        else if (live.length() > durableLength && !kept.isEmpty())
        {
            final long end = (kept.get(kept.size() - 1) + 1) * blockSize;
            length = (int)Math.max(durableLength, Math.min(live.length(), end));
        }
        durable.setLength(length);
        final byte[] liveBytes = live.toArray();
        final int limit = Math.min(length, liveBytes.length);
        for (final long block : kept)
        {
            final int from = (int)(block * blockSize);
            final int to = (int)Math.min(limit, (block + 1) * blockSize);
            if (from < to)
            {
                durable.write(from, liveBytes, from, to);
            }
        }
        return durable.toArray();
    }

    /** Orders everything pending by journal entry and keeps a random prefix of its units. */
    private void cutPrefix(final List<FileNode> files, final List<DirectoryNode> directories)
    {
        final List<Unit> units = new ArrayList<>();
        for (final FileNode file : files)
        {
            for (final PendingWrite w : file.pending())
            {
                units.add(new Unit(w.journalIndex, w, w.blocks(CrashMode.PREFIX.blockSize())));
            }
        }
        for (final DirectoryNode dir : directories)
        {
            for (final PendingName change : dir.pending())
            {
                units.add(new Unit(change.journalIndex, change, 1));
            }
        }
        units.sort(Comparator.comparingInt(u -> u.journalIndex));
        int total = 0;
        for (final Unit u : units)
        {
            total += u.count;
        }
        final int cut = random.nextInt(total + 1);
        int start = 0;
        for (final Unit u : units)
        {
            prefix.put(u.change, Math.max(0, Math.min(u.count, cut - start)));
            start += u.count;
        }
    }

    /** A pending change in the order of the journal, and how many units (blocks) it has. */
    private static final class Unit
    {
        final int journalIndex;
        final Object change;
        final int count;

        Unit(final int journalIndex, final Object change, final int count)
        {
            this.journalIndex = journalIndex;
            this.change = change;
            this.count = count;
        }
    }
}
