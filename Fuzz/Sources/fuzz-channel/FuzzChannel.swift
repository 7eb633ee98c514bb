// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import FuzzSupport

/// The secure channel's wire parsers (StreamFrame, Hello, CookieAck, Vouch, CurveTunWire) and the
/// receive paths of its six state machines. The logic is `ChannelFuzzing.swift`, a link to the
/// file `ChannelCorpusTests` replays the corpus with, so both run exactly the same code.
@main
enum Main {
    static func main() { runFuzzer(fuzzChannel) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChannel(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    ChannelFuzzing.run(fuzzBytes(data, count))
    return 0
}
