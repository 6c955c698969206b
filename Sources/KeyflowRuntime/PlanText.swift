import Foundation
import KeyflowClient
import KeyflowBasics
import KeyflowLanguage

/// Text of steps: what a plan shows (`+ create`, `~ update` with field differences,
/// `- delete`, `↻ rotate`, `→ secret`) and what a run reports. No secret appears.
public enum PlanText {
    /// The step as a plan line, with indented detail lines after it.
    public static func lines(_ step: Step, style: Style = .plain) -> [String] {
        switch step.action {
        case .create(_, let f):
            var line = style.add("+ create") + " \(Format.quoted(f.name))" + " scopes \(Format.scopes(f.scopes))"
            if case .at = f.expire { line += " expire \(Format.expiry(f.expire))" }
            if let d = f.description, !d.isEmpty { line += " description \(Format.quoted(d))" }
            return [line]
        case .update(let before, _):
            return [style.change("~ update") + " \(Format.quoted(before.name)) (\(before.id))"]
                + step.changes.map { "    " + $0.text }
        case .delete(let k):
            return [style.remove("- delete") + " \(Format.quoted(k.name)) (\(k.id))"]
        case .ephemeral(let scopes, let seconds):
            return [style.add("+ ephemeral") + " scopes \(Format.scopes(scopes)) expire in \(Format.duration(seconds))"]
        case .deliver(let k, let sink):
            return [style.deliver("→ secret") + " of \(keyLabel(k)) to \(sink)"]
        case .rotate(let r):
            return rotationLines(r, style: style)
        }
    }

    /// The step as a run outcome line.
    public static func done(_ step: Step, _ result: StepResult, seconds: Double, style: Style = .plain) -> [String] {
        let time = style.dim(" " + milliseconds(seconds))
        switch step.action {
        case .create(_, let f):
            return [style.add("+ created") + " \(Format.quoted(f.name)) (\(result.key?.id ?? "?"))" + time]
        case .update(let before, _):
            return [style.change("~ updated") + " \(Format.quoted(before.name)) (\(before.id))" + time]
                + step.changes.map { "    " + $0.text }
        case .delete(let k):
            return [style.remove("- deleted") + " \(Format.quoted(k.name)) (\(k.id))" + time]
        case .ephemeral(let scopes, let seconds):
            return [style.add("+ minted ephemeral key") + " scopes \(Format.scopes(scopes)) for \(Format.duration(seconds))" + time]
        case .deliver(let k, let sink):
            return [style.deliver("→ delivered") + " secret of \(keyLabel(k)) to \(sink)" + time]
        case .rotate(let r):
            return rotatedLines(r, result, time: time, style: style)
        }
    }

    /// `"name"`, or `the ephemeral key` (ephemeral keys have no name).
    static func keyLabel(_ k: Key) -> String { k.name.isEmpty ? "the ephemeral key" : Format.quoted(k.name) }

    static func milliseconds(_ seconds: Double) -> String {
        seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : String(format: "%.1f s", seconds)
    }

    /// `Plan: 2 to create, 1 to update.` / `No changes: everything is up to date (3 checked).`
    public static func summary(_ s: Summary) -> String {
        var text = summaryLine(s)
        if s.byProject.count > 1 {
            for (project, changes) in s.byProject.sorted(by: { $0.key < $1.key }) {
                text += "\n  project \(Format.quoted(project)): \(changes) change\(changes == 1 ? "" : "s")"
            }
        }
        return text
    }

    static func summaryLine(_ s: Summary) -> String {
        if s.mode == .plan && s.status == .ok {
            if s.changes == 0 {
                return "No changes: everything is up to date" + (s.upToDate > 0 ? " (\(s.upToDate) checked)." : ".")
            }
            return "Plan: " + counts(s, future: true) + "."
        }
        let took = " in " + milliseconds(s.seconds)
        switch s.status {
        case .ok:
            if s.changes == 0 {
                return "No changes: everything is up to date" + (s.upToDate > 0 ? " (\(s.upToDate) checked)" : "") + took + "."
            }
            return "Done: " + counts(s, future: false) + took + "."
        case .failed, .assertFailed, .invalid:
            var text = s.mode == .run ? "Stopped. Done before the failure: " + (s.changes == 0 ? "nothing" : counts(s, future: false)) + "." : "Plan failed."
            if !s.notDone.isEmpty {
                text += "\nNot done (\(s.notDone.count) planned step\(s.notDone.count == 1 ? "" : "s")):"
                for step in s.notDone.prefix(20) {
                    text += "\n  " + lines(step)[0] + "  (\(step.range.file):\(step.range.start.line))"
                }
                if s.notDone.count > 20 { text += "\n  … and \(s.notDone.count - 20) more" }
            } else if s.mode == .run && s.status != .invalid {
                text += "\nNot done: the failed step and everything after it."
            }
            return text
        }
    }

    static func counts(_ s: Summary, future: Bool) -> String {
        var parts: [String] = []
        func add(_ n: Int, _ planned: String, _ done: String) {
            if n > 0 { parts.append("\(n) \(future ? planned : done)") }
        }
        add(s.created, "to create", "created")
        add(s.updated, "to update", "updated")
        add(s.deleted, "to delete", "deleted")
        add(s.rotated, "to rotate", "rotated")
        add(s.ephemeral, "ephemeral to mint", "ephemeral minted")
        add(s.delivered, s.delivered == 1 ? "secret to deliver" : "secrets to deliver", s.delivered == 1 ? "secret delivered" : "secrets delivered")
        if s.upToDate > 0 { parts.append("\(s.upToDate) up to date") }
        return parts.joined(separator: ", ")
    }

    /// The colours of the plan's symbols and lines (`KeyflowBasics/Palette.swift`).
    public typealias Style = Palette
}

/// How `show` and `list` print keys (never the secret).
enum Render {
    static func show(_ k: Key) -> String {
        var lines = [
            "key \(Format.quoted(k.name))",
            "  id          \(k.id)",
            "  scopes      \(Format.scopes(k.scopes))",
            "  expire      \(Format.expiry(k.expire))",
            "  created     \(Format.time(k.createdAt))",
            "  updated     \(Format.time(k.updatedAt))",
            "  accessed    \(k.accessedAt.map(Format.time) ?? "never")",
        ]
        if !k.description.isEmpty { lines.insert("  description \(k.description)", at: 3) }
        return lines.joined(separator: "\n")
    }

    static func table(_ keys: [Key]) -> String {
        KeyTable.render(keys, width: KeyTable.width)
    }
}

/// The aligned table `list` prints: name, id, scopes, expire, last accessed.
public enum KeyTable {
    /// The columns the table must fit in, for the task that renders it (the REPL sets the
    /// terminal's width); nil: as wide as the cells need.
    @TaskLocal public static var width: Int?
    /// The colours of the table (its heading is bold), for the task that renders it: the
    /// shell sets it from its one decision (`KeyflowCLI/Colour.swift`).
    @TaskLocal public static var palette = Palette.plain

    /// The table; with `width`, columns are cut and their cells elided with `…` until every
    /// line fits, when it can: names and scopes first (the widest first, down to 12), then
    /// every column (the widest first, each keeping at least its heading).
    public static func render(_ keys: [Key], width: Int? = nil) -> String {
        let header = ["NAME", "ID", "SCOPES", "EXPIRE", "ACCESSED"]
        let rows = keys.map { k in
            [k.name, k.id, k.scopes.count <= 3 ? k.scopes.joined(separator: ",") : "\(k.scopes.count) scopes",
             Format.expiry(k.expire), k.accessedAt.map(Format.time) ?? "never"]
        }
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        if let width {
            let separators = 2 * (header.count - 1)
            // Names and scopes give way first (down to 12), ids and times only after them.
            let heading = header.map { max($0.count, 4) }
            let phases: [[Int?]] = [[12, nil, 12, nil, nil], heading]
            for floors in phases {
                while widths.reduce(0, +) + separators > width {
                    // The widest column that may still shrink gives up one character.
                    let shrinkable = widths.indices.filter { i in floors[i].map { widths[i] > max($0, heading[i]) } ?? false }
                    guard let i = shrinkable.max(by: { widths[$0] < widths[$1] }) else { break }
                    widths[i] -= 1
                }
            }
        }
        func fitted(_ cell: String, _ i: Int) -> String {
            cell.count <= widths[i] ? cell : String(cell.prefix(widths[i] - 1)) + "…"
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let cell = fitted(c, i)
                return i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }
            .joined(separator: "  ")
        }
        return ([palette.bold(line(header))] + rows.map(line)).joined(separator: "\n") + "\n(\(keys.count) key\(keys.count == 1 ? "" : "s"))"
    }
}

// A rotation: one line, then its sub-steps (create, deliver, retire).
extension PlanText {

    /// A rotation as `plan` shows it: one line, then its sub-steps.
    static func rotationLines(_ r: Rotation.Request, style: PlanText.Style) -> [String] {
        let now = Date()
        var out = [style.rotate("↻ rotate") + " \(Format.quoted(r.successorName)) (\(r.old.id)) grace \(Format.duration(r.grace))"]
        if let s = r.existingSuccessor {
            out.append("    = successor \(s.id) exists (an interrupted rotation): finish it")
        } else {
            out.append(
                "    + create successor \(r.successorID) \(Format.quoted(r.successorName)) scopes \(Format.scopes(r.old.scopes)) "
                    + "expire \(Format.expiry(Rotation.successorExpiry(r, now: now)))")
        }
        for sink in r.sinks { out.append("    → secret to \(sink)") }
        if r.grace == 0 {
            out.append("    - delete the old key \(r.old.id)")
        } else if RetiredName.original(of: r.old.name) != nil {
            out.append("    = the old key is retired already, until \(Format.expiry(r.old.expire))")
        } else {
            out.append(
                "    ~ retire the old key: name \(Format.quoted(RetiredName.make(r.old.name, at: now))), "
                    + "expire \(Format.expiry(Rotation.retiredExpiry(of: r.old, grace: r.grace, now: now)))")
        }
        return out
    }

    /// A finished rotation as `run` reports it.
    static func rotatedLines(_ r: Rotation.Request, _ result: StepResult, time: String, style: PlanText.Style) -> [String] {
        guard case .rotated(let o) = result else { return [style.rotate("↻ rotated") + " \(Format.quoted(r.successorName))" + time] }
        var out = [
            style.rotate("↻ rotated") + " \(Format.quoted(o.successor.name)): successor \(o.successor.id)"
                + (o.resumed ? " (finished an interrupted rotation)" : "") + time
        ]
        for sink in r.sinks { out.append("    → secret delivered to \(sink)") }
        if let retired = o.retired {
            out.append("    old key \(r.old.id) retires as \(Format.quoted(retired.name)), expires \(Format.expiry(retired.expire))")
        } else {
            out.append("    old key \(r.old.id) deleted")
        }
        return out
    }
}
