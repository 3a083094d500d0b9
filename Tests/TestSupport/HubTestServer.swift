import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 (port chosen by the kernel) that imitates the Hugging Face hub's
/// `resolve` endpoint for tests: HEAD/GET with X-Repo-Commit, ETag, X-Linked-Etag, X-Linked-Size,
/// a 302 to a "CDN" path on the same server for LFS files, 307 relative redirects for renamed
/// repositories, byte ranges (206 + Content-Range), and injected faults. One connection at a time,
/// `Connection: close` on every answer. Never reaches beyond the loopback interface.
/// Shared by ModelZooTests (downloader) and CLITests (`imgvec models pull`).
public final class HubTestServer: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String]
    }

    struct HostedFile {
        var commit: String
        var bytes: [UInt8]
        var isLFS: Bool
        /// What the CDN actually sends (differs from `bytes` to provoke a checksum mismatch).
        var servedBytes: [UInt8]
        var sha256: String { HubTestServer.sha256Hex(bytes) }
        var gitETag: String { String(sha256.prefix(40)) }
    }

    public private(set) var port: UInt16 = 0
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private let lock = NSLock()
    private var files: [String: HostedFile] = [:]          // "repo/resolve/rev/filename" → file
    private var renamedRepositories: [String: String] = [:]
    private var dropsAfterBytes: [(pathPrefix: String, bytes: Int)] = []
    private var ignoresRange = false
    private var pacing: (chunk: Int, delay: TimeInterval)?
    private var log: [Request] = []
    private var stopping = false
    private let listener: Int32
    private var thread: Thread?

    public init() throws {
        #if canImport(Glibc)
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        listener = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard listener >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 16) == 0 else { close(listener); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        self.thread = thread
        thread.start()
    }

    deinit { stop() }

    /// Stops accepting; the accept loop notices within 50 ms and closes the socket.
    public func stop() {
        lock.withLock { stopping = true }
    }

    // MARK: Configuration

    /// Hosts `bytes` as `filename` of `repo` at `revision` (LFS files go through the CDN redirect).
    public func host(repo: String, revision: String = "main", filename: String, commit: String,
              bytes: [UInt8], lfs: Bool, servedBytes: [UInt8]? = nil) {
        let file = HostedFile(commit: commit, bytes: bytes, isLFS: lfs, servedBytes: servedBytes ?? bytes)
        lock.withLock { files["\(repo)/resolve/\(revision)/\(filename)"] = file }
    }

    /// Answers requests for `old` with a 307 relative redirect to `new`.
    public func rename(repository old: String, to new: String) {
        lock.withLock { renamedRepositories[old] = new }
    }

    /// The next GET whose path starts with `pathPrefix` sends only `bytes` body bytes, then closes.
    public func dropConnection(pathPrefix: String, afterBytes bytes: Int) {
        lock.withLock { dropsAfterBytes.append((pathPrefix, bytes)) }
    }

    /// When true, Range headers are ignored (always 200 with the whole body).
    public func setIgnoresRange(_ value: Bool) { lock.withLock { ignoresRange = value } }

    /// When set, bodies are sent `chunk` bytes at a time with `delay` seconds between chunks.
    public func setPacing(chunk: Int, delay: TimeInterval) { lock.withLock { pacing = (chunk, delay) } }

    /// Every request received so far.
    public var requests: [Request] { lock.withLock { log } }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Serving

    private func acceptLoop() {
        defer { close(listener) }
        while !lock.withLock({ stopping }) {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            #if canImport(Darwin)
            var yes: Int32 = 1
            setsockopt(connection, SOL_SOCKET, SO_NOSIGPIPE, &yes, socklen_t(MemoryLayout<Int32>.size))
            #endif
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if let request = readRequest(connection) {
                lock.withLock { log.append(request) }
                respond(to: request, on: connection)
            }
            close(connection)
        }
    }

    private func readRequest(_ connection: Int32) -> Request? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while buffer.count < 65536 {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            buffer += chunk[0..<count]
            if let text = String(bytes: buffer, encoding: .utf8), let end = text.range(of: "\r\n\r\n") {
                let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
                let parts = lines[0].split(separator: " ")
                guard parts.count >= 2 else { return nil }
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] =
                        line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return Request(method: String(parts[0]), path: String(parts[1]), headers: headers)
            }
        }
        return nil
    }

    private func respond(to request: Request, on connection: Int32) {
        let path = request.path.removingPercentEncoding ?? request.path
        let isHead = request.method == "HEAD"
        if path.hasPrefix("/cdn/") {
            serveCDN(path: path, request: request, on: connection)
            return
        }
        guard let marker = path.range(of: "/resolve/") else {
            send(connection, status: 404, headers: [:], body: Array("not found".utf8), isHead: isHead)
            return
        }
        let repo = String(path[path.index(after: path.startIndex)..<marker.lowerBound])
        let rest = String(path[marker.upperBound...])
        let (renamed, file) = lock.withLock { (renamedRepositories[repo], files["\(repo)/resolve/\(rest)"]) }
        if let renamed {
            // The hub's rename redirect is relative and keeps the encoded remainder.
            let encodedRest = request.path[request.path.range(of: "/resolve/")!.upperBound...]
            send(connection, status: 307, headers: ["Location": "/\(renamed)/resolve/\(encodedRest)"],
                 body: [], isHead: isHead)
            return
        }
        guard let file else {
            send(connection, status: 404, headers: ["X-Error-Code": "EntryNotFound"],
                 body: Array("Entry not found".utf8), isHead: isHead)
            return
        }
        if file.isLFS {
            send(connection, status: 302,
                 headers: ["X-Repo-Commit": file.commit, "ETag": "\"\(file.sha256)\"",
                           "X-Linked-Etag": "\"\(file.sha256)\"", "X-Linked-Size": "\(file.bytes.count)",
                           "Location": baseURL.absoluteString + "/cdn/\(file.sha256)"],
                 body: Array("Found.".utf8), isHead: isHead)
        } else {
            send(connection, status: 200, headers: ["X-Repo-Commit": file.commit, "ETag": "W/\"\(file.gitETag)\""],
                 body: file.servedBytes, isHead: isHead)
        }
    }

    private func serveCDN(path: String, request: Request, on connection: Int32) {
        let key = String(path.dropFirst("/cdn/".count))
        let (file, ignoreRange) = lock.withLock { (files.values.first { $0.sha256 == key }, ignoresRange) }
        let isHead = request.method == "HEAD"
        guard let file else {
            send(connection, status: 404, headers: [:], body: [], isHead: isHead)
            return
        }
        let body = file.servedBytes
        var start = 0
        if !ignoreRange, let range = request.headers["range"], range.hasPrefix("bytes="),
           let dash = range.firstIndex(of: "-"), let first = Int(range[range.index(range.startIndex, offsetBy: 6)..<dash]) {
            start = first
        }
        if start >= body.count && start > 0 {
            send(connection, status: 416, headers: ["Content-Range": "bytes */\(body.count)"], body: [], isHead: isHead)
            return
        }
        var limit: Int?
        if !isHead {
            lock.withLock {
                if let index = dropsAfterBytes.firstIndex(where: { path.hasPrefix($0.pathPrefix) }) {
                    limit = dropsAfterBytes.remove(at: index).bytes
                }
            }
        }
        let headers = start > 0 ? ["Content-Range": "bytes \(start)-\(body.count - 1)/\(body.count)"] : [:]
        send(connection, status: start > 0 ? 206 : 200, headers: headers.merging(["ETag": "\"\(key)\""]) { a, _ in a },
             body: Array(body[start...]), isHead: isHead, sendOnly: limit)
    }

    private func send(_ connection: Int32, status: Int, headers: [String: String], body: [UInt8],
                      isHead: Bool, sendOnly limit: Int? = nil) {
        let reasons = [200: "OK", 206: "Partial Content", 302: "Found", 307: "Temporary Redirect",
                       404: "Not Found", 416: "Range Not Satisfiable"]
        var head = "HTTP/1.1 \(status) \(reasons[status] ?? "Status")\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        var bytes = Array(head.utf8)
        if !isHead { bytes += body.prefix(limit ?? body.count) }
        let pace = lock.withLock { pacing }
        var offset = 0
        while offset < bytes.count {
            if let pace, offset > 0 { Thread.sleep(forTimeInterval: pace.delay) }
            let end = pace.map { min(bytes.count, offset + $0.chunk) } ?? bytes.count
            #if canImport(Glibc)
            let sent = bytes[offset..<end].withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            #else
            let sent = bytes[offset..<end].withUnsafeBytes { Darwin.send(connection, $0.baseAddress, $0.count, 0) }
            #endif
            guard sent > 0 else { return }
            offset += sent
        }
    }
}
