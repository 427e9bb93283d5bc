# InlineJavascriptRequirement with an expressionLib, $() and ${} expressions,
# a File's derived fields.
cwlVersion: v1.2
class: CommandLineTool
requirements:
  InlineJavascriptRequirement:
    expressionLib:
      - "function twice(x) { return x * 2; }"
inputs:
  n: int
  f: File
baseCommand: echo
arguments:
  - $(twice(inputs.n))
  - ${ return inputs.f.nameroot + "|" + inputs.f.nameext + "|" + inputs.f.size; }
  - $(inputs.f.basename.toUpperCase())
stdout: out.txt
outputs:
  line:
    type: string
    outputBinding: {glob: out.txt, loadContents: true, outputEval: "$(self[0].contents.trim())"}
