// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import CSodium
import Synchronization

/// A cache of the operating system's randomness: it draws `capacity` bytes from a source
/// (default ``SystemRandom``) in one call and hands them out in order, wiping each byte as it
/// leaves the cache, so no byte is given twice and none stays in memory after use.
///
/// No new primitive: every byte is the source's own output, unchanged. It saves one system call
/// per small draw (an MSL issuance draws session keys, an IV and a serial number separately,
/// docs/PERFORMANCE.md "MSL"). Thread safe: the cache is held under a lock. A request larger than
/// a quarter of the cache goes straight to the source.
public final class BufferedRandom: RandomSource {
    private struct Cache {
        var bytes: [UInt8]
        var next: Int
    }

    private let source: any RandomSource
    private let capacity: Int
    private let cache: Mutex<Cache>

    /// A cache of `capacity` bytes (at least 64) over `source`.
    public init(capacity: Int = 4096, source: some RandomSource = SystemRandom()) {
        let capacity = max(capacity, 64)
        self.capacity = capacity
        self.source = source
        cache = Mutex(Cache(bytes: [UInt8](repeating: 0, count: capacity), next: capacity))
    }

    deinit { cache.withLock { SecretBytes.wipe(&$0.bytes) } }

    public func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        guard buffer.count <= capacity / 4 else {
            source.fill(buffer)
            return
        }
        cache.withLock { cache in
            var written = 0
            while written < buffer.count {
                if cache.next == capacity {
                    cache.bytes.withUnsafeMutableBytes { source.fill($0) }
                    cache.next = 0
                }
                let take = min(buffer.count - written, capacity - cache.next)
                let start = cache.next
                cache.bytes.withUnsafeMutableBytes { bytes in
                    guard let cached = bytes.baseAddress?.advanced(by: start) else { return }
                    (base + written).copyMemory(from: cached, byteCount: take)
                    sodium_memzero(cached, take)
                }
                cache.next += take
                written += take
            }
        }
    }

    /// How many cached bytes are still unused (for tests).
    var remaining: Int { cache.withLock { capacity - $0.next } }

    /// Whether every cached byte already handed out has been wiped (for tests).
    var handedOutBytesAreWiped: Bool {
        cache.withLock { cache in cache.bytes[..<cache.next].allSatisfy { $0 == 0 } }
    }
}
