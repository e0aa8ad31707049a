package io.memsnap;

import io.memsnap.internal.StoreDirectory;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.segment.Segment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * File-level tools of the damage tests: copying a closed store, damaging one file (a flipped byte, a truncation)
 * and fingerprinting a directory (name, size and CRC32C of every file) to prove that nothing changed. The lock
 * file is never opened.
 */
final class StoreFiles
{
    /** Contents of files copied before: the pristine store a damage test copies hundreds of times. */
    private static final Map<Path, byte[]> CACHE = new ConcurrentHashMap<>();
    private static final ThreadLocal<ByteBuffer> FINGERPRINT_BUFFER =
        ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(1 << 20));

    private StoreFiles()
    {
    }

    /**
     * @return whether {@code file} is a segment file the log started: not the file a writer makes ahead for its next
     * roll ({@link Segment#neverStarted}), which holds nothing until the roll.
     */
    static boolean isStartedSegment(final Path file)
    {
        try
        {
            return SegmentDescriptor.parseFileName(file.getFileName().toString()) > 0 && Files.exists(file) &&
                !Segment.neverStarted(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Copies every file of {@code from} into a new directory {@code to}, leaving holes where a 4 KiB block is all
     * zeros: the copy reads the same, but the preallocated index chunk and the unused ends of segments cost no disk
     * writes (an fsync in the engine would otherwise flush megabytes of copied zeros). The contents of
     * {@code from} are cached: it must not change afterwards.
     */
    static void copyStore(final Path from, final Path to)
    {
        try
        {
            Files.createDirectories(to);
            for (final Path p : list(from))
            {
                copySparse(p, to.resolve(p.getFileName()));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void copySparse(final Path from, final Path to) throws IOException
    {
        final byte[] bytes = CACHE.computeIfAbsent(from, StoreFiles::read);
        try (FileChannel ch = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            final int block = 4096;
            for (int start = 0; start < bytes.length; start += block)
            {
                final int end = Math.min(bytes.length, start + block);
                if (!allZero(bytes, start, end) || end == bytes.length)
                {
                    final ByteBuffer b = ByteBuffer.wrap(bytes, start, end - start);
                    long position = start;
                    while (b.hasRemaining())
                    {
                        position += ch.write(b, position);
                    }
                }
            }
        }
    }

    private static boolean allZero(final byte[] bytes, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            if (bytes[i] != 0)
            {
                return false;
            }
        }
        return true;
    }

    /** @return the files of a directory, sorted by name. */
    static List<Path> list(final Path dir)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.sorted(Comparator.comparing(p -> p.getFileName().toString())).collect(Collectors.toList());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return name to "size:crc32c" of every file (and "directory" for each subdirectory), sorted: equal
     * fingerprints mean equal directories.
     */
    static Map<String, String> fingerprint(final Path dir)
    {
        final Map<String, String> result = new TreeMap<>();
        final ByteBuffer chunk = FINGERPRINT_BUFFER.get();
        for (final Path p : list(dir))
        {
            if (Files.isDirectory(p))
            {
                result.put(p.getFileName() + "/", "directory");
                continue;
            }
            if (p.getFileName().toString().equals(StoreDirectory.LOCK_FILE))
            {
                // Never opened: closing a channel on it would drop the lock a store in this JVM holds (POSIX).
                result.put(StoreDirectory.LOCK_FILE, String.valueOf(size(p)));
                continue;
            }
            final CRC32C crc = new CRC32C();
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ))
            {
                long position = 0;
                int n;
                while ((n = ch.read(chunk.clear(), position)) > 0)
                {
                    position += n;
                    crc.update(chunk.flip());
                }
                result.put(p.getFileName().toString(), ch.size() + ":" + Long.toHexString(crc.getValue()));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        return result;
    }

    /** XORs the byte at {@code offset} with {@code mask} (non-zero), in place. */
    static void flip(final Path file, final long offset, final int mask)
    {
        if ((mask & 0xFF) == 0)
        {
            throw new IllegalArgumentException("mask must change the byte");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer b = ByteBuffer.allocate(1);
            if (ch.read(b, offset) != 1)
            {
                throw new IllegalArgumentException(file + " has no byte at " + offset);
            }
            b.put(0, (byte)(b.get(0) ^ mask));
            b.clear();
            ch.write(b, offset);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Writes {@code length} zero bytes into {@code file} at {@code offset}: what a page lost in a power cut reads as. */
    static void zero(final Path file, final long offset, final int length)
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final java.nio.ByteBuffer zeros = java.nio.ByteBuffer.allocate(length);
            while (zeros.hasRemaining())
            {
                ch.write(zeros, offset + zeros.position());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Cuts {@code file} to {@code length} bytes. */
    static void truncate(final Path file, final long length)
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            ch.truncate(length);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static byte[] read(final Path file)
    {
        try
        {
            return Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** @return the first {@code length} bytes of {@code file}, or all of it if it is shorter. */
    static byte[] readPrefix(final Path file, final int length)
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer b = ByteBuffer.allocate((int)Math.min(length, ch.size()));
            while (b.hasRemaining() && ch.read(b, b.position()) > 0)
            {
                // read the whole prefix
            }
            return b.array();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void write(final Path file, final byte[] bytes)
    {
        try
        {
            Files.write(file, bytes);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Writes {@code bytes} into {@code file} at {@code offset}, in place. */
    static void writeAt(final Path file, final long offset, final byte[] bytes)
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining())
            {
                ch.write(b, offset + b.position());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static long size(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Deletes a directory and everything in it (flat store directories only hold files). */
    static void deleteTree(final Path dir)
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir))
        {
            for (final Path p : (Iterable<Path>)walk.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.delete(p);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
