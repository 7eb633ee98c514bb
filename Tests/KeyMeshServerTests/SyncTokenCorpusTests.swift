// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshTestSupport
import Testing

@testable import KeyMeshServer

/// The sync-token fuzz corpus (`Corpus/sync-token`, grown by `scripts/fuzz`, docs/SECURITY.md
/// "Fuzzing") replayed as the fuzz target runs it.
@Suite("Fuzz corpus replay: sync tokens")
struct SyncTokenCorpusTests {
    @Test("every sync-token corpus input is refused with M_INVALID_PARAM or names a position that round-trips")
    func replay() throws {
        let files = try VectorLoader.files(in: "Corpus/sync-token").filter { $0.lastPathComponent != "README.md" }
        #expect(files.count >= 5)
        var accepted = 0
        for file in files {
            let text = String(decoding: try Data(contentsOf: file), as: UTF8.self)
            do {
                let position = try SyncToken.parse(text, parameter: "since")
                accepted += 1
                #expect(position >= 0, "\(file.lastPathComponent)")
                #expect(try SyncToken.parse(SyncToken.make(position), parameter: "since") == position)
            } catch {
                #expect(error.errcode == "M_INVALID_PARAM", "\(file.lastPathComponent)")
            }
        }
        #expect(accepted > 0)
    }
}
