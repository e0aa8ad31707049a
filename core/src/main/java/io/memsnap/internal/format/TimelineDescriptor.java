package io.memsnap.internal.format;

import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of the body of manifest extension {@link ManifestDescriptor#EXTENSION_TIMELINE} (flags
 * {@link ManifestDescriptor#EXTENSION_WRITERS_MUST_KNOW}): the timeline a snapshot belongs to. A rewind commits a
 * snapshot that starts a new timeline, holding an older snapshot's state; every later manifest of that timeline
 * carries the same body. Manifests of the first timeline (0) carry none.
 *
 * <pre>
 *   0  timeline              int64    at least 1; each rewind's is one more than any timeline the store has seen
 *   8  parent timeline       int64    the timeline of the snapshot rewound to, below this one
 *  16  branched from         int64    the generation of the snapshot rewound to, older than this manifest
 *  24  branch sequence       int64    that snapshot's last sequence: the timeline's first record is the next one
 * </pre>
 *
 * A reader that ignores it reads the snapshot right: the manifest's checkpoint and replay range name the timeline's
 * own index version and segments. A writer that ignored it would carry on without the timeline: its manifests would
 * drop the extension and its new segments would name timeline 0, so that a replay (which follows a segment into the
 * next only on the same timeline) would stop at them. Hence writers must know it. A later minor version may append
 * fields; readers ignore them.
 */
public final class TimelineDescriptor
{
    public static final int TIMELINE_OFFSET = 0;
    public static final int PARENT_OFFSET = TIMELINE_OFFSET + SIZE_OF_LONG;
    public static final int BRANCHED_FROM_OFFSET = PARENT_OFFSET + SIZE_OF_LONG;
    public static final int BRANCH_SEQUENCE_OFFSET = BRANCHED_FROM_OFFSET + SIZE_OF_LONG;
    public static final int LENGTH = BRANCH_SEQUENCE_OFFSET + SIZE_OF_LONG;

    private TimelineDescriptor()
    {
    }
}
