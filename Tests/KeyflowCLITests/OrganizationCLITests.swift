import Foundation
import KeyflowTestSupport
import Testing

/// The CI path on current servers, end to end: the real binary with an organization key
/// alone (no project API key, no console session) against `keyflow serve --projects`,
/// creating, delivering and later rotating keys in several projects (examples/org-ci.kf),
/// and a fleet playbook that only touches the tenant projects (examples/fleet.kf).
@Suite(.serialized) struct OrganizationCLITests {
    static func keyflow(_ args: [String], cwd: String, env: [String: String]) throws -> ProcessOutput {
        let environment = isolatedEnvironment(["HOME": cwd, "XDG_CONFIG_HOME": cwd + "/.config"].merging(env) { $1 })
        return try runProcess(TestPaths.keyflowBinary, args, environment: environment, directory: cwd)
    }

    static func example(_ name: String) -> String { TestPaths.packageRoot.appendingPathComponent("examples/\(name)").path }

    static func secret(_ cwd: String, _ path: String) -> String? {
        (try? String(contentsOfFile: cwd + "/" + path, encoding: .utf8))?.trimmingCharacters(in: .newlines)
    }

    @Test func anOrganizationKeyAloneProvisionsAndRotatesInEveryProject() throws {
        let projects = ["home", "tenant-a", "tenant-b"]
        let server = try ServeProcess(projects: projects)
        defer { server.stop() }
        #expect(server.organizationKey.hasPrefix("organization_"), "sandbox.json has no organization key")
        #expect(server.projects == projects)
        let cwd = try TestPaths.temporaryFolder("keyflow-org")
        let env = server.organizationEnvironment(project: "home")
        #expect(env["APPWRITE_API_KEY"] == nil && env["APPWRITE_SESSION"] == nil)

        // The plan names the project of every step.
        let plan = try Self.keyflow(["plan", Self.example("org-ci.kf")], cwd: cwd, env: env)
        #expect(plan.status == 0, "\(plan.all)")
        for p in projects { #expect(plan.stdout.contains("[\(p)] + create \"Deployment Key\""), "\(plan.stdout)") }
        #expect(plan.stderr.contains("project \"tenant-a\": 2 changes"), "\(plan.stderr)")

        let first = try Self.keyflow(["run", Self.example("org-ci.kf")], cwd: cwd, env: env)
        #expect(first.status == 0, "\(first.all)")
        var delivered: [String: String] = [:]
        for p in projects {
            let keys = try server.listedKeys(inProject: p).filter { $0["name"] as? String == "Deployment Key" }
            #expect(keys.count == 1, "\(p): \(keys.map { $0["name"] ?? "" })")
            let onDisk = Self.secret(cwd, "secrets/\(p)/deploy.key")
            #expect(onDisk != nil && onDisk == keys.first?["secret"] as? String, "\(p): the file holds the key's secret")
            delivered[p] = onDisk
        }

        let second = try Self.keyflow(["run", Self.example("org-ci.kf")], cwd: cwd, env: env)
        #expect(second.status == 0, "\(second.all)")
        #expect(second.stderr.contains("No changes: everything is up to date"), "\(second.stderr)")

        // Later, within the rotation window: every project's key is rotated, its file holds
        // the successor's secret, and the old key retires for the grace period.
        let later = try Self.keyflow(["run", Self.example("org-ci.kf"), "rotate_within=100d"], cwd: cwd, env: env)
        #expect(later.status == 0, "\(later.all)")
        for p in projects {
            let keys = try server.listedKeys(inProject: p)
            let current = keys.filter { $0["name"] as? String == "Deployment Key" }
            let retired = keys.filter { ($0["name"] as? String ?? "").hasPrefix("Deployment Key (rotated ") }
            #expect(current.count == 1 && retired.count == 1, "\(p): \(keys.map { $0["name"] ?? "" })")
            let onDisk = Self.secret(cwd, "secrets/\(p)/deploy.key")
            #expect(onDisk == current.first?["secret"] as? String && onDisk != delivered[p], "\(p): the file holds the successor's secret")
        }
        for output in [plan.all, first.all, second.all, later.all] {
            #expect(!output.contains(server.organizationKey), "the organization key leaked")
            #expect(output.range(of: #"(standard|organization)_[A-Za-z0-9]{16,}"#, options: .regularExpression) == nil, "secret-shaped text")
        }
    }

    @Test func theFleetTouchesOnlyTenantProjects() throws {
        let server = try ServeProcess(projects: ["admin", "tenant-acme", "tenant-globex"])
        defer { server.stop() }
        let cwd = try TestPaths.temporaryFolder("keyflow-fleet")
        let env = server.organizationEnvironment(project: "admin")
        let run = try Self.keyflow(["run", Self.example("fleet.kf")], cwd: cwd, env: env)
        #expect(run.status == 0, "\(run.all)")
        #expect(run.stdout.contains("2 tenant projects checked"), "\(run.stdout)")
        for p in ["tenant-acme", "tenant-globex"] {
            #expect(try server.listedKeys(inProject: p).contains { $0["name"] as? String == "monitoring" }, "\(p)")
            #expect(Self.secret(cwd, "secrets/\(p)/monitoring.key") != nil)
        }
        #expect(try !server.listedKeys(inProject: "admin").contains { $0["name"] as? String == "monitoring" })
        let again = try Self.keyflow(["run", Self.example("fleet.kf")], cwd: cwd, env: env)
        #expect(again.stderr.contains("No changes: everything is up to date"), "\(again.stderr)")
    }

    @Test func organizationErrorsSayWhatToFix() throws {
        let server = try ServeProcess(projects: ["home", "other"])
        defer { server.stop() }
        let cwd = try TestPaths.temporaryFolder("keyflow-org-errors")
        // A key without its organization id: refused before anything is sent (exit 2).
        var env = server.organizationEnvironment(project: "home")
        env["APPWRITE_ORGANIZATION_ID"] = nil
        let missing = try Self.keyflow(["plan", Self.example("org-ci.kf")], cwd: cwd, env: env)
        #expect(missing.status == 2, "\(missing.all)")
        #expect(missing.stderr.contains("needs its organization id"), "\(missing.stderr)")
        // A project the organization does not have.
        let script = cwd + "/p.kf"
        try #"in project "nope" { ensure "k" scopes [users.read] }"#.write(toFile: script, atomically: true, encoding: .utf8)
        let unknown = try Self.keyflow(["run", script], cwd: cwd, env: server.organizationEnvironment(project: "home"))
        #expect(unknown.status == 1, "\(unknown.all)")
        #expect(unknown.stderr.contains("project_not_found") && unknown.stderr.contains("`projects` lists them"), "\(unknown.stderr)")
    }
}
