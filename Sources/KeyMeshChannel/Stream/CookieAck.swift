// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// Cookie-ack, server → client (docs/channel-protocol.md §3.2), body 136 bytes:
///
/// | offset | len | field |
/// |---|---|---|
/// | 0 | 24 | Nk (random) |
/// | 24 | 112 | Box[ES(32) ‖ Ctag(32) ‖ Stag(32)](Ss -> EC, Nk) |
struct CookieAck: Sendable, Equatable {
    static let bodyLength = 24 + 96 + 16

    /// What the box carries.
    struct Contents: Sendable {
        let serverEphemeral: Curve25519PublicKey
        let ctag: [UInt8]
        let stag: [UInt8]
    }

    let nonce: NaClNonce
    let box: [UInt8]

    /// Seals the contents with the server's long-term key to the client's ephemeral key.
    init(_ contents: Contents, nonce: NaClNonce, serverSecret: Curve25519SecretKey,
         clientEphemeral: Curve25519PublicKey) throws(SecureChannelError) {
        self.nonce = nonce
        do {
            box = try NaClBox.seal(contents.serverEphemeral.rawRepresentation + contents.ctag + contents.stag,
                                   nonce: nonce, to: clientEphemeral, from: serverSecret)
        } catch { throw .authenticationFailed }
    }

    /// Reads a Cookie-ack body.
    init(body: ArraySlice<UInt8>) throws(SecureChannelError) {
        guard body.count == Self.bodyLength, let nonce = NaClNonce(body.prefix(24)) else {
            throw .badLength(type: 0x02, length: body.count)
        }
        self.nonce = nonce
        box = Array(body.dropFirst(24))
    }

    var frame: [UInt8] { StreamFrame.frame(.cookieAck, body: nonce.bytes + box) }

    /// Opens the box with the client's ephemeral key.
    func open(clientEphemeral: Curve25519SecretKey, serverKey: Curve25519PublicKey) throws(SecureChannelError) -> Contents {
        let plain: [UInt8]
        do { plain = try NaClBox.open(box, nonce: nonce, from: serverKey, to: clientEphemeral) } catch {
            throw .authenticationFailed
        }
        guard plain.count == 96, let es = try? Curve25519PublicKey(rawRepresentation: plain[0..<32]) else {
            throw .authenticationFailed
        }
        return Contents(serverEphemeral: es, ctag: Array(plain[32..<64]), stag: Array(plain[64..<96]))
    }
}
