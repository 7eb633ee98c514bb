// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshTestSupport
import KeyMeshWire
import Testing

@Suite("Protobuf-style fields")
struct ProtobufFieldTests {
    static var sample: [UInt8] {
        var writer = ByteWriter()
        writer.writeBytesField(1, [UInt8](repeating: 7, count: 32))
        writer.writeVarintField(2, 300)
        writer.writeBytes([0x1D, 1, 2, 3, 4])            // field 3, fixed32
        writer.writeBytes([0x21] + [UInt8](repeating: 9, count: 8))  // field 4, fixed64
        writer.writeBytesField(5, Array("payload".utf8))
        return writer.bytes
    }

    @Test("reads varint, length-delimited and fixed-width fields")
    func readsFields() throws {
        var reader = ByteReader(Self.sample)
        #expect(try reader.readProtobufField() == .bytes(field: 1, value: [UInt8](repeating: 7, count: 32)))
        #expect(try reader.readProtobufField() == .varint(field: 2, value: 300))
        #expect(try reader.readProtobufField() == .fixed(field: 3))
        #expect(try reader.readProtobufField() == .fixed(field: 4))
        #expect(try reader.readProtobufField() == .bytes(field: 5, value: Array("payload".utf8)))
        #expect(try reader.readProtobufField() == nil)
    }

    @Test("wire types 3, 4, 6 and 7 are malformed")
    func unsupported() {
        for wireType: UInt8 in [3, 4, 6, 7] {
            var reader = ByteReader([0x08 | wireType, 0])
            #expect(throws: WireError.unsupportedWireType(wireType)) { try reader.readProtobufField() }
        }
    }

    @Test("every prefix either yields whole fields or nil with the index unchanged (chunking)")
    func chunking() throws {
        let sample = Self.sample
        var complete = ByteReader(sample)
        var expected: [ProtobufField] = []
        var ends: [Int] = []
        while let field = try complete.readProtobufField() {
            expected.append(field)
            ends.append(complete.readerIndex)
        }
        for cut in 0...sample.count {
            var reader = ByteReader(Array(sample.prefix(cut)))
            var fields: [ProtobufField] = []
            while true {
                let before = reader.readerIndex
                guard let field = try reader.readProtobufField() else {
                    #expect(reader.readerIndex == before, "cut \(cut)")
                    break
                }
                fields.append(field)
            }
            // exactly the fields that end within the prefix, and nothing else
            #expect(fields == Array(expected.prefix(ends.filter { $0 <= cut }.count)), "cut \(cut)")
        }
    }

    @Test("100,000 random and mutated inputs never trap (seed 0x9B0F)")
    func fuzz() {
        let random = SeededRandom(seed: 0x9B0F)
        let sample = Self.sample
        var fieldsRead = 0
        for n in 0..<100_000 {
            var input = n % 2 == 0 ? random.bytes(count: random.next(below: 48)) : sample
            if n % 2 == 1 {
                for _ in 0..<(1 + random.next(below: 3)) { input[random.next(below: input.count)] = UInt8(random.next(below: 256)) }
            }
            var reader = ByteReader(input)
            while reader.readableBytes > 0 {
                guard let field = try? reader.readProtobufField() else { break }
                fieldsRead += field == .fixed(field: 0) ? 0 : 1
            }
        }
        #expect(fieldsRead > 0)
    }
}
