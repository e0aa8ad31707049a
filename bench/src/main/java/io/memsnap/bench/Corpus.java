package io.memsnap.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Real text turned into sparse vectors: the term-frequency vector of every {@code .java} file in a JDK's
 * {@code lib/src.zip}, its terms (maximal runs of ASCII letters, digits and underscores, lower-cased, 2 to 64
 * characters) hashed into {@link #DIMENSION} = 2^18 dimensions (FNV-1a then a 32-bit finaliser; colliding terms add
 * up), in the order of the zip's entry names. Also the measured distributions that {@link Embeddings} draws from
 * beyond the corpus: non-zeros per document, document frequency per index, and term counts.
 *
 * <p>The zip is the running JDK's ({@code java.home}/lib/src.zip); when that JDK does not ship its sources (Debian's
 * JDK 17 keeps them in the separate package openjdk-17-source), the first other JDK under the running one's parent
 * directory that has one, or {@code -Dmemsnap.bench.corpus=PATH}. {@link #source()} names the file used, and every
 * benchmark prints it. Parsed once, then cached in the data directory (keyed by the zip's path, size and time).
 *
 * <p>Thread safe: immutable after {@link #load()}.
 */
public final class Corpus
{
    /** Dimension of every vector: 2^18, as the seeds' bag-of-words encoder. */
    public static final int DIMENSION = 1 << 18;
    private static final int CACHE_VERSION = 1;
    private static volatile Corpus loaded;

    private final String source;
    private final int[] docStart;
    private final int[] indices;
    private final int[] counts;
    private final int[] documentFrequency;

    private Corpus(final String source, final int[] docStart, final int[] indices, final int[] counts)
    {
        this.source = source;
        this.docStart = docStart;
        this.indices = indices;
        this.counts = counts;
        this.documentFrequency = new int[DIMENSION];
        for (final int index : indices)
        {
            documentFrequency[index]++;
        }
    }

    /** @return the corpus of this JVM, parsed or read from the cache on the first call. */
    public static Corpus load()
    {
        Corpus corpus = loaded;
        if (corpus == null)
        {
            synchronized (Corpus.class)
            {
                corpus = loaded;
                if (corpus == null)
                {
                    corpus = loadFrom(locateSourceZip());
                    loaded = corpus;
                }
            }
        }
        return corpus;
    }

    /** @return the src.zip the corpus is made from (see the class comment). */
    public static Path locateSourceZip()
    {
        final String configured = System.getProperty("memsnap.bench.corpus");
        if (configured != null && !configured.isEmpty())
        {
            return Path.of(configured);
        }
        final Path home = Path.of(System.getProperty("java.home"));
        final Path own = home.resolve("lib").resolve("src.zip");
        if (Files.isReadable(own))
        {
            return own;
        }
        final Path parent = home.toAbsolutePath().getParent();
        if (parent != null)
        {
            try (var list = Files.list(parent))
            {
                final List<Path> candidates = new ArrayList<>();
                list.sorted().forEach((p) -> candidates.add(p.resolve("lib").resolve("src.zip")));
                for (final Path candidate : candidates)
                {
                    if (Files.isReadable(candidate))
                    {
                        return candidate;
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        throw new IllegalStateException("no JDK source zip: " + own + " is missing (on Debian it comes with the " +
            "package openjdk-NN-source) and no JDK beside it has one; pass -Dmemsnap.bench.corpus=/path/src.zip");
    }

    private static Corpus loadFrom(final Path zip)
    {
        try
        {
            final long size = Files.size(zip);
            final long modified = Files.getLastModifiedTime(zip).toMillis();
            final String key = Integer.toHexString((zip.toRealPath() + "|" + size + "|" + modified).hashCode());
            final Path cache = BenchDirs.resolve("corpus/corpus-v" + CACHE_VERSION + "-" + key + ".bin");
            final String source = zip.toRealPath().toString();
            if (Files.isReadable(cache))
            {
                return readCache(cache, source);
            }
            final Corpus corpus = parse(zip, source);
            final Path pending = cache.resolveSibling(cache.getFileName() + "." + ProcessHandle.current().pid());
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(pending),
                1 << 16)))
            {
                out.writeInt(CACHE_VERSION);
                writeInts(out, corpus.docStart);
                writeInts(out, corpus.indices);
                writeInts(out, corpus.counts);
            }
            Files.move(pending, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return corpus;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("could not read the corpus " + zip, ex);
        }
    }

    private static void writeInts(final DataOutputStream out, final int[] values) throws IOException
    {
        out.writeInt(values.length);
        for (final int v : values)
        {
            out.writeInt(v);
        }
    }

    private static int[] readInts(final DataInputStream in) throws IOException
    {
        final int[] values = new int[in.readInt()];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = in.readInt();
        }
        return values;
    }

    private static Corpus readCache(final Path cache, final String source) throws IOException
    {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(cache), 1 << 16)))
        {
            if (in.readInt() != CACHE_VERSION)
            {
                throw new IOException("corpus cache " + cache + " has another version");
            }
            return new Corpus(source, readInts(in), readInts(in), readInts(in));
        }
    }

    private static Corpus parse(final Path zip, final String source) throws IOException
    {
        final List<String> names = new ArrayList<>();
        final IntList docStart = new IntList();
        final IntList indices = new IntList();
        final IntList counts = new IntList();
        final int[] tf = new int[DIMENSION];
        final int[] touched = new int[DIMENSION];
        try (ZipFile file = new ZipFile(zip.toFile()))
        {
            file.stream().filter((e) -> !e.isDirectory() && e.getName().endsWith(".java"))
                .forEach((e) -> names.add(e.getName()));
            names.sort(null);
            byte[] buffer = new byte[1 << 20];
            for (final String name : names)
            {
                final ZipEntry entry = file.getEntry(name);
                int length = 0;
                try (InputStream in = file.getInputStream(entry))
                {
                    int n;
                    while ((n = in.read(buffer, length, buffer.length - length)) > 0)
                    {
                        length += n;
                        if (length == buffer.length)
                        {
                            buffer = Arrays.copyOf(buffer, buffer.length * 2);
                        }
                    }
                }
                final int distinct = tokenize(buffer, length, tf, touched);
                if (distinct == 0)
                {
                    continue;
                }
                Arrays.sort(touched, 0, distinct);
                docStart.add(indices.size());
                for (int i = 0; i < distinct; i++)
                {
                    indices.add(touched[i]);
                    counts.add(tf[touched[i]]);
                    tf[touched[i]] = 0;
                }
            }
        }
        docStart.add(indices.size());
        return new Corpus(source, docStart.toArray(), indices.toArray(), counts.toArray());
    }

    private static int tokenize(final byte[] text, final int length, final int[] tf, final int[] touched)
    {
        int distinct = 0;
        int i = 0;
        while (i < length)
        {
            while (i < length && !isWordByte(text[i]))
            {
                i++;
            }
            final int start = i;
            int hash = 0x811C9DC5;
            while (i < length && isWordByte(text[i]))
            {
                int b = text[i];
                if (b >= 'A' && b <= 'Z')
                {
                    b += 'a' - 'A';
                }
                hash = (hash ^ b) * 0x01000193;
                i++;
            }
            final int termLength = i - start;
            if (termLength >= 2 && termLength <= 64)
            {
                hash ^= hash >>> 16;
                hash *= 0x85EBCA6B;
                hash ^= hash >>> 13;
                hash *= 0xC2B2AE35;
                hash ^= hash >>> 16;
                final int index = hash & (DIMENSION - 1);
                if (tf[index]++ == 0)
                {
                    touched[distinct++] = index;
                }
            }
        }
        return distinct;
    }

    private static boolean isWordByte(final byte b)
    {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_';
    }

    /** @return the src.zip the vectors come from. */
    public String source()
    {
        return source;
    }

    /** @return the number of documents (source files with at least one term). */
    public int documents()
    {
        return docStart.length - 1;
    }

    /** @return the number of non-zeros of document {@code doc}. */
    public int nnz(final int doc)
    {
        return docStart[doc + 1] - docStart[doc];
    }

    /** Copies document {@code doc}'s indices and counts into the arrays, from position 0. */
    public void document(final int doc, final int[] indicesOut, final int[] countsOut)
    {
        final int from = docStart[doc];
        final int n = docStart[doc + 1] - from;
        System.arraycopy(indices, from, indicesOut, 0, n);
        System.arraycopy(counts, from, countsOut, 0, n);
    }

    /** @return the number of documents that have a non-zero at each index (do not change it). */
    int[] documentFrequencies()
    {
        return documentFrequency;
    }

    /** @return every (document, term) count, pooled (do not change it). */
    int[] pooledCounts()
    {
        return counts;
    }

    /** @return the total number of non-zeros. */
    public long totalNonZeros()
    {
        return indices.length;
    }

    /** @return a one-line description of the corpus and its distribution. */
    public String describe()
    {
        final int[] nnz = new int[documents()];
        for (int d = 0; d < nnz.length; d++)
        {
            nnz[d] = nnz(d);
        }
        Arrays.sort(nnz);
        int used = 0;
        for (final int df : documentFrequency)
        {
            used += df > 0 ? 1 : 0;
        }
        return String.format("%s: %d documents, non-zeros per document p50 %d, mean %.0f, p99 %d, max %d; " +
            "%d of 2^18 indices used", source, nnz.length, nnz[nnz.length / 2], (double)indices.length / nnz.length,
            nnz[(int)(nnz.length * 0.99)], nnz[nnz.length - 1], used);
    }

    /** A growable int array. */
    private static final class IntList
    {
        private int[] values = new int[1 << 16];
        private int size;

        void add(final int v)
        {
            if (size == values.length)
            {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int size()
        {
            return size;
        }

        int[] toArray()
        {
            return Arrays.copyOf(values, size);
        }
    }
}
