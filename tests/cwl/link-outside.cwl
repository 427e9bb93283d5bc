# A globbed output that is a link to a file outside the work dir (not an
# input) is not the tool's output: the run fails.
cwlVersion: v1.2
class: CommandLineTool
requirements:
  ShellCommandRequirement: {}
inputs: []
arguments:
  - {valueFrom: 'ln -s /etc/hostname out.txt', shellQuote: false}
outputs:
  out: {type: File, outputBinding: {glob: out.txt}}
