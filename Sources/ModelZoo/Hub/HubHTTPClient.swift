import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The status line and headers of one HTTP response.
struct HubResponseHead: Sendable {
    var url: URL
    var status: Int
    /// Header fields with lowercased names.
    var headers: [String: String]

    subscript(_ name: String) -> String? { headers[name.lowercased()] }

    var isRedirect: Bool { [301, 302, 303, 307, 308].contains(status) }
}

/// A blocking HTTP client on URLSession that never follows redirects by itself (the caller decides,
/// as the hub protocol requires), streams bodies to a callback, and sends the token only to the hub.
final class HubHTTPClient: @unchecked Sendable {
    /// Seconds without any received byte before a request fails.
    let timeout: TimeInterval
    /// Bearer token and the only host it may be sent to.
    let token: String?
    let tokenHost: String?

    init(timeout: TimeInterval, token: String?, tokenHost: String?) {
        self.timeout = timeout
        self.token = token
        self.tokenHost = tokenHost
    }

    /// A HEAD request; a 3xx answer is returned as is.
    func head(_ url: URL) throws -> HubResponseHead {
        let transfer = Transfer(onResponse: { _ in }, onData: { _ in })
        return try run(request(url, method: "HEAD", rangeStart: nil), transfer)
    }

    /// A GET request whose 2xx body is handed to `onData` chunk by chunk, after `onResponse` has seen
    /// the head (either may throw to abort). Non-2xx bodies are discarded. 3xx answers are returned as is.
    func get(_ url: URL, rangeStart: Int64?, onResponse: @escaping (HubResponseHead) throws -> Void,
             onData: @escaping (Data) throws -> Void) throws -> HubResponseHead {
        let transfer = Transfer(onResponse: onResponse, onData: onData)
        return try run(request(url, method: "GET", rangeStart: rangeStart), transfer)
    }

    private func request(_ url: URL, method: String, rangeStart: Int64?) -> URLRequest {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalAndRemoteCacheData,
                                 timeoutInterval: timeout)
        request.httpMethod = method
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        request.setValue("imgvec/1 (huggingface_hub compatible)", forHTTPHeaderField: "User-Agent")
        if let rangeStart, rangeStart > 0 {
            request.setValue("bytes=\(rangeStart)-", forHTTPHeaderField: "Range")
        }
        if let token, let tokenHost, url.host == tokenHost {
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        return request
    }

    private func run(_ request: URLRequest, _ transfer: Transfer) throws -> HubResponseHead {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: transfer, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: request)
        transfer.task = task
        task.resume()
        transfer.done.wait()
        let urlText = request.url?.absoluteString ?? "?"
        if let failure = transfer.callbackError { throw failure }
        if let failure = transfer.transportError {
            throw HubError.transport(url: urlText, reason: failure.localizedDescription)
        }
        guard let head = transfer.head else {
            throw HubError.transport(url: urlText, reason: "no response")
        }
        return head
    }
}

/// Delegate state of one request. All callbacks run on the session's serial delegate queue;
/// the caller reads the results only after `done` is signalled.
private final class Transfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let onResponse: (HubResponseHead) throws -> Void
    let onData: (Data) throws -> Void
    let done = DispatchSemaphore(value: 0)
    weak var task: URLSessionTask?
    var head: HubResponseHead?
    var callbackError: Error?
    var transportError: Error?
    private var deliversBody = false

    init(onResponse: @escaping (HubResponseHead) throws -> Void, onData: @escaping (Data) throws -> Void) {
        self.onResponse = onResponse
        self.onData = onData
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)  // the caller follows redirects itself
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let http = response as? HTTPURLResponse, let url = http.url ?? dataTask.originalRequest?.url else {
            completionHandler(.cancel)
            return
        }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        let head = HubResponseHead(url: url, status: http.statusCode, headers: headers)
        self.head = head
        deliversBody = (200...299).contains(head.status)
        do {
            if deliversBody { try onResponse(head) }
            completionHandler(deliversBody || head.isRedirect ? .allow : .cancel)
        } catch {
            callbackError = error
            completionHandler(.cancel)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard deliversBody, callbackError == nil else { return }
        do {
            try onData(data)
        } catch {
            callbackError = error
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        // A cancel we asked for (non-2xx body, callback error) is not a transport failure.
        if let error, callbackError == nil, !(head != nil && !deliversBody) {
            transportError = error
        }
        done.signal()
    }
}
