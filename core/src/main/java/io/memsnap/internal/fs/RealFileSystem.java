package io.memsnap.internal.fs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The production {@link StoreFileSystem}: {@link RandomAccessFile} (for its {@code setLength}, which a
 * {@link FileChannel} lacks: {@link StoreFile#extend} grows a file on the descriptor its writes use), its channel,
 * and {@link Files}. Thread safe: stateless.
 */
final class RealFileSystem implements StoreFileSystem
{
    static final RealFileSystem INSTANCE = new RealFileSystem();

    private RealFileSystem()
    {
    }

    @Override
    public StoreFile create(final Path file) throws IOException
    {
        Files.createFile(file); // O_CREAT | O_EXCL: FileAlreadyExistsException if it exists
        return openOrCreate(file);
    }

    @Override
    public StoreFile open(final Path file) throws IOException
    {
        if (!Files.isRegularFile(file))
        {
            // "rw" would create it. (A file deleted between this check and the open would be created again, empty:
            // only the writer that holds the store's lock opens its files for writing.)
            throw new NoSuchFileException(file.toString());
        }
        return openOrCreate(file);
    }

    @Override
    public StoreFile openOrCreate(final Path file) throws IOException
    {
        return new RealFile(file, new RandomAccessFile(file.toFile(), "rw"));
    }

    @Override
    public void rename(final Path from, final Path to) throws IOException
    {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public boolean deleteIfExists(final Path file) throws IOException
    {
        return Files.deleteIfExists(file);
    }

    @Override
    public void syncDirectory(final Path dir) throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    @Override
    public void createDirectories(final Path dir) throws IOException
    {
        Files.createDirectories(dir);
    }

    @Override
    public boolean flushesInParallel()
    {
        return true;
    }

    @Override
    public String toString()
    {
        return "real file system";
    }

    private static final class RealFile implements StoreFile
    {
        private final Path path;
        private final RandomAccessFile file;
        private final FileChannel channel;

        RealFile(final Path path, final RandomAccessFile file)
        {
            this.path = path;
            this.file = file;
            this.channel = file.getChannel();
        }

        @Override
        public Path path()
        {
            return path;
        }

        @Override
        public int write(final ByteBuffer src, final long position) throws IOException
        {
            return channel.write(src, position);
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            return channel.read(dst, position);
        }

        @Override
        public long size() throws IOException
        {
            return channel.size();
        }

        @Override
        public void truncate(final long size) throws IOException
        {
            channel.truncate(size);
        }

        @Override
        public void extend(final long size) throws IOException
        {
            if (size > channel.size())
            {
                file.setLength(size);
            }
        }

        @Override
        public void force(final boolean metadata) throws IOException
        {
            channel.force(metadata);
        }

        @Override
        public boolean isOpen()
        {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException
        {
            file.close();
        }
    }
}
