import Testing

@testable import ShopTalkShell

@Suite("Model URLs shown without their credentials")
struct CredentialMaskingTests {
    @Test func aUserAndPasswordInAURLAreMaskedAndTheRestKept() {
        #expect(Shell.withoutCredentials("http://user:secretpw@127.0.0.1:18080/v1") == "http://***@127.0.0.1:18080/v1")
        #expect(Shell.withoutCredentials("https://token@api.example.com/v1") == "https://***@api.example.com/v1")
        #expect(Shell.withoutCredentials("http://127.0.0.1:11434/v1") == "http://127.0.0.1:11434/v1")
        #expect(Shell.withoutCredentials("") == "")
    }
}
