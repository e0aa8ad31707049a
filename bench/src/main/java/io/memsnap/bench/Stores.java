package io.memsnap.bench;

import io.memsnap.FormatUpgradeRequiredException;
import io.memsnap.SparseVector;
import io.memsnap.bench.engine.Engine;
import io.memsnap.bench.engine.Engines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Stores of {@code n} entries of {@link Embeddings} for each engine, built once and reused by the later forks and
 * runs: {@code <data dir>/stores/<engine>-<n>}, complete once {@code <engine>-<n>.ready} (holding its size when
 * built) exists. Benchmarks overwrite existing ids, so the number of entries stays {@code n}; a store whose files
 * have grown too much is deleted when released and rebuilt when next needed, which bounds the
 * disk the runs use: past its built size plus the larger of that size and 4 GiB. A store of an older format is
 * rebuilt. The seeds' engine keeps its memory on the heap, so it is rebuilt from the generator each time.
 */
public final class Stores
{
    private static final int CHUNK = 1024;

    private Stores()
    {
    }

    /** @return the directory of the store of {@code engine} with {@code entries} entries of the corpus's shape. */
    public static Path directory(final String engine, final long entries)
    {
        return directory(engine, entries, VectorShape.of(VectorShape.CORPUS));
    }

    /** @return the directory of the store of {@code engine} with {@code entries} entries of {@code shape}. */
    public static Path directory(final String engine, final long entries, final VectorShape shape)
    {
        return BenchDirs.resolve("stores/" + Engines.storeOf(engine) + "-" + entries + shape.storeSuffix());
    }

    private static Path marker(final String engine, final long entries, final VectorShape shape)
    {
        return BenchDirs.resolve("stores/" + Engines.storeOf(engine) + "-" + entries + shape.storeSuffix() +
            ".ready");
    }

    /** @return the store of entries of the corpus's shape, built if it does not exist yet. */
    public static Engine open(final String engine, final long entries)
    {
        return open(engine, entries, VectorShape.of(VectorShape.CORPUS));
    }

    /** @return the store of entries of {@code shape}, built if it does not exist yet. */
    public static Engine open(final String engine, final long entries, final VectorShape shape)
    {
        final Path dir = directory(engine, entries, shape);
        final Path ready = marker(engine, entries, shape);
        if (!Engines.SEED_JSON.equals(engine) && Files.exists(ready))
        {
            try
            {
                return Engines.open(engine, dir, entries, shape, true);
            }
            catch (final FormatUpgradeRequiredException ex)
            {
                // Built by an engine of an older format: measure this engine's format, built afresh.
                System.out.println("rebuilding " + dir + ": " + ex.getMessage());
            }
        }
        BenchDirs.deleteTree(dir);
        final Engine store = Engines.open(engine, dir, entries, shape, false);
        load(store, entries, shape);
        if (!Engines.SEED_JSON.equals(engine))
        {
            store.afterLoad();
            try
            {
                Files.writeString(ready, Long.toString(BenchDirs.sizeOf(dir)), StandardCharsets.US_ASCII);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        return store;
    }

    /** As {@link #release(Engine, String, long, VectorShape)} for a store of the corpus's shape. */
    public static void release(final Engine store, final String engine, final long entries)
    {
        release(store, engine, entries, VectorShape.of(VectorShape.CORPUS));
    }

    /** Closes the store; deletes it when it has grown past its built size plus max(that size, 4 GiB). */
    public static void release(final Engine store, final String engine, final long entries, final VectorShape shape)
    {
        store.close();
        final Path ready = marker(engine, entries, shape);
        if (Files.exists(ready))
        {
            try
            {
                final long built = Long.parseLong(Files.readString(ready, StandardCharsets.US_ASCII).trim());
                final Path dir = directory(engine, entries, shape);
                if (BenchDirs.sizeOf(dir) > built + Math.max(built, 4L << 30))
                {
                    Files.delete(ready);
                    BenchDirs.deleteTree(dir);
                }
            }
            catch (final IOException | NumberFormatException ex)
            {
                throw new IllegalStateException("could not check " + ready, ex);
            }
        }
    }

    /**
     * Puts entries 0 to {@code n - 1} of {@code shape} in order, printing progress. Two threads generate the vectors
     * ahead of the putting thread, in chunks, so that the load is not bound by the generator.
     */
    public static void load(final Engine store, final long n, final VectorShape shape)
    {
        final long start = System.nanoTime();
        final long step = Math.max(CHUNK, n / 10 / CHUNK * CHUNK);
        final ExecutorService generators = Executors.newFixedThreadPool(2,
            (r) ->
            {
                final Thread t = new Thread(r, "bench-generator");
                t.setDaemon(true);
                return t;
            });
        final ThreadLocal<Embeddings> data = ThreadLocal.withInitial(() -> Embeddings.shared(Embeddings.SEED));
        try
        {
            final ArrayDeque<Future<SparseVector[]>> ahead = new ArrayDeque<>();
            long next = 0;
            for (long from = 0; from < n; from += CHUNK)
            {
                while (ahead.size() < 8 && next < n)
                {
                    final long chunkStart = next;
                    final int length = (int)Math.min(CHUNK, n - chunkStart);
                    ahead.add(generators.submit(() ->
                    {
                        final Embeddings e = data.get();
                        final SparseVector[] vectors = new SparseVector[length];
                        for (int k = 0; k < length; k++)
                        {
                            vectors[k] = e.vector(chunkStart + k, shape);
                        }
                        return vectors;
                    }));
                    next += length;
                }
                final SparseVector[] vectors = ahead.poll().get();
                final Embeddings e = data.get();
                for (int k = 0; k < vectors.length; k++)
                {
                    final long i = from + k;
                    store.put(Embeddings.id(i), vectors[k], e.importance(i), Embeddings.storedAt(i),
                        Embeddings.metadata(i));
                }
                if ((from + vectors.length) % step == 0 && n >= 100_000)
                {
                    System.out.printf("  loaded %,d of %,d into %s (%.1f s)%n", from + vectors.length, n,
                        store.name(), (System.nanoTime() - start) / 1e9);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading", ex);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("could not generate the data", ex.getCause());
        }
        finally
        {
            generators.shutdownNow();
        }
    }
}
