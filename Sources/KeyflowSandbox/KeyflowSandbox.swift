// KeyflowSandbox: see Package.swift.
