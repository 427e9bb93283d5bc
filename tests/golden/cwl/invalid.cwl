cwlVersion: v1.2
class: CommandLineTool
inputs:
  n: int
baseCommand: echo
arguments: [$(inputs.n + 1)]
outputs: []
