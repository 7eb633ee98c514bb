// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Why a store refused a write, for every store protocol (``KeyStore``, ``AccountStore``,
/// ``EventStore``, ``CrossSigningStore``). The server turns each case into one Matrix error
/// (`MatrixError(storeError:)` in KeyMeshServer), so a refusal found inside the write
/// transaction reaches the client as a clean 4xx and the transaction stores nothing.
public enum StoreError: Error, Equatable, Sendable {
    /// The device a write acts for no longer exists when the write commits (it was deleted or
    /// logged out while the request was in flight): the write is refused, so no key or message
    /// is ever stored for a deleted device (docs/SECURITY.md "Requests").
    case deviceNotFound(DeviceRef)
    /// An identifier or text value the store cannot keep byte-exact (it holds NUL), refused
    /// before it reaches SQLite, which would cut it at the NUL (docs/SECURITY.md "Identifiers").
    case invalidText(String)
    /// A documented limit (`what`, at most `limit`) would be exceeded (docs/SECURITY.md "Limits").
    case limitExceeded(what: String, limit: Int)
    /// A per-account total (`what`, at most `limit`) is reached, and waiting will not help: the
    /// user must remove something first (devices, followed users). 403 `M_FORBIDDEN`, which
    /// clients show instead of retrying (docs/SECURITY.md "Limits").
    case limitReached(what: String, limit: Int)
}
