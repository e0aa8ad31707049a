/**
 * Internal, not API: salvage of a damaged store ({@link io.memsnap.Salvage}). Reads every segment record by record
 * without trusting the index or the manifests, keeps the newest valid record of each key, accounts for what was
 * lost by sequence numbers, and copies the rest into a new store through the public API. Never writes to the
 * damaged store's directory.
 */
package io.memsnap.internal.salvage;
