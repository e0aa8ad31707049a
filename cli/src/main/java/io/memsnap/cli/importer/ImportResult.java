package io.memsnap.cli.importer;

import java.nio.file.Path;
import java.util.Map;

/** What an import made: the store's place, counts, dimension and the snapshot generation. Thread safe: immutable. */
public final class ImportResult
{
    private final Path directory;
    private final String format;
    private final long entries;
    private final long states;
    private final int dimension;
    private final long generation;
    private final Map<String, String> labels;

    public ImportResult(final Path directory, final String format, final long entries, final long states,
        final int dimension, final long generation, final Map<String, String> labels)
    {
        this.directory = directory;
        this.format = format;
        this.entries = entries;
        this.states = states;
        this.dimension = dimension;
        this.generation = generation;
        this.labels = Map.copyOf(labels);
    }

    ImportResult at(final Path newDirectory)
    {
        return new ImportResult(newDirectory, format, entries, states, dimension, generation, labels);
    }

    public Path directory()
    {
        return directory;
    }

    public String format()
    {
        return format;
    }

    public long entries()
    {
        return entries;
    }

    public long states()
    {
        return states;
    }

    public int dimension()
    {
        return dimension;
    }

    /** @return the generation of the store's one snapshot. */
    public long generation()
    {
        return generation;
    }

    public Map<String, String> labels()
    {
        return labels;
    }

    @Override
    public String toString()
    {
        return "ImportResult{directory=" + directory + ", format=" + format + ", entries=" + entries + ", states=" +
            states + ", dimension=" + dimension + ", generation=" + generation + ", labels=" + labels + '}';
    }
}
