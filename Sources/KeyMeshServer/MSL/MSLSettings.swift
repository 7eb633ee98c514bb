// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMSL

/// How `keymesh serve` acts as an MSL issuer (docs/MSL.md §7, §8, §11; docs/SERVER.md "MSL issuer").
public struct MSLSettings: Sendable {
    /// The issuer keys every instance of the service shares. Nil: ``buildApplication(config:)``
    /// reads `msl-issuer.key` in the data directory, creating it (mode 0600) on first start.
    public var issuerKeys: MSLIssuerKeys?
    /// Seconds from issue until a token is renewable (advice to the requester; default 12 h).
    public var renewalWindow: Int64 = 12 * 3600
    /// Seconds from issue until a token expires (default 24 h); never shorter than the window.
    public var lifetime: Int64 = 24 * 3600
    /// How far a renewal's `timestamp` may be from the server's clock, in seconds (docs/MSL.md §11).
    public var clockTolerance: Int64 = 600
    /// The largest request body of the MSL endpoints (docs/MSL.md §12).
    public static let maxBodyBytes = 64 * 1024

    public init() {}

    /// The name of the key file in the data directory.
    public static let keyFileName = "msl-issuer.key"
}
