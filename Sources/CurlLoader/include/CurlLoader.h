// CurlLoader defines the `kf_` functions declared in CCurl's shim.h (the module Swift
// imports); it has no interface of its own.
