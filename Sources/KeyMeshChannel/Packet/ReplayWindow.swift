// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// An RFC 6479 sliding anti-replay window over 64-bit counters (as WireGuard keeps one): a bitmap
/// of 64-bit blocks used as a ring, so moving forward clears whole blocks instead of shifting.
///
/// Accepts a counter above the highest seen, or one within ``size`` below it that was not seen.
/// ``check(_:)`` and ``accept(_:)`` are separate so a caller can authenticate in between and
/// commit only what opened.
public struct ReplayWindow: Sendable, Equatable {
    /// How many counters below the highest are still accepted (docs/channel-protocol.md §5).
    public static let size: UInt64 = 2048
    private static let blockBits: UInt64 = 64
    /// One block more than the window, so the block being filled never overlaps the oldest.
    private static let blockCount = Int(size / blockBits) + 1

    private var blocks = [UInt64](repeating: 0, count: blockCount)
    private var highest: UInt64 = 0

    public init() {}

    /// Whether `counter` would be accepted now.
    public func check(_ counter: UInt64) -> Bool {
        if counter > highest { return true }
        guard highest - counter < Self.size else { return false }
        let (block, bit) = Self.position(counter)
        return blocks[block] & (1 << bit) == 0
    }

    /// Records `counter` as seen, moving the window forward if it is the highest.
    /// Call only after ``check(_:)`` returned true and the packet authenticated.
    public mutating func accept(_ counter: UInt64) {
        if counter > highest {
            let current = highest / Self.blockBits
            let target = counter / Self.blockBits
            let advance = min(target - current, UInt64(Self.blockCount))
            var index = current
            for _ in 0..<advance {
                index += 1
                blocks[Int(index % UInt64(Self.blockCount))] = 0
            }
            highest = counter
        }
        let (block, bit) = Self.position(counter)
        blocks[block] |= 1 << bit
    }

    private static func position(_ counter: UInt64) -> (Int, UInt64) {
        (Int((counter / blockBits) % UInt64(blockCount)), counter % blockBits)
    }
}
