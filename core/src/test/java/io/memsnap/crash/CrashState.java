package io.memsnap.crash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * The directories and files that one crash state holds, relative to the recorded root, with their bytes: built by
 * {@link CrashModel#crashState}, written out by {@link #writeTo}. Not thread safe.
 */
public final class CrashState
{
    private final Path recordedRoot;
    private final Set<String> directories = new TreeSet<>();
    private final Map<String, byte[]> files = new TreeMap<>();

    CrashState(final Path recordedRoot)
    {
        this.recordedRoot = recordedRoot;
    }

    void addDirectory(final String path)
    {
        directories.add(path);
    }

    void addFile(final String path, final byte[] bytes)
    {
        files.put(path, bytes);
    }

    public Set<String> directories()
    {
        return directories;
    }

    public Map<String, byte[]> files()
    {
        return files;
    }

    /**
     * @return a 64-bit digest of the names and bytes (CRC32 and CRC32C side by side): equal states have equal
     * digests, and unequal ones practically never do.
     */
    public long digest()
    {
        final CRC32 a = new CRC32();
        final CRC32C b = new CRC32C();
        for (final String dir : directories)
        {
            final byte[] name = ("d:" + dir + '\0').getBytes(java.nio.charset.StandardCharsets.UTF_8);
            a.update(name);
            b.update(name);
        }
        for (final Map.Entry<String, byte[]> e : files.entrySet())
        {
            final byte[] name = ("f:" + e.getKey() + ':' + e.getValue().length + '\0')
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            a.update(name);
            b.update(name);
            a.update(e.getValue());
            b.update(e.getValue());
        }
        return a.getValue() << 32 | b.getValue();
    }

    /** Creates the state's directories and files under {@code root}, which must be empty or not exist. */
    public void writeTo(final Path root)
    {
        try
        {
            Files.createDirectories(root);
            for (final String dir : directories)
            {
                Files.createDirectories(root.resolve(dir));
            }
            for (final Map.Entry<String, byte[]> e : files.entrySet())
            {
                Files.write(root.resolve(e.getKey()), e.getValue());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** @return the files and their lengths, for reports. */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("crash state of ").append(recordedRoot).append(':');
        for (final String dir : directories)
        {
            sb.append(' ').append(dir).append('/');
        }
        for (final Map.Entry<String, byte[]> e : files.entrySet())
        {
            sb.append(' ').append(e.getKey()).append('=').append(e.getValue().length);
        }
        return sb.toString();
    }
}
