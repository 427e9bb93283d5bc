# An expression that never ends is stopped with an error; nothing runs.
cwlVersion: v1.2
class: CommandLineTool
requirements: [{class: InlineJavascriptRequirement}]
inputs: []
baseCommand: echo
arguments: ["${ while (true) {} }"]
outputs: []
