// libFuzzer target `request`: the sandbox's request parsing (query strings, Appwrite query
// JSON, cookies, ephemeral-key JWTs, JSON bodies) without the server. scripts/fuzz compiles
// these sources together with the sandbox files the parsing lives in.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    RequestInvariants.parse(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
