package io.memsnap;

import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link StoreFileSystem} for tests that does what the real one does and logs each persistence operation as a
 * line ("write FILE", "force FILE", "create FILE", "rename FROM TO", "delete FILE", "syncdir DIR"), with file names
 * only. Thread safe.
 */
final class OperationLog implements StoreFileSystem
{
    private final StoreFileSystem real = StoreFileSystem.real();
    private final List<String> lines = new ArrayList<>();

    synchronized List<String> lines()
    {
        return new ArrayList<>(lines);
    }

    synchronized void clear()
    {
        lines.clear();
    }

    private synchronized void log(final String op, final Path file)
    {
        lines.add(op + " " + file.getFileName());
    }

    @Override
    public StoreFile create(final Path file) throws IOException
    {
        log("create", file);
        return new Logged(real.create(file));
    }

    @Override
    public StoreFile open(final Path file) throws IOException
    {
        return new Logged(real.open(file));
    }

    @Override
    public StoreFile openOrCreate(final Path file) throws IOException
    {
        log("open", file);
        return new Logged(real.openOrCreate(file));
    }

    @Override
    public void rename(final Path from, final Path to) throws IOException
    {
        synchronized (this)
        {
            lines.add("rename " + from.getFileName() + " " + to.getFileName());
        }
        real.rename(from, to);
    }

    @Override
    public boolean deleteIfExists(final Path file) throws IOException
    {
        log("delete", file);
        return real.deleteIfExists(file);
    }

    @Override
    public void syncDirectory(final Path dir) throws IOException
    {
        log("syncdir", dir);
        real.syncDirectory(dir);
    }

    @Override
    public void createDirectories(final Path dir) throws IOException
    {
        log("mkdir", dir);
        real.createDirectories(dir);
    }

    private final class Logged implements StoreFile
    {
        private final StoreFile file;

        Logged(final StoreFile file)
        {
            this.file = file;
        }

        @Override
        public Path path()
        {
            return file.path();
        }

        @Override
        public int write(final ByteBuffer src, final long position) throws IOException
        {
            log("write", file.path());
            return file.write(src, position);
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            return file.read(dst, position);
        }

        @Override
        public long size() throws IOException
        {
            return file.size();
        }

        @Override
        public void truncate(final long size) throws IOException
        {
            log("truncate", file.path());
            file.truncate(size);
        }

        @Override
        public void force(final boolean metadata) throws IOException
        {
            log("force", file.path());
            file.force(metadata);
        }

        @Override
        public boolean isOpen()
        {
            return file.isOpen();
        }

        @Override
        public void close() throws IOException
        {
            file.close();
        }
    }
}
