// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

@testable import KeyMeshChannel

/// One fuzz input through the channel's wire parsers and state machines. Shared, as this very
/// file, by the libFuzzer target (Fuzz/Sources/fuzz-channel links to it) and by
/// `ChannelCorpusTests`, so a corpus file replays exactly as the fuzzer ran it.
///
/// The first byte picks the machine (0 keymesh stream server, 1 keymesh stream client, 2 curve_tun
/// server, 3 curve_tun client, 4 packet server, 5 packet client); the rest is cut into frames
/// with the machine's own `frameLength(in:)` (datagrams: `u16be length ‖ bytes`) and fed in.
/// Keys and randomness are fixed, so a recorded handshake replays to an established session.
enum ChannelFuzzing {
    static func run(_ input: [UInt8]) {
        let rest = Array(input.dropFirst())
        parseDirectly(rest)
        let random = FixedRandom(seed: 0xC4A7)
        let serverIdentity = Curve25519SecretKey(using: random)
        let clientIdentity = Curve25519SecretKey(using: random)
        switch (input.first ?? 0) % 6 {
        case 0:
            var server = KeyMeshStreamServer(identity: serverIdentity, policy: .open, random: random)
            feed(rest, length: KeyMeshStreamServer.frameLength) { server.receive(frame: $0) }
        case 1:
            var client = KeyMeshStreamClient(identity: clientIdentity, serverKey: serverIdentity.publicKey, random: random)
            _ = client.start()
            feed(rest, length: KeyMeshStreamClient.frameLength) { client.receive(frame: $0) }
        case 2:
            var server = CurveTunServer(identity: serverIdentity, policy: .open,
                                        ring: CurveTunCookieRing(random: random), random: random)
            feed(rest, length: CurveTunServer.frameLength) { server.receive(frame: $0) }
        case 3:
            var client = CurveTunClient(identity: clientIdentity, serverKey: serverIdentity.publicKey, random: random)
            _ = client.start()
            feed(rest, length: CurveTunClient.frameLength) { client.receive(frame: $0) }
        case 4:
            var server = PacketServer<Int>(identity: serverIdentity, startCounter: 1)
            for datagram in datagrams(rest) { _ = server.receive(datagram, from: 0) }
        default:
            guard var client = try? PacketClient(serverKey: serverIdentity.publicKey, random: random) else { return }
            for datagram in datagrams(rest) { _ = client.open(datagram) }
        }
    }

    /// The internal parsers, each given the input as a frame or body.
    static func parseDirectly(_ bytes: [UInt8]) {
        _ = try? StreamFrame.parse(bytes)
        _ = try? bytes.withUnsafeBytes { buffer throws(SecureChannelError) in try StreamFrame.length(in: buffer) }
        _ = try? Hello(body: bytes[...])
        _ = try? CookieAck(body: bytes[...])
        _ = try? Vouch(body: bytes[...])
        _ = try? bytes.withUnsafeBytes { buffer throws(SecureChannelError) in try CurveTunWire.frameLength(in: buffer) }
        for magic in [CurveTunWire.clientMessage, CurveTunWire.serverMessage] {
            _ = try? CurveTunWire.payload(bytes, magic: magic)
        }
    }

    /// Cuts `bytes` into frames with the machine's own length check and feeds each until the
    /// machine finishes; what is left when the check refuses or wants more goes in as one frame.
    static func feed(_ bytes: [UInt8], length: (UnsafeRawBufferPointer) throws(SecureChannelError) -> Int?,
                     _ receive: ([UInt8]) -> [ChannelAction]) {
        var start = 0
        while start < bytes.count {
            let next: Int?
            do {
                next = try bytes[start...].withUnsafeBytes { buffer throws(SecureChannelError) in try length(buffer) }
            } catch {
                next = nil
            }
            guard let next, next > 0, start + next <= bytes.count else {
                _ = receive(Array(bytes[start...]))
                return
            }
            let actions = receive(Array(bytes[start..<(start + next)]))
            if actions.contains(where: { if case .finish = $0 { true } else { false } }) { return }
            start += next
        }
    }

    /// Datagrams as `u16be length ‖ bytes` (at most 64), the last taking whatever is left.
    static func datagrams(_ bytes: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var start = 0
        while start + 2 <= bytes.count, out.count < 64 {
            let length = Int(bytes[start]) << 8 | Int(bytes[start + 1])
            let end = min(bytes.count, start + 2 + length)
            out.append(Array(bytes[(start + 2)..<end]))
            start = end
        }
        return out
    }

    /// A fixed xorshift64* stream: fuzz inputs must replay exactly, so nothing draws from the
    /// system's random source. One thread only.
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
