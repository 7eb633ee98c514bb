// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import FuzzSupport
import KeyMeshCrypto
@testable import KeyMeshOlm

/// Account and session unpickling with a fixed key. The input is sealed as the pickle's plaintext
/// with the right key and label, so the fuzzer reaches the state decoder behind the MAC; it is
/// also offered raw, as a sealed pickle, to the authentication check.
@main
enum Main {
    static func main() { runFuzzer(fuzzOlmPickle) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOlmPickle(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzBytes(data, count)
    let random = FixedRandom(seed: 0x91C1E)
    let key = SealingKey(using: random)
    let kind: PickleKind = (input.first ?? 0) & 1 == 0 ? .account : .session
    let state = Array(input.dropFirst())
    let sealed = Pickle(bytes: key.seal(state, associatedData: kind.associatedData, using: random))
    switch kind {
    case .account: _ = try? OlmAccount(pickle: sealed, key: key)
    case .session: _ = try? OlmSession(pickle: sealed, key: key)
    }
    _ = try? OlmAccount(pickle: Pickle(bytes: input), key: key)
    _ = try? OlmSession(pickle: Pickle(bytes: input), key: key)
    return 0
}
