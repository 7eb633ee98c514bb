// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// The limits of the key endpoints (`ServerConfig.keys`): each bounds something a client can
/// grow or make the server hold, and each has a flag and an environment variable
/// (docs/SECURITY.md "Limits"). Exceeding one is 413 `M_TOO_LARGE` and stores nothing, except
/// ``maxOneTimeKeys``, where the oldest keys are pruned as the spec allows.
public struct KeyLimits: Sendable, Equatable {
    /// Bytes of one stored `device_keys` object, and of one cross-signing key (canonical JSON,
    /// without `unsigned`). A real one is under 1 KiB.
    public var maxDeviceKeysBytes = 16 * 1024
    /// Bytes of one stored one-time or fallback key object. A real one is about 200 bytes.
    public var maxKeyObjectBytes = 4 * 1024
    /// Unclaimed one-time keys kept per device. An upload that takes a device above it deletes
    /// the device's oldest unclaimed keys (the spec's `POST /keys/upload`: "the server may remove the
    /// oldest keys"); one upload holding more than this many is refused. Clients keep about 50.
    public var maxOneTimeKeys = 1000
    /// Fallback keys per device (one per algorithm; clients use one).
    public var maxFallbackKeys = 16
    /// Users in one `/keys/query`.
    public var maxQueryUsers = 1000
    /// Devices in one `/keys/query`: device ids asked for, and devices in the answer, which is
    /// built only up to this many, so its memory is bounded by this times ``maxDeviceKeysBytes``.
    public var maxQueryDevices = 10_000
    /// Keys in one `/keys/claim`. A claim is charged at most the claim burst, so every claim
    /// within this limit can succeed once the bucket refills.
    public var maxClaimKeys = 1000
    /// Signed objects in one `/keys/signatures/upload` (each costs a signature check and a
    /// lookup). A user signs a few at a time: their own devices and master key, or another
    /// user's master key.
    public var maxSignatureTargets = 1000

    /// Claimed one-time key ids remembered per device, ten times ``maxOneTimeKeys``: enough for
    /// any retried upload, and no table grows without bound (docs/STORE.md "Decisions").
    public var maxClaimedIDs: Int { maxOneTimeKeys > Int.max / 10 ? Int.max : maxOneTimeKeys * 10 }

    public init() {}
}
