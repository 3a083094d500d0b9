import Foundation

/// Expands the paths a user gives `imgvec embed` into the list of files to embed.
///
/// Files are taken as given, whatever their extension (the decoder sniffs the
/// format from the bytes). Folders are walked recursively and contribute the files
/// whose extension is a known image extension, sorted by path. `-` reads one path
/// per line from standard input. Order: the arguments' order; duplicates dropped.
public enum InputCollector {
    /// Extensions picked up when walking folders (compared case-insensitively).
    public static let imageExtensions: Set<String> = [
        "jpg", "jpeg", "jpe", "jfif", "png", "webp", "gif", "bmp", "dib", "tif", "tiff",
    ]

    /// The files named by `arguments`; `readStandardInput` supplies `-`'s lines.
    public static func collect(_ arguments: [String], readStandardInput: () -> [String] = InputCollector.standardInputLines) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        func add(_ path: String) { if seen.insert(path).inserted { result.append(path) } }
        for argument in arguments {
            if argument == "-" {
                for line in readStandardInput() {
                    let path = line.trimmingCharacters(in: .whitespacesAndNewlines)
                    if !path.isEmpty { expand(path, into: add) }
                }
            } else {
                expand(argument, into: add)
            }
        }
        return result
    }

    private static func expand(_ path: String, into add: (String) -> Void) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            add(path) // a file, or a missing path that will be reported as failed
            return
        }
        let root = URL(fileURLWithPath: path)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else { return }
        var files: [String] = []
        for case let url as URL in walker where imageExtensions.contains(url.pathExtension.lowercased()) {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                files.append(joined(path, relativeTo: root, url))
            }
        }
        files.sorted().forEach(add)
    }

    /// Keeps the user's spelling of the folder as the prefix of each found path.
    private static func joined(_ base: String, relativeTo root: URL, _ url: URL) -> String {
        let rootPath = root.standardizedFileURL.path
        let full = url.standardizedFileURL.path
        guard full.hasPrefix(rootPath) else { return full }
        let relative = full.dropFirst(rootPath.count).drop { $0 == "/" }
        return base.hasSuffix("/") ? base + relative : base + "/" + relative
    }

    /// The lines of standard input.
    public static func standardInputLines() -> [String] {
        var lines: [String] = []
        while let line = readLine() { lines.append(line) }
        return lines
    }
}
