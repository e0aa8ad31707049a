package io.memsnap.bench;

import io.memsnap.bench.engine.Engines;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;


/**
 * Draws the report's plots from a JMH JSON result file with the JDK's own Java2D (headless; no network, no other
 * dependency):
 *
 * <ul>
 *   <li>{@code snapshot-latency-vs-size.png}: snapshot p50 and p99 against the number of entries (1,000 changes),
 *       one line pair an engine, both axes logarithmic;</li>
 *   <li>{@code snapshot-latency-vs-changes.png}: the same against the number of changes at 1M entries;</li>
 *   <li>{@code put-latency-percentiles.png}: put p50, p99, p99.9 alone and with a snapshotter, per engine;</li>
 *   <li>{@code throughput-by-shape.png}: one thread's puts that overwrite, puts of new ids, copying gets and zero-copy
 *       reads per second, per engine, at each vector shape ({@code Suite throughput}: the means over its rounds).</li>
 * </ul>
 *
 * A plot whose benchmarks the file does not hold is not drawn.
 *
 * <pre>java -Djava.awt.headless=true -cp bench/target/benchmarks.jar io.memsnap.bench.Plots RESULTS.json OUT_DIR</pre>
 */
public final class Plots
{
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 620;
    private static final int LEFT = 115;
    private static final int RIGHT = 230;
    private static final int TOP = 60;
    private static final int BOTTOM = 70;
    private static final Color[] COLORS = {
        new Color(0x1F77B4), new Color(0xD62728), new Color(0x2CA02C), new Color(0x9467BD), new Color(0xFF7F0E),
        new Color(0x8C564B)};

    private Plots()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        if (args.length < 2)
        {
            System.err.println("usage: Plots RESULTS.json OUT_DIR");
            System.exit(2);
        }
        final JmhResults results = JmhResults.read(Path.of(args[0]), null);
        final Path out = Path.of(args[1]);
        Files.createDirectories(out);
        latencyAgainst(results, "entries", Map.of("changes", "1000"), "Snapshot latency against store size " +
            "(1,000 changes since the previous snapshot)", "entries in the store",
            out.resolve("snapshot-latency-vs-size.png"));
        latencyAgainst(results, "changes", Map.of("entries", "1000000"), "Snapshot latency against changes " +
            "since the previous snapshot (1M entries)", "entries changed since the previous snapshot",
            out.resolve("snapshot-latency-vs-changes.png"));
        putPercentiles(results, out.resolve("put-latency-percentiles.png"));
        throughputByShape(results, out.resolve("throughput-by-shape.png"));
        System.out.println("plots written to " + out.toAbsolutePath());
    }

    private static void latencyAgainst(final JmhResults results, final String axis, final Map<String, String> fixed,
        final String title, final String xLabel, final Path file) throws IOException
    {
        final Map<String, TreeMap<Double, double[]>> series = new LinkedHashMap<>();
        for (final Map<String, Object> r : results.find("SnapshotLatencyBenchmark.snapshot", "sample", fixed))
        {
            final String engine = JmhResults.param(r, "engine");
            final String x = JmhResults.param(r, axis);
            final Map<String, String> params = new LinkedHashMap<>(fixed);
            params.put("engine", engine);
            params.put(axis, x);
            final JmhResults.Merged m = results.merged("SnapshotLatencyBenchmark.snapshot", "sample", params, null);
            series.computeIfAbsent(engine, (k) -> new TreeMap<>()).put(Double.parseDouble(x),
                new double[] {m.percentile(50), m.percentile(99)});
        }
        if (series.isEmpty())
        {
            return;
        }
        double minX = Double.MAX_VALUE;
        double maxX = 0;
        double minY = Double.MAX_VALUE;
        double maxY = 0;
        for (final TreeMap<Double, double[]> s : series.values())
        {
            for (final Map.Entry<Double, double[]> e : s.entrySet())
            {
                minX = Math.min(minX, e.getKey());
                maxX = Math.max(maxX, e.getKey());
                for (final double y : e.getValue())
                {
                    if (y > 0)
                    {
                        minY = Math.min(minY, y);
                        maxY = Math.max(maxY, y);
                    }
                }
            }
        }
        final Chart chart = new Chart(title, xLabel, "latency (ms, log)", Math.floor(Math.log10(minX)),
            Math.ceil(Math.log10(maxX) + 1e-9), Math.floor(Math.log10(minY)), Math.ceil(Math.log10(maxY) + 1e-9));
        int c = 0;
        for (final Map.Entry<String, TreeMap<Double, double[]>> s : series.entrySet())
        {
            final Color color = color(s.getKey());
            for (int p = 0; p < 2; p++)
            {
                final List<double[]> points = new ArrayList<>();
                for (final Map.Entry<Double, double[]> e : s.getValue().entrySet())
                {
                    points.add(new double[] {Math.log10(e.getKey()), Math.log10(e.getValue()[p])});
                }
                chart.line(points, color, p == 1, s.getKey() + (p == 0 ? " p50" : " p99"), c * 2 + p);
            }
            c++;
        }
        chart.write(file);
    }

    private static void putPercentiles(final JmhResults results, final Path file) throws IOException
    {
        final double[] percentiles = {50, 99, 99.9};
        final Map<String, double[][]> bars = new LinkedHashMap<>();
        for (final Map<String, Object> r : results.find("WriterStallBenchmark.putsAlone", "sample", Map.of()))
        {
            final String engine = JmhResults.param(r, "engine");
            if (bars.containsKey(engine))
            {
                continue;
            }
            // As the gate: JMH keeps no histogram for a group's methods, so both sides are round means.
            final JmhResults.Merged alone = results.merged("WriterStallBenchmark.putsAlone", "sample",
                Map.of("engine", engine), null);
            final JmhResults.Merged with = results.merged("WriterStallBenchmark.putsWithSnapshots", "sample",
                Map.of("engine", engine), "put");
            final double[][] values = new double[2][percentiles.length];
            for (int p = 0; p < percentiles.length; p++)
            {
                values[0][p] = alone.roundMeanPercentile(percentiles[p]);
                values[1][p] = with == null ? Double.NaN : with.roundMeanPercentile(percentiles[p]);
            }
            bars.put(engine, values);
        }
        if (bars.isEmpty())
        {
            return;
        }
        double minY = Double.MAX_VALUE;
        double maxY = 0;
        for (final double[][] v : bars.values())
        {
            for (final double[] row : v)
            {
                for (final double y : row)
                {
                    if (y > 0)
                    {
                        minY = Math.min(minY, y);
                        maxY = Math.max(maxY, y);
                    }
                }
            }
        }
        final int groups = bars.size() * percentiles.length;
        final Chart chart = new Chart("Put latency: alone (light) and with a snapshotter running (dark)",
            "engine and percentile", "put latency (us, log)", 0, groups, Math.floor(Math.log10(minY)),
            Math.ceil(Math.log10(maxY) + 1e-9));
        int g = 0;
        int c = 0;
        for (final Map.Entry<String, double[][]> e : bars.entrySet())
        {
            final Color color = color(e.getKey());
            for (int p = 0; p < percentiles.length; p++)
            {
                final String label = "p" + String.valueOf(percentiles[p]).replace(".0", "");
                chart.bar(g + 0.12, g + 0.48, Math.log10(e.getValue()[0][p]), lighter(color));
                chart.bar(g + 0.52, g + 0.88, Math.log10(e.getValue()[1][p]), color);
                chart.category(g + 0.5, label);
                g++;
            }
            chart.group(g - percentiles.length / 2.0, percentiles.length / 2.0, e.getKey());
            chart.legend(e.getKey(), color, c);
            c++;
        }
        chart.write(file);
    }

    /**
     * One thread's operations per second by vector shape and operation, a bar per engine: the means over the rounds
     * of {@code ThroughputBenchmark} (put, get, read) and {@code InsertBenchmark} (a put of a new id).
     */
    private static void throughputByShape(final JmhResults results, final Path file) throws IOException
    {
        final String[] shapes = {"nnz30", "corpus"};
        final String[][] operations = {
            {"ThroughputBenchmark.put", "overwrite"}, {"InsertBenchmark.insert", "new id"},
            {"ThroughputBenchmark.get", "get"}, {"ThroughputBenchmark.read", "read"}};
        final List<String> engines = new ArrayList<>();
        for (final Map<String, Object> r : results.find("ThroughputBenchmark.put", "thrpt", Map.of()))
        {
            final String engine = JmhResults.param(r, "engine");
            if (!engines.contains(engine))
            {
                engines.add(engine);
            }
        }
        if (engines.isEmpty())
        {
            return;
        }
        final double[][][] values = new double[shapes.length][operations.length][engines.size()];
        double minY = Double.MAX_VALUE;
        double maxY = 0;
        for (int s = 0; s < shapes.length; s++)
        {
            for (int o = 0; o < operations.length; o++)
            {
                for (int e = 0; e < engines.size(); e++)
                {
                    final JmhResults.Merged m = results.merged(operations[o][0], "thrpt",
                        Map.of("engine", engines.get(e), "vectors", shapes[s]), null);
                    final double perSecond = m == null ? Double.NaN : m.score(); // ops/s (OutputTimeUnit)
                    values[s][o][e] = perSecond;
                    if (perSecond > 0)
                    {
                        minY = Math.min(minY, perSecond);
                        maxY = Math.max(maxY, perSecond);
                    }
                }
            }
        }
        if (maxY == 0)
        {
            return;
        }
        final Chart chart = new Chart("One thread's operations per second, 1M entries (30 non-zeros; about 3 KB)",
            "puts that overwrite, puts of new ids, copying gets, zero-copy reads", "operations / s (log)", 0, shapes.length * operations.length,
            Math.floor(Math.log10(minY)), Math.ceil(Math.log10(maxY) + 1e-9));
        final double width = 0.8 / engines.size();
        int g = 0;
        for (int s = 0; s < shapes.length; s++)
        {
            for (int o = 0; o < operations.length; o++)
            {
                for (int e = 0; e < engines.size(); e++)
                {
                    final double from = g + 0.1 + e * width;
                    chart.bar(from, from + width, Math.log10(values[s][o][e]), color(engines.get(e)));
                }
                chart.category(g + 0.5, operations[o][1]);
                g++;
            }
            chart.group(g - operations.length / 2.0, operations.length / 2.0,
                "nnz30".equals(shapes[s]) ? "30 non-zeros" : "about 3 KB");
        }
        for (int e = 0; e < engines.size(); e++)
        {
            chart.legendSolid(engines.get(e), color(engines.get(e)), e);
        }
        chart.write(file);
    }

    /** @return the engine's colour, the same in every plot. */
    private static Color color(final String engine)
    {
        final int i = Engines.ALL.indexOf(engine);
        return COLORS[(i < 0 ? Engines.ALL.size() : i) % COLORS.length];
    }

    private static Color lighter(final Color c)
    {
        return new Color((c.getRed() + 2 * 255) / 3, (c.getGreen() + 2 * 255) / 3, (c.getBlue() + 2 * 255) / 3);
    }

    /** One chart: axes, grid, title; x in data units, y in log10 units. */
    private static final class Chart
    {
        private final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        private final Graphics2D g = image.createGraphics();
        private final double x0;
        private final double x1;
        private final double y0;
        private final double y1;
        private final boolean logX;

        Chart(final String title, final String xLabel, final String yLabel, final double x0, final double x1,
            final double y0, final double y1)
        {
            this.x0 = x0;
            this.x1 = x1;
            this.y0 = y0;
            this.y1 = y1 == y0 ? y0 + 1 : y1;
            this.logX = xLabel.startsWith("entries");
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
            g.drawString(title, LEFT, 32);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            g.drawString(xLabel, LEFT + (WIDTH - LEFT - RIGHT) / 2 - g.getFontMetrics().stringWidth(xLabel) / 2,
                HEIGHT - 8);
            final Graphics2D rotated = (Graphics2D)g.create();
            rotated.rotate(-Math.PI / 2);
            rotated.drawString(yLabel, -(TOP + (HEIGHT - TOP - BOTTOM) / 2) -
                g.getFontMetrics().stringWidth(yLabel) / 2, 22);
            rotated.dispose();
            for (int e = (int)this.y0; e <= (int)this.y1; e++)
            {
                final int y = py(e);
                g.setColor(new Color(0xDDDDDD));
                g.drawLine(LEFT, y, WIDTH - RIGHT, y);
                g.setColor(Color.BLACK);
                final String label = decimal(Math.pow(10, e));
                g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), y + 5);
            }
            if (logX)
            {
                for (int e = (int)x0; e <= (int)x1; e++)
                {
                    final int x = px(e);
                    g.setColor(new Color(0xDDDDDD));
                    g.drawLine(x, TOP, x, HEIGHT - BOTTOM);
                    g.setColor(Color.BLACK);
                    final String label = count(Math.pow(10, e));
                    g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, HEIGHT - BOTTOM + 20);
                }
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
        }

        private static String decimal(final double v)
        {
            if (v >= 1)
            {
                return String.format("%,.0f", v);
            }
            return String.format("%s", v).replaceAll("0+$", "");
        }

        private static String count(final double v)
        {
            if (v >= 1e6)
            {
                return String.format("%.0fM", v / 1e6);
            }
            if (v >= 1e3)
            {
                return String.format("%.0fK", v / 1e3);
            }
            return String.format("%.0f", v);
        }

        int px(final double x)
        {
            return LEFT + (int)Math.round((x - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT));
        }

        int py(final double y)
        {
            return HEIGHT - BOTTOM - (int)Math.round((y - y0) / (y1 - y0) * (HEIGHT - TOP - BOTTOM));
        }

        void line(final List<double[]> points, final Color color, final boolean solid, final String label,
            final int legendRow)
        {
            final Stroke stroke = solid ? new BasicStroke(2.5f) :
                new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {7, 5}, 0);
            g.setColor(color);
            g.setStroke(stroke);
            for (int i = 1; i < points.size(); i++)
            {
                g.drawLine(px(points.get(i - 1)[0]), py(points.get(i - 1)[1]), px(points.get(i)[0]),
                    py(points.get(i)[1]));
            }
            for (final double[] p : points)
            {
                if (solid)
                {
                    g.fillOval(px(p[0]) - 4, py(p[1]) - 4, 8, 8);
                }
                else
                {
                    g.drawRect(px(p[0]) - 3, py(p[1]) - 3, 6, 6);
                }
            }
            final int ly = TOP + 10 + legendRow * 22;
            g.drawLine(WIDTH - RIGHT + 15, ly, WIDTH - RIGHT + 50, ly);
            g.setStroke(new BasicStroke(1));
            g.setColor(Color.BLACK);
            g.drawString(label, WIDTH - RIGHT + 58, ly + 5);
        }

        void bar(final double from, final double to, final double value, final Color color)
        {
            if (Double.isNaN(value))
            {
                return;
            }
            final int top = py(Math.max(y0, value));
            g.setColor(color);
            g.fillRect(px(from), top, px(to) - px(from), HEIGHT - BOTTOM - top);
            g.setColor(Color.DARK_GRAY);
            g.drawRect(px(from), top, px(to) - px(from), HEIGHT - BOTTOM - top);
        }

        void category(final double x, final String label)
        {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(label, px(x) - g.getFontMetrics().stringWidth(label) / 2, HEIGHT - BOTTOM + 18);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        }

        /** A group's label under its categories, centred at {@code x}, and a rule {@code halfWidth} to its right. */
        void group(final double x, final double halfWidth, final String label)
        {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            g.drawString(label, px(x) - g.getFontMetrics().stringWidth(label) / 2, HEIGHT - BOTTOM + 36);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            g.setColor(new Color(0xBBBBBB));
            g.drawLine(px(x + halfWidth), TOP, px(x + halfWidth), HEIGHT - BOTTOM);
        }

        void legend(final String label, final Color color, final int row)
        {
            final int ly = TOP + 10 + row * 22;
            g.setColor(lighter(color));
            g.fillRect(WIDTH - RIGHT + 15, ly - 7, 16, 14);
            g.setColor(color);
            g.fillRect(WIDTH - RIGHT + 33, ly - 7, 16, 14);
            g.setColor(Color.BLACK);
            g.drawString(label, WIDTH - RIGHT + 58, ly + 5);
        }

        void legendSolid(final String label, final Color color, final int row)
        {
            final int ly = TOP + 10 + row * 22;
            g.setColor(color);
            g.fillRect(WIDTH - RIGHT + 15, ly - 7, 34, 14);
            g.setColor(Color.BLACK);
            g.drawString(label, WIDTH - RIGHT + 58, ly + 5);
        }

        void write(final Path file) throws IOException
        {
            g.dispose();
            ImageIO.write(image, "png", file.toFile());
        }
    }
}
