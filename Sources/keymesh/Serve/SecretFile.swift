// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation

/// Secrets given as a file path (`--registration-shared-secret-file`, `--password-file`), so
/// the secret never appears in the process list the way a flag's value does.
enum SecretFile {
    /// The file's text without its trailing line break (`echo secret > file` adds one).
    /// - Throws: `ValidationError` if the file cannot be read or holds nothing.
    static func read(_ path: String, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read the \(what) file \(path)")
        }
        var text = String(decoding: data, as: UTF8.self)
        while let last = text.last, last == "\n" || last == "\r" { text.removeLast() }
        guard !text.isEmpty else { throw ValidationError("the \(what) file \(path) is empty") }
        return text
    }
}
