// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshMSL

/// `keymesh msl respond|request`: MSL key exchange as JSON lines on standard input and output,
/// the interface interoperability tests drive (docs/MSL.md §10).
struct MSLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "msl",
        abstract: "MSL key exchange over JSON lines (interoperability test tools; test keys as flags).",
        subcommands: [MSLRespondCommand.self, MSLRequestCommand.self]
    )
}

/// Writing the JSON lines of `keymesh msl`.
enum MSLLines {
    /// The longest input line read (docs/MSL.md §12).
    static let maxLine = 64 * 1024

    static func write(_ object: JSONObject) {
        FileHandle.standardOutput.write(Data(MSLJSON.encode(.object(object)) + [UInt8(ascii: "\n")]))
    }

    /// `{"ok":false,"internalcode":N,"error":"NAME"}`.
    static func failure(_ error: MSLError) -> JSONObject {
        ["ok": false, "internalcode": .int(Int64(error.internalCode)), "error": .string(error.code.name)]
    }

    static func hex(_ bytes: [UInt8]) -> JSONValue { .string(Hex.encode(bytes)) }

    /// The current time in seconds since 1970.
    static var now: Int64 { Int64(Date().timeIntervalSince1970) }
}
