// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import FuzzSupport
import KeyMeshMatrixAPI

/// Canonical JSON: whatever parses encodes, the encoding re-parses to an equal value, and
/// encoding that value again gives the same bytes (a fixed point).
@main
enum Main {
    static func main() { runFuzzer(fuzzCanonicalJSON) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCanonicalJSON(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzBytes(data, count)
    guard let value = try? JSONParser.parse(input) else { return 0 }
    do {
        let encoded = try CanonicalJSON.encode(value)
        let again = try JSONParser.parse(encoded)
        guard again == value else { fuzzFailure("re-parsed canonical JSON differs") }
        guard try CanonicalJSON.encode(again) == encoded else { fuzzFailure("canonical JSON is not a fixed point") }
    } catch {
        fuzzFailure("a parsed value failed to round-trip: \(error)")
    }
    return 0
}
