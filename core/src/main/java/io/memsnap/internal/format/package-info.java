/**
 * Internal, not API: the on-disk layouts (one descriptor class per layout), checksums, key hashing and UTF-8.
 * docs/format.md describes the same layouts for people; the golden-file tests keep both honest.
 */
package io.memsnap.internal.format;
