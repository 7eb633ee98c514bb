// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import FuzzSupport

/// MSL key exchange readers: key request/response data, master tokens, an issuer's issue and
/// renew, the requester's completion, and the envelope, session-data, JWK, JWE and base64 readers
/// behind them (docs/MSL.md). The logic is `MSLFuzzing.swift`, a link to the file
/// `MSLCorpusReplayTests` replays the corpus with, so both run exactly the same code; an error code
/// an entry point does not document, or a broken invariant, is reported as a crash.
@main
enum Main {
    static func main() {
        _ = MSLFuzzFixture.shared // the RSA and DH requests are made once, before the first input
        runFuzzer(fuzzMSL)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMSL(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let outcome = MSLFuzzing.run(fuzzBytes(data, count))
    if let violation = outcome.violations.first { fuzzFailure(violation) }
    return 0
}
