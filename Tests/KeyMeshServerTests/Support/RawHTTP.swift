// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI

/// HTTP/1.1 written byte by byte on a plain socket, for what an HTTP client library will not
/// send: raw bytes in the path, a body sent in parts with pauses, a connection held open.
/// The blocking socket calls run on a thread of their own, never on the cooperative pool the
/// in-process server also needs.
final class RawHTTP: @unchecked Sendable {
    struct Reply: Sendable {
        let status: Int
        let headers: [(String, String)]
        let bodyBytes: [UInt8]
        var body: JSONObject { (try? JSONParser.parse(bodyBytes))?.objectValue ?? [:] }
        var errcode: String? { body["errcode"]?.stringValue }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    enum Failure: Error {
        case connect, send
        /// The server closed the connection (or reset it) before a whole reply head arrived.
        case closedWithoutReply
        /// Nothing more arrived within the read timeout, the connection still open.
        case timedOut
    }

    /// The socket, or -1 once closed: closed exactly once, because a second close could hit a
    /// descriptor number the in-process server (or another test) has been given meanwhile.
    private var fd: Int32

    /// Connects to 127.0.0.1:`port`; reads give up after `timeout` seconds.
    init(port: Int, timeout: Int = 20) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.connect }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            fd = -1  // a throwing initializer of a class still runs deinit
            throw Failure.connect
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Sends `bytes` (all of them, or throws).
    func send(_ bytes: [UInt8]) async throws {
        let fd = fd
        let ok = await Self.offPool {
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return false }
                sent += n
            }
            return true
        }
        guard ok else { throw Failure.send }
    }

    func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    /// Reads one response (headers, then a `Content-Length` body or until the peer closes).
    func reply() async throws -> Reply {
        let fd = fd
        let (bytes, timedOut) = await Self.offPool { () -> ([UInt8], Bool) in
            var buffer: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n < 0, errno == EAGAIN || errno == EWOULDBLOCK { return (buffer, true) }
                if n <= 0 { return (buffer, false) }
                buffer += chunk[0..<n]
                if let end = Self.headerEnd(buffer), let length = Self.contentLength(buffer[..<end]),
                   buffer.count >= end + length { return (buffer, false) }
            }
        }
        guard let end = Self.headerEnd(bytes) else { throw timedOut ? Failure.timedOut : Failure.closedWithoutReply }
        let head = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = head.first?.split(separator: " ") ?? []
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure.closedWithoutReply }
        let headers = head.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(bytes[end...])
        if let length = Self.contentLength(bytes[..<end]) { body = Array(body.prefix(length)) }
        return Reply(status: status, headers: headers, bodyBytes: body)
    }

    /// One whole request on a new connection: `head` is the request line and headers (without the
    /// blank line); `Content-Length` and `Connection: close` are added.
    static func request(port: Int, _ head: String, body: [UInt8] = []) async throws -> Reply {
        let connection = try RawHTTP(port: port)
        try await connection.send(Array((head + "\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n").utf8) + body)
        return try await connection.reply()
    }

    private static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i + 4
        }
        return nil
    }

    private static func contentLength(_ head: ArraySlice<UInt8>) -> Int? {
        for line in String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }
        }
        return nil
    }

    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }
}
