cwlVersion: v1.2
class: CommandLineTool
baseCommand: {program: echo}
inputs: []
outputs: []
