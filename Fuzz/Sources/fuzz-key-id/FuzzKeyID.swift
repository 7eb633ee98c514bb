// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import FuzzSupport
import KeyMeshMatrixAPI

/// Key ids: any text parses or is nil; a parsed id prints back to the same bytes and equals a
/// re-parse of its print.
@main
enum Main {
    static func main() { runFuzzer(fuzzKeyID) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeyID(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzBytes(data, count)
    guard let text = String(validating: input, as: UTF8.self), let id = KeyID(text) else { return 0 }
    guard Array(id.description.utf8) == input else { fuzzFailure("KeyID does not print back to its input") }
    guard KeyID(id.description) == id, KeyID(id.description)?.hashValue == id.hashValue else {
        fuzzFailure("KeyID re-parse differs")
    }
    return 0
}
