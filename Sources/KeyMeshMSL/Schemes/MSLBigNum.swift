// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import CLibCrypto

/// One OpenSSL `BIGNUM`, owned and cleared when released (docs/MSL.md §5.1: KeyMesh has no
/// big-integer arithmetic of its own; every comparison and subtraction is OpenSSL's).
///
/// Not shared across threads: each instance lives inside one call or one ``MSLDHKeyPair``.
final class MSLBigNum {
    /// The owned `BIGNUM*`; nil once ownership moved to OpenSSL (``release()``).
    private(set) var pointer: OpaquePointer?

    /// The unsigned big-endian `bytes` (leading zeros allowed), or nil if OpenSSL fails.
    init?(bytes: [UInt8]) {
        let made = bytes.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            // BN_bin2bn reads nothing for a zero length; any valid pointer will do.
            guard let base = buffer.baseAddress else { return BN_new() }
            return BN_bin2bn(base, Int32(buffer.count), nil)
        }
        guard let made else {
            ERR_clear_error()
            return nil
        }
        pointer = made
    }

    /// A copy of `other` (a borrowed OpenSSL value), or nil if OpenSSL fails.
    init?(copying other: OpaquePointer) {
        guard let made = BN_dup(other) else {
            ERR_clear_error()
            return nil
        }
        pointer = made
    }

    deinit {
        if let pointer { BN_clear_free(pointer) }
    }

    /// Hands the value to an OpenSSL call that takes ownership (`DH_set0_pqg`, `DH_set0_key`).
    /// Call ``restore(_:)`` if that call fails, so the value is still freed.
    func release() -> OpaquePointer? {
        defer { pointer = nil }
        return pointer
    }

    /// Takes back a value whose ownership transfer failed.
    func restore(_ value: OpaquePointer?) { pointer = value }

    /// The number of significant bits (0 for zero).
    var bitCount: Int { pointer.map { Int(BN_num_bits($0)) } ?? 0 }

    /// Whether the value is odd.
    var isOdd: Bool { pointer.map { BN_is_odd($0) == 1 } ?? false }

    /// Subtracts a small number in place; false if OpenSSL fails.
    func subtract(_ word: UInt) -> Bool {
        guard let pointer else { return false }
        return BN_sub_word(pointer, word) == 1
    }

    /// `-1`, `0` or `1` as `self` is below, equal to or above `other`.
    func compare(_ other: MSLBigNum) -> Int32 {
        guard let lhs = pointer, let rhs = other.pointer else { return 0 }
        return BN_cmp(lhs, rhs)
    }

    /// `-1`, `0` or `1` as `self` is below, equal to or above the small number `word`.
    func compare(word: UInt) -> Int32 {
        guard let other = MSLBigNum(bytes: Self.bigEndian(word)) else { return 0 }
        return compare(other)
    }

    /// The minimal unsigned big-endian bytes (empty for zero).
    var bytes: [UInt8] { pointer.map(Self.bytes(of:)) ?? [] }

    /// The minimal unsigned big-endian bytes of a borrowed OpenSSL value (empty for zero).
    static func bytes(of value: OpaquePointer) -> [UInt8] {
        let count = (Int(BN_num_bits(value)) + 7) / 8
        var out = [UInt8](repeating: 0, count: count)
        let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return 0 }
            return BN_bn2bin(value, base)
        }
        return Array(out.prefix(Int(max(written, 0))))
    }

    private static func bigEndian(_ word: UInt) -> [UInt8] {
        withUnsafeBytes(of: word.bigEndian) { Array($0) }
    }
}
