package io.memsnap.cli.importer;

import java.io.IOException;

/**
 * Reads one input format and hands entries, named states and labels to an {@link ImportSink}. Implementations
 * validate as they go and throw {@link InputException} (or {@link DamagedInputException},
 * {@link UnsupportedVersionException}, {@link io.memsnap.cli.archive.CorruptArchiveException}) naming the place;
 * the {@link Importer} then discards everything. Implementations are used once, from one thread.
 */
public interface FormatImporter
{
    /** @return the format's name, for messages. */
    String format();

    /** Reads the whole input into {@code sink}. */
    void importInto(ImportSink sink) throws IOException;
}
