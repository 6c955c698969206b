import Foundation

/// Where things are for a test: the package, the built binaries, the SDK venvs, and fresh
/// temporary folders.
public enum TestPaths {
    /// The package root (…/Tests/KeyflowTestSupport/Paths.swift → …).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The keyflow binary: env KEYFLOW_BIN, else `.build/debug/keyflow` under the package root.
    public static var keyflowBinary: String {
        if let path = ProcessInfo.processInfo.environment["KEYFLOW_BIN"], !path.isEmpty { return path }
        return packageRoot.appendingPathComponent(".build/debug/keyflow").path
    }

    /// The keyflow binary when it exists (tests that need it are skipped otherwise).
    public static var builtKeyflowBinary: String? {
        FileManager.default.isExecutableFile(atPath: keyflowBinary) ? keyflowBinary : nil
    }

    /// The Python of an SDK venv: env `variable`, else `.venv/NAME/bin/python` under the package root.
    public static func sdkPython(_ variable: String, venv: String) -> String? {
        if let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty { return path }
        let fallback = packageRoot.appendingPathComponent(".venv/\(venv)/bin/python").path
        return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
    }

    /// A fresh, empty folder under the temporary directory, named `prefix-UUID`.
    public static func temporaryFolder(_ prefix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// A fresh temporary folder, removed by `cleanup()`.
public struct TemporaryDirectory: Sendable {
    public let url: URL
    public var path: String { url.path }

    public init(_ prefix: String = "keyflow-test") throws {
        url = URL(fileURLWithPath: try TestPaths.temporaryFolder(prefix))
    }

    public func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// A failure of the test machinery itself (a server that did not start, a tool that failed).
public struct TestSupportFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
