# A tool that writes cwl.output.json: its outputs are what it says.
cwlVersion: v1.2
class: CommandLineTool
inputs: []
baseCommand: [sh, -c]
arguments: ['echo "{\"n\": 7, \"words\": [\"a\", \"b\"]}" > cwl.output.json']
outputs:
  n: int
  words: "string[]"
