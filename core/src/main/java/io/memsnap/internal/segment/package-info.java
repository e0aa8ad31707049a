/**
 * Internal, not API: append-only segment files, the record appender and the record scanner, and the chain of
 * timelines the segments' headers name.
 */
package io.memsnap.internal.segment;
