import Foundation
import KeyflowLanguage

/// The interactive loop (temporary: parse only until the runtime lands).
public enum REPL {
    public static func main() async -> Int32 {
        let historyFile = HistoryFile.defaultPath().map { HistoryFile(path: $0) }
        let editor = LineEditor(history: (try? historyFile?.load()) ?? [])
        var assembler = InputAssembler()
        while true {
            let input = await editor.read(prompt: assembler.isEmpty ? "sandbox> " : "    ...> ")
            switch input {
            case .endOfInput: return 0
            case .interrupted:
                assembler.reset()
                continue
            case .line(let line):
                editor.remember(line)
                try? historyFile?.append(line)
                if assembler.isEmpty, MetaCommand.isMetaCommand(line) {
                    print(MetaCommand.parse(line))
                    continue
                }
                switch assembler.add(line) {
                case .needsMore: continue
                case .complete(let source, let parsed):
                    print("chunk: \(source.debugDescription) errors: \(parsed.diagnostics.map(\.summary))")
                }
            }
        }
    }
}
