// libFuzzer target `format`: the formatter's properties on arbitrary bytes (traps on a violation).
import KeyflowLanguage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let violation = FrontEndInvariants.formatViolation(bytes) { fatalError(violation) }
    return 0
}
