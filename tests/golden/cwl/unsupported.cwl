cwlVersion: v1.2
class: CommandLineTool
requirements:
  - class: http://example.com/cwl#GpuRequirement
inputs: []
baseCommand: echo
outputs: []
