import Graph
import Testing

@Suite struct MemoryPlannerTests {
    @Test func disjointLifetimesShareAndOverlappingOnesDoNot() {
        let planner = MemoryPlanner(alignment: 64)
        let (offsets, size) = planner.plan([
            .init(byteCount: 100, firstStep: 0, lastStep: 1),
            .init(byteCount: 100, firstStep: 1, lastStep: 2),
            .init(byteCount: 100, firstStep: 2, lastStep: 3),
        ])
        #expect(offsets[0] != offsets[1])      // alive together at step 1
        #expect(offsets[1] != offsets[2])      // alive together at step 2
        #expect(offsets[0] == offsets[2])      // never alive together: shared
        #expect(size == 256)
        #expect(offsets.allSatisfy { $0 % 64 == 0 })
    }

    @Test func randomPlansNeverOverlapInSpaceAndTime() {
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) % bound }
        for _ in 0..<50 {
            let requests = (0..<30).map { _ -> MemoryPlanner.Request in
                let first = next(40)
                return .init(byteCount: 1 + next(5000), firstStep: first, lastStep: first + next(10))
            }
            let (offsets, size) = MemoryPlanner().plan(requests)
            for i in requests.indices {
                #expect(offsets[i] + requests[i].byteCount <= size)
                for j in requests.indices where j > i {
                    let timeOverlap = requests[i].firstStep <= requests[j].lastStep && requests[j].firstStep <= requests[i].lastStep
                    let spaceOverlap = offsets[i] < offsets[j] + requests[j].byteCount && offsets[j] < offsets[i] + requests[i].byteCount
                    #expect(!(timeOverlap && spaceOverlap))
                }
            }
        }
    }
}
