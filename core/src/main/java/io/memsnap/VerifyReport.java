package io.memsnap;

import java.util.List;

/**
 * What {@link MemoryStore#verify(boolean)} checked, the problems it found, first one first, and the warnings: things
 * found that are not damage to anything committed (a manifest file left by a snapshot that a power loss interrupted).
 * Thread safe: immutable.
 */
public final class VerifyReport
{
    /** One problem: what, in which file, at which offset. */
    public static final class Problem
    {
        private final String what;
        private final String file;
        private final long offset;

        public Problem(final String what, final String file, final long offset)
        {
            this.what = what;
            this.file = file;
            this.offset = offset;
        }

        public String what()
        {
            return what;
        }

        public String file()
        {
            return file;
        }

        public long offset()
        {
            return offset;
        }

        @Override
        public String toString()
        {
            return file + " at offset " + offset + ": " + what;
        }
    }

    private final List<Problem> problems;
    private final List<Problem> warnings;
    private final long manifests;
    private final long indexPages;
    private final long records;
    private final long entries;

    public VerifyReport(final List<Problem> problems, final long manifests, final long indexPages, final long records,
        final long entries)
    {
        this(problems, List.of(), manifests, indexPages, records, entries);
    }

    public VerifyReport(final List<Problem> problems, final List<Problem> warnings, final long manifests,
        final long indexPages, final long records, final long entries)
    {
        this.problems = List.copyOf(problems);
        this.warnings = List.copyOf(warnings);
        this.manifests = manifests;
        this.indexPages = indexPages;
        this.records = records;
        this.entries = entries;
    }

    public boolean ok()
    {
        return problems.isEmpty();
    }

    public List<Problem> problems()
    {
        return problems;
    }

    /** @return what was found that is not damage (see the class comment); {@link #ok()} does not count them. */
    public List<Problem> warnings()
    {
        return warnings;
    }

    /** @return manifests checked. */
    public long manifests()
    {
        return manifests;
    }

    /** @return index pages checked against their checksums. */
    public long indexPages()
    {
        return indexPages;
    }

    /** @return records checked against their checksums (deep only). */
    public long records()
    {
        return records;
    }

    /** @return live entries and states whose index slot was checked against its record (deep only). */
    public long entries()
    {
        return entries;
    }

    @Override
    public String toString()
    {
        return (ok() ? "OK" : problems.size() + " problem(s), first: " + problems.get(0)) +
            (warnings.isEmpty() ? "" : ", " + warnings.size() + " warning(s), first: " + warnings.get(0)) +
            " (manifests " + manifests + ", index pages " + indexPages + ", records " + records + ", entries " +
            entries + ")";
    }
}
