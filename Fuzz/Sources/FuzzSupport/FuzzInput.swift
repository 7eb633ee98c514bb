// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import CLibFuzzer
import KeyMeshCrypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The signature libFuzzer calls for each input.
public typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Runs libFuzzer's driver with `target` and the process's arguments (`-runs=…`, corpus folders);
/// SwiftPM's executables start at `@main`, so libFuzzer's own `main` is not used.
public func runFuzzer(_ target: FuzzTarget) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, target))
}

/// The bytes libFuzzer hands to `LLVMFuzzerTestOneInput`.
public func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
    guard let data, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: count))
}

/// A fixed, deterministic byte stream (xorshift64*), so a crash replays exactly: fuzz targets
/// must not draw from the system's random source. One thread only (libFuzzer runs one).
public final class FixedRandom: RandomSource, @unchecked Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed | 1 }

    public func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        for n in 0..<buffer.count {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            buffer[n] = UInt8(truncatingIfNeeded: (state &* 0x2545_F491_4F6C_DD1D) >> 56)
        }
    }
}

/// Stops the run with a message libFuzzer records as a crash: an invariant broke.
public func fuzzFailure(_ message: String) -> Never {
    fatalError(message)
}
