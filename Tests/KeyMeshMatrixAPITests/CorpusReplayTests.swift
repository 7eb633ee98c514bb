// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// The fuzz corpora of this module (`Corpus/json`, `Corpus/canonical-json`, `Corpus/key-id`,
/// grown by `scripts/fuzz`, docs/SECURITY.md "Fuzzing") replayed on every test run: each input,
/// and any crash ever found, must parse or be refused without a trap, and what parses must be
/// stable through canonical encoding.
@Suite("Fuzz corpora replay: JSON, canonical JSON, key ids")
struct CorpusReplayTests {
    static func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        try VectorLoader.files(in: "Corpus/\(target)").filter { $0.lastPathComponent != "README.md" }
            .map { ($0.lastPathComponent, [UInt8](try Data(contentsOf: $0))) }
    }

    @Test("every JSON corpus input parses or throws in bounds; parse → encode → parse is stable")
    func json() throws {
        let inputs = try Self.inputs("json") + Self.inputs("canonical-json")
        #expect(inputs.count >= 20)
        var parsed = 0
        for (name, bytes) in inputs {
            do {
                let value = try JSONParser.parse(bytes)
                parsed += 1
                let encoded = try CanonicalJSON.encode(value)
                let again = try JSONParser.parse(encoded)
                #expect(again == value, "\(name)")
                #expect(try CanonicalJSON.encode(again) == encoded, "\(name)")
            } catch let error as JSONParseError {
                if let offset = JSONFuzzTests.describe(error).offset {
                    #expect((0...bytes.count).contains(offset), "\(name): \(error)")
                }
            }
        }
        #expect(parsed > 0)
    }

    @Test("every key-id corpus input parses to an id that prints back to it, or is nil")
    func keyIDs() throws {
        let inputs = try Self.inputs("key-id")
        #expect(!inputs.isEmpty)
        for (name, bytes) in inputs {
            guard let text = String(validating: bytes, as: UTF8.self), let id = KeyID(text) else { continue }
            #expect(Array(id.description.utf8) == bytes, "\(name)")
            #expect(KeyID(id.description) == id, "\(name)")
        }
    }
}
