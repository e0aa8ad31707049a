package io.memsnap;

/**
 * One crash state to reproduce alone: the journal entry after which the power was cut and the state's number
 * there, and for a state of a recovery, the same within that recovery's journal. Written
 * {@code entry:state} or {@code entry:state/entry:state}. Immutable.
 */
final class CrashTarget
{
    final int entry;
    final int state;
    /** The state within the recovery of this one, or null. */
    final CrashTarget recovery;

    private CrashTarget(final int entry, final int state, final CrashTarget recovery)
    {
        this.entry = entry;
        this.state = state;
        this.recovery = recovery;
    }

    static CrashTarget parse(final String text)
    {
        final int slash = text.indexOf('/');
        final String here = slash < 0 ? text : text.substring(0, slash);
        final String[] parts = here.split(":");
        if (parts.length != 2)
        {
            throw new IllegalArgumentException("a crash target is entry:state or entry:state/entry:state, was " + text);
        }
        return new CrashTarget(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
            slash < 0 ? null : parse(text.substring(slash + 1)));
    }

    static String of(final String parent, final int entry, final int state)
    {
        return (parent.isEmpty() ? "" : parent + "/") + entry + ":" + state;
    }
}
