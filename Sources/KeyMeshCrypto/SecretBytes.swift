// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import CSodium

/// Secret key material that is zeroed when released and never printed.
///
/// The bytes live in a heap buffer owned by a private final class whose `deinit` calls
/// `sodium_memzero` (the pattern of swift-crypto's `SecureBytes.Backing`). Reach them only inside
/// ``withUnsafeBytes(_:)``; equality is constant time; `description`, `debugDescription` and the
/// mirror are redacted, so neither `print` nor `dump` can leak them.
public struct SecretBytes: Sendable {
    private let backing: Backing

    /// Copies `bytes` into zeroing storage. The caller should zero its own copy where it can.
    public init(_ bytes: some Collection<UInt8>) {
        backing = Backing(count: bytes.count)
        _ = UnsafeMutableRawBufferPointer(start: backing.pointer, count: backing.count)
            .initializeMemory(as: UInt8.self, from: bytes)
    }

    /// Creates `count` bytes filled by `initializer`, without an intermediate copy.
    public init(count: Int, initializer: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        backing = Backing(count: count)
        try initializer(UnsafeMutableRawBufferPointer(start: backing.pointer, count: count))
    }

    /// Fills `count` bytes from `random`.
    public init(randomCount count: Int, using random: some RandomSource) {
        self.init(count: count) { random.fill($0) }
    }

    /// The number of secret bytes.
    public var count: Int { backing.count }

    /// Calls `body` with a read-only view of the secret bytes. Do not let the pointer escape.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: backing.pointer, count: backing.count))
    }

    /// Returns bytes `range` as new secret bytes.
    public func slice(_ range: Range<Int>) -> SecretBytes {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "slice out of range") // local misuse
        return withUnsafeBytes { SecretBytes(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// Splits the bytes into consecutive pieces of `lengths` (e.g. `[32, 32]` → two halves).
    public func split(_ lengths: [Int]) -> [SecretBytes] {
        precondition(lengths.reduce(0, +) == count, "split lengths must cover the secret") // local misuse
        var start = 0
        return lengths.map { length in
            defer { start += length }
            return slice(start..<(start + length))
        }
    }

    /// The secret as a C pointer for libsodium (never null: storage is at least one byte).
    /// Do not let the pointer escape.
    func withUnsafePointer<R>(_ body: (UnsafePointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafePointer(backing.pointer.assumingMemoryBound(to: UInt8.self)))
    }

    /// Whether every byte is zero, in constant time.
    public var isAllZero: Bool { withUnsafeBytes { ConstantTime.isZero($0) } }

    /// Exports a copy of the secret as a plain array. Hazardous: the copy is not zeroed.
    /// Use only to hand bytes to an API that needs them (tests, vectors, sealed pickles).
    public func unsafeExportSecret() -> [UInt8] { withUnsafeBytes { Array($0) } }

    /// Zeroes a plain array that briefly held secret bytes (a decrypted body), with
    /// `sodium_memzero`, which the optimiser may not remove.
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { sodium_memzero(base, raw.count) }
        }
    }

    private final class Backing: @unchecked Sendable {
        // Immutable after init: written once by the owning initializer, then only read.
        let pointer: UnsafeMutableRawPointer
        let count: Int

        init(count: Int) {
            self.count = count
            pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
            pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1))
        }

        deinit {
            sodium_memzero(pointer, max(count, 1))
            pointer.deallocate()
        }
    }
}

extension SecretBytes: Equatable {
    /// Constant-time equality (lengths are public and compared first).
    public static func == (lhs: SecretBytes, rhs: SecretBytes) -> Bool {
        lhs.withUnsafeBytes { l in rhs.withUnsafeBytes { r in ConstantTime.equals(l, r) } }
    }
}

extension SecretBytes: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "SecretBytes(\(count) bytes, redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
