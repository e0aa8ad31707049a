package io.memsnap.internal.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** The production {@link StoreFileSystem}: {@link FileChannel} and {@link Files}. Thread safe: stateless. */
final class RealFileSystem implements StoreFileSystem
{
    static final RealFileSystem INSTANCE = new RealFileSystem();

    private RealFileSystem()
    {
    }

    @Override
    public StoreFile create(final Path file) throws IOException
    {
        return new RealFile(file, FileChannel.open(file,
            StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    @Override
    public StoreFile open(final Path file) throws IOException
    {
        return new RealFile(file, FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    @Override
    public StoreFile openOrCreate(final Path file) throws IOException
    {
        return new RealFile(file, FileChannel.open(file,
            StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
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
    public String toString()
    {
        return "real file system";
    }

    private static final class RealFile implements StoreFile
    {
        private final Path path;
        private final FileChannel channel;

        RealFile(final Path path, final FileChannel channel)
        {
            this.path = path;
            this.channel = channel;
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
            channel.close();
        }
    }
}
