import Foundation
import Testing
@testable import ShopTalkKit

@Suite("The sample's intents on its held-out file")
struct SampleIntentAccuracyTests {
    /// Measured 94.5% accuracy, 95.1% in scope and 87.5% out-of-scope recall; the floors leave a margin for
    /// harmless retraining noise but catch a real regression.
    @Test func heldOutAccuracyStaysAboveItsFloor() throws {
        let engine = try SampleWorkspace.engine()
        let heldOut = try IntentExample.load(
            from: SampleWorkspace.root.appendingPathComponent("eval/intents-heldout.csv"))

        let evaluation = IntentEvaluation(classifier: engine.classifier, examples: heldOut)

        #expect(heldOut.count == 505)
        #expect(evaluation.accuracy >= 0.92)
        #expect(evaluation.inScopeAccuracy >= 0.92)
        #expect((evaluation.outOfScopeRecall ?? 0) >= 0.75)
    }
}
