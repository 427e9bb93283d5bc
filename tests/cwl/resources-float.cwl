# ResourceRequirement in fractional MiB: rounded up (CWL v1.2).
cwlVersion: v1.2
class: CommandLineTool
requirements:
  ResourceRequirement: {ramMin: 254.1, tmpdirMin: 255.1, outdirMin: 256.1}
inputs: []
baseCommand: echo
arguments: [$(runtime.ram), $(runtime.tmpdirSize), $(runtime.outdirSize)]
stdout: out.txt
outputs:
  text: {type: string, outputBinding: {glob: out.txt, loadContents: true, outputEval: '$(self[0].contents)'}}
