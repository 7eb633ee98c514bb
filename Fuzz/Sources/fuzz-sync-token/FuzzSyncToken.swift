// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import FuzzSupport

/// Sync tokens (`since`, `from`): any text parses to a position that prints back to it, or is
/// refused with M_INVALID_PARAM.
@main
enum Main {
    static func main() { runFuzzer(fuzzSyncToken) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSyncToken(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, count), as: UTF8.self)
    guard let position = try? SyncToken.parse(text, parameter: "since") else { return 0 }
    guard position >= 0, (try? SyncToken.parse(SyncToken.make(position), parameter: "since")) == position else {
        fuzzFailure("token \(text) does not round-trip")
    }
    return 0
}
