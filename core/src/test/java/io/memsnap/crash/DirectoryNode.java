package io.memsnap.crash;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A directory of the model: the names that are durable, the creates, renames and deletes since its last sync, in
 * order, and the names as the process sees them (to resolve the paths of later operations). Conservative, as POSIX
 * promises: no change of a name is durable before a sync of its directory. Not thread safe.
 */
final class DirectoryNode extends Node
{
    private final Map<String, Node> durable = new TreeMap<>();
    private final Map<String, Node> live = new TreeMap<>();
    private final List<PendingName> pending = new ArrayList<>();

    DirectoryNode(final int id)
    {
        super(id);
    }

    /**
     * Takes the names of {@code other} (durable, live and pending), each node replaced by its copy in
     * {@code copies}, pending changes placed {@code shift} entries earlier.
     */
    void copyNames(final DirectoryNode other, final Map<Node, Node> copies, final int shift)
    {
        other.durable.forEach((name, node) -> durable.put(name, copies.get(node)));
        other.live.forEach((name, node) -> live.put(name, copies.get(node)));
        for (final PendingName change : other.pending)
        {
            pending.add(change.copy(copies.get(change.node), shift));
        }
    }

    /** A name that was there when recording started: durable. */
    void initial(final String name, final Node node)
    {
        durable.put(name, node);
        live.put(name, node);
    }

    Node lookup(final String name)
    {
        return live.get(name);
    }

    void link(final int journalIndex, final String name, final Node node)
    {
        live.put(name, node);
        pending.add(new PendingName(journalIndex, PendingName.Kind.LINK, name, null, node));
    }

    /** @return the node the name named. */
    Node unlink(final int journalIndex, final String name)
    {
        final Node node = require(name);
        live.remove(name);
        pending.add(new PendingName(journalIndex, PendingName.Kind.UNLINK, name, null, node));
        return node;
    }

    void rename(final int journalIndex, final String from, final String to)
    {
        final Node node = require(from);
        live.remove(from);
        live.put(to, node);
        pending.add(new PendingName(journalIndex, PendingName.Kind.RENAME, from, to, node));
    }

    /** Makes durable every change recorded before journal entry {@code coversBefore}. */
    void sync(final long coversBefore)
    {
        int covered = 0;
        while (covered < pending.size() && pending.get(covered).journalIndex < coversBefore)
        {
            pending.get(covered).applyTo(durable);
            covered++;
        }
        pending.subList(0, covered).clear();
    }

    boolean hasPending()
    {
        return !pending.isEmpty();
    }

    List<PendingName> pending()
    {
        return Collections.unmodifiableList(pending);
    }

    /** @return a copy of the durable names. */
    Map<String, Node> durable()
    {
        return new TreeMap<>(durable);
    }

    private Node require(final String name)
    {
        final Node node = live.get(name);
        if (node == null)
        {
            throw new IllegalStateException("the journal changes '" + name + "', which the model never saw created: " +
                "was it created outside the file-system seam?");
        }
        return node;
    }
}
