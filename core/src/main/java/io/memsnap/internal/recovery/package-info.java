/**
 * Internal, not API: opening a store. {@link io.memsnap.internal.recovery.StoreOpener} creates a store, or recovers
 * one in three steps that each produce an immutable value: {@link io.memsnap.internal.recovery.SnapshotChooser}
 * (the newest snapshot whose manifest and index validate), {@link io.memsnap.internal.recovery.LogReplayer} (the
 * records after its index checkpoint), {@link io.memsnap.internal.recovery.TailRepair} (what to do about where the
 * replay stopped, decided before anything on disk changes, then done); the result is a
 * {@link io.memsnap.internal.recovery.Recovered}. Read-only opens are {@link io.memsnap.internal.recovery.ReadOnlyOpener}.
 * A rewind, {@link io.memsnap.internal.recovery.Rewinder}, restores an older snapshot in a writer that is open, as
 * a new timeline, with the same replay.
 * {@link io.memsnap.internal.recovery.FormatUpgrade} refuses a writer a store of an older major format version, or
 * upgrades it on request, and runs migrations.
 */
package io.memsnap.internal.recovery;
