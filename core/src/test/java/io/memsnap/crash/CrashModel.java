package io.memsnap.crash;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Replays a {@link Journal} one entry at a time and knows, after each, what a power cut at that moment could leave:
 * per file, the durable bytes and the changes since its last flush; per directory, the durable names and the
 * changes since its last sync. One pass over the journal explores every point: {@link #advance()} applies the next
 * entry, {@link #crashState} builds a state that a power cut there could leave.
 *
 * <p>Also tracks the test's markers: the last write issued and acknowledged, the last snapshot acknowledged, and the
 * snapshots pinned and not released.
 *
 * <p>Not thread safe.
 */
public final class CrashModel
{
    private final Journal journal;
    private final List<JournalEntry> entries;
    private final DirectoryNode root = new DirectoryNode(0);
    private final Map<Long, FileNode> handles = new HashMap<>();
    private final List<FileNode> files = new ArrayList<>();
    private final List<DirectoryNode> directories = new ArrayList<>();
    private int nodes = 1;
    private int next;
    private long issued;
    private long acknowledged;
    private long acknowledgedSnapshot;
    /** Pinned snapshots not released: generation, the sequence it holds. */
    private final Map<Long, Long> pinned = new TreeMap<>();
    /** Snapshots whose pins were released (pinned before this journal, perhaps). */
    private final Set<Long> released = new HashSet<>();
    /** The timeline promised; before a rewind of this journal, unknown (-1: the journal's first). */
    private long timeline = -1;
    /** While a rewind runs: the sequence of the snapshot it rewinds to; -1 otherwise. */
    private long rewindingTo = -1;
    private String label = "";

    public CrashModel(final Journal journal)
    {
        this(journal, journal.entries());
        directories.add(root);
        for (final String dir : journal.initialDirectories())
        {
            final String[] parts = split(dir);
            final DirectoryNode node = new DirectoryNode(nodes++);
            directories.add(node);
            parentOf(parts).initial(parts[parts.length - 1], node);
        }
        for (final Map.Entry<String, byte[]> file : journal.initialFiles().entrySet())
        {
            final String[] parts = split(file.getKey());
            final FileNode node = new FileNode(nodes++, file.getValue());
            files.add(node);
            parentOf(parts).initial(parts[parts.length - 1], node);
        }
    }

    private CrashModel(final Journal journal, final List<JournalEntry> entries)
    {
        this.journal = journal;
        this.entries = entries;
    }

    /**
     * @return a model of {@code journal} that starts where this one is now instead of from the files under the
     * journal's root: durable what is durable here, pending what is pending here. For a run recorded on a copy of
     * this model's {@link CrashMode#EVERYTHING} state (what a SIGKILL leaves, unflushed writes included): a power cut
     * during that run can still lose what the killed process never flushed.
     */
    public CrashModel fork(final Journal journal)
    {
        return copyInto(journal);
    }

    /** @return a copy of this model's files and names as they are now, to {@link #fork} from later. */
    public CrashModel frozen()
    {
        return copyInto(journal);
    }

    private CrashModel copyInto(final Journal journal)
    {
        final CrashModel fork = new CrashModel(journal, journal.entries());
        final int shift = entries.size();
        final Map<Node, Node> copies = new IdentityHashMap<>();
        copies.put(root, fork.root);
        fork.directories.add(fork.root);
        for (final DirectoryNode dir : directories.subList(1, directories.size()))
        {
            final DirectoryNode copy = new DirectoryNode(dir.id);
            copies.put(dir, copy);
            fork.directories.add(copy);
        }
        for (final FileNode file : files)
        {
            final FileNode copy = file.copy(file.id, shift);
            copies.put(file, copy);
            fork.files.add(copy);
        }
        for (int i = 0; i < directories.size(); i++)
        {
            fork.directories.get(i).copyNames(directories.get(i), copies, shift);
        }
        fork.nodes = nodes;
        return fork;
    }

    /** @return how many journal entries were applied. */
    public int position()
    {
        return next;
    }

    public int size()
    {
        return entries.size();
    }

    public boolean hasNext()
    {
        return next < entries.size();
    }

    public JournalEntry peek()
    {
        return entries.get(next);
    }

    /** @return the highest sequence number issued so far. */
    public long issued()
    {
        return issued;
    }

    /** @return the highest sequence number acknowledged durable so far. */
    public long acknowledged()
    {
        return acknowledged;
    }

    /** @return the highest sequence number a committed snapshot was acknowledged to hold so far. */
    public long acknowledgedSnapshot()
    {
        return acknowledgedSnapshot;
    }

    /** @return the snapshots pinned and not released so far: generation, the sequence it holds. */
    public Map<Long, Long> pinned()
    {
        return Collections.unmodifiableMap(pinned);
    }

    /** @return the snapshots whose pins were released so far. */
    public Set<Long> released()
    {
        return Collections.unmodifiableSet(released);
    }

    /**
     * @return the timeline a rewind of this journal promised, or -1 if none returned: the promises above hold on
     * that timeline alone (a rewind sets them to what the new timeline holds).
     */
    public long timeline()
    {
        return timeline;
    }

    /**
     * @return while a rewind runs, the last sequence of the snapshot it rewinds to (the store may come back holding
     * exactly those writes on a new timeline, or on the timeline it rewinds); -1 otherwise.
     */
    public long rewindingTo()
    {
        return rewindingTo;
    }

    /** @return the last label marker seen. */
    public String label()
    {
        return label;
    }

    /** @return how many files have writes not flushed. */
    public int filesPending()
    {
        return (int)files.stream().filter(FileNode::hasPending).count();
    }

    /** @return whether anything is not durable: a write not flushed, or a change of a name not synced. */
    public boolean hasPending()
    {
        return files.stream().anyMatch(FileNode::hasPending) ||
            directories.stream().anyMatch(DirectoryNode::hasPending);
    }

    /** Applies the next entry and returns it. */
    public JournalEntry advance()
    {
        final int index = next++;
        final JournalEntry e = entries.get(index);
        switch (e.kind)
        {
            case CREATE:
            case OPEN:
            case OPEN_OR_CREATE:
                handles.put(e.handle, open(index, e));
                break;
            case WRITE:
                handle(e).write(index, e.position, e.bytes);
                break;
            case FORCE:
                handle(e).force(e.value);
                break;
            case TRUNCATE:
                handle(e).truncate(index, e.value);
                break;
            case EXTEND:
                handle(e).extend(index, e.value);
                break;
            case RENAME:
                rename(index, e.path, e.target);
                break;
            case DELETE:
                directory(e.path.getParent()).unlink(index, e.path.getFileName().toString());
                break;
            case SYNC_DIRECTORY:
                directory(e.path).sync(e.value);
                break;
            case CREATE_DIRECTORIES:
                createDirectories(index, e.path);
                break;
            case ISSUE:
                issued = Math.max(issued, e.value);
                break;
            case ACKNOWLEDGE:
                acknowledged = Math.max(acknowledged, e.value);
                break;
            case ACKNOWLEDGE_SNAPSHOT:
                acknowledgedSnapshot = Math.max(acknowledgedSnapshot, e.value);
                break;
            case ACKNOWLEDGE_PIN:
                pinned.put(e.value, e.position);
                released.remove(e.value);
                break;
            case RELEASE_PIN:
                pinned.remove(e.value);
                released.add(e.value);
                break;
            case REWINDING:
                rewindingTo = e.value;
                timeline = e.position;
                break;
            case REWOUND:
                rewindingTo = -1;
                timeline = e.position;
                issued = e.value;
                acknowledged = e.value;
                acknowledgedSnapshot = e.value;
                break;
            default:
                label = e.text;
                break;
        }
        return e;
    }

    /**
     * @return a state a power cut now could leave, as {@code mode} chooses what survives of what is not durable,
     * drawing from {@code random}.
     */
    public CrashState crashState(final CrashMode mode, final Random random)
    {
        final Survival survival = new Survival(mode, random, Collections.unmodifiableList(files),
            Collections.unmodifiableList(directories));
        final CrashState state = new CrashState(journal.root());
        survival.collect(root, "", state);
        return state;
    }

    private FileNode open(final int index, final JournalEntry e)
    {
        final DirectoryNode dir = directory(e.path.getParent());
        final String name = e.path.getFileName().toString();
        final Node existing = dir.lookup(name);
        if (existing instanceof FileNode && e.kind != JournalEntry.Kind.CREATE)
        {
            return (FileNode)existing;
        }
        if (existing != null || e.kind == JournalEntry.Kind.OPEN)
        {
            throw new IllegalStateException("entry " + index + " (" + e + ") does not match the model's names " +
                "(a file created, renamed or deleted outside the file-system seam?)");
        }
        final FileNode node = new FileNode(nodes++, new byte[0]);
        files.add(node);
        dir.link(index, name, node);
        return node;
    }

    private void rename(final int index, final Path from, final Path to)
    {
        final DirectoryNode source = directory(from.getParent());
        final DirectoryNode target = directory(to.getParent());
        if (source == target)
        {
            source.rename(index, from.getFileName().toString(), to.getFileName().toString());
        }
        else
        {
            target.link(index, to.getFileName().toString(), source.unlink(index, from.getFileName().toString()));
        }
    }

    private void createDirectories(final int index, final Path dir)
    {
        DirectoryNode current = root;
        for (final String part : split(relative(dir)))
        {
            final Node child = current.lookup(part);
            if (child == null)
            {
                final DirectoryNode created = new DirectoryNode(nodes++);
                directories.add(created);
                current.link(index, part, created);
                current = created;
            }
            else
            {
                current = (DirectoryNode)child;
            }
        }
    }

    private FileNode handle(final JournalEntry e)
    {
        final FileNode node = handles.get(e.handle);
        if (node == null)
        {
            throw new IllegalStateException("journal entry " + e + " names handle " + e.handle + ", never opened");
        }
        return node;
    }

    private DirectoryNode directory(final Path dir)
    {
        DirectoryNode current = root;
        for (final String part : split(relative(dir)))
        {
            final Node child = current.lookup(part);
            if (!(child instanceof DirectoryNode))
            {
                throw new IllegalStateException("the journal names directory " + dir + ", which the model does not " +
                    "know (created outside the file-system seam?)");
            }
            current = (DirectoryNode)child;
        }
        return current;
    }

    private String relative(final Path path)
    {
        final Path r = journal.root().relativize(path);
        if (r.startsWith(".."))
        {
            throw new IllegalArgumentException(path + " lies outside the recorded root " + journal.root());
        }
        return r.toString();
    }

    private DirectoryNode parentOf(final String[] parts)
    {
        DirectoryNode current = root;
        for (int i = 0; i < parts.length - 1; i++)
        {
            current = (DirectoryNode)current.lookup(parts[i]);
        }
        return current;
    }

    private static String[] split(final String relative)
    {
        return relative.isEmpty() ? new String[0] : relative.split(java.util.regex.Pattern.quote(
            java.io.File.separator));
    }
}
