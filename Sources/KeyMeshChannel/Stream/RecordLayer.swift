// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The established stream: records in both directions (docs/channel-protocol.md §4).
///
/// | offset | len | field |
/// |---|---|---|
/// | 0 | 8 | counter, u64be |
/// | 8 | 17 … 65553 | Box[kind(1) ‖ data](session key, prefix ‖ u64be(counter)) |
///
/// Each direction has its own nonce prefix and counter, so no nonce repeats under the one
/// session key however the two sides' sends interleave. A receiver accepts only the exact next
/// counter, and commits it only after the box opened.
struct RecordLayer: Sendable {
    /// The largest chunk of message data in one record.
    static let maximumChunk = 65536
    static let minimumBodyLength = 8 + NaCl.macLength + 1
    static let maximumBodyLength = 8 + NaCl.macLength + 1 + maximumChunk
    /// Default and ceiling of the reassembled message size.
    static let defaultMaximumMessage = 1 << 20
    static let maximumMessageCeiling = 16 << 20

    enum Kind: UInt8 {
        case last = 0x00
        case more = 0x01
        case close = 0x02
    }

    private let key: NaClBoxKey
    private let sendPrefix: [UInt8]
    private let receivePrefix: [UInt8]
    private let maximumMessage: Int
    private var sendCounter: UInt64 = 0
    private var receiveCounter: UInt64 = 0
    private var partial: [UInt8] = []
    private var hasPartial = false

    init(key: NaClBoxKey, isClient: Bool, maximumMessage: Int) {
        self.key = key
        sendPrefix = isClient ? StreamNonce.clientRecord : StreamNonce.serverRecord
        receivePrefix = isClient ? StreamNonce.serverRecord : StreamNonce.clientRecord
        self.maximumMessage = maximumMessage
    }

    // MARK: Sending

    /// Seals `message` as one or more record frames.
    mutating func seal(_ message: [UInt8]) throws(SecureChannelError) -> [[UInt8]] {
        guard message.count <= maximumMessage else { throw .messageTooLarge(size: message.count, limit: maximumMessage) }
        let chunkCount = max(1, (message.count + Self.maximumChunk - 1) / Self.maximumChunk)
        guard sendCounter <= UInt64.max - 1 - UInt64(chunkCount) else { throw .counterExhausted }
        var frames: [[UInt8]] = []
        frames.reserveCapacity(chunkCount)
        message.withUnsafeBytes { bytes in
            for index in 0..<chunkCount {
                let start = index * Self.maximumChunk
                let end = min(start + Self.maximumChunk, bytes.count)
                let kind: Kind = index == chunkCount - 1 ? .last : .more
                frames.append(sealRecord(kind, UnsafeRawBufferPointer(rebasing: bytes[start..<end])))
            }
        }
        return frames
    }

    /// A Close record, or nil when the counter space is exhausted.
    mutating func sealClose(_ reason: CloseReason) -> [UInt8]? {
        guard sendCounter < UInt64.max - 1 else { return nil }
        return withUnsafeBytes(of: reason.rawValue) { sealRecord(.close, $0) }
    }

    /// header ‖ counter ‖ box, sealed in place in the frame buffer (no copy of the data).
    private mutating func sealRecord(_ kind: Kind, _ data: UnsafeRawBufferPointer) -> [UInt8] {
        let counter = sendCounter
        sendCounter += 1
        let bodyLength = 8 + NaCl.macLength + 1 + data.count
        let frameLength = StreamFrame.headerLength + bodyLength
        let header = StreamFrame.header(.record, length: bodyLength)
        let nonce = NaClNonce(prefix: sendPrefix, counter: counter)
        return [UInt8](unsafeUninitializedCapacity: frameLength) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.copyBytes(from: header)
            withUnsafeBytes(of: counter.bigEndian) {
                UnsafeMutableRawBufferPointer(rebasing: raw[StreamFrame.headerLength..<(StreamFrame.headerLength + 8)])
                    .copyMemory(from: $0)
            }
            let boxStart = StreamFrame.headerLength + 8
            raw[boxStart + NaCl.macLength] = kind.rawValue
            if data.count > 0 {
                UnsafeMutableRawBufferPointer(rebasing: raw[(boxStart + NaCl.macLength + 1)...]).copyMemory(from: data)
            }
            key.sealInPlace(UnsafeMutableRawBufferPointer(rebasing: raw[boxStart...]), nonce: nonce)
            initialized = frameLength
        }
    }

    // MARK: Receiving

    /// What one record meant.
    enum Event: Equatable {
        case message([UInt8])
        case chunk
        case close(CloseReason)
    }

    /// Opens one record body. State changes only if the box opened and its contents are valid.
    mutating func open(_ body: ArraySlice<UInt8>) throws(SecureChannelError) -> Event {
        guard body.count >= Self.minimumBodyLength, body.count <= Self.maximumBodyLength else {
            throw .badLength(type: 0x04, length: body.count)
        }
        let counter = BigEndian.uint64(body)
        guard counter == receiveCounter else { throw .counterMismatch(expected: receiveCounter, got: counter) }
        let nonce = NaClNonce(prefix: receivePrefix, counter: counter)
        let plain: [UInt8]
        do {
            plain = try body.dropFirst(8).withUnsafeBytes { box throws(NaClError) in try key.open(box, nonce: nonce) }
        } catch { throw .authenticationFailed }
        guard let first = plain.first, let kind = Kind(rawValue: first) else { throw .malformedRecord }
        let data = plain.dropFirst()
        // Validate everything first; mutate only once the record is known good.
        switch kind {
        case .close:
            guard data.count == 1, let reason = CloseReason(rawValue: data[data.startIndex]) else { throw .malformedRecord }
            receiveCounter = counter + 1
            return .close(reason)
        case .more, .last:
            if kind == .more, data.isEmpty { throw .malformedRecord }
            let size = partial.count + data.count
            guard size <= maximumMessage else { throw .messageTooLarge(size: size, limit: maximumMessage) }
        }
        receiveCounter = counter + 1
        if kind == .more {
            partial.append(contentsOf: data)
            hasPartial = true
            return .chunk
        }
        guard hasPartial else { return .message(Array(data)) }
        partial.append(contentsOf: data)
        defer { partial = []; hasPartial = false }
        return .message(partial)
    }
}
