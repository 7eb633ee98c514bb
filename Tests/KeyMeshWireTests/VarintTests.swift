// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshTestSupport
import KeyMeshWire
import Testing

@Suite("LEB128 varints")
struct VarintTests {
    static let known: [(UInt64, [UInt8])] = [
        (0, [0x00]), (1, [0x01]), (127, [0x7F]), (128, [0x80, 0x01]), (300, [0xAC, 0x02]),
        (16_384, [0x80, 0x80, 0x01]), (UInt64(UInt32.max), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        (UInt64.max, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ]

    @Test("known values encode and decode")
    func knownValues() throws {
        for (value, bytes) in Self.known {
            var writer = ByteWriter()
            #expect(writer.writeVarint(value) == bytes.count)
            #expect(writer.bytes == bytes)
            var reader = ByteReader(bytes)
            #expect(try reader.readVarint() == value)
            #expect(reader.readableBytes == 0)
        }
    }

    @Test("10,000 random values round-trip (seed 0x7A1)")
    func roundTrip() throws {
        let random = SeededRandom(seed: 0x7A1)
        for _ in 0..<10_000 {
            let value = random.next() >> UInt64(random.next(below: 64))
            var writer = ByteWriter()
            writer.writeVarint(value)
            var reader = ByteReader(writer.bytes)
            #expect(try reader.readVarint() == value)
        }
    }

    @Test("a truncated varint returns nil and leaves the index unchanged")
    func needMore() throws {
        var reader = ByteReader([0x05, 0x80, 0x80])
        #expect(try reader.readVarint() == 5)
        #expect(try reader.readVarint() == nil)
        #expect(reader.readerIndex == 1)
        var empty = ByteReader([])
        #expect(try empty.readVarint() == nil)
    }

    @Test("more than 10 bytes or 64 bits is malformed")
    func tooLong() {
        var eleven = ByteReader([UInt8](repeating: 0x80, count: 10) + [0x01])
        #expect(throws: WireError.varintTooLong) { try eleven.readVarint() }
        var overflow = ByteReader([UInt8](repeating: 0xFF, count: 9) + [0x02])
        #expect(throws: WireError.varintTooLong) { try overflow.readVarint() }
    }

    @Test("length-prefixed bytes: nil when the length runs past the input, index unchanged")
    func lengthPrefixed() throws {
        var writer = ByteWriter()
        #expect(writer.writeLengthPrefixed([1, 2, 3]) == 4)
        var reader = ByteReader(writer.bytes)
        #expect(try reader.readLengthPrefixed() == [1, 2, 3])
        var short = ByteReader([0x05, 1, 2])
        #expect(try short.readLengthPrefixed() == nil)
        #expect(short.readerIndex == 0)
        var huge = ByteReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 1])
        #expect(try huge.readLengthPrefixed() == nil)
        #expect(huge.readerIndex == 0)
    }
}
