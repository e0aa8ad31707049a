package io.memsnap;

/**
 * What {@link MemoryStore#rewind} did: the snapshot rewound to, the pinned safety snapshot of the state before the
 * rewind, and the snapshot that starts the new timeline. Thread safe: immutable.
 */
public final class RewindResult
{
    /**
     * Label of a rewind's safety snapshot (and, with {@code =GEN}, of its pin); its value is the generation rewound
     * to.
     */
    public static final String SAFETY_LABEL = "memsnap.rewind-safety";
    /** Label of the snapshot a rewind commits; its value is the generation rewound to. */
    public static final String REWIND_LABEL = "memsnap.rewind";
    /**
     * Label (with {@code =GEN}) of the pin that keeps the snapshot rewound to from the safety snapshot's commit to the
     * rewind's, so that a crash in between leaves it to rewind to again (unless it was pinned already). The rewind's
     * commit removes it; after a crash it stays until unpinned or {@link StoreOptions#rewindSafetyExpiry()}.
     */
    public static final String TARGET_LABEL = "memsnap.rewind-target";

    private final long target;
    private final SnapshotInfo safety;
    private final SnapshotInfo snapshot;

    /**
     * Made by {@link MemoryStore#rewind}.
     *
     * @param target see {@link #target()}.
     * @param safety see {@link #safety()}.
     * @param snapshot see {@link #snapshot()}.
     */
    public RewindResult(final long target, final SnapshotInfo safety, final SnapshotInfo snapshot)
    {
        this.target = target;
        this.safety = safety;
        this.snapshot = snapshot;
    }

    /** {@return the generation rewound to.} */
    public long target()
    {
        return target;
    }

    /**
     * {@return the snapshot of the state before the rewind, labelled {@value #SAFETY_LABEL} and pinned for
     * {@link StoreOptions#rewindSafetyExpiry()}: rewinding to it undoes the rewind.}
     */
    public SnapshotInfo safety()
    {
        return safety;
    }

    /**
     * {@return the rewind's own snapshot: the target's entries and named state, the first snapshot of the new
     * timeline (labelled {@value #REWIND_LABEL}, with the target's labels).}
     */
    public SnapshotInfo snapshot()
    {
        return snapshot;
    }

    /** {@return the new timeline the store writes on.} */
    public long timeline()
    {
        return snapshot.timeline();
    }

    @Override
    public String toString()
    {
        return "RewindResult{target=" + target + ", safety=" + safety.generation() + ", snapshot=" +
            snapshot.generation() + ", timeline=" + timeline() + '}';
    }
}
