// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// Vouch, client → server (docs/channel-protocol.md §3.3), body 152 bytes:
///
/// `Box[C(32) ‖ Nv(24) ‖ V(80)](ECs -> ES, "KeyMesh-Vouch---" ‖ u64be(0))` with
/// `V = Box[EC(32) ‖ Stag(32)](Cs -> S, Nv)`.
struct Vouch: Sendable, Equatable {
    static let bodyLength = 32 + 24 + 80 + 16
    static let nonce = NaClNonce(prefix: StreamNonce.vouch, counter: 0)

    let box: [UInt8]

    /// Makes the vouch: the client's long-term key signs for its ephemeral key and the server's
    /// challenge, and the whole goes under the ephemeral session key.
    init(client: Curve25519SecretKey, clientEphemeral: Curve25519PublicKey, stag: [UInt8],
         serverKey: Curve25519PublicKey, vouchNonce: NaClNonce, session: NaClBoxKey) throws(SecureChannelError) {
        let v: [UInt8]
        do {
            v = try NaClBox.seal(clientEphemeral.rawRepresentation + stag, nonce: vouchNonce, to: serverKey, from: client)
        } catch { throw .authenticationFailed }
        box = session.seal(client.publicKey.rawRepresentation + vouchNonce.bytes + v, nonce: Self.nonce)
    }

    /// Reads a Vouch body.
    init(body: ArraySlice<UInt8>) throws(SecureChannelError) {
        guard body.count == Self.bodyLength else { throw .badLength(type: 0x03, length: body.count) }
        box = Array(body)
    }

    var frame: [UInt8] { StreamFrame.frame(.vouch, body: box) }

    /// Opens the vouch and checks it binds `clientEphemeral` and `stag`.
    /// - Returns: the client's long-term key, now proven.
    func verify(session: NaClBoxKey, serverSecret: Curve25519SecretKey,
                clientEphemeral: Curve25519PublicKey, stag: [UInt8]) throws(SecureChannelError) -> Curve25519PublicKey {
        let plain: [UInt8]
        do { plain = try session.open(box, nonce: Self.nonce) } catch { throw .authenticationFailed }
        guard plain.count == 136, let client = try? Curve25519PublicKey(rawRepresentation: plain[0..<32]),
              let vouchNonce = NaClNonce(plain[32..<56]) else { throw .authenticationFailed }
        let vouched: [UInt8]
        do { vouched = try NaClBox.open(plain[56...], nonce: vouchNonce, from: client, to: serverSecret) } catch {
            throw .authenticationFailed
        }
        guard ConstantTime.equals(vouched, clientEphemeral.rawRepresentation + stag) else { throw .authenticationFailed }
        return client
    }
}
