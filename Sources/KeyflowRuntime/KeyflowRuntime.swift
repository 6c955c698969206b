// KeyflowRuntime: see Package.swift.
