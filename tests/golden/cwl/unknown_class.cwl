cwlVersion: v1.2
class: CommandLinTool
inputs: []
outputs: []
