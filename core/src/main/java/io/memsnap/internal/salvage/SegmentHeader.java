package io.memsnap.internal.salvage;

import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.SegmentDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.memsnap.internal.format.SegmentDescriptor.*;

/**
 * What salvage makes of a segment file's header ({@link SegmentDescriptor}). Unlike the open path, which refuses a
 * damaged header, it judges and goes on: a header whose checksum and magic hold gives the segment's first sequence
 * number, format version and length; any other leaves the records to be read on their own, as the current version.
 * A header that validates with a major version this build does not read is refused.
 *
 * <p>Thread safe: immutable.
 */
final class SegmentHeader
{
    /** Whether the checksum and the magic hold: the fields below are the writer's. */
    final boolean valid;
    /** The sequence number of the segment's first record, or -1 if the header does not validate. */
    final long firstSequence;
    /** The major version to read the records as. */
    final int major;
    /** The file length the header names, or the file's size if it does not validate. */
    final long declaredLength;
    /** What is wrong with the header (or its file), null if nothing. */
    final String problem;
    /** The timeline, its parent and branch sequence the header names; all 0 if it does not validate. */
    final long timeline;
    final long parentTimeline;
    final long branchSequence;

    private SegmentHeader(final boolean valid, final long firstSequence, final int major, final long declaredLength,
        final String problem, final long timeline, final long parentTimeline, final long branchSequence)
    {
        this.valid = valid;
        this.firstSequence = firstSequence;
        this.major = major;
        this.declaredLength = declaredLength;
        this.problem = problem;
        this.timeline = timeline;
        this.parentTimeline = parentTimeline;
        this.branchSequence = branchSequence;
    }

    /**
     * Reads the header of {@code file} with a plain read.
     *
     * @throws io.memsnap.IncompatibleFormatException if it validates and names a major version this build does not
     *                                                read.
     */
    static SegmentHeader read(final Path file, final int id, final long size) throws IOException
    {
        if (size < HEADER_LENGTH)
        {
            return damaged(size, "the file is " + size + " bytes, shorter than a segment header");
        }
        final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            while (header.hasRemaining() && channel.read(header, header.position()) > 0)
            {
                // read the whole header
            }
        }
        final int stored = header.getInt(CRC_OFFSET);
        final int actual = new Checksum().compute(header.array(), 0, CRC_OFFSET);
        if (stored != actual)
        {
            return damaged(size, "segment header checksum mismatch (expected crc32c=0x" +
                Long.toHexString(Checksum.unsigned(stored)) + ", actual 0x" +
                Long.toHexString(Checksum.unsigned(actual)) + ")");
        }
        if (header.getLong(MAGIC_OFFSET) != MAGIC)
        {
            return damaged(size, "not a memsnap segment header (bad magic)");
        }
        final int major = header.getShort(MAJOR_OFFSET) & 0xFFFF;
        FormatVersion.check(file, major, header.getShort(MINOR_OFFSET) & 0xFFFF);
        final int namedId = header.getInt(SEGMENT_ID_OFFSET);
        final long declared = header.getInt(FILE_LENGTH_OFFSET) & 0xFFFF_FFFFL;
        String problem = null;
        if (declared != size)
        {
            problem = "the file is " + size + " bytes but its header says " + declared;
        }
        else if (namedId != id)
        {
            problem = "the header names segment " + namedId + " but the file is named for segment " + id;
        }
        return new SegmentHeader(true, header.getLong(FIRST_SEQUENCE_OFFSET), major, declared, problem,
            header.getLong(TIMELINE_OFFSET), header.getLong(PARENT_TIMELINE_OFFSET),
            header.getLong(BRANCH_SEQUENCE_OFFSET));
    }

    private static SegmentHeader damaged(final long size, final String problem)
    {
        return new SegmentHeader(false, -1, FormatVersion.CURRENT_MAJOR, size, problem, 0, 0, 0);
    }
}
