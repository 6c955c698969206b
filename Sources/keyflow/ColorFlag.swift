import ArgumentParser
import KeyflowCLI

extension ColourChoice: ExpressibleByArgument {}

/// `--color auto|always|never`, for the commands that print coloured text; the decision
/// itself is `ColourChoice`'s (`KeyflowCLI/Colour.swift`).
struct ColorFlag: ParsableArguments {
    @Option(name: .customLong("color"), help: "Colour the output: auto (on a terminal without NO_COLOR), always or never.")
    var choice: ColourChoice = .auto
}
