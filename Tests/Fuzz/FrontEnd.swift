// libFuzzer target `frontend`: the lexer, the parser and the checker on arbitrary bytes.
// Any crash, sanitizer report or input slower than -timeout is a finding (docs/fuzzing.md).
import KeyflowLanguage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    FrontEndInvariants.frontEnd(bytes)
    return 0
}
