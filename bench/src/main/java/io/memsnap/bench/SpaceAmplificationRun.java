package io.memsnap.bench;

import io.memsnap.MemoryEntry;
import io.memsnap.MemoryStore;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A long run, not a JMH benchmark: how the store's bytes on disk evolve under steady random overwrites with a
 * snapshot every 1,000 changes, beside put and snapshot latency, with background compaction running as configured
 * by default.
 *
 * <p>The store is loaded with {@code --entries} entries of 30 non-zeros (sorted distinct indices below 2^18, random
 * values, 24 bytes of metadata), snapshotted, and then overwritten at random keys {@code --overwrites} times (new
 * vectors of the same shape), with a snapshot after every {@code --snapshot-every} changes. Every
 * {@code --sample-every} changes it records the store's allocated bytes ({@code du -B1}, what the disk really
 * holds; sparse files count what they hold) and apparent bytes, and the put and snapshot latencies of the window
 * (p50, p99, max). The reference, "the same live data written fresh", is measured at the start, in the middle and at
 * the end by copying every live entry in id order into a new store (what export and import do) and taking its
 * allocated bytes; space amplification is the store's allocated bytes over the nearest reference.
 *
 * <p>Writes {@code space.csv} and {@code space-amplification.png} to {@code --out}.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.memsnap.bench.SpaceAmplificationRun --entries 1000000
 *     --overwrites 5000000 --out docs/benchmarks</pre>
 */
public final class SpaceAmplificationRun
{
    private static final int NNZ = 30;
    private static final int P50_US = 7;
    private static final int P99_US = 8;
    private static final int SNAP_P50_MS = 10;
    private static final int SNAP_P99_MS = 11;
    private static final int DIMENSION = 1 << 18;

    private long entries = 1_000_000;
    private long overwrites = 5_000_000;
    private int snapshotEvery = 1000;
    private long sampleEvery = 100_000;
    private Path out = Path.of("bench/target/space");
    private Path data = BenchDirs.resolve("space-amplification");
    private StoreOptions.Builder tuning = StoreOptions.builder();

    private final List<double[]> rows = new ArrayList<>();

    public static void main(final String[] args) throws IOException
    {
        final SpaceAmplificationRun run = new SpaceAmplificationRun();
        for (int i = 0; i < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--entries" -> run.entries = Long.parseLong(args[i + 1]);
                case "--overwrites" -> run.overwrites = Long.parseLong(args[i + 1]);
                case "--snapshot-every" -> run.snapshotEvery = Integer.parseInt(args[i + 1]);
                case "--sample-every" -> run.sampleEvery = Long.parseLong(args[i + 1]);
                case "--out" -> run.out = Path.of(args[i + 1]);
                case "--data" -> run.data = Path.of(args[i + 1]);
                case "--compaction-dead-fraction" ->
                    run.tuning.compactionDeadFraction(Double.parseDouble(args[i + 1]));
                case "--index-compaction-ratio" -> run.tuning.indexCompactionRatio(Double.parseDouble(args[i + 1]));
                default ->
                {
                    System.err.println("usage: SpaceAmplificationRun [--entries N] [--overwrites N] " +
                        "[--snapshot-every N] [--sample-every N] [--out DIR] [--data DIR] " +
                        "[--compaction-dead-fraction F] [--index-compaction-ratio R]");
                    System.exit(2);
                }
            }
        }
        run.run();
    }

    private void run() throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(out);
        BenchDirs.deleteTree(data);
        final Path store = data.resolve("store");
        final SplittableRandom random = new SplittableRandom(0x5BACE);
        final int[] indices = new int[NNZ];
        final float[] values = new float[NNZ];
        final byte[] metadata = "{\"src\":\"bench\",\"n\":000000}".getBytes(StandardCharsets.US_ASCII);
        final StoreOptions options = tuning.dimension(DIMENSION).build();
        final long[] references = new long[3];
        try (MemoryStore s = MemoryStore.open(store, options))
        {
            final long start = System.nanoTime();
            for (long i = 0; i < entries; i++)
            {
                s.put(Embeddings.id(i), vector(random, indices, values), 0.5f, i, metadata);
                if ((i + 1) % snapshotEvery == 0)
                {
                    s.snapshot();
                }
            }
            s.snapshot();
            System.out.printf(Locale.ROOT, "loaded %,d entries in %.1f s%n", entries,
                (System.nanoTime() - start) / 1e9);
            references[0] = fresh(s);
            final long[] putNanos = new long[(int)Math.min(sampleEvery, Integer.MAX_VALUE - 8)];
            final long[] snapshotNanos = new long[(int)(sampleEvery / snapshotEvery) + 2];
            int puts = 0;
            int snapshots = 0;
            for (long n = 1; n <= overwrites; n++)
            {
                final String id = Embeddings.id(random.nextLong(entries));
                final SparseVector v = vector(random, indices, values);
                final long t0 = System.nanoTime();
                s.put(id, v, 0.5f, n, metadata);
                putNanos[puts++] = System.nanoTime() - t0;
                if (n % snapshotEvery == 0)
                {
                    final long t1 = System.nanoTime();
                    s.snapshot();
                    snapshotNanos[snapshots++] = System.nanoTime() - t1;
                }
                if (n % sampleEvery == 0 || n == overwrites)
                {
                    if (n == overwrites / 2 && references[1] == 0)
                    {
                        references[1] = fresh(s);
                    }
                    sample(n, store, references, putNanos, puts, snapshotNanos, snapshots);
                    puts = 0;
                    snapshots = 0;
                }
            }
            references[2] = fresh(s);
        }
        writeCsv(references);
        plot(references);
    }

    /** @return a vector of 30 sorted distinct indices below 2^18 and random values, in the arrays given. */
    static SparseVector vector(final SplittableRandom random, final int[] indices, final float[] values)
    {
        int n = 0;
        while (n < NNZ)
        {
            final int candidate = random.nextInt(DIMENSION);
            boolean seen = false;
            for (int k = 0; k < n; k++)
            {
                seen |= indices[k] == candidate;
            }
            if (!seen)
            {
                indices[n++] = candidate;
            }
        }
        Arrays.sort(indices);
        for (int k = 0; k < NNZ; k++)
        {
            values[k] = (float)random.nextDouble();
        }
        return SparseVector.of(indices, values);
    }

    /** @return the allocated bytes of a new store holding exactly the live entries of {@code s}. */
    private long fresh(final MemoryStore s) throws IOException
    {
        final Path copy = data.resolve("fresh");
        BenchDirs.deleteTree(copy);
        try (MemoryStore fresh = MemoryStore.open(copy, StoreOptions.builder().dimension(DIMENSION).build()))
        {
            s.forEachInIdOrder(view ->
            {
                final MemoryEntry e = view.toEntry();
                fresh.put(e.id(), e.vector(), e.importance(), e.storedAtMillis(), e.metadata());
            });
            fresh.snapshot();
        }
        final long bytes = du(copy, false);
        System.out.printf(Locale.ROOT, "fresh copy of %,d entries: %,d bytes allocated%n", s.size(), bytes);
        BenchDirs.deleteTree(copy);
        return bytes;
    }

    private void sample(final long changes, final Path store, final long[] references, final long[] putNanos,
        final int puts, final long[] snapshotNanos, final int snapshots)
    {
        final long[] kinds = allocatedByKind(store);
        final long allocated = kinds[0] + kinds[1] + kinds[2];
        final long apparent = du(store, true);
        Arrays.sort(putNanos, 0, puts);
        Arrays.sort(snapshotNanos, 0, snapshots);
        final long reference = references[1] != 0 && changes > overwrites / 2 ? references[1] : references[0];
        final double[] row = {
            changes, allocated, apparent, (double)allocated / reference, kinds[0], kinds[1], kinds[2],
            percentile(putNanos, puts, 0.5) / 1e3, percentile(putNanos, puts, 0.99) / 1e3,
            percentile(putNanos, puts, 1.0) / 1e3,
            percentile(snapshotNanos, snapshots, 0.5) / 1e6, percentile(snapshotNanos, snapshots, 0.99) / 1e6,
            percentile(snapshotNanos, snapshots, 1.0) / 1e6};
        rows.add(row);
        System.out.printf(Locale.ROOT, "%,12d changes: %,d bytes allocated (%.2fx fresh: segments %,d, index %,d, " +
            "other %,d), %,d apparent; put p50 %.1f us p99 %.1f us; snapshot p50 %.2f ms p99 %.2f ms%n", changes,
            allocated, row[3], kinds[0], kinds[1], kinds[2], apparent, row[P50_US], row[P99_US], row[SNAP_P50_MS],
            row[SNAP_P99_MS]);
    }

    /** @return the {@code q} quantile of the first {@code n} values of {@code sorted} (nearest rank), 0 if none. */
    static double percentile(final long[] sorted, final int n, final double q)
    {
        return n == 0 ? 0 : sorted[Math.min(n - 1, (int)Math.floor(q * (n - 1) + 0.5))];
    }

    /** @return the allocated bytes of the segment files, of the index files, and of the other files. */
    static long[] allocatedByKind(final Path dir)
    {
        final long[] kinds = new long[3];
        for (final String line : run(List.of("du", "-a", "-B1", dir.toString())).split("\n"))
        {
            final String[] parts = line.trim().split("\\s+", 2);
            if (parts.length < 2)
            {
                continue;
            }
            final Path p = Path.of(parts[1]);
            if (p.equals(dir) || Files.isDirectory(p))
            {
                continue;
            }
            final String name = p.getFileName().toString();
            final int kind = name.startsWith("segment-") ? 0 : name.startsWith("index") ? 1 : 2;
            kinds[kind] += Long.parseLong(parts[0]);
        }
        return kinds;
    }

    /** @return the bytes under {@code path} as du reports them: allocated blocks, or apparent sizes. */
    static long du(final Path path, final boolean apparent)
    {
        final List<String> command = new ArrayList<>(List.of("du", "-s", "-B1"));
        if (apparent)
        {
            command.add("--apparent-size");
        }
        command.add(path.toString());
        return Long.parseLong(run(command).trim().split("\\s+")[0]);
    }

    private static String run(final List<String> command)
    {
        try
        {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String text;
            try (InputStream in = p.getInputStream())
            {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            if (p.waitFor() != 0)
            {
                throw new IOException(command + " failed: " + text);
            }
            return text;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private void writeCsv(final long[] references) throws IOException
    {
        final StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "# entries=%d overwrites=%d snapshot_every=%d fresh_bytes=%d,%d,%d%n",
            entries, overwrites, snapshotEvery, references[0], references[1], references[2]));
        b.append("changes,allocated_bytes,apparent_bytes,amplification,segment_bytes,index_bytes,other_bytes," +
            "put_p50_us,put_p99_us,put_max_us,snapshot_p50_ms,snapshot_p99_ms,snapshot_max_ms\n");
        for (final double[] r : rows)
        {
            b.append(String.format(Locale.ROOT, "%d,%d,%d,%.4f,%d,%d,%d,%.2f,%.2f,%.2f,%.3f,%.3f,%.3f%n", (long)r[0],
                (long)r[1], (long)r[2], r[3], (long)r[4], (long)r[5], (long)r[6], r[7], r[8], r[9], r[10], r[11],
                r[12]));
        }
        Files.writeString(out.resolve("space.csv"), b.toString());
    }

    private void plot(final long[] references) throws IOException
    {
        final int width = 1000;
        final int panel = 300;
        final BufferedImage image = new BufferedImage(width, 3 * panel + 40, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(String.format(Locale.ROOT, "%,d entries of %d non-zeros, random overwrites, a snapshot every " +
            "%,d changes (fresh copy: %,d bytes)", entries, NNZ, snapshotEvery, references[0]), 20, 26);
        panel(g, 40, panel, width, "space amplification (allocated bytes / fresh copy)", new int[] {3},
            new String[] {"amplification"}, 1.5);
        panel(g, 40 + panel, panel, width, "put latency per window (us)", new int[] {7, 8, 9},
            new String[] {"p50", "p99", "max"}, Double.NaN);
        panel(g, 40 + 2 * panel, panel, width, "snapshot latency per window (ms)", new int[] {10, 11, 12},
            new String[] {"p50", "p99", "max"}, Double.NaN);
        g.dispose();
        ImageIO.write(image, "png", out.resolve("space-amplification.png").toFile());
    }

    private void panel(final Graphics2D g, final int top, final int height, final int width, final String title,
        final int[] columns, final String[] names, final double limit)
    {
        final int left = 90;
        final int right = width - 120;
        final int y0 = top + 30;
        final int y1 = top + height - 40;
        double max = Double.isNaN(limit) ? 0 : limit * 1.1;
        final boolean log = Double.isNaN(limit);
        for (final double[] r : rows)
        {
            for (final int c : columns)
            {
                max = Math.max(max, r[c]);
            }
        }
        final double lo = log ? -1 : 0;
        final double hi = log ? Math.ceil(Math.log10(Math.max(max, 1))) : max;
        final double xMax = rows.isEmpty() ? 1 : rows.get(rows.size() - 1)[0];
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.setColor(Color.BLACK);
        g.drawString(title, left, top + 20);
        g.drawRect(left, y0, right - left, y1 - y0);
        final int ticks = log ? (int)(hi - lo) : 5;
        for (int t = 0; t <= ticks; t++)
        {
            final double v = lo + (hi - lo) * t / ticks;
            final int y = y1 - (int)Math.round((v - lo) / (hi - lo) * (y1 - y0));
            g.setColor(new Color(0xDDDDDD));
            g.drawLine(left, y, right, y);
            g.setColor(Color.BLACK);
            final String label = log ? String.format(Locale.ROOT, "%s", Math.pow(10, v)) :
                String.format(Locale.ROOT, "%.2f", v);
            g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), y + 5);
        }
        g.drawString(String.format(Locale.ROOT, "%,.0f changes", xMax), right - 100, y1 + 20);
        if (!Double.isNaN(limit))
        {
            final int y = y1 - (int)Math.round((limit - lo) / (hi - lo) * (y1 - y0));
            g.setColor(new Color(0xD62728));
            g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6, 4}, 0));
            g.drawLine(left, y, right, y);
            g.drawString("bound " + limit + "x", right + 8, y + 5);
        }
        final Color[] colors = {new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x2CA02C)};
        for (int k = 0; k < columns.length; k++)
        {
            g.setColor(colors[k % colors.length]);
            g.setStroke(new BasicStroke(2f));
            int px = -1;
            int py = -1;
            for (final double[] r : rows)
            {
                final double v = log ? Math.log10(Math.max(r[columns[k]], Math.pow(10, lo))) : r[columns[k]];
                final int x = left + (int)Math.round(r[0] / xMax * (right - left));
                final int y = y1 - (int)Math.round((v - lo) / (hi - lo) * (y1 - y0));
                if (px >= 0)
                {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            g.drawString(names[k], right + 8, y0 + 15 + 16 * k);
        }
        g.setStroke(new BasicStroke(1f));
    }
}
