// libFuzzer target `json`: the JSON reader the client and the sandbox share (KeyflowBasics).
import KeyflowBasics

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let violation = JSONInvariants.roundTripViolation(Array(UnsafeBufferPointer(start: data, count: size))) {
        fatalError(violation)
    }
    return 0
}
