package io.memsnap.crash;

import java.util.Map;

/** A change to a directory's names since its last sync: a power cut keeps it or not. Immutable. */
final class PendingName
{
    enum Kind
    {
        /** {@code name} now names {@code node} (a create, or the arriving half of a rename across directories). */
        LINK,
        /** {@code name} no longer names {@code node} (a delete, or the leaving half of a rename). */
        UNLINK,
        /** {@code name} moved to {@code target}, replacing what that named. */
        RENAME
    }

    final int journalIndex;
    final Kind kind;
    final String name;
    final String target;
    final Node node;

    PendingName(final int journalIndex, final Kind kind, final String name, final String target, final Node node)
    {
        this.journalIndex = journalIndex;
        this.kind = kind;
        this.name = name;
        this.target = target;
        this.node = node;
    }

    /** @return the same change of {@code copy} (a copy of the node), recorded {@code shift} entries earlier. */
    PendingName copy(final Node copy, final int shift)
    {
        return new PendingName(journalIndex - shift, kind, name, target, copy);
    }

    /**
     * Applies the change to {@code names}; an unlink or a rename whose name no longer names the node (an earlier
     * change was lost) is skipped.
     */
    void applyTo(final Map<String, Node> names)
    {
        switch (kind)
        {
            case LINK:
                names.put(name, node);
                break;
            case UNLINK:
                names.remove(name, node);
                break;
            default:
                if (names.remove(name, node))
                {
                    names.put(target, node);
                }
                break;
        }
    }

    @Override
    public String toString()
    {
        return kind.name().toLowerCase() + " " + name + (target == null ? "" : " -> " + target);
    }
}
