package io.memsnap.internal.format;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Numbered file names read as {@code String.format} wrote them: the names of every store on disk. */
class FileNamesTest
{
    @Test
    void numberedNamesAreThoseTheFormatterWrites()
    {
        for (final long number : new long[] {0, 1, 9, 10, 99, 12_345, 999_999_999L, 1_000_000_000L,
            9_999_999_999L, 12_345_678_901L, Integer.MAX_VALUE, Long.MAX_VALUE})
        {
            assertEquals(String.format("%s%010d%s", "segment-", number, ".seg"),
                FileNames.numbered("segment-", number, 10, ".seg"));
            assertEquals(String.format("%s%020d%s", "manifest-", number, ".msm"),
                FileNames.numbered("manifest-", number, 20, ".msm"));
        }
        assertEquals("segment-0000000007.seg", SegmentDescriptor.fileName(7));
        assertEquals("manifest-00000000000000000042.msm", ManifestDescriptor.fileName(42));
        assertEquals("index-0000000003.msi", IndexPageDescriptor.fileName(3));
        assertEquals(IndexPageDescriptor.FILE_NAME, IndexPageDescriptor.fileName(0));
        assertThrows(IllegalArgumentException.class, () -> FileNames.numbered("segment-", -1, 10, ".seg"));
    }
}
