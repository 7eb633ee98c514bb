// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

@testable import KeyMeshMSL

/// docs/MSL.md §5.2: MSL's draft JWE, both serializations, and each refusal with its code.
@Suite("MSL draft JWE")
struct MSLJWETests {
    let keyPair: MSLRSAKeyPair
    let compact: [String]
    let json: JSONObject

    init() throws {
        let vectors = try SchemeVectors.load()
        keyPair = try MSLRSAKeyPair(privateKeyDER: [UInt8](hex: vectors.rsa.private_pkcs8))
        let keys = try MSLSessionKeys.hex(vectors.rsa.kenc, vectors.rsa.khmac)
        let sealed = try MSLAsymmetricWrap.wrap(keys, mechanism: .jweRSA, publicKeyDER: keyPair.publicKeyDER)
        compact = String(decoding: sealed.encryptionKey, as: UTF8.self)
            .split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let sealedJSON = try MSLAsymmetricWrap.wrap(keys, mechanism: .jwejsRSA, publicKeyDER: keyPair.publicKeyDER)
        json = try #require(try JSONParser.parse(sealedJSON.encryptionKey).objectValue)
    }

    func open(_ parts: [String]) -> MSLErrorCode? {
        mslCode { () throws(MSLError) in try MSLJWE.open(Array(parts.joined(separator: ".").utf8), with: keyPair) }
    }

    func open(_ object: JSONObject) -> MSLErrorCode? {
        let bytes = (try? CanonicalJSON.encode(.object(object))) ?? []
        return mslCode { () throws(MSLError) in try MSLJWE.open(bytes, with: keyPair) }
    }

    func b64url(_ text: String) -> String { MSLBase64URL.encode(Array(text.utf8)) }

    @Test("Compact: five parts, the exact header, a 12-byte IV, a 16-byte tag; it opens to the JWK with use")
    func compactShape() throws {
        #expect(compact.count == 5)
        #expect(try MSLBase64URL.decode(compact[0]) == Array(#"{"alg":"RSA-OAEP","enc":"A128GCM"}"#.utf8))
        #expect(try MSLBase64URL.decode(compact[1]).count == 256)
        #expect(try MSLBase64URL.decode(compact[2]).count == 12)
        #expect(try MSLBase64URL.decode(compact[4]).count == 16)
        let jwk = try JSONParser.parse(try MSLJWE.open(Array(compact.joined(separator: ".").utf8), with: keyPair))
        #expect(jwk.objectValue?["use"] == "enc")
        #expect(jwk.objectValue?["alg"] == "A128CBC")
        #expect(jwk.objectValue?["key_ops"] == nil)
        #expect(open(compact) == nil)
    }

    @Test("JSON: recipients[0] has header, encrypted_key, integrity_value; IV and ciphertext at the top")
    func jsonShape() throws {
        let recipient = try #require(json["recipients"]?.arrayValue?.first?.objectValue)
        #expect(recipient["header"]?.stringValue == compact[0])   // the same header text
        #expect(recipient["encrypted_key"]?.stringValue != nil && recipient["integrity_value"]?.stringValue != nil)
        #expect(json["initialization_vector"]?.stringValue != nil && json["ciphertext"]?.stringValue != nil)
        #expect(open(json) == nil)
    }

    @Test("Wrong header algorithm or encryption is JWE_ALGORITHM_MISMATCH; a bad header JWE_PARSE_ERROR")
    func header() {
        let mismatch = [#"{"alg":"A128KW","enc":"A128GCM"}"#, #"{"alg":"RSA-OAEP","enc":"A256GCM"}"#,
                        #"{"alg":"RSA1_5","enc":"A128GCM"}"#, #"{"alg":"rsa-oaep","enc":"A128GCM"}"#]
        for header in mismatch {
            #expect(open([b64url(header)] + compact.dropFirst()) == .jweAlgorithmMismatch, "\(header)")
        }
        let malformed = [#"{"alg":"RSA-OAEP"}"#, #"{"enc":"A128GCM"}"#, "not json", #"["RSA-OAEP"]"#,
                         #"{"alg":1,"enc":"A128GCM"}"#]
        for header in malformed {
            #expect(open([b64url(header)] + compact.dropFirst()) == .jweParseError, "\(header)")
        }
    }

    @Test("Wrong part count, an empty part or bad base64url is JWE_PARSE_ERROR")
    func compactParse() {
        #expect(open(Array(compact.dropLast())) == .jweParseError)
        #expect(open(compact + ["AAAA"]) == .jweParseError)
        #expect(open([compact.joined()]) == .jweParseError)
        for index in 0..<5 {
            var parts = compact
            parts[index] = ""
            #expect(open(parts) == .jweParseError, "empty part \(index)")
            for bad in ["+", "/", "=", " "] {
                parts = compact
                parts[index] = String(parts[index].dropLast(2)) + bad + "A"
                #expect(open(parts) == .jweParseError, "part \(index) with \(bad)")
                parts[index] = compact[index] + "=="
                #expect(open(parts) == .jweParseError, "part \(index) padded")
            }
        }
        #expect(mslCode { () throws(MSLError) in try MSLJWE.open([], with: keyPair) } == .jweParseError)
        #expect(mslCode { () throws(MSLError) in try MSLJWE.open([UInt8](repeating: 0x41, count: 20_000), with: keyPair) }
            == .jweParseError)
    }

    @Test("Tampering: encrypted key → CIPHERTEXT_BAD_PADDING; IV, ciphertext or tag → UNWRAP_ERROR")
    func tampering() throws {
        func flipped(_ index: Int) throws -> [String] {
            var bytes = try MSLBase64URL.decode(compact[index])
            bytes[bytes.count / 2] ^= 0x80
            var parts = compact
            parts[index] = MSLBase64URL.encode(bytes)
            return parts
        }
        #expect(open(try flipped(1)) == .ciphertextBadPadding)
        for index in [2, 3, 4] { #expect(open(try flipped(index)) == .unwrapError, "part \(index)") }
        var swappedIV = compact
        swappedIV[2] = MSLBase64URL.encode([UInt8](repeating: 7, count: 12))
        #expect(open(swappedIV) == .unwrapError)
    }

    @Test("A tag that is not 16 bytes or an IV that is not 12 is INVALID_ALGORITHM_PARAMS")
    func lengths() {
        var shortTag = compact
        shortTag[4] = MSLBase64URL.encode([UInt8](repeating: 1, count: 15))
        #expect(open(shortTag) == .invalidAlgorithmParams)
        var longIV = compact
        longIV[2] = MSLBase64URL.encode([UInt8](repeating: 1, count: 16))
        #expect(open(longIV) == .invalidAlgorithmParams)
    }

    @Test("JSON serialization with a member missing, mistyped or no recipient is JWE_PARSE_ERROR")
    func jsonParse() throws {
        for member in ["recipients", "initialization_vector", "ciphertext"] {
            var object = json
            object[member] = nil
            #expect(open(object) == .jweParseError, "\(member)")
            object[member] = 5
            #expect(open(object) == .jweParseError, "\(member) mistyped")
        }
        var empty = json
        empty["recipients"] = []
        #expect(open(empty) == .jweParseError)
        let recipient = try #require(json["recipients"]?.arrayValue?.first?.objectValue)
        for member in ["header", "encrypted_key", "integrity_value"] {
            var changed = recipient
            changed[member] = nil
            var object = json
            object["recipients"] = [.object(changed)]
            #expect(open(object) == .jweParseError, "\(member)")
        }
        var tampered = json
        tampered["ciphertext"] = .string(MSLBase64URL.encode([UInt8](repeating: 3, count: 90)))
        #expect(open(tampered) == .unwrapError)
        #expect(mslCode { () throws(MSLError) in try MSLJWE.open(Array("{not json".utf8), with: keyPair) } == .jweParseError)
    }
}
