package io.memsnap.cli.importer;

import java.io.IOException;
import java.nio.file.Path;

/** Lets tests in other packages use the importer tests' checks. */
public final class ImporterTestAccess
{
    private ImporterTestAccess()
    {
    }

    /** Asserts that neither {@code dir} nor a temporary directory of an import into it exists. */
    public static void assertNoStoreLeft(final Path dir) throws IOException
    {
        Fixture.assertNoStoreLeft(dir);
    }
}
