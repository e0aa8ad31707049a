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

        /**
         * Made by the check.
         *
         * @param what see {@link #what()}.
         * @param file see {@link #file()}.
         * @param offset see {@link #offset()}.
         */
        public Problem(final String what, final String file, final long offset)
        {
            this.what = what;
            this.file = file;
            this.offset = offset;
        }

        /** {@return what was found.} */
        public String what()
        {
            return what;
        }

        /** {@return the file it was found in.} */
        public String file()
        {
            return file;
        }

        /** {@return where in the file.} */
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

    /**
     * Made by {@link MemoryStore#verify}, without warnings.
     *
     * @param problems see {@link #problems()}.
     * @param manifests see {@link #manifests()}.
     * @param indexPages see {@link #indexPages()}.
     * @param records see {@link #records()}.
     * @param entries see {@link #entries()}.
     */
    public VerifyReport(final List<Problem> problems, final long manifests, final long indexPages, final long records,
        final long entries)
    {
        this(problems, List.of(), manifests, indexPages, records, entries);
    }

    /**
     * Made by {@link MemoryStore#verify}.
     *
     * @param problems see {@link #problems()}.
     * @param warnings see {@link #warnings()}.
     * @param manifests see {@link #manifests()}.
     * @param indexPages see {@link #indexPages()}.
     * @param records see {@link #records()}.
     * @param entries see {@link #entries()}.
     */
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

    /** {@return whether no damage was found.} */
    public boolean ok()
    {
        return problems.isEmpty();
    }

    /** {@return the damage found, each with its file and offset.} */
    public List<Problem> problems()
    {
        return problems;
    }

    /** {@return what was found that is not damage (see the class comment); {@link #ok()} does not count them.} */
    public List<Problem> warnings()
    {
        return warnings;
    }

    /** {@return manifests checked.} */
    public long manifests()
    {
        return manifests;
    }

    /** {@return index pages checked against their checksums.} */
    public long indexPages()
    {
        return indexPages;
    }

    /** {@return records checked against their checksums (deep only).} */
    public long records()
    {
        return records;
    }

    /** {@return live entries and states whose index slot was checked against its record (deep only).} */
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
