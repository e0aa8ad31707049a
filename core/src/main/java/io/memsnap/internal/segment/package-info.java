/** Internal, not API: append-only segment files, the record appender and the record scanner. */
package io.memsnap.internal.segment;
