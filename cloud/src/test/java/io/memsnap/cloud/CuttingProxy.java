package io.memsnap.cloud;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of a server that cuts connections in the middle of what the client sends: each connection
 * is cut once it has carried {@code cutAfter} bytes to the server, while cuts are left, and, once
 * {@link #cutEverything()} is called, every connection at once.
 */
final class CuttingProxy implements AutoCloseable
{
    private final ServerSocket listener;
    private final InetSocketAddress upstream;
    private final long cutAfter;
    private final AtomicInteger cutsLeft;
    private final AtomicInteger cuts = new AtomicInteger();
    private final AtomicLong forwarded = new AtomicLong();
    private volatile long cutAllAfterTotal = Long.MAX_VALUE;
    /** A request whose bytes hold this has its response dropped and its connection cut, once; null for none. */
    private volatile String dropResponseTo;
    private final AtomicInteger responsesDropped = new AtomicInteger();
    private final Thread acceptor;

    CuttingProxy(final URI server, final long cutAfter, final int cutsLeft) throws IOException
    {
        this.upstream = new InetSocketAddress(server.getHost(), server.getPort());
        this.cutAfter = cutAfter;
        this.cutsLeft = new AtomicInteger(cutsLeft);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "cutting-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI uri()
    {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    int cuts()
    {
        return cuts.get();
    }

    /** From now on, cuts every connection once the proxy has carried {@code total} bytes to the server in all. */
    void cutEverythingAfter(final long total)
    {
        cutAllAfterTotal = total;
    }

    void cutEverything()
    {
        cutAllAfterTotal = 0;
    }

    /** The first request whose bytes contain {@code fragment} reaches the server; its response is lost. */
    void dropResponseTo(final String fragment)
    {
        dropResponseTo = fragment;
    }

    int responsesDropped()
    {
        return responsesDropped.get();
    }

    private void accept()
    {
        while (!listener.isClosed())
        {
            try
            {
                final Socket client = listener.accept();
                final Socket server = new Socket(upstream.getHostString(), upstream.getPort());
                final AtomicBoolean drop = new AtomicBoolean();
                start(() -> pump(client, server, true, drop), "up");
                start(() -> pump(server, client, false, drop), "down");
            }
            catch (final IOException ex)
            {
                return; // closed
            }
        }
    }

    private static void start(final Runnable r, final String name)
    {
        final Thread t = new Thread(r, "cutting-proxy-" + name);
        t.setDaemon(true);
        t.start();
    }

    private void pump(final Socket from, final Socket to, final boolean toServer, final AtomicBoolean drop)
    {
        final byte[] buffer = new byte[8192];
        long carried = 0;
        try
        {
            final InputStream in = from.getInputStream();
            final OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) > 0; )
            {
                final String fragment = dropResponseTo;
                if (toServer && fragment != null &&
                    new String(buffer, 0, n, StandardCharsets.ISO_8859_1).contains(fragment))
                {
                    dropResponseTo = null; // once
                    drop.set(true);
                }
                if (!toServer && drop.get())
                {
                    responsesDropped.incrementAndGet();
                    break; // the request took effect; its answer never arrives
                }
                if (toServer && (forwarded.get() >= cutAllAfterTotal ||
                    carried + n > cutAfter && cutsLeft.getAndDecrement() > 0))
                {
                    out.write(buffer, 0, Math.max(0, n / 2)); // the server gets a request cut in the middle
                    out.flush();
                    cuts.incrementAndGet();
                    break;
                }
                out.write(buffer, 0, n);
                out.flush();
                carried += n;
                if (toServer)
                {
                    forwarded.addAndGet(n);
                }
            }
        }
        catch (final IOException ex)
        {
            // the other side closed: close both
        }
        finally
        {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(final Socket s)
    {
        try
        {
            s.close();
        }
        catch (final IOException ignored)
        {
            // closing
        }
    }

    @Override
    public void close() throws IOException
    {
        listener.close();
    }
}
