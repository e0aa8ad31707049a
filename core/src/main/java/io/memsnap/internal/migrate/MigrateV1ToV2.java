package io.memsnap.internal.migrate;

import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.snapshot.Manifest;

/**
 * 1.x to 2.0: changes nothing on disk.
 *
 * <p>Format 2.0 added the PAD record, which a 1.x reader would take for a torn record. Every byte a 1.x store holds
 * means the same in 2.0: the segment, index and manifest layouts did not move. What must never happen is a PAD in a
 * segment a 1.x reader may still read, and none ever is written into one: the segments keep the version of their
 * header (1.x), the writer pads only a segment whose header says 2.0 or later
 * ({@link FormatVersion#hasPadRecords}), and every segment created from now on is written in this build's version.
 * So the store needs no rewrite; what keeps a 1.x build from writing to it afterwards is the manifest of the next
 * step, which it refuses. Crash safe: there is nothing to interrupt.
 *
 * <p>Thread safe: stateless.
 */
final class MigrateV1ToV2 implements MigrationStep
{
    @Override
    public int fromMajor()
    {
        return FormatVersion.MAJOR_1;
    }

    @Override
    public int toMajor()
    {
        return FormatVersion.MAJOR_2;
    }

    @Override
    public String description()
    {
        return "PAD records: nothing rewritten; 1.x segments are never padded, new segments are written in the " +
            "current version";
    }

    @Override
    public boolean commitsManifest()
    {
        return false;
    }

    @Override
    public Manifest apply(final MigrationContext store, final Manifest newest)
    {
        return newest;
    }
}
