// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

@testable import KeyMeshMSL

/// The limits of docs/MSL.md §12 at their edges, refusals before any cryptography, and parsing
/// time that grows linearly from 16 KiB to 64 KiB (compared as the best of several runs with a
/// ratio far below the 16 a quadratic reader would show, never as a wall-clock bound).
@Suite("Hostile MSL: limits and linear time (docs/MSL.md §12)")
struct MSLLimitTests {
    static var f: MSLFuzzFixture { .shared }

    /// `[ "AAA…", … ]` of exactly `size` bytes, strings of at most 8 KiB.
    static func document(size: Int) -> [UInt8] {
        var out = Array("[".utf8)
        while out.count < size - 1 {
            let room = size - 1 - out.count - (out.count > 1 ? 1 : 0) - 2
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            out += Array(("\"" + String(repeating: "A", count: max(0, min(8 << 10, room))) + "\"").utf8)
        }
        return out + Array("]".utf8)
    }

    static func nested(_ depth: Int) -> [UInt8] {
        Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
    }

    static func issue(_ bytes: [UInt8]) -> MSLErrorCode? {
        mslCode { () throws(MSLError) in
            let value = try MSLJSON.parse(bytes)
            _ = try f.issuer().issue(offers: value.arrayValue ?? [value], identity: f.identity, issuerData: nil,
                                     now: MSLFuzzFixture.now)
        }
    }

    @Test("64 KiB, depth 16, 8 KiB strings, 16 offers are accepted; one more of each is MSL_PARSE_ERROR")
    func edges() {
        #expect(Self.document(size: 64 << 10).count == 64 << 10)
        #expect(mslCode { () throws(MSLError) in try MSLJSON.parse(Self.document(size: 64 << 10)) } == nil)
        #expect(mslCode { () throws(MSLError) in try MSLJSON.parse(Self.document(size: (64 << 10) + 1)) } == .mslParseError)
        #expect(mslCode { () throws(MSLError) in try MSLJSON.parse(Self.nested(16)) } == nil)
        #expect(mslCode { () throws(MSLError) in try MSLJSON.parse(Self.nested(17)) } == .mslParseError)
        let string = { (n: Int) in Array(("\"" + String(repeating: "é", count: n / 2) + "\"").utf8) }
        #expect(mslCode { () throws(MSLError) in try MSLJSON.parse(string(8192)) } == nil)
        #expect(mslCode { () throws(MSLError) in try MSLJSON.parse(string(8194)) } == .mslParseError)
        let psk = MSLJSON.encode(MSLSeedDocuments.pskOffer)
        let offers = { (n: Int) in Array(("[" + Array(repeating: String(decoding: psk, as: UTF8.self), count: n).joined(separator: ",") + "]").utf8) }
        #expect(Self.issue(offers(16)) == nil)
        #expect(Self.issue(offers(17)) == .mslParseError)
        #expect(Self.issue(Array("[]".utf8)) == .mslParseError)
    }

    @Test("over-limit keys and DH values are refused by size, before any RSA or DH operation")
    func oversizeKeys() {
        let rsaKey = { (n: Int) -> [UInt8] in
            MSLJSON.encode(MSLFieldEdit.set(MSLSeedDocuments.rsaOffer(.rsa), ["keydata", "publickey"], MSLFieldEdit.b64(n, 0x30)))
        }
        #expect(Self.issue(rsaKey(1201)) == .mslParseError)
        #expect(Self.issue(rsaKey(1200)) == .invalidPublicKey)
        let dhValue = { (n: Int) -> [UInt8] in
            MSLJSON.encode(MSLFieldEdit.set(MSLSeedDocuments.dhOffer, ["keydata", "publickey"], MSLFieldEdit.b64(n, 0xFF)))
        }
        #expect(Self.issue(dhValue(1101)) == .mslParseError)
        #expect(Self.issue(dhValue(1100)) == .keyxInvalidPublicKey)
        // sixteen offers, each at the limit: refused offer by offer, nothing exponentiated
        let many = Array(("[" + Array(repeating: String(decoding: dhValue(1100), as: UTF8.self), count: 16)
            .joined(separator: ",") + "]").utf8)
        #expect(many.count > 16 << 10 && many.count < 64 << 10)
        #expect(Self.issue(many) == .keyxInvalidPublicKey)
    }

    /// The best of `runs` timings of `body`, in nanoseconds.
    static func best(_ runs: Int = 5, _ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        var best = Double.infinity
        for _ in 0..<runs {
            let elapsed = clock.measure(body)
            best = min(best, Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9)
        }
        return max(best, 1)
    }

    static func ratio(_ make: (Int) -> [UInt8], _ read: ([UInt8]) -> Void) -> Double {
        let small = make(16 << 10), large = make(64 << 10)
        read(small); read(large) // warm up
        return best { read(large) } / best { read(small) }
    }

    @Test("16 KiB → 64 KiB: long strings, many members, deep nesting, spaced base64 parse in linear time")
    func linear() {
        let parse = { (bytes: [UInt8]) in _ = try? MSLJSON.parse(bytes) }
        let strings = Self.ratio(Self.document(size:), parse)
        let members = Self.ratio({ size in
            let n = size / 256
            let body = (0..<n).map { "\"m\($0)\":\"" + String(repeating: "B", count: 240) + "\"" }.joined(separator: ",")
            return Array(("{" + body + "}").utf8)
        }, parse)
        let deep = Self.ratio({ size in
            let inner = String(repeating: "[", count: 15) + "\"" + String(repeating: "C", count: 200) + "\"" + String(repeating: "]", count: 15)
            return Array(("[" + Array(repeating: inner, count: size / 260).joined(separator: ",") + "]").utf8)
        }, parse)
        let base64 = Self.ratio({ size in Array(String(repeating: "QUJD \r\n\t", count: size / 8).utf8) }, { bytes in
            _ = try? MSLBase64.decode(String(decoding: bytes, as: UTF8.self))
        })
        for (name, r) in [("strings", strings), ("members", members), ("deep", deep), ("base64", base64)] {
            #expect(r < 10, "\(name): 64 KiB took \(r)× the time of 16 KiB")
        }
    }

    /// docs/MSL.md §5.1: "KeyMesh checks the range before any exponentiation". In an 8192-bit
    /// configured group (an odd p is all configuration asks) the issuer's own key pair is a
    /// full-length exponentiation; a requester value of 1 must be refused without it. Compared with
    /// an unknown `parametersid` (no cryptography at all) as the best of three runs.
    @Test("an out-of-range DH value in a large group is refused before the issuer's exponentiation")
    func dhValueCheckedBeforeKeyGeneration() throws {
        let big = try MSLDHParameters(id: "big", pHex: "8" + String(repeating: "0", count: 2046) + "1", gHex: "2")
        let policy = try MSLIssuerPolicy(dhParameters: [big])
        let issuer = MSLIssuer(keys: Self.f.issuerKeys, policy: policy, random: SeededRandom(seed: 8))
        let offer = { (id: String) -> JSONValue in
            MSLKeyRequestData.diffieHellman(parametersID: id, publicValue: [0, 1]).json
        }
        let refuse = { (id: String) in _ = try? issuer.issue(offers: [offer(id)], identity: "e", issuerData: nil, now: 0) }
        #expect(mslCode { () throws(MSLError) in _ = try issuer.issue(offers: [offer("big")], identity: "e", issuerData: nil, now: 0) }
            == .keyxInvalidPublicKey)
        let ratio = Self.best(3) { refuse("big") } / Self.best(3) { refuse("unknown") }
        #expect(ratio < 50, "refusing a bad value took \(ratio)× an unknown parameters id")
    }
}
