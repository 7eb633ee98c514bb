// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

@testable import KeyMeshMSL

/// One fuzz input through every MSL reader of untrusted input (docs/MSL.md §1, §2, §5, §6, §12).
/// Shared, as this very file, by the libFuzzer target (Fuzz/Sources/fuzz-msl links to it) and by
/// `MSLCorpusReplayTests`, so a corpus file replays exactly as the fuzzer ran it.
///
/// The bytes go to MSLJSON.parse, then as a value to `MSLKeyRequestData.parse`,
/// `MSLKeyResponseData.parse` and `MSLMasterToken.parse` (with and without the issuer keys), to
/// an issuer's `issue` (the value, its array or its `keyrequestdata` as offers) and `renew` (its
/// `mastertoken`, as given and re-signed), to `MSLRequester.complete` with outstanding DH, RSA and
/// PSK requests, and to the unwraps of fixed requester keys. The raw bytes also go, signed, to
/// the token reader as `tokendata`, and straight to the session-data envelope, the session data,
/// JWK, JWE, base64 and signature-envelope readers. Every failure must be an MSLError whose code
/// that entry point documents; a few invariants are checked on success.
enum MSLFuzzing {
    /// What one input did: per entry point the code it failed with (absent: it succeeded or was
    /// not reached), and every broken expectation.
    struct Outcome: Sendable {
        var failures: [String: MSLErrorCode] = [:]
        var successes: Set<String> = []
        var violations: [String] = []

        /// Runs `body`, records its result, and flags an error code `allowed` does not hold.
        mutating func record<T>(_ entry: String, _ allowed: Set<MSLErrorCode>, _ body: () throws(MSLError) -> T) -> T? {
            do {
                let value = try body()
                successes.insert(entry)
                return value
            } catch {
                failures[entry] = error.code
                if !allowed.contains(error.code) { violations.append("\(entry): undocumented \(error)") }
                return nil
            }
        }

        mutating func check(_ condition: Bool, _ what: @autoclosure () -> String) {
            if !condition { violations.append(what()) }
        }
    }

    static func run(_ input: [UInt8]) -> Outcome {
        var outcome = Outcome()
        let fixture = MSLFuzzFixture.shared
        raw(input, fixture, &outcome)
        guard let value = outcome.record("json", [.mslParseError], { () throws(MSLError) in try MSLJSON.parse(input) })
        else { return outcome }
        readers(value, fixture, &outcome)
        exchanges(value, fixture, &outcome)
        return outcome
    }

    private static func raw(_ input: [UInt8], _ f: MSLFuzzFixture, _ o: inout Outcome) {
        _ = o.record("tokendata", MSLFuzzCodes.token) { () throws(MSLError) in
            try MSLMasterToken.parse(f.signedToken(input), issuerKeys: [f.issuerKeys])
        }
        _ = o.record("envelope", MSLFuzzCodes.envelope) { () throws(MSLError) in
            try MSLCiphertextEnvelope.open(input, keys: f.issuerKeys)
        }
        _ = o.record("sessiondata", MSLFuzzCodes.session) { () throws(MSLError) in try MSLSessionData.parse(input) }
        _ = o.record("jwk", MSLFuzzCodes.jwk) { () throws(MSLError) in try MSLJWK.decode(input, role: .hmac) }
        _ = o.record("jwe", MSLFuzzCodes.jwe) { () throws(MSLError) in try MSLJWE.open(input, with: f.rsaPair) }
        _ = MSLSignatureEnvelope.rawSignature(input)
        let text = String(decoding: input, as: UTF8.self)
        if let bytes = o.record("base64", [.mslParseError], { () throws(MSLError) in try MSLBase64.decode(text) }) {
            o.check((try? MSLBase64.decode(MSLBase64.encode(bytes))) == bytes, "base64 does not round-trip")
        }
        if let bytes = o.record("base64url", [.mslParseError], { () throws(MSLError) in try MSLBase64URL.decode(text) }) {
            o.check((try? MSLBase64URL.decode(MSLBase64URL.encode(bytes))) == bytes, "base64url does not round-trip")
        }
    }

    private static func readers(_ value: JSONValue, _ f: MSLFuzzFixture, _ o: inout Outcome) {
        if case .some(.some(let request)) = o.record("keyrequestdata", MSLFuzzCodes.request, { () throws(MSLError) in
            try MSLKeyRequestData.parse(value)
        }) {
            o.check((try? MSLKeyRequestData.parse(request.json)) == request, "key request data does not round-trip")
        }
        _ = o.record("keyresponsedata", MSLFuzzCodes.response) { () throws(MSLError) in try MSLKeyResponseData.parse(value) }
        _ = o.record("keyresponsedata+keys", MSLFuzzCodes.response) { () throws(MSLError) in
            try MSLKeyResponseData.parse(value, issuerKeys: [f.issuerKeys])
        }
        for (entry, token) in [("mastertoken", value), ("mastertoken resigned", f.resigned(value))] {
            guard let token else { continue }
            guard let parsed = o.record(entry, MSLFuzzCodes.token, { () throws(MSLError) in
                try MSLMasterToken.parse(token, issuerKeys: [f.issuerKeys])
            }) else { continue }
            let again = try? MSLMasterToken.parse(parsed.json, issuerKeys: [f.issuerKeys])
            o.check(again.map { $0.tokendata == parsed.tokendata && $0.signature == parsed.signature
                && $0.isSameToken(parsed) && $0.isVerified == parsed.isVerified } ?? false,
                "\(entry) does not read back from its own json")
        }
    }

    private static func exchanges(_ value: JSONValue, _ f: MSLFuzzFixture, _ o: inout Outcome) {
        let issuer = f.issuer()
        let object = value.objectValue
        let offered = object?["keyrequestdata"] ?? value
        let offers = offered.arrayValue ?? [offered]
        if let issuance = o.record("issue", MSLFuzzCodes.issue, { () throws(MSLError) in
            try issuer.issue(offers: offers, identity: f.identity, issuerData: nil, now: MSLFuzzFixture.now)
        }) {
            let token = try? issuer.verify(masterToken: issuance.masterToken.json)
            o.check(token?.session?.keys == issuance.sessionKeys, "an issued token does not hold its session keys")
        }
        if let given = object?["mastertoken"] {
            for (entry, token) in [("renew", given), ("renew resigned", f.resigned(given))] {
                guard let token else { continue }
                guard let issuance = o.record(entry, MSLFuzzCodes.renew, { () throws(MSLError) in
                    try issuer.renew(offers: offers, masterToken: token, now: MSLFuzzFixture.now)
                }), let previous = issuance.previous else { continue }
                o.check(issuance.masterToken.serialNumber == previous.serialNumber
                    && issuance.masterToken.sequenceNumber == MSLMasterToken.nextSequenceNumber(after: previous.sequenceNumber),
                    "\(entry) did not keep the serial number and advance the sequence number")
            }
        }
        _ = o.record("complete", MSLFuzzCodes.complete) { () throws(MSLError) in
            try MSLRequester.complete(response: value, requests: f.requests, issuerKeys: [f.issuerKeys])
        }
        guard let response = try? MSLKeyResponseData.parse(value) else { return }
        _ = o.record("unwrap", MSLFuzzCodes.unwrap) { () throws(MSLError) in
            switch response.keydata {
            case .diffieHellman(_, let peer):
                return try f.dhPair.sessionKeys(peerPublicValue: peer)
            case .asymmetricWrapped(let id, let enc, let mac):
                // the seeds name the mechanism in keypairid (a response does not carry it)
                let mechanism = MSLAsymmetricMechanism(rawValue: id) ?? .rsa
                return try MSLAsymmetricWrap.unwrap(encryptionKey: enc, hmacKey: mac, mechanism: mechanism, privateKey: f.rsaPair)
            case .symmetricWrapped(_, let enc, let mac):
                return try MSLSymmetricWrap.unwrap(encryptionKey: enc, hmacKey: mac, wrappingKey: f.pskWrappingKey)
            }
        }
    }

    /// A fixed xorshift64* stream: fuzz inputs must replay exactly, so nothing here draws from
    /// the system's random source (OpenSSL's DH exponents aside). One thread only.
    final class FixedRandom: RandomSource, @unchecked Sendable {
        private var state: UInt64

        init(seed: UInt64) { state = seed | 1 }

        func fill(_ buffer: UnsafeMutableRawBufferPointer) {
            for n in 0..<buffer.count {
                state ^= state >> 12
                state ^= state << 25
                state ^= state >> 27
                buffer[n] = UInt8(truncatingIfNeeded: (state &* 0x2545_F491_4F6C_DD1D) >> 56)
            }
        }
    }
}
