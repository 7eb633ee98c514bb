// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import CSodium

/// Constant-time comparisons for MACs, tags, fingerprints and keys (libsodium underneath).
public enum ConstantTime {
    /// Whether  and  hold the same bytes. Lengths are not secret and are compared first.
    public static func equals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        return sodium_memcmp(pa, pb, a.count) == 0
    }

    /// Whether  and  hold the same bytes.
    public static func equals(_ a: some ContiguousBytesLike, _ b: some ContiguousBytesLike) -> Bool {
        a.withBytes { pa in b.withBytes { pb in equals(pa, pb) } }
    }

    /// Whether every byte of  is zero, without an early exit.
    public static func isZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return true }
        return sodium_is_zero(base.assumingMemoryBound(to: UInt8.self), bytes.count) == 1
    }
}

/// Byte containers that ConstantTime can compare.
public protocol ContiguousBytesLike {
    /// Calls  with the bytes.
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: ContiguousBytesLike where Element == UInt8 {
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }
}

extension ArraySlice: ContiguousBytesLike where Element == UInt8 {
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }
}
