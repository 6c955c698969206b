import KeyflowClient
import KeyflowRuntime
import Testing

@testable import KeyflowREPL

/// The prompt names the target, and the context it came from when there is one.
struct PromptTests {
    func prompt(context: String?, sandbox: Bool = false) -> String {
        let target = TargetDescription(
            endpoint: "https://cloud.example.com/v1", project: "shop", isSandbox: sandbox, credential: "api key", context: context)
        let api = AppwriteClient(ClientConfiguration(endpoint: target.endpoint, project: target.project, credentials: Credentials()))
        return REPL(session: Session(api: api, target: target, canCreateKeys: false), history: nil, colour: false).prompt
    }

    @Test func withoutAContextNothingChanges() {
        #expect(prompt(context: nil) == "shop@cloud.example.com> ")
        #expect(prompt(context: nil, sandbox: true) == "sandbox> ")
    }

    @Test func aContextLeadsThePrompt() {
        #expect(prompt(context: "prod") == "prod:shop@cloud.example.com> ")
        #expect(TargetDescription(
            endpoint: "https://cloud.example.com/v1", project: "shop", isSandbox: false, credential: "api key", context: "prod"
        ).line == #"target: https://cloud.example.com/v1 project "shop" (api key) context "prod""#)
    }
}
