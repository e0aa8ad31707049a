package io.memsnap.internal.snapshot;

import io.memsnap.CorruptStoreException;
import io.memsnap.IncompatibleFormatException;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.format.ManifestSlotsDescriptor;
import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.segment.MappedFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads, lists and commits manifests in a store directory. A snapshot's manifest lives in one place: a slot of
 * {@code manifests.mss} ({@link ManifestSlots}; every 4.0 manifest a slot holds), or a file of its own (every
 * manifest before 4.0, and a 4.0 manifest too large for a slot). {@link #generations()} and {@link #read} see both.
 *
 * <p><b>Slot commit</b> (4.0, {@link #prepare}, {@link #write}, {@link #committed}): the whole slot the previous commit
 * named as the next one is written in place and fdatasynced. The records the manifest names are flushed beside it
 * ({@link SnapshotWriter}): after a power cut a slot may be durable and its records not, which its checksums of the
 * flushed ranges tell ({@link FlushedRanges}), and recovery falls back to the snapshot before. The next slot is one
 * that holds no snapshot retention keeps once this one is committed, so a commit never overwrites a snapshot that
 * the last committed manifest keeps; the file grows by one slot when there is none.
 *
 * <p><b>File commit</b> (Lucene's {@code segments_N}; a manifest too large for a slot, and a migration's): write
 * {@code manifest-G.msm.pending}, fsync it, rename it atomically to {@code manifest-G.msm}, fsync the directory, after
 * the records it names were flushed. A crash leaves either no new manifest or a whole one; a stale {@code .pending}
 * file is deleted at the next open. Writers before 4.0 made the pending file of the oldest manifest file retention
 * dropped, renamed then overwritten ("recycled"): a store they wrote may hold what a power cut left of that, which
 * {@link #read} and {@link #isAbandonedRecycle} tell from damage.
 *
 * <p>Retention frees a slot by zeroing its first sector without a flush: the next commit's fdatasync of the same
 * file makes it durable, and {@link #syncRetirements} does so at once before files a retired snapshot needed are
 * deleted.
 *
 * <p>Thread safe for reads (a reader in another process sees a slot the writer rewrites as gone, as a recycled
 * file); commits, deletes and syncs are serialised by the store's commit lock.
 */
public final class ManifestStore
{
    /** A slot that fails is read this many times before it is taken for what it holds: the writer may be writing it. */
    private static final int SLOT_READS = 3;

    private final StoreFileSystem fs;
    private final Path dir;
    private final ManifestSlots slots;
    /** The slot each generation was in at the last listing: where {@link #read} looks first. */
    private volatile Map<Long, Integer> slotHint = Map.of();

    /** The writer's view of the slots; null until it writes. */
    private SlotAllocation allocation;
    /** Whether slots were freed, or manifest files deleted, since they were last made durable. */
    private boolean slotsFreed;
    private boolean filesDeleted;

    /** What one commit writes, and where. Immutable. */
    public static final class Commit
    {
        /** The manifest, with the next slot it names. */
        public final Manifest manifest;
        private final byte[] bytes;
        /** The slot it goes into, or -1 for a file of its own. */
        private final int slot;
        private final int nextSlot;

        Commit(final Manifest manifest, final byte[] bytes, final int slot, final int nextSlot)
        {
            this.manifest = manifest;
            this.bytes = bytes;
            this.slot = slot;
            this.nextSlot = nextSlot;
        }

        /** @return whether it goes into a slot (else into a file of its own, after the records it names). */
        public boolean inSlot()
        {
            return slot >= 0;
        }
    }

    /** @param fs the seam for commits and deletes; reads go to the files directly. */
    public ManifestStore(final StoreFileSystem fs, final Path dir)
    {
        this.fs = fs;
        this.dir = dir;
        this.slots = new ManifestSlots(fs, dir);
    }

    /** @return the manifest slots of this store (the file may not exist: stores before 4.0). */
    public ManifestSlots slots()
    {
        return slots;
    }

    /**
     * @return the generations of the manifests present, newest first: every manifest file (damaged ones included) and
     * every slot that validates.
     */
    public List<Long> generations() throws IOException
    {
        final TreeSet<Long> generations = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir))
        {
            files.forEach(p ->
            {
                final long g = ManifestDescriptor.parseFileName(p.getFileName().toString());
                if (g >= 0)
                {
                    generations.add(g);
                }
            });
        }
        final Map<Long, Integer> hint = new HashMap<>();
        for (final ManifestSlots.Slot slot : slots.readAll())
        {
            if (slot.state == ManifestSlots.Slot.State.VALID)
            {
                hint.putIfAbsent(slot.generation, slot.index);
                generations.add(slot.generation);
            }
        }
        slotHint = hint;
        return new ArrayList<>(generations.descendingSet());
    }

    /**
     * @return the highest generation on disk: of the manifests {@link #generations()} lists, and of a slot that does
     * not validate (a torn or damaged one names it in its sectors); -1 if none. A new snapshot takes one above it, so
     * that no generation is used twice, a snapshot moved aside included.
     */
    public long highestGeneration() throws IOException
    {
        final List<Long> listed = generations();
        long highest = listed.isEmpty() ? -1 : listed.get(0);
        for (final ManifestSlots.Slot slot : slots.readAll())
        {
            highest = Math.max(highest, slot.highestStamp);
        }
        return highest;
    }

    /** @return the file that holds the manifest of {@code generation}: its own, or {@code manifests.mss}. */
    public Path path(final long generation)
    {
        return slotHint.containsKey(generation) ? slots.path() : file(generation);
    }

    private Path file(final long generation)
    {
        return dir.resolve(ManifestDescriptor.fileName(generation));
    }

    /** @return whether the manifest of {@code generation} was in a slot at the last listing. */
    public boolean inSlot(final long generation)
    {
        return slotHint.containsKey(generation);
    }

    /**
     * @throws CorruptStoreException if it is damaged.
     * @throws NoSuchFileException   if it is gone (retired, or its slot rewritten), or is a recycled file whose
     *                               commit did not finish (see {@link #commit}): either way no snapshot of this
     *                               generation is there.
     */
    public Manifest read(final long generation) throws IOException
    {
        Integer slot = slotHint.get(generation);
        if (slot == null && !Files.exists(file(generation)))
        {
            generations(); // committed since the last listing?
            slot = slotHint.get(generation);
        }
        return slot != null ? readSlot(generation, slot) : readFile(generation);
    }

    private Manifest readSlot(final long generation, final int index) throws IOException
    {
        ManifestSlots.Slot slot = slots.read(index);
        for (int i = 1; i < SLOT_READS && slot != null && slot.fails(); i++)
        {
            final ManifestSlots.Slot again = slots.read(index);
            if (again == null || !Arrays.equals(again.bytes(), slot.bytes()))
            {
                throw new NoSuchFileException(slots.path().toString(), null, "slot " + index + " is being rewritten");
            }
            slot = again;
        }
        if (slot == null || slot.state == ManifestSlots.Slot.State.FREE ||
            slot.state == ManifestSlots.Slot.State.VALID && slot.generation != generation)
        {
            throw new NoSuchFileException(slots.path().toString(), null, "slot " + index + " no longer holds " +
                "generation " + generation + ": " + slot);
        }
        if (slot.fails())
        {
            throw new CorruptStoreException("manifest slot " + index + " (generation " + generation + ") does not " +
                "validate: " + slot.problem, slots.path(), ManifestSlotsDescriptor.slotOffset(index));
        }
        final Manifest m = ManifestCodec.decode(slot.manifest(), slots.path());
        if (m.generation != generation)
        {
            throw new CorruptStoreException("manifest slot " + index + " is marked generation " + generation +
                " but holds generation " + m.generation, slots.path(), ManifestSlotsDescriptor.slotOffset(index));
        }
        return m;
    }

    private Manifest readFile(final long generation) throws IOException
    {
        final Path path = file(generation);
        final long size = Files.size(path);
        if (size > ManifestDescriptor.MAX_LENGTH)
        {
            throw new CorruptStoreException("manifest is " + size + " bytes, more than a manifest can be", path, 0);
        }
        final Manifest m;
        try
        {
            m = ManifestCodec.decode(Files.readAllBytes(path), path);
            if (m.generation > generation)
            {
                // A whole, valid manifest of a newer generation under an older name: a snapshot recycled this file
                // (see commit) and its rename has not reached the directory, or never will after a power loss
                // (the overwrite was synced, the renames not yet). Not a snapshot of this name, and not damage.
                throw new NoSuchFileException(path.toString(), null, "holds generation " + m.generation +
                    ": a snapshot that recycled this file did not finish renaming it");
            }
            if (m.generation != generation)
            {
                throw new CorruptStoreException("manifest holds generation " + m.generation + " but is named " +
                    generation, path, ManifestDescriptor.generationOffset(m.majorVersion));
            }
        }
        catch (final CorruptStoreException ex)
        {
            if (!Files.exists(path))
            {
                // Recycled by the writer while we read it (renamed first, then overwritten, possibly whole by the
                // time we read: then it checksums but names the newer generation): gone, not damaged.
                throw new NoSuchFileException(path.toString(), null, "recycled by a snapshot while it was read");
            }
            throw ex;
        }
        return m;
    }

    /**
     * Whether the manifest file of {@code generation}, which does not validate, can be what a recycling
     * {@link #commit} leaves when the power fails in its overwrite before its first rename reached the disk: the file
     * under its old name, holding old bytes and new ones. Not damage: the snapshot of that name was being retired,
     * and the new one was never committed. What such a file always is, and damage mostly is not:
     * <ul>
     *     <li>the oldest manifest on disk that the newest manifest that validates does not pin (a commit recycles only
     *     that one, and the pins it records are those of the newest manifest on disk then);</li>
     *     <li>with at least two newer manifests that validate (a commit recycles only when two others stay);</li>
     *     <li>a manifest header whose generation field holds its own generation (old bytes there) or one newer than
     *     every manifest on disk (the new bytes of the commit that did not finish).</li>
     * </ul>
     * Damage that keeps all three (a flipped byte in the body of the oldest unpinned of three or more manifests) passes
     * for an abandoned recycle too; it can only cost that snapshot, which the next snapshot retires. So the file is
     * not deleted at open (that would destroy the evidence of such damage): retention retires it as the oldest, by
     * recycling or deleting its file at the next snapshot.
     *
     * @param generations the manifest generations on disk, newest first (see {@link #generations()}).
     */
    public boolean isAbandonedRecycle(final long generation, final List<Long> generations) throws IOException
    {
        if (inSlot(generation))
        {
            return false; // a slot is never recycled that way
        }
        Manifest newestValid = null;
        int validNewer = 0;
        for (int i = 0; i < generations.size() && generations.get(i) > generation && validNewer < 2; i++)
        {
            try
            {
                final Manifest m = read(generations.get(i));
                newestValid = newestValid == null ? m : newestValid;
                validNewer++;
            }
            catch (final CorruptStoreException | IncompatibleFormatException | NoSuchFileException ex)
            {
                // Not one of the two that a recycling commit leaves in place.
            }
        }
        if (validNewer < 2 || !isOldestUnpinned(generation, generations, newestValid))
        {
            return false;
        }
        final int headerLength = ManifestDescriptor.GENERATION_OFFSET + ManifestDescriptor.V3_SHIFT + Long.BYTES;
        final byte[] head;
        try (InputStream in = Files.newInputStream(file(generation)))
        {
            head = in.readNBytes(headerLength);
        }
        if (head.length < headerLength)
        {
            return false;
        }
        final ByteBuffer header = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        final long named = header.getLong(
            ManifestDescriptor.generationOffset(header.getShort(ManifestDescriptor.MAJOR_OFFSET) & 0xFFFF));
        return header.getLong(ManifestDescriptor.MAGIC_OFFSET) == ManifestDescriptor.MAGIC &&
            (named == generation || named > generations.get(0));
    }

    /** @return whether {@code generation} is the oldest of {@code generations} that {@code newest} does not pin. */
    private boolean isOldestUnpinned(final long generation, final List<Long> generations, final Manifest newest)
    {
        final Set<Long> pinned;
        try
        {
            pinned = RetentionExtension.pins(newest, path(newest.generation)).generations();
        }
        catch (final CorruptStoreException ex)
        {
            return false; // damage beside it: no reason to pass this one over
        }
        if (pinned.contains(generation))
        {
            return false; // a pinned manifest is never recycled
        }
        for (final long g : generations)
        {
            if (g < generation && !pinned.contains(g))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Writer's open of a 4.0 store: creates {@code manifests.mss} with every slot free if it does not exist (a new
     * store, or one a migration upgraded): whole or not at all (a pending file, fsync, rename, directory fsync).
     */
    public void createSlotsUnlessPresent() throws IOException
    {
        if (Files.exists(slots.path()))
        {
            return;
        }
        final Path pending = dir.resolve(ManifestSlotsDescriptor.PENDING_FILE_NAME);
        fs.deleteIfExists(pending);
        slots.create(pending, ManifestSlotsDescriptor.INITIAL_SLOTS, 0, null);
        fs.rename(pending, slots.path());
        fs.syncDirectory(dir);
    }

    /**
     * Writer's open, once recovery freed the slot the restored manifest names as the next one: takes the slots as they
     * are now.
     *
     * @param next the slot the next commit writes ({@link NextSlotExtension#NONE}: the first free one).
     */
    public synchronized void startWriting(final int next) throws IOException
    {
        allocation = new SlotAllocation(slots.readAll(), next);
        generations(); // the hint, for reads by generation
    }

    /** @return the slot the next commit writes (the writer's). */
    public synchronized int nextSlot()
    {
        return allocation.next();
    }

    /**
     * Writer, commit lock held: where {@code manifest} goes, and the manifest as it is written (naming the slot of the
     * commit after it).
     *
     * @param keptAfter the generations retention keeps once it is committed.
     */
    public synchronized Commit prepare(final Manifest manifest, final Collection<Long> keptAfter)
    {
        final Set<Long> kept = new java.util.HashSet<>(keptAfter);
        kept.add(manifest.generation);
        final int target = allocation.next();
        final int after = allocation.after(target, kept);
        final Manifest inSlot = manifest.withExtension(NextSlotExtension.of(after));
        final byte[] bytes = ManifestCodec.encode(inSlot);
        if (bytes.length <= ManifestSlotsDescriptor.MANIFEST_CAPACITY)
        {
            return new Commit(inSlot, bytes, target, after);
        }
        final Manifest inFile = manifest.withExtension(NextSlotExtension.of(target));
        return new Commit(inFile, ManifestCodec.encode(inFile), -1, target);
    }

    /**
     * Writes a prepared commit durably: its slot (fdatasync), or its file (fsync, rename, directory fsync). Any one
     * thread, the commit lock held by the committing one; {@link #committed} once the records it names are durable.
     */
    public void write(final Commit commit) throws IOException
    {
        if (commit.inSlot())
        {
            slots.write(commit.slot, commit.manifest.generation, commit.bytes);
        }
        else
        {
            commitFile(commit.bytes, commit.manifest.generation);
        }
    }

    /** Writer: {@code commit} was written and the records it names are durable: the next commit goes on from it. */
    public synchronized void committed(final Commit commit)
    {
        if (commit.inSlot())
        {
            allocation.committed(commit.slot, commit.manifest.generation, commit.nextSlot);
            final Map<Long, Integer> hint = new HashMap<>(slotHint);
            hint.put(commit.manifest.generation, commit.slot);
            slotHint = hint;
            slotsFreed = false; // the slot's fdatasync made the frees before it durable
        }
        else
        {
            allocation.keep(commit.nextSlot);
        }
    }

    /** Commits a manifest into a file of its own, durably and atomically (the records it names flushed before). */
    public void commit(final Manifest manifest) throws IOException
    {
        commitFile(ManifestCodec.encode(manifest), manifest.generation);
    }

    private void commitFile(final byte[] bytes, final long generation) throws IOException
    {
        final Path pending = dir.resolve(ManifestDescriptor.pendingFileName(generation));
        try
        {
            try (StoreFile channel = fs.openOrCreate(pending)) // a stale one is a migration a crash interrupted
            {
                channel.writeFully(ByteBuffer.wrap(bytes), 0);
                if (channel.size() > bytes.length)
                {
                    channel.truncate(bytes.length);
                }
                channel.force(true);
            }
            fs.rename(pending, file(generation));
        }
        catch (final IOException | RuntimeException ex)
        {
            MappedFiles.deleteAfter(fs, pending, ex);
            throw ex;
        }
        fs.syncDirectory(dir);
    }

    /** Deletes stale {@code .pending} files left by a crash during a commit, or the creation of the slots. */
    public void deletePending() throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                final String name = p.getFileName().toString();
                if (name.startsWith(ManifestDescriptor.FILE_PREFIX) && name.endsWith(ManifestDescriptor.PENDING_SUFFIX) ||
                    name.equals(ManifestSlotsDescriptor.PENDING_FILE_NAME))
                {
                    fs.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * Deletes a manifest: frees its slot, or deletes its file. Not durable until {@link #syncDeletedFiles()} (a file)
     * or the next commit's flush of the slots (a slot): a caller that deletes several syncs once.
     */
    public synchronized void delete(final long generation) throws IOException
    {
        final int slot = allocation == null ? -1 : allocation.slotOf(generation);
        if (slot >= 0)
        {
            freeSlot(slot);
            return;
        }
        fs.deleteIfExists(file(generation));
        filesDeleted = true;
    }

    /** Writer: frees slot {@code index} (its manifest retired, abandoned or moved aside); durable as {@link #delete}. */
    public synchronized void freeSlot(final int index) throws IOException
    {
        slots.free(index);
        if (allocation != null)
        {
            final Map<Long, Integer> hint = new HashMap<>(slotHint);
            hint.remove(allocation.free(index));
            slotHint = hint;
        }
        slotsFreed = true;
    }

    /**
     * Makes the deletions of manifest files so far durable (a directory fsync, if any was deleted). Slots freed are
     * left to the next commit's flush: a power cut that brings one back brings back a snapshot that no rule keeps,
     * which retention drops again.
     */
    public synchronized void syncDeletedFiles() throws IOException
    {
        if (filesDeleted)
        {
            fs.syncDirectory(dir);
            filesDeleted = false;
        }
    }

    /**
     * Makes every retirement so far durable, slots freed and files deleted: before the files that only a retired
     * snapshot needed are deleted, so that a power cut never brings back a snapshot whose files are gone.
     */
    public synchronized void syncRetirements() throws IOException
    {
        if (slotsFreed)
        {
            slots.force();
            slotsFreed = false;
        }
        syncDeletedFiles();
    }

    /**
     * Writer's open: makes {@code manifests.mss} durable as it is (the restored snapshot's slot may have been written
     * by a process that stopped before its flush), with every slot freed so far.
     */
    public synchronized void syncSlots() throws IOException
    {
        if (Files.exists(slots.path()))
        {
            slots.force();
            slotsFreed = false;
        }
    }

    /** Closes the writer's handle of the slots. */
    public void close()
    {
        slots.close();
    }
}
