package io.memsnap;

import java.util.Optional;

/**
 * Why a snapshot the store took on its own was taken, as recorded in its label {@value #LABEL}. Snapshots taken by
 * {@link MemoryStore#snapshot} carry only the labels given to it. Thread safe: immutable.
 */
public enum SnapshotTrigger
{
    /** {@link StoreOptions#autoSnapshotEveryChanges()} changes were made since the last snapshot. */
    CHANGES("changes"),
    /** {@link StoreOptions#autoSnapshotInterval()} passed since the last snapshot, and something changed. */
    INTERVAL("interval"),
    /** {@link MemoryStore#close()} with {@link StoreOptions#snapshotOnClose()}. */
    CLOSE("close"),
    /** The close run by the JVM shutdown hook ({@link StoreOptions#shutdownHook()}). */
    SHUTDOWN("shutdown");

    /** The key of the label that names the trigger of a snapshot the store took on its own. */
    public static final String LABEL = "memsnap.trigger";

    private final String label;

    SnapshotTrigger(final String label)
    {
        this.label = label;
    }

    /** {@return the value of {@link #LABEL} for this trigger.} */
    public String label()
    {
        return label;
    }

    /**
     * Finds what took a snapshot, by its label.
     *
     * @param snapshot a snapshot, from {@link MemoryStore#snapshots()} or a snapshot call.
     * @return the trigger named by the snapshot's {@link #LABEL} label, or empty if it has none (or an unknown one).
     */
    public static Optional<SnapshotTrigger> of(final SnapshotInfo snapshot)
    {
        final String value = snapshot.labels().get(LABEL);
        for (final SnapshotTrigger trigger : values())
        {
            if (trigger.label.equals(value))
            {
                return Optional.of(trigger);
            }
        }
        return Optional.empty();
    }
}
