package io.memsnap.bench.engine;

import io.memsnap.Durability;
import io.memsnap.bench.VectorShape;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.List;

/** Creates engines by name. The peers' classes live in bench/peers and are found only in its benchmarks-all.jar. */
public final class Engines
{
    public static final String MEMSNAP = "memsnap";
    /** memsnap with {@code Durability.BUFFERED}, on the store {@link #MEMSNAP} builds (see {@link #storeOf}). */
    public static final String MEMSNAP_BUFFERED = "memsnap-buffered";
    public static final String SEED_JSON = "seed-json";
    public static final String CHRONICLE_MAP = "chronicle-map";
    public static final String LMDB = "lmdb";
    public static final String ROCKSDB = "rocksdb";

    /** Every engine, memsnap first (the full suite runs each); memsnap's durability modes are variants of it. */
    public static final List<String> ALL = List.of(MEMSNAP, SEED_JSON, CHRONICLE_MAP, LMDB, ROCKSDB);
    /** The order of the engines and variants in reports. */
    public static final List<String> ORDER = List.of(MEMSNAP, MEMSNAP_BUFFERED, SEED_JSON, CHRONICLE_MAP, LMDB,
        ROCKSDB);

    private Engines()
    {
    }

    /**
     * @param dir      the store's directory.
     * @param capacity how many entries it will hold (engines that size their files up front use it).
     * @param shape    the vectors it will hold (engines that size their files up front use their mean size).
     * @param existing whether the directory holds a store built earlier, to reopen.
     */
    public static Engine open(final String name, final Path dir, final long capacity, final VectorShape shape,
        final boolean existing)
    {
        switch (name)
        {
            case MEMSNAP:
                return new MemsnapEngine(dir, capacity, existing);
            case MEMSNAP_BUFFERED:
                return new MemsnapEngine(dir, MEMSNAP_BUFFERED, Durability.BUFFERED);
            case SEED_JSON:
                return new SeedJsonEngine(dir, capacity, existing);
            case CHRONICLE_MAP:
                return reflect("io.memsnap.bench.peers.ChronicleMapEngine", dir, capacity, shape, existing);
            case LMDB:
                return reflect("io.memsnap.bench.peers.LmdbEngine", dir, capacity, shape, existing);
            case ROCKSDB:
                return reflect("io.memsnap.bench.peers.RocksDbEngine", dir, capacity, shape, existing);
            default:
                throw new IllegalArgumentException("unknown engine '" + name + "'; engines: " + ORDER);
        }
    }

    /**
     * @return the engine whose stores {@code name} uses: the durability modes of memsnap share memsnap's (a store
     * opens in any mode), every other engine its own.
     */
    public static String storeOf(final String name)
    {
        return MEMSNAP_BUFFERED.equals(name) ? MEMSNAP : name;
    }

    /** @return whether the engine's classes are on the class path. */
    public static boolean available(final String name)
    {
        switch (name)
        {
            case MEMSNAP:
            case MEMSNAP_BUFFERED:
            case SEED_JSON:
                return true;
            case CHRONICLE_MAP:
                return present("io.memsnap.bench.peers.ChronicleMapEngine");
            case LMDB:
                return present("io.memsnap.bench.peers.LmdbEngine");
            case ROCKSDB:
                return present("io.memsnap.bench.peers.RocksDbEngine");
            default:
                return false;
        }
    }

    private static boolean present(final String className)
    {
        try
        {
            Class.forName(className, false, Engines.class.getClassLoader());
            return true;
        }
        catch (final ClassNotFoundException ex)
        {
            return false;
        }
    }

    private static Engine reflect(final String className, final Path dir, final long capacity,
        final VectorShape shape, final boolean existing)
    {
        try
        {
            return (Engine)Class.forName(className)
                .getConstructor(Path.class, long.class, VectorShape.class, boolean.class)
                .newInstance(dir, capacity, shape, existing);
        }
        catch (final ClassNotFoundException ex)
        {
            throw new IllegalStateException(className + " is not on the class path: the peers live in " +
                "bench/peers; run bench/peers/target/benchmarks-all.jar", ex);
        }
        catch (final InvocationTargetException ex)
        {
            if (ex.getCause() instanceof RuntimeException)
            {
                throw (RuntimeException)ex.getCause();
            }
            throw new IllegalStateException("could not open " + className, ex.getCause());
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("could not open " + className, ex);
        }
    }
}
