# An output's secondary file given by an expression as a file object with a
# basename of its own is published under that name.
cwlVersion: v1.2
class: CommandLineTool
requirements:
  InlineJavascriptRequirement: {}
  ShellCommandRequirement: {}
inputs: []
arguments: [{valueFrom: 'echo data > a.txt && echo index > a.idx', shellQuote: false}]
outputs:
  out:
    type: File
    outputBinding: {glob: a.txt}
    secondaryFiles:
      - '${ return {"class": "File", "path": self.path.replace(/txt$/, "idx"), "basename": self.basename + ".idx"}; }'
