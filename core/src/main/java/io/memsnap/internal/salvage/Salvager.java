package io.memsnap.internal.salvage;

import io.memsnap.InvalidEntryException;
import io.memsnap.Salvage;
import io.memsnap.SalvageReport;
import io.memsnap.StoreIoException;
import io.memsnap.StoreOptions;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.snapshot.ManifestCodec;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Salvage of a damaged store, behind {@link Salvage}: checks the directories, reads the damaged store's files
 * ({@link SalvageSource}) and log ({@link LogScan}), chooses the dimension, copies what is live
 * ({@link StoreCopier}) and assembles the report. Nothing is created before every check has passed; on a failure
 * after that, what was written to the new store's directory is removed.
 *
 * <p>Thread safe: stateless.
 */
public final class Salvager
{
    /** The largest metadata {@link StoreOptions} accepts: a salvaged entry is never refused for its size. */
    private static final int MAX_METADATA_BYTES = 16 * 1024 * 1024;
    /** The largest state value {@link StoreOptions} accepts. */
    private static final int MAX_STATE_BYTES = 512 * 1024 * 1024;

    private Salvager()
    {
    }

    /**
     * @param dimension the caller's dimension, or 0 for none.
     * @see Salvage#salvage(Path, Path, int)
     */
    public static SalvageReport salvage(final Path dir, final Path out, final int dimension)
    {
        try
        {
            requireSource(dir);
            requireTarget(dir, out);
            final SalvageSource source = SalvageSource.read(dir);
            try (LogScan scan = new LogScan())
            {
                scan.run(source);
                final List<String> notes = new ArrayList<>(source.notes);
                notes.addAll(scan.notes());
                final SalvageReport.DimensionSource from = source.manifest != null ?
                    SalvageReport.DimensionSource.MANIFEST : dimension > 0 ? SalvageReport.DimensionSource.GIVEN :
                    SalvageReport.DimensionSource.INFERRED;
                final int chosen = chooseDimension(source, dimension, scan.maxIndex(), notes);
                final StoreOptions options = StoreOptions.builder()
                    .dimension(chosen)
                    .segmentSize(source.segmentSize(scan.longestRecord()))
                    .maxIdBytes(StoreOptions.ID_BYTES_LIMIT)
                    .maxMetadataBytes(MAX_METADATA_BYTES)
                    .maxStateBytes(MAX_STATE_BYTES)
                    .build();
                final StoreCopier copier = new StoreCopier(scan.latest());
                copyInto(out, options, labels(dir, source, notes), copier);
                notes.addAll(copier.notes());
                final List<SalvageReport.LostKey> lostKeys = scan.ledger().lostKeys(scan.latest());
                lostKeys.addAll(copier.refused());
                return new SalvageReport(dir, out, chosen, from, copier.entries(), copier.states(),
                    scan.recordsRead(), scan.ledger().lastKept(), source.manifest == null ? 0 :
                    source.manifest.lastSequence, copier.snapshot(), scan.ledger().lostRanges(),
                    scan.ledger().missingWrites(), lostKeys, notes);
            }
        }
        catch (final IOException ex)
        {
            throw new StoreIoException("could not salvage " + dir + " into " + out, ex);
        }
    }

    private static void requireSource(final Path dir) throws IOException
    {
        if (!Files.isDirectory(dir))
        {
            throw new NoSuchFileException(dir.toString(), null, "no memsnap store there");
        }
    }

    /**
     * @throws IllegalArgumentException if {@code out} is a file, a directory that is not empty, or lies inside
     *                                  {@code dir} (salvage never writes there).
     */
    private static void requireTarget(final Path dir, final Path out) throws IOException
    {
        if (resolved(out).startsWith(dir.toRealPath()))
        {
            throw new IllegalArgumentException("cannot salvage into " + out + ": it lies inside the damaged store " +
                dir + ", which salvage never writes to; choose a directory outside it");
        }
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS) && !isEmptyDirectory(out))
        {
            throw new IllegalArgumentException("cannot salvage into " + out + ": it exists and is not an empty " +
                "directory (salvage creates a new store; remove it or choose another directory)");
        }
    }

    /** @return {@code path} with its longest existing prefix resolved to a real path (links followed). */
    private static Path resolved(final Path path) throws IOException
    {
        final Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing))
        {
            existing = existing.getParent();
        }
        return existing == null ? absolute : existing.toRealPath().resolve(existing.relativize(absolute));
    }

    private static boolean isEmptyDirectory(final Path dir) throws IOException
    {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))
        {
            return false;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir))
        {
            return !s.iterator().hasNext();
        }
    }

    /**
     * @return the dimension of a manifest that validates, else the caller's, else the smallest power of two above
     * the largest index found.
     * @throws IllegalArgumentException if the caller's disagrees with a manifest or is not above an index found.
     */
    private static int chooseDimension(final SalvageSource source, final int given, final int maxIndex,
        final List<String> notes)
    {
        if (source.manifest != null)
        {
            if (given > 0 && given != source.manifest.dimension)
            {
                throw new IllegalArgumentException("the store's manifest says dimension " +
                    source.manifest.dimension + " but " + given + " was given: give " + source.manifest.dimension +
                    " or none");
            }
            return source.manifest.dimension;
        }
        if (given > 0)
        {
            if (given <= maxIndex)
            {
                throw new IllegalArgumentException("dimension " + given + " is too small: the records hold index " +
                    maxIndex + "; give at least " + (maxIndex + 1L));
            }
            return given;
        }
        final int inferred = maxIndex <= 0 ? 1 : maxIndex >= 1 << 30 ? Integer.MAX_VALUE :
            Integer.highestOneBit(maxIndex) << 1;
        notes.add("dimension " + inferred + " inferred (no manifest validates and none was given): the smallest " +
            "power of two above the largest index found, " + maxIndex + "; the real one may be larger");
        return inferred;
    }

    /** @return the labels of the newest manifest that validates, and {@code salvaged-from}. */
    private static Map<String, String> labels(final Path dir, final SalvageSource source, final List<String> notes)
    {
        final Map<String, String> labels = new LinkedHashMap<>();
        if (source.manifest != null)
        {
            labels.putAll(source.manifest.labels);
        }
        labels.put(Salvage.SALVAGED_FROM_LABEL, dir.toAbsolutePath().normalize().toString());
        try
        {
            ManifestCodec.validateLabels(labels);
            return labels;
        }
        catch (final InvalidEntryException ex)
        {
            notes.add("the newest manifest's labels were not copied: with " + Salvage.SALVAGED_FROM_LABEL +
                " they exceed what a snapshot holds (" + ex.getMessage() + ")");
            return Map.of(Salvage.SALVAGED_FROM_LABEL, labels.get(Salvage.SALVAGED_FROM_LABEL));
        }
    }

    /** Copies into {@code out}; on failure removes what it wrote there ({@code out} was absent or empty). */
    private static void copyInto(final Path out, final StoreOptions options, final Map<String, String> labels,
        final StoreCopier copier) throws IOException
    {
        final boolean existed = Files.exists(out, LinkOption.NOFOLLOW_LINKS);
        try
        {
            copier.copy(out, options, labels);
        }
        catch (final RuntimeException | Error ex)
        {
            try
            {
                removeStore(out, existed);
            }
            catch (final IOException | RuntimeException cleanup)
            {
                ex.addSuppressed(cleanup);
            }
            throw ex;
        }
    }

    private static void removeStore(final Path out, final boolean keepDirectory) throws IOException
    {
        if (!Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS))
        {
            return;
        }
        final StoreFileSystem fs = StoreFileSystem.real();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(out))
        {
            for (final Path p : files)
            {
                fs.deleteIfExists(p);
            }
        }
        if (!keepDirectory)
        {
            fs.deleteIfExists(out);
        }
    }
}
