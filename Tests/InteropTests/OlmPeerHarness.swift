// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshOlm
import KeyMeshTestSupport
import Testing

/// The two real Olm implementations KeyMesh must interoperate with.
enum OlmBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case vodozemac
    case libolm

    var module: String { self == .vodozemac ? "vodozemac" : "olm" }
    var testDescription: String { self == .vodozemac ? "vodozemac" : "libolm (python-olm)" }

    /// Starts the peer; nil when it is not installed (a loud skip locally; under CI it throws).
    func start() throws -> OlmPeer? {
        guard try PythonPeer.isAvailable(module, peer: testDescription) else { return nil }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Peers/olm_peer.py")
        return OlmPeer(peer: try PythonPeer(script: script, arguments: [rawValue]))
    }
}

/// Typed calls to `Peers/olm_peer.py`.
struct OlmPeer {
    let peer: PythonPeer

    func identity() throws -> (curve25519: Curve25519PublicKey, ed25519: Ed25519PublicKey) {
        let r = try peer.call(["op": "identity"])
        return (try Curve25519PublicKey(base64: r["curve25519"] as? String ?? ""),
                try Ed25519PublicKey(base64: r["ed25519"] as? String ?? ""))
    }

    func generateOneTimeKeys(_ count: Int) throws -> [String: String] {
        try peer.call(["op": "generate_one_time_keys", "count": count])["keys"] as? [String: String] ?? [:]
    }

    func generateFallbackKey() throws -> [String: String] {
        try peer.call(["op": "generate_fallback_key"])["keys"] as? [String: String] ?? [:]
    }

    func markPublished() throws { _ = try peer.call(["op": "mark_published"]) }

    /// The peer's signed `signed_curve25519` object for `key`, as Matrix JSON.
    func signedKeyObject(_ key: String, fallback: Bool, userID: String, deviceID: String) throws -> JSONObject {
        let r = try peer.call(["op": "sign_key_object", "key": key, "fallback": fallback])
        guard case .object(var object) = try JSONParser.parse(r["canonical"] as? String ?? "") else {
            throw PythonPeerError.badReply("canonical")
        }
        object["signatures"] = [userID: [KeyID.ed25519(deviceID).description: .string(r["signature"] as? String ?? "")]]
        return object
    }

    /// The peer account's Ed25519 signature over `object` as Matrix signs JSON (base64).
    func signJSON(_ object: JSONObject) throws -> String {
        let any = try JSONSerialization.jsonObject(with: Data(try CanonicalJSON.encode(.object(object))))
        return try peer.call(["op": "sign_json", "object": any])["signature"] as? String ?? ""
    }

    func verify(key: Ed25519PublicKey, message: [UInt8], signature: String) throws -> Bool {
        let r = try peer.call(["op": "verify", "key": key.base64, "message": String(decoding: message, as: UTF8.self),
                               "signature": signature])
        return r["valid"] as? Bool ?? false
    }

    func outbound(identityKey: Curve25519PublicKey, oneTimeKey: String) throws -> String {
        try peer.call(["op": "outbound", "identity_key": identityKey.base64, "one_time_key": oneTimeKey])["session_id"]
            as? String ?? ""
    }

    func inbound(identityKey: Curve25519PublicKey, message: OlmMessage) throws -> (sessionID: String, plaintext: [UInt8]) {
        let r = try peer.call(["op": "inbound", "identity_key": identityKey.base64,
                               "type": message.messageType, "body": message.body])
        return (r["session_id"] as? String ?? "", try Base64.decode(r["plaintext"] as? String ?? ""))
    }

    func encrypt(session: String, _ plaintext: [UInt8]) throws -> OlmMessage {
        let r = try peer.call(["op": "encrypt", "session_id": session, "plaintext": Base64.encode(plaintext)])
        return try OlmMessage(type: r["type"] as? Int ?? -1, body: r["body"] as? String ?? "")
    }

    func decrypt(session: String, _ message: OlmMessage) throws -> [UInt8] {
        let r = try peer.call(["op": "decrypt", "session_id": session, "type": message.messageType,
                               "body": message.body])
        return try Base64.decode(r["plaintext"] as? String ?? "")
    }
}
