// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// The one encoding of the 64-bit big-endian counters every channel format carries.
enum BigEndian {
    /// The 8 bytes of `value`, most significant first.
    static func bytes(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64(56 - 8 * $0)) }
    }

    /// The counter in the first 8 bytes of `bytes` (callers check the length first).
    static func uint64(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
