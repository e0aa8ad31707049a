/** Internal, not API: the off-heap, copy-on-write extendible hash index and the page file under it. */
package io.memsnap.internal.index;
