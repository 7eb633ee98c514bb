// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import FuzzSupport
import KeyMeshOlm

/// Olm message decoding: PreKeyMessage, NormalMessage and OlmMessage (by type, and from a
/// base64 body) return a value or a typed error, never trap.
@main
enum Main {
    static func main() { runFuzzer(fuzzOlmMessage) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOlmMessage(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzBytes(data, count)
    _ = try? NormalMessage(bytes: input)
    _ = try? PreKeyMessage(bytes: input)
    for type in [0, 1, 2] { _ = try? OlmMessage(type: type, bytes: input) }
    _ = try? OlmMessage(type: 0, body: String(decoding: input, as: UTF8.self))
    _ = try? OlmMessage(type: 1, body: String(decoding: input, as: UTF8.self))
    return 0
}
