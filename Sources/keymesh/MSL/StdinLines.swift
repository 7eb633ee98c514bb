// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation

/// Standard input as bounded lines of bytes: a line longer than `limit` is delivered as
/// `.tooLong` (its bytes are dropped as they arrive, never held), so a hostile writer cannot grow
/// memory (docs/MSL.md §12). A final line without a newline still counts.
struct StdinLines: Sequence, IteratorProtocol {
    enum Line: Equatable {
        case bytes([UInt8])
        case tooLong
    }

    let limit: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var overflowing = false
    private var atEnd = false

    init(limit: Int) { self.limit = limit }

    mutating func next() -> Line? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                if overflowing { overflowing = false; return .tooLong }
                return .bytes(line.last == 0x0D ? Array(line.dropLast()) : line)
            }
            if buffer.count - start > limit {  // no newline within the limit: drop what we hold
                buffer.removeAll(keepingCapacity: true)
                start = 0
                overflowing = true
            }
            if atEnd {
                guard start < buffer.count || overflowing else { return nil }
                let rest = Array(buffer[start...])
                buffer.removeAll()
                start = 0
                if overflowing { overflowing = false; return .tooLong }
                return .bytes(rest)
            }
            fill()
        }
    }

    private mutating func fill() {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 16_384)
        var count: Int
        repeat {
            count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        } while count < 0 && errno == EINTR
        if count <= 0 {
            atEnd = true
        } else {
            buffer.append(contentsOf: chunk[0..<count])
        }
    }
}
