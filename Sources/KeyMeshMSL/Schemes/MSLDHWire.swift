// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// How Diffie-Hellman numbers travel (docs/MSL.md §5.1): big-endian with exactly one leading
/// `00` byte before the minimal unsigned magnitude; a reader accepts any number of leading zeros.
enum MSLDHWire {
    /// `00 ‖ magnitude` with the magnitude's own leading zeros removed (zero is `00`).
    /// Written into one buffer of final size, so a secret (Z) leaves no stray copy.
    static func encode(_ magnitude: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(magnitude.count + 1)
        out.append(0)
        out.append(contentsOf: magnitude.drop { $0 == 0 })
        return out
    }

    /// The minimal magnitude: every leading zero byte removed (empty for zero or empty input).
    static func strip(_ bytes: some Collection<UInt8>) -> [UInt8] {
        Array(bytes.drop { $0 == 0 })
    }
}
