// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// Packet-mode datagrams (docs/channel-protocol.md §5).
///
/// Client → server: `0x11 ‖ EC(32) ‖ counter(u64be) ‖ Box[kind ‖ data](ECs -> S, "KeyMesh-Client-P" ‖ counter)`
/// Server → client: `0x12 ‖ counter(u64be) ‖ Box[kind ‖ data](Ss -> EC, "KeyMesh-Server-P" ‖ counter)`
enum Packet {
    static let clientType: UInt8 = 0x11
    static let serverType: UInt8 = 0x12
    /// The most data one packet carries.
    static let maximumData = 65000
    static let clientHeader = 1 + 32 + 8
    static let serverHeader = 1 + 8
    static let boxOverhead = NaCl.macLength + 1

    enum Kind: UInt8 {
        case data = 0x00
        case close = 0x02
    }

    /// What an authenticated packet carried.
    enum Contents: Equatable, Sendable {
        case data([UInt8])
        case close(CloseReason)
    }

    /// `header ‖ Box[kind ‖ data]` under the direction's prefix.
    static func seal(header: [UInt8], counter: UInt64, prefix: [UInt8], contents: Contents, key: NaClBoxKey) -> [UInt8] {
        let plain: [UInt8]
        switch contents {
        case .data(let data): plain = [Kind.data.rawValue] + data
        case .close(let reason): plain = [Kind.close.rawValue, reason.rawValue]
        }
        return header + BigEndian.bytes(counter) + key.seal(plain, nonce: NaClNonce(prefix: prefix, counter: counter))
    }

    /// Opens a box at `body` (counter ‖ box); nil for anything that does not authenticate or parse.
    static func open(_ body: ArraySlice<UInt8>, prefix: [UInt8], key: NaClBoxKey) -> (UInt64, Contents)? {
        guard body.count >= 8 + boxOverhead, body.count <= 8 + boxOverhead + maximumData else { return nil }
        let counter = BigEndian.uint64(body)
        guard let plain = try? key.open(body.dropFirst(8), nonce: NaClNonce(prefix: prefix, counter: counter)),
              let first = plain.first, let kind = Kind(rawValue: first) else { return nil }
        switch kind {
        case .data: return (counter, .data(Array(plain.dropFirst())))
        case .close:
            guard plain.count == 2, let reason = CloseReason(rawValue: plain[1]) else { return nil }
            return (counter, .close(reason))
        }
    }
}
