package io.memsnap;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Salvage#salvage} copied out of a damaged store and what it could not: the byte ranges that held no
 * valid record, the sequence numbers of the writes lost with them, and the ids it could still read there.
 *
 * <p>Sequence numbers are the damaged store's: every write took the next one, with no gaps, so the writes lost in
 * a damaged range are counted by the sequence numbers of the valid records on either side of it.
 *
 * <p>Thread safe: immutable.
 */
public final class SalvageReport
{
    /** Where the dimension of the salvaged store came from. */
    public enum DimensionSource
    {
        /** A manifest of the damaged store that validated. */
        MANIFEST,
        /** The caller: no manifest validated. */
        GIVEN,
        /** Neither: the smallest power of two above the largest index of any record found. */
        INFERRED
    }

    /**
     * Bytes of a segment file where something was written but no valid record is: a record whose checksum or
     * fields fail, zeroed bytes between records, or the end of a file cut short.
     */
    public static final class LostRange
    {
        private final Path file;
        private final long from;
        private final long to;
        private final String problem;
        private final long afterSequence;
        private final long beforeSequence;
        private final long writesLost;
        private final List<String> ids;
        private final List<String> stateNames;

        /**
         * Made by the salvage.
         *
         * @param afterSequence  sequence number of the last valid write before the range, 0 if none.
         * @param beforeSequence sequence number of the first valid write after it, -1 if none.
         * @param writesLost     see {@link #writesLost()}.
         * @param ids            entry ids named by damaged records in the range, see {@link #ids()}.
         * @param stateNames     state names named by damaged records in the range.
         * @param file the file the range is in.
         * @param from its first byte.
         * @param to its end, exclusive.
         * @param problem what was found at {@code from}.
         */
        public LostRange(final Path file, final long from, final long to, final String problem,
            final long afterSequence, final long beforeSequence, final long writesLost, final List<String> ids,
            final List<String> stateNames)
        {
            this.ids = List.copyOf(ids);
            this.stateNames = List.copyOf(stateNames);
            this.file = file;
            this.from = from;
            this.to = to;
            this.problem = problem;
            this.afterSequence = afterSequence;
            this.beforeSequence = beforeSequence;
            this.writesLost = writesLost;
        }

        /** {@return the file the range is in.} */
        public Path file()
        {
            return file;
        }

        /** {@return the first byte of the range in {@link #file()}.} */
        public long from()
        {
            return from;
        }

        /** {@return the end of the range, exclusive.} */
        public long to()
        {
            return to;
        }

        /** {@return the length of the range in bytes.} */
        public long length()
        {
            return to - from;
        }

        /** {@return what was found at {@link #from()}.} */
        public String problem()
        {
            return problem;
        }

        /** {@return the sequence number of the last valid write before the range, 0 if none.} */
        public long afterSequence()
        {
            return afterSequence;
        }

        /** {@return the sequence number of the first valid write after the range, -1 if none survived.} */
        public long beforeSequence()
        {
            return beforeSequence;
        }

        /**
         * {@return the writes lost between {@link #afterSequence()} and {@link #beforeSequence()} (shared with any
         * other range between the same two writes); 0 when the range held no write (a damaged PAD, for instance);
         * -1 when no valid write follows, so that how many were lost is unknown.}
         */
        public long writesLost()
        {
            return writesLost;
        }

        /**
         * {@return the entry ids that damaged records in the range still name, where their sequence numbers fit the
         * gap around it (the ids themselves are not covered by a checksum); {@link #lostKeys()} says which of them
         * the salvaged store lacks or may hold old.}
         */
        public List<String> ids()
        {
            return ids;
        }

        /** {@return the state names that damaged records in the range still name, as {@link #ids()}.} */
        public List<String> stateNames()
        {
            return stateNames;
        }

        @Override
        public String toString()
        {
            final String lost;
            if (writesLost < 0)
            {
                lost = "an unknown number of writes after sequence " + afterSequence + " lost";
            }
            else if (writesLost == 0)
            {
                lost = "no write lost: it held none";
            }
            else
            {
                lost = writesLost + " write(s) between sequences " + afterSequence + " and " + beforeSequence +
                    " lost";
            }
            return file.getFileName() + " bytes " + from + " to " + to + " (" + length() + " bytes): " + problem +
                "; " + lost + (ids.isEmpty() ? "" : "; damaged record(s) of entries " + ids) +
                (stateNames.isEmpty() ? "" : "; damaged record(s) of states " + stateNames);
        }
    }

    /** Writes that no file holds any more: a whole segment gone, or the end of the log a snapshot committed. */
    public static final class MissingWrites
    {
        private final long firstSequence;
        private final long lastSequence;
        private final String why;

        /**
         * Made by the salvage.
         *
         * @param firstSequence see {@link #firstSequence()}.
         * @param lastSequence see {@link #lastSequence()}.
         * @param why see {@link #why()}.
         */
        public MissingWrites(final long firstSequence, final long lastSequence, final String why)
        {
            this.firstSequence = firstSequence;
            this.lastSequence = lastSequence;
            this.why = why;
        }

        /** {@return the sequence number of the first write missing.} */
        public long firstSequence()
        {
            return firstSequence;
        }

        /** {@return the sequence number of the last write missing.} */
        public long lastSequence()
        {
            return lastSequence;
        }

        /** {@return why no file holds them.} */
        public String why()
        {
            return why;
        }

        @Override
        public String toString()
        {
            return "sequences " + firstSequence + " to " + lastSequence + ": " + why;
        }
    }

    /** An id (or state name) that a damaged record still names, and what that means for the salvaged store. */
    public static final class LostKey
    {
        private final String key;
        private final boolean state;
        private final boolean uncertain;
        private final long salvagedSequence;
        private final Path file;
        private final long offset;

        /**
         * Made by the salvage.
         *
         * @param uncertain        whether an older version was salvaged (else none was).
         * @param salvagedSequence the sequence number of the version salvaged, -1 if none.
         * @param file             the file of the damaged record, or of the record refused by the new store.
         * @param key the entry id or state name.
         * @param state whether it names a state.
         * @param offset where in {@code file}.
         */
        public LostKey(final String key, final boolean state, final boolean uncertain, final long salvagedSequence,
            final Path file, final long offset)
        {
            this.key = key;
            this.state = state;
            this.uncertain = uncertain;
            this.salvagedSequence = salvagedSequence;
            this.file = file;
            this.offset = offset;
        }

        /** {@return the entry id, or the state name when {@link #state()}.} */
        public String key()
        {
            return key;
        }

        /** {@return whether the key names a named state rather than an entry.} */
        public boolean state()
        {
            return state;
        }

        /**
         * {@return true when an older version of the key was salvaged but the damaged record was a newer write of
         * it (a put or a delete), so the salvaged version may be out of date; false when the key is not in the
         * salvaged store at all.}
         */
        public boolean uncertain()
        {
            return uncertain;
        }

        /** {@return the damaged store's sequence number of the version salvaged, -1 if none was.} */
        public long salvagedSequence()
        {
            return salvagedSequence;
        }

        /** {@return the file of the damaged record, or of the record the new store refused.} */
        public Path file()
        {
            return file;
        }

        /** {@return where in {@link #file()}.} */
        public long offset()
        {
            return offset;
        }

        @Override
        public String toString()
        {
            return (state ? "state '" : "entry '") + key + "' " + (uncertain ? "uncertain: salvaged as of " +
                "sequence " + salvagedSequence + ", a newer write of it is damaged" : "lost") + " (" +
                file.getFileName() + " at offset " + offset + ")";
        }
    }

    private final Path source;
    private final Path target;
    private final int dimension;
    private final DimensionSource dimensionSource;
    private final long entries;
    private final long states;
    private final long recordsRead;
    private final long lastSequence;
    private final long snapshotSequence;
    private final SnapshotInfo snapshot;
    private final List<LostRange> lostRanges;
    private final List<MissingWrites> missingWrites;
    private final List<LostKey> lostKeys;
    private final List<String> notes;

    /**
     * Made by the salvage.
     *
     * @param recordsRead      valid writes read (PAD records and records an earlier recovery discarded not counted).
     * @param lastSequence     the highest sequence number among them, 0 if none.
     * @param snapshotSequence the last sequence number of the newest snapshot a manifest that validates shows, 0 if
     *                         none validates.
     * @param source see {@link #source()}.
     * @param target see {@link #target()}.
     * @param dimension see {@link #dimension()}.
     * @param dimensionSource see {@link #dimensionSource()}.
     * @param entries see {@link #entries()}.
     * @param states see {@link #states()}.
     * @param snapshot see {@link #snapshot()}.
     * @param lostRanges see {@link #lostRanges()}.
     * @param missingWrites see {@link #missingWrites()}.
     * @param lostKeys see {@link #lostKeys()}.
     * @param notes see {@link #notes()}.
     */
    public SalvageReport(final Path source, final Path target, final int dimension,
        final DimensionSource dimensionSource, final long entries, final long states, final long recordsRead,
        final long lastSequence, final long snapshotSequence, final SnapshotInfo snapshot,
        final List<LostRange> lostRanges, final List<MissingWrites> missingWrites, final List<LostKey> lostKeys,
        final List<String> notes)
    {
        this.source = source;
        this.target = target;
        this.dimension = dimension;
        this.dimensionSource = dimensionSource;
        this.entries = entries;
        this.states = states;
        this.recordsRead = recordsRead;
        this.lastSequence = lastSequence;
        this.snapshotSequence = snapshotSequence;
        this.snapshot = snapshot;
        this.lostRanges = List.copyOf(lostRanges);
        this.missingWrites = List.copyOf(missingWrites);
        this.lostKeys = List.copyOf(lostKeys);
        this.notes = List.copyOf(notes);
    }

    /** {@return the damaged store's directory (read, never changed).} */
    public Path source()
    {
        return source;
    }

    /** {@return the directory of the salvaged store.} */
    public Path target()
    {
        return target;
    }

    /** {@return the dimension the salvaged store was created with.} */
    public int dimension()
    {
        return dimension;
    }

    /** {@return where the dimension came from.} */
    public DimensionSource dimensionSource()
    {
        return dimensionSource;
    }

    /** {@return live entries copied into the salvaged store.} */
    public long entries()
    {
        return entries;
    }

    /** {@return named states copied into the salvaged store.} */
    public long states()
    {
        return states;
    }

    /** {@return valid records (writes) read from the damaged store's segments.} */
    public long recordsRead()
    {
        return recordsRead;
    }

    /** {@return the damaged store's sequence number of the newest valid write found, 0 if none.} */
    public long lastSequence()
    {
        return lastSequence;
    }

    /**
     * {@return the last sequence number of the damaged store's newest snapshot that a manifest which validates shows,
     * 0 if none validates: every write up to it was durable, so when {@link #lastSequence()} is below it, at least
     * the difference was lost.}
     */
    public long snapshotSequence()
    {
        return snapshotSequence;
    }

    /** {@return the salvaged store's snapshot, durable, labelled {@code salvaged-from}.} */
    public SnapshotInfo snapshot()
    {
        return snapshot;
    }

    /** {@return the damaged byte ranges, in file order.} */
    public List<LostRange> lostRanges()
    {
        return lostRanges;
    }

    /** {@return the writes that no file holds, where no damaged range accounts for them.} */
    public List<MissingWrites> missingWrites()
    {
        return missingWrites;
    }

    /** {@return the ids and state names read from damaged records that the salvaged store lacks or may hold old.} */
    public List<LostKey> lostKeys()
    {
        return lostKeys;
    }

    /**
     * {@return what else was found, none of it a loss: damaged manifests and segment headers, damage an earlier
     * recovery had already cut off, files that are not memsnap's, how the dimension was chosen.}
     */
    public List<String> notes()
    {
        return notes;
    }

    /**
     * {@return true when every write the surviving files and manifests show was salvaged: no damaged range held a
     * write, no sequence number is missing, no key was refused.}
     */
    public boolean nothingLost()
    {
        for (final LostRange r : lostRanges)
        {
            if (r.writesLost() != 0)
            {
                return false;
            }
        }
        return missingWrites.isEmpty() && lostKeys.isEmpty();
    }

    @Override
    public String toString()
    {
        return "SalvageReport{source=" + source + ", target=" + target + ", dimension=" + dimension + " (" +
            dimensionSource + "), entries=" + entries + ", states=" + states + ", recordsRead=" + recordsRead +
            ", lastSequence=" + lastSequence + ", snapshotSequence=" + snapshotSequence + ", lostRanges=" + lostRanges + ", missingWrites=" + missingWrites +
            ", lostKeys=" + lostKeys + ", notes=" + notes + '}';
    }
}
