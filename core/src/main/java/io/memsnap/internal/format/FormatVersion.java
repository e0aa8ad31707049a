package io.memsnap.internal.format;

import io.memsnap.IncompatibleFormatException;

import java.nio.file.Path;

/**
 * The format version written in the header of every file memsnap writes. A reader accepts any minor version of a
 * major version it knows (minor versions only add fields that older readers may ignore) and refuses other majors.
 * A store of an older major is read as it is; a writer upgrades it only on request, by ordered steps
 * ({@link io.memsnap.internal.migrate.MigrationPlanner}).
 *
 * <ul>
 *   <li>1.0: the first format.</li>
 *   <li>2.0: adds the PAD record ({@link RecordDescriptor#TYPE_PAD}), which a 1.x reader would take for damage, so
 *       the major version changes. Nothing else moved: a segment keeps its header's version, a 1.x segment is never
 *       padded (a writer appends to a 1.x tail segment without padding it), and new files are in the writer's
 *       version.</li>
 *   <li>3.0: the manifest names the oldest library version that reads it (at a place every later major keeps) and
 *       carries extensions (tagged, each flagged as one that readers, or writers, must know). Segments, index pages
 *       and the watermark did not change; new files are written as 3.0, so that a 2.x build refuses them.</li>
 *   <li>4.0: a snapshot is committed by rewriting a slot of a preallocated file in place
 *       ({@link ManifestSlotsDescriptor}) instead of by renaming a new manifest file; manifests carry the slot the
 *       next commit writes (extension {@link ManifestDescriptor#EXTENSION_NEXT_SLOT}). A 3.x build would ignore the
 *       slots and open a stale snapshot, so the major version changes. Segments, index pages and the watermark did
 *       not change; new files are written as 4.0.</li>
 * </ul>
 */
public final class FormatVersion
{
    public static final int MAJOR_1 = 1;
    public static final int MAJOR_2 = 2;
    public static final int MAJOR_3 = 3;
    public static final int MAJOR_4 = 4;
    public static final int MINOR_0 = 0;

    /** The oldest major version this build reads. */
    public static final int OLDEST_MAJOR = MAJOR_1;
    public static final int CURRENT_MAJOR = MAJOR_4;
    public static final int CURRENT_MINOR = MINOR_0;

    private FormatVersion()
    {
    }

    /**
     * @throws IncompatibleFormatException if {@code major} is not one this build reads.
     */
    public static void check(final Path file, final int major, final int minor)
    {
        if (major < OLDEST_MAJOR || major > CURRENT_MAJOR)
        {
            throw new IncompatibleFormatException(file, major, minor, CURRENT_MAJOR, CURRENT_MINOR);
        }
    }

    /** @return whether manifests of this major version hold the oldest reader's version and extensions. */
    public static boolean hasManifestExtensions(final int major)
    {
        return major >= MAJOR_3;
    }

    /** @return whether snapshots of this major version are committed into manifest slots. */
    public static boolean hasManifestSlots(final int major)
    {
        return major >= MAJOR_4;
    }

    /** @return whether segments of this major version may hold PAD records. */
    public static boolean hasPadRecords(final int major)
    {
        return major >= MAJOR_2;
    }
}
