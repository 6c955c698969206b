// KeyflowLanguage: see Package.swift.
