package io.memsnap.cli;

import io.memsnap.MemoryStore;

import java.io.IOException;
import java.io.OutputStream;

/** Lets tests in other packages write a dump. */
public final class DumpCommandAccess
{
    private DumpCommandAccess()
    {
    }

    public static void dump(final MemoryStore store, final OutputStream out) throws IOException
    {
        DumpCommand.dump(store, out);
    }
}
