// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// The authorisation code `VCS-VCM` (docs/P2P.md §7): two groups of 5 Crockford base32
/// symbols, 25 bits each. The VCM is secret until the joiner proves it: it is redacted in
/// `description`, and compared in constant time.
public struct P2PAuthCode: Sendable {
    /// The alphabet, Crockford base32 (no I, L, O, U).
    public static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// The session part, from k_code.
    public let vcs: String
    /// The proof part: 25 random bits drawn on the authoriser.
    public let vcm: String

    /// "VCS-VCM".
    public var display: String { "\(vcs)-\(vcm)" }

    init(vcs: String, vcm: String) {
        self.vcs = vcs
        self.vcm = vcm
    }

    /// Authoriser side: the VCS of `session` and a fresh VCM from `random`.
    public static func make(for session: P2PSession, random: some RandomSource) -> P2PAuthCode {
        let bytes = random.bytes(count: 4)
        let value = bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } >> 7
        return P2PAuthCode(vcs: session.vcs, vcm: symbols(of: value))
    }

    /// Joiner side: normalises what the person typed (case, white space and `-` ignored, O → 0,
    /// I and L → 1). Anything but 10 symbols of the alphabet is ``P2PError/codeFormat``.
    public static func parse(typed: String) throws(P2PError) -> P2PAuthCode {
        var symbols: [UInt8] = []
        for scalar in typed.unicodeScalars {
            if scalar == "-" || scalar.properties.isWhitespace { continue }
            guard symbols.count < 10, scalar.isASCII else { throw .codeFormat }
            let byte = UInt8(truncatingIfNeeded: scalar.value)
            var upper = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte
            if upper == UInt8(ascii: "O") { upper = UInt8(ascii: "0") }
            if upper == UInt8(ascii: "I") || upper == UInt8(ascii: "L") { upper = UInt8(ascii: "1") }
            guard alphabet.contains(upper) else { throw .codeFormat }
            symbols.append(upper)
        }
        guard symbols.count == 10 else { throw .codeFormat }
        return P2PAuthCode(vcs: String(decoding: symbols[0..<5], as: UTF8.self),
                           vcm: String(decoding: symbols[5..<10], as: UTF8.self))
    }

    /// Whether `vcm` is this code's VCM, in constant time (authoriser side, docs/P2P.md §7 step 4).
    public func acceptsProof(_ vcm: String) -> Bool {
        ConstantTime.equals(Array(vcm.utf8), Array(self.vcm.utf8))
    }

    /// Whether this typed code's VCS is that of `session`, in constant time (joiner side, step 3).
    public func matches(_ session: P2PSession) -> Bool {
        ConstantTime.equals(Array(vcs.utf8), Array(session.vcs.utf8))
    }

    /// The index of the one session among `sessions` whose VCS this code names (joiner side),
    /// else ``P2PError/codeMismatch``.
    public func session(in sessions: [P2PSession]) throws(P2PError) -> Int {
        guard let index = sessions.firstIndex(where: { !$0.isClosed && matches($0) }) else { throw .codeMismatch }
        return index
    }

    /// The `authproof` body: `{"vcm": "<5 symbols>"}`.
    public var proofBody: JSONObject { ["vcm": .string(vcm)] }

    /// Authoriser side: checks an opened `authproof` body; a wrong or missing VCM is ``P2PError/wrongCode``.
    public func checkProof(_ body: JSONObject) throws(P2PError) {
        guard let given = body["vcm"]?.stringValue, acceptsProof(given) else { throw .wrongCode }
    }

    /// 5 symbols of `value` (its low 25 bits), most significant first.
    static func symbols(of value: UInt32) -> String {
        let out = stride(from: 20, through: 0, by: -5).map { alphabet[Int((value >> UInt32($0)) & 31)] }
        return String(decoding: out, as: UTF8.self)
    }

    /// The 25-bit value of 5 canonical symbols, or ``P2PError/codeFormat``.
    static func value(of symbols: String) throws(P2PError) -> UInt32 {
        guard symbols.utf8.count == 5 else { throw .codeFormat }
        var value: UInt32 = 0
        for byte in symbols.utf8 {
            guard let digit = alphabet.firstIndex(of: byte) else { throw .codeFormat }
            value = value << 5 | UInt32(digit)
        }
        return value
    }
}

extension P2PAuthCode: Equatable {
    /// Constant-time equality of both parts.
    public static func == (lhs: P2PAuthCode, rhs: P2PAuthCode) -> Bool {
        ConstantTime.equals(Array(lhs.display.utf8), Array(rhs.display.utf8))
    }
}

extension P2PAuthCode: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "P2PAuthCode(vcs: \(vcs), vcm redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["vcs": vcs], displayStyle: .struct) }
}
