/**
 * Internal, not API: the file-system seam. Every operation that changes what a store directory holds on disk (a
 * write, a flush, a create, a rename, a delete, a truncate, a directory sync) goes through {@link
 * io.memsnap.internal.fs.StoreFileSystem}; reads stay on mappings and plain file reads.
 */
package io.memsnap.internal.fs;
