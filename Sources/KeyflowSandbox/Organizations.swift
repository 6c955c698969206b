import KeyflowBasics

/// An organization: a console team. Its projects and its organization API keys belong to
/// it (docs/appwrite-api.md §4.7).
struct TeamRecord: Sendable, Equatable {
    var sequence: Int64
    var id: String
    var name: String
    var createdAt: Int64
    var updatedAt: Int64

    /// The Team model: `$id, $createdAt, $updatedAt, name, total, prefs`.
    func json(members: Int) -> String {
        var w = JSONWriter(capacity: 200, style: .server)
        w.raw("{")
        w.key("$id", first: true)
        w.string(id)
        w.key("$createdAt")
        w.string(Timestamps.format(createdAt))
        w.key("$updatedAt")
        w.string(Timestamps.format(updatedAt))
        w.key("name")
        w.string(name)
        w.key("total")
        w.raw(String(members))
        w.key("prefs")
        w.raw("{}")
        w.raw("}")
        return w.text
    }
}

/// A project; `teamID` is the organization that owns it.
struct ProjectRecord: Sendable, Equatable {
    var sequence: Int64
    var id: String
    var name: String
    var teamID: String
    var createdAt: Int64
    var updatedAt: Int64

    /// The Project model, the fields a sandbox has (the SDKs default the others).
    func render(into w: inout JSONWriter) {
        w.raw("{")
        w.key("$id", first: true)
        w.string(id)
        w.key("$createdAt")
        w.string(Timestamps.format(createdAt))
        w.key("$updatedAt")
        w.string(Timestamps.format(updatedAt))
        w.key("name")
        w.string(name)
        w.key("teamId")
        w.string(teamID)
        w.key("region")
        w.string("default")
        w.key("labels")
        w.strings([])
        w.key("status")
        w.string("active")
        w.raw("}")
    }

    func json() -> String {
        var w = JSONWriter(capacity: 256, style: .server)
        render(into: &w)
        return w.text
    }
}

/// A console user's membership of a team, with its roles (`owner` for the creator).
struct MembershipRecord: Sendable, Equatable {
    var teamID: String
    var userID: String
    var roles: [String]
    var createdAt: Int64
}

/// Teams, their memberships and the projects in memory, loaded at start and extended
/// after each commit (as `Accounts` is).
final class Organizations: Sendable {
    private struct State {
        var teams: [String: TeamRecord] = [:]
        var projects: [String: ProjectRecord] = [:]
        /// team id → user id → roles
        var members: [String: [String: [String]]] = [:]
    }

    private let state = Locked(State())

    /// Team roles that carry `keys.*` and `organization.projects.keys.*` (docs/appwrite-api.md §4.7).
    static let adminRoles: Set<String> = ["owner", "admin", "developer"]

    init(teams: [TeamRecord], projects: [ProjectRecord], memberships: [MembershipRecord]) {
        state.withLock { s in
            for team in teams { s.teams[team.id] = team }
            for project in projects { s.projects[project.id] = project }
            for m in memberships { s.members[m.teamID, default: [:]][m.userID] = m.roles }
        }
    }

    func team(_ id: String) -> TeamRecord? { state.withLock { $0.teams[id] } }

    func project(_ id: String) -> ProjectRecord? { state.withLock { $0.projects[id] } }

    /// The projects of a team, in creation order.
    func projects(team: String) -> [ProjectRecord] {
        state.withLock { s in s.projects.values.filter { $0.teamID == team }.sorted { $0.sequence < $1.sequence } }
    }

    /// The roles of `user` in `team`; nil when not a member.
    func roles(user: String, team: String) -> [String]? { state.withLock { $0.members[team]?[user] } }

    func memberCount(team: String) -> Int { state.withLock { $0.members[team]?.count ?? 0 } }

    func add(_ team: TeamRecord, _ membership: MembershipRecord) {
        state.withLock { s in
            s.teams[team.id] = team
            s.members[membership.teamID, default: [:]][membership.userID] = membership.roles
        }
    }

    func add(_ project: ProjectRecord) { state.withLock { $0.projects[project.id] = project } }
}
