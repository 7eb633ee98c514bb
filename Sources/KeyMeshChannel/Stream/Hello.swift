// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// Hello, client → server (docs/channel-protocol.md §3.1), body 81 bytes:
///
/// | offset | len | field |
/// |---|---|---|
/// | 0 | 1 | version = 0x01 |
/// | 1 | 32 | EC |
/// | 33 | 48 | Box[Ctag(32)](ECs -> S, "KeyMesh-Hello---" ‖ u64be(0)) |
struct Hello: Sendable, Equatable {
    static let version: UInt8 = 1
    static let bodyLength = 1 + 32 + 48

    let ephemeralKey: Curve25519PublicKey
    let box: [UInt8]

    /// Seals `ctag` from the client's ephemeral key to the server.
    init(ephemeral: Curve25519SecretKey, ctag: [UInt8], serverKey: Curve25519PublicKey) throws(SecureChannelError) {
        ephemeralKey = ephemeral.publicKey
        do {
            box = try NaClBox.seal(ctag, nonce: NaClNonce(prefix: StreamNonce.hello, counter: 0),
                                   to: serverKey, from: ephemeral)
        } catch { throw .authenticationFailed }
    }

    /// Reads a Hello body; checks the version and every length.
    init(body: ArraySlice<UInt8>) throws(SecureChannelError) {
        guard body.count == Self.bodyLength else { throw .badLength(type: 0x01, length: body.count) }
        let start = body.startIndex
        guard body[start] == Self.version else { throw .unsupportedVersion(body[start]) }
        do { ephemeralKey = try Curve25519PublicKey(rawRepresentation: body[(start + 1)..<(start + 33)]) } catch {
            throw .badLength(type: 0x01, length: body.count)
        }
        box = Array(body[(start + 33)...])
    }

    /// The frame on the wire.
    var frame: [UInt8] { StreamFrame.frame(.hello, body: [Self.version] + ephemeralKey.rawRepresentation + box) }

    /// Opens the box with the server's long-term key.
    /// - Returns: the client's 32-byte Ctag.
    func openTag(serverSecret: Curve25519SecretKey) throws(SecureChannelError) -> [UInt8] {
        do {
            return try NaClBox.open(box, nonce: NaClNonce(prefix: StreamNonce.hello, counter: 0),
                                    from: ephemeralKey, to: serverSecret)
        } catch { throw .authenticationFailed }
    }
}
