import Foundation
import Testing

/// Golden files: text a test compares byte for byte with a file of the repository.
/// `KEYFLOW_RECORD_GOLDEN=1` (the one variable, for every golden of every target) rewrites
/// the files instead — and records an issue for each, so a recording run always fails
/// and re-recording stays a deliberate step: record, review the diff, run again.
public enum Golden {
    public static let recordVariable = "KEYFLOW_RECORD_GOLDEN"

    public static var isRecording: Bool { ProcessInfo.processInfo.environment[recordVariable] == "1" }

    /// Expects `text` to be the content of `file`, or (recording) writes it there.
    public static func expect(_ text: String, file: URL, sourceLocation: SourceLocation = #_sourceLocation) {
        if isRecording {
            do {
                try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: file, atomically: true, encoding: .utf8)
                Issue.record("recorded \(file.path) (\(recordVariable)=1): review the diff and run again without it", sourceLocation: sourceLocation)
            } catch {
                Issue.record("could not record \(file.path): \(error)", sourceLocation: sourceLocation)
            }
            return
        }
        guard let golden = try? String(contentsOf: file, encoding: .utf8) else {
            Issue.record("no golden file \(file.path); run with \(recordVariable)=1 to write it. Got:\n\(text)", sourceLocation: sourceLocation)
            return
        }
        if golden != text {
            Issue.record("differs from \(file.lastPathComponent)\n--- golden\n\(golden)--- got\n\(text)", sourceLocation: sourceLocation)
        }
    }
}
