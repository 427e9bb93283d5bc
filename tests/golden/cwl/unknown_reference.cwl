cwlVersion: v1.2
class: CommandLineTool
inputs:
  sample: Sampel
baseCommand: echo
outputs: []
