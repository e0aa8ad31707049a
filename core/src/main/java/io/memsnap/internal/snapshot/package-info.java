/** Internal, not API: manifests, their encoding and the commit protocol. */
package io.memsnap.internal.snapshot;
