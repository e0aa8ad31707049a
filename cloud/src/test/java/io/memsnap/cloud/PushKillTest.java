package io.memsnap.cloud;

import io.memsnap.MemoryEntry;
import io.memsnap.MemoryStore;
import io.memsnap.StoreOptions;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pushing process killed with SIGKILL at random moments, 20 times over one store and one prefix: after each kill
 * the newest committed remote snapshot restores, verifies and holds exactly one whole round of writes, never older
 * than the last push the child reported; the next child's push carries on.
 */
class PushKillTest
{
    private static final int ROUNDS = 20;

    @RegisterExtension
    final S3ProxyExtension server = S3Fixture.server();

    @TempDir
    Path tmp;

    @Test
    void killedPushLeavesTheLastCommittedSnapshot() throws Exception
    {
        final long seed = Long.getLong("memsnap.cloud.kill.seed", System.nanoTime());
        final Random random = new Random(seed);
        final Path dir = tmp.resolve("store");
        S3Fixture.createBucket(server.getUri());
        long lastReported = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            final Process child = new ProcessBuilder(command(dir)).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                // Kill once the child began its first or second push, a random moment after it began.
                final int pushes = 1 + random.nextInt(2);
                for (int begun = 0; begun < pushes; )
                {
                    final String line = out.readLine();
                    assertTrue(line != null, "the child died on its own (seed " + seed + ")");
                    if (line.startsWith("pushed "))
                    {
                        lastReported = Long.parseLong(line.split(" ")[1]);
                    }
                    begun += line.startsWith("pushing ") ? 1 : 0;
                }
                TimeUnit.MILLISECONDS.sleep(random.nextInt(400)); // the kill's moment, not a wait for an outcome
                child.destroyForcibly(); // SIGKILL
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            }
            check(round, lastReported, seed);
        }
    }

    private void check(final int round, final long lastReported, final long seed) throws IOException
    {
        final Path restored = tmp.resolve("restored-" + round);
        try (RemoteStore remote = S3Fixture.remote(server, "killed"))
        {
            if (remote.generations().isEmpty())
            {
                assertEquals(0, lastReported, "a reported push is gone (seed " + seed + ")");
                return;
            }
            new Restorer(remote).restore(restored, 0);
        }
        try (MemoryStore store = MemoryStore.open(restored, StoreOptions.builder().readOnly(true).build()))
        {
            assertTrue(store.verify(true).ok(), "round " + round + " (seed " + seed + ")");
            final long version = ByteBuffer.wrap(store.getState("version").orElseThrow()).getLong();
            assertTrue(version >= lastReported, "remote version " + version + " is older than the reported " +
                lastReported + " (seed " + seed + ")");
            assertEquals(PushChild.ENTRIES, store.size());
            assertArrayEquals(PushChild.ballast(version), store.getState("ballast").orElseThrow(), "ballast of " +
                version);
            for (int n = 0; n < PushChild.ENTRIES; n++)
            {
                final MemoryEntry e = store.get(Stores.id(n)).orElseThrow();
                assertArrayEquals(Stores.metadata(n, version), e.metadata(), "entry " + n + " is not of version " +
                    version + " (round " + round + ", seed " + seed + ")");
            }
        }
        MemoryStoreDirs.delete(restored);
    }

    private List<String> command(final Path dir)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1"); // starts sooner; the child's speed does not matter
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(PushChild.class.getName());
        command.add(server.getUri().toString());
        command.add(dir.toString());
        command.add("killed");
        return command;
    }
}
