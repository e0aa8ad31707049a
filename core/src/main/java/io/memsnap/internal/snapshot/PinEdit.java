package io.memsnap.internal.snapshot;

/**
 * A change to the pinned snapshots that a commit makes: the new manifest records the pins it returns. A pin or an
 * unpin is durable once that manifest is committed (see {@link CommitCoordinator#snapshot(java.util.Map, PinEdit)}).
 * Implementations are pure functions.
 */
@FunctionalInterface
public interface PinEdit
{
    /** No change: the pins are carried forward as they are. */
    PinEdit NONE = (pins, committing) -> pins;

    /**
     * @param pins       the pins carried forward: those of the last committed manifest, less the expired ones and
     *                   those of snapshots no longer on disk.
     * @param committing the generation of the manifest being committed.
     * @return the pins the new manifest records.
     */
    PinSet apply(PinSet pins, long committing);

    /** @return the edit that pins {@code generation} (replacing a pin it has). */
    static PinEdit pin(final long generation, final String label, final long expiresAtMillis)
    {
        return (pins, committing) -> pins.with(new Pin(generation, label, expiresAtMillis));
    }

    /** @return the edit that unpins {@code generation}. */
    static PinEdit unpin(final long generation)
    {
        return (pins, committing) -> pins.without(generation);
    }

    /** @return this edit, then {@code next} on what it gives. */
    default PinEdit then(final PinEdit next)
    {
        return (pins, committing) -> next.apply(apply(pins, committing), committing);
    }

    /** @return the edit that pins the snapshot being committed itself (a rewind's safety snapshot, say). */
    static PinEdit pinCommitted(final String label, final long expiresAtMillis)
    {
        return (pins, committing) -> pins.with(new Pin(committing, label, expiresAtMillis));
    }
}
