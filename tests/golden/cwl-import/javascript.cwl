# import-cwl: JavaScript has no .flow equivalent.
cwlVersion: v1.2
class: CommandLineTool
requirements:
  InlineJavascriptRequirement: {}
inputs:
  n: int
baseCommand: echo
arguments: [$(inputs.n * 2)]
outputs: []
