// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// A named Diffie-Hellman parameter set, the `parametersid` of DIFFIE_HELLMAN key data
/// (docs/MSL.md §5.1).
///
/// Configured sets are validated when made: p of 512 – 8192 bits (§12) and odd, g in 2 … p − 2;
/// anything else is `MSL_PARSE_ERROR`. The comparisons are OpenSSL's (``MSLBigNum``).
public struct MSLDHParameters: Sendable, Equatable {
    /// The `parametersid` naming this set (compared as exact UTF-8 bytes).
    public let id: String
    /// p, minimal unsigned big-endian.
    public let prime: [UInt8]
    /// g, minimal unsigned big-endian.
    public let generator: [UInt8]
    /// The OpenSSL named group this set is, when built in (``rfc3526Group14``).
    let namedGroupNID: Int32?

    /// The smallest and largest p accepted, in bits (docs/MSL.md §5.1, §12).
    public static let primeBits = 512...8192
    /// The longest `parametersid` accepted, in UTF-8 bytes (docs/MSL.md §12).
    public static let maxIDBytes = 8192

    /// A configured set from hex p and g (either case, leading zeros allowed).
    ///
    /// - Parameters:
    ///   - id: The `parametersid`: 1 to 8192 UTF-8 bytes, no NUL.
    ///   - pHex: The prime p in hex: odd, 512 to 8192 bits.
    ///   - gHex: The generator g in hex, in 2 … p − 2.
    /// - Throws: `MSL_PARSE_ERROR` for any of the above.
    public init(id: String, pHex: String, gHex: String) throws(MSLError) {
        guard !id.isEmpty, id.utf8.count <= Self.maxIDBytes, !id.utf8.contains(0) else {
            throw MSLError(.mslParseError, "DH parameters id must be 1 to \(Self.maxIDBytes) bytes without NUL")
        }
        let prime = try Self.magnitude(hex: pHex, name: "p")
        let generator = try Self.magnitude(hex: gHex, name: "g")
        try Self.validate(prime: prime, generator: generator)
        self.init(namedGroup: id, nid: nil, prime: prime, generator: generator)
    }

    /// A configured set written `ID=PHEX:GHEX` (docs/MSL.md §5.1, the `--dh` option of §10).
    ///
    /// - Parameter spec: `ID=PHEX:GHEX`; the id ends at the first `=`.
    /// - Returns: The validated set, as ``init(id:pHex:gHex:)`` makes it.
    /// - Throws: `MSL_PARSE_ERROR` for a malformed spec or a set ``init(id:pHex:gHex:)`` refuses.
    public static func parse(_ spec: String) throws(MSLError) -> MSLDHParameters {
        guard let equals = spec.firstIndex(of: "=") else {
            throw MSLError(.mslParseError, "DH parameters must be written ID=PHEX:GHEX")
        }
        let numbers = spec[spec.index(after: equals)...].split(separator: ":", omittingEmptySubsequences: false)
        guard numbers.count == 2 else {
            throw MSLError(.mslParseError, "DH parameters must be written ID=PHEX:GHEX")
        }
        return try MSLDHParameters(id: String(spec[..<equals]), pHex: String(numbers[0]), gHex: String(numbers[1]))
    }

    /// A set whose numbers are known good (the built-in group, or after ``validate``).
    init(namedGroup id: String, nid: Int32?, prime: [UInt8], generator: [UInt8]) {
        self.id = id
        self.prime = prime
        self.generator = generator
        namedGroupNID = nid
    }

    /// The number of bytes of p.
    var primeByteCount: Int { prime.count }

    /// Hex text → minimal magnitude; at most 8192 bits of digits after leading zeros.
    private static func magnitude(hex: String, name: String) throws(MSLError) -> [UInt8] {
        let digits = hex.utf8.drop { $0 == UInt8(ascii: "0") }
        guard !hex.isEmpty, digits.count <= primeBits.upperBound / 4, hex.utf8.count <= 2 * primeBits.upperBound else {
            throw MSLError(.mslParseError, "DH \(name) must be 1 to \(primeBits.upperBound / 4) hex digits")
        }
        let even = digits.count % 2 == 1 ? [UInt8(ascii: "0")] + digits : Array(digits)
        guard let bytes = Hex.decode(String(decoding: even, as: UTF8.self)) else {
            throw MSLError(.mslParseError, "DH \(name) is not hex")
        }
        return bytes
    }

    /// p of 512 – 8192 bits and odd; 2 ≤ g ≤ p − 2 (docs/MSL.md §5.1).
    private static func validate(prime: [UInt8], generator: [UInt8]) throws(MSLError) {
        guard let p = MSLBigNum(bytes: prime), let g = MSLBigNum(bytes: generator),
              let pMinus2 = MSLBigNum(bytes: prime), pMinus2.subtract(2)
        else { throw MSLError(.mslParseError, "DH parameters could not be read") }
        guard primeBits.contains(p.bitCount) else {
            throw MSLError(.mslParseError, "DH p must have \(primeBits.lowerBound) to \(primeBits.upperBound) bits")
        }
        guard p.isOdd else { throw MSLError(.mslParseError, "DH p must be odd") }
        guard g.compare(word: 2) >= 0, g.compare(pMinus2) <= 0 else {
            throw MSLError(.mslParseError, "DH g must be in 2 … p − 2")
        }
    }

    public static func == (lhs: MSLDHParameters, rhs: MSLDHParameters) -> Bool {
        lhs.id.utf8.elementsEqual(rhs.id.utf8) && lhs.prime == rhs.prime && lhs.generator == rhs.generator
    }
}
