// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// curve_tun Hello (docs/channel-protocol.md §9), 128 bytes:
/// `magic(8) ‖ EC(32) ‖ u64be(0) ‖ Box[64 zero bytes](ECs -> S, "CurveCP-client-H" ‖ 0)`.
struct CurveTunHello {
    static let length = 128
    static let nonce = NaClNonce(prefix: CurveTunWire.clientHello, counter: 0)

    static func write(ephemeral: Curve25519SecretKey, serverKey: Curve25519PublicKey) throws(SecureChannelError) -> [UInt8] {
        let box: [UInt8]
        do { box = try NaClBox.seal([UInt8](repeating: 0, count: 64), nonce: nonce, to: serverKey, from: ephemeral) } catch {
            throw .authenticationFailed
        }
        return CurveTunWire.frame(CurveTunWire.helloMagic + ephemeral.publicKey.rawRepresentation
            + BigEndian.bytes(0) + box)
    }

    /// Checks a Hello frame. - Returns: the client's ephemeral key.
    static func read(_ frame: [UInt8], serverSecret: Curve25519SecretKey) throws(SecureChannelError) -> Curve25519PublicKey {
        let payload = try CurveTunWire.payload(frame, magic: CurveTunWire.helloMagic, length: length)
        let start = payload.startIndex
        guard let ec = try? Curve25519PublicKey(rawRepresentation: payload[(start + 8)..<(start + 40)]) else {
            throw .badLength(type: 0x6C, length: payload.count)
        }
        let counter = BigEndian.uint64(payload[(start + 40)...])
        guard counter == 0 else { throw .counterMismatch(expected: 0, got: counter) }
        let plain: [UInt8]
        do { plain = try NaClBox.open(payload[(start + 48)...], nonce: nonce, from: ec, to: serverSecret) } catch {
            throw .authenticationFailed
        }
        guard plain.count == 64, plain.withUnsafeBytes({ ConstantTime.isZero($0) }) else { throw .authenticationFailed }
        return ec
    }
}

/// curve_tun Cookie (docs/channel-protocol.md §9), 168 bytes:
/// `magic(8) ‖ SafeNonce(16) ‖ Box[ES(32) ‖ K(96)](Ss -> EC, "CurveCPK" ‖ SafeNonce)` with the
/// cookie `K = SafeNonce ‖ SecretBox[EC ‖ ESs](minute key, "minute-k" ‖ SafeNonce)`.
struct CurveTunCookie {
    static let length = 168
    static let cookieLength = 96

    static func write(serverEphemeral: Curve25519SecretKey, clientEphemeral: Curve25519PublicKey, safeNonce: [UInt8],
                      minuteKey: NaClSecretBox, serverSecret: Curve25519SecretKey) throws(SecureChannelError) -> [UInt8] {
        try seal(serverEphemeral: serverEphemeral, clientEphemeral: clientEphemeral, safeNonce: safeNonce,
                 minuteKey: minuteKey, serverSecret: serverSecret).frame
    }

    /// The Cookie frame and the cookie `K` inside it, which the server keeps to check that the
    /// Vouch of this connection carries exactly this cookie (docs/channel-protocol.md §9).
    static func seal(serverEphemeral: Curve25519SecretKey, clientEphemeral: Curve25519PublicKey, safeNonce: [UInt8],
                     minuteKey: NaClSecretBox, serverSecret: Curve25519SecretKey) throws(SecureChannelError)
        -> (frame: [UInt8], cookie: [UInt8]) {
        let cookie = safeNonce + minuteKey.seal(
            clientEphemeral.rawRepresentation + serverEphemeral.unsafeExportSecret().unsafeExportSecret(),
            nonce: NaClNonce(prefix8: CurveTunWire.minuteKey, tail: safeNonce))
        let box: [UInt8]
        do {
            box = try NaClBox.seal(serverEphemeral.publicKey.rawRepresentation + cookie,
                                   nonce: NaClNonce(prefix8: CurveTunWire.cookieBox, tail: safeNonce),
                                   to: clientEphemeral, from: serverSecret)
        } catch { throw .authenticationFailed }
        return (CurveTunWire.frame(CurveTunWire.cookieMagic + safeNonce + box), cookie)
    }

    /// Opens a Cookie frame. - Returns: the server's ephemeral key and the opaque cookie `K`.
    static func read(_ frame: [UInt8], clientEphemeral: Curve25519SecretKey,
                     serverKey: Curve25519PublicKey) throws(SecureChannelError) -> (Curve25519PublicKey, [UInt8]) {
        let payload = try CurveTunWire.payload(frame, magic: CurveTunWire.cookieMagic, length: length)
        let start = payload.startIndex
        let safeNonce = Array(payload[(start + 8)..<(start + 24)])
        let plain: [UInt8]
        do {
            plain = try NaClBox.open(payload[(start + 24)...], nonce: NaClNonce(prefix8: CurveTunWire.cookieBox, tail: safeNonce),
                                     from: serverKey, to: clientEphemeral)
        } catch { throw .authenticationFailed }
        guard plain.count == 32 + cookieLength, let es = try? Curve25519PublicKey(rawRepresentation: plain[0..<32]) else {
            throw .authenticationFailed
        }
        return (es, Array(plain[32...]))
    }

    /// Opens a cookie `K` with the current or the previous minute key.
    /// - Returns: the client's ephemeral key and the server's ephemeral secret it holds.
    static func open(_ cookie: ArraySlice<UInt8>, keys: MinuteKeys) throws(SecureChannelError) -> (Curve25519PublicKey, Curve25519SecretKey) {
        guard cookie.count == cookieLength else { throw .badLength(type: 0x1C, length: cookie.count) }
        let safeNonce = Array(cookie.prefix(16))
        let nonce = NaClNonce(prefix8: CurveTunWire.minuteKey, tail: safeNonce)
        let box = cookie.dropFirst(16)
        let candidates = [keys.current] + (keys.previous.map { [$0] } ?? [])
        for key in candidates {
            guard let plain = try? key.open(box, nonce: nonce), plain.count == 64 else { continue }
            let secret = SecretBytes(plain[32..<64])
            guard let ec = try? Curve25519PublicKey(rawRepresentation: plain[0..<32]),
                  let ess = try? Curve25519SecretKey(secret: secret) else { break }
            return (ec, ess)
        }
        throw .authenticationFailed
    }
}

/// curve_tun Vouch / Initiate (docs/channel-protocol.md §9), 224 bytes:
/// `magic(8) ‖ K(96) ‖ u64be(1) ‖ Box[C(32) ‖ NonceLT(16) ‖ V(48)](ECs -> ES, "CurveCP-client-I" ‖ 1)`
/// with `V = Box[EC](Cs -> S, "CurveCPV" ‖ NonceLT)`.
struct CurveTunVouch {
    static let length = 224
    static let nonce = NaClNonce(prefix: CurveTunWire.clientInitiate, counter: 1)

    static func write(cookie: [UInt8], client: Curve25519SecretKey, clientEphemeral: Curve25519PublicKey,
                      nonceLT: [UInt8], serverKey: Curve25519PublicKey, session: NaClBoxKey) throws(SecureChannelError) -> [UInt8] {
        let v: [UInt8]
        do {
            v = try NaClBox.seal(clientEphemeral.rawRepresentation, nonce: NaClNonce(prefix8: CurveTunWire.vouchBox, tail: nonceLT),
                                 to: serverKey, from: client)
        } catch { throw .authenticationFailed }
        let box = session.seal(client.publicKey.rawRepresentation + nonceLT + v, nonce: nonce)
        return CurveTunWire.frame(CurveTunWire.vouchMagic + cookie + BigEndian.bytes(1) + box)
    }

    /// What a checked Vouch proves.
    struct Proven {
        let client: Curve25519PublicKey
        let clientEphemeral: Curve25519PublicKey
        let session: NaClBoxKey
    }

    /// Checks a Vouch in curve_tun's order: counter, cookie, outer box, vouch `V`.
    /// - Parameter issued: the cookie this connection's server issued; a Vouch carrying any other
    ///   cookie (one issued on another connection, or a recorded one) is refused before it is opened.
    static func read(_ frame: [UInt8], keys: MinuteKeys, serverSecret: Curve25519SecretKey,
                     issued: [UInt8]? = nil) throws(SecureChannelError) -> Proven {
        let payload = try CurveTunWire.payload(frame, magic: CurveTunWire.vouchMagic, length: length)
        let start = payload.startIndex
        let counter = BigEndian.uint64(payload[(start + 104)...])
        guard counter == 1 else { throw .counterMismatch(expected: 1, got: counter) }
        if let issued, !ConstantTime.equals(Array(payload[(start + 8)..<(start + 104)]), issued) {
            throw .authenticationFailed
        }
        let (ec, ess) = try CurveTunCookie.open(payload[(start + 8)..<(start + 104)], keys: keys)
        let session: NaClBoxKey
        let plain: [UInt8]
        do {
            session = try NaClBoxKey(publicKey: ec, secretKey: ess)
            plain = try session.open(payload[(start + 112)...], nonce: nonce)
        } catch { throw .authenticationFailed }
        guard plain.count == 96, let client = try? Curve25519PublicKey(rawRepresentation: plain[0..<32]) else {
            throw .authenticationFailed
        }
        let vouched: [UInt8]
        do {
            vouched = try NaClBox.open(plain[48...], nonce: NaClNonce(prefix8: CurveTunWire.vouchBox, tail: Array(plain[32..<48])),
                                       from: client, to: serverSecret)
        } catch { throw .authenticationFailed }
        guard ConstantTime.equals(vouched, ec.rawRepresentation) else { throw .authenticationFailed }
        return Proven(client: client, clientEphemeral: ec, session: session)
    }
}
